package dev.parasol.engine.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Analytic gradients against central finite differences of an independent double-precision forward pass
 * ({@link ReferenceNetworks}), on 30 random coordinates of every tensor (all of a tensor smaller than that).
 * <p>
 * Metric: {@code |a - n| / max(|a| + |n|, 1e-4)}, with {@code a} the model's float gradient and {@code n} the
 * difference quotient. In double, with step {@code 1e-6}, the quotient's truncation error (order step squared) and
 * rounding error (order 1e-16 / step) are both below 1e-9, so what is measured is the float error of the analytic
 * gradient: below 1e-5 on every tensor (largest seen 7.8e-6, on conv1.weight). The tolerance {@value #TOLERANCE}
 * leaves a hundredfold margin for other BLAS implementations and seeds, yet a gradient only 1% off gives about
 * 5e-3 (see the negative control below) and a wrong index, transpose or missing term gives errors of order 1.
 * <p>
 * Kinks: ReLU and max pooling are not differentiable where a ReLU input is 0 or a pooling window ties. The
 * reference pass fingerprints every ReLU sign and every arg-max; a coordinate whose step {@code +h} or {@code -h}
 * changes the fingerprint straddles a kink and is skipped (counted; at most a fifth of a tensor's samples may be).
 */
@Timeout(120)
class GradientCheckTest
{
    private static final double STEP = 1e-6;
    private static final double TOLERANCE = 1e-3;
    private static final double FLOOR = 1e-4;
    private static final int SAMPLES_PER_TENSOR = 30;

    @Test
    void shouldMatchFiniteDifferencesWhenSoftmaxRegression()
    {
        final Model model = Workload.W1.create(4);
        final double worst = check(model, ReferenceNetworks.mlp(model.layout(), 784, 10), 4, 101);
        assertTrue(worst < TOLERANCE, "worst relative error " + worst);
    }

    @Test
    void shouldMatchFiniteDifferencesWhenMlp()
    {
        final Model model = Workload.W2.create(4);
        final double worst = check(model, ReferenceNetworks.mlp(model.layout(), 784, 256, 128, 10), 4, 102);
        assertTrue(worst < TOLERANCE, "worst relative error " + worst);
    }

    @Test
    void shouldMatchFiniteDifferencesWhenConvNet()
    {
        final Model model = Workload.W3.create(2);
        final double worst = check(model, ReferenceNetworks.cnn(model.layout()), 2, 103);
        assertTrue(worst < TOLERANCE, "worst relative error " + worst);
    }

    @Test
    void shouldDetectWrongGradientWhenOneTensorIsScaled()
    {
        // The checker must have teeth: a gradient 1% off in one tensor fails it.
        final Model model = Workload.W1.create(4);
        final ParameterLayout layout = model.layout();
        final Model wrong = new DelegatingModel(model)
        {
            @Override
            public double lossAndGradient(
                final float[] params, final float[] inputs, final int[] labels, final int batch, final float[] g)
            {
                final double loss = model.lossAndGradient(params, inputs, labels, batch, g);
                final TensorSpec bias = layout.tensor("fc1.bias");
                for (int i = bias.offset(); i < bias.end(); i++)
                {
                    g[i] *= 1.01f;
                }
                return loss;
            }
        };
        final double worst = check(wrong, ReferenceNetworks.mlp(layout, 784, 10), 4, 104);
        assertTrue(worst > TOLERANCE, "a 1% error went unnoticed: worst relative error " + worst);
    }

    private static double check(
        final Model model, final ReferenceNetworks.Forward reference, final int batch, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final ParameterLayout layout = model.layout();
        final float[] params = new float[layout.size()];
        model.initialiseInPlace(params, random);
        // Move off the special point of zero biases (and zero weights for softmax regression).
        for (int i = 0; i < params.length; i++)
        {
            params[i] += (float)(0.01 * random.nextGaussian());
        }
        final float[] inputs = new float[batch * model.inputSize()];
        for (int i = 0; i < inputs.length; i++)
        {
            inputs[i] = (float)random.nextDouble();
        }
        final int[] labels = new int[batch];
        for (int i = 0; i < batch; i++)
        {
            labels[i] = random.nextInt(model.classes());
        }

        final float[] gradient = new float[layout.size()];
        final double loss = model.lossAndGradient(params, inputs, labels, batch, gradient);
        final double[] p = new double[params.length];
        for (int i = 0; i < p.length; i++)
        {
            p[i] = params[i];
        }
        final ReferenceNetworks.Result base = reference.apply(p, inputs, labels, batch);
        assertEquals(base.loss(), loss, 1e-5 * Math.max(1.0, base.loss()), "float loss against double reference");

        double worst = 0.0;
        for (final TensorSpec tensor : layout.tensors())
        {
            final int samples = Math.min(SAMPLES_PER_TENSOR, tensor.size());
            int skipped = 0;
            double worstInTensor = 0.0;
            for (int s = 0; s < samples; s++)
            {
                final int i = tensor.offset() + (samples == tensor.size() ? s : random.nextInt(tensor.size()));
                final double original = p[i];
                p[i] = original + STEP;
                final ReferenceNetworks.Result plus = reference.apply(p, inputs, labels, batch);
                p[i] = original - STEP;
                final ReferenceNetworks.Result minus = reference.apply(p, inputs, labels, batch);
                p[i] = original;
                if (plus.pattern() != base.pattern() || minus.pattern() != base.pattern())
                {
                    skipped++;
                    continue;
                }
                final double numeric = (plus.loss() - minus.loss()) / (2 * STEP);
                final double analytic = gradient[i];
                final double error =
                    Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), FLOOR);
                worstInTensor = Math.max(worstInTensor, error);
            }
            assertTrue(skipped <= samples / 5, tensor + ": " + skipped + " of " + samples + " samples at a kink");
            System.out.printf("%s %s: worst relative error %.3g over %d samples, %d skipped at kinks%n",
                model.name(), tensor.name(), worstInTensor, samples - skipped, skipped);
            worst = Math.max(worst, worstInTensor);
        }
        return worst;
    }
}
