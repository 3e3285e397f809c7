package dev.parasol.engine.compress;

import java.util.Objects;

/**
 * Checks and small formulas shared by the compressors.
 */
final class Compressors
{
    /**
     * Canonical magnitude key of every NaN: above the key of infinity (0x7f800000), so NaN ranks as the largest
     * magnitude.
     */
    static final int NAN_KEY = 0x7fc00000;

    private static final int INFINITY_KEY = 0x7f800000;

    private Compressors()
    {
    }

    static void checkRange(final float[] x, final int offset, final int length, final int maxLength)
    {
        Objects.checkFromIndexSize(offset, length, x.length);
        if (length > maxLength)
        {
            throw new IllegalArgumentException(
                "range longer than the compressor's capacity: length=" + length + " maxLength=" + maxLength);
        }
    }

    /**
     * The entries a sparsifier sends for a range: {@code min(length, max(1, round(ratio * length)))}, rounding half
     * up, so a non-empty range always sends at least one entry and an empty one none.
     */
    static int entriesFor(final double ratio, final int length)
    {
        return (int)Math.min(length, Math.max(1L, Math.round(ratio * length)));
    }

    /**
     * A total order on magnitudes as non-negative ints: the IEEE 754 bits of |x|, which order like the magnitudes
     * themselves; -0.0 and 0.0 share key 0 and every NaN gets {@link #NAN_KEY}.
     */
    static int magnitudeKey(final float x)
    {
        final int key = Float.floatToRawIntBits(x) & 0x7fffffff;
        return key > INFINITY_KEY ? NAN_KEY : key;
    }

    static void checkRatio(final double ratio)
    {
        if (!(ratio > 0.0 && ratio <= 1.0))
        {
            throw new IllegalArgumentException("ratio must be in (0, 1]: ratio=" + ratio);
        }
    }

    static void checkMaxLength(final int maxLength)
    {
        if (maxLength < 0)
        {
            throw new IllegalArgumentException("maxLength must be >= 0: maxLength=" + maxLength);
        }
    }
}
