#!/usr/bin/env bash
# Chaos scenario coordinator-kill: kill -9 the node hosting the job manager singleton (and the job's runner and
# scheduler) at a seeded point of a W1 run; a second coordinator stands by.
#
#   cluster (127.0.0.1): node-1 coordinator (seed, oldest: hosts the singleton) | node-2 coordinator,ps,worker |
#                        node-3 ps,worker
#   job: W1, 2 workers, 2 shards (on node-2 and node-3), ssp:3, lr 0.02, up to 80 epochs
#   fault: kill -9 node-1 at 25-60% of the clean run's time to target (from the seed)
#   must hold (CHAOS.md): the singleton restarts on node-2; the job table and the job's resume point (clocks) are
#   recovered from the job journal, which node-1 and node-2 share (H2 in $OUT/parasol-state, AUTO_SERVER); no
#   accepted job lost; the job is resumed (its parts reclaimed, its shards restarted from their final state) and
#   reaches its target; the counters of both runs reconcile; at the end the job manager (through node-2) still
#   knows every job.
#
# Usage: load-tests/chaos/coordinator-kill.sh [--out DIR] [--seed S] [--port BASE]   (lib.sh; ports 27720-27725)
set -euo pipefail
SCENARIO=coordinator-kill
FAULT="kill -9 node-1 (coordinator hosting the job manager, the runner and the scheduler), not restarted"
DEFAULT_PORT=27720
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LAYOUT=("node-1 coordinator -" "node-2 coordinator,ps,worker -" "node-3 ps,worker -")

chaos_init "$@"
chaos_start_cluster
chaos_clean_run
chaos_start_run
if chaos_wait_injection_point; then
    inject_kill node-1
fi
chaos_wait_run
# CHAOS.md property 5: every accepted job is running or finished at the end. Ask the manager that survives.
chaos_job_list 2
chaos_finish
