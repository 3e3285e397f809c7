/**
 * Gradient compressors for the data plane (top-k, random-k, QSGD, scaled sign, dense) with the error-feedback residual
 * that keeps what a compressor did not send, the reusable {@link dev.parasol.engine.compress.CompressedGradient} holder
 * they write into, and the spec strings that name them.
 */
package dev.parasol.engine.compress;
