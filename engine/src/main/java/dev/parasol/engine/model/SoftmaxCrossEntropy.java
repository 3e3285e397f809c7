package dev.parasol.engine.model;

import dev.parasol.engine.exceptions.EngineException;

/**
 * Mean softmax cross-entropy over a batch of logits, computed stably: each row's maximum is subtracted before
 * exponentiating, so {@code log sum exp} never overflows and the loss of a row is {@code lse - z[label]}.
 */
final class SoftmaxCrossEntropy
{
    private SoftmaxCrossEntropy()
    {
    }

    /**
     * Mean loss and its gradient with respect to the logits, {@code (softmax(z) - onehot(label)) / batch}.
     *
     * @param logits  {@code batch x classes}, row-major.
     * @param labels  class of each row.
     * @param batch   number of rows.
     * @param classes number of columns.
     * @param delta   receives the gradient, {@code batch x classes}; may not alias logits.
     * @return the mean loss.
     */
    static double lossAndDelta(
        final float[] logits, final int[] labels, final int batch, final int classes, final float[] delta)
    {
        final float invBatch = 1.0f / batch;
        double total = 0.0;
        for (int i = 0; i < batch; i++)
        {
            final int row = i * classes;
            final int label = checkLabel(labels, i, classes);
            final float max = rowMax(logits, row, classes);
            double sum = 0.0;
            for (int j = 0; j < classes; j++)
            {
                final double e = Math.exp(logits[row + j] - max);
                delta[row + j] = (float)e;
                sum += e;
            }
            total += Math.log(sum) + max - logits[row + label];
            final float scale = (float)(invBatch / sum);
            for (int j = 0; j < classes; j++)
            {
                delta[row + j] *= scale;
            }
            delta[row + label] -= invBatch;
        }
        return total / batch;
    }

    /**
     * Mean loss and the arg-max class of each row (the first one on ties).
     *
     * @param logits      {@code batch x classes}, row-major.
     * @param labels      class of each row.
     * @param batch       number of rows.
     * @param classes     number of columns.
     * @param predictions receives the arg-max of each row; may be null.
     * @return the mean loss.
     */
    static double loss(
        final float[] logits, final int[] labels, final int batch, final int classes, final int[] predictions)
    {
        double total = 0.0;
        for (int i = 0; i < batch; i++)
        {
            final int row = i * classes;
            final int label = checkLabel(labels, i, classes);
            int best = 0;
            float max = logits[row];
            for (int j = 1; j < classes; j++)
            {
                if (logits[row + j] > max)
                {
                    max = logits[row + j];
                    best = j;
                }
            }
            // The same arithmetic as lossAndDelta, so both report bit-identical losses.
            double sum = 0.0;
            for (int j = 0; j < classes; j++)
            {
                sum += Math.exp(logits[row + j] - max);
            }
            total += Math.log(sum) + max - logits[row + label];
            if (predictions != null)
            {
                predictions[i] = best;
            }
        }
        return total / batch;
    }

    private static float rowMax(final float[] logits, final int row, final int classes)
    {
        float max = logits[row];
        for (int j = 1; j < classes; j++)
        {
            max = Math.max(max, logits[row + j]);
        }
        return max;
    }

    private static int checkLabel(final int[] labels, final int i, final int classes)
    {
        final int label = labels[i];
        if (label < 0 || label >= classes)
        {
            throw new EngineException("labels[" + i + "]=" + label + " is not a class in [0, " + classes + ")");
        }
        return label;
    }
}
