package dev.parasol.engine.train;

import dev.parasol.engine.data.MiniBatchIterator;
import dev.parasol.engine.model.Model;

/**
 * One thread's share of a baseline step: draw its next mini-batch and compute the gradient on the shared parameters,
 * into buffers it owns. Allocates nothing per step.
 */
final class GradientTask
{
    private final Model model;
    private final MiniBatchIterator batches;
    private final float[] params;
    private final float[] inputs;
    private final int[] labels;
    private final float[] gradient;
    private double lastLoss;
    private int lastBatch;

    GradientTask(final Model model, final MiniBatchIterator batches, final float[] params)
    {
        this.model = model;
        this.batches = batches;
        this.params = params;
        this.inputs = new float[batches.batchSize() * model.inputSize()];
        this.labels = new int[batches.batchSize()];
        this.gradient = new float[params.length];
    }

    void computeGradient()
    {
        lastBatch = batches.nextBatch(inputs, labels);
        lastLoss = model.lossAndGradient(params, inputs, labels, lastBatch, gradient);
    }

    float[] gradient()
    {
        return gradient;
    }

    double lastLoss()
    {
        return lastLoss;
    }

    int lastBatch()
    {
        return lastBatch;
    }
}
