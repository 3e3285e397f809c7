package dev.parasol.engine.train;

import dev.parasol.engine.data.InMemoryDataset;
import dev.parasol.engine.model.Workload;
import dev.parasol.engine.optim.OptimiserConfig;
import dev.parasol.engine.optim.OptimiserConfig.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class BaselineTrainerTest
{
    private static final int FEATURES = 784;
    private static final int CLASSES = 10;

    @Test
    void shouldReachTargetAndStopWhenDataIsSeparable()
    {
        final InMemoryDataset train = blobs(2_000, 1);
        final InMemoryDataset test = blobs(500, 2);
        final List<Evaluation> seen = new ArrayList<>();
        final BaselineResult result = trainer(config(1, 0.95, 20)).train(train, test, seen::add);

        assertTrue(result.targetReached(), "target not reached: " + result.finalTestAccuracy());
        assertTrue(result.finalTestAccuracy() >= 0.95);
        assertTrue(result.epochs() < 20, "should stop early at the target, ran " + result.epochs());
        assertEquals(seen, result.evaluations());
        assertEquals(result.steps() * 64, result.samples(), 64.0 * result.steps());
        assertNotNull(result.timeToTargetSeconds());
        assertFalse(result.diverged());
    }

    @Test
    void shouldEvaluateEveryQuarterEpochAndStopAtBudgetWhenTargetIsOutOfReach()
    {
        final InMemoryDataset train = blobs(1_280, 3);
        final BaselineResult result = trainer(config(1, 2.0, 2))
            .train(train, blobs(200, 4), BaselineTrainerTest::ignore);

        assertNull(result.timeToTargetSeconds());
        assertEquals(8, result.evaluations().size());
        assertTrue(result.samples() >= 2 * 1_280 && result.samples() < 2 * 1_280 + 64, "samples=" + result.samples());
        for (int i = 0; i < 8; i++)
        {
            assertEquals(0.25 * (i + 1), result.evaluations().get(i).epoch(), 0.06, "evaluation " + i);
        }
    }

    @Test
    void shouldBeDeterministicForSeedWhenRunOnTwoThreads()
    {
        final InMemoryDataset train = blobs(1_000, 5);
        final InMemoryDataset test = blobs(200, 6);
        final BaselineResult first = trainer(config(2, 2.0, 1)).train(train, test, BaselineTrainerTest::ignore);
        final BaselineResult second = trainer(config(2, 2.0, 1)).train(train, test, BaselineTrainerTest::ignore);

        assertEquals(2, first.threads());
        assertEquals(first.steps(), second.steps());
        assertArrayEquals(first.parameterVector(), second.parameterVector(), 0.0f);
        assertTrue(first.finalTestAccuracy() > 0.5, "two threads should learn too: " + first.finalTestAccuracy());
    }

    @Test
    void shouldReportDivergenceWhenLearningRateExplodes()
    {
        final BaselineConfig exploding = new BaselineConfig("W1", Workload.W1::create,
            OptimiserConfig.of(Kind.SGD, Float.MAX_VALUE), 64, 5, 2.0, 1, 7, 4);
        final BaselineResult result = trainer(exploding)
            .train(blobs(1_000, 7), blobs(100, 8), BaselineTrainerTest::ignore);

        assertTrue(result.diverged());
        assertTrue(result.epochs() <= 0.5, "should stop at the first evaluation after a non-finite loss");
    }

    @Test
    void shouldNameEveryBadFieldWhenConfigIsInvalid()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new BaselineConfig("W1", Workload.W1::create, OptimiserConfig.of(Kind.SGD, 0.1f), 0, -1, 0.9, 0, 1,
            0));
        final String message = ex.getMessage();
        assertTrue(message.contains("batchSize=0"), message);
        assertTrue(message.contains("epochs=-1"), message);
        assertTrue(message.contains("threads=0"), message);
        assertTrue(message.contains("evaluationsPerEpoch=0"), message);
    }

    private static void ignore(final Evaluation evaluation)
    {
    }

    private static BaselineTrainer trainer(final BaselineConfig config)
    {
        return new BaselineTrainer(config, "test");
    }

    private static BaselineConfig config(final int threads, final double target, final double epochs)
    {
        return new BaselineConfig("W1", Workload.W1::create, OptimiserConfig.of(Kind.SGD, 0.1f), 64, epochs, target,
            threads, 42, 4);
    }

    /**
     * Ten Gaussian blobs in 784 dimensions, one per class, far enough apart to be separable by a linear model.
     */
    static InMemoryDataset blobs(final int size, final long seed)
    {
        final SplittableRandom means = new SplittableRandom(99);
        final float[][] centre = new float[CLASSES][FEATURES];
        for (int c = 0; c < CLASSES; c++)
        {
            for (int f = 0; f < FEATURES; f++)
            {
                centre[c][f] = means.nextDouble() < 0.1 ? 1.0f : 0.0f;
            }
        }
        final SplittableRandom random = new SplittableRandom(seed);
        final float[] features = new float[size * FEATURES];
        final int[] labels = new int[size];
        for (int i = 0; i < size; i++)
        {
            final int label = random.nextInt(CLASSES);
            labels[i] = label;
            for (int f = 0; f < FEATURES; f++)
            {
                features[i * FEATURES + f] = centre[label][f] + (float)(0.3 * gaussian(random));
            }
        }
        return new InMemoryDataset(features, labels, FEATURES, CLASSES);
    }

    private static double gaussian(final SplittableRandom random)
    {
        final double u = 1.0 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
