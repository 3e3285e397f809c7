#!/usr/bin/env bash
# Chaos scenario worker-long-pause: SIGSTOP the worker-only node for 40 s, longer than the failure detector and the
# Split Brain Resolver allow, then SIGCONT, at a seeded point of a W1 run.
#
#   cluster (127.0.0.1): node-1 coordinator,ps (seed) | node-2 ps,worker | node-3 worker
#   job: W1, 2 workers (worker 1 on node-3), 2 shards, ssp:3, lr 0.02, up to 80 epochs
#   fault: kill -STOP node-3 for 40 s (CHAOS_PAUSE_SECONDS), kill -CONT, at 25-60% of the clean run's time to target
#   must hold (CHAOS.md): the paused node is treated as dead (unreachable, then downed after stable-after, 20 s), and
#   worker 1 is replaced on node-2 in the same slot under a new incarnation, so the job goes on and reaches its
#   target; when node-3 resumes, whatever its old worker still sends is refused by incarnation (nothing applied
#   twice, no shard corrupted: the counters reconcile), its Aeron client finds itself timed out and closes (the
#   parts see CLOSED; nothing touches the unmapped counters: this crashed the JVM with SIGSEGV before), and the node,
#   quarantined and downed, shuts itself down (unless the job has ended and the harness stops it first).
#
# Usage: load-tests/chaos/worker-long-pause.sh [--out DIR] [--seed S] [--port BASE]   (lib.sh; ports 27790-27795)
set -euo pipefail
SCENARIO=worker-long-pause
PAUSE_SECONDS="${CHAOS_PAUSE_SECONDS:-40}"
FAULT="SIGSTOP node-3 (worker 1's node) for ${PAUSE_SECONDS} s, past the failure detector and downing, then SIGCONT"
DEFAULT_PORT=27790
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
