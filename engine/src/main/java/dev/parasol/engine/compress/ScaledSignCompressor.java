package dev.parasol.engine.compress;

import dev.parasol.wire.Encoding;

/**
 * Scaled sign compression ({@link Encoding#SIGN}): each block of {@code blockSize} coordinates (default 512, the last
 * block possibly shorter) is sent as one scale, the mean of {@code |x|} over the block, and one sign per coordinate,
 * so coordinate i is reconstructed as {@code sign_i * scale}. This is signSGD (Bernstein, Wang, Azizzadenesheli and
 * Anandkumar, "signSGD: Compressed Optimisation for Non-Convex Problems", ICML 2018) with the l1 scaling of
 * EF-SignSGD (Karimireddy, Rebjock, Stich and Jaggi, "Error Feedback Fixes SignSGD and other Gradient Compression
 * Schemes", ICML 2019), per block rather than per tensor. It is biased and meant to run under {@link ErrorFeedback}.
 * <p>
 * The wire has one bit per coordinate, so there is no zero: {@code +0.0} and {@code -0.0} get sign +1 (the bit for
 * "negative" is set only when {@code x < 0}). The scale is summed in double and rounded once to float. A block holding
 * a NaN gets a NaN scale, so its whole reconstruction is NaN and the divergence reaches the receiver; NaN coordinates
 * get sign +1.
 * <p>
 * Stateless apart from its configuration, deterministic, and nothing is allocated per call.
 */
public final class ScaledSignCompressor implements Compressor
{
    /**
     * Default number of coordinates per scale block.
     */
    public static final int DEFAULT_BLOCK_SIZE = 512;

    private final int blockSize;
    private final int maxLength;
    private final String spec;

    /**
     * Construct a scaled sign compressor.
     *
     * @param blockSize coordinates per scale block, at least 1.
     * @param maxLength longest range it accepts.
     */
    public ScaledSignCompressor(final int blockSize, final int maxLength)
    {
        if (blockSize < 1)
        {
            throw new IllegalArgumentException("blockSize must be >= 1: blockSize=" + blockSize);
        }
        Compressors.checkMaxLength(maxLength);
        this.blockSize = blockSize;
        this.maxLength = maxLength;
        this.spec = blockSize == DEFAULT_BLOCK_SIZE ? "sign" : "sign:" + blockSize;
    }

    /**
     * Get the coordinates per scale block.
     *
     * @return the block size.
     */
    public int blockSize()
    {
        return blockSize;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void compress(final float[] x, final int offset, final int length, final CompressedGradient out)
    {
        Compressors.checkRange(x, offset, length, maxLength);
        out.resetQuantised(Encoding.SIGN, length, blockSize);
        final byte[] levels = out.levels();
        final float[] scales = out.blockScales();
        for (int start = 0, b = 0; start < length; start += blockSize, b++)
        {
            final int end = Math.min(length, start + blockSize);
            double sumAbs = 0.0;
            for (int i = start; i < end; i++)
            {
                final float value = x[offset + i];
                sumAbs += Math.abs(value);
                levels[i] = (byte)(value < 0.0f ? -1 : 1);
            }
            scales[b] = (float)(sumAbs / (end - start));
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Encoding encoding()
    {
        return Encoding.SIGN;
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
        return new CompressedGradient(0, 0, maxLength, CompressedGradient.blockCount(maxLength, blockSize));
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
        return "ScaledSignCompressor{blockSize=" + blockSize + ", maxLength=" + maxLength + "}";
    }
}
