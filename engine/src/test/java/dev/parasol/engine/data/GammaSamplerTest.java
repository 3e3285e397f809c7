package dev.parasol.engine.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class GammaSamplerTest
{
    private static final int SAMPLES = 200_000;

    @Test
    void shouldMatchGammaMeanAndVarianceForSmallAndLargeShapes()
    {
        final SplittableRandom random = new SplittableRandom(17L);
        for (final double shape : new double[]{ 0.1, 0.5, 1.0, 2.5, 30.0 })
        {
            double sum = 0.0;
            double sumSquares = 0.0;
            for (int i = 0; i < SAMPLES; i++)
            {
                final double x = Math.exp(GammaSampler.logGamma(shape, random));
                sum += x;
                sumSquares += x * x;
            }
            final double mean = sum / SAMPLES;
            final double variance = sumSquares / SAMPLES - mean * mean;

            // Gamma(shape, 1) has mean = variance = shape; 6 standard errors of the mean.
            assertEquals(shape, mean, 6.0 * Math.sqrt(shape / SAMPLES), "mean, shape " + shape);
            assertEquals(shape, variance, 0.1 * shape, "variance, shape " + shape);
        }
    }

    @Test
    void shouldDrawDirichletProportionsThatSumToOneWithoutUnderflow()
    {
        final SplittableRandom random = new SplittableRandom(3L);
        final double[] p = new double[5];
        final double[] mean = new double[5];
        for (int i = 0; i < 20_000; i++)
        {
            GammaSampler.dirichlet(0.005, p, random);
            double sum = 0.0;
            for (int k = 0; k < p.length; k++)
            {
                assertTrue(p[k] >= 0.0 && !Double.isNaN(p[k]));
                sum += p[k];
                mean[k] += p[k] / 20_000;
            }
            assertEquals(1.0, sum, 1e-12);
        }
        for (final double m : mean)
        {
            // E[p_k] = 1/5 for a symmetric Dirichlet; with alpha tiny each draw is nearly one-hot, so allow 0.02.
            assertEquals(0.2, m, 0.02);
        }
    }

    @Test
    void shouldDrawStandardNormal()
    {
        final SplittableRandom random = new SplittableRandom(8L);
        double sum = 0.0;
        double sumSquares = 0.0;
        for (int i = 0; i < SAMPLES; i++)
        {
            final double x = GammaSampler.normal(random);
            sum += x;
            sumSquares += x * x;
        }

        assertEquals(0.0, sum / SAMPLES, 0.015);
        assertEquals(1.0, sumSquares / SAMPLES, 0.015);
    }
}
