package dev.parasol.engine.model;

import java.util.SplittableRandom;

/**
 * Weight initialisation schemes, each writing a slice of the flat parameter vector.
 * <p>
 * He (Kaiming) normal keeps the variance of activations constant through ReLU layers: He, Zhang, Ren and Sun,
 * "Delving Deep into Rectifiers", ICCV 2015. Glorot uniform suits a layer without ReLU after it (the logits):
 * Glorot and Bengio, "Understanding the difficulty of training deep feedforward neural networks", AISTATS 2010.
 */
final class Initialisers
{
    private Initialisers()
    {
    }

    /**
     * Normal with mean 0 and standard deviation {@code sqrt(2 / fanIn)}.
     *
     * @param params the flat vector.
     * @param offset first index to fill.
     * @param length number of elements.
     * @param fanIn  inputs per output unit.
     * @param random the seeded source.
     */
    static void heNormal(
        final float[] params, final int offset, final int length, final int fanIn, final SplittableRandom random)
    {
        final double std = Math.sqrt(2.0 / fanIn);
        for (int i = offset; i < offset + length; i++)
        {
            params[i] = (float)(random.nextGaussian() * std);
        }
    }

    /**
     * Uniform on {@code [-l, l)} with {@code l = sqrt(6 / (fanIn + fanOut))}.
     *
     * @param params the flat vector.
     * @param offset first index to fill.
     * @param length number of elements.
     * @param fanIn  inputs per output unit.
     * @param fanOut outputs per input unit.
     * @param random the seeded source.
     */
    static void glorotUniform(
        final float[] params,
        final int offset,
        final int length,
        final int fanIn,
        final int fanOut,
        final SplittableRandom random)
    {
        final double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        for (int i = offset; i < offset + length; i++)
        {
            params[i] = (float)random.nextDouble(-limit, limit);
        }
    }
}
