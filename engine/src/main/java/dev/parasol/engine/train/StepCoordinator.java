package dev.parasol.engine.train;

import dev.parasol.engine.optim.Optimiser;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The barrier action of the baseline: runs on one thread while all others wait, so it may touch the parameters.
 * Applies the gradients of a step, keeps the counts, evaluates on schedule and decides when to stop.
 */
final class StepCoordinator
{
    private final BaselineConfig config;
    private final int trainSize;
    private final float[] params;
    private final Optimiser optimiser;
    private final GradientTask[] tasks;
    private final TestSetEvaluator evaluator;
    private final Consumer<Evaluation> listener;
    private final long samplesPerEvaluation;
    private final long sampleBudget;
    private final List<Evaluation> evaluations = new ArrayList<>();

    private volatile boolean done;
    private long startNs;
    private long evaluationNs;
    private long samples;
    private long steps;
    private long nextEvaluationAt;
    private double lossSum;
    private long lossBatches;
    private Double timeToTargetSeconds;
    private boolean diverged;
    private long endNs;

    StepCoordinator(
        final BaselineConfig config,
        final int trainSize,
        final float[] params,
        final Optimiser optimiser,
        final GradientTask[] tasks,
        final TestSetEvaluator evaluator,
        final Consumer<Evaluation> listener)
    {
        this.config = config;
        this.trainSize = trainSize;
        this.params = params;
        this.optimiser = optimiser;
        this.tasks = tasks;
        this.evaluator = evaluator;
        this.listener = listener;
        this.samplesPerEvaluation = Math.max(1, trainSize / config.evaluationsPerEpoch());
        this.sampleBudget = (long)Math.ceil(config.epochs() * trainSize);
        this.nextEvaluationAt = samplesPerEvaluation;
    }

    void start()
    {
        startNs = System.nanoTime();
    }

    boolean isDone()
    {
        return done;
    }

    void onAllGradientsReady()
    {
        for (final GradientTask task : tasks)
        {
            if (!Double.isFinite(task.lastLoss()))
            {
                diverged = true;
            }
            optimiser.stepDenseInPlace(params, 0, task.gradient(), 0, params.length, 1.0f);
            samples += task.lastBatch();
            lossSum += task.lastLoss();
            lossBatches++;
        }
        steps++;

        final boolean outOfBudget = samples >= sampleBudget;
        if (samples >= nextEvaluationAt || outOfBudget || diverged)
        {
            diverged |= !allFinite(params);
            nextEvaluationAt += samplesPerEvaluation;
            final boolean targetReached = evaluate();
            done = targetReached || outOfBudget || diverged;
        }
        if (done)
        {
            endNs = System.nanoTime();
        }
    }

    private static boolean allFinite(final float[] values)
    {
        for (final float v : values)
        {
            if (!Float.isFinite(v))
            {
                return false;
            }
        }
        return true;
    }

    private boolean evaluate()
    {
        final long evalStart = System.nanoTime();
        final double accuracy = evaluator.accuracy(params);
        final long now = System.nanoTime();
        evaluationNs += now - evalStart;
        final double elapsed = (now - startNs) / 1e9;
        final Evaluation evaluation = new Evaluation(
            (double)samples / trainSize,
            steps,
            lossBatches == 0 ? Double.NaN : lossSum / lossBatches,
            evaluator.lastLoss(),
            accuracy,
            samplesPerSecond(now),
            elapsed);
        lossSum = 0;
        lossBatches = 0;
        evaluations.add(evaluation);
        listener.accept(evaluation);
        if (accuracy >= config.targetAccuracy() && timeToTargetSeconds == null)
        {
            timeToTargetSeconds = elapsed;
        }
        return timeToTargetSeconds != null;
    }

    private double samplesPerSecond(final long nowNs)
    {
        final long computeNs = nowNs - startNs - evaluationNs;
        return computeNs <= 0 ? 0.0 : samples * 1e9 / computeNs;
    }

    BaselineResult result(final String workloadName, final String blas)
    {
        final Evaluation last = evaluations.isEmpty() ? null : evaluations.get(evaluations.size() - 1);
        return new BaselineResult(
            workloadName,
            (double)samples / trainSize,
            steps,
            samples,
            last == null ? Double.NaN : last.testAccuracy(),
            last == null ? Double.NaN : last.testLoss(),
            config.targetAccuracy(),
            timeToTargetSeconds,
            samplesPerSecond(endNs),
            (endNs - startNs) / 1e9,
            params.length,
            tasks.length,
            blas,
            diverged,
            List.copyOf(evaluations),
            params.clone());
    }
}
