package dev.parasol.engine.compress;

import dev.parasol.wire.Encoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class RandomKCompressorTest
{
    @Test
    void shouldSendExactlyKDistinctSortedIndicesWhenAnyLengthAndRatio()
    {
        final SplittableRandom data = new SplittableRandom(1);
        final int[] lengths = {1, 2, 63, 64, 65, 1000, 70_001};
        final double[] ratios = {1e-9, 0.01, 0.3, 0.5, 0.999, 1.0};
        for (final int length : lengths)
        {
            final float[] x = new float[length + 3];
            for (int i = 0; i < x.length; i++)
            {
                x[i] = (float)data.nextGaussian();
            }
            for (final double ratio : ratios)
            {
                final RandomKCompressor compressor = new RandomKCompressor(ratio, length, new SplittableRandom(length));
                final CompressedGradient out = compressor.newOutput();
                for (int repeat = 0; repeat < 3; repeat++)
                {
                    compressor.compress(x, 3, length, out);
                    final String context = "length=" + length + " ratio=" + ratio;
                    assertEquals(Encoding.SPARSE_F32, out.encoding(), context);
                    assertEquals(compressor.entriesFor(length), out.count(), context);
                    for (int j = 0; j < out.count(); j++)
                    {
                        final int index = out.indices()[j];
                        assertTrue(index >= 0 && index < length, context);
                        assertTrue(j == 0 || index > out.indices()[j - 1], context);
                        assertEquals(x[3 + index], out.values()[j], context);
                    }
                    out.validate();
                }
            }
        }
    }

    @Test
    void shouldRepeatIndicesWhenSeedIsTheSame()
    {
        final float[] x = new float[10_000];
        final RandomKCompressor a = new RandomKCompressor(0.01, x.length, new SplittableRandom(77));
        final RandomKCompressor b = new RandomKCompressor(0.01, x.length, new SplittableRandom(77));
        final RandomKCompressor c = new RandomKCompressor(0.01, x.length, new SplittableRandom(78));
        final CompressedGradient outA = a.newOutput();
        final CompressedGradient outB = b.newOutput();
        final CompressedGradient outC = c.newOutput();
        for (int step = 0; step < 5; step++)
        {
            a.compress(x, 0, x.length, outA);
            b.compress(x, 0, x.length, outB);
            c.compress(x, 0, x.length, outC);
            assertArrayEquals(Arrays.copyOf(outA.indices(), 100), Arrays.copyOf(outB.indices(), 100));
            assertFalse(Arrays.equals(Arrays.copyOf(outA.indices(), 100), Arrays.copyOf(outC.indices(), 100)));
        }
    }

    /**
     * Each index is in a uniform k-subset with probability k / n, so over T draws its count is Binomial(T, k / n):
     * mean T k / n = 2000, standard deviation sqrt(T (k / n) (1 - k / n)) = 42.4; every count must be within 5 of them.
     */
    @Test
    void shouldChooseEveryIndexWithProbabilityKOverNWhenDrawnManyTimes()
    {
        final int length = 100;
        final int trials = 20_000;
        final RandomKCompressor compressor = new RandomKCompressor(0.1, length, new SplittableRandom(5));
        final CompressedGradient out = compressor.newOutput();
        final int[] hits = new int[length];
        final float[] x = new float[length];
        for (int t = 0; t < trials; t++)
        {
            compressor.compress(x, 0, length, out);
            for (int j = 0; j < out.count(); j++)
            {
                hits[out.indices()[j]]++;
            }
        }
        final double sd = Math.sqrt(trials * 0.1 * 0.9);
        for (int i = 0; i < length; i++)
        {
            assertEquals(trials * 0.1, hits[i], 5 * sd, "index " + i);
        }
    }
}
