package dev.parasol.engine.model;

import dev.parasol.engine.linalg.MatrixKernels;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Workload W3, a small LeNet-style convolutional network (LeCun, Bottou, Bengio and Haffner, "Gradient-based
 * learning applied to document recognition", Proc. IEEE 1998) on 28x28 one-channel images: conv 5x5x16 (same
 * padding) - ReLU - max pool 2 - conv 5x5x32 (same padding) - ReLU - max pool 2 - dense 128 - ReLU - dense 10,
 * with a softmax cross-entropy loss. 215,370 parameters.
 * <p>
 * Tensors, in layout order and with PyTorch's shapes ({@code nn.Conv2d} {@code [out, in, kh, kw]}, {@code nn.Linear}
 * {@code [out, in]}): {@code conv1.weight [16, 1, 5, 5]}, {@code conv1.bias [16]}, {@code conv2.weight
 * [32, 16, 5, 5]}, {@code conv2.bias [32]}, {@code fc1.weight [128, 1568]}, {@code fc1.bias [128]},
 * {@code fc2.weight [10, 128]}, {@code fc2.bias [10]}. The flattened input of {@code fc1} is the second pool's
 * output in channel, row, column order, as {@code torch.flatten} of an NCHW tensor gives it.
 * <p>
 * Each convolution is im2col followed by one BLAS product per image ({@link ConvOps}); the dense layers are one
 * product per batch. Per image scratch is reused; what the backward pass needs from the forward pass (pooled
 * outputs and their arg-max) is kept for the whole batch. The pre-pooling activations are not kept: a pooled value
 * is positive exactly where the ReLU let its arg-max through, which is all the backward pass needs. The second
 * convolution's columns are rebuilt in the backward pass instead of kept (5 MB per 64 images). Nothing is allocated
 * per pass.
 * <p>
 * Initialisation: He normal for the two convolutions and {@code fc1}, Glorot uniform for {@code fc2}, biases zero.
 */
public final class ConvNet implements Model
{
    /**
     * Image side in pixels.
     */
    public static final int SIDE = 28;

    private static final int KERNEL = 5;
    private static final int TAPS = KERNEL * KERNEL;
    private static final int C1 = 16;
    private static final int C2 = 32;
    private static final int HIDDEN = 128;
    private static final int CLASSES = 10;
    private static final int PIXELS1 = SIDE * SIDE;
    private static final int SIDE2 = SIDE / 2;
    private static final int PIXELS2 = SIDE2 * SIDE2;
    private static final int POOLED1 = C1 * PIXELS2;
    private static final int POOLED2 = C2 * (SIDE2 / 2) * (SIDE2 / 2);
    private static final int SLACK = KERNEL / 2;

    private final int maxBatch;
    private final MatrixKernels kernels;
    private final ParameterLayout layout;
    private final int conv1Weight;
    private final int conv1Bias;
    private final int conv2Weight;
    private final int conv2Bias;
    private final int fc1Weight;
    private final int fc1Bias;
    private final int fc2Weight;
    private final int fc2Bias;

    private final float[] pooled1;
    private final int[] argMax1;
    private final float[] pooled2;
    private final int[] argMax2;
    private final float[] hidden;
    private final float[] logits;
    private final float[] dLogits;
    private final float[] dHidden;
    private final float[] dPooled2;

    // Written only by im2col, which leaves the padding entries at their initial zero.
    private final float[] cols1 = new float[TAPS * PIXELS1];
    private final float[] conv1 = new float[C1 * PIXELS1];
    private final float[] cols2 = new float[C1 * TAPS * PIXELS2];
    private final float[] conv2 = new float[C2 * PIXELS2];
    private final float[] dConv2 = new float[C2 * PIXELS2];
    private final float[] dCols2 = new float[C1 * TAPS * PIXELS2];
    // col2imAdd needs KERNEL / 2 elements of slack on each side; the image starts at index SLACK.
    private final float[] dPooled1 = new float[POOLED1 + 2 * SLACK];
    private final float[] dConv1 = new float[C1 * PIXELS1];

