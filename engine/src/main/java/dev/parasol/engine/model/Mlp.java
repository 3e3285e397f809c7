package dev.parasol.engine.model;

import dev.parasol.engine.exceptions.EngineException;
import dev.parasol.engine.linalg.MatrixKernels;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A fully connected network with ReLU between layers and a softmax cross-entropy loss; with no hidden layer it is
 * softmax (multinomial logistic) regression. Workloads W1 ({@code 784-10}) and W2 ({@code 784-256-128-10}).
 * <p>
 * Layer {@code l} (from 1) has tensors {@code fc<l>.weight} of shape {@code [out, in]} and {@code fc<l>.bias} of
 * shape {@code [out]}, laid out in that order: PyTorch's {@code nn.Linear} convention, so a saved vector loads into
 * an equivalent PyTorch module by name. A layer computes {@code Y = X W^T + b} on a row-major batch.
 * <p>
 * Backward pass (backpropagation; Rumelhart, Hinton and Williams, Nature 1986), with {@code D} the delta of a
 * layer's output: {@code dW = D^T X}, {@code db = column sums of D}, {@code dX = D W}, then masked by the previous
 * ReLU. All three products go to BLAS through {@link MatrixKernels}, straight into the gradient vector; activations
 * and deltas live in buffers sized for {@link #maxBatch()}, so a pass allocates nothing.
 * <p>
 * Initialisation: He normal for layers followed by a ReLU, Glorot uniform for the output layer of a network with
 * hidden layers, zeros for softmax regression (its loss is convex; zeros make the first loss exactly
 * {@code ln(classes)}); biases zero.
 */
public final class Mlp implements Model
{
    private final String name;
    private final int[] widths;
    private final int layers;
    private final int maxBatch;
    private final MatrixKernels kernels;
    private final ParameterLayout layout;
    private final int[] weightOffsets;
    private final int[] biasOffsets;
    private final float[][] activations;
    private final float[][] deltas;

    /**
     * Build a network and its scratch buffers.
     *
     * @param maxBatch largest batch a pass accepts.
     * @param kernels  the matrix kernels to run the products on.
     * @param widths   input width, hidden widths, number of classes: at least two entries, all positive.
     */
    public Mlp(final int maxBatch, final MatrixKernels kernels, final int... widths)
    {
        BatchChecks.checkMaxBatch(maxBatch);
        if (widths.length < 2 || Arrays.stream(widths).anyMatch((w) -> w < 1))
        {
            throw new EngineException("widths=" + Arrays.toString(widths) +
                " must hold an input width and a class count, all at least 1");
        }
        this.widths = widths.clone();
        this.layers = widths.length - 1;
        this.maxBatch = maxBatch;
        this.kernels = kernels;
        this.name = (layers == 1 ? "softmax" : "mlp") + joinWidths(widths);

        final ParameterLayout.Builder builder = ParameterLayout.builder();
        for (int l = 1; l <= layers; l++)
        {
            builder.add("fc" + l + ".weight", widths[l], widths[l - 1]).add("fc" + l + ".bias", widths[l]);
        }
        this.layout = builder.build();

        weightOffsets = new int[layers + 1];
        biasOffsets = new int[layers + 1];
        activations = new float[layers + 1][];
        deltas = new float[layers + 1][];
        for (int l = 1; l <= layers; l++)
        {
            weightOffsets[l] = layout.tensor("fc" + l + ".weight").offset();
            biasOffsets[l] = layout.tensor("fc" + l + ".bias").offset();
            activations[l] = new float[maxBatch * widths[l]];
            deltas[l] = new float[maxBatch * widths[l]];
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return name;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public ParameterLayout layout()
    {
        return layout;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int inputSize()
    {
        return widths[0];
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int classes()
    {
        return widths[layers];
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int maxBatch()
    {
        return maxBatch;
    }

    /**
     * Get the widths of the layers, input first, classes last.
     *
     * @return a copy of the widths.
     */
    public int[] widths()
    {
        return widths.clone();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void initialiseInPlace(final float[] params, final SplittableRandom random)
    {
        Arrays.fill(params, 0, layout.size(), 0.0f);
        for (int l = 1; l <= layers; l++)
        {
            final int fanIn = widths[l - 1];
            final int fanOut = widths[l];
            if (l < layers)
            {
                Initialisers.heNormal(params, weightOffsets[l], fanIn * fanOut, fanIn, random);
            }
            else if (layers > 1)
            {
                Initialisers.glorotUniform(params, weightOffsets[l], fanIn * fanOut, fanIn, fanOut, random);
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public double lossAndGradient(
        final float[] params, final float[] inputs, final int[] labels, final int batch, final float[] gradient)
    {
        BatchChecks.check(this, params, inputs, labels, batch);
        BatchChecks.checkGradient(this, gradient);
        forward(params, inputs, batch);
        final double loss = SoftmaxCrossEntropy.lossAndDelta(
            activations[layers], labels, batch, classes(), deltas[layers]);

        for (int l = layers; l >= 1; l--)
        {
            final int in = widths[l - 1];
            final int out = widths[l];
            final float[] layerInput = l == 1 ? inputs : activations[l - 1];
            final float[] delta = deltas[l];
            kernels.gemmTN(out, in, batch, delta, 0, layerInput, 0, 0.0f, gradient, weightOffsets[l]);
            DenseOps.columnSums(delta, batch, out, gradient, biasOffsets[l]);
            if (l > 1)
            {
                kernels.gemmNN(batch, in, out, delta, 0, params, weightOffsets[l], 0.0f, deltas[l - 1], 0);
                DenseOps.reluBackward(deltas[l - 1], activations[l - 1], batch * in);
            }
        }
        return loss;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public double evaluate(
        final float[] params, final float[] inputs, final int[] labels, final int batch, final int[] predictions)
    {
        BatchChecks.check(this, params, inputs, labels, batch);
        BatchChecks.checkPredictions(predictions, batch);
        forward(params, inputs, batch);
        return SoftmaxCrossEntropy.loss(activations[layers], labels, batch, classes(), predictions);
    }

    @Override
    public String toString()
    {
        return name + " " + layout.size() + " parameters, maxBatch=" + maxBatch;
    }

    private void forward(final float[] params, final float[] inputs, final int batch)
    {
        for (int l = 1; l <= layers; l++)
        {
            final int in = widths[l - 1];
            final int out = widths[l];
            final float[] layerInput = l == 1 ? inputs : activations[l - 1];
            final float[] z = activations[l];
            kernels.gemmNT(batch, out, in, layerInput, 0, params, weightOffsets[l], 0.0f, z, 0);
            if (l < layers)
            {
                DenseOps.addBiasRelu(z, batch, out, params, biasOffsets[l]);
            }
            else
            {
                DenseOps.addBias(z, batch, out, params, biasOffsets[l]);
            }
        }
    }

    private static String joinWidths(final int[] widths)
    {
        final StringBuilder sb = new StringBuilder();
        for (final int w : widths)
        {
            sb.append('-').append(w);
        }
        return sb.toString();
    }
}
