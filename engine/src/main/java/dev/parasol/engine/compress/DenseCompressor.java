package dev.parasol.engine.compress;

import dev.parasol.wire.Encoding;

/**
 * The uncompressed baseline: every coordinate as f32. With {@link ErrorFeedback} the residual is always zero.
 */
public final class DenseCompressor implements Compressor
{
    private final int maxLength;

    /**
     * Construct a dense compressor.
     *
     * @param maxLength longest range it accepts.
     */
    public DenseCompressor(final int maxLength)
    {
        Compressors.checkMaxLength(maxLength);
        this.maxLength = maxLength;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void compress(final float[] x, final int offset, final int length, final CompressedGradient out)
    {
        Compressors.checkRange(x, offset, length, maxLength);
        out.resetDense(length);
        System.arraycopy(x, offset, out.values(), 0, length);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Encoding encoding()
    {
        return Encoding.DENSE_F32;
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
        return new CompressedGradient(0, maxLength, 0, 0);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String spec()
    {
        return "dense";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "DenseCompressor{maxLength=" + maxLength + "}";
    }
}
