/**
 * JMH micro-benchmarks of the engine's matrix kernels: BLAS against plain-Java loops on the shapes of a training
 * step.
 */
package dev.parasol.bench.linalg;
