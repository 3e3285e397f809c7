package dev.parasol.engine.train;

import java.util.List;

/**
 * What a baseline run reached.
 *
 * @param workloadName        the workload trained.
 * @param epochs              epochs completed (samples seen / training-set size).
 * @param steps               optimiser steps applied.
 * @param samples             training samples that went into gradients.
 * @param finalTestAccuracy   accuracy at the last evaluation.
 * @param finalTestLoss       test loss at the last evaluation.
 * @param targetAccuracy      the target the run stopped at, or would have.
 * @param timeToTargetSeconds wall time to the first evaluation at or above the target; null if never reached.
 * @param samplesPerSecond    training samples per second of compute, evaluations excluded.
 * @param wallSeconds         wall time of the whole run, evaluations included.
 * @param parameters          number of model parameters.
 * @param threads             compute threads.
 * @param blas                which matrix implementation ran.
 * @param diverged            true if a non-finite loss stopped the run.
 * @param evaluations         every evaluation, in order.
 * @param parameterVector     the trained parameters.
 */
public record BaselineResult(
    String workloadName,
    double epochs,
    long steps,
    long samples,
    double finalTestAccuracy,
    double finalTestLoss,
    double targetAccuracy,
    Double timeToTargetSeconds,
    double samplesPerSecond,
    double wallSeconds,
    int parameters,
    int threads,
    String blas,
    boolean diverged,
    List<Evaluation> evaluations,
    float[] parameterVector)
{
    /**
     * Did the run reach its target?
     *
     * @return true if some evaluation reached the target accuracy.
     */
    public boolean targetReached()
    {
        return timeToTargetSeconds != null;
    }
}
