package dev.parasol.engine.compress;

import dev.parasol.wire.Encoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class TopKCompressorTest
{
    private static final int[] LENGTHS = {1, 2, 3, 7, 64, 1000, 5000, 40_000, 120_000};
    private static final double[] RATIOS = {1e-9, 0.001, 0.01, 0.1, 0.37, 0.5, 0.99, 1.0};

    /**
     * The specification, independent of the implementation: order by |x| descending with NaN largest and
     * -0.0 == 0.0 (Float.compare on Math.abs), ties by ascending index; take k; sort the indices.
     */
    static int[] referenceTopK(final float[] x, final int offset, final int length, final int k)
    {
        final Integer[] order = IntStream.range(0, length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) ->
        {
            final int byMagnitude = Float.compare(Math.abs(x[offset + b]), Math.abs(x[offset + a]));
            return byMagnitude != 0 ? byMagnitude : Integer.compare(a, b);
        });
        final int[] top = new int[k];
        for (int j = 0; j < k; j++)
        {
            top[j] = order[j];
        }
        Arrays.sort(top);
        return top;
    }

    static float[] vector(final SplittableRandom random, final int length, final int flavour)
    {
        final float[] x = new float[length];
        for (int i = 0; i < length; i++)
        {
            switch (flavour)
            {
                case 0:
                    x[i] = (float)(random.nextGaussian() * 1e-3);
                    break;
                case 1:
                    x[i] = random.nextInt(5) - 2;
                    break;
                case 2:
                    x[i] = random.nextInt(100) == 0 ? (float)random.nextGaussian() : 0.0f;
                    break;
                case 3:
                    x[i] = -(float)Math.abs(random.nextGaussian());
                    break;
                case 4:
                    x[i] = random.nextBoolean() ? 0.0f : -0.0f;
                    break;
                default:
                    x[i] = (float)(Math.exp(random.nextGaussian() * 4) * (random.nextBoolean() ? 1 : -1));
                    break;
            }
        }
        return x;
    }

    private static void assertTopK(
        final TopKCompressor compressor, final float[] x, final int offset, final int length, final String context)
    {
        final CompressedGradient out = compressor.newOutput();
        compressor.compress(x, offset, length, out);
        final int k = compressor.entriesFor(length);
        final int[] expected = referenceTopK(x, offset, length, k);

        assertEquals(Encoding.SPARSE_F32, out.encoding(), context);
        assertEquals(length, out.length(), context);
        assertEquals(k, out.count(), context);
        assertArrayEquals(expected, Arrays.copyOf(out.indices(), out.count()), context);
        for (int j = 0; j < out.count(); j++)
        {
            assertEquals(Float.floatToRawIntBits(x[offset + out.indices()[j]]),
                Float.floatToRawIntBits(out.values()[j]), context);
            if (j > 0)
            {
                assertTrue(out.indices()[j] > out.indices()[j - 1], context);
            }
        }
        if (k > 0)
        {
            final float kth = (float)IntStream.of(expected).mapToDouble((i) -> Math.abs(x[offset + i])).min()
                .orElseThrow();
            assertEquals(Float.floatToIntBits(kth), Float.floatToIntBits(out.threshold()), context);
            assertEquals(out.threshold(), compressor.lastThreshold(), context);
        }
        out.validate();
    }

    @Test
    void shouldSelectExactlyTheKLargestMagnitudesWhenComparedWithFullSort()
    {
        final SplittableRandom random = new SplittableRandom(42);
        for (final int length : LENGTHS)
        {
            for (final double ratio : RATIOS)
            {
                for (int flavour = 0; flavour < 6; flavour++)
                {
                    if (length > 5000 && (ratio > 0.1 || flavour % 2 == 1))
                    {
                        continue;
                    }
                    final float[] x = vector(random, length, flavour);
                    final TopKCompressor compressor = new TopKCompressor(ratio, length, random.split());
                    assertTopK(compressor, x, 0, length,
                        "length=" + length + " ratio=" + ratio + " flavour=" + flavour);
                }
            }
        }
    }

    @Test
    void shouldSelectExactlyWhenEstimatesAreBadAndBufferIsTiny()
    {
        final SplittableRandom random = new SplittableRandom(7);
        int corrected = 0;
        int compacted = 0;
        for (int trial = 0; trial < 60; trial++)
        {
            final int length = 2000 + random.nextInt(3000);
            final double ratio = 0.005 + random.nextDouble() * 0.05;
            final int kMax = Compressors.entriesFor(ratio, length);
            final double margin = trial % 2 == 0 ? -20.0 : TopKCompressor.DEFAULT_MARGIN_SIGMAS;
            final TopKCompressor compressor = new TopKCompressor(
                ratio, length, random.split(), 1 + random.nextInt(64), 0, kMax + 1 + random.nextInt(3), margin);
            final float[] x = vector(random, length, trial % 6);
            assertTopK(compressor, x, 0, length, "trial=" + trial);
            corrected += compressor.lastScanCount() > 1 ? 1 : 0;
            compacted += compressor.lastCompactionCount() > 0 ? 1 : 0;
        }
        assertTrue(corrected > 0, "the correction rescan was never exercised");
        assertTrue(compacted > 0, "the buffer compaction was never exercised");
    }

    @Test
    void shouldSelectExactlyWhenRangeIsInsideALargerArray()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final float[] x = vector(random, 100_000, 5);
        final TopKCompressor compressor = new TopKCompressor(0.01, 60_000, random.split());
        assertTopK(compressor, x, 12_345, 60_000, "offset range");
        assertTopK(compressor, x, 99_999, 1, "single coordinate at the end");
        assertTopK(compressor, x, 500, 0, "empty range");
    }

    @Test
    void shouldUseOneScanWhenTheSampledThresholdHolds()
    {
        final SplittableRandom random = new SplittableRandom(11);
        final float[] x = vector(random, 235_146, 0);
        final TopKCompressor compressor = new TopKCompressor(0.01, x.length, random.split());
        final CompressedGradient out = compressor.newOutput();
        int oneScan = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            compressor.compress(x, 0, x.length, out);
            oneScan += compressor.lastScanCount() == 1 && compressor.lastCompactionCount() == 0 ? 1 : 0;
        }
        assertEquals(20, oneScan);
        assertEquals(2351, out.count());
        assertEquals(2351.0 / 235_146, out.density(), 1e-12);
    }

    @Test
    void shouldSendNanFirstThenInfinityWhenGradientDiverged()
    {
        final float[] x = new float[50_000];
        final SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)random.nextGaussian();
        }
        x[40_000] = Float.NEGATIVE_INFINITY;
        x[30_000] = Float.NaN;
        x[20_000] = Float.intBitsToFloat(0x7f800001);
        final TopKCompressor compressor = new TopKCompressor(1.0 / x.length, x.length, random.split());
        final CompressedGradient out = compressor.newOutput();

        compressor.compress(x, 0, x.length, out);
        assertEquals(1, out.count());
        assertEquals(20_000, out.indices()[0], "NaNs tie and the lower index wins");
        assertTrue(Float.isNaN(out.values()[0]));
        assertTrue(Float.isNaN(out.threshold()));

        final TopKCompressor three = new TopKCompressor(3.0 / x.length, x.length, random.split());
        final CompressedGradient outThree = three.newOutput();
        three.compress(x, 0, x.length, outThree);
        assertArrayEquals(new int[]{20_000, 30_000, 40_000}, Arrays.copyOf(outThree.indices(), 3));
        assertEquals(Float.POSITIVE_INFINITY, outThree.threshold());
    }

    @Test
    void shouldRoundKHalfUpWhenRatioTimesLengthIsFractional()
    {
        final TopKCompressor compressor = new TopKCompressor(0.01, 1000, new SplittableRandom(1));
        assertEquals(0, compressor.entriesFor(0));
        assertEquals(1, compressor.entriesFor(1));
        assertEquals(1, compressor.entriesFor(149));
        assertEquals(2, compressor.entriesFor(150));
        assertEquals(2351, compressor.entriesFor(235_146));
    }

    @Test
    void shouldRejectRangeWhenLongerThanCapacity()
    {
        final TopKCompressor compressor = new TopKCompressor(0.1, 10, new SplittableRandom(1));
        final CompressedGradient out = compressor.newOutput();
        final IllegalArgumentException e = assertThrows(
            IllegalArgumentException.class, () -> compressor.compress(new float[20], 0, 11, out));
        assertTrue(e.getMessage().contains("length=11"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> compressor.compress(new float[5], 0, 10, out));
        assertThrows(IllegalArgumentException.class, () -> new TopKCompressor(0.0, 10, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> new TopKCompressor(1.5, 10, new SplittableRandom(1)));
    }

    @Test
    void shouldMatchSortedSelectionWhenKeysHaveManyDuplicates()
    {
        final SplittableRandom random = new SplittableRandom(9);
        for (int trial = 0; trial < 200; trial++)
        {
            final int count = 1 + random.nextInt(300);
            final int[] keys = new int[count];
            for (int i = 0; i < count; i++)
            {
                keys[i] = random.nextInt(1 + trial % 7);
            }
            final int[] sorted = keys.clone();
            Arrays.sort(sorted);
            final int position = random.nextInt(count);
            assertEquals(sorted[position], TopKCompressor.selectInPlace(keys, count, position, random));
        }
    }
}
