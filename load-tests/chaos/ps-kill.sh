#!/usr/bin/env bash
# Chaos scenario ps-kill: kill -9 a parameter-server-only node at a seeded point of a W1 run.
#
#   cluster (127.0.0.1): node-1 coordinator,ps (seed) | node-2 ps | node-3 worker (both workers, the evaluator)
#   job: W1, 2 workers, 2 shards (one per ps node: least-loaded placement), ssp:3, lr 0.02, up to 80 epochs
#   each shard has a backup copy on the other ps node (parasol.shards.backup-copies, on by default in a cluster):
#   node-2 holds one shard and the other shard's copy
#   fault: kill -9 node-2 at 25-60% of the clean run's epochs to target (from the seed)
#   must hold (CHAOS.md): failover to another node (the lost shard continues on node-1 from its copy); no
#   acknowledged update lost (updates_rolled_back 0, sent = applied + dropped stale); workers never crash; the job
#   reaches its target.
#   CHAOS_BACKUP_COPIES=off runs the checkpoint-rollback mode instead: no copies, shards checkpoint every 2 s
#   (CHAOS_CHECKPOINT_INTERVAL) into the job's checkpoint directory, which all nodes share here, and the rollback
#   must be reported (updates_rolled_back) and bounded by one checkpoint interval.
#
# Usage: load-tests/chaos/ps-kill.sh [--out DIR] [--seed S] [--port BASE]   (see lib.sh; ports 27710-27715)
set -euo pipefail
SCENARIO=ps-kill
DEFAULT_PORT=27710
CHECKPOINT_INTERVAL="${CHAOS_CHECKPOINT_INTERVAL:-2}"
CHAOS_NODE_OPTS="${CHAOS_NODE_OPTS:-} -Dparasol.shards.checkpoint-interval=${CHECKPOINT_INTERVAL}s"
if [[ "${CHAOS_BACKUP_COPIES:-on}" == "off" ]]; then
    FAULT="kill -9 node-2 (ps-only node: one of the 2 shards), not restarted; no backup copies, shard checkpoints every ${CHECKPOINT_INTERVAL} s"
    CHAOS_NODE_OPTS="$CHAOS_NODE_OPTS -Dparasol.shards.backup-copies=off"
    CHECK_ARGS_PS_KILL=(--checkpoint-interval-s "$CHECKPOINT_INTERVAL")
else
    FAULT="kill -9 node-2 (ps-only node: one of the 2 shards and the other's backup copy), not restarted"
    CHECK_ARGS_PS_KILL=()
fi
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LAYOUT=("node-1 coordinator,ps -" "node-2 ps -" "node-3 worker -")
CHECK_ARGS=("${CHECK_ARGS_PS_KILL[@]}")

chaos_init "$@"
chaos_start_cluster
chaos_clean_run
chaos_start_run
if chaos_wait_injection_point; then
    inject_kill node-2
fi
chaos_wait_run
chaos_finish
