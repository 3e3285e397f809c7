#!/usr/bin/env bash
# Chaos scenario worker-pause: SIGSTOP the worker-only node for 5 s, then SIGCONT, at a seeded point of a W1 run.
#
#   cluster (127.0.0.1): node-1 coordinator,ps (seed) | node-2 ps,worker | node-3 worker
#   job: W1, 2 workers (worker 1 on node-3), 2 shards, ssp:3, lr 0.02, up to 80 epochs
#   fault: kill -STOP node-3, 5 s, kill -CONT, at 25-60% of the clean run's time to target (from the seed)
#   must hold (CHAOS.md): a short pause changes no membership (5 s is within the failure detector's acceptable
#   pause); late gradients are handled by the staleness rule; the job reaches its target; no update lost.
#
# Usage: load-tests/chaos/worker-pause.sh [--out DIR] [--seed S] [--port BASE]   (see lib.sh; ports 27730-27735)
set -euo pipefail
SCENARIO=worker-pause
PAUSE_SECONDS="${CHAOS_PAUSE_SECONDS:-5}"
FAULT="SIGSTOP node-3 (worker 1's node) for ${PAUSE_SECONDS} s, then SIGCONT"
DEFAULT_PORT=27730
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

chaos_init "$@"
chaos_start_cluster
chaos_clean_run
chaos_start_run
if chaos_wait_injection_point; then
    inject_pause node-3 "$PAUSE_SECONDS"
fi
chaos_wait_run
chaos_finish
