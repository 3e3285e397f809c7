/**
 * JMH micro-benchmarks of the parameter-server shard: decode, apply and reply for sparse and dense pushes.
 */
package dev.parasol.bench.psshard;
