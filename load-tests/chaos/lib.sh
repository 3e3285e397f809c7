# shellcheck shell=bash
# The chaos harness's shared part, sourced by every scenario script (load-tests/chaos/NAME.sh). It starts a local
# Parasol cluster of three node processes (on 127.0.0.1, or in two network namespaces it creates), runs a clean job
# and then the same job (same seed) with a fault injected at a point chosen from the seed, writes the injector's
# history (JSON lines) beside the client's (`parasol submit --history`), stops every process it started by its pid,
# checks that nothing is left behind (processes, Aeron directories, nft tables, namespaces, all by name), and runs
# the checker (dev.parasol.chaos.ChaosCheck), which writes the scenario's verdict to OUT/row.json.
#
# A scenario script sets SCENARIO, FAULT and the checker's options, calls chaos_init "$@", chaos_start_cluster,
# chaos_clean_run, chaos_start_run, chaos_wait_injection_point, injects with the helpers below, chaos_wait_run and
# chaos_finish. If anything fails on the way, the EXIT trap still cleans up and runs the checker, so a scenario
# always ends with a row (or the summary says it has none), never with a fake pass.
#
# Options every scenario takes:
#   --out DIR      where logs, histories, reports and row.json go (default bench-results/chaos-TIMESTAMP/NAME)
#   --seed S       seed of the job and of the injection point (default 1, or CHAOS_SEED)
#   --port BASE    first of six TCP/UDP ports of the three nodes (default: the scenario's own, so that scenarios
#                  never share ports; node n: control BASE+2(n-1), data BASE+2(n-1)+1; with delay relays, node n's
#                  relay listens on BASE+6+(n-1))
# Environment: CHAOS_UP_TIMEOUT (s, default 120), CHAOS_STOP_GRACE (s, default 20), CHAOS_JOB_TIMEOUT (s, default
# 300), CHAOS_NODE_OPTS (extra JVM options of the nodes only), and bin/parasol's (JAVA_HOME, PARASOL_JAVA_OPTS).
#
# Delay relays (no netem in this kernel): a scenario that sets RELAY_DELAY_MS before chaos_start_cluster gets one
# dev.parasol.chaos.UdpDelayRelay per node, in the node's namespace, listening on relay_address n and forwarding to
# the node's data port; the node advertises the relay (--data-advertise), so every datagram to it and every reply
# from it waits RELAY_DELAY_MS. Datagrams from the relay's own namespace (the same host) are not delayed: the delay
# is the link's. The relays run from the cluster's start to the clean-up, and write OUT/relay-NAME.jsonl.
#
# The whole scenario holds /tmp/parasol-mvn.lock (it re-executes itself under flock, CHAOS_LOCK_HELD=1 marks the
# child), so no build or benchmark runs beside it. It runs the jars that are built (PARASOL_SKIP_BUILD=1); build
# first with: flock /tmp/parasol-mvn.lock ./mvnw -B -o -q install -DskipTests.

CHAOS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PARASOL="$CHAOS_ROOT/bin/parasol"
CHAOS_LOCK=/tmp/parasol-mvn.lock
CHAOS_NFT_PREFIX=parasol_chaos_

say() { echo "chaos[$SCENARIO]: $*"; }
fail() {
    echo "chaos[$SCENARIO]: $*" >&2
    CHAOS_HARNESS_ERROR="$*"
    exit 1
}

# ---------------------------------------------------------------------------------------------------------------
# Set-up

CHAOS_JOB_ARGS=()
CHECK_ARGS=()

