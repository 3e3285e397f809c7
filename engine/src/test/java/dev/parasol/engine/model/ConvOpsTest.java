package dev.parasol.engine.model;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ConvOpsTest
{
    @Test
    void shouldTakeEachTapsPixelOrZeroWhenUnfolding()
    {
        final SplittableRandom random = new SplittableRandom(1);
        final int channels = 3;
        final int side = 6;
        final int k = 5;
        final float[] x = randomArray(random, 2 + channels * side * side);
        final float[] cols = new float[channels * k * k * side * side];
        // Unfold another image first: the buffer is reused and its padding must stay zero.
        ConvOps.im2col(randomArray(random, x.length), 2, channels, side, side, k, cols);
        ConvOps.im2col(x, 2, channels, side, side, k, cols);
        for (int c = 0; c < channels; c++)
        {
            for (int kh = 0; kh < k; kh++)
            {
                for (int kw = 0; kw < k; kw++)
                {
                    for (int oh = 0; oh < side; oh++)
                    {
                        for (int ow = 0; ow < side; ow++)
                        {
                            final int ih = oh + kh - 2;
                            final int iw = ow + kw - 2;
                            final boolean inside = ih >= 0 && ih < side && iw >= 0 && iw < side;
                            final float expected = inside ? x[2 + (c * side + ih) * side + iw] : 0.0f;
                            final int index = (((c * k + kh) * k + kw) * side + oh) * side + ow;
                            assertEquals(expected, cols[index], 0.0f, "c=" + c + " kh=" + kh + " kw=" + kw);
                        }
                    }
                }
            }
        }
    }

    @Test
    void shouldBeAdjointOfUnfoldingWhenFolding()
    {
        // <im2col(x), y> = <x, col2im(y)> for all x, y: col2im is the transpose of the linear map im2col.
        final SplittableRandom random = new SplittableRandom(2);
        final int channels = 4;
        final int side = 14;
        final int k = 5;
        final float[] x = randomArray(random, channels * side * side);
        final float[] y = randomArray(random, channels * k * k * side * side);
        final float[] cols = new float[y.length];
        ConvOps.im2col(x, 0, channels, side, side, k, cols);
        double left = 0.0;
        for (int i = 0; i < y.length; i++)
        {
            left += (double)cols[i] * y[i];
        }
        final float[] folded = new float[x.length + 4];
        ConvOps.col2imAdd(y.clone(), channels, side, side, k, folded, 2);
        double right = 0.0;
        for (int i = 0; i < x.length; i++)
        {
            right += (double)x[i] * folded[2 + i];
        }
        assertEquals(left, right, 1e-4 * Math.abs(left));
    }

    @Test
    void shouldKeepFirstMaximumWhenPoolingTies()
    {
        // Two 4x4 channels from index 1; ties among equal values go to the first in row-major order.
        final float[] planes = {
            -1,
            1, 1, 0, 2,
            0, 1, 2, 2,
            0, 0, 5, 4,
            0, 0, 3, 5,

            0, 0, 0, 0,
            0, 7, 0, 0,
            0, 0, Float.NaN, 0,
            0, 0, 0, 0,
        };
        final float[] pooled = new float[1 + 8];
        final int[] indices = new int[1 + 8];
        ConvOps.maxPool2(planes, 1, 2, 4, 4, pooled, 1, indices);
        assertArrayEquals(new float[] { 0, 1, 2, 0, 5, 7, 0, 0, Float.NaN }, pooled, 0.0f);
        assertArrayEquals(new int[] { 0, 0, 3, 8, 10, 21, 18, 24, 26 }, indices);
    }

    @Test
    void shouldAgreeWithComparisonsWhenPoolingRandomReluOutputs()
    {
        final SplittableRandom random = new SplittableRandom(4);
        final int channels = 3;
        final int side = 8;
        final float[] in = new float[channels * side * side];
        for (int i = 0; i < in.length; i++)
        {
            // Half exact zeros, as after a ReLU, so that ties are frequent.
            in[i] = random.nextBoolean() ? 0.0f : (float)random.nextDouble();
        }
        final float[] out = new float[in.length / 4];
        final int[] argMax = new int[in.length / 4];
        ConvOps.maxPool2(in, 0, channels, side, side, out, 0, argMax);
        int o = 0;
        for (int c = 0; c < channels; c++)
        {
            for (int py = 0; py < side / 2; py++)
            {
                for (int px = 0; px < side / 2; px++)
                {
                    int best = (c * side + 2 * py) * side + 2 * px;
                    for (final int candidate : new int[] { best + 1, best + side, best + side + 1 })
                    {
                        best = in[candidate] > in[best] ? candidate : best;
                    }
                    assertEquals(best, argMax[o]);
                    assertEquals(in[best], out[o], 0.0f);
                    o++;
                }
            }
        }
    }

    private static float[] randomArray(final SplittableRandom random, final int length)
    {
        final float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)random.nextDouble(-1.0, 1.0);
        }
        return values;
    }
}
