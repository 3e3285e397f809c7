#!/usr/bin/env bash
# Chaos scenario forged-datagrams: a flood of forged UDP datagrams and forged Parasol messages at every node's data
# port, from a seeded point of a W1 run.
#
#   cluster (127.0.0.1): node-1 coordinator,ps (seed) | node-2 ps,worker | node-3 worker
#   job: W1, 2 workers, 2 shards, ssp:3, lr 0.02, up to 80 epochs
#   fault: dev.parasol.chaos.ForgedDatagramSender, 5 s at 100/s per port: raw random datagrams (half shaped like
#          Aeron data frames) and, through Aeron publications of its own to the job's stream ids (1001 and up,
#          one per part of a node), well-formed messages with a random job id and a valid checksum, the same with a bad
#          checksum, a bad magic, random bytes. It reads the nodes' Aeron counters before and after.
#   must hold (CHAOS.md): every forged message rejected and counted, none applied (applied + dropped stale never
#   exceeds sent); the job reaches its target.
#
# Usage: load-tests/chaos/forged-datagrams.sh [--out DIR] [--seed S] [--port BASE]   (lib.sh; ports 27770-27775)
set -euo pipefail
SCENARIO=forged-datagrams
FORGE_SECONDS="${CHAOS_FORGE_SECONDS:-5}"
FAULT="forged datagrams at every data port for ${FORGE_SECONDS} s: raw UDP, and Aeron-framed Parasol messages"
FAULT="$FAULT"" (foreign job id, bad checksum, bad magic, random bytes)"
DEFAULT_PORT=27770
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CHECK_ARGS=(--mode FORGED)

chaos_init "$@"
chaos_start_cluster
chaos_clean_run
chaos_start_run
# The forger's JVM starts now and waits for its go file, so that its start-up does not delay the injection point.
targets=()
for ((n = 1; n <= NODE_COUNT; n++)); do
    targets+=("$(node_data "$n")")
done
rm -f "$OUT/forger.go"
# Each part of a node subscribes on its own stream id, counted up from 1001 per node (NodeHost), so after the warm-up
# and clean jobs the faulted job's streams lie further up: try the first few dozen; only the live ones connect.
chaos_java ForgedDatagramSender --target "${targets[@]}" --seconds "$FORGE_SECONDS" --rate 100 --seed "$SEED" \
    --streams "$(seq -s, 1001 1040)" \
    --node-pid "${PIDS[@]:0:$NODE_COUNT}" --history "$OUT/forger.jsonl" --go-file "$OUT/forger.go" \
    >"$OUT/forger.log" 2>&1 &
forger=$!
NAMES+=(forger)
PIDS+=("$forger")
LOGS+=("$OUT/forger.log")
NODE_NS+=("")
if chaos_wait_injection_point; then
    touch "$OUT/forger.go"
    event fault_injected --arg fault "forged datagrams" --arg targets "${targets[*]}" --argjson pid "$forger" \
        $(fault_fields)
    say "forger pid $forger triggered at job time $(job_elapsed_s)s against ${targets[*]}"
    forger_status=0
    wait "$forger" || forger_status=$?
    event fault_healed --arg fault "forger ended" --argjson status "$forger_status" \
        --argjson job_elapsed_s "$(job_elapsed_s)"
    say "forger ended (exit status $forger_status) at job time $(job_elapsed_s)s: $(tail -n 1 "$OUT/forger.log")"
fi
chaos_wait_run
chaos_finish
