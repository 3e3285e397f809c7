package dev.parasol.wire;

/**
 * Conversions between f32 and IEEE 754 binary16 (half precision: 1 sign bit, 5 exponent bits, 10 fraction bits),
 * held in a {@code short}. {@link #fromFloat(float)} and {@link #toFloat(short)} follow IEEE 754 exactly, like
 * {@code Float.floatToFloat16} and {@code Float.float16ToFloat} of Java 20 (not available on Java 17): rounding is
 * to nearest, ties to even; halves below 2<sup>-14</sup> are subnormal and kept; magnitudes that round past 65504
 * become infinity; NaN stays NaN (quiet, upper payload bits kept).
 * <p>
 * The wire's policy for {@link Encoding#SPARSE_F16} sits on top: encoders use {@link #fromFloatSaturated(float)},
 * which clamps finite values to {@link #MAX_VALUE} instead of overflowing, and decoders reject the infinity and NaN
 * patterns. A sender that keeps an error-feedback residual should add back {@code v - toFloat(fromFloatSaturated(v))}.
 */
public final class HalfFloat
{
    /**
     * Largest finite half value, 65504.
     */
    public static final float MAX_VALUE = 65504.0f;

    /**
     * Smallest positive subnormal half value, 2<sup>-24</sup>.
     */
    public static final float MIN_VALUE = 0x1.0p-24f;

    /**
     * Smallest positive normal half value, 2<sup>-14</sup>.
     */
    public static final float MIN_NORMAL = 0x1.0p-14f;

    private static final int SIGN_MASK = 0x8000;
    private static final int EXPONENT_MASK = 0x7C00;
    private static final int FRACTION_MASK = 0x03FF;
    private static final short MAX_FINITE_BITS = 0x7BFF;
    private static final int FLOAT_EXPONENT_BIAS = 127;
    private static final int HALF_EXPONENT_BIAS = 15;
    private static final int FRACTION_SHIFT = 13;

    private HalfFloat()
    {
    }

    /**
     * Get the half nearest to a float, IEEE 754 round to nearest even, overflowing to infinity.
     *
     * @param value the float.
     * @return the bits of the half.
     */
    public static short fromFloat(final float value)
    {
        final int bits = Float.floatToRawIntBits(value);
        final int sign = (bits >>> 16) & SIGN_MASK;
        final int exponent = (bits >>> 23) & 0xFF;
        final int fraction = bits & 0x7F_FFFF;

        if (exponent == 0xFF)
        {
            final int nan = fraction != 0 ? 0x200 | (fraction >>> FRACTION_SHIFT) : 0;
            return (short)(sign | EXPONENT_MASK | nan);
        }

        final int halfExponent = exponent - FLOAT_EXPONENT_BIAS + HALF_EXPONENT_BIAS;
        if (halfExponent >= 0x1F)
        {
            return (short)(sign | EXPONENT_MASK);
        }
        if (halfExponent <= 0)
        {
            return (short)(sign | subnormal(fraction, halfExponent));
        }

        int half = (halfExponent << 10) | (fraction >>> FRACTION_SHIFT);
        final int rest = fraction & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0))
        {
            // A carry out of the fraction correctly bumps the exponent, up to infinity.
            half++;
        }
        return (short)(sign | half);
    }

    /**
     * Get the half nearest to a finite float, clamping magnitudes above {@link #MAX_VALUE} to it instead of
     * overflowing to infinity: the encoding the wire uses. NaN and infinity convert as in {@link #fromFloat(float)}.
     *
     * @param value the float.
     * @return the bits of the half.
     */
    public static short fromFloatSaturated(final float value)
    {
        final short half = fromFloat(value);
        if ((half & 0x7FFF) == EXPONENT_MASK && Float.isFinite(value))
        {
            return (short)((half & SIGN_MASK) | MAX_FINITE_BITS);
        }
        return half;
    }

    /**
     * Get the float equal to a half; exact for every half, NaN staying NaN.
     *
     * @param half the bits of the half.
     * @return the float.
     */
    public static float toFloat(final short half)
    {
        final int bits = half & 0xFFFF;
        final int sign = (bits & SIGN_MASK) << 16;
        final int exponent = (bits & EXPONENT_MASK) >>> 10;
        final int fraction = bits & FRACTION_MASK;

        if (exponent == 0x1F)
        {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (fraction << FRACTION_SHIFT));
        }
        if (exponent == 0)
        {
            // Subnormal or zero: fraction * 2^-24, exact in a float.
            final float magnitude = fraction * MIN_VALUE;
            return sign != 0 ? -magnitude : magnitude;
        }
        final int floatExponent = exponent - HALF_EXPONENT_BIAS + FLOAT_EXPONENT_BIAS;
        return Float.intBitsToFloat(sign | (floatExponent << 23) | (fraction << FRACTION_SHIFT));
    }

    /**
     * Is the half finite, neither infinity nor NaN?
     *
     * @param half the bits of the half.
     * @return true if the exponent bits are not all ones.
     */
    public static boolean isFinite(final short half)
    {
        return (half & EXPONENT_MASK) != EXPONENT_MASK;
    }

    private static int subnormal(final int fraction, final int halfExponent)
    {
        if (halfExponent < -10)
        {
            // Below 2^-25, half the smallest subnormal: rounds to zero.
            return 0;
        }
        final int significand = fraction | 0x80_0000;
        final int shift = 14 - halfExponent;
        int half = significand >>> shift;
        final int rest = significand & ((1 << shift) - 1);
        final int midpoint = 1 << (shift - 1);
        if (rest > midpoint || (rest == midpoint && (half & 1) != 0))
        {
            // Rounding up from the largest subnormal gives 0x400, the smallest normal: still correct.
            half++;
        }
        return half;
    }
}
