#!/usr/bin/env bash
# The "slow network" benchmark: W2 with 2 workers across a 20 Mbit/s link with 1% UDP loss, top-k 1% with error
# feedback against dense. Must run as root. It builds two test hosts with network namespaces that it creates and
# removes itself; no traffic leaves them or loopback.
#
#   psl-ps  node A: coordinator,ps on 10.213.0.1 (the seed), and the submitting client
#   psl-wk  node B: worker on 10.213.0.2
#   joined by the veth pair psl-ps0 <-> psl-wk0; BOTH ends shaped with tbf (rate 20mbit burst 32kb latency 400ms,
#   so each direction has its own 20 Mbit/s), and in each namespace an nft table `psl_loss` drops 1% of the UDP
#   datagrams arriving through the veth (Aeron: gradients, parameters, acknowledgements; it retransmits). The drop
#   is on input, at the receiver: a drop on output makes the sender's sendto() fail with EPERM, which is not loss.
#   The nodes run with the data plane set for this link (PARASOL_JAVA_OPTS): mtu 1408 (the veth MTU is 1500; the
#   default 65504 is for loopback and makes IP fragment each datagram into ~45 frames, one of which tbf or the loss
#   rule nearly always drops: nothing gets through), and a receiver window of 128KiB (Aeron has no congestion
#   control: the default 2MiB per receiver overflows tbf's ~1 MB queue and turns into drops and retransmissions).
#   The control plane (Pekko Artery over TCP) shares the shaped link; TCP is not dropped by the rule.
#   With --delay-ms D (default 0: no delay, the benchmark as issue 5 defines it and as its published figures were
#   measured), the data plane also crosses a D ms one-way delay: this kernel has no netem, so each node gets a fixed
#   data port (PORT+1) and a user-space UDP relay in its namespace (load-tests/chaos/relay.sh, listening on PORT+2,
#   forwarding to the data port, delaying every datagram D ms each way, those from its own namespace excepted), and
#   advertises the relay (parasol node --data-advertise). So every datagram across the link waits D ms and its
#   reply D ms more (a round trip of 2 D). The control plane is not delayed. The relays' counters (forwarded each
#   way, dropped) are in relay-node-a.log / relay-node-b.log and .jsonl, written when they stop at the end.
#
# Runs, one after the other, on the same cluster:
#   1. --compress topk:0.01 (error feedback on), until the target (0.88) or the epoch budget: MEASURED time to target.
#   2. --compress dense with a bounded budget (--steps DENSE_STEPS per worker): each step moves ~0.94 MB each way,
#      far too slow to reach the target here. Its measured seconds per step and bytes per step give an ESTIMATED
#      time to target = measured s/step x the total worker steps dense needed on loopback
#      (the report given with --dense-reference, field "steps"), labelled as an estimate.
#
# Usage: load-tests/slow-link/run.sh [--out DIR] [--dense-steps N] [--port PORT] [--rate RATE] [--loss PCT]
#                                    [--delay-ms D]
#   --out DIR          where slow-link.json, slow-link.md, logs and reports go (default bench-results/slow-link-TIMESTAMP)
#   --dense-steps N    step budget per worker for the dense run (default 100)
#   --port PORT        control port of both nodes (default 27620); data ports are ephemeral (with --delay-ms:
#                      PORT+1, and the relays PORT+2)
#   --delay-ms D       one-way delay of the data plane across the link, in ms (default 0: none, no relays)
#   --rate RATE        tbf rate (default 20mbit); --loss PCT: UDP loss percent, whole number (default 1)
#   --mtu N, --receiver-window SIZE   the nodes' data plane (default 1408, 128KiB)
#   --topk-timeout SECONDS   give up on the top-k run after this long (default 1200)
#   --dense-reference FILE   report of the same dense job on loopback, whose "steps" the estimate uses, e.g. from
#                      bin/parasol train --workload W2 --workers 2 --shards 2 --sync ssp:3 --compress dense \
#                          --report FILE
#                      (default: none, and then no estimate is made; the measured s/step is still reported)
#
# It holds /tmp/parasol-mvn.lock for the whole run (re-executes itself under flock; set PSL_LOCK_HELD=1 when the
# caller already holds it, or the two would wait for each other), uses the built jars
# (PARASOL_SKIP_BUILD=1; bin/parasol builds only when never built), and on exit, also on failure or Ctrl-C,
# stops every process it started by pid and deletes its namespaces (which removes the veth pair, the qdiscs and
# the nft tables with them), by name.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PARASOL="$ROOT/bin/parasol"
LOCK=/tmp/parasol-mvn.lock

