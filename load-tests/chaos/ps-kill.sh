#!/usr/bin/env bash
# Chaos scenario ps-kill: kill -9 a parameter-server-only node at a seeded point of a W1 run.
#
#   cluster (127.0.0.1): node-1 coordinator,ps (seed) | node-2 ps | node-3 worker (both workers, the evaluator)
#   job: W1, 2 workers, 2 shards (one per ps node: least-loaded placement), ssp:3, lr 0.02, up to 80 epochs
#   fault: kill -9 node-2, which holds one shard, at 25-60% of the clean run's epochs to target (from the seed)
#   shards checkpoint every 2 s (-Dparasol.shards.checkpoint-interval=2s, CHAOS_CHECKPOINT_INTERVAL) into the
#   job's checkpoint directory, which all nodes share here (one file system), so a lost shard can restart on node-1
#   must hold (CHAOS.md): failover to another node; no acknowledged update lost, or in checkpoint-rollback mode the
#   rollback reported (updates_rolled_back) and bounded by one checkpoint interval; workers never crash; the job
#   reaches its target.
#
# Usage: load-tests/chaos/ps-kill.sh [--out DIR] [--seed S] [--port BASE]   (see lib.sh; ports 27710-27715)
set -euo pipefail
SCENARIO=ps-kill
FAULT="kill -9 node-2 (ps-only node: one of the 2 shards), not restarted; shard checkpoints every ${CHAOS_CHECKPOINT_INTERVAL:-2} s"
DEFAULT_PORT=27710
CHECKPOINT_INTERVAL="${CHAOS_CHECKPOINT_INTERVAL:-2}"
CHAOS_NODE_OPTS="${CHAOS_NODE_OPTS:-} -Dparasol.shards.checkpoint-interval=${CHECKPOINT_INTERVAL}s"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LAYOUT=("node-1 coordinator,ps -" "node-2 ps -" "node-3 worker -")
CHECK_ARGS=(--checkpoint-interval-s "$CHECKPOINT_INTERVAL")

chaos_init "$@"
chaos_start_cluster
chaos_clean_run
chaos_start_run
if chaos_wait_injection_point; then
    inject_kill node-2
fi
chaos_wait_run
chaos_finish
