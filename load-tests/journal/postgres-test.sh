#!/usr/bin/env bash
# Run the job journal's JDBC test (cluster-seeds JobJournalJdbcTest) against a real PostgreSQL server: one started
# here from Debian's postgresql package, in a temporary directory, listening on 127.0.0.1 only, and removed at the
# end. What it proves: accepted jobs, results and resume points written by one job manager are recovered by the next
# one after the whole actor system (the coordinator node) is gone, with PostgreSQL as the journal.
#
# Needs: apt-get install -y postgresql (the server binaries in /usr/lib/postgresql/VERSION/bin), and root or the
# postgres user (the server refuses to run as root: it runs as postgres). Builds nothing: run after
# `./mvnw -B install -DskipTests` (or inside .ci/run after the test suite).
#
# Usage: load-tests/journal/postgres-test.sh [--port PORT]    (default 55432)
set -euo pipefail
PORT=55432
if [[ "${1:-}" == "--port" ]]; then PORT="$2"; fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [[ -z "$PGBIN" || ! -x "$PGBIN/initdb" ]]; then
    echo "postgres-test: no PostgreSQL server found in /usr/lib/postgresql/*/bin; install it with: apt-get install -y postgresql" >&2
    exit 2
fi
as_postgres() {
    if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
WORK="$(mktemp -d /tmp/parasol-pg.XXXXXX)"
chmod 755 "$WORK"
[[ "$(id -u)" == 0 ]] && chown postgres "$WORK"
cleanup() {
    as_postgres "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "postgres-test: starting PostgreSQL ($PGBIN) on 127.0.0.1:$PORT in $WORK"
echo postgres-admin > "$WORK/admin-password"
[[ "$(id -u)" == 0 ]] && chown postgres "$WORK/admin-password"
as_postgres "$PGBIN/initdb" -D "$WORK/data" -A scram-sha-256 -U postgres --pwfile="$WORK/admin-password" >/dev/null
as_postgres "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w \
    -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1" start >/dev/null
export PGPASSWORD=postgres-admin
psql -h 127.0.0.1 -p "$PORT" -U postgres -q -c "CREATE USER parasol PASSWORD 'parasol-test'"
psql -h 127.0.0.1 -p "$PORT" -U postgres -q -c "CREATE DATABASE parasol OWNER parasol"
unset PGPASSWORD

cd "$ROOT"
REPORT=cluster-seeds/target/surefire-reports/TEST-dev.parasol.node.JobJournalJdbcTest.xml
rm -f "$REPORT"
./mvnw -B -q -pl cluster-seeds surefire:test -Dtest=JobJournalJdbcTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dparasol.test.postgres-url="jdbc:postgresql://127.0.0.1:$PORT/parasol" \
    -Dparasol.test.postgres-user=parasol -Dparasol.test.postgres-password=parasol-test
# A skipped PostgreSQL case would pass silently: require that it ran.
if ! grep -q 'tests="3"' "$REPORT" || ! grep -q 'skipped="0"' "$REPORT" || ! grep -q 'failures="0"' "$REPORT"; then
    echo "postgres-test: FAILED, the PostgreSQL case did not run and pass (see $REPORT)" >&2
    exit 1
fi
echo "postgres-test: passed against PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}')"
