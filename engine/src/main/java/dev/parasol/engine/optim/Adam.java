package dev.parasol.engine.optim;

import java.util.Arrays;

/**
 * Adam (Kingma and Ba 2015, "Adam: A Method for Stochastic Optimization", Algorithm 1) with bias correction:
 * {@code m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= scale * eta * mhat / (sqrt(vhat) + eps)}.
 * The bias correction uses the optimiser's step count; a sparse step is lazy, as LazyAdam (see {@link Optimiser}).
 */
public final class Adam implements Optimiser
{
    private final OptimiserConfig config;
    private float[] firstMoment = new float[0];
    private float[] secondMoment = new float[0];
    private long steps;

    /**
     * Construct from a configuration.
     *
     * @param config the hyperparameters; learning rate, beta1, beta2 and epsilon are used.
     */
    public Adam(final OptimiserConfig config)
    {
        this.config = config;
    }

    /**
     * {@inheritDoc}
     */
    public void initialise(final int length)
    {
        firstMoment = new float[length];
        secondMoment = new float[length];
        steps = 0;
    }

    /**
     * {@inheritDoc}
     */
    public void stepDenseInPlace(
        final float[] params,
        final int paramOffset,
        final float[] gradient,
        final int gradOffset,
        final int length,
        final float scale)
    {
        steps++;
        final float b1 = config.beta1();
        final float b2 = config.beta2();
        final float eps = config.epsilon();
        final float rate = stepSize(scale);
        final float[] m = firstMoment;
        final float[] v = secondMoment;
        final float vCorrection = (float)(1.0 / Math.sqrt(1.0 - Math.pow(b2, steps)));
        for (int i = 0; i < length; i++)
        {
            final float g = gradient[gradOffset + i];
            final float mi = b1 * m[i] + (1.0f - b1) * g;
            final float vi = b2 * v[i] + (1.0f - b2) * g * g;
            m[i] = mi;
            v[i] = vi;
            params[paramOffset + i] -= rate * mi / ((float)Math.sqrt(vi) * vCorrection + eps);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void stepSparseInPlace(
        final float[] params,
        final int paramOffset,
        final int[] indices,
        final float[] values,
        final int count,
        final float scale)
    {
        steps++;
        final float b1 = config.beta1();
        final float b2 = config.beta2();
        final float eps = config.epsilon();
        final float rate = stepSize(scale);
        final float[] m = firstMoment;
        final float[] v = secondMoment;
        final float vCorrection = (float)(1.0 / Math.sqrt(1.0 - Math.pow(b2, steps)));
        for (int i = 0; i < count; i++)
        {
            final int j = indices[i];
            final float g = values[i];
            final float mj = b1 * m[j] + (1.0f - b1) * g;
            final float vj = b2 * v[j] + (1.0f - b2) * g * g;
            m[j] = mj;
            v[j] = vj;
            params[paramOffset + j] -= rate * mj / ((float)Math.sqrt(vj) * vCorrection + eps);
        }
    }

    private float stepSize(final float scale)
    {
        // mhat = m / (1 - b1^t); folding the correction into the rate keeps the loop to one division.
        return (float)(scale * config.learningRate() / (1.0 - Math.pow(config.beta1(), steps)));
    }

    /**
     * {@inheritDoc}
     */
    public void reset()
    {
        Arrays.fill(firstMoment, 0.0f);
        Arrays.fill(secondMoment, 0.0f);
        steps = 0;
    }

    /**
     * {@inheritDoc}
     */
    public Optimiser copy()
    {
        return new Adam(config);
    }

    /**
     * {@inheritDoc}
     */
    public OptimiserConfig config()
    {
        return config;
    }

    /**
     * {@inheritDoc}
     */
    public float[][] state()
    {
        return new float[][] {firstMoment, secondMoment};
    }

    /**
     * {@inheritDoc}
     */
    public long steps()
    {
        return steps;
    }

    /**
     * {@inheritDoc}
     */
    public void restore(final float[][] state, final long steps)
    {
        Optimiser.copyState(state, state(), steps);
        this.steps = steps;
    }
}
