package dev.parasol.engine.compress;

import dev.parasol.wire.Encoding;

/**
 * Compresses a dense float range into a reusable {@link CompressedGradient}. Implementations hold preallocated
 * buffers sized for {@link #maxLength()} and, where they are randomised, a seeded {@link java.util.SplittableRandom}:
 * they are stateful, not thread safe, and meant to be owned by one worker for one shard. {@link #compress} allocates
 * nothing.
 * <p>
 * A compressor never keeps a reference to its input: {@link ErrorFeedback} reuses the same array as input and
 * residual.
 */
public interface Compressor
{
    /**
     * Compress {@code x[offset, offset + length)} into {@code out}, overwriting it. Indices written to {@code out}
     * are relative to {@code offset}.
     *
     * @param x      array holding the range.
     * @param offset first coordinate of the range in {@code x}.
     * @param length coordinates in the range, at most {@link #maxLength()}.
     * @param out    holder to overwrite, with capacity for this compressor (see {@link #newOutput()}).
     */
    void compress(float[] x, int offset, int length, CompressedGradient out);

    /**
     * Get the encoding this compressor writes.
     *
     * @return the payload encoding.
     */
    Encoding encoding();

    /**
     * Get the longest range this compressor accepts.
     *
     * @return the maximum length.
     */
    int maxLength();

    /**
     * Allocate a holder with exactly the capacity this compressor needs for ranges up to {@link #maxLength()}.
     *
     * @return a new holder.
     */
    CompressedGradient newOutput();

    /**
     * Get the canonical spec string of this compressor, as {@link CompressorSpec#parse(String)} accepts it.
     *
     * @return the spec, e.g. {@code topk:0.01}.
     */
    String spec();
}
