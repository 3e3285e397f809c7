package dev.parasol.engine.compress;

import dev.parasol.engine.model.KeyRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class ErrorFeedbackTest
{
    private static final int START = 37;
    private static final int LENGTH = 40_123;

    private static float[] gradient(final SplittableRandom random, final int length, final int step)
    {
        final float[] g = new float[length];
        for (int i = 0; i < length; i++)
        {
            final double heavyTail = Math.exp(random.nextGaussian() * 2);
            g[i] = step % 3 == 2 && random.nextInt(7) == 0 ? 0.0f :
                (float)(random.nextGaussian() * heavyTail * 1e-2);
        }
        return g;
    }

    private static double norm(final float[] x)
    {
        double sum = 0.0;
        for (final float v : x)
        {
            sum += (double)v * v;
        }
        return Math.sqrt(sum);
    }

    /**
     * The residual norm is summed in double, for sparse gradients by difference from the accumulated sum of squares:
     * its square may be off by about length * 2^-53 of the accumulated sum of squares, bounded here by 1e-9 of it.
     */
    private static void assertResidualNorm(final float[] residual, final ErrorFeedback feedback)
    {
        final double expected = norm(residual);
        final double accumulated = feedback.accumulatedNorm();
        assertEquals(expected * expected, feedback.residualNorm() * feedback.residualNorm(),
            1e-9 * accumulated * accumulated);
    }

    @ParameterizedTest
    @ValueSource(strings = {"topk:0.01", "topk:0.3", "randk:0.05", "dense", "topk:1"})
    void shouldKeepSentPlusResidualEqualToGradientPlusOldResidualExactlyWhenSparseOrDense(final String spec)
    {
        final SplittableRandom random = new SplittableRandom(spec.hashCode());
        final Compressor compressor = CompressorSpec.parse(spec).newCompressor(LENGTH, random.split());
        final ErrorFeedback feedback = new ErrorFeedback(compressor, new KeyRange(2, START, START + LENGTH));
        final CompressedGradient out = compressor.newOutput();
        final float[] oldResidual = new float[LENGTH];
        final float[] newResidual = new float[LENGTH];
        final float[] sent = new float[LENGTH];
        for (int step = 0; step < 8; step++)
        {
            final float[] g = gradient(random, START + LENGTH + 5, step);
            feedback.copyResidualTo(oldResidual, 0);
            assertEquals(out, feedback.step(g, out));
            feedback.copyResidualTo(newResidual, 0);
            out.decompressInto(sent, 0);
            for (int i = 0; i < LENGTH; i++)
            {
                final float x = g[START + i] + oldResidual[i];
                assertTrue(sent[i] + newResidual[i] == x,
                    spec + " step=" + step + " i=" + i + " sent=" + sent[i] + " residual=" + newResidual[i] +
                    " x=" + x);
                assertTrue(sent[i] == 0.0f || newResidual[i] == 0.0f, "a coordinate is either sent or kept");
            }
            assertResidualNorm(newResidual, feedback);
        }
    }

    /**
     * QSGD and sign: r = fl(x - q) cannot always be exact (see ErrorFeedback). Asserted: for every coordinate
     * |q + r - x| <= ulp(r) / 2 in exact arithmetic (BigDecimal); exact equality whenever q == 0 or q / 2 <= x <= 2q
     * (Sterbenz); and, with this data, that inexact coordinates do occur, so the documented limit is real.
     */
    @ParameterizedTest
    @ValueSource(strings = {"qsgd:8", "qsgd:4", "qsgd:4:64", "sign", "sign:16"})
    void shouldBoundTheResidualRoundingAndBeExactUnderSterbenzWhenQuantised(final String spec)
    {
        final SplittableRandom random = new SplittableRandom(spec.hashCode());
        final Compressor compressor = CompressorSpec.parse(spec).newCompressor(LENGTH, random.split());
        final ErrorFeedback feedback = new ErrorFeedback(compressor, new KeyRange(0, START, START + LENGTH));
        final CompressedGradient out = compressor.newOutput();
        final float[] oldResidual = new float[LENGTH];
        final float[] newResidual = new float[LENGTH];
        final float[] sent = new float[LENGTH];
        int inexact = 0;
        int sterbenz = 0;
        for (int step = 0; step < 4; step++)
        {
            final float[] g = gradient(random, START + LENGTH, step);
            feedback.copyResidualTo(oldResidual, 0);
            feedback.step(g, out);
            feedback.copyResidualTo(newResidual, 0);
            out.decompressInto(sent, 0);
            for (int i = 0; i < LENGTH; i++)
            {
                final float x = g[START + i] + oldResidual[i];
                final float q = sent[i];
                final float r = newResidual[i];
                final BigDecimal error = new BigDecimal(q).add(new BigDecimal(r)).subtract(new BigDecimal(x)).abs();
                assertTrue(error.compareTo(new BigDecimal(Math.ulp(r) / 2.0)) <= 0,
                    spec + " i=" + i + " q=" + q + " r=" + r + " x=" + x);
                final boolean sameSign = (q > 0 && x > 0) || (q < 0 && x < 0);
                if (q == 0.0f || (sameSign && Math.abs(q) / 2 <= Math.abs(x) && Math.abs(x) <= 2 * Math.abs(q)))
                {
                    sterbenz++;
                    assertEquals(0, error.signum(), spec + " Sterbenz case i=" + i + " q=" + q + " x=" + x);
                }
                inexact += error.signum() != 0 ? 1 : 0;
            }
            assertResidualNorm(newResidual, feedback);
        }
        assertTrue(sterbenz > LENGTH, spec + " sterbenz=" + sterbenz);
        assertTrue(inexact > 0, spec + " found no inexact residual; the documented limit would be wrong");
    }

    /**
     * Each step sends exactly the k largest magnitudes of gradient plus residual, the residual carrying what earlier
     * steps did not send.
     */
    @Test
    void shouldSendExactlyTheTopKOfGradientPlusResidualAtEveryStep()
    {
        final SplittableRandom random = new SplittableRandom(21);
        final TopKCompressor compressor = new TopKCompressor(0.01, LENGTH, random.split());
        final ErrorFeedback feedback = new ErrorFeedback(compressor, new KeyRange(1, START, START + LENGTH));
        final CompressedGradient out = compressor.newOutput();
        final float[] x = new float[LENGTH];
        for (int step = 0; step < 10; step++)
        {
            final float[] g = gradient(random, START + LENGTH, step);
            feedback.copyResidualTo(x, 0);
            for (int i = 0; i < LENGTH; i++)
            {
                x[i] += g[START + i];
            }

            feedback.step(g, out);

            final int[] expected = TopKCompressorTest.referenceTopK(x, 0, LENGTH, compressor.entriesFor(LENGTH));
            assertArrayEquals(expected, Arrays.copyOf(out.indices(), out.count()), "step " + step);
        }
    }

    @Test
    void shouldKeepTheFullGradientAsResidualUntilSentWhenTopK()
    {
        final TopKCompressor compressor = new TopKCompressor(0.25, 4, new SplittableRandom(1));
        final ErrorFeedback feedback = new ErrorFeedback(compressor, new KeyRange(0, 0, 4));
        final CompressedGradient out = compressor.newOutput();
        final float[] residual = new float[4];

        feedback.step(new float[]{1, -4, 2, 3}, out);
        assertEquals(1, out.count());
        assertEquals(1, out.indices()[0]);
        feedback.copyResidualTo(residual, 0);
        assertArrayEquals(new float[]{1, 0, 2, 3}, residual);
        assertEquals(Math.sqrt(14), feedback.residualNorm(), 1e-12);
        assertEquals(Math.sqrt(30), feedback.accumulatedNorm(), 1e-12);

        feedback.step(new float[]{1, 1, 1.5f, 0}, out);
        assertEquals(2, out.indices()[0], "2 + 1.5 beats 1 + 1, 0 + 1 and 3 + 0");
        feedback.copyResidualTo(residual, 0);
        assertArrayEquals(new float[]{2, 1, 0, 3}, residual);

        feedback.resetInPlace();
        feedback.copyResidualTo(residual, 0);
        assertArrayEquals(new float[4], residual);
        assertEquals(0.0, feedback.residualNorm());

        feedback.loadResidualInPlace(new float[]{9, 3, 4, 0, 0}, 1);
        feedback.copyResidualTo(residual, 0);
        assertArrayEquals(new float[]{3, 4, 0, 0}, residual);
        assertEquals(5.0, feedback.residualNorm(), 1e-12);
    }

    @Test
    void shouldKeepNanVisibleWhenGradientDiverges()
    {
        final TopKCompressor compressor = new TopKCompressor(0.5, 4, new SplittableRandom(1));
        final ErrorFeedback feedback = new ErrorFeedback(compressor, new KeyRange(0, 0, 4));
        final CompressedGradient out = compressor.newOutput();
        feedback.step(new float[]{1, Float.NaN, 2, 3}, out);
        assertEquals(1, out.indices()[0]);
        assertTrue(Float.isNaN(out.values()[0]));
        assertTrue(Double.isNaN(feedback.residualNorm()));
        assertTrue(Double.isNaN(feedback.accumulatedNorm()));
    }

    @Test
    void shouldRejectRangeWhenLongerThanCompressorCapacity()
    {
        final Compressor compressor = new DenseCompressor(10);
        final IllegalArgumentException e = assertThrows(
            IllegalArgumentException.class, () -> new ErrorFeedback(compressor, new KeyRange(0, 5, 16)));
        assertTrue(e.getMessage().contains("maxLength=10"), e.getMessage());
        final ErrorFeedback feedback = new ErrorFeedback(compressor, new KeyRange(0, 5, 15));
        assertThrows(IndexOutOfBoundsException.class, () -> feedback.step(new float[14], compressor.newOutput()));
    }
}
