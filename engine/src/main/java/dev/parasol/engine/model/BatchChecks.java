package dev.parasol.engine.model;

import dev.parasol.engine.exceptions.EngineException;

/**
 * Argument checks shared by the models' entry points. They cost a few comparisons per batch and allocate only
 * when they throw.
 */
final class BatchChecks
{
    private BatchChecks()
    {
    }

    /**
     * Check the arguments of a forward pass.
     *
     * @param model  the model.
     * @param params the flat parameter vector.
     * @param inputs the features.
     * @param labels the classes.
     * @param batch  the number of examples.
     */
    static void check(
        final Model model, final float[] params, final float[] inputs, final int[] labels, final int batch)
    {
        if (batch < 1 || batch > model.maxBatch())
        {
            throw new EngineException(
                "batch=" + batch + " must be in [1, " + model.maxBatch() + "] for " + model.name());
        }
        if (params.length < model.layout().size())
        {
            throw new EngineException(
                "params.length=" + params.length + " but " + model.name() + " has " + model.layout().size());
        }
        if (inputs.length < batch * model.inputSize())
        {
            throw new EngineException("inputs.length=" + inputs.length + " but batch=" + batch + " needs " +
                batch * model.inputSize());
        }
        if (labels.length < batch)
        {
            throw new EngineException("labels.length=" + labels.length + " but batch=" + batch);
        }
    }

    /**
     * Check the gradient buffer of a backward pass.
     *
     * @param model    the model.
     * @param gradient the buffer.
     */
    static void checkGradient(final Model model, final float[] gradient)
    {
        if (gradient.length < model.layout().size())
        {
            throw new EngineException(
                "gradient.length=" + gradient.length + " but " + model.name() + " has " + model.layout().size());
        }
    }

    /**
     * Check a prediction buffer, if any.
     *
     * @param predictions the buffer or null.
     * @param batch       the number of examples.
     */
    static void checkPredictions(final int[] predictions, final int batch)
    {
        if (predictions != null && predictions.length < batch)
        {
            throw new EngineException("predictions.length=" + predictions.length + " but batch=" + batch);
        }
    }

    /**
     * Check a maximum batch size at construction.
     *
     * @param maxBatch the size.
     */
    static void checkMaxBatch(final int maxBatch)
    {
        if (maxBatch < 1)
        {
            throw new EngineException("maxBatch=" + maxBatch + " must be at least 1");
        }
    }
}
