package dev.parasol.engine.model;

import dev.parasol.engine.exceptions.EngineException;
import dev.parasol.engine.linalg.MatrixKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class MlpTest
{
    private static final double LN10 = Math.log(10.0);

    @Test
    void shouldHaveStatedParameterCountsAndPyTorchShapesWhenW1AndW2()
    {
        final Model w1 = Workload.W1.create(8);
        assertEquals(7_850, w1.layout().size());
        assertEquals("softmax-784-10", w1.name());
        assertArrayEquals(new int[] { 10, 784 }, w1.layout().tensor("fc1.weight").shape());
        assertArrayEquals(new int[] { 10 }, w1.layout().tensor("fc1.bias").shape());

        final Model w2 = Workload.W2.create(8);
        assertEquals(235_146, w2.layout().size());
        assertEquals("mlp-784-256-128-10", w2.name());
        assertEquals(
            "[fc1.weight[256, 784]@0, fc1.bias[256]@200704, fc2.weight[128, 256]@200960, fc2.bias[128]@233728, " +
            "fc3.weight[10, 128]@233856, fc3.bias[10]@235136]",
            w2.layout().tensors().toString());
        assertEquals(784, w2.inputSize());
        assertEquals(10, w2.classes());
        assertEquals(8, w2.maxBatch());
    }

    @Test
    void shouldStartNearLnTenWhenFreshlyInitialised()
    {
        final SplittableRandom random = new SplittableRandom(1);
        // Pixel-like inputs in [0, 1]: the He and Glorot scales keep the logits' spread small, so the loss
        // starts close to that of a uniform prediction.
        final Synthetic data = Synthetic.prototypes(random, 64, 784, 10, 0.0);
        for (final Workload w : new Workload[] { Workload.W1, Workload.W2 })
        {
            final Model model = w.create(64);
            final float[] params = new float[model.layout().size()];
            model.initialiseInPlace(params, random.split());
            final double loss = model.evaluate(params, data.inputs, data.labels, 64, null);
            assertEquals(LN10, loss, w == Workload.W1 ? 1e-6 : 0.5, w + " initial loss");
        }
    }

    @Test
    void shouldInitialiseReproduciblyWhenSeedIsFixed()
    {
        final Model model = Workload.W2.create(1);
        final float[] a = new float[model.layout().size()];
        final float[] b = new float[model.layout().size()];
        model.initialiseInPlace(a, new SplittableRandom(5));
        model.initialiseInPlace(b, new SplittableRandom(5));
        assertArrayEquals(a, b, 0.0f);
        final TensorSpec fc1 = model.layout().tensor("fc1.weight");
        double sumSquares = 0.0;
        for (int i = fc1.offset(); i < fc1.end(); i++)
        {
            sumSquares += a[i] * a[i];
        }
        // He normal: variance 2 / fan-in.
        assertEquals(2.0 / 784, sumSquares / fc1.size(), 0.05 * 2.0 / 784);
        final TensorSpec bias = model.layout().tensor("fc2.bias");
        for (int i = bias.offset(); i < bias.end(); i++)
        {
            assertEquals(0.0f, a[i]);
        }
    }

    @Test
    void shouldLearnSeparableProblemWhenTrainedWithSgd()
    {
        learn(Workload.W1, 0.1f, 200, 32);
        learn(Workload.W2, 0.05f, 200, 32);
    }

    @Test
    void shouldPredictArgMaxWhenWeightsAreHandBuilt()
    {
        // fc1.weight = identity on the first 10 features: the prediction is the index of the hot feature, and
        // ties (a hot feature beyond 9 gives all-zero logits) go to class 0.
        final Model model = Workload.W1.create(12);
        final float[] params = new float[model.layout().size()];
        for (int c = 0; c < 10; c++)
        {
            params[c * 784 + c] = 1.0f;
        }
        final float[] inputs = new float[12 * 784];
        final int[] labels = new int[12];
        for (int n = 0; n < 12; n++)
        {
            inputs[n * 784 + n] = 3.0f;
        }
        final int[] predictions = new int[12];
        model.evaluate(params, inputs, labels, 12, predictions);
        assertArrayEquals(new int[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0 }, predictions);
    }

    @Test
    void shouldPredictArgMaxOfReferenceLogitsWhenMlp()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final Model model = Workload.W2.create(16);
        final float[] params = new float[model.layout().size()];
        model.initialiseInPlace(params, random);
        final Synthetic data = Synthetic.prototypes(random, 16, 784, 10, 1.0);
        final int[] predictions = new int[16];
        final double loss = model.evaluate(params, data.inputs, data.labels, 16, predictions);

        final double[] p = new double[params.length];
        for (int i = 0; i < p.length; i++)
        {
            p[i] = params[i];
        }
        final ReferenceNetworks.Result reference = ReferenceNetworks.mlp(model.layout(), 784, 256, 128, 10)
            .apply(p, data.inputs, data.labels, 16);
        assertEquals(reference.loss(), loss, 1e-5);
        for (int n = 0; n < 16; n++)
        {
            int best = 0;
            for (int c = 1; c < 10; c++)
            {
                if (reference.logits()[n * 10 + c] > reference.logits()[n * 10 + best])
                {
                    best = c;
                }
            }
            assertEquals(best, predictions[n], "example " + n);
        }
    }

    @Test
    void shouldAverageSingleExampleGradientsWhenBatchIsMax()
    {
        for (final Workload w : new Workload[] { Workload.W1, Workload.W2 })
        {
            BatchIdentity.check(w.create(8), 8, 0.01);
        }
    }

    @Test
    void shouldAgreeWithEvaluateWhenComputingLossAndGradient()
    {
        final SplittableRandom random = new SplittableRandom(8);
        final Model model = Workload.W2.create(32);
        final float[] params = new float[model.layout().size()];
        model.initialiseInPlace(params, random);
        final Synthetic data = Synthetic.prototypes(random, 32, 784, 10, 1.0);
        final float[] gradient = new float[params.length];
        final double trainLoss = model.lossAndGradient(params, data.inputs, data.labels, 32, gradient);
        final double evalLoss = model.evaluate(params, data.inputs, data.labels, 32, null);
        assertEquals(evalLoss, trainLoss, 0.0);
    }

    @Test
    void shouldOverwriteEveryGradientElementWhenBufferHoldsGarbage()
    {
        final SplittableRandom random = new SplittableRandom(9);
        final Model model = Workload.W2.create(4);
        final float[] params = new float[model.layout().size()];
        model.initialiseInPlace(params, random);
        final Synthetic data = Synthetic.prototypes(random, 4, 784, 10, 1.0);
        final float[] clean = new float[params.length];
        final float[] dirty = new float[params.length];
        Arrays.fill(dirty, Float.NaN);
        model.lossAndGradient(params, data.inputs, data.labels, 4, clean);
        model.lossAndGradient(params, data.inputs, data.labels, 4, dirty);
        assertArrayEquals(clean, dirty, 0.0f);
    }

    @Test
    void shouldAllocateNothingWhenWarmedUp()
    {
        for (final Workload w : new Workload[] { Workload.W1, Workload.W2 })
        {
            final long bytes = Allocation.bytesPerCall(w.create(64), 64, 300);
            assertEquals(0L, bytes, w + " allocated bytes per lossAndGradient + evaluate");
        }
    }

    @Test
    void shouldRejectBadArgumentsWhenNamingTheValue()
    {
        final Model model = Workload.W1.create(4);
        final float[] params = new float[model.layout().size()];
        final float[] gradient = new float[model.layout().size()];
        final float[] inputs = new float[4 * 784];
        final EngineException tooBig = assertThrows(EngineException.class,
            () -> model.lossAndGradient(params, inputs, new int[5], 5, gradient));
        assertTrue(tooBig.getMessage().contains("batch=5"), tooBig.getMessage());
        final EngineException badLabel = assertThrows(EngineException.class,
            () -> model.lossAndGradient(params, inputs, new int[] { 0, 10, 0, 0 }, 4, gradient));
        assertTrue(badLabel.getMessage().contains("labels[1]=10"), badLabel.getMessage());
        assertThrows(EngineException.class,
            () -> model.evaluate(new float[10], inputs, new int[4], 4, null));
        assertThrows(EngineException.class, () -> new Mlp(0, MatrixKernels.defaultKernels(), 784, 10));
        assertThrows(EngineException.class, () -> new Mlp(4, MatrixKernels.defaultKernels(), 784));
    }

    private static void learn(final Workload workload, final float learningRate, final int steps, final int batch)
    {
        final SplittableRandom random = new SplittableRandom(21);
        final Synthetic train = Synthetic.prototypes(random, 2048, 784, 10, 1.0);
        final Synthetic test = train.sameClasses(random, 512, 1.0);
        final Model model = workload.create(512);
        final float[] params = new float[model.layout().size()];
        model.initialiseInPlace(params, random);
        final double before = Synthetic.accuracy(model, params, test);
        final double lossBefore = model.evaluate(params, test.inputs, test.labels, 512, null);

        Synthetic.sgd(model, params, train, learningRate, steps, batch);

        final double after = Synthetic.accuracy(model, params, test);
        final double lossAfter = model.evaluate(params, test.inputs, test.labels, 512, null);
        assertTrue(before < 0.3, workload + " accuracy before training " + before);
        assertTrue(after > 0.95, workload + " accuracy after " + steps + " steps " + after);
        assertTrue(lossAfter < 0.25 * lossBefore, workload + " loss " + lossBefore + " -> " + lossAfter);
    }
}
