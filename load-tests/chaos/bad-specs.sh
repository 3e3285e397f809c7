#!/usr/bin/env bash
# Chaos scenario bad-specs: a burst of malformed job specs (flags and job files) submitted through `parasol submit`
# while a good W1 job runs, from a seeded point of its run.
#
#   cluster (127.0.0.1): node-1 coordinator,ps (seed) | node-2 ps,worker | node-3 worker
#   good job: W1, 2 workers, 2 shards, ssp:3, lr 0.01 (slower than the other scenarios' 0.02, so that the burst
#   of client JVMs lands while it runs), up to 80 epochs
#   fault: one `parasol submit` per bad case, one after another (CASES below: each with the field its error must
#          name; a syntax error must name the file and line), each with its own --history; then `parasol list`.
#   must hold (CHAOS.md): typed rejection naming the field (exit status 2, no stack trace), nothing persisted (the
#   job manager lists only the good submissions), the good job reaches its target.
#
# Usage: load-tests/chaos/bad-specs.sh [--out DIR] [--seed S] [--port BASE]   (see lib.sh; ports 27780-27785)
set -euo pipefail
SCENARIO=bad-specs
FAULT="a burst of malformed job specs (flags and HOCON files) through parasol submit"
DEFAULT_PORT=27780
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CHAOS_JOB_ARGS=(--workload W1 --lr 0.01 --epochs 80 --workers 2 --shards 2 --sync ssp:3)
CHECK_ARGS=(--mode BAD_SPECS)

chaos_init "$@"

# "NAME|FIELD THE ERROR MUST NAME|ARGS" (ARGS split on spaces; @FILE names a job file written below).
CASES=(
    "workers=0|workers|--workers 0"
    "shards=0|shards|--shards 0"
    "sync=ssp:-1|sync|--sync ssp:-1"
    "compress=topk:2|compress|--compress topk:2"
    "lr=-1|lr|--lr -1"
    "batch=0|batch-size|--batch 0"
    "workload=W9|workload|--workload W9"
    "target=1.5|target|--target 1.5"
    "partition=dirichlet:0|partition|--partition dirichlet:0"
    "eval-interval=0|eval-interval|--eval-interval 0"
    "epochs-and-steps|steps|--epochs 5 --steps 10"
    "workers=abc (not a number)|--workers|--workers abc"
    "workers=64 (more than the worker slots)|workers|--workers 64"
    "file: unknown key|workrs|@unknown-key.conf"
    "file: wrong type|workers|@wrong-type.conf"
    "file: syntax error|bad-syntax.conf: 4|@bad-syntax.conf"
)
mkdir -p "$OUT/specs"
printf 'job {\n  workload = W1\n  workrs = 2\n}\n' >"$OUT/specs/unknown-key.conf"
printf 'job {\n  workload = W1\n  workers = 2.5\n}\n' >"$OUT/specs/wrong-type.conf"
printf 'job {\n  workload = W1\n  workers = \n}\n' >"$OUT/specs/bad-syntax.conf"

# submit_bad NUMBER CASE: one malformed submission; records a bad_spec line (its exit status, its history file and
# the first lines of its error output that are not the JVM's or the logger's).
submit_bad() {
    local number="$1" entry="$2" name field args=() status=0 word
    IFS='|' read -r name field rest <<<"$entry"
    for word in $rest; do
        [[ "$word" != @* ]] && args+=("$word") || args+=("$OUT/specs/${word#@}")
    done
    local history="bad-$number.jsonl" log="$OUT/bad-$number.log"
    (cd "$OUT" && exec "$PARASOL" submit --contact "$SEED_ADDRESS" --history "$OUT/$history" \
        --checkpoint-dir "$OUT/checkpoint-bad-$number" "${args[@]}") >"$log" 2>&1 &
    local pid=$!
    NAMES+=("bad-$number")
    PIDS+=("$pid")
    LOGS+=("$log")
    NODE_NS+=("")
    wait "$pid" || status=$?
    local stderr
    stderr="$(grep -v -E '^WARNING: Using incubator|^[0-9:.]+ (WARN|INFO|DEBUG) |^SLF4J' "$log" | head -n 4 || true)"
    event bad_spec --arg case "$name" --arg expect_field "$field" --argjson exit_status "$status" \
        --arg history "$history" --arg stderr "$stderr" --arg args "${args[*]}"
    say "bad spec $number '$name': exit status $status: $(head -n 1 <<<"$stderr")"
}

chaos_start_cluster
chaos_clean_run
chaos_start_run
if chaos_wait_injection_point; then
    event fault_injected --arg fault "bad-spec burst" --argjson cases "${#CASES[@]}" \
        $(fault_fields)
    say "burst of ${#CASES[@]} bad specs at job time $(job_elapsed_s)s"
    for i in "${!CASES[@]}"; do
        submit_bad "$(printf '%02d' "$((i + 1))")" "${CASES[$i]}"
    done
    event fault_healed --arg fault "burst ended" --argjson job_elapsed_s "$(job_elapsed_s)"
fi
chaos_wait_run
# Nothing refused may be persisted: the manager must list exactly the good submissions (warm-up, clean run, run).
chaos_job_list 1
chaos_finish
