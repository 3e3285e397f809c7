package dev.parasol.engine.model;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mean loss is an average over examples, so its gradient on a batch is the average of the single-example
 * gradients. Checks batch 1 and a full batch against each other.
 */
final class BatchIdentity
{
    private BatchIdentity()
    {
    }

    static void check(final Model model, final int batch, final double inputScale)
    {
        final SplittableRandom random = new SplittableRandom(13);
        final int size = model.layout().size();
        final float[] params = new float[size];
        model.initialiseInPlace(params, random);
        for (int i = 0; i < size; i++)
        {
            params[i] += (float)(inputScale * random.nextGaussian());
        }
        final int features = model.inputSize();
        final float[] inputs = new float[batch * features];
        final int[] labels = new int[batch];
        for (int i = 0; i < inputs.length; i++)
        {
            inputs[i] = (float)random.nextDouble();
        }
        for (int n = 0; n < batch; n++)
        {
            labels[n] = random.nextInt(model.classes());
        }

        final float[] full = new float[size];
        final double fullLoss = model.lossAndGradient(params, inputs, labels, batch, full);

        final double[] mean = new double[size];
        final float[] single = new float[size];
        final float[] oneInput = new float[features];
        final int[] oneLabel = new int[1];
        double meanLoss = 0.0;
        for (int n = 0; n < batch; n++)
        {
            System.arraycopy(inputs, n * features, oneInput, 0, features);
            oneLabel[0] = labels[n];
            meanLoss += model.lossAndGradient(params, oneInput, oneLabel, 1, single) / batch;
            for (int i = 0; i < size; i++)
            {
                mean[i] += (double)single[i] / batch;
            }
        }
        assertEquals(meanLoss, fullLoss, 1e-5 * Math.max(1.0, meanLoss), model.name() + " loss");
        double maxAbs = 0.0;
        double maxDiff = 0.0;
        for (int i = 0; i < size; i++)
        {
            maxAbs = Math.max(maxAbs, Math.abs(mean[i]));
            maxDiff = Math.max(maxDiff, Math.abs(mean[i] - full[i]));
        }
        assertTrue(maxAbs > 0.0, model.name() + " gradient is zero");
        assertTrue(maxDiff <= 1e-4 * maxAbs, model.name() + " max difference " + maxDiff + " of " + maxAbs);
    }
}
