package dev.parasol.engine.train;

import dev.parasol.engine.model.Model;
import dev.parasol.engine.optim.OptimiserConfig;

import java.util.function.IntFunction;

/**
 * What the baseline trainer runs: a model, an optimiser, a batch size, how long, and on how many threads.
 *
 * @param workloadName       name reported, e.g. {@code W2}.
 * @param modelFactory       builds one model instance for a maximum batch size; called once per thread and once
 *                           for evaluation.
 * @param optimiser          the optimiser and its hyperparameters.
 * @param batchSize          examples per gradient, per thread.
 * @param epochs             passes over the training set before stopping, at most; fractions allowed.
 * @param targetAccuracy     test accuracy at which training stops; a value above 1 disables the early stop.
 * @param threads            compute threads; each computes a gradient on its own IID slice, and the gradients of
 *                           one step are applied one after another, as a parameter server applies pushes under BSP.
 * @param seed               seed of every random choice: initialisation, partition and batch order.
 * @param evaluationsPerEpoch how often the full test set is evaluated; 4 = every quarter epoch.
 */
public record BaselineConfig(
    String workloadName,
    IntFunction<Model> modelFactory,
    OptimiserConfig optimiser,
    int batchSize,
    double epochs,
    double targetAccuracy,
    int threads,
    long seed,
    int evaluationsPerEpoch)
{
    /**
     * Validate every field, naming all those out of range.
     *
     * @param workloadName        name reported.
     * @param modelFactory        builds a model for a maximum batch size.
     * @param optimiser           the optimiser.
     * @param batchSize           examples per gradient, per thread.
     * @param epochs              passes over the training set, at most.
     * @param targetAccuracy      test accuracy at which to stop.
     * @param threads             compute threads.
     * @param seed                seed of every random choice.
     * @param evaluationsPerEpoch evaluations of the test set per epoch.
     */
    public BaselineConfig
    {
        final StringBuilder errors = new StringBuilder();
        if (modelFactory == null)
        {
            errors.append(" modelFactory=null");
        }
        if (optimiser == null)
        {
            errors.append(" optimiser=null");
        }
        if (batchSize < 1)
        {
            errors.append(" batchSize=").append(batchSize).append(" (expected >= 1)");
        }
        if (!(epochs > 0) || Double.isInfinite(epochs))
        {
            errors.append(" epochs=").append(epochs).append(" (expected > 0)");
        }
        if (!(targetAccuracy > 0))
        {
            errors.append(" targetAccuracy=").append(targetAccuracy).append(" (expected > 0)");
        }
        if (threads < 1 || threads > 256)
        {
            errors.append(" threads=").append(threads).append(" (expected in [1, 256])");
        }
        if (evaluationsPerEpoch < 1)
        {
            errors.append(" evaluationsPerEpoch=").append(evaluationsPerEpoch).append(" (expected >= 1)");
        }
        if (errors.length() > 0)
        {
            throw new IllegalArgumentException("invalid baseline configuration:" + errors);
        }
    }
}
