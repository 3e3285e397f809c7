/**
 * The gradient channel against raw Aeron: in one JVM and through one embedded media driver with Parasol's data-plane
 * settings, the throughput of plain publications and subscriptions at the sizes of Parasol's gradient pushes, then of
 * the same pushes encoded, offered, polled, decoded and applied by a parameter-server shard, and the ratio.
 */
package dev.parasol.bench.channel;
