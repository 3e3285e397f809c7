package dev.parasol.engine.compress;

import dev.parasol.wire.Encoding;

import java.util.SplittableRandom;

/**
 * Random-k sparsification: sends {@code k = min(length, max(1, round(ratio * length)))} distinct coordinates chosen
 * uniformly at random (every k-subset equally likely), as a {@link Encoding#SPARSE_F32} gradient with indices ascending
 * and values unscaled. The unscaled operator is the contraction that Stich, Cordonnier and Jaggi, "Sparsified SGD with
 * Memory" (NeurIPS 2018) pair with a residual; scaling by {@code length / k} would make it unbiased but is pointless
 * under {@link ErrorFeedback}, which keeps what was not sent.
 * <p>
 * The subset comes from Floyd's algorithm (Bentley and Floyd, "A Sample of Brilliance", CACM 1987) over a preallocated
 * bitmap, which also yields the indices in ascending order: O(k + length / 64) per call and k draws from the seeded
 * random, so the same seed gives the same indices. Stateful and not thread safe: one instance per worker and shard.
 * Nothing is allocated per call.
 */
public final class RandomKCompressor implements Compressor
{
    private final double ratio;
    private final int maxLength;
    private final SplittableRandom random;
    private final long[] chosen;
    private final String spec;

    /**
     * Construct a random-k compressor.
     *
     * @param ratio     fraction of coordinates to send, in (0, 1].
     * @param maxLength longest range it accepts.
     * @param random    seeded source of the subsets.
     */
    public RandomKCompressor(final double ratio, final int maxLength, final SplittableRandom random)
    {
        Compressors.checkRatio(ratio);
        Compressors.checkMaxLength(maxLength);
        this.ratio = ratio;
        this.maxLength = maxLength;
        this.random = random;
        this.chosen = new long[(maxLength + 63) >>> 6];
        this.spec = "randk:" + ratio;
    }

    /**
     * Get the number of entries this compressor sends for a range.
     *
     * @param length coordinates in the range.
     * @return {@code min(length, max(1, round(ratio * length)))}.
     */
    public int entriesFor(final int length)
    {
        return Compressors.entriesFor(ratio, length);
    }

    /**
     * Get the fraction of coordinates sent.
     *
     * @return the ratio.
     */
    public double ratio()
    {
        return ratio;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void compress(final float[] x, final int offset, final int length, final CompressedGradient out)
    {
        Compressors.checkRange(x, offset, length, maxLength);
        final int k = Compressors.entriesFor(ratio, length);
        out.resetSparse(Encoding.SPARSE_F32, length, k);
        final long[] bits = chosen;
        for (int j = length - k; j < length; j++)
        {
            final int candidate = random.nextInt(j + 1);
            final int pick = (bits[candidate >>> 6] & (1L << candidate)) != 0 ? j : candidate;
            bits[pick >>> 6] |= 1L << pick;
        }

        final int[] indices = out.indices();
        final float[] values = out.values();
        final int words = (length + 63) >>> 6;
        int written = 0;
        for (int w = 0; w < words; w++)
        {
            long word = bits[w];
            if (word != 0)
            {
                bits[w] = 0;
                while (word != 0)
                {
                    final int index = (w << 6) + Long.numberOfTrailingZeros(word);
                    indices[written] = index;
                    values[written] = x[offset + index];
                    written++;
                    word &= word - 1;
                }
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Encoding encoding()
    {
        return Encoding.SPARSE_F32;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int maxLength()
    {
        return maxLength;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public CompressedGradient newOutput()
    {
        final int kMax = Compressors.entriesFor(ratio, maxLength);
        return new CompressedGradient(kMax, kMax, 0, 0);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String spec()
    {
        return spec;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "RandomKCompressor{ratio=" + ratio + ", maxLength=" + maxLength + "}";
    }
}
