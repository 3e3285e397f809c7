/**
 * JMH micro-benchmarks of the gradient compressors: top-k selection against a full-sort reference, QSGD and scaled
 * sign.
 */
package dev.parasol.bench.compress;
