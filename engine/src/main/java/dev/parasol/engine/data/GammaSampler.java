package dev.parasol.engine.data;

import java.util.SplittableRandom;

/**
 * Gamma and Dirichlet variates from a {@link SplittableRandom}.
 * <p>
 * Gamma(shape, 1) follows Marsaglia and Tsang, "A Simple Method for Generating Gamma Variables", ACM TOMS 26(3),
 * 2000: for shape {@code a >= 1}, squeeze-accept {@code d v} with {@code d = a - 1/3}, {@code v = (1 + c x)^3},
 * {@code c = 1 / sqrt(9 d)}, {@code x} standard normal; for {@code a < 1}, the boost
 * {@code Gamma(a) = Gamma(a + 1) U^(1/a)} from the same paper. Everything is kept in log space because for small
 * shapes (alpha = 0.01) {@code U^(1/a)} underflows to 0 in a double and a Dirichlet draw would become 0/0.
 * <p>
 * Normal variates come from Marsaglia's polar method rather than {@code RandomGenerator.nextGaussian()}, whose
 * algorithm is not specified, so that a seed gives the same partition on every JDK.
 */
final class GammaSampler
{
    private GammaSampler()
    {
    }

    /**
     * Draw the logarithm of a Gamma(shape, 1) variate.
     */
    static double logGamma(final double shape, final SplittableRandom random)
    {
        if (shape < 1.0)
        {
            // 1 - nextDouble() is in (0, 1], so its log is finite.
            return logGamma(shape + 1.0, random) + Math.log(1.0 - random.nextDouble()) / shape;
        }

        final double d = shape - 1.0 / 3.0;
        final double c = 1.0 / Math.sqrt(9.0 * d);
        while (true)
        {
            final double x = normal(random);
            final double t = 1.0 + c * x;
            if (t <= 0.0)
            {
                continue;
            }
            final double v = t * t * t;
            final double u = 1.0 - random.nextDouble();
            final double x2 = x * x;
            if (u < 1.0 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1.0 - v + Math.log(v)))
            {
                return Math.log(d) + Math.log(v);
            }
        }
    }

    /**
     * Draw proportions from a symmetric Dirichlet(alpha, ..., alpha) into {@code proportions}, which sum to 1.
     */
    static void dirichlet(final double alpha, final double[] proportions, final SplittableRandom random)
    {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < proportions.length; i++)
        {
            proportions[i] = logGamma(alpha, random);
            max = Math.max(max, proportions[i]);
        }

        double sum = 0.0;
        for (int i = 0; i < proportions.length; i++)
        {
            proportions[i] = Math.exp(proportions[i] - max);
            sum += proportions[i];
        }
        for (int i = 0; i < proportions.length; i++)
        {
            proportions[i] /= sum;
        }
    }

    /**
     * Standard normal variate by Marsaglia's polar method.
     */
    static double normal(final SplittableRandom random)
    {
        while (true)
        {
            final double u = 2.0 * random.nextDouble() - 1.0;
            final double v = 2.0 * random.nextDouble() - 1.0;
            final double s = u * u + v * v;
            if (s > 0.0 && s < 1.0)
            {
                return u * Math.sqrt(-2.0 * Math.log(s) / s);
            }
        }
    }
}
