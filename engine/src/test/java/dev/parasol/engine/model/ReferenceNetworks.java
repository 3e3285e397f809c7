package dev.parasol.engine.model;

/**
 * Straightforward double-precision forward passes of the models, written from the architecture's definition with
 * direct loops (no BLAS, no im2col), reading the same flat layout. They are the yardstick for the models' float
 * forward pass and the function whose central differences check the analytic gradients. Each pass also returns a
 * fingerprint of every piecewise-linear choice it made (the sign of each ReLU input, the arg-max of each pooling
 * window), so a finite-difference step that crosses a kink can be recognised and skipped.
 */
final class ReferenceNetworks
{
    private ReferenceNetworks()
    {
    }

    /**
     * Outcome of a reference forward pass.
     *
     * @param loss    mean softmax cross-entropy.
     * @param pattern hash of all ReLU signs and pooling arg-maxes.
     * @param logits  {@code batch x classes}.
     */
    record Result(double loss, long pattern, double[] logits)
    {
    }

    /**
     * A forward pass of one architecture, on double parameters.
     */
    interface Forward
    {
        Result apply(double[] params, float[] inputs, int[] labels, int batch);
    }

    static Forward mlp(final ParameterLayout layout, final int... widths)
    {
        return (params, inputs, labels, batch) -> mlpForward(layout, widths, params, inputs, labels, batch);
    }

    static Forward cnn(final ParameterLayout layout)
    {
        return (params, inputs, labels, batch) -> cnnForward(layout, params, inputs, labels, batch);
    }

    private static Result mlpForward(
        final ParameterLayout layout,
        final int[] widths,
        final double[] params,
        final float[] inputs,
        final int[] labels,
        final int batch)
    {
        final int layers = widths.length - 1;
        final int classes = widths[layers];
        final double[] logits = new double[batch * classes];
        long pattern = 17;
        for (int n = 0; n < batch; n++)
        {
            double[] a = new double[widths[0]];
            for (int i = 0; i < widths[0]; i++)
            {
                a[i] = inputs[n * widths[0] + i];
            }
            for (int l = 1; l <= layers; l++)
            {
                final int w = layout.tensor("fc" + l + ".weight").offset();
                final int b = layout.tensor("fc" + l + ".bias").offset();
                final double[] z = dense(params, w, b, a, widths[l]);
                if (l < layers)
                {
                    for (int j = 0; j < z.length; j++)
                    {
                        pattern = 31 * pattern + (z[j] > 0 ? 1 : 2);
                        z[j] = Math.max(z[j], 0.0);
                    }
                }
                a = z;
            }
            System.arraycopy(a, 0, logits, n * classes, classes);
        }
        return new Result(meanLoss(logits, labels, batch, classes), pattern, logits);
    }

    private static Result cnnForward(
        final ParameterLayout layout, final double[] params, final float[] inputs, final int[] labels, final int batch)
    {
        final double[] logits = new double[batch * 10];
        final long[] pattern = { 17 };
        for (int n = 0; n < batch; n++)
        {
            final double[] x = new double[28 * 28];
            for (int i = 0; i < x.length; i++)
            {
                x[i] = inputs[n * 784 + i];
            }
            final double[] c1 = conv(params, layout.tensor("conv1.weight").offset(),
                layout.tensor("conv1.bias").offset(), x, 1, 16, 28, pattern);
            final double[] p1 = pool(c1, 16, 28, pattern);
            final double[] c2 = conv(params, layout.tensor("conv2.weight").offset(),
                layout.tensor("conv2.bias").offset(), p1, 16, 32, 14, pattern);
            final double[] p2 = pool(c2, 32, 14, pattern);
            final double[] h = dense(params, layout.tensor("fc1.weight").offset(),
                layout.tensor("fc1.bias").offset(), p2, 128);
            for (int j = 0; j < h.length; j++)
            {
                pattern[0] = 31 * pattern[0] + (h[j] > 0 ? 1 : 2);
                h[j] = Math.max(h[j], 0.0);
            }
            final double[] z = dense(params, layout.tensor("fc2.weight").offset(),
                layout.tensor("fc2.bias").offset(), h, 10);
            System.arraycopy(z, 0, logits, n * 10, 10);
        }
        return new Result(meanLoss(logits, labels, batch, 10), pattern[0], logits);
    }

    private static double[] dense(
        final double[] params, final int weight, final int bias, final double[] in, final int outputs)
    {
        final double[] out = new double[outputs];
        for (int j = 0; j < outputs; j++)
        {
            double sum = params[bias + j];
            for (int i = 0; i < in.length; i++)
            {
                sum += params[weight + j * in.length + i] * in[i];
            }
            out[j] = sum;
        }
        return out;
    }

    /**
     * 5x5 convolution with padding 2 and stride 1, then ReLU; weights {@code [out, in, 5, 5]}.
     */
    private static double[] conv(
        final double[] params,
        final int weight,
        final int bias,
        final double[] x,
        final int inChannels,
        final int outChannels,
        final int side,
        final long[] pattern)
    {
        final double[] y = new double[outChannels * side * side];
        for (int o = 0; o < outChannels; o++)
        {
            for (int r = 0; r < side; r++)
            {
                for (int c = 0; c < side; c++)
                {
                    double sum = params[bias + o];
                    for (int ci = 0; ci < inChannels; ci++)
                    {
                        for (int kh = 0; kh < 5; kh++)
                        {
                            final int ir = r + kh - 2;
                            if (ir < 0 || ir >= side)
                            {
                                continue;
                            }
                            for (int kw = 0; kw < 5; kw++)
                            {
                                final int ic = c + kw - 2;
                                if (ic >= 0 && ic < side)
                                {
                                    sum += params[weight + ((o * inChannels + ci) * 5 + kh) * 5 + kw] *
                                        x[(ci * side + ir) * side + ic];
                                }
                            }
                        }
                    }
                    pattern[0] = 31 * pattern[0] + (sum > 0 ? 1 : 2);
                    y[(o * side + r) * side + c] = Math.max(sum, 0.0);
                }
            }
        }
        return y;
    }

    private static double[] pool(final double[] x, final int channels, final int side, final long[] pattern)
    {
        final int half = side / 2;
        final double[] y = new double[channels * half * half];
        for (int ch = 0; ch < channels; ch++)
        {
            for (int r = 0; r < half; r++)
            {
                for (int c = 0; c < half; c++)
                {
                    int best = 0;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int q = 0; q < 4; q++)
                    {
                        final double v = x[(ch * side + 2 * r + q / 2) * side + 2 * c + q % 2];
                        if (v > max)
                        {
                            max = v;
                            best = q;
                        }
                    }
                    // Only a positive maximum routes gradient; ties among zeros are not a kink.
                    pattern[0] = 31 * pattern[0] + (max > 0 ? best + 1 : 0);
                    y[(ch * half + r) * half + c] = max;
                }
            }
        }
        return y;
    }

    private static double meanLoss(final double[] logits, final int[] labels, final int batch, final int classes)
    {
        double total = 0.0;
        for (int n = 0; n < batch; n++)
        {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++)
            {
                max = Math.max(max, logits[n * classes + j]);
            }
            double sum = 0.0;
            for (int j = 0; j < classes; j++)
            {
                sum += Math.exp(logits[n * classes + j] - max);
            }
            total += max + Math.log(sum) - logits[n * classes + labels[n]];
        }
        return total / batch;
    }
}