    /**
     * Build the network and its scratch buffers.
     *
     * @param maxBatch largest batch a pass accepts.
     * @param kernels  the matrix kernels to run the products on.
     */
    public ConvNet(final int maxBatch, final MatrixKernels kernels)
    {
        BatchChecks.checkMaxBatch(maxBatch);
        this.maxBatch = maxBatch;
        this.kernels = kernels;
        layout = ParameterLayout.builder()
            .add("conv1.weight", C1, 1, KERNEL, KERNEL)
            .add("conv1.bias", C1)
            .add("conv2.weight", C2, C1, KERNEL, KERNEL)
            .add("conv2.bias", C2)
            .add("fc1.weight", HIDDEN, POOLED2)
            .add("fc1.bias", HIDDEN)
            .add("fc2.weight", CLASSES, HIDDEN)
            .add("fc2.bias", CLASSES)
            .build();
        conv1Weight = layout.tensor("conv1.weight").offset();
        conv1Bias = layout.tensor("conv1.bias").offset();
        conv2Weight = layout.tensor("conv2.weight").offset();
        conv2Bias = layout.tensor("conv2.bias").offset();
        fc1Weight = layout.tensor("fc1.weight").offset();
        fc1Bias = layout.tensor("fc1.bias").offset();
        fc2Weight = layout.tensor("fc2.weight").offset();
        fc2Bias = layout.tensor("fc2.bias").offset();

        pooled1 = new float[maxBatch * POOLED1];
        argMax1 = new int[maxBatch * POOLED1];
        pooled2 = new float[maxBatch * POOLED2];
        argMax2 = new int[maxBatch * POOLED2];
        hidden = new float[maxBatch * HIDDEN];
        logits = new float[maxBatch * CLASSES];
        dLogits = new float[maxBatch * CLASSES];
        dHidden = new float[maxBatch * HIDDEN];
        dPooled2 = new float[maxBatch * POOLED2];
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return "cnn-c16-c32-128-10";
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
        return PIXELS1;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int classes()
    {
        return CLASSES;
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
     * {@inheritDoc}
     */
    @Override
    public void initialiseInPlace(final float[] params, final SplittableRandom random)
    {
        Arrays.fill(params, 0, layout.size(), 0.0f);
        Initialisers.heNormal(params, conv1Weight, C1 * TAPS, TAPS, random);
        Initialisers.heNormal(params, conv2Weight, C2 * C1 * TAPS, C1 * TAPS, random);
        Initialisers.heNormal(params, fc1Weight, HIDDEN * POOLED2, POOLED2, random);
        Initialisers.glorotUniform(params, fc2Weight, CLASSES * HIDDEN, HIDDEN, CLASSES, random);
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
        final double loss = SoftmaxCrossEntropy.lossAndDelta(logits, labels, batch, CLASSES, dLogits);

        kernels.gemmTN(CLASSES, HIDDEN, batch, dLogits, 0, hidden, 0, 0.0f, gradient, fc2Weight);
        DenseOps.columnSums(dLogits, batch, CLASSES, gradient, fc2Bias);
        kernels.gemmNN(batch, HIDDEN, CLASSES, dLogits, 0, params, fc2Weight, 0.0f, dHidden, 0);
        DenseOps.reluBackward(dHidden, hidden, batch * HIDDEN);
        kernels.gemmTN(HIDDEN, POOLED2, batch, dHidden, 0, pooled2, 0, 0.0f, gradient, fc1Weight);
        DenseOps.columnSums(dHidden, batch, HIDDEN, gradient, fc1Bias);
        kernels.gemmNN(batch, POOLED2, HIDDEN, dHidden, 0, params, fc1Weight, 0.0f, dPooled2, 0);

        Arrays.fill(gradient, conv1Weight, conv2Bias + C2, 0.0f);
        for (int n = 0; n < batch; n++)
        {
            backwardConvolutions(params, inputs, n, gradient);
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
        return SoftmaxCrossEntropy.loss(logits, labels, batch, CLASSES, predictions);
    }

    @Override
    public String toString()
    {
        return name() + " " + layout.size() + " parameters, maxBatch=" + maxBatch;
    }

    private void forward(final float[] params, final float[] inputs, final int batch)
    {
        for (int n = 0; n < batch; n++)
        {
            ConvOps.im2col(inputs, n * PIXELS1, 1, SIDE, SIDE, KERNEL, cols1);
            kernels.gemmNN(C1, PIXELS1, TAPS, params, conv1Weight, cols1, 0, 0.0f, conv1, 0);
            DenseOps.addRowBiasRelu(conv1, C1, PIXELS1, params, conv1Bias);
            ConvOps.maxPool2(conv1, 0, C1, SIDE, SIDE, pooled1, n * POOLED1, argMax1);

            ConvOps.im2col(pooled1, n * POOLED1, C1, SIDE2, SIDE2, KERNEL, cols2);
            kernels.gemmNN(C2, PIXELS2, C1 * TAPS, params, conv2Weight, cols2, 0, 0.0f, conv2, 0);
            DenseOps.addRowBiasRelu(conv2, C2, PIXELS2, params, conv2Bias);
            ConvOps.maxPool2(conv2, 0, C2, SIDE2, SIDE2, pooled2, n * POOLED2, argMax2);
        }
        kernels.gemmNT(batch, HIDDEN, POOLED2, pooled2, 0, params, fc1Weight, 0.0f, hidden, 0);
        DenseOps.addBiasRelu(hidden, batch, HIDDEN, params, fc1Bias);
        kernels.gemmNT(batch, CLASSES, HIDDEN, hidden, 0, params, fc2Weight, 0.0f, logits, 0);
        DenseOps.addBias(logits, batch, CLASSES, params, fc2Bias);
    }

    private void backwardConvolutions(final float[] params, final float[] inputs, final int n, final float[] gradient)
    {
        ConvOps.unpoolRelu(pooled2, argMax2, n * POOLED2, dPooled2, n * POOLED2, POOLED2, dConv2, dConv2.length);
        DenseOps.addRowSums(dConv2, C2, PIXELS2, gradient, conv2Bias);
        ConvOps.im2col(pooled1, n * POOLED1, C1, SIDE2, SIDE2, KERNEL, cols2);
        kernels.gemmNT(C2, C1 * TAPS, PIXELS2, dConv2, 0, cols2, 0, 1.0f, gradient, conv2Weight);
        kernels.gemmTN(C1 * TAPS, PIXELS2, C2, params, conv2Weight, dConv2, 0, 0.0f, dCols2, 0);
        Arrays.fill(dPooled1, 0.0f);
        ConvOps.col2imAdd(dCols2, C1, SIDE2, SIDE2, KERNEL, dPooled1, SLACK);

        ConvOps.unpoolRelu(pooled1, argMax1, n * POOLED1, dPooled1, SLACK, POOLED1, dConv1, dConv1.length);
        DenseOps.addRowSums(dConv1, C1, PIXELS1, gradient, conv1Bias);
        ConvOps.im2col(inputs, n * PIXELS1, 1, SIDE, SIDE, KERNEL, cols1);
        kernels.gemmNT(C1, TAPS, PIXELS1, dConv1, 0, cols1, 0, 1.0f, gradient, conv1Weight);
    }
}
