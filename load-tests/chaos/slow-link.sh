#!/usr/bin/env bash
# Chaos scenario slow-link: two test hosts (network namespaces) whose link delays the data plane by 50 ms each way for
# the whole scenario, and is rate-limited to 20 Mbit/s for 20 s from a seeded point of a W1 run. Must run as root.
#
#   namespaces pchaos-a (10.214.0.1: node-1 coordinator,ps, the seed; node-2 ps,worker; the client) and pchaos-b
#   (10.214.0.2: node-3 worker), joined by the veth pair pchaos-a0 <-> pchaos-b0, created and removed by name
#   (as load-tests/slow-link/run.sh does; nodes use mtu 1408 and a 128 KiB receiver window for the veth)
#   delay: this kernel has no netem, so each node's data plane is reached through a user-space UDP relay
#   (dev.parasol.chaos.UdpDelayRelay) in the node's own namespace: node n binds data port BASE+2(n-1)+1, its relay
#   listens on BASE+6+(n-1) and forwards to it, and the node advertises the relay (parasol node --data-advertise).
#   Every datagram that crosses the link waits CHAOS_DELAY_MS (default 50) in the receiving side's relay, and every
#   reply to it (Aeron status messages, NAKs) waits the same on its way back: 50 ms one way, 100 ms a round trip.
#   Datagrams between the two nodes of pchaos-a pass their relay undelayed (same host, no link). Pekko's control
#   plane (TCP) and the client are not delayed; the delay is the data plane's.
#   what is compared: the delay is on from the nodes' start to the end (the nodes advertise the relays from the
#   start, so it cannot be switched on mid-run): the warm-up, the clean run and the faulted run all cross the same
#   delayed link. The fault is the rate limit alone, so the overhead (time to target over the clean run's, same
#   seed) is the cost of 20 s at 20 Mbit/s on a 50 ms link, not of the delay; the delay's own cost is the clean
#   run's time to target (row: clean_time_to_target_s) against a run without relays (CHAOS_DELAY_MS=0 runs the
#   scenario as before: no relays, nodes advertise their data-bind).
#   job: W1, 2 workers (worker 1 on node-3, across the link), 2 shards, ssp:3, up to 80 epochs, target 0.84. With
#   the delay, lr 0.4 and batch 256: a worker across the link makes about one step per round trip (~10 steps/s at
#   100 ms), so the usual chaos job (lr 0.02, batch 64: ~9,500 steps a worker) would need ~16 minutes; this one
#   reaches the target in about 1,300 steps a worker (11 epochs on loopback). Without the delay: lr 0.02, batch 64,
#   as the other scenarios.
#   fault: tbf rate 20mbit burst 32kb latency 400ms on both veth ends, for 20 s (or until the job ends)
#   must hold (CHAOS.md): back pressure instead of unbounded queues, no false failure detection; no update lost;
#   the job reaches its target; the relays dropped nothing (their counts are in relay-node-N.jsonl and the row).
#
# Usage: load-tests/chaos/slow-link.sh [--out DIR] [--seed S] [--port BASE]   (see lib.sh; ports 27750-27758)
# Environment: CHAOS_DELAY_MS (one-way delay of the link, default 50; 0: no relays), CHAOS_RATE (default 20mbit),
# CHAOS_SHAPE_SECONDS (default 20).
set -euo pipefail
SCENARIO=slow-link
RATE="${CHAOS_RATE:-20mbit}"
SHAPE_SECONDS="${CHAOS_SHAPE_SECONDS:-20}"
DELAY_MS="${CHAOS_DELAY_MS:-50}"
[[ "$DELAY_MS" =~ ^[0-9]+$ ]] || { echo "chaos[$SCENARIO]: CHAOS_DELAY_MS '$DELAY_MS': expected whole ms" >&2; exit 2; }
if ((DELAY_MS > 0)); then
    FAULT="$RATE tbf on the link between namespaces for ${SHAPE_SECONDS} s, on a link delaying the data plane"
    FAULT="$FAULT ${DELAY_MS} ms each way (relays; the clean run too)"
else
    FAULT="$RATE tbf on the link between namespaces for ${SHAPE_SECONDS} s; no delay (CHAOS_DELAY_MS=0)"
fi
DEFAULT_PORT=27750
CHAOS_NEEDS_ROOT=1
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LAYOUT=("node-1 coordinator,ps A" "node-2 ps,worker A" "node-3 worker B")
if ((DELAY_MS > 0)); then
    RELAY_DELAY_MS="$DELAY_MS"
    CHAOS_JOB_ARGS=(--workload W1 --lr 0.4 --batch 256 --epochs 80 --workers 2 --shards 2 --sync ssp:3)
fi

chaos_init "$@"
chaos_netns_setup
chaos_start_cluster
chaos_clean_run
chaos_start_run
if chaos_wait_injection_point; then
    for pair in "$NS_A:$VETH_A" "$NS_B:$VETH_B"; do
        ip netns exec "${pair%%:*}" tc qdisc add dev "${pair#*:}" root tbf rate "$RATE" burst 32kb latency 400ms
    done
    event fault_injected --arg fault "tbf rate $RATE" --arg link "$VETH_A<->$VETH_B" \
        --argjson link_delay_ms "$DELAY_MS" --arg delay_by "${RELAY_DELAY_MS:+udp delay relays, whole scenario}" \
        $(fault_fields)
    say "link shaped to $RATE at job time $(job_elapsed_s)s for ${SHAPE_SECONDS}s (data-plane delay ${DELAY_MS} ms" \
        "each way, on since the nodes started)"
    deadline=$((SECONDS + SHAPE_SECONDS))
    while ((SECONDS < deadline)) && alive "$RUN_CLIENT_PID"; do
        sleep 0.5
    done
    dropped=0
    for pair in "$NS_A:$VETH_A" "$NS_B:$VETH_B"; do
        d="$(ip netns exec "${pair%%:*}" tc -s qdisc show dev "${pair#*:}" | awk '/dropped/ { gsub(",", "", $7); print $7; exit }')"
        dropped=$((dropped + ${d:-0}))
        ip netns exec "${pair%%:*}" tc qdisc del dev "${pair#*:}" root 2>/dev/null || true
    done
    event fault_healed --arg fault "tbf removed" --argjson tbf_dropped_packets "$dropped" \
        --argjson job_elapsed_s "$(job_elapsed_s)"
    say "shaping removed at job time $(job_elapsed_s)s; tbf dropped $dropped packets"
fi
chaos_wait_run
chaos_relays_alive
chaos_finish
