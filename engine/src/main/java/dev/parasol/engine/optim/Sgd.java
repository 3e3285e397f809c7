package dev.parasol.engine.optim;

/**
 * Stochastic gradient descent (Robbins and Monro 1951): {@code w -= scale * eta * g}. No state.
 */
public final class Sgd implements Optimiser
{
    private static final float[][] NO_STATE = new float[0][];

    private final OptimiserConfig config;
    private int length = -1;
    private long steps;

    /**
     * Construct from a configuration.
     *
     * @param config the hyperparameters; only the learning rate is used.
     */
    public Sgd(final OptimiserConfig config)
    {
        this.config = config;
    }

    /**
     * {@inheritDoc}
     */
    public void initialise(final int length)
    {
        this.length = length;
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
        for (int i = 0; i < length; i++)
        {
            params[paramOffset + i] -= rate * gradient[gradOffset + i];
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
        for (int i = 0; i < count; i++)
        {
            params[paramOffset + indices[i]] -= rate * values[i];
        }
        steps++;
    }

    /**
     * {@inheritDoc}
     */
    public void reset()
    {
        steps = 0;
    }

    /**
     * {@inheritDoc}
     */
    public Optimiser copy()
    {
        return new Sgd(config);
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
        return NO_STATE;
    }

    /**
     * {@inheritDoc}
     */
    public long steps()
    {
        return steps;
    }

    /**
     * Get the initialised length, or -1 before {@link #initialise(int)}.
     *
     * @return the length of the range.
     */
    public int length()
    {
        return length;
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
