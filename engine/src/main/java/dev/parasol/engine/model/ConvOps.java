package dev.parasol.engine.model;

import java.util.Arrays;

/**
 * The data movement of a convolutional layer, so that its arithmetic is one matrix product: im2col and its adjoint
 * col2im for a stride-1 "same" convolution, and 2x2 max pooling with the arg-max kept for the backward pass.
 * Chellapilla, Puri and Simard, "High Performance Convolutional Neural Networks for Document Processing", IWFHR 2006.
 * <p>
 * Images are {@code [channels, height, width]}, row-major. The column matrix of a {@code k x k} kernel is
 * {@code [channels * k * k, height * width]}: row {@code (c * k + kh) * k + kw} holds, for every output pixel, the
 * input pixel that kernel tap sees (0 in the padding). Its row order is that of a PyTorch weight
 * {@code [out, in, kh, kw]} flattened to {@code [out, in * k * k]}, so the layer is {@code Y = W cols}.
 */
final class ConvOps
{
    private ConvOps()
    {
    }

    /**
     * Unfold an image into its column matrix. Only the entries that see the image are written: the padding
     * entries of a column matrix are at the same places for every image, so a buffer that starts zeroed and is
     * only ever filled by this method keeps them zero.
     *
     * @param x        storage of the image.
     * @param xOffset  index of its first pixel.
     * @param channels number of input channels.
     * @param height   image height.
     * @param width    image width.
     * @param k        kernel size (odd).
     * @param cols     receives {@code channels * k * k} rows of {@code height * width}, from index 0; its padding
     *                 entries must be zero.
     */
    static void im2col(
        final float[] x,
        final int xOffset,
        final int channels,
        final int height,
        final int width,
        final int k,
        final float[] cols)
    {
        final int pad = k / 2;
        final int pixels = height * width;
        for (int c = 0; c < channels; c++)
        {
            final int plane = xOffset + c * pixels;
            for (int kh = 0; kh < k; kh++)
            {
                // Output rows whose input row oh + kh - pad lies inside the image.
                final int ohStart = Math.max(0, pad - kh);
                final int ohEnd = Math.min(height, height + pad - kh);
                for (int kw = 0; kw < k; kw++)
                {
                    final int row = ((c * k + kh) * k + kw) * pixels;
                    final int owStart = Math.max(0, pad - kw);
                    final int length = Math.min(width, width + pad - kw) - owStart;
                    for (int oh = ohStart; oh < ohEnd; oh++)
                    {
                        System.arraycopy(
                            x, plane + (oh + kh - pad) * width + owStart + kw - pad,
                            cols, row + oh * width + owStart,
                            length);
                    }
                }
            }
        }
    }

    /**
     * Fold a column matrix back onto an image, adding every entry to the pixel it was taken from: the adjoint of
     * {@link #im2col}, which turns the gradient of the columns into the gradient of the image.
     * <p>
     * For one kernel tap, column entry {@code oh * width + ow} belongs to pixel {@code (oh + kh - pad) * width +
     * ow + kw - pad}: a constant shift. So each tap is one long contiguous loop (which the JIT vectorises) over its
     * valid rows, instead of one short loop per row. The entries of those rows that look into the left or right
     * padding are cleared first, so that, shifted, they add 0 to a neighbouring pixel; this is why {@code cols} is
     * overwritten and {@code dx} needs {@code k / 2} elements of slack on both sides of the image.
     *
     * @param cols     {@code channels * k * k} rows of {@code height * width}, from index 0; clobbered.
     * @param channels number of input channels.
     * @param height   image height.
     * @param width    image width.
     * @param k        kernel size (odd).
     * @param dx       storage of the image gradient, added to.
     * @param dxOffset index of its first pixel, at least {@code k / 2}, with {@code k / 2} more after its last.
     */
    static void col2imAdd(
        final float[] cols,
        final int channels,
        final int height,
        final int width,
        final int k,
        final float[] dx,
        final int dxOffset)
    {
        final int pad = k / 2;
        final int pixels = height * width;
        for (int c = 0; c < channels; c++)
        {
            final int plane = dxOffset + c * pixels;
            for (int kh = 0; kh < k; kh++)
            {
                final int ohStart = Math.max(0, pad - kh);
                final int ohEnd = Math.min(height, height + pad - kh);
                for (int kw = 0; kw < k; kw++)
                {
                    final int row = ((c * k + kh) * k + kw) * pixels;
                    final int owStart = Math.max(0, pad - kw);
                    final int owEnd = Math.min(width, width + pad - kw);
                    if (owStart > 0 || owEnd < width)
                    {
                        for (int oh = ohStart; oh < ohEnd; oh++)
                        {
                            final int line = row + oh * width;
                            Arrays.fill(cols, line, line + owStart, 0.0f);
                            Arrays.fill(cols, line + owEnd, line + width, 0.0f);
                        }
                    }
                    final int shift = plane + (kh - pad) * width + kw - pad - row;
                    final int end = row + ohEnd * width;
                    for (int i = row + ohStart * width; i < end; i++)
                    {
                        dx[i + shift] += cols[i];
                    }
                }
            }
        }
    }

