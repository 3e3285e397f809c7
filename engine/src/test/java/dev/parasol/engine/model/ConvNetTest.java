package dev.parasol.engine.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class ConvNetTest
{
    @Test
    void shouldHaveStatedParameterCountAndPyTorchShapesWhenW3()
    {
        final Model model = Workload.W3.create(4);
        // 5*5*1*16+16 = 416, 5*5*16*32+32 = 12,832, 7*7*32*128+128 = 200,832, 128*10+10 = 1,290.
        assertEquals(215_370, model.layout().size());
        assertEquals(Workload.W3.parameterCount(), model.layout().size());
        assertArrayEquals(new int[] { 16, 1, 5, 5 }, model.layout().tensor("conv1.weight").shape());
        assertArrayEquals(new int[] { 32, 16, 5, 5 }, model.layout().tensor("conv2.weight").shape());
        assertArrayEquals(new int[] { 128, 1568 }, model.layout().tensor("fc1.weight").shape());
        assertArrayEquals(new int[] { 10, 128 }, model.layout().tensor("fc2.weight").shape());
        assertEquals(
            "[conv1.weight, conv1.bias, conv2.weight, conv2.bias, fc1.weight, fc1.bias, fc2.weight, fc2.bias]",
            Arrays.toString(model.layout().tensors().stream().map(TensorSpec::name).toArray()));
        assertEquals(784, model.inputSize());
        assertEquals(10, model.classes());
    }

    @Test
    void shouldMatchReferenceForwardAndStartNearLnTenWhenFreshlyInitialised()
    {
        final SplittableRandom random = new SplittableRandom(31);
        final Model model = Workload.W3.create(8);
        final float[] params = new float[model.layout().size()];
        model.initialiseInPlace(params, random);
        final Synthetic data = Synthetic.squares(random, 8, 0.3);
        final int[] predictions = new int[8];
        final double loss = model.evaluate(params, data.inputs, data.labels, 8, predictions);
        assertEquals(Math.log(10.0), loss, 0.5);

        final double[] p = new double[params.length];
        for (int i = 0; i < p.length; i++)
        {
            p[i] = params[i];
        }
        final ReferenceNetworks.Result reference =
            ReferenceNetworks.cnn(model.layout()).apply(p, data.inputs, data.labels, 8);
        assertEquals(reference.loss(), loss, 1e-5);
        for (int n = 0; n < 8; n++)
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
        BatchIdentity.check(Workload.W3.create(4), 4, 0.01);
    }

    @Test
    void shouldLearnSeparableImagesWhenTrainedWithSgd()
    {
        final SplittableRandom random = new SplittableRandom(41);
        final Synthetic train = Synthetic.squares(random, 1024, 0.5);
        final Synthetic test = train.sameClasses(random, 128, 0.5);
        final Model model = Workload.W3.create(128);
        final float[] params = new float[model.layout().size()];
        model.initialiseInPlace(params, random);
        final double before = Synthetic.accuracy(model, params, test);

        Synthetic.sgd(model, params, train, 0.02f, 60, 16);

        final double after = Synthetic.accuracy(model, params, test);
        assertTrue(before < 0.3, "accuracy before training " + before);
        assertTrue(after > 0.9, "accuracy after training " + after);
    }

    @Test
    void shouldAllocateNothingWhenWarmedUp()
    {
        assertEquals(0L, Allocation.bytesPerCall(Workload.W3.create(4), 4, 100));
    }
}