chaos_init() {
    local arg
    for arg in "$@"; do
        if [[ "$arg" == -h || "$arg" == --help ]]; then
            sed -n '2,/^set -euo/p' "$0" | sed '$d'
            exit 0
        fi
    done
    if [[ "${CHAOS_LOCK_HELD:-0}" != 1 ]]; then
        echo "chaos[$SCENARIO]: waiting for $CHAOS_LOCK"
        exec env CHAOS_LOCK_HELD=1 flock "$CHAOS_LOCK" bash "$0" "$@"
    fi
    OUT=""
    SEED="${CHAOS_SEED:-1}"
    BASE_PORT="$DEFAULT_PORT"
    while (($# > 0)); do
        case "$1" in
            --out) OUT="$2"; shift 2 ;;
            --seed) SEED="$2"; shift 2 ;;
            --port) BASE_PORT="$2"; shift 2 ;;
            *) fail "unknown argument '$1' (see --help)" ;;
        esac
    done
    [[ "$SEED" =~ ^-?[0-9]+$ ]] || fail "--seed '$SEED': expected a whole number"
    [[ "$BASE_PORT" =~ ^[0-9]+$ ]] && ((BASE_PORT >= 1024 && BASE_PORT <= 65530)) ||
        fail "--port '$BASE_PORT': expected 1024 to 65530 (six consecutive ports are used)"
    UP_TIMEOUT="${CHAOS_UP_TIMEOUT:-120}"
    STOP_GRACE="${CHAOS_STOP_GRACE:-20}"
    JOB_TIMEOUT="${CHAOS_JOB_TIMEOUT:-300}"
    OUT="${OUT:-$CHAOS_ROOT/bench-results/chaos-$(date -u +%Y%m%d-%H%M%S)/$SCENARIO}"
    mkdir -p "$OUT"
    OUT="$(cd "$OUT" && pwd)"
    rm -f "$OUT"/*.jsonl "$OUT"/*-report.json "$OUT/row.json"
    # The nodes run in $OUT: their job journal (H2, parasol-state/journal, shared by the coordinators through
    # AUTO_SERVER) and shard checkpoints (parasol-jobs) start empty, so no job of an earlier run is resumed.
    rm -rf "$OUT/parasol-state" "$OUT/parasol-jobs"
    INJ="$OUT/injector.jsonl"

    NAMES=()       # every process this run started, by index: its name
    PIDS=()        # its pid
    LOGS=()        # its log
    NODE_NS=()     # the namespace it runs in, empty for the root namespace
    NODE_COUNT=0   # the first NODE_COUNT entries are the nodes, in start order (the seed first)
    CREATED_NS=()  # namespaces this run created: the only ones it deletes
    CREATED_NFT=() # nft tables (inet family, root namespace) this run created
    REMOVED_AERON_DIRS=()
    CHAOS_FINISHED=0
    CHAOS_CLEANED=0
    CHAOS_HARNESS_ERROR=""
    PAUSED_PIDS=()
    RELAY_PIDS=()  # the delay relays (also in PIDS, after the nodes)
    trap chaos_on_exit EXIT
    trap 'say "interrupted"; CHAOS_HARNESS_ERROR="interrupted"; exit 130' INT
    trap 'say "terminated"; CHAOS_HARNESS_ERROR="terminated"; exit 143' TERM

    local missing=()
    command -v jq >/dev/null || missing+=(jq)
    command -v ss >/dev/null || missing+=(iproute2)
    if [[ "${CHAOS_NEEDS_NFT:-0}" == 1 ]]; then
        command -v nft >/dev/null || missing+=(nftables)
    fi
    if ((${#missing[@]} > 0)); then
        [[ "$(id -u)" == 0 ]] || fail "missing ${missing[*]}; install them (apt-get install -y ${missing[*]})"
        say "installing ${missing[*]}"
        apt-get install -y "${missing[@]}" >/dev/null 2>&1 ||
            { apt-get update >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; }
    fi
    if [[ "${CHAOS_NEEDS_ROOT:-0}" == 1 && "$(id -u)" != 0 ]]; then
        fail "must run as root (it creates nft tables or network namespaces); e.g. sudo $0"
    fi

    export PARASOL_SKIP_BUILD=1
    JAVA="java"
    [[ -z "${JAVA_HOME:-}" ]] || JAVA="$JAVA_HOME/bin/java"
    [[ -f "$CHAOS_ROOT/cluster-seeds/target/lib/.parasol-build-stamp" ]] ||
        fail "the project is not built; run: cd $CHAOS_ROOT && flock $CHAOS_LOCK ./mvnw -B -o -q install -DskipTests" \
            "&& touch cluster-seeds/target/lib/.parasol-build-stamp (this script already holds the lock: run it first)"
    CHAOS_JAR="$(ls "$CHAOS_ROOT"/load-tests/target/parasol-load-tests-*.jar 2>/dev/null | head -n 1)"
    [[ -n "$CHAOS_JAR" && -d "$CHAOS_ROOT/load-tests/target/lib" ]] ||
        fail "load-tests is not built (no load-tests/target/parasol-load-tests-*.jar and lib/)"

    JOB_ARGS=(--workload W1 --lr 0.02 --epochs 80 --workers 2 --shards 2 --sync ssp:3 --seed "$SEED")
    if ((${#CHAOS_JOB_ARGS[@]} > 0)); then
        JOB_ARGS=("${CHAOS_JOB_ARGS[@]}" --seed "$SEED")
    fi
    say "output $OUT, seed $SEED, ports $BASE_PORT-$((BASE_PORT + 5))"
    # Which build ran: the jars change whenever someone builds, so each run names them by digest.
    local jars
    jars="$(cd "$CHAOS_ROOT/cluster-seeds/target" && sha256sum parasol-cluster-seeds-*.jar lib/parasol-*.jar |
        awk '{ printf "%s%s:%s", (NR > 1 ? " " : ""), $2, substr($1, 1, 12) }')"
    event harness_started --arg scenario "$SCENARIO" --argjson seed "$SEED" --argjson base_port "$BASE_PORT" \
        --arg job "${JOB_ARGS[*]}" --arg jars "$jars"
}

# event NAME [jq --arg/--argjson pairs...]: append one line to the injector's history.
event() {
    local name="$1"
    shift
    jq -nc --arg event "$name" --arg source injector --argjson wall_ms "$(date +%s%3N)" "$@" '$ARGS.named' >>"$INJ"
}

# chaos_java CLASS [ARGS...]: runs a class of the chaos package.
chaos_java() {
    local class="$1"
    shift
    "$JAVA" --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp "$CHAOS_JAR:$CHAOS_ROOT/load-tests/target/lib/*" \
        "dev.parasol.chaos.$class" "$@"
}

alive() { kill -0 "$1" 2>/dev/null; }
ns_exists() { ip netns list 2>/dev/null | awk '{ print $1 }' | grep -qx -- "$1"; }
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------------------------------------------------------
# The cluster

# LAYOUT: one "NAME ROLES NAMESPACE-OR-DASH" per node, the first being the seed. Scenarios may set it before
# chaos_start_cluster. NODE_HOST_A / NODE_HOST_B: the node addresses in namespaces A and B (netns mode).
LAYOUT=("node-1 coordinator,ps -" "node-2 ps,worker -" "node-3 worker -")
NETNS_MODE=0
RELAY_DELAY_MS=""
NS_A=pchaos-a
NS_B=pchaos-b
VETH_A=pchaos-a0
VETH_B=pchaos-b0
IP_A=10.214.0.1
IP_B=10.214.0.2

# chaos_netns_setup: two namespaces joined by a veth pair, created directly inside them (the private addresses never
# exist in the root namespace, so nothing routes out). Nodes whose LAYOUT namespace is A or B run there.
chaos_netns_setup() {
    NETNS_MODE=1
    for ns in "$NS_A" "$NS_B"; do
        ! ns_exists "$ns" || fail "namespace $ns already exists; remove it first (it is not this run's to delete)"
    done
    ! ip link show "$VETH_A" >/dev/null 2>&1 || fail "link $VETH_A exists in the root namespace; not ours to delete"
    ip netns add "$NS_A"
    CREATED_NS+=("$NS_A")
    ip netns add "$NS_B"
    CREATED_NS+=("$NS_B")
    ip -n "$NS_A" link add "$VETH_A" type veth peer name "$VETH_B" netns "$NS_B"
    ip -n "$NS_A" addr add "$IP_A/30" dev "$VETH_A"
    ip -n "$NS_B" addr add "$IP_B/30" dev "$VETH_B"
    ip -n "$NS_A" link set lo up
    ip -n "$NS_B" link set lo up
    ip -n "$NS_A" link set "$VETH_A" up
    ip -n "$NS_B" link set "$VETH_B" up
    ip -n "$NS_A" route get "$IP_B" | grep -q "dev $VETH_A" || fail "$NS_A does not route $IP_B through $VETH_A"
    event netns_created --arg a "$NS_A" --arg b "$NS_B" --arg link "$VETH_A<->$VETH_B"
    say "namespaces $NS_A ($IP_A) and $NS_B ($IP_B) joined by $VETH_A <-> $VETH_B"
}

host_of_ns() {
    case "$1" in
        A) echo "$IP_A" ;;
        B) echo "$IP_B" ;;
        *) echo 127.0.0.1 ;;
    esac
}

ns_name() {
    case "$1" in
        A) echo "$NS_A" ;;
        B) echo "$NS_B" ;;
        *) echo "" ;;
    esac
}

# Addresses of node n (1-based): control and data.
node_control() { echo "${NODE_HOSTS[$(($1 - 1))]}:$((BASE_PORT + 2 * ($1 - 1)))"; }
node_data() { echo "${NODE_HOSTS[$(($1 - 1))]}:$((BASE_PORT + 2 * ($1 - 1) + 1))"; }
relay_address() { echo "${NODE_HOSTS[$(($1 - 1))]}:$((BASE_PORT + 6 + $1 - 1))"; }

# in_ns NS CMD...: runs CMD in namespace NS (or here when NS is empty), replacing this process.
in_ns() {
    local ns="$1"
    shift
    if [[ -n "$ns" ]]; then
        exec ip netns exec "$ns" "$@"
    fi
    exec "$@"
}

chaos_start_cluster() {
    local n=0 entry name roles where ns host extra=() started=$SECONDS
    NODE_HOSTS=()
    for entry in "${LAYOUT[@]}"; do
        read -r name roles where <<<"$entry"
        NODE_HOSTS+=("$(host_of_ns "$where")")
    done
    SEED_ADDRESS="$(node_control 1)"
    if [[ -n "$RELAY_DELAY_MS" ]]; then
        [[ "$RELAY_DELAY_MS" =~ ^[0-9]+$ ]] || fail "relay delay '$RELAY_DELAY_MS': expected whole milliseconds"
        ((BASE_PORT + 6 + ${#LAYOUT[@]} - 1 <= 65535)) || fail "--port $BASE_PORT: no room for the relays' ports"
    fi
    local node_opts="-Dparasol.data-plane.mtu=65504"
    node_opts="$node_opts ${CHAOS_NODE_OPTS:-}"
    if ((NETNS_MODE == 1)); then
        # A veth carries 1500-byte frames; an MTU above it makes IP fragment each datagram (see slow-link/run.sh).
        node_opts="-Dparasol.data-plane.mtu=1408 -Dparasol.data-plane.receiver-window=128KiB ${CHAOS_NODE_OPTS:-}"
    fi
    for entry in "${LAYOUT[@]}"; do
        read -r name roles where <<<"$entry"
        n=$((n + 1))
        ns="$(ns_name "$where")"
        extra=()
        [[ ",$roles," != *",coordinator,"* ]] || extra=(--worker-slots 4)
        [[ -z "$RELAY_DELAY_MS" ]] || extra+=(--data-advertise "$(relay_address "$n")")
        local log="$OUT/$name.log"
        (cd "$OUT" && export PARASOL_JAVA_OPTS="${PARASOL_JAVA_OPTS:-} $node_opts" && in_ns "$ns" "$PARASOL" node \
            --roles "$roles" --bind "$(node_control "$n")" --data-bind "$(node_data "$n")" --seeds "$SEED_ADDRESS" \
            "${extra[@]}") >"$log" 2>&1 &
        NAMES+=("$name")
        PIDS+=("$!")
        LOGS+=("$log")
        NODE_NS+=("$ns")
        NODE_COUNT=$n
        event node_started --arg name "$name" --arg roles "$roles" --argjson pid "$!" \
            --arg bind "$(node_control "$n")" --arg data_bind "$(node_data "$n")" --arg namespace "$ns" \
            --arg data_advertise "${RELAY_DELAY_MS:+$(relay_address "$n")}"
        local advertised=""
        [[ -z "$RELAY_DELAY_MS" ]] || advertised=" advertised as the relay $(relay_address "$n")"
        say "started $name ($roles) on $(node_control "$n"), data $(node_data "$n")$advertised${ns:+ in $ns}, pid $!"
        # The seed first: it founds the cluster; the others join it.
        ((n > 1)) || wait_up 0
    done
    for ((i = 1; i < NODE_COUNT; i++)); do
        wait_up "$i"
    done
    event cluster_up --argjson seconds "$((SECONDS - started))"
    say "cluster of $NODE_COUNT nodes Up in $((SECONDS - started))s"
    # No data-plane traffic flows before the first job, so the relays may start after the nodes (which keeps the
    # nodes first in PIDS, as the clean-up expects).
    [[ -z "$RELAY_DELAY_MS" ]] || chaos_start_relays
}

# chaos_start_relays: one delay relay per node, in its namespace, from relay_address n to node_data n; waits until
# each has bound its port. In namespace mode, datagrams from the node's own host (its namespace's address) are
# relayed at once; on loopback every node shares 127.0.0.1, so everything is delayed.
chaos_start_relays() {
    local n entry name roles where ns log deadline local_host pid
    for ((n = 1; n <= NODE_COUNT; n++)); do
        entry="${LAYOUT[$((n - 1))]}"
        read -r name roles where <<<"$entry"
        ns="$(ns_name "$where")"
        log="$OUT/relay-$name.log"
        local_host=""
        ((NETNS_MODE == 0)) || local_host="${NODE_HOSTS[$((n - 1))]}"
        (in_ns "$ns" bash "$CHAOS_ROOT/load-tests/chaos/relay.sh" \
            --name "relay-$name" --listen "$(relay_address "$n")" --target "$(node_data "$n")" \
            --delay-ms "$RELAY_DELAY_MS" ${local_host:+--no-delay-from "$local_host"} \
            --history "$OUT/relay-$name.jsonl") >"$log" 2>&1 &
        pid=$!
        NAMES+=("relay-$name")
        PIDS+=("$pid")
        LOGS+=("$log")
        NODE_NS+=("$ns")
        RELAY_PIDS+=("$pid")
        event relay_started --arg name "relay-$name" --argjson pid "$pid" --arg listen "$(relay_address "$n")" \
            --arg target "$(node_data "$n")" --argjson delay_ms "$RELAY_DELAY_MS" --arg namespace "$ns" \
            --arg no_delay_from "$local_host"
        deadline=$((SECONDS + 30))
        until grep -q "^udp-delay-relay " "$log" 2>/dev/null; do
            alive "$pid" || { cat "$log" >&2; fail "relay-$name exited at start (log $log)"; }
            ((SECONDS < deadline)) || fail "relay-$name did not start in 30 s (log $log)"
            sleep 0.1
        done
        say "relay-$name: $(relay_address "$n") -> $(node_data "$n"), ${RELAY_DELAY_MS} ms each way${ns:+ in $ns}" \
            "${local_host:+(none from $local_host, the same host)}, pid $pid"
    done
}

# chaos_relays_alive: fails the run (with the reason in the history) when a relay died: its node is unreachable.
chaos_relays_alive() {
    local pid
    for pid in "${RELAY_PIDS[@]}"; do
        alive "$pid" || fail "delay relay pid $pid died during the run (see OUT/relay-*.log)"
    done
}

wait_up() {
    local i="$1" deadline=$((SECONDS + UP_TIMEOUT))
    until grep -q "is Up in the cluster" "${LOGS[$i]}" 2>/dev/null; do
        if ! alive "${PIDS[$i]}"; then
            tail -n 20 "${LOGS[$i]}" >&2
            fail "${NAMES[$i]} exited before it was Up (log ${LOGS[$i]})"
        fi
        ((SECONDS < deadline)) || { tail -n 20 "${LOGS[$i]}" >&2; fail "${NAMES[$i]} not Up in ${UP_TIMEOUT}s"; }
        sleep 0.2
    done
}

# index_of NAME: the index of a started process by name.
index_of() {
    local i
    for i in "${!NAMES[@]}"; do
        [[ "${NAMES[$i]}" != "$1" ]] || { echo "$i"; return 0; }
    done
    fail "no process named $1"
}

# ---------------------------------------------------------------------------------------------------------------
# Jobs

# chaos_submit RUN [ARGS...]: submits the job from a client process in the background; its history is
# OUT/RUN-client.jsonl, its report OUT/RUN-report.json, its output OUT/RUN-client.log. Sets CLIENT_PID.
chaos_submit() {
    local run="$1"
    shift
    local ns="${NODE_NS[0]}" bind_args=()
    [[ -z "$ns" ]] || bind_args=(--client-bind "${NODE_HOSTS[0]}")
    (cd "$OUT" && in_ns "$ns" "$PARASOL" submit --contact "$SEED_ADDRESS" "${bind_args[@]}" --follow \
        --history "$OUT/$run-client.jsonl" --report "$OUT/$run-report.json" --timeout "$JOB_TIMEOUT" \
        --checkpoint-dir "$OUT/checkpoint-$run" "${JOB_ARGS[@]}" "$@") >"$OUT/$run-client.log" 2>&1 &
    CLIENT_PID=$!
    GOOD_SUBMISSIONS=$((${GOOD_SUBMISSIONS:-0} + 1))
    NAMES+=("client-$run")
    PIDS+=("$CLIENT_PID")
    LOGS+=("$OUT/$run-client.log")
    NODE_NS+=("$ns")
    event job_submitted --arg run "$run" --argjson pid "$CLIENT_PID" --arg args "${JOB_ARGS[*]} $*"
    say "run '$run': client pid $CLIENT_PID: parasol submit ${JOB_ARGS[*]} $*"
}

# chaos_wait_client [TIMEOUT]: waits for CLIENT_PID; sets CLIENT_STATUS. A client still running after the timeout
# (the job's --timeout plus a margin) is stopped by pid.
chaos_wait_client() {
    local timeout="${1:-$((JOB_TIMEOUT + 60))}" deadline
    deadline=$((SECONDS + timeout))
    while alive "$CLIENT_PID" && ((SECONDS < deadline)); do
        sleep 0.5
    done
    if alive "$CLIENT_PID"; then
        say "client $CLIENT_PID still running after ${timeout}s: stopping it"
        event client_timeout --argjson pid "$CLIENT_PID" --argjson seconds "$timeout"
        kill -TERM "$CLIENT_PID" 2>/dev/null || true
        sleep 5
        alive "$CLIENT_PID" && kill -KILL "$CLIENT_PID" 2>/dev/null || true
    fi
    CLIENT_STATUS=0
    wait "$CLIENT_PID" 2>/dev/null || CLIENT_STATUS=$?
    event client_exit --argjson pid "$CLIENT_PID" --argjson status "$CLIENT_STATUS"
    say "client $CLIENT_PID ended with exit status $CLIENT_STATUS; the end of its output:"
    grep -v -E "^WARNING: Using incubator|WARN|^\[" "$(client_log "$CLIENT_PID")" | tail -n 4 | sed 's/^/    /' || true
}

client_log() {
    local i
    for i in "${!PIDS[@]}"; do
        [[ "${PIDS[$i]}" != "$1" ]] || { echo "${LOGS[$i]}"; return 0; }
    done
}

# chaos_warmup: a short unreported job first, so that the clean run does not pay for the nodes' JIT warm-up and the
# overhead compares like with like.
chaos_warmup() {
    local saved=("${JOB_ARGS[@]}") i
    for ((i = 0; i < ${#JOB_ARGS[@]}; i++)); do
        [[ "${JOB_ARGS[$i]}" != --epochs ]] || JOB_ARGS[$((i + 1))]=3
    done
    chaos_submit warmup --target 0.99
    JOB_ARGS=("${saved[@]}")
    chaos_wait_client
}

# chaos_clean_run: the same job without a fault, on the same cluster, before the faulted one: the reference for the
# overhead, and for the injection point: the fault goes in when the faulted job has trained PLANNED_EPOCH epochs, a
# fraction (from the seed) of the epochs the clean run needed, so that it lands mid-run however fast the machine is.
chaos_clean_run() {
    chaos_warmup
    chaos_submit clean "$@"
    chaos_wait_client
    CLEAN_TTT="$(jq -r '.time_to_target_s // empty' "$OUT/clean-report.json" 2>/dev/null || true)"
    CLEAN_EPOCHS="$(jq -r '.epochs // empty' "$OUT/clean-report.json" 2>/dev/null || true)"
    [[ -n "$CLEAN_EPOCHS" ]] || fail "the clean run wrote no report (exit status $CLIENT_STATUS); see $OUT/clean-client.log"
    [[ -n "$CLEAN_TTT" ]] ||
        event clean_run_incomplete --arg reason "the clean run did not reach its target in $CLEAN_EPOCHS epochs"
    local plan
    plan="$(chaos_java ChaosPlan --seed "$SEED" --scenario "$SCENARIO" --reference "$CLEAN_EPOCHS")" ||
        fail "ChaosPlan failed for a reference of $CLEAN_EPOCHS epochs"
    read -r PLANNED_EPOCH PLANNED_FRACTION <<<"$plan"
    event plan --argjson clean_time_to_target_s "${CLEAN_TTT:-null}" --argjson clean_epochs "$CLEAN_EPOCHS" \
        --argjson planned_epoch "$PLANNED_EPOCH" --argjson fraction "$PLANNED_FRACTION"
    say "clean run: time to target ${CLEAN_TTT:-none}s in $CLEAN_EPOCHS epochs; the fault goes in at epoch" \
        "$PLANNED_EPOCH (fraction $PLANNED_FRACTION, from seed $SEED)"
}

chaos_start_run() {
    RUN_CLIENT_PID=""
    chaos_submit run "$@"
    RUN_CLIENT_PID="$CLIENT_PID"
}

chaos_wait_run() {
    CLIENT_PID="$RUN_CLIENT_PID"
    chaos_wait_client
    RUN_STATUS="$CLIENT_STATUS"
}

# chaos_wait_injection_point: waits until the faulted job's progress (the client's history, one line a second)
# reaches PLANNED_EPOCH; sets JOB_START_MS (wall time minus the job's own elapsed time) and INJECT_EPOCH. Returns 1,
# after recording why, when the job ended first.
chaos_wait_injection_point() {
    local history="$OUT/run-client.jsonl" last deadline=$((SECONDS + JOB_TIMEOUT))
    JOB_START_MS=""
    while true; do
        last="$(jq -r 'select(.event == "progress") | "\(.wall_ms - (.elapsed_s * 1000) | floor) \(.epoch)"' \
            "$history" 2>/dev/null | tail -n 1 || true)"
        if [[ -n "$last" ]]; then
            [[ -n "$JOB_START_MS" ]] || JOB_START_MS="${last%% *}"
            INJECT_EPOCH="${last##* }"
            if awk -v e="$INJECT_EPOCH" -v p="$PLANNED_EPOCH" 'BEGIN { exit !(e >= p) }'; then
                return 0
            fi
        fi
        if ! alive "$RUN_CLIENT_PID"; then
            event fault_not_injected --arg reason "the job ended before the injection point (epoch $PLANNED_EPOCH)"
            return 1
        fi
        if ((SECONDS >= deadline)); then
            event fault_not_injected --arg reason "the job did not reach epoch $PLANNED_EPOCH in ${JOB_TIMEOUT}s"
            return 1
        fi
        sleep 0.1
    done
}

# fault_fields: the jq arguments every fault_injected line carries.
fault_fields() {
    echo --argjson planned_epoch "$PLANNED_EPOCH" --argjson epoch "$INJECT_EPOCH" --argjson job_elapsed_s \
        "$(job_elapsed_s)"
}

job_elapsed_s() {
    awk -v now="$(now_ms)" -v start="${JOB_START_MS:-0}" 'BEGIN { printf "%.3f", (now - start) / 1000 }'
}

# chaos_job_list NODE-NUMBER: asks the job manager, through node n, which jobs it knows, and records a 'job_list'
# line (the ids listed, the good submissions of this run, the exit status): a refused job must not be there, an
# accepted one must.
chaos_job_list() {
    local n="$1" log="$OUT/job-list.log" status=0 listed
    (cd "$OUT" && in_ns "${NODE_NS[$((n - 1))]}" "$PARASOL" list --contact "$(node_control "$n")") >"$log" 2>&1 ||
        status=$?
    listed="$(awk '$1 ~ /^job-/ { print $1 }' "$log" | jq -R . | jq -sc .)"
    event job_list --argjson listed "$listed" --argjson good_submissions "${GOOD_SUBMISSIONS:-0}" \
        --argjson exit_status "$status" --arg contact "$(node_control "$n")" \
        --arg error "$(grep -E '^parasol: ' "$log" | head -n 1 || true)"
    say "the job manager (through node-$n) lists $listed (exit status $status)"
}

# ---------------------------------------------------------------------------------------------------------------
# Faults

# inject_kill NAME: kill -9 a node.
inject_kill() {
    local i pid
    i="$(index_of "$1")"
    pid="${PIDS[$i]}"
    kill -KILL "$pid"
    event fault_injected --arg fault "kill -9" --arg target "$1" --argjson pid "$pid" \
        $(fault_fields)
    say "kill -9 $1 (pid $pid) at job time $(job_elapsed_s)s"
}

# inject_pause NAME SECONDS: SIGSTOP a node, then SIGCONT after SECONDS.
inject_pause() {
    local i pid
    i="$(index_of "$1")"
    pid="${PIDS[$i]}"
    kill -STOP "$pid"
    PAUSED_PIDS+=("$pid")
    event fault_injected --arg fault "SIGSTOP" --arg target "$1" --argjson pid "$pid" \
        $(fault_fields)
    say "SIGSTOP $1 (pid $pid) at job time $(job_elapsed_s)s for ${2}s"
    sleep "$2"
    kill -CONT "$pid"
    PAUSED_PIDS=()
    event fault_healed --arg fault "SIGCONT" --arg target "$1" --argjson pid "$pid" \
        --argjson job_elapsed_s "$(job_elapsed_s)"
    say "SIGCONT $1 (pid $pid) at job time $(job_elapsed_s)s"
}

# udp_ports_of PID...: every UDP port the processes have bound (Aeron's receivers and senders), comma-separated.
udp_ports_of() {
    local pid pattern=""
    for pid in "$@"; do
        pattern="${pattern:+$pattern|}pid=$pid,"
    done
    ss -Huanp 2>/dev/null | grep -E "$pattern" | awk '{ n = split($4, a, ":"); print a[n] }' | sort -un |
        paste -sd, -
}

# nft_create NAME RULES...: creates table inet NAME in the root namespace with an input-hook chain holding RULES
# (one per argument). Drops on input, at the receiver: a drop on output makes the sender's sendto() fail, which is
# not loss. Refuses a table that exists: it is not this run's.
nft_create() {
    local table="$1" rules=""
    shift
    ! nft list table inet "$table" >/dev/null 2>&1 || fail "nft table inet $table exists; not this run's to delete"
    for rule in "$@"; do
        rules="$rules        $rule"$'\n'
    done
    nft -f - <<EOF
table inet $table {
    chain input {
        type filter hook input priority 0; policy accept;
$rules    }
}
EOF
    CREATED_NFT+=("$table")
}

# nft_dropped TABLE: packets counted by the table's rules so far.
nft_dropped() {
    nft list table inet "$1" 2>/dev/null | grep -o 'counter packets [0-9]*' | awk '{ s += $3 } END { print s + 0 }'
}

nft_delete() {
    nft delete table inet "$1" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------------------------
# The end

# stop_pids INDEX...: SIGCONT (a paused process cannot handle SIGTERM), SIGTERM, SIGKILL after the grace period;
# reaps each and records how it ended.
stop_indexes() {
    local i pid status deadline when
    declare -A was_dead=()
    for i in "$@"; do
        pid="${PIDS[$i]}"
        if alive "$pid"; then
            kill -CONT "$pid" 2>/dev/null || true
            kill -TERM "$pid" 2>/dev/null || true
        else
            was_dead[$i]=1
        fi
    done
    deadline=$((SECONDS + STOP_GRACE))
    for i in "$@"; do
        pid="${PIDS[$i]}"
        while alive "$pid" && ((SECONDS < deadline)); do
            sleep 0.2
        done
        when="stopped by the harness (SIGTERM)"
        if alive "$pid"; then
            say "${NAMES[$i]} (pid $pid) still running ${STOP_GRACE}s after SIGTERM: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            when="SIGKILL after ${STOP_GRACE}s of SIGTERM"
        fi
        [[ -z "${was_dead[$i]:-}" ]] || when="had already exited (or was killed by the fault)"
        status=0
        wait "$pid" 2>/dev/null || status=$?
        if ((i < NODE_COUNT)); then
            event node_exit --arg name "${NAMES[$i]}" --argjson pid "$pid" --argjson status "$status" --arg when "$when"
        fi
        say "${NAMES[$i]} (pid $pid): exit status $status, $when"
    done
}

# chaos_cleanup: stops everything by pid (clients first, then the nodes, the seed last), removes the Aeron
# directories of processes that could not remove their own (kill -9), the nft tables and namespaces this run
# created, then checks that none of it is left and records a 'cleanup' line.
chaos_cleanup() {
    ((CHAOS_CLEANED == 0)) || return 0
    CHAOS_CLEANED=1
    local i pid leftover_pids=() leftover_dirs=() leftover_nft=() leftover_ns=() dir table ns
    for pid in "${PAUSED_PIDS[@]}"; do
        kill -CONT "$pid" 2>/dev/null || true
    done
    if ((${#PIDS[@]} > 0)); then
        local clients=() nodes=()
        for ((i = ${#PIDS[@]} - 1; i >= NODE_COUNT; i--)); do
            clients+=("$i")
        done
        for ((i = NODE_COUNT - 1; i >= 1; i--)); do
            nodes+=("$i")
        done
        ((${#clients[@]} == 0)) || stop_indexes "${clients[@]}"
        ((${#nodes[@]} == 0)) || stop_indexes "${nodes[@]}"
        ((NODE_COUNT == 0)) || stop_indexes 0
    fi
    for table in "${CREATED_NFT[@]}"; do
        nft_delete "$table"
        ! nft list table inet "$table" >/dev/null 2>&1 || leftover_nft+=("inet $table")
    done
    for ns in "${CREATED_NS[@]}"; do
        if ns_exists "$ns"; then
            local inside
            inside="$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ' || true)"
            if [[ -n "${inside// /}" ]]; then
                # Everything in our namespace was started by this run: end it by pid.
                say "killing leftover pids in $ns: $inside"
                # shellcheck disable=SC2086
                kill -KILL $inside 2>/dev/null || true
                sleep 1
            fi
            ip netns delete "$ns" 2>/dev/null || true
        fi
        ! ns_exists "$ns" || leftover_ns+=("$ns")
    done
    ((${#CREATED_NS[@]} == 0)) || ! ip link show "$VETH_A" >/dev/null 2>&1 || ip link delete "$VETH_A" 2>/dev/null || true
    # Processes: ours by pid, and any process that names this run's ports (a child we did not see start).
    for pid in "${PIDS[@]}"; do
        ! alive "$pid" || leftover_pids+=("$pid")
    done
    local ports_re="(${NODE_HOSTS[0]:-127.0.0.1}|127\\.0\\.0\\.1|$IP_A|$IP_B):($BASE_PORT|$((BASE_PORT + 2))|$((BASE_PORT + 4))"
    ports_re="$ports_re|$((BASE_PORT + 6))|$((BASE_PORT + 7))|$((BASE_PORT + 8)))([^0-9]|\$)"
    while read -r pid; do
        [[ -z "$pid" || "$pid" == "$$" || " ${leftover_pids[*]} " == *" $pid "* ]] || leftover_pids+=("$pid")
    done < <(ps -eo pid=,args= | grep -E -- "--(bind|seeds|contact|listen) $ports_re" | grep -v -E "grep|ps -eo" |
        awk '{ print $1 }')
    # Aeron directories of this run's processes: a node removes its own unless it was killed with SIGKILL.
    for pid in "${PIDS[@]}"; do
        for dir in /dev/shm/parasol-"$pid"-*; do
            [[ -e "$dir" ]] || continue
            if ! alive "$pid"; then
                rm -rf -- "$dir" && REMOVED_AERON_DIRS+=("$dir")
            fi
            [[ ! -e "$dir" ]] || leftover_dirs+=("$dir")
        done
    done
    event cleanup \
        --argjson leftover_pids "$(printf '%s\n' "${leftover_pids[@]}" | jq -R . | jq -sc 'map(select(. != ""))')" \
        --argjson leftover_aeron_dirs "$(printf '%s\n' "${leftover_dirs[@]}" | jq -R . | jq -sc 'map(select(. != ""))')" \
        --argjson leftover_nft_tables "$(printf '%s\n' "${leftover_nft[@]}" | jq -R . | jq -sc 'map(select(. != ""))')" \
        --argjson leftover_namespaces "$(printf '%s\n' "${leftover_ns[@]}" | jq -R . | jq -sc 'map(select(. != ""))')" \
        --argjson removed_aeron_dirs "$(printf '%s\n' "${REMOVED_AERON_DIRS[@]}" | jq -R . | jq -sc 'map(select(. != ""))')"
    if ((${#leftover_pids[@]} + ${#leftover_dirs[@]} + ${#leftover_nft[@]} + ${#leftover_ns[@]} > 0)); then
        say "LEFT BEHIND: pids [${leftover_pids[*]}] aeron dirs [${leftover_dirs[*]}] nft [${leftover_nft[*]}]" \
            "namespaces [${leftover_ns[*]}]"
        # Our own pids only, by pid.
        for pid in "${leftover_pids[@]}"; do
            [[ " ${PIDS[*]} " != *" $pid "* ]] || kill -KILL "$pid" 2>/dev/null || true
        done
    else
        say "nothing left behind: pids ${PIDS[*]:-none} gone; nft tables, namespaces and Aeron directories removed"
    fi
}

# chaos_check [CHECKER OPTIONS...]: runs the checker on every history of the run; prints the verdict.
chaos_check() {
    local histories=()
    for h in "$OUT"/*.jsonl; do
        # The warm-up's and the clean run's histories are not the faulted run's.
        [[ "$(basename "$h")" == clean-client.jsonl || "$(basename "$h")" == warmup-client.jsonl ]] ||
            histories+=("$h")
    done
    CHECK_STATUS=0
    chaos_java ChaosCheck --scenario "$SCENARIO" --fault "$FAULT" --seed "$SEED" --history "${histories[@]}" \
        --report "$OUT/run-report.json" --clean-report "$OUT/clean-report.json" --out "$OUT/row.json" \
        "${CHECK_ARGS[@]}" || CHECK_STATUS=$?
    jq -r '"chaos[" + .scenario + "]: " + (if .passed then "PASSED" else "FAILED" end) +
        "; target reached " + (.target_reached|tostring) + ", overhead " + ((.overhead // "-")|tostring) +
        ", lost updates " + ((.lost_updates // "-")|tostring) + ", double applied " +
        ((.double_applied // "-")|tostring) + ", rejected forged " + ((.rejected_forged // "-")|tostring)' \
        "$OUT/row.json" 2>/dev/null || true
}

chaos_finish() {
    chaos_cleanup
    CHAOS_FINISHED=1
    chaos_check
    exit "$CHECK_STATUS"
}

chaos_on_exit() {
    local status=$?
    trap - EXIT
    trap '' INT TERM
    if ((CHAOS_FINISHED == 0)); then
        [[ -z "$CHAOS_HARNESS_ERROR" ]] || event harness_error --arg reason "$CHAOS_HARNESS_ERROR" || true
        chaos_cleanup || true
        CHAOS_FINISHED=1
        if [[ -n "${INJ:-}" && -f "$INJ" ]]; then
            chaos_check || true
        fi
        ((status != 0)) || status=1
    fi
    exit "$status"
}
