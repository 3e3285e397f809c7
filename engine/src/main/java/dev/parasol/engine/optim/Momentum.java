package dev.parasol.engine.optim;

import java.util.Arrays;

/**
 * SGD with heavy-ball momentum (Polyak 1964), in the form PyTorch uses:
 * {@code v = mu * v + g; w -= scale * eta * v}. A sparse step is lazy: velocity decays only where a coordinate is
 * updated (see {@link Optimiser}).
 */
public final class Momentum implements Optimiser
{
    private final OptimiserConfig config;
    private float[] velocity = new float[0];
    private long steps;

    /**
     * Construct from a configuration.
     *
     * @param config the hyperparameters; the learning rate and momentum are used.
     */
    public Momentum(final OptimiserConfig config)
    {
        this.config = config;
    }

    /**
     * {@inheritDoc}
     */
    public void initialise(final int length)
    {
        velocity = new float[length];
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
        final float rate = scale * config.learningRate();
        final float mu = config.momentum();
        final float[] v = velocity;
        for (int i = 0; i < length; i++)
        {
            final float vi = mu * v[i] + gradient[gradOffset + i];
            v[i] = vi;
            params[paramOffset + i] -= rate * vi;
        }
        steps++;
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
        final float rate = scale * config.learningRate();
        final float mu = config.momentum();
        final float[] v = velocity;
        for (int i = 0; i < count; i++)
        {
            final int j = indices[i];
            final float vj = mu * v[j] + values[i];
            v[j] = vj;
            params[paramOffset + j] -= rate * vj;
        }
        steps++;
    }

    /**
     * {@inheritDoc}
     */
    public void reset()
    {
        Arrays.fill(velocity, 0.0f);
        steps = 0;
    }

    /**
     * {@inheritDoc}
     */
    public Optimiser copy()
    {
        return new Momentum(config);
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
        return new float[][] {velocity};
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