say() { echo "slow-link: $*"; }
fail() { echo "slow-link: $*" >&2; exit 1; }

[[ "$(id -u)" == 0 ]] || fail "must run as root (it creates network namespaces); e.g. sudo $0 $*"

if [[ "${PSL_LOCK_HELD:-0}" != 1 ]]; then
    say "waiting for $LOCK"
    exec env PSL_LOCK_HELD=1 flock "$LOCK" bash "$0" "$@"
fi

OUT=""
DENSE_STEPS=100
PORT=27620
RATE=20mbit
BURST=32kb
TBF_LATENCY=400ms
LOSS_PCT=1
DENSE_REF=
UP_TIMEOUT=180
STOP_GRACE=30
TOPK_TIMEOUT=1200
DENSE_TIMEOUT=900
MTU=1408
RECEIVER_WINDOW=128KiB
DELAY_MS=0
while (($# > 0)); do
    case "$1" in
        --out) OUT="$2"; shift 2 ;;
        --dense-steps) DENSE_STEPS="$2"; shift 2 ;;
        --port) PORT="$2"; shift 2 ;;
        --rate) RATE="$2"; shift 2 ;;
        --loss) LOSS_PCT="$2"; shift 2 ;;
        --dense-reference) DENSE_REF="$2"; shift 2 ;;
        --mtu) MTU="$2"; shift 2 ;;
        --receiver-window) RECEIVER_WINDOW="$2"; shift 2 ;;
        --topk-timeout) TOPK_TIMEOUT="$2"; shift 2 ;;
        --delay-ms) DELAY_MS="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        *) fail "unknown argument '$1' (see --help)" ;;
    esac
done
[[ "$DENSE_STEPS" =~ ^[1-9][0-9]*$ ]] || fail "--dense-steps '$DENSE_STEPS': expected a positive whole number"
[[ "$PORT" =~ ^[0-9]+$ ]] && ((PORT >= 1024 && PORT <= 65535)) || fail "--port '$PORT': expected 1024 to 65535"
[[ "$LOSS_PCT" =~ ^[0-9]+$ ]] && ((LOSS_PCT <= 100)) || fail "--loss '$LOSS_PCT': expected a whole percent 0..100"
[[ "$RATE" =~ ^[0-9]+[kmg]?bit$ ]] || fail "--rate '$RATE': expected e.g. 20mbit"
[[ "$DELAY_MS" =~ ^[0-9]+$ ]] || fail "--delay-ms '$DELAY_MS': expected whole milliseconds, 0 for none"
((DELAY_MS == 0 || PORT <= 65533)) || fail "--port '$PORT': with --delay-ms, PORT+1 and PORT+2 are used too"

