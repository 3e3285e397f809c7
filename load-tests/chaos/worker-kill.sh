#!/usr/bin/env bash
# Chaos scenario worker-kill: kill -9 the worker-only node at a seeded point of a W1 run, never restarted.
#
#   cluster (127.0.0.1): node-1 coordinator,ps (seed) | node-2 ps,worker | node-3 worker
#   job: W1, 2 workers (worker 0 on node-2, worker 1 on node-3), 2 shards, ssp:3, lr 0.02, up to 80 epochs
#   fault: kill -9 node-3 at 25-60% of the clean run's time to target (chosen from the seed)
#   must hold (CHAOS.md): training goes on, the slice is reassigned, the job reaches its target, no update lost.
#   Today a job whose part stops is FAILED ("... stopped unexpectedly"), so this scenario fails, with that reason.
#
# Usage: load-tests/chaos/worker-kill.sh [--out DIR] [--seed S] [--port BASE]   (see lib.sh; ports 27700-27705)
set -euo pipefail
SCENARIO=worker-kill
FAULT="kill -9 node-3 (worker 1's node), not restarted"
DEFAULT_PORT=27700
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

chaos_init "$@"
chaos_start_cluster
chaos_clean_run
chaos_start_run
if chaos_wait_injection_point; then
    inject_kill node-3
fi
chaos_wait_run
chaos_finish
