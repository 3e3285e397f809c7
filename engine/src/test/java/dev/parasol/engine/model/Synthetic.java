package dev.parasol.engine.model;

import java.util.SplittableRandom;

/**
 * Small generated classification problems that a model must learn in a few hundred steps.
 */
final class Synthetic
{
    final float[] inputs;
    final int[] labels;
    final int count;
    final int features;
    private final float[][] prototypes;

    private Synthetic(final float[] inputs, final int[] labels, final int features, final float[][] prototypes)
    {
        this.inputs = inputs;
        this.labels = labels;
        this.count = labels.length;
        this.features = features;
        this.prototypes = prototypes;
    }

    /**
     * Each class is a random prototype in [0, 1]^features; an example is its class's prototype plus Gaussian noise.
     * The classes are linearly separable with high probability, though no single feature separates them.
     */
    static Synthetic prototypes(
        final SplittableRandom random, final int count, final int features, final int classes, final double noise)
    {
        final float[][] prototypes = new float[classes][features];
        for (final float[] p : prototypes)
        {
            for (int i = 0; i < features; i++)
            {
                p[i] = (float)random.nextDouble();
            }
        }
        return sample(random, count, prototypes, noise);
    }

    /**
     * Class c is a bright 8x8 square at one of ten places of a 28x28 image, on a noisy background.
     */
    static Synthetic squares(final SplittableRandom random, final int count, final double noise)
    {
        final float[][] prototypes = new float[10][784];
        for (int c = 0; c < 10; c++)
        {
            final int top = 2 + (c / 5) * 12;
            final int left = 1 + (c % 5) * 5;
            for (int r = top; r < top + 8; r++)
            {
                for (int col = left; col < left + 8 && col < 28; col++)
                {
                    prototypes[c][r * 28 + col] = 1.0f;
                }
            }
        }
        return sample(random, count, prototypes, noise);
    }

    /**
     * More examples of the same classes.
     */
    Synthetic sameClasses(final SplittableRandom random, final int count, final double noise)
    {
        return sample(random, count, prototypes, noise);
    }

    private static Synthetic sample(
        final SplittableRandom random, final int count, final float[][] prototypes, final double noise)
    {
        final int features = prototypes[0].length;
        final float[] inputs = new float[count * features];
        final int[] labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            final int c = random.nextInt(prototypes.length);
            labels[n] = c;
            for (int i = 0; i < features; i++)
            {
                inputs[n * features + i] = (float)(prototypes[c][i] + noise * random.nextGaussian());
            }
        }
        return new Synthetic(inputs, labels, features, prototypes);
    }

    static double accuracy(final Model model, final float[] params, final Synthetic data)
    {
        final int[] predictions = new int[data.count];
        model.evaluate(params, data.inputs, data.labels, data.count, predictions);
        int correct = 0;
        for (int n = 0; n < data.count; n++)
        {
            correct += predictions[n] == data.labels[n] ? 1 : 0;
        }
        return (double)correct / data.count;
    }

    /**
     * Plain mini-batch SGD over consecutive batches of the data, wrapping around.
     */
    static void sgd(
        final Model model,
        final float[] params,
        final Synthetic data,
        final float learningRate,
        final int steps,
        final int batch)
    {
        final float[] gradient = new float[params.length];
        final float[] inputs = new float[batch * data.features];
        final int[] labels = new int[batch];
        int next = 0;
        for (int step = 0; step < steps; step++)
        {
            if (next + batch > data.count)
            {
                next = 0;
            }
            System.arraycopy(data.inputs, next * data.features, inputs, 0, batch * data.features);
            System.arraycopy(data.labels, next, labels, 0, batch);
            next += batch;
            model.lossAndGradient(params, inputs, labels, batch, gradient);
            for (int i = 0; i < params.length; i++)
            {
                params[i] -= learningRate * gradient[i];
            }
        }
    }
}
