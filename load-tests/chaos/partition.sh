#!/usr/bin/env bash
# Chaos scenario partition: cut the worker-only node's data plane from everything (so from the shards) for 15 s,
# then heal, at a seeded point of a W1 run. Must run as root (nft).
#
#   cluster (127.0.0.1): node-1 coordinator,ps (seed) | node-2 ps,worker | node-3 worker
#   job: W1, 2 workers (worker 1 on node-3), 2 shards, ssp:3, lr 0.02, up to 80 epochs
#   fault: nft table inet parasol_chaos_partition (root namespace, removed by name), input hook on lo: drop UDP
#          whose source or destination port is one bound by node-3 (its data port and its Aeron senders' ports,
#          found with ss by its pid): both directions, data plane only; Pekko (TCP) still sees node-3.
#          Injected at 25-60% of the clean time to target, healed 15 s later.
#   must hold (CHAOS.md): detect, pause, resume after the heal; no corruption; no update lost; target reached.
#
# Usage: load-tests/chaos/partition.sh [--out DIR] [--seed S] [--port BASE]   (see lib.sh; ports 27760-27765)
set -euo pipefail
SCENARIO=partition
PARTITION_SECONDS="${CHAOS_PARTITION_SECONDS:-15}"
FAULT="node-3 (worker 1) data plane cut both ways for ${PARTITION_SECONDS} s (nft, loopback), then healed"
DEFAULT_PORT=27760
CHAOS_NEEDS_ROOT=1
CHAOS_NEEDS_NFT=1
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TABLE="${CHAOS_NFT_PREFIX}partition"

chaos_init "$@"
chaos_start_cluster
chaos_clean_run
chaos_start_run
if chaos_wait_injection_point; then
    target_pid="${PIDS[$(index_of node-3)]}"
    ports="$(udp_ports_of "$target_pid")"
    [[ -n "$ports" ]] || fail "found no UDP port of node-3 (pid $target_pid)"
    nft_create "$TABLE" "iifname \"lo\" udp dport { $ports } counter drop" \
        "iifname \"lo\" udp sport { $ports } counter drop"
    event fault_injected --arg fault "partition" --arg target node-3 --argjson pid "$target_pid" \
        --arg nft_table "inet $TABLE" --arg ports "$ports" $(fault_fields)
    say "node-3's UDP ports $ports cut at job time $(job_elapsed_s)s for ${PARTITION_SECONDS}s"
    sleep "$PARTITION_SECONDS"
    dropped="$(nft_dropped "$TABLE")"
    nft_delete "$TABLE"
    event fault_healed --arg fault "partition healed" --argjson dropped_datagrams "$dropped" \
        --argjson job_elapsed_s "$(job_elapsed_s)"
    say "healed at job time $(job_elapsed_s)s; the rules dropped $dropped datagrams"
fi
chaos_wait_run
chaos_finish
