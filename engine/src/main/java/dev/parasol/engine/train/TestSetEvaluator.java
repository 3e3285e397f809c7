package dev.parasol.engine.train;

import dev.parasol.engine.data.InMemoryDataset;
import dev.parasol.engine.model.Model;

/**
 * Evaluates a parameter vector on a whole data set in fixed-size chunks, reusing its buffers between calls.
 */
public final class TestSetEvaluator
{
    private final InMemoryDataset dataset;
    private final Model model;
    private final float[] inputs;
    private final int[] labels;
    private final int[] predictions;
    private double lastLoss;

    /**
     * Construct an evaluator.
     *
     * @param dataset the data set to evaluate on, typically the full test set.
     * @param model   a model instance used only by this evaluator; its maximum batch is the chunk size.
     */
    public TestSetEvaluator(final InMemoryDataset dataset, final Model model)
    {
        this.dataset = dataset;
        this.model = model;
        this.inputs = new float[model.maxBatch() * dataset.featureCount()];
        this.labels = new int[model.maxBatch()];
        this.predictions = new int[model.maxBatch()];
    }

    /**
     * Evaluate the parameters on every example of the data set.
     *
     * @param params the flat parameter vector.
     * @return the fraction of examples classified correctly; the mean loss is then {@link #lastLoss()}.
     */
    public double accuracy(final float[] params)
    {
        final int size = dataset.size();
        final int chunk = model.maxBatch();
        long correct = 0;
        double lossSum = 0;
        for (int start = 0; start < size; start += chunk)
        {
            final int count = Math.min(chunk, size - start);
            dataset.copyRange(start, count, inputs, labels);
            lossSum += model.evaluate(params, inputs, labels, count, predictions) * count;
            for (int i = 0; i < count; i++)
            {
                if (predictions[i] == labels[i])
                {
                    correct++;
                }
            }
        }
        lastLoss = lossSum / size;
        return (double)correct / size;
    }

    /**
     * Get the mean loss of the last call to {@link #accuracy(float[])}.
     *
     * @return the mean loss.
     */
    public double lastLoss()
    {
        return lastLoss;
    }
}
