#!/usr/bin/env bash
# Runs the user-space UDP delay relay, dev.parasol.chaos.UdpDelayRelay, from the built load-tests jar: the network
# delay of the chaos scenarios and of load-tests/slow-link/run.sh on a kernel without netem. It relays like a NAT:
# datagrams to --listen from a source go to --target from a socket of that source's own, the target's replies come
# back to the source from --listen, and every datagram, either way, is delivered --delay-ms after it arrived. A node
# behind it gives --data-bind = the target and --data-advertise = the listen address.
#
# Usage: load-tests/chaos/relay.sh --listen HOST:PORT --target HOST:PORT --delay-ms D [--no-delay-from HOST,...]
#            [--name NAME] [--history FILE] [--queue-datagrams N] [--queue-bytes N]
#   --no-delay-from   sources at these addresses are relayed at once (nodes on the relay's own host)
#   --history FILE    appends relay_started and, at exit, relay_stopped with the counters (JSON lines)
# It replaces itself with the JVM, so its pid is the relay's: stop it with SIGTERM, and it prints what it forwarded
# each way and what it dropped (a full queue drops, as a router's would) before it exits. Build first:
#   flock /tmp/parasol-mvn.lock ./mvnw -B -o -q install -DskipTests
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$(ls "$ROOT"/load-tests/target/parasol-load-tests-*.jar 2>/dev/null | head -n 1)"
[[ -n "$JAR" && -d "$ROOT/load-tests/target/lib" ]] ||
    { echo "relay: load-tests is not built (no load-tests/target/parasol-load-tests-*.jar and lib/)" >&2; exit 2; }
JAVA="java"
[[ -z "${JAVA_HOME:-}" ]] || JAVA="$JAVA_HOME/bin/java"
# A small heap (the queue is one 32 MiB array by default), C1 only: the relay's loop is simple and 2 cores are shared.
exec "$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$JAR:$ROOT/load-tests/target/lib/*" \
    dev.parasol.chaos.UdpDelayRelay "$@"
