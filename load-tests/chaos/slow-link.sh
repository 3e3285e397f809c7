#!/usr/bin/env bash
# Chaos scenario slow-link: the link between two test hosts (network namespaces) rate-limited to 20 Mbit/s for 20 s
# from a seeded point of a W1 run. Must run as root. The 50 ms delay of the issue is NOT injected: this kernel has
# no netem, and a user-space UDP relay would need the nodes to advertise the relay's address as their data
# endpoint, which Parasol cannot do; the scenario says so in its row ("NOT injected: ...").
#
#   namespaces pchaos-a (10.214.0.1: node-1 coordinator,ps, the seed; node-2 ps,worker; the client) and pchaos-b
#   (10.214.0.2: node-3 worker), joined by the veth pair pchaos-a0 <-> pchaos-b0, created and removed by name
#   (as load-tests/slow-link/run.sh does; nodes use mtu 1408 and a 128 KiB receiver window for the veth)
#   job: W1, 2 workers (worker 1 on node-3, across the link), 2 shards, ssp:3, lr 0.02, up to 80 epochs
#   fault: tbf rate 20mbit burst 32kb latency 400ms on both veth ends, for 20 s (or until the job ends)
#   must hold (CHAOS.md): back pressure instead of unbounded queues, no false failure detection; no update lost;
#   the job reaches its target.
#
# Usage: load-tests/chaos/slow-link.sh [--out DIR] [--seed S] [--port BASE]   (see lib.sh; ports 27750-27755)
set -euo pipefail
SCENARIO=slow-link
RATE="${CHAOS_RATE:-20mbit}"
SHAPE_SECONDS="${CHAOS_SHAPE_SECONDS:-20}"
FAULT="$RATE tbf on the link between namespaces for ${SHAPE_SECONDS} s"
DEFAULT_PORT=27750
CHAOS_NEEDS_ROOT=1
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LAYOUT=("node-1 coordinator,ps A" "node-2 ps,worker A" "node-3 worker B")

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
        $(fault_fields)
    event fault_not_injected --arg reason "50 ms delay not injected: no relay" \
        --arg detail "no netem in this kernel; a user-space relay needs the nodes to advertise its address as their data endpoint"
    say "link shaped to $RATE at job time $(job_elapsed_s)s for ${SHAPE_SECONDS}s (50 ms delay not injected: no relay)"
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
chaos_finish
