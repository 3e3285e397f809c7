#!/usr/bin/env bash
# Runs a Parasol cluster of three node processes on 127.0.0.1, submits a job to it from a fourth process, follows
# the job to its end and stops every process it started, by its pid, also on failure or Ctrl-C.
#
#   node-1  coordinator,ps   the seed: hosts the job manager singleton and parameter-server shards
#   node-2  ps,worker        shards, workers and evaluators
#   node-3  worker           workers and evaluators
#
# Usage: examples/local-cluster.sh [SUBMIT ARGS...]
#   Without arguments it submits W2 with 2 workers, 2 shards, ssp:3 and topk:0.01. Arguments go to
#   `parasol submit` and replace the default of the same option, e.g.
#     examples/local-cluster.sh --compress dense
#     examples/local-cluster.sh --workload W1 --sync bsp
#     examples/local-cluster.sh my-job.conf          (a job file: no job defaults are added)
#
# Environment:
#   PARASOL_BASE_PORT     first of six consecutive TCP/UDP ports (node n: control BASE+2(n-1), data BASE+2(n-1)+1);
#                         default 27520
#   PARASOL_WORK_DIR      where the node logs, the checkpoint and the report go; default
#                         ./parasol-jobs/local-cluster-TIMESTAMP, or under $TMPDIR when . is not writable
#   PARASOL_UP_TIMEOUT    seconds to wait for each node to be Up; default 120
#   PARASOL_STOP_GRACE    seconds between SIGTERM and SIGKILL when stopping; default 30
#   PARASOL_WORKER_SLOTS  workers the coordinator's job manager runs at once, over all jobs; default 4 (its own
#                         default, one per core, would refuse a 2-worker job on a 1-core machine)
#   and those of bin/parasol (JAVA_HOME, PARASOL_JAVA_OPTS, ...), which builds the project on first use.
#
# Exit status: that of `parasol submit` (0 when the job succeeded), or 1 when the cluster did not start or a
# process could not be stopped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PARASOL="$ROOT/bin/parasol"
BASE_PORT="${PARASOL_BASE_PORT:-27520}"
UP_TIMEOUT="${PARASOL_UP_TIMEOUT:-120}"
STOP_GRACE="${PARASOL_STOP_GRACE:-30}"
WORKER_SLOTS="${PARASOL_WORKER_SLOTS:-4}"
HOST=127.0.0.1

say() { echo "local-cluster: $*"; }
fail() { echo "local-cluster: $*" >&2; exit 1; }

[[ "$BASE_PORT" =~ ^[0-9]+$ ]] && ((BASE_PORT >= 1024 && BASE_PORT <= 65530)) ||
    fail "PARASOL_BASE_PORT='$BASE_PORT': expected a port from 1024 to 65530 (six consecutive ports are used)"
[[ "$UP_TIMEOUT" =~ ^[0-9]+$ ]] || fail "PARASOL_UP_TIMEOUT='$UP_TIMEOUT': expected whole seconds"
[[ "$STOP_GRACE" =~ ^[0-9]+$ ]] || fail "PARASOL_STOP_GRACE='$STOP_GRACE': expected whole seconds"

if [[ -n "${PARASOL_WORK_DIR:-}" ]]; then
    WORK="$PARASOL_WORK_DIR"
    mkdir -p "$WORK"
elif ! WORK="parasol-jobs/local-cluster-$(date +%Y%m%d-%H%M%S)" || ! mkdir -p "$WORK" 2>/dev/null; then
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/parasol-local-cluster.XXXXXX")"
fi
WORK="$(cd "$WORK" && pwd)"

NAMES=()   # what each started process is, by index
PIDS=()    # its pid
LOGS=()    # its log file, empty for the client (it prints here)

alive() { kill -0 "$1" 2>/dev/null; }

# Stops the given indexes of PIDS: SIGTERM (a node leaves the cluster gracefully and deletes its Aeron directory),
# then SIGKILL whatever is still running after the grace period; reaps each and prints how it ended.
stop_processes() {
    local i pid status deadline
    for i in "$@"; do
        alive "${PIDS[$i]}" && kill -TERM "${PIDS[$i]}" 2>/dev/null || true
    done
    deadline=$((SECONDS + STOP_GRACE))
    for i in "$@"; do
        pid="${PIDS[$i]}"
        while alive "$pid" && ((SECONDS < deadline)); do
            sleep 0.2
        done
        if alive "$pid"; then
            say "${NAMES[$i]} (pid $pid) still running ${STOP_GRACE}s after SIGTERM: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        status=0
        wait "$pid" 2>/dev/null || status=$?
        say "${NAMES[$i]} (pid $pid) stopped, exit status $status"
    done
}

