/**
 * JMH micro-benchmarks of the wire codecs: encode and decode throughput of dense and 1% top-k sparse messages at the
 * sizes of workload W2 and of a 10^7-parameter model, with the bytes moved per second reported alongside.
 */
package dev.parasol.bench.codec;
