/**
 * The chaos-test harness's Java side (issue 6, {@code load-tests/chaos/}): the checker that reads a scenario's
 * histories and reports and decides its verdict, the summary of all scenarios, the seeded choice of when a fault is
 * injected, and the forged-datagram sender.
 */
package dev.parasol.chaos;
