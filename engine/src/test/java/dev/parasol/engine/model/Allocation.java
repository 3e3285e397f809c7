package dev.parasol.engine.model;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

/**
 * Measures heap allocation of the calling thread across warmed-up passes of a model.
 */
final class Allocation
{
    private static final int MEASURED_CALLS = 20;

    private Allocation()
    {
    }

    /**
     * Bytes allocated by {@code MEASURED_CALLS} pairs of lossAndGradient and evaluate after {@code warmUpCalls}; the least of
     * three tries, so that a one-off allocation by the JVM itself (a deoptimisation, a class load) does not count.
     */
    static long bytesPerCall(final Model model, final int batch, final int warmUpCalls)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final SplittableRandom random = new SplittableRandom(17);
        final float[] params = new float[model.layout().size()];
        model.initialiseInPlace(params, random);
        final float[] gradient = new float[params.length];
        final float[] inputs = new float[batch * model.inputSize()];
        for (int i = 0; i < inputs.length; i++)
        {
            inputs[i] = (float)random.nextDouble();
        }
        final int[] labels = new int[batch];
        for (int n = 0; n < batch; n++)
        {
            labels[n] = random.nextInt(model.classes());
        }
        final int[] predictions = new int[batch];
        for (int i = 0; i < warmUpCalls; i++)
        {
            model.lossAndGradient(params, inputs, labels, batch, gradient);
            model.evaluate(params, inputs, labels, batch, predictions);
        }
        long least = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED_CALLS; i++)
            {
                model.lossAndGradient(params, inputs, labels, batch, gradient);
                model.evaluate(params, inputs, labels, batch, predictions);
            }
            final long after = threads.getCurrentThreadAllocatedBytes();
            least = Math.min(least, after - before);
        }
        return least;
    }
}
