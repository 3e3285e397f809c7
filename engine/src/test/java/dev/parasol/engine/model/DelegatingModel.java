package dev.parasol.engine.model;

import java.util.SplittableRandom;

/**
 * A model that forwards every call, for tests that alter one behaviour.
 */
abstract class DelegatingModel implements Model
{
    private final Model delegate;

    DelegatingModel(final Model delegate)
    {
        this.delegate = delegate;
    }

    @Override
    public String name()
    {
        return delegate.name();
    }

    @Override
    public ParameterLayout layout()
    {
        return delegate.layout();
    }

    @Override
    public int inputSize()
    {
        return delegate.inputSize();
    }

    @Override
    public int classes()
    {
        return delegate.classes();
    }

    @Override
    public int maxBatch()
    {
        return delegate.maxBatch();
    }

    @Override
    public void initialiseInPlace(final float[] params, final SplittableRandom random)
    {
        delegate.initialiseInPlace(params, random);
    }

    @Override
    public double lossAndGradient(
        final float[] params, final float[] inputs, final int[] labels, final int batch, final float[] gradient)
    {
        return delegate.lossAndGradient(params, inputs, labels, batch, gradient);
    }

    @Override
    public double evaluate(
        final float[] params, final float[] inputs, final int[] labels, final int batch, final int[] predictions)
    {
        return delegate.evaluate(params, inputs, labels, batch, predictions);
    }
}
