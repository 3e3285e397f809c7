/**
 * Measurements of the Aeron data plane on loopback: round-trip latency and throughput of W2-sized messages across
 * media driver threading modes, idle strategies and MTUs, the figures behind the defaults in {@code docs/data-plane.md}.
 */
package dev.parasol.bench.dataplane;
