package dev.parasol.engine.model;

/**
 * The element-wise loops around the matrix products of a layer: bias, ReLU and their gradients. Kept tight and
 * branch-light so the JIT vectorises them; nothing here allocates.
 */
final class DenseOps
{
    private DenseOps()
    {
    }

    /**
     * {@code z[i][j] = max(z[i][j] + bias[j], 0)} in place, one pass after the product.
     *
     * @param z          {@code rows x cols} pre-activations, row-major, from index 0.
     * @param rows       number of rows.
     * @param cols       number of columns.
     * @param bias       storage of the bias.
     * @param biasOffset index of {@code bias[0]}.
     */
    static void addBiasRelu(final float[] z, final int rows, final int cols, final float[] bias, final int biasOffset)
    {
        for (int i = 0; i < rows; i++)
        {
            final int row = i * cols;
            for (int j = 0; j < cols; j++)
            {
                z[row + j] = Math.max(z[row + j] + bias[biasOffset + j], 0.0f);
            }
        }
    }

    /**
     * {@code z[i][j] = max(z[i][j] + bias[i], 0)} in place: a convolution's output, one row per channel.
     *
     * @param z          {@code rows x cols} pre-activations, row-major, from index 0.
     * @param rows       number of rows (channels).
     * @param cols       number of columns (pixels).
     * @param bias       storage of the bias, one per row.
     * @param biasOffset index of {@code bias[0]}.
     */
    static void addRowBiasRelu(
        final float[] z, final int rows, final int cols, final float[] bias, final int biasOffset)
    {
        for (int i = 0; i < rows; i++)
        {
            final int row = i * cols;
            final float b = bias[biasOffset + i];
            for (int j = 0; j < cols; j++)
            {
                z[row + j] = Math.max(z[row + j] + b, 0.0f);
            }
        }
    }

    /**
     * {@code z[i][j] += bias[j]} in place.
     *
     * @param z          {@code rows x cols}, row-major, from index 0.
     * @param rows       number of rows.
     * @param cols       number of columns.
     * @param bias       storage of the bias.
     * @param biasOffset index of {@code bias[0]}.
     */
    static void addBias(final float[] z, final int rows, final int cols, final float[] bias, final int biasOffset)
    {
        for (int i = 0; i < rows; i++)
        {
            final int row = i * cols;
            for (int j = 0; j < cols; j++)
            {
                z[row + j] += bias[biasOffset + j];
            }
        }
    }

    /**
     * {@code out[j] = sum_i d[i][j]}: the bias gradient of a dense layer. Overwrites {@code out}.
     *
     * @param d         {@code rows x cols} deltas, row-major, from index 0.
     * @param rows      number of rows, at least 1.
     * @param cols      number of columns.
     * @param out       receives the sums.
     * @param outOffset index of {@code out[0]}.
     */
    static void columnSums(final float[] d, final int rows, final int cols, final float[] out, final int outOffset)
    {
        System.arraycopy(d, 0, out, outOffset, cols);
        for (int i = 1; i < rows; i++)
        {
            final int row = i * cols;
            for (int j = 0; j < cols; j++)
            {
                out[outOffset + j] += d[row + j];
            }
        }
    }

    /**
     * {@code out[i] += sum_j d[i][j]}: the bias gradient of a convolution, one row per output channel.
     *
     * @param d         {@code rows x cols} deltas, row-major, from index 0.
     * @param rows      number of rows (channels).
     * @param cols      number of columns (pixels).
     * @param out       receives the sums, added to what is there.
     * @param outOffset index of {@code out[0]}.
     */
    static void addRowSums(final float[] d, final int rows, final int cols, final float[] out, final int outOffset)
    {
        for (int i = 0; i < rows; i++)
        {
            final int row = i * cols;
            float sum = 0.0f;
            for (int j = 0; j < cols; j++)
            {
                sum += d[row + j];
            }
            out[outOffset + i] += sum;
        }
    }

    /**
     * {@code delta[i] = act[i] > 0 ? delta[i] : 0}: back through a ReLU, given its output. A ReLU's output is
     * positive exactly where its input is, so the pre-activations need not be kept.
     *
     * @param delta  gradient with respect to the ReLU's output, overwritten with that of its input.
     * @param act    the ReLU's output.
     * @param length number of elements, from index 0.
     */
    static void reluBackward(final float[] delta, final float[] act, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            delta[i] = act[i] > 0.0f ? delta[i] : 0.0f;
        }
    }
}