missing=()
command -v ip >/dev/null || missing+=(iproute2)
command -v tc >/dev/null || { [[ " ${missing[*]-} " == *" iproute2 "* ]] || missing+=(iproute2); }
command -v nft >/dev/null || missing+=(nftables)
command -v jq >/dev/null || missing+=(jq)
if ((${#missing[@]} > 0)); then
    say "installing ${missing[*]}"
    apt-get install -y "${missing[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; }
fi

OUT="${OUT:-$ROOT/bench-results/slow-link-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

NS_A=psl-ps
NS_B=psl-wk
VETH_A=psl-ps0
VETH_B=psl-wk0
IP_A=10.213.0.1
IP_B=10.213.0.2
NFT_TABLE=psl_loss

PIDS=()
NAMES=()
CREATED=()   # the namespaces this run created: the only ones the clean-up deletes
ns_exists() { ip netns list | awk '{ print $1 }' | grep -qx -- "$1"; }
alive() { kill -0 "$1" 2>/dev/null; }

stop_pids() {
    local pid deadline status
    for pid in "$@"; do
        alive "$pid" && kill -TERM "$pid" 2>/dev/null || true
    done
    deadline=$((SECONDS + STOP_GRACE))
    for pid in "$@"; do
        while alive "$pid" && ((SECONDS < deadline)); do
            sleep 0.2
        done
        if alive "$pid"; then
            say "pid $pid still running ${STOP_GRACE}s after SIGTERM: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        status=0
        wait "$pid" 2>/dev/null || status=$?
        say "pid $pid stopped, exit status $status"
    done
}

cleanup() {
    local status=$? ns leftover
    trap - EXIT
    trap '' INT TERM
    if ((${#PIDS[@]} > 0)); then
        # Client and worker node first, the seed last, so each leave is seen by it.
        local rev=() names=()
        for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
            rev+=("${PIDS[$i]}")
            names+=("${NAMES[$i]}")
        done
        say "stopping ${names[*]} (pids ${rev[*]})"
        stop_pids "${rev[@]}"
    fi
    for ns in "${CREATED[@]}"; do
        if ns_exists "$ns"; then
            # Anything still inside our namespace was started by this script: kill it by pid.
            leftover="$(ip netns pids "$ns" 2>/dev/null || true)"
            if [[ -n "$leftover" ]]; then
                say "killing leftover pids in $ns: $leftover"
                # shellcheck disable=SC2086
                kill -KILL $leftover 2>/dev/null || true
                sleep 1
            fi
            ip netns exec "$ns" nft delete table inet "$NFT_TABLE" 2>/dev/null || true
            ip netns delete "$ns" 2>/dev/null || { say "could not delete namespace $ns" >&2; status=1; }
        fi
    done
    # The veth pair dies with its namespaces; remove it by name in case it was left in the root namespace.
    ((${#CREATED[@]} == 0)) || ! ip link show "$VETH_A" >/dev/null 2>&1 || ip link delete "$VETH_A" 2>/dev/null || true
    if ((${#CREATED[@]} > 0)) && { ns_exists "$NS_A" || ns_exists "$NS_B"; }; then
        say "namespaces still present after the clean-up" >&2
        status=1
    else
        say "namespaces $NS_A and $NS_B removed"
    fi
    say "output in $OUT"
    exit "$status"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

# Refuse to reuse names that exist: they are not ours to delete.
for ns in "$NS_A" "$NS_B"; do
    ! ns_exists "$ns" || fail "namespace $ns already exists; remove it first (it is not this run's to delete)"
done
! ip link show "$VETH_A" >/dev/null 2>&1 || fail "link $VETH_A already exists in the root namespace"

export PARASOL_SKIP_BUILD=1   # bin/parasol still builds when the project was never built
"$PARASOL" --version >/dev/null

say "building the link: $NS_A ($IP_A) <-> $NS_B ($IP_B), tbf rate $RATE burst $BURST latency $TBF_LATENCY" \
    "on both ends, ${LOSS_PCT}% UDP loss each way"
ip netns add "$NS_A"
CREATED+=("$NS_A")
ip netns add "$NS_B"
CREATED+=("$NS_B")
# Created directly inside the namespaces, so the private addresses never exist in the root namespace.
ip -n "$NS_A" link add "$VETH_A" type veth peer name "$VETH_B" netns "$NS_B"
ip -n "$NS_A" addr add "$IP_A/30" dev "$VETH_A"
ip -n "$NS_B" addr add "$IP_B/30" dev "$VETH_B"
for pair in "$NS_A:$VETH_A" "$NS_B:$VETH_B"; do
    ns="${pair%%:*}"
    dev="${pair#*:}"
    ip -n "$ns" link set lo up
    ip -n "$ns" link set "$dev" up
    ip netns exec "$ns" tc qdisc add dev "$dev" root tbf rate "$RATE" burst "$BURST" latency "$TBF_LATENCY"
    if ((LOSS_PCT > 0)); then
        ip netns exec "$ns" nft -f - <<EOF
table inet $NFT_TABLE {
    chain out {
        type filter hook input priority 0; policy accept;
        iifname "$dev" meta l4proto udp numgen random mod 100 < $LOSS_PCT counter drop
    }
}
EOF
    fi
done
if command -v ping >/dev/null; then
    ip netns exec "$NS_A" ping -c 2 -W 2 "$IP_B" >/dev/null || fail "$NS_A cannot reach $IP_B over the veth"
    say "link up; $NS_A reaches $IP_B"
fi
ip -n "$NS_A" route get "$IP_B" | grep -q "dev $VETH_A" || fail "$NS_A does not route $IP_B through $VETH_A"

NODE_OPTS="-Dparasol.data-plane.mtu=$MTU -Dparasol.data-plane.receiver-window=$RECEIVER_WINDOW"
start_node() {
    local name="$1" ns="$2"
    shift 2
    local log="$OUT/$name.log"
    (cd "$OUT" && PARASOL_JAVA_OPTS="${PARASOL_JAVA_OPTS:-} $NODE_OPTS" exec ip netns exec "$ns" "$PARASOL" node "$@") \
        >"$log" 2>&1 &
    PIDS+=("$!")
    NAMES+=("$name")
    say "started $name in $ns: parasol node $*; pid $!, log $log"
}

wait_up() {
    local name="$1" pid="$2" log="$OUT/$1.log" deadline=$((SECONDS + UP_TIMEOUT))
    until grep -q "is Up in the cluster" "$log" 2>/dev/null; do
        alive "$pid" || { tail -n 20 "$log" >&2; fail "$name exited before it was Up"; }
        ((SECONDS < deadline)) || { tail -n 20 "$log" >&2; fail "$name not Up within ${UP_TIMEOUT}s"; }
        sleep 0.5
    done
    say "$name is Up"
}

# start_relay NAME NS IP: the delay relay of the node at IP, in namespace NS: IP:PORT+2 -> IP:PORT+1.
start_relay() {
    local name="$1" ns="$2" ip="$3" log="$OUT/relay-$1.log" deadline=$((SECONDS + 30))
    (exec ip netns exec "$ns" bash "$ROOT/load-tests/chaos/relay.sh" --name "relay-$name" \
        --listen "$ip:$((PORT + 2))" --target "$ip:$((PORT + 1))" --delay-ms "$DELAY_MS" --no-delay-from "$ip" \
        --history "$OUT/relay-$name.jsonl") >"$log" 2>&1 &
    PIDS+=("$!")
    NAMES+=("relay-$name")
    until grep -q "^udp-delay-relay " "$log" 2>/dev/null; do
        alive "${PIDS[-1]}" || { cat "$log" >&2; fail "relay-$name exited at start"; }
        ((SECONDS < deadline)) || fail "relay-$name did not start in 30 s"
        sleep 0.1
    done
    say "started relay-$name in $ns: $ip:$((PORT + 2)) -> $ip:$((PORT + 1)), ${DELAY_MS} ms each way; pid ${PIDS[-1]}"
}

started=$SECONDS
DATA_A=(--data-bind "$IP_A:0")
DATA_B=(--data-bind "$IP_B:0")
if ((DELAY_MS > 0)); then
    # The relays first, so they are stopped last: nothing a node sends at its end is cut off.
    start_relay node-a "$NS_A" "$IP_A"
    start_relay node-b "$NS_B" "$IP_B"
    DATA_A=(--data-bind "$IP_A:$((PORT + 1))" --data-advertise "$IP_A:$((PORT + 2))")
    DATA_B=(--data-bind "$IP_B:$((PORT + 1))" --data-advertise "$IP_B:$((PORT + 2))")
fi
start_node node-a "$NS_A" --roles coordinator,ps --bind "$IP_A:$PORT" "${DATA_A[@]}" \
    --seeds "$IP_A:$PORT" --worker-slots 4
wait_up node-a "${PIDS[-1]}"
start_node node-b "$NS_B" --roles worker --bind "$IP_B:$PORT" "${DATA_B[@]}" --seeds "$IP_A:$PORT"
wait_up node-b "${PIDS[-1]}"
say "cluster of 2 nodes Up in $((SECONDS - started))s"

# submit NAME TIMEOUT [ARGS...]: W2, 2 workers, 2 shards, ssp:3 from a client in psl-ps; returns its exit status.
submit() {
    local name="$1" timeout="$2"
    shift 2
    local status=0 t0=$SECONDS
    say "run $name: parasol submit $*"
    (cd "$OUT" && exec ip netns exec "$NS_A" "$PARASOL" submit --contact "$IP_A:$PORT" --client-bind "$IP_A" \
        --workload W2 --workers 2 --shards 2 --sync ssp:3 --seed 1 --timeout "$timeout" \
        --checkpoint-dir "$OUT/checkpoint-$name" --follow --report "$OUT/$name-report.json" "$@") \
        >"$OUT/$name-client.log" 2>&1 &
    PIDS+=("$!")
    NAMES+=("client-$name")
    wait "$!" || status=$?
    unset 'PIDS[-1]' 'NAMES[-1]'
    say "run $name ended in $((SECONDS - t0))s, exit status $status; the end of its output:"
    tail -n 6 "$OUT/$name-client.log" | sed 's/^/    /'
    return "$status"
}

topk_status=0
submit topk "$TOPK_TIMEOUT" --compress topk:0.01 --error-feedback true || topk_status=$?
dense_status=0
submit dense "$DENSE_TIMEOUT" --compress dense --steps "$DENSE_STEPS" --eval-interval 0.05 || dense_status=$?

[[ -f "$OUT/topk-report.json" ]] || fail "no report from the top-k run (exit status $topk_status)"
[[ -f "$OUT/dense-report.json" ]] || fail "no report from the dense run (exit status $dense_status)"

REF_STEPS=null
REF_TTT=null
if [[ -n "$DENSE_REF" && -f "$DENSE_REF" ]]; then
    REF_STEPS="$(jq '.steps' "$DENSE_REF")"
    REF_TTT="$(jq '.time_to_target_s' "$DENSE_REF")"
fi

# Seconds per step of the dense run: wall / steps (includes the job's start), and the steady rate between the first
# and the last evaluation (worker steps there = epoch x steps/epochs; the dense run evaluates every 0.05 epoch so
# that there are several); the estimate uses the steady rate when there is one.
jq -n \
    --slurpfile topk "$OUT/topk-report.json" \
    --slurpfile dense "$OUT/dense-report.json" \
    --arg rate "$RATE" --arg burst "$BURST" --arg latency "$TBF_LATENCY" \
    --argjson loss "$LOSS_PCT" --argjson mtu "$MTU" --arg window "$RECEIVER_WINDOW" --argjson dense_steps_budget "$DENSE_STEPS" \
    --argjson delay_ms "$DELAY_MS" \
    --argjson ref_steps "$REF_STEPS" --argjson ref_ttt "$REF_TTT" --arg ref "$DENSE_REF" \
    --arg started "$(date -u -d "@$(($(date +%s) - SECONDS))" +%Y-%m-%dT%H:%M:%SZ)" --argjson wall_s "$SECONDS" '
    ($dense[0]) as $d | ($topk[0]) as $t
    | ($d.steps / $d.epochs) as $steps_per_epoch
    | ([$d.evaluations[]? | select(.epoch > 0)]) as $ev
    | (if ($ev | length) >= 2 and ($ev[-1].epoch > $ev[0].epoch)
       then ($ev[-1].elapsed_s - $ev[0].elapsed_s) / (($ev[-1].epoch - $ev[0].epoch) * $steps_per_epoch)
       else null end) as $steady
    | ($d.wall_s / $d.steps) as $overall
    | ($steady // $overall) as $sps
    | {
        started: $started,
        script_wall_s: $wall_s,
        settings: {
          link: "veth psl-ps0 <-> psl-wk0 between namespaces psl-ps and psl-wk, shaped on both ends",
          rate: $rate, burst: $burst, tbf_latency: $latency, udp_loss_percent_each_way: $loss,
          loss_rule: "nft input hook in each namespace: iifname VETH meta l4proto udp numgen random mod 100 < LOSS drop",
          data_plane: {mtu: $mtu, receiver_window: $window},
          data_plane_delay_ms_each_way: $delay_ms,
          delay_by: (if $delay_ms > 0 then "user-space UDP relays (load-tests/chaos/relay.sh), one per node" else null end),
          workload: "W2", workers: 2, shards: 2, sync: "ssp:3",
          dense_steps_per_worker_budget: $dense_steps_budget
        },
        topk: $t,
        dense: $d,
        dense_estimate: {
          note: "ESTIMATE from measured rates, not a measured time to target",
          measured_s_per_step_overall: $overall,
          measured_s_per_step_steady: $steady,
          s_per_step_used: $sps,
          measured_bytes_up_per_step: $d.bytes_up_per_step,
          measured_bytes_down_per_step: $d.bytes_down_per_step,
          loopback_reference: $ref,
          loopback_steps_to_target: $ref_steps,
          loopback_time_to_target_s: $ref_ttt,
          estimated_time_to_target_s: (if $ref_steps == null then null else $sps * $ref_steps end)
        },
        topk_over_dense_estimate: (if $ref_steps == null or $t.time_to_target_s == null then null
                                   else $t.time_to_target_s / ($sps * $ref_steps) end)
      }' >"$OUT/slow-link.json"

J="$OUT/slow-link.json"
kib() { jq -r "$1 // empty" "$J" | awk '{ printf "%.1f KiB", $1 / 1024 }'; }
num() { jq -r "$1 // \"-\"" "$J" | awk -v p="$2" '/^[0-9.eE+-]+$/ { printf "%." p "f", $1; next } { print }'; }
{
    echo "# Slow link: W2, 2 workers, 2 shards, ssp:3 over $RATE (tbf burst $BURST) with ${LOSS_PCT}% UDP loss each way" \
        "$( ((DELAY_MS == 0)) || echo "and a ${DELAY_MS} ms one-way data-plane delay")"
    echo
    echo "Started $(jq -r .started "$J"), script wall $(jq -r .script_wall_s "$J") s."
    echo
    echo "| compression | steps (all workers) | s/step | time to target | final accuracy | up/step | down/step | wall |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    ttt="$(num .topk.time_to_target_s 1)"
    [[ "$ttt" == null || "$ttt" == - ]] && ttt="not reached" || ttt="$ttt s (measured)"
    echo "| topk:0.01 +ef | $(num .topk.steps 0) | $(jq -r '.topk.wall_s / .topk.steps' "$J" | awk '{ printf "%.4f", $1 }') |" \
        "$ttt | $(num .topk.final_test_accuracy 4) | $(kib .topk.bytes_up_per_step) |" \
        "$(kib .topk.bytes_down_per_step) | $(num .topk.wall_s 1) s |"
    echo "| dense (budget $DENSE_STEPS steps/worker) | $(num .dense.steps 0) | $(num .dense_estimate.s_per_step_used 4) |" \
        "~$(num .dense_estimate.estimated_time_to_target_s 0) s (ESTIMATE) | $(num .dense.final_test_accuracy 4) |" \
        "$(kib .dense.bytes_up_per_step) | $(kib .dense.bytes_down_per_step) | $(num .dense.wall_s 1) s |"
    echo
    echo "- Dense estimate = measured dense s/step on this link ($(num .dense_estimate.s_per_step_used 4) s, steady rate" \
        "between evaluations; overall wall/steps $(num .dense_estimate.measured_s_per_step_overall 4) s) x" \
        "$(num .dense_estimate.loopback_steps_to_target 0) worker steps dense needed to reach 0.88 on loopback" \
        "($(jq -r .dense_estimate.loopback_reference "$J")). Not a measured time to target."
    echo "- top-k time / estimated dense time: $(num .topk_over_dense_estimate 3) (target: at most 0.1)."
    echo "- The control plane (Pekko Artery, TCP) shares the shaped link; the loss rule drops UDP only (Aeron)."
    echo "- Data plane of the nodes: mtu $MTU, receiver window $RECEIVER_WINDOW (see the script's header)."
    if ((DELAY_MS > 0)); then
        echo "- Data-plane delay: ${DELAY_MS} ms each way across the link (user-space UDP relays; the control plane is" \
            "not delayed); the relays' counters are in relay-node-a.log and relay-node-b.log."
    else
        echo "- No delay (--delay-ms 0)."
    fi
} >"$OUT/slow-link.md"
cat "$OUT/slow-link.md"
if ((topk_status != 0)); then
    say "the top-k run ended with exit status $topk_status"
fi
