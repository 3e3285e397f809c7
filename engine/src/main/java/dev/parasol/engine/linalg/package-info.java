/**
 * Dense matrix kernels: row-major {@code sgemm} over netlib BLAS (native OpenBLAS through JNI when it loads), a
 * report of which BLAS implementation runs and whether it is a slow fallback, and naive reference loops for tests and
 * benchmarks.
 */
package dev.parasol.engine.linalg;
