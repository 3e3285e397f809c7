package dev.parasol.engine.linalg;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class ReferenceGemmTest
{
    @Test
    void shouldComputeHandCheckedProductWhenNaive()
    {
        // A^T stored as 3x2: A = [[1, 2, 3], [4, 5, 6]]; B = [[1, 0], [0, 1], [1, 1]]; 2 A B + 1 C, C = 1.
        final float[] aT = { 1, 4, 2, 5, 3, 6 };
        final float[] b = { 1, 0, 0, 1, 1, 1 };
        final float[] c = { 1, 1, 1, 1 };
        ReferenceGemm.naive(true, false, 2, 2, 3, 2.0f, aT, 0, 2, b, 0, 2, 1.0f, c, 0, 2);
        assertArrayEquals(new float[] { 9, 11, 21, 23 }, c, 0.0f);
    }

    @Test
    void shouldAgreeWithNaiveLoopWhenLoopOrderIsIkj()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final int m = 6;
        final int n = 5;
        final int k = 7;
        for (final boolean transA : new boolean[] { false, true })
        {
            for (final boolean transB : new boolean[] { false, true })
            {
                final float[] a = new float[m * k];
                final float[] b = new float[k * n];
                final float[] c = new float[m * n];
                fill(random, a);
                fill(random, b);
                fill(random, c);
                final float[] expected = c.clone();
                final int lda = transA ? m : k;
                final int ldb = transB ? k : n;
                ReferenceGemm.naive(transA, transB, m, n, k, 0.5f, a, 0, lda, b, 0, ldb, 2.0f, expected, 0, n);
                ReferenceGemm.ikj(transA, transB, m, n, k, 0.5f, a, 0, lda, b, 0, ldb, 2.0f, c, 0, n);
                assertArrayEquals(expected, c, 1e-5f, "transA=" + transA + " transB=" + transB);
            }
        }
    }

    private static void fill(final SplittableRandom random, final float[] values)
    {
        for (int i = 0; i < values.length; i++)
        {
            values[i] = (float)random.nextDouble(-1.0, 1.0);
        }
    }
}
