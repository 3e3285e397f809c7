package dev.parasol.wire;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class HalfFloatTest
{
    @Test
    void shouldConvertKnownValuesWhenNormal()
    {
        assertEquals((short)0x3C00, HalfFloat.fromFloat(1.0f));
        assertEquals((short)0xC000, HalfFloat.fromFloat(-2.0f));
        assertEquals((short)0x3555, HalfFloat.fromFloat(1.0f / 3.0f));
        assertEquals((short)0x2E66, HalfFloat.fromFloat(0.1f));
        assertEquals((short)0x7BFF, HalfFloat.fromFloat(65504.0f));
        assertEquals((short)0x0400, HalfFloat.fromFloat(HalfFloat.MIN_NORMAL));
        assertEquals(65504.0f, HalfFloat.toFloat((short)0x7BFF));
        assertEquals(0.333251953125f, HalfFloat.toFloat((short)0x3555));
    }

    @Test
    void shouldKeepSubnormalsWhenBelowMinNormal()
    {
        assertEquals((short)0x0001, HalfFloat.fromFloat(0x1.0p-24f));
        assertEquals((short)0x03FF, HalfFloat.fromFloat(0x3FFp-24f));
        assertEquals((short)0x8200, HalfFloat.fromFloat(-0x200p-24f));
        assertEquals(0x1.0p-24f, HalfFloat.toFloat((short)0x0001));
        assertEquals(-0x3FFp-24f, HalfFloat.toFloat((short)0x83FF));
        // Exactly half the smallest subnormal ties to even, zero; anything above rounds up to it.
        assertEquals((short)0x0000, HalfFloat.fromFloat(0x1.0p-25f));
        assertEquals((short)0x0001, HalfFloat.fromFloat(0x1.000002p-25f));
        assertEquals((short)0x8000, HalfFloat.fromFloat(-1e-10f));
        // 1.5 and 2.5 subnormal units tie to the even neighbours 2 and 2.
        assertEquals((short)0x0002, HalfFloat.fromFloat(0x3p-25f));
        assertEquals((short)0x0002, HalfFloat.fromFloat(0x5p-25f));
        // Rounding up from the largest subnormal gives the smallest normal.
        assertEquals((short)0x0400, HalfFloat.fromFloat(0x7FFp-25f));
    }

    @Test
    void shouldOverflowToInfinityWhenAboveHalfRange()
    {
        assertEquals((short)0x7BFF, HalfFloat.fromFloat(65519.0f));
        assertEquals((short)0x7C00, HalfFloat.fromFloat(65520.0f));
        assertEquals((short)0xFC00, HalfFloat.fromFloat(-1e9f));
        assertEquals((short)0x7C00, HalfFloat.fromFloat(Float.POSITIVE_INFINITY));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloat.toFloat((short)0xFC00));
        assertFalse(HalfFloat.isFinite((short)0x7C00));
        assertTrue(HalfFloat.isFinite((short)0x7BFF));
    }

    @Test
    void shouldSaturateWhenFiniteValueOverflows()
    {
        assertEquals((short)0x7BFF, HalfFloat.fromFloatSaturated(65520.0f));
        assertEquals((short)0xFBFF, HalfFloat.fromFloatSaturated(-Float.MAX_VALUE));
        assertEquals((short)0x3C00, HalfFloat.fromFloatSaturated(1.0f));
        assertEquals((short)0x7C00, HalfFloat.fromFloatSaturated(Float.POSITIVE_INFINITY));
    }

    @Test
    void shouldKeepNanWhenConverting()
    {
        final short half = HalfFloat.fromFloat(Float.NaN);
        assertFalse(HalfFloat.isFinite(half));
        assertTrue((half & 0x03FF) != 0, "NaN must keep a non-zero fraction");
        assertTrue(Float.isNaN(HalfFloat.toFloat(half)));
        assertTrue(Float.isNaN(HalfFloat.toFloat((short)0x7E00)));
    }

    @Test
    void shouldRoundTripEveryHalfWhenNotNan()
    {
        for (int bits = 0; bits < 0x1_0000; bits++)
        {
            final short half = (short)bits;
            final float value = HalfFloat.toFloat(half);
            if (Float.isNaN(value))
            {
                assertFalse(HalfFloat.isFinite(half));
                continue;
            }
            if (HalfFloat.fromFloat(value) != half)
            {
                fail("half 0x" + Integer.toHexString(bits) + " -> " + value + " -> 0x" +
                    Integer.toHexString(HalfFloat.fromFloat(value) & 0xFFFF));
            }
        }
    }

    @Test
    void shouldRoundToNearestEvenWhenFloatLiesBetweenHalves()
    {
        final SplittableRandom random = new SplittableRandom(20_240_601L);
        for (int n = 0; n < 200_000; n++)
        {
            // Exponents around the half range, so normals, subnormals, underflow and overflow all occur.
            final float value = Float.intBitsToFloat(random.nextInt(0x2000_0000, 0x4800_0000)) *
                (random.nextBoolean() ? 1 : -1);
            checkNearestEven(value);
        }
    }

    private static void checkNearestEven(final float value)
    {
        final short half = HalfFloat.fromFloat(value);
        // Overflow is correct exactly when the value is at least halfway from 65504 to the next step, 65536.
        final double exact = value;
        final double chosen = HalfFloat.toFloat(half);
        assertEquals(Math.abs(exact) >= 65520.0, Double.isInfinite(chosen), "overflow decision for " + value);
        if (Double.isInfinite(chosen))
        {
            return;
        }
        final double error = Math.abs(exact - chosen);
        final int magnitude = half & 0x7FFF;
        final int sign = half & 0x8000;
        for (final int neighbour : new int[]{magnitude - 1, magnitude + 1})
        {
            if (neighbour < 0 || neighbour > 0x7BFF)
            {
                continue;
            }
            final double other = HalfFloat.toFloat((short)(sign | neighbour));
            final double otherError = Math.abs(exact - other);
            assertTrue(error <= otherError, "not nearest for " + value);
            if (error == otherError)
            {
                assertEquals(0, magnitude & 1, "tie not to even for " + value);
            }
        }
    }
}
