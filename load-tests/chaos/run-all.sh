#!/usr/bin/env bash
# Runs the chaos scenarios (issue 6) one after another, each with its own cluster, ports and fault, and prints one
# table: scenario, fault, outcome, overhead (time to target against the clean run of the same seed), lost updates.
# Writes DIR/chaos.json (per scenario: scenario, passed, target_reached, overhead, lost_updates, double_applied,
# rejected_forged, seed, the reasons and notes, the figures the engine does not report) and DIR/chaos.md; each
# scenario's logs, histories (JSON lines), reports and row are in DIR/NAME/.
#
# Usage: load-tests/chaos/run-all.sh [--only NAME,...] [--out DIR] [--seed S] [--ci] [--list]
#   --only NAME,...  run these scenarios only, in this order
#   --out DIR        output directory (default bench-results/chaos-TIMESTAMP)
#   --seed S         seed of every job and injection point (default 1)
#   --ci             the short subset .ci/run runs: bad-specs, forged-datagrams, coordinator-kill (about 7 minutes;
#                    no root)
#   --list           print the scenarios and exit
#
# Scenarios: bad-specs, forged-datagrams, worker-pause, packet-loss, partition, slow-link, worker-kill, ps-kill,
# coordinator-kill. packet-loss, partition and slow-link need root (nft, network namespaces). Each scenario holds
# /tmp/parasol-mvn.lock while it runs (this script does not, so builds may run between scenarios). Build first:
#   flock /tmp/parasol-mvn.lock ./mvnw -B -o -q install -DskipTests && touch cluster-seeds/target/lib/.parasol-build-stamp
#
# Exit status: 0 when every scenario passed, 1 otherwise (a scenario that ends without a verdict counts as failed).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ALL=(bad-specs forged-datagrams worker-pause worker-long-pause packet-loss partition slow-link worker-kill ps-kill
     coordinator-kill)
CI=(bad-specs forged-datagrams coordinator-kill)

say() { echo "chaos: $*"; }
fail() { echo "chaos: $*" >&2; exit 2; }

SELECTED=("${ALL[@]}")
OUT=""
SEED=1
while (($# > 0)); do
    case "$1" in
        --only) IFS=',' read -r -a SELECTED <<<"$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --seed) SEED="$2"; shift 2 ;;
        --ci) SELECTED=("${CI[@]}"); shift ;;
        --list) printf '%s\n' "${ALL[@]}"; exit 0 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        *) fail "unknown argument '$1' (see --help)" ;;
    esac
done
((${#SELECTED[@]} > 0)) || fail "--only: no scenario named"
for name in "${SELECTED[@]}"; do
    [[ -f "$HERE/$name.sh" ]] || fail "unknown scenario '$name'; expected one of: ${ALL[*]}"
done
[[ "$SEED" =~ ^-?[0-9]+$ ]] || fail "--seed '$SEED': expected a whole number"

OUT="${OUT:-$ROOT/bench-results/chaos-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
JAR="$(ls "$ROOT"/load-tests/target/parasol-load-tests-*.jar 2>/dev/null | head -n 1)"
[[ -n "$JAR" ]] || fail "load-tests is not built; see --help"

CURRENT_PID=""
on_signal() {
    # The scenario cleans up after itself on SIGTERM (its EXIT trap): forward, then wait for it.
    if [[ -n "$CURRENT_PID" ]] && kill -0 "$CURRENT_PID" 2>/dev/null; then
        kill -TERM "$CURRENT_PID" 2>/dev/null || true
        wait "$CURRENT_PID" 2>/dev/null || true
    fi
    exit 130
}
trap on_signal INT TERM

STATUSES=()
started=$SECONDS
for name in "${SELECTED[@]}"; do
    mkdir -p "$OUT/$name"
    say "scenario $name (log $OUT/$name/$name.log)"
    t0=$SECONDS
    bash "$HERE/$name.sh" --out "$OUT/$name" --seed "$SEED" >"$OUT/$name/$name.log" 2>&1 &
    CURRENT_PID=$!
    status=0
    wait "$CURRENT_PID" || status=$?
    CURRENT_PID=""
    STATUSES+=("$name=$status")
    say "scenario $name ended in $((SECONDS - t0))s, exit status $status: $(grep -E "^chaos\[$name\]: (PASSED|FAILED)" \
        "$OUT/$name/$name.log" | tail -n 1 | cut -c1-200)"
done

JAVA="java"
[[ -z "${JAVA_HOME:-}" ]] || JAVA="$JAVA_HOME/bin/java"
"$JAVA" -cp "$JAR:$ROOT/load-tests/target/lib/*" dev.parasol.chaos.ChaosSummary --out "$OUT" \
    --scenarios "$(IFS=,; echo "${SELECTED[*]}")" --exit-status "$(IFS=,; echo "${STATUSES[*]}")"
say "wall $((SECONDS - started))s; $OUT/chaos.json, $OUT/chaos.md"
jq -e '.failed == 0' "$OUT/chaos.json" >/dev/null
