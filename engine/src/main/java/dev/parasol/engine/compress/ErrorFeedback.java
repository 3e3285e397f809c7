package dev.parasol.engine.compress;

import dev.parasol.engine.model.KeyRange;

import java.util.Arrays;
import java.util.Objects;

/**
 * Error feedback for one key range: the residual of everything a {@link Compressor} did not send, added back to the
 * next gradient so nothing is lost, only delayed. One step is, coordinate by coordinate in float:
 * <pre>
 *     x := g + residual
 *     out := C(x)
 *     residual := x - decompress(out)
 * </pre>
 * after Seide, Fu, Droppo, Li and Yu, "1-Bit Stochastic Gradient Descent and its Application to Data-Parallel
 * Distributed Training of Speech DNNs" (Interspeech 2014), Stich, Cordonnier and Jaggi, "Sparsified SGD with Memory"
 * (NeurIPS 2018), and Karimireddy, Rebjock, Stich and Jaggi, "Error Feedback Fixes SignSGD and other Gradient
 * Compression Schemes" (ICML 2019).
 * <p>
 * <b>What is exact.</b> Write {@code q} for the reconstructed value of a coordinate ({@link CompressedGradient}) and
 * {@code r = fl(x - q)} for the new residual.
 * <ul>
 *     <li>Top-k, random-k and dense send {@code q} equal to 0 or to x itself, unrounded, so {@code x - q} is x or 0 and
 *     {@code q + r == x} exactly, for every finite coordinate ({@code -0.0 == 0.0}; a sent infinity or NaN leaves a NaN
 *     residual, which keeps the divergence visible until {@link #resetInPlace()}).</li>
 *     <li>QSGD and sign send a grid value, and {@code x - q} need not be a float: rounding {@code x = 2^-30} up to a
 *     unit of {@code 1/127} (which an unbiased quantiser must do with positive probability) leaves a difference with
 *     about 47 significant bits. So a float residual cannot be exact there. What holds is {@code q + r == x} exactly
 *     when q is 0 or, by Sterbenz's lemma, when {@code q/2 <= x <= 2q} (same sign), which covers every coordinate
 *     rounded between two non-zero levels; and always {@code |q + r - x| <= ulp(r) / 2 <= 2^-24 |x - q|}. The loss is
 *     at most half an ulp of the residual per step; a double or compensated residual would remove it, but the next
 *     step rounds {@code g + r} to float anyway, so the residual stays float.</li>
 * </ul>
 * <p>
 * <b>Telemetry.</b> {@link #accumulatedNorm()} is the L2 norm of x (gradient plus old residual) and
 * {@link #residualNorm()} that of the new residual, both summed in double on passes the step makes anyway. For a
 * sparse gradient that sends fewer than one coordinate in eight, the residual sum of squares is the accumulated one
 * minus the squares of the entries sent, with no pass over the range; its absolute error is then of the order of
 * {@code length * 2^-53} times the accumulated sum of squares. Denser sparse gradients are summed afresh.
 * <p>
 * Stateful and not thread safe: one instance per worker and shard, owning its compressor. Nothing is allocated per
 * step.
 */
public final class ErrorFeedback
{
    private final Compressor compressor;
    private final KeyRange range;
    private final float[] residual;
    private double accumulatedNorm;
    private double residualNorm;

    /**
     * Construct error feedback with a zero residual.
     *
     * @param compressor compressor to apply, used by this instance only.
     * @param range      key range of the flat gradient this residual covers.
     */
    public ErrorFeedback(final Compressor compressor, final KeyRange range)
    {
        Objects.requireNonNull(compressor, "compressor");
        Objects.requireNonNull(range, "range");
        if (range.length() > compressor.maxLength())
        {
            throw new IllegalArgumentException("key range longer than the compressor's capacity: range=" + range +
                " maxLength=" + compressor.maxLength());
        }
        this.compressor = compressor;
        this.range = range;
        this.residual = new float[range.length()];
    }

    /**
     * Compress the gradient of this range plus the residual, and keep what was not sent as the new residual.
     *
     * @param gradient flat gradient; coordinates {@code [range.start(), range.end())} are read.
     * @param out      holder to overwrite, with capacity for the compressor.
     * @return {@code out}, holding what to send.
     */
    public CompressedGradient step(final float[] gradient, final CompressedGradient out)
    {
        final int start = range.start();
        final int length = residual.length;
        Objects.checkFromIndexSize(start, length, gradient.length);
        final float[] r = residual;
        double s0 = 0.0;
        double s1 = 0.0;
        double s2 = 0.0;
        double s3 = 0.0;
        int i = 0;
        // Four sums break the dependency chain of one double accumulator.
        for (; i + 3 < length; i += 4)
        {
            final float x0 = gradient[start + i] + r[i];
            final float x1 = gradient[start + i + 1] + r[i + 1];
            final float x2 = gradient[start + i + 2] + r[i + 2];
            final float x3 = gradient[start + i + 3] + r[i + 3];
            r[i] = x0;
            r[i + 1] = x1;
            r[i + 2] = x2;
            r[i + 3] = x3;
            s0 += (double)x0 * x0;
            s1 += (double)x1 * x1;
            s2 += (double)x2 * x2;
            s3 += (double)x3 * x3;
        }
        for (; i < length; i++)
        {
            final float x = gradient[start + i] + r[i];
            r[i] = x;
            s0 += (double)x * x;
        }
        final double sumSquares = (s0 + s1) + (s2 + s3);
        accumulatedNorm = Math.sqrt(sumSquares);

        compressor.compress(r, 0, length, out);
        residualNorm = Math.sqrt(Math.max(0.0, out.subtractInPlace(r, 0, sumSquares)));
        return out;
    }

    /**
     * Get the L2 norm of gradient plus residual before the last step's compression.
     *
     * @return the accumulated norm, NaN if it held a NaN.
     */
    public double accumulatedNorm()
    {
        return accumulatedNorm;
    }

    /**
     * Get the L2 norm of the residual after the last step: what is still owed to the receiver.
     *
     * @return the residual norm, NaN if it holds a NaN.
     */
    public double residualNorm()
    {
        return residualNorm;
    }

    /**
     * Get the key range this residual covers.
     *
     * @return the key range.
     */
    public KeyRange range()
    {
        return range;
    }

    /**
     * Get the compressor this error feedback applies.
     *
     * @return the compressor.
     */
    public Compressor compressor()
    {
        return compressor;
    }

    /**
     * Copy the residual into {@code target[offset, offset + range().length())}, for a checkpoint or a test.
     *
     * @param target array to write.
     * @param offset where to start writing.
     */
    public void copyResidualTo(final float[] target, final int offset)
    {
        System.arraycopy(residual, 0, target, offset, residual.length);
    }

    /**
     * Replace the residual with {@code source[offset, offset + range().length())}, when restoring a checkpoint.
     *
     * @param source array to read.
     * @param offset where to start reading.
     */
    public void loadResidualInPlace(final float[] source, final int offset)
    {
        System.arraycopy(source, offset, residual, 0, residual.length);
        double sumSquares = 0.0;
        for (final float r : residual)
        {
            sumSquares += (double)r * r;
        }
        residualNorm = Math.sqrt(sumSquares);
        accumulatedNorm = 0.0;
    }

    /**
     * Forget the residual, when a job restarts from fresh parameters or after a divergence.
     */
    public void resetInPlace()
    {
        Arrays.fill(residual, 0.0f);
        residualNorm = 0.0;
        accumulatedNorm = 0.0;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "ErrorFeedback{compressor=" + compressor.spec() + ", range=" + range + "}";
    }
}
