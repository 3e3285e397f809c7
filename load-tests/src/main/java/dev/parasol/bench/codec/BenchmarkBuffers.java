package dev.parasol.bench.codec;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Inputs shared by the codec benchmarks: buffers like the ones Aeron hands out, and top-k index sets.
 */
final class BenchmarkBuffers
{
    /**
     * Job id written into every benchmark message and expected by every benchmark decoder.
     */
    static final long JOB_ID = 1L;

    private BenchmarkBuffers()
    {
    }

    /**
     * An off-heap buffer, as Aeron's term buffers and claims are, or an on-heap one.
     */
    static UnsafeBuffer allocate(final String kind, final int capacity)
    {
        return "DIRECT".equals(kind) ?
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity)) : new UnsafeBuffer(new byte[capacity]);
    }

    /**
     * Sorted distinct indices in [0, bound), uniformly random: the top-k of a gradient without structure.
     */
    static int[] sortedDistinct(final SplittableRandom random, final int bound, final int count)
    {
        final BitSet chosen = new BitSet(bound);
        final int[] result = new int[count];
        int n = 0;
        while (n < count)
        {
            final int candidate = random.nextInt(bound);
            if (!chosen.get(candidate))
            {
                chosen.set(candidate);
                result[n++] = candidate;
            }
        }
        Arrays.sort(result);
        return result;
    }

    /**
     * Gradient-like values: small, centred, finite.
     */
    static float[] gaussian(final SplittableRandom random, final int count)
    {
        final float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(random.nextGaussian() * 0.01);
        }
        return values;
    }
}