    /**
     * 2x2 max pooling with stride 2 of ReLU outputs. Ties go to the first element in row-major order.
     * <p>
     * Branch-free: which element of a window is largest depends on the data, so a branch per comparison is
     * mispredicted about half the time, and that made pooling cost as much as the convolution's product. Instead,
     * each element becomes a {@code long} key, its float bits shifted left by 2 with {@code 3 - position} in the low
     * bits, and the window's maximum key (two-operand maxima compile to conditional moves) gives both the value and
     * the first position holding it. This relies on the inputs being non-negative: non-negative floats order like
     * their bit patterns. A NaN input orders above every number, so it propagates.
     *
     * @param in        storage of the input, {@code [channels, height, width]}, every element {@code >= +0.0} or
     *                  NaN (a ReLU output).
     * @param inOffset  index of its first element.
     * @param channels  number of channels.
     * @param height    input height, even.
     * @param width     input width, even.
     * @param out       receives {@code [channels, height / 2, width / 2]}.
     * @param outOffset index of the first output.
     * @param argMax    receives, for each output, the index (relative to {@code inOffset}) of the input it took.
     */
    static void maxPool2(
        final float[] in,
        final int inOffset,
        final int channels,
        final int height,
        final int width,
        final float[] out,
        final int outOffset,
        final int[] argMax)
    {
        final int outWidth = width / 2;
        int o = outOffset;
        for (int rowPair = 0; rowPair < channels * height / 2; rowPair++)
        {
            final int top = 2 * rowPair * width;
            final int r0 = inOffset + top;
            final int r1 = r0 + width;
            for (int px = 0; px < outWidth; px++)
            {
                final int j = 2 * px;
                final long k00 = ((long)Float.floatToRawIntBits(in[r0 + j]) << 2) | 3;
                final long k01 = ((long)Float.floatToRawIntBits(in[r0 + j + 1]) << 2) | 2;
                final long k10 = ((long)Float.floatToRawIntBits(in[r1 + j]) << 2) | 1;
                final long k11 = (long)Float.floatToRawIntBits(in[r1 + j + 1]) << 2;
                final long best = Math.max(Math.max(k00, k01), Math.max(k10, k11));
                final int position = 3 - (int)(best & 3);
                out[o] = Float.intBitsToFloat((int)(best >>> 2));
                argMax[o] = top + j + (position >> 1) * width + (position & 1);
                o++;
            }
        }
    }

    /**
     * Back through a ReLU and a max pool together: each pooled gradient goes to the input its window took, where
     * the pooled (post-ReLU) value is positive; every other input gets 0.
     *
     * @param pooled        the pool's outputs (after the ReLU it pooled).
     * @param argMax        the pool's arg-max indices, parallel to {@code pooled}.
     * @param offset        index of the first output in {@code pooled} and {@code argMax}.
     * @param dPooled       gradient with respect to the outputs.
     * @param dPooledOffset index of the first output's gradient.
     * @param count         number of outputs.
     * @param dIn           receives the gradient with respect to the ReLU's input, from index 0.
     * @param inLength      number of elements of {@code dIn} to clear first.
     */
    static void unpoolRelu(
        final float[] pooled,
        final int[] argMax,
        final int offset,
        final float[] dPooled,
        final int dPooledOffset,
        final int count,
        final float[] dIn,
        final int inLength)
    {
        Arrays.fill(dIn, 0, inLength, 0.0f);
        for (int o = 0; o < count; o++)
        {
            if (pooled[offset + o] > 0.0f)
            {
                dIn[argMax[offset + o]] = dPooled[dPooledOffset + o];
            }
        }
    }
}
