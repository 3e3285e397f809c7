package dev.parasol.engine.compress;

import dev.parasol.wire.Encoding;

import java.util.SplittableRandom;

/**
 * QSGD stochastic quantisation (Alistarh, Grubic, Li, Tomioka and Vojnovic, "QSGD: Communication-Efficient SGD via
 * Gradient Quantization and Encoding", NeurIPS 2017) with bucketing: the range is cut into blocks of
 * {@code blockSize} coordinates (default 512, the last block possibly shorter) and each coordinate becomes a signed
 * level in {@code [-s, s]}, {@code s = 127} for 8 bits ({@link Encoding#QSGD_8BIT}: sign + 7 bits) or {@code s = 7}
 * for 4 bits ({@link Encoding#QSGD_4BIT}: sign + 3 bits).
 * <p>
 * <b>Scale: max-abs, not the L2 norm.</b> The paper scales a bucket by its L2 norm; the unbiasedness proof only needs
 * {@code |x_i| / scale} in [0, 1], which holds for any scale at least {@code max |x_i|}. The smallest such scale,
 * {@code max |x_i|} of the block (the l-infinity bucket normalisation common in QSGD implementations), gives the finest
 * grid: the variance of a coordinate is {@code unit^2 p (1 - p) <= unit^2 / 4} with {@code unit = scale / s}, against
 * a unit up to {@code sqrt(blockSize)} times coarser with the L2 norm, where for 4 bits and 512 coordinates almost
 * every level would be 0 or 1.
 * <p>
 * <b>Rounding.</b> With {@code r = min(|x| * (s / scale), s)}, {@code l = floor(r)} and {@code p = r - l}, the level is
 * {@code l + 1} with probability p and {@code l} otherwise, signed like x ({@code -0.0} gives level 0). So
 * {@code E[level * unit] = |x|} up to float rounding, and the largest coordinate of a block is sent exactly as
 * {@code s * unit}. The uniform draw has 24 random bits ({@code nextInt() >>> 8}), a bias below 2^-24 of a unit.
 * <p>
 * The reconstruction is {@code level * (scale / s)} in float (see {@link CompressedGradient}). A block whose scale is
 * 0 is all level 0. A block holding a NaN or an infinity gets scale NaN or infinity and all levels 0, so its whole
 * reconstruction is NaN: the divergence reaches the receiver and is not hidden. Blocks whose scale is so small that
 * {@code scale / s} underflows lose precision; under {@link ErrorFeedback} the residual keeps the difference.
 * <p>
 * Stateful and not thread safe: one instance per worker and shard. Nothing is allocated per call.
 */
public final class QsgdCompressor implements Compressor
{
    /**
     * Default number of coordinates per scale block.
     */
    public static final int DEFAULT_BLOCK_SIZE = 512;

    private final int bits;
    private final int maxLevel;
    private final int blockSize;
    private final int maxLength;
    private final Encoding encoding;
    private final SplittableRandom random;
    private final String spec;

    /**
     * Construct a QSGD compressor.
     *
     * @param bits      8 or 4: bits per coordinate, sign included.
     * @param blockSize coordinates per scale block, at least 1.
     * @param maxLength longest range it accepts.
     * @param random    seeded source of the stochastic rounding.
     */
    public QsgdCompressor(final int bits, final int blockSize, final int maxLength, final SplittableRandom random)
    {
        if (bits != 8 && bits != 4)
        {
            throw new IllegalArgumentException("QSGD bits must be 4 or 8: bits=" + bits);
        }
        if (blockSize < 1)
        {
            throw new IllegalArgumentException("blockSize must be >= 1: blockSize=" + blockSize);
        }
        Compressors.checkMaxLength(maxLength);
        this.bits = bits;
        this.encoding = bits == 8 ? Encoding.QSGD_8BIT : Encoding.QSGD_4BIT;
        this.maxLevel = CompressedGradient.maxLevel(encoding);
        this.blockSize = blockSize;
        this.maxLength = maxLength;
        this.random = random;
        this.spec = "qsgd:" + bits + (blockSize == DEFAULT_BLOCK_SIZE ? "" : ":" + blockSize);
    }

    /**
     * Get the bits per coordinate, sign included.
     *
     * @return 8 or 4.
     */
    public int bits()
    {
        return bits;
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
        out.resetQuantised(encoding, length, blockSize);
        final byte[] levels = out.levels();
        final float[] scales = out.blockScales();
        for (int start = 0, b = 0; start < length; start += blockSize, b++)
        {
            final int end = Math.min(length, start + blockSize);
            int maxKey = 0;
            for (int i = start; i < end; i++)
            {
                maxKey = Math.max(maxKey, Compressors.magnitudeKey(x[offset + i]));
            }
            final float scale = Float.intBitsToFloat(maxKey);
            scales[b] = scale;
            if (scale == 0.0f || !(scale < Float.POSITIVE_INFINITY))
            {
                for (int i = start; i < end; i++)
                {
                    levels[i] = 0;
                }
            }
            else
            {
                quantiseBlock(x, offset, start, end, (float)maxLevel / scale, levels);
            }
        }
    }

    private void quantiseBlock(
        final float[] x, final int offset, final int start, final int end, final float inverseUnit, final byte[] levels)
    {
        final float top = maxLevel;
        final SplittableRandom random = this.random;
        for (int i = start; i < end; i++)
        {
            final float value = x[offset + i];
            final float r = Math.min(Math.abs(value) * inverseUnit, top);
            final int floor = (int)r;
            final float up = r - floor;
            final float uniform = (random.nextInt() >>> 8) * 0x1.0p-24f;
            final int level = uniform < up ? floor + 1 : floor;
            levels[i] = (byte)(value < 0.0f ? -level : level);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Encoding encoding()
    {
        return encoding;
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
        return "QsgdCompressor{bits=" + bits + ", blockSize=" + blockSize + ", maxLength=" + maxLength + "}";
    }
}
