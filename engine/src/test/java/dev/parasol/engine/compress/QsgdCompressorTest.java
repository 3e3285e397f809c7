package dev.parasol.engine.compress;

import dev.parasol.wire.Encoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class QsgdCompressorTest
{
    private static float[] gaussian(final long seed, final int length)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final float[] x = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = (float)random.nextGaussian();
        }
        return x;
    }

    /**
     * Unbiasedness: the mean of N independent quantisations of a fixed vector converges to the vector. For coordinate i
     * with r = |x_i| / unit, p = r - floor(r), the level is floor(r) + Bernoulli(p), so one reconstruction has variance
     * unit^2 p (1 - p) and the mean of N has standard error se_i = unit sqrt(p (1 - p) / N). Bound per coordinate:
     * |mean_i - x_i| <= 5 se_i + 1e-6 scale (the slack covers float rounding of unit, r and level * unit, each of
     * relative order 1e-7 at most 127 units). Aggregate: the standardised errors z_i (over coordinates with se_i > 0)
     * are independent with mean 0 and variance 1 if unbiased, so |mean z| <= 5 / sqrt(count) catches a systematic bias
     * far smaller than any per-coordinate bound.
     */
    @ParameterizedTest
    @ValueSource(ints = {8, 4})
    void shouldBeUnbiasedWhenAveragedOverManyDraws(final int bits)
    {
        final int length = 1300;
        final int trials = 4000;
        final float[] x = gaussian(17, length);
        x[3] = 0.0f;
        x[700] = -0.0f;
        final QsgdCompressor compressor = new QsgdCompressor(bits, 512, length, new SplittableRandom(2024));
        final CompressedGradient out = compressor.newOutput();
        final double[] sum = new double[length];
        final float[] decoded = new float[length];
        for (int t = 0; t < trials; t++)
        {
            compressor.compress(x, 0, length, out);
            out.decompressInto(decoded, 0);
            for (int i = 0; i < length; i++)
            {
                sum[i] += decoded[i];
            }
        }

        final int maxLevel = bits == 8 ? 127 : 7;
        double zSum = 0.0;
        int zCount = 0;
        for (int i = 0; i < length; i++)
        {
            final double scale = out.blockScales()[i / 512];
            final double unit = scale / maxLevel;
            final double r = Math.abs(x[i]) / unit;
            final double p = r - Math.floor(r);
            final double se = unit * Math.sqrt(p * (1 - p) / trials);
            final double mean = sum[i] / trials;
            final double error = mean - x[i];
            assertTrue(Math.abs(error) <= 5 * se + 1e-6 * scale,
                "bits=" + bits + " i=" + i + " x=" + x[i] + " mean=" + mean + " se=" + se);
            if (se > 1e-6 * scale)
            {
                zSum += error / se;
                zCount++;
            }
        }
        assertTrue(zCount > length / 2);
        assertTrue(Math.abs(zSum / zCount) <= 5.0 / Math.sqrt(zCount), "mean z=" + zSum / zCount);
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 4})
    void shouldSendLargestCoordinateExactlyWhenScaledByMaxAbs(final int bits)
    {
        final int length = 1100;
        final float[] x = gaussian(5, length);
        final QsgdCompressor compressor = new QsgdCompressor(bits, 512, length, new SplittableRandom(1));
        final CompressedGradient out = compressor.newOutput();
        compressor.compress(x, 0, length, out);

        assertEquals(bits == 8 ? Encoding.QSGD_8BIT : Encoding.QSGD_4BIT, out.encoding());
        assertEquals(3, out.blockCount(), "two full blocks and one of 76");
        assertEquals(length, out.count());
        out.validate();
        final float[] decoded = new float[length];
        out.decompressInto(decoded, 0);
        final int maxLevel = bits == 8 ? 127 : 7;
        for (int b = 0; b < 3; b++)
        {
            float maxAbs = 0.0f;
            int argMax = -1;
            for (int i = b * 512; i < Math.min(length, (b + 1) * 512); i++)
            {
                if (Math.abs(x[i]) > maxAbs)
                {
                    maxAbs = Math.abs(x[i]);
                    argMax = i;
                }
            }
            assertEquals(maxAbs, out.blockScales()[b]);
            assertEquals(Math.signum(x[argMax]) * maxLevel, out.levels()[argMax]);
            assertEquals(maxLevel * (maxAbs / maxLevel), Math.abs(decoded[argMax]));
        }
        for (int i = 0; i < length; i++)
        {
            final float unit = out.blockScales()[i / 512] / maxLevel;
            assertTrue(Math.abs(decoded[i] - x[i]) <= unit * 1.0001f, "i=" + i);
            assertTrue(x[i] == 0.0f || decoded[i] == 0.0f || Math.signum(decoded[i]) == Math.signum(x[i]));
        }
    }

    @Test
    void shouldRepeatLevelsWhenSeedIsTheSame()
    {
        final float[] x = gaussian(8, 3000);
        final QsgdCompressor a = new QsgdCompressor(4, 256, x.length, new SplittableRandom(99));
        final QsgdCompressor b = new QsgdCompressor(4, 256, x.length, new SplittableRandom(99));
        final CompressedGradient outA = a.newOutput();
        final CompressedGradient outB = b.newOutput();
        a.compress(x, 0, x.length, outA);
        b.compress(x, 0, x.length, outB);
        assertArrayEquals(outA.levels(), outB.levels());
        assertArrayEquals(outA.blockScales(), outB.blockScales());
    }

    @Test
    void shouldPoisonOnlyTheBlockWhenItHoldsNanOrInfinity()
    {
        final float[] x = gaussian(3, 40);
        x[5] = Float.NaN;
        x[25] = Float.POSITIVE_INFINITY;
        final QsgdCompressor compressor = new QsgdCompressor(8, 10, x.length, new SplittableRandom(1));
        final CompressedGradient out = compressor.newOutput();
        compressor.compress(x, 0, x.length, out);
        final float[] decoded = new float[x.length];
        out.decompressInto(decoded, 0);
        for (int i = 0; i < x.length; i++)
        {
            final boolean poisoned = i / 10 == 0 || i / 10 == 2;
            assertEquals(poisoned, Float.isNaN(decoded[i]), "i=" + i);
        }
    }

    @Test
    void shouldSendZerosWhenBlockIsZero()
    {
        final float[] x = new float[20];
        x[15] = 2.0f;
        final QsgdCompressor compressor = new QsgdCompressor(4, 10, x.length, new SplittableRandom(1));
        final CompressedGradient out = compressor.newOutput();
        compressor.compress(x, 0, x.length, out);
        final float[] decoded = new float[x.length];
        out.decompressInto(decoded, 0);
        assertArrayEquals(x, decoded);
        assertEquals(0.0f, out.blockScales()[0]);
    }

    @Test
    void shouldRejectConfigurationWhenBitsOrBlockSizeInvalid()
    {
        assertThrows(IllegalArgumentException.class, () -> new QsgdCompressor(2, 512, 10, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> new QsgdCompressor(8, 0, 10, new SplittableRandom(1)));
        assertEquals("qsgd:8", new QsgdCompressor(8, 512, 10, new SplittableRandom(1)).spec());
        assertEquals("qsgd:4:64", new QsgdCompressor(4, 64, 10, new SplittableRandom(1)).spec());
    }
}
