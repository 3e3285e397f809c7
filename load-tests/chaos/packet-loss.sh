#!/usr/bin/env bash
# Chaos scenario packet-loss: 5% of the data plane's UDP datagrams dropped, from a seeded point of a W1 run to its
# end. Must run as root (nft).
#
#   cluster (127.0.0.1): node-1 coordinator,ps (seed) | node-2 ps,worker | node-3 worker
#   job: W1, 2 workers, 2 shards, ssp:3, lr 0.02, up to 80 epochs
#   fault: nft table inet parasol_chaos_loss (root namespace, removed afterwards by name), input hook on lo:
#          `udp dport { the UDP ports bound by the three nodes } numgen random mod 100 < 5 drop`: Aeron's data,
#          status messages and NAKs of this cluster only (found with ss by the nodes' pids; no other traffic
#          of the machine is touched); Pekko's TCP is not. Injected at 25-60% of the clean time to target.
#   must hold (CHAOS.md): converges (Aeron retransmits); no update lost; overhead reported (the matrix bounds it
#   at +10% for 1% loss; none is set for 5%). The job gets 180 s (CHAOS_JOB_TIMEOUT) to reach its target.
#
# Usage: load-tests/chaos/packet-loss.sh [--out DIR] [--seed S] [--port BASE]   (see lib.sh; ports 27740-27745)
set -euo pipefail
SCENARIO=packet-loss
LOSS_PERCENT="${CHAOS_LOSS_PERCENT:-5}"
FAULT="${LOSS_PERCENT}% UDP loss on the nodes' data-plane ports (nft, loopback), until the job ends"
DEFAULT_PORT=27740
CHAOS_NEEDS_ROOT=1
CHAOS_NEEDS_NFT=1
# The job may crawl under loss; bound the scenario (a job not at its target by then fails it, with its throughput).
CHAOS_JOB_TIMEOUT="${CHAOS_JOB_TIMEOUT:-180}"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TABLE="${CHAOS_NFT_PREFIX}loss"

chaos_init "$@"
chaos_start_cluster
chaos_clean_run
chaos_start_run
if chaos_wait_injection_point; then
    ports="$(udp_ports_of "${PIDS[@]:0:$NODE_COUNT}")"
    [[ -n "$ports" ]] || fail "found no UDP port of the nodes (pids ${PIDS[*]:0:$NODE_COUNT})"
    nft_create "$TABLE" "iifname \"lo\" udp dport { $ports } numgen random mod 100 < $LOSS_PERCENT counter drop"
    event fault_injected --arg fault "${LOSS_PERCENT}% UDP loss" --arg nft_table "inet $TABLE" --arg ports "$ports" \
        $(fault_fields)
    say "${LOSS_PERCENT}% loss on UDP ports $ports from job time $(job_elapsed_s)s"
    chaos_wait_run
    dropped="$(nft_dropped "$TABLE")"
    nft_delete "$TABLE"
    event fault_healed --arg fault "loss removed at the job's end" --argjson dropped_datagrams "$dropped"
    say "loss removed; the rule dropped $dropped datagrams"
else
    chaos_wait_run
fi
chaos_finish
