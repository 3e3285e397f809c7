package dev.parasol.engine.train;

/**
 * One evaluation of the model on the full test set during training.
 *
 * @param epoch            training progress in epochs (samples seen / training-set size).
 * @param steps            optimiser steps applied so far.
 * @param trainLoss        mean training loss of the batches since the previous evaluation.
 * @param testLoss         mean loss on the test set.
 * @param testAccuracy     fraction of the test set classified correctly.
 * @param samplesPerSecond training samples per second of compute since the start, evaluations excluded.
 * @param elapsedSeconds   wall time since training started, evaluations included.
 */
public record Evaluation(
    double epoch,
    long steps,
    double trainLoss,
    double testLoss,
    double testAccuracy,
    double samplesPerSecond,
    double elapsedSeconds)
{
}
