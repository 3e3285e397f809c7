package dev.parasol.engine.optim;

import dev.parasol.engine.optim.OptimiserConfig.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptimiserTest
{
    private static final int LENGTH = 64;
    private static final int OFFSET = 10;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldMatchDenseStepWhenSparseStepNamesEveryCoordinate(final Kind kind)
    {
        final OptimiserConfig config = OptimiserConfig.of(kind, 0.05f);
        final Optimiser dense = config.newOptimiser();
        final Optimiser sparse = config.newOptimiser();
        dense.initialise(LENGTH);
        sparse.initialise(LENGTH);
        final float[] denseParams = randomVector(OFFSET + LENGTH, 1);
        final float[] sparseParams = denseParams.clone();
        final int[] all = new int[LENGTH];
        for (int i = 0; i < LENGTH; i++)
        {
            all[i] = i;
        }
        for (int step = 0; step < 5; step++)
        {
            final float[] g = randomVector(LENGTH, 100 + step);
            dense.stepDenseInPlace(denseParams, OFFSET, g, 0, LENGTH, 0.5f);
            sparse.stepSparseInPlace(sparseParams, OFFSET, all, g, LENGTH, 0.5f);
        }
        assertArrayEquals(denseParams, sparseParams, 0.0f);
        assertEquals(5, dense.steps());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldLeaveUnnamedCoordinatesAndOutsideRangeUntouchedWhenStepIsSparse(final Kind kind)
    {
        final Optimiser optimiser = OptimiserConfig.of(kind, 0.1f).newOptimiser();
        optimiser.initialise(LENGTH);
        final float[] params = randomVector(OFFSET + LENGTH + 5, 2);
        final float[] before = params.clone();
        final int[] indices = {0, 7, 63};
        final float[] values = {1.0f, -2.0f, 0.5f};
        optimiser.stepSparseInPlace(params, OFFSET, indices, values, 3, 1.0f);
        for (int i = 0; i < params.length; i++)
        {
            final int rel = i - OFFSET;
            final boolean named = rel == 0 || rel == 7 || rel == 63;
            if (named)
            {
                assertTrue(params[i] != before[i], "coordinate " + i + " should move");
            }
            else
            {
                assertEquals(before[i], params[i], 0.0f, "coordinate " + i + " should not move");
            }
        }
    }

    @Test
    void shouldFollowHeavyBallRecurrenceWhenMomentumSteps()
    {
        final Optimiser momentum = OptimiserConfig.of(Kind.MOMENTUM, 0.1f).newOptimiser();
        momentum.initialise(1);
        final float[] w = {1.0f};
        momentum.stepDenseInPlace(w, 0, new float[] {1.0f}, 0, 1, 1.0f);
        assertEquals(0.9f, w[0], 1e-7f);
        momentum.stepDenseInPlace(w, 0, new float[] {1.0f}, 0, 1, 1.0f);
        // v = 0.9 * 1 + 1 = 1.9; w = 0.9 - 0.19
        assertEquals(0.71f, w[0], 1e-6f);
    }

    @Test
    void shouldMatchDoublePrecisionReferenceWhenAdamSteps()
    {
        final OptimiserConfig config = OptimiserConfig.of(Kind.ADAM, 0.01f);
        final Optimiser adam = config.newOptimiser();
        adam.initialise(LENGTH);
        final float[] w = randomVector(LENGTH, 3);
        final double[] ref = new double[LENGTH];
        final double[] m = new double[LENGTH];
        final double[] v = new double[LENGTH];
        for (int i = 0; i < LENGTH; i++)
        {
            ref[i] = w[i];
        }
        for (int t = 1; t <= 20; t++)
        {
            final float[] g = randomVector(LENGTH, 200 + t);
            adam.stepDenseInPlace(w, 0, g, 0, LENGTH, 1.0f);
            for (int i = 0; i < LENGTH; i++)
            {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                final double mHat = m[i] / (1 - Math.pow(0.9, t));
                final double vHat = v[i] / (1 - Math.pow(0.999, t));
                ref[i] -= 0.01 * mHat / (Math.sqrt(vHat) + 1e-8);
            }
        }
        for (int i = 0; i < LENGTH; i++)
        {
            assertEquals(ref[i], w[i], 1e-5, "coordinate " + i);
        }
    }

    @Test
    void shouldMoveByLearningRateTimesSignWhenAdamTakesFirstStep()
    {
        final Optimiser adam = OptimiserConfig.of(Kind.ADAM, 0.01f).newOptimiser();
        adam.initialise(3);
        final float[] w = {0.0f, 0.0f, 0.0f};
        adam.stepDenseInPlace(w, 0, new float[] {5.0f, -0.001f, 300.0f}, 0, 3, 1.0f);
        assertArrayEquals(new float[] {-0.01f, 0.01f, -0.01f}, w, 1e-4f);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldScaleTheStepWhenScaleIsBelowOne(final Kind kind)
    {
        final OptimiserConfig config = OptimiserConfig.of(kind, 0.1f);
        final Optimiser full = config.newOptimiser();
        final Optimiser half = config.newOptimiser();
        full.initialise(1);
        half.initialise(1);
        final float[] a = {0.0f};
        final float[] b = {0.0f};
        full.stepDenseInPlace(a, 0, new float[] {2.0f}, 0, 1, 1.0f);
        half.stepDenseInPlace(b, 0, new float[] {2.0f}, 0, 1, 0.5f);
        assertEquals(a[0] / 2, b[0], 1e-7f);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldKeepConfigurationAndDropStateWhenCopied(final Kind kind)
    {
        final OptimiserConfig config = new OptimiserConfig(kind, 0.3f, 0.5f, 0.8f, 0.99f, 1e-6f);
        final Optimiser original = config.newOptimiser();
        original.initialise(4);
        original.stepDenseInPlace(new float[4], 0, new float[] {1, 1, 1, 1}, 0, 4, 1.0f);
        final Optimiser copy = original.copy();
        assertNotSame(original, copy);
        assertEquals(config, copy.config());
        assertEquals(0, copy.steps());
    }

    @Test
    void shouldNameEveryBadFieldWhenConfigurationIsInvalid()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new OptimiserConfig(Kind.ADAM, -1.0f, 1.5f, 0.9f, 1.0f, 0.0f));
        final String message = ex.getMessage();
        assertTrue(message.contains("learningRate=-1.0"), message);
        assertTrue(message.contains("momentum=1.5"), message);
        assertTrue(message.contains("beta2=1.0"), message);
        assertTrue(message.contains("epsilon=0.0"), message);
    }

    @Test
    void shouldRejectUnknownOptimiserName()
    {
        assertEquals(Kind.MOMENTUM, OptimiserConfig.parseKind("Momentum"));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> OptimiserConfig.parseKind("rmsprop"));
        assertTrue(ex.getMessage().contains("rmsprop"), ex.getMessage());
    }

    private static float[] randomVector(final int length, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final float[] v = new float[length];
        for (int i = 0; i < length; i++)
        {
            v[i] = (float)(random.nextDouble() * 2 - 1);
        }
        return v;
    }
}