cleanup() {
    local status=$? i remaining
    trap - EXIT
    trap '' INT TERM   # a second Ctrl-C must not cut the clean-up short; SIGKILL still ends it after the grace
    if ((${#PIDS[@]} > 0)); then
        say "stopping ${#PIDS[@]} process(es): ${PIDS[*]}"
        # First the client and the nodes that are not the seed, then the seed, so that each leave is seen by it.
        local others=()
        for ((i = ${#PIDS[@]} - 1; i >= 1; i--)); do
            others+=("$i")
        done
        ((${#others[@]} == 0)) || stop_processes "${others[@]}"
        stop_processes 0
        remaining="$(ps -o pid=,args= -p "$(IFS=,; echo "${PIDS[*]}")" || true)"
        if [[ -n "$remaining" ]]; then
            echo "local-cluster: processes still running after the clean-up:" >&2
            echo "$remaining" >&2
            status=1
        else
            say "none of the pids ${PIDS[*]} remains (checked with ps)"
        fi
    fi
    say "work directory $WORK"
    for i in "${!LOGS[@]}"; do
        [[ -z "${LOGS[$i]}" ]] || say "  ${NAMES[$i]} log: ${LOGS[$i]}"
    done
    exit "$status"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

# Build on first use here, in the foreground, so the three nodes do not each start a build at once.
"$PARASOL" --version >/dev/null
export PARASOL_SKIP_BUILD=1
# All three nodes share this host: loopback carries 64 KiB datagrams, far faster than a node's Ethernet default.
export PARASOL_JAVA_OPTS="${PARASOL_JAVA_OPTS:--Dparasol.data-plane.mtu=65504}"

SEED="$HOST:$BASE_PORT"

# start_node NAME ROLES N [NODE ARGS...]: starts node N (1, 2, 3) in the background, its output in WORK/NAME.log.
start_node() {
    local name="$1" roles="$2" n="$3"
    shift 3
    local control=$((BASE_PORT + 2 * (n - 1)))
    local log="$WORK/$name.log"
    "$PARASOL" node --roles "$roles" --bind "$HOST:$control" --data-bind "$HOST:$((control + 1))" \
        --seeds "$SEED" "$@" >"$log" 2>&1 &
    NAMES+=("$name")
    PIDS+=("$!")
    LOGS+=("$log")
    say "started $name ($roles) on $HOST:$control, data $HOST:$((control + 1)), pid $!, log $log"
}

# wait_up INDEX: waits until the node prints that it is Up; fails if it exits or the timeout passes.
wait_up() {
    local i="$1" deadline=$((SECONDS + UP_TIMEOUT))
    until grep -q "is Up in the cluster" "${LOGS[$i]}" 2>/dev/null; do
        if ! alive "${PIDS[$i]}"; then
            echo "local-cluster: ${NAMES[$i]} exited before it was Up; the end of ${LOGS[$i]}:" >&2
            tail -n 20 "${LOGS[$i]}" >&2
            exit 1
        fi
        if ((SECONDS >= deadline)); then
            echo "local-cluster: ${NAMES[$i]} was not Up within ${UP_TIMEOUT}s; the end of ${LOGS[$i]}:" >&2
            tail -n 20 "${LOGS[$i]}" >&2
            exit 1
        fi
        sleep 0.2
    done
    say "${NAMES[$i]} is Up"
}

started=$SECONDS
start_node node-1 coordinator,ps 1 --worker-slots "$WORKER_SLOTS"
wait_up 0
start_node node-2 ps,worker 2
start_node node-3 worker 3
wait_up 1
wait_up 2
say "cluster of 3 nodes Up in $((SECONDS - started))s"

# The job defaults, each left out when the caller gives the option (picocli refuses an option given twice), and all
# of them when the caller gives a job file (flags would override the file).
has_option() {
    local option="$1" arg
    for arg in "${USER_ARGS[@]}"; do
        [[ "$arg" == "$option" || "$arg" == "$option="* ]] && return 0
    done
    return 1
}
USER_ARGS=("$@")
SUBMIT_ARGS=(--contact "$SEED" --follow)
job_file=0
if (($# > 0)) && [[ "$1" != -* ]]; then
    job_file=1
fi
if ((job_file == 0)) && ! has_option --config; then
    has_option --workload || SUBMIT_ARGS+=(--workload W2)
    has_option --workers || SUBMIT_ARGS+=(--workers 2)
    has_option --shards || SUBMIT_ARGS+=(--shards 2)
    has_option --sync || SUBMIT_ARGS+=(--sync ssp:3)
    has_option --compress || SUBMIT_ARGS+=(--compress topk:0.01)
fi
REPORT="$WORK/local-cluster-report.json"
if has_option --report; then
    REPORT=""
else
    SUBMIT_ARGS+=(--report "$REPORT")
fi
has_option --checkpoint-dir || SUBMIT_ARGS+=(--checkpoint-dir "$WORK/checkpoint")

say "submitting from a fourth process: parasol submit ${USER_ARGS[*]:+${USER_ARGS[*]} }${SUBMIT_ARGS[*]}"
# In the background and waited for, so that a signal reaches the trap at once and the clean-up stops the client too.
"$PARASOL" submit "${USER_ARGS[@]}" "${SUBMIT_ARGS[@]}" &
CLIENT_PID=$!
NAMES+=(client)
PIDS+=("$CLIENT_PID")
LOGS+=("")
submit_status=0
wait "$CLIENT_PID" || submit_status=$?

if [[ -n "$REPORT" && -f "$REPORT" ]]; then
    # The report is pretty-printed JSON, one top-level field per line; numbers are rounded for the summary line.
    field() { sed -n "s/^  \"$1\" : \(.*\),\$/\1/p" "$REPORT" | head -n 1; }
    number() {
        local v
        v="$(field "$1")"
        [[ "$v" =~ ^[0-9.eE+-]+$ ]] && LC_ALL=C printf "%.${2}f" "$v" || echo "${v:-?}"
    }
    to_target="$(number time_to_target_s 1)"
    [[ "$to_target" == null ]] && to_target="not reached" || to_target="$to_target s"
    say "job ended (submit exit status $submit_status): time to target $to_target," \
        "final accuracy $(number final_test_accuracy 4), target reached $(field target_reached);" \
        "bytes per worker step up $(number bytes_up_per_step 0), down $(number bytes_down_per_step 0)" \
        "(dense $(number dense_bytes_per_step 0)); report $REPORT"
else
    say "job ended with exit status $submit_status"
fi
exit "$submit_status"
