package dev.parasol.engine.compress;

import dev.parasol.engine.exceptions.EngineException;
import dev.parasol.wire.Encoding;

import java.util.Arrays;
import java.util.Objects;

/**
 * A reusable holder for one compressed gradient of a dense range of {@link #length()} coordinates, written by a
 * {@link Compressor} (or by a wire decoder) and read by the sender, the receiver and {@link ErrorFeedback}. Its arrays
 * are allocated once with the capacities given at construction; every reset only changes the header fields, so nothing
 * is allocated per message.
 * <p>
 * What the arrays hold depends on the {@link #encoding()}:
 * <ul>
 *     <li>{@link Encoding#DENSE_F32}: {@code values[0, length)} is the range itself; {@link #count()} == length.</li>
 *     <li>{@link Encoding#SPARSE_F32} and {@link Encoding#SPARSE_F16}: {@code count} entries
 *     {@code (indices[j], values[j])}, indices strictly increasing and relative to the start of the range; every other
 *     coordinate is zero. Half-precision values are held widened to float.</li>
 *     <li>{@link Encoding#QSGD_8BIT}, {@link Encoding#QSGD_4BIT} and {@link Encoding#SIGN}: one signed level per
 *     coordinate in {@code levels[0, length)}, with {@code |level| <= }{@link #maxLevel()} (127, 7 and 1; a sign
 *     level is never 0), and one scale per block of {@link #blockSize()} coordinates in
 *     {@code blockScales[0, blockCount())}, the last block possibly shorter; {@link #count()} == length.</li>
 * </ul>
 * <p>
 * The reconstructed value of coordinate {@code i} is defined bit for bit, so that a receiver and the sender's error
 * feedback agree exactly: {@code values[i]} (dense), {@code values[j]} where {@code indices[j] == i} or 0 (sparse), and
 * {@code levels[i] * (blockScales[b] / maxLevel)} evaluated in float with {@code b = i / blockSize} (quantised).
 * <p>
 * Not thread safe: one holder belongs to one sender or one receiver at a time.
 */
public final class CompressedGradient
{
    /**
     * Largest level magnitude of {@link Encoding#QSGD_8BIT}: sign plus 7 bits.
     */
    public static final int QSGD_8BIT_MAX_LEVEL = 127;

    /**
     * Largest level magnitude of {@link Encoding#QSGD_4BIT}: sign plus 3 bits.
     */
    public static final int QSGD_4BIT_MAX_LEVEL = 7;

    private static final int SPARSE_RESUM_FRACTION = 8;

    private final int[] indices;
    private final float[] values;
    private final byte[] levels;
    private final float[] blockScales;

    private Encoding encoding = Encoding.DENSE_F32;
    private int length;
    private int count;
    private int blockSize = 1;
    private float threshold = Float.NaN;

    /**
     * Construct a holder with explicit capacities; {@link Compressor#newOutput()} and
     * {@link #forAnyEncoding(int, int)} are the usual ways in.
     *
     * @param indexCapacity      most sparse entries.
     * @param valueCapacity      most sparse entries or dense coordinates.
     * @param levelCapacity      most quantised coordinates.
     * @param blockScaleCapacity most quantisation blocks.
     */
    public CompressedGradient(
        final int indexCapacity, final int valueCapacity, final int levelCapacity, final int blockScaleCapacity)
    {
        if (indexCapacity < 0 || valueCapacity < 0 || levelCapacity < 0 || blockScaleCapacity < 0)
        {
            throw new IllegalArgumentException("capacities must be >= 0: indexCapacity=" + indexCapacity +
                " valueCapacity=" + valueCapacity + " levelCapacity=" + levelCapacity +
                " blockScaleCapacity=" + blockScaleCapacity);
        }
        indices = new int[indexCapacity];
        values = new float[valueCapacity];
        levels = new byte[levelCapacity];
        blockScales = new float[blockScaleCapacity];
    }

    /**
     * Allocate a holder that can take any encoding of a range of up to {@code maxLength} coordinates, as a receiver
     * that decodes whatever a sender chose needs.
     *
     * @param maxLength    most coordinates in the range.
     * @param minBlockSize smallest quantisation block size that will be accepted.
     * @return a new holder.
     */
    public static CompressedGradient forAnyEncoding(final int maxLength, final int minBlockSize)
    {
        if (maxLength < 0 || minBlockSize < 1)
        {
            throw new IllegalArgumentException(
                "expected maxLength >= 0 and minBlockSize >= 1: maxLength=" + maxLength +
                " minBlockSize=" + minBlockSize);
        }
        return new CompressedGradient(maxLength, maxLength, maxLength, blockCount(maxLength, minBlockSize));
    }

    /**
     * Get the number of blocks that cover a range.
     *
     * @param length    coordinates in the range.
     * @param blockSize coordinates per block.
     * @return ceil(length / blockSize).
     */
    public static int blockCount(final int length, final int blockSize)
    {
        return (int)(((long)length + blockSize - 1) / blockSize);
    }

    /**
     * Get the largest level magnitude of a quantised encoding.
     *
     * @param encoding a payload encoding.
     * @return 127 for QSGD 8-bit, 7 for QSGD 4-bit, 1 for sign, 0 for dense and sparse encodings.
     */
    public static int maxLevel(final Encoding encoding)
    {
        switch (encoding)
        {
            case QSGD_8BIT:
                return QSGD_8BIT_MAX_LEVEL;
            case QSGD_4BIT:
                return QSGD_4BIT_MAX_LEVEL;
            case SIGN:
                return 1;
            default:
                return 0;
        }
    }

    /**
     * Is the encoding one with one level per coordinate and one scale per block?
     *
     * @param encoding a payload encoding.
     * @return true for QSGD 8-bit, QSGD 4-bit and sign.
     */
    public static boolean isQuantised(final Encoding encoding)
    {
        return maxLevel(encoding) > 0;
    }

    /**
     * Is the encoding a list of (index, value) entries?
     *
     * @param encoding a payload encoding.
     * @return true for sparse f32 and sparse f16.
     */
    public static boolean isSparse(final Encoding encoding)
    {
        return encoding == Encoding.SPARSE_F32 || encoding == Encoding.SPARSE_F16;
    }

    /**
     * Start a dense gradient: fill {@code values()[0, length)} afterwards.
     *
     * @param length coordinates in the range.
     * @return this for a fluent API.
     */
    public CompressedGradient resetDense(final int length)
    {
        if (length < 0 || length > values.length)
        {
            throw new IllegalArgumentException(
                "dense length must be in [0, " + values.length + "] (value capacity): length=" + length);
        }
        return reset(Encoding.DENSE_F32, length, length, 1);
    }

    /**
     * Start a sparse gradient: fill {@code indices()[0, count)} (strictly increasing, relative to the range start)
     * and {@code values()[0, count)} afterwards.
     *
     * @param encoding {@link Encoding#SPARSE_F32} or {@link Encoding#SPARSE_F16}.
     * @param length   coordinates in the dense range.
     * @param count    entries sent.
     * @return this for a fluent API.
     */
    public CompressedGradient resetSparse(final Encoding encoding, final int length, final int count)
    {
        if (!isSparse(encoding) || length < 0 || count < 0 || count > length ||
            count > indices.length || count > values.length)
        {
            throw new IllegalArgumentException(
                "expected a sparse encoding, length >= 0 and 0 <= count <= min(length, " +
                Math.min(indices.length, values.length) + "): encoding=" + encoding + " length=" + length +
                " count=" + count);
        }
        return reset(encoding, length, count, 1);
    }

    /**
     * Start a quantised gradient: fill {@code levels()[0, length)} and {@code blockScales()[0, blockCount())}
     * afterwards.
     *
     * @param encoding  {@link Encoding#QSGD_8BIT}, {@link Encoding#QSGD_4BIT} or {@link Encoding#SIGN}.
     * @param length    coordinates in the range.
     * @param blockSize coordinates per scale block.
     * @return this for a fluent API.
     */
    public CompressedGradient resetQuantised(final Encoding encoding, final int length, final int blockSize)
    {
        if (!isQuantised(encoding) || length < 0 || length > levels.length || blockSize < 1 ||
            blockCount(length, blockSize) > blockScales.length)
        {
            throw new IllegalArgumentException("expected a quantised encoding, 0 <= length <= " + levels.length +
                " and blockSize >= 1 with at most " + blockScales.length + " blocks: encoding=" + encoding +
                " length=" + length + " blockSize=" + blockSize);
        }
        return reset(encoding, length, length, blockSize);
    }

    private CompressedGradient reset(final Encoding encoding, final int length, final int count, final int blockSize)
    {
        this.encoding = encoding;
        this.length = length;
        this.count = count;
        this.blockSize = blockSize;
        this.threshold = Float.NaN;
        return this;
    }

    /**
     * Get how the payload is encoded: the label a wire encoder writes.
     *
     * @return the encoding.
     */
    public Encoding encoding()
    {
        return encoding;
    }

    /**
     * Get the number of coordinates in the dense range this gradient covers.
     *
     * @return the range length.
     */
    public int length()
    {
        return length;
    }

    /**
     * Get the number of entries sent: k for sparse encodings, the range length otherwise.
     *
     * @return the entry count.
     */
    public int count()
    {
        return count;
    }

    /**
     * Get the fraction of the range's coordinates that were sent.
     *
     * @return count / length, or 0 for an empty range.
     */
    public double density()
    {
        return length == 0 ? 0.0 : (double)count / length;
    }

    /**
     * Get the coordinates per scale block of a quantised encoding.
     *
     * @return the block size, 1 for dense and sparse encodings.
     */
    public int blockSize()
    {
        return blockSize;
    }

    /**
     * Get the number of scale blocks of a quantised encoding.
     *
     * @return ceil(length / blockSize), or 0 for dense and sparse encodings.
     */
    public int blockCount()
    {
        return isQuantised(encoding) ? blockCount(length, blockSize) : 0;
    }

    /**
     * Get the largest level magnitude of the current encoding.
     *
     * @return see {@link #maxLevel(Encoding)}.
     */
    public int maxLevel()
    {
        return maxLevel(encoding);
    }

    /**
     * Get the telemetry threshold: for a top-k selection the magnitude of the k-th largest entry (NaN if that entry
     * is NaN), otherwise NaN. It is not part of the payload and a reset clears it.
     *
     * @return the threshold magnitude, or NaN.
     */
    public float threshold()
    {
        return threshold;
    }

    void threshold(final float threshold)
    {
        this.threshold = threshold;
    }

    /**
     * Get the backing index array; entries {@code [0, count())} are valid for sparse encodings.
     *
     * @return the index array, shared, not a copy.
     */
    public int[] indices()
    {
        return indices;
    }

    /**
     * Get the backing value array; entries {@code [0, count())} are valid for dense and sparse encodings.
     *
     * @return the value array, shared, not a copy.
     */
    public float[] values()
    {
        return values;
    }

    /**
     * Get the backing level array; entries {@code [0, length())} are valid for quantised encodings.
     *
     * @return the level array, shared, not a copy.
     */
    public byte[] levels()
    {
        return levels;
    }

    /**
     * Get the backing block scale array; entries {@code [0, blockCount())} are valid for quantised encodings.
     *
     * @return the block scale array, shared, not a copy.
     */
    public float[] blockScales()
    {
        return blockScales;
    }

    /**
     * Write the reconstructed range into {@code target[offset, offset + length())}, zeros included.
     *
     * @param target dense array to overwrite.
     * @param offset where the range starts in the target.
     */
    public void decompressInto(final float[] target, final int offset)
    {
        Objects.checkFromIndexSize(offset, length, target.length);
        if (isSparse(encoding))
        {
            Arrays.fill(target, offset, offset + length, 0.0f);
            for (int j = 0; j < count; j++)
            {
                target[offset + indices[j]] = values[j];
            }
        }
        else if (isQuantised(encoding))
        {
            final int maxLevel = maxLevel(encoding);
            for (int start = 0, b = 0; start < length; start += blockSize, b++)
            {
                final float unit = blockScales[b] / maxLevel;
                final int end = Math.min(length, start + blockSize);
                for (int i = start; i < end; i++)
                {
                    target[offset + i] = levels[i] * unit;
                }
            }
        }
        else
        {
            System.arraycopy(values, 0, target, offset, length);
        }
    }

    /**
     * Add the scaled reconstruction into a dense array: {@code target[offset + i] += scale * q_i} in float, with
     * {@code q_i} the reconstructed value of coordinate i (see the class documentation). A sparse gradient touches only
     * its entries. With {@code scale == -1} this is exactly {@code target - q}, which {@link ErrorFeedback} relies on.
     *
     * @param target dense array to update.
     * @param offset where the range starts in the target.
     * @param scale  factor applied to every reconstructed value, a learning rate or staleness weight for instance.
     */
    public void addToInPlace(final float[] target, final int offset, final float scale)
    {
        Objects.checkFromIndexSize(offset, length, target.length);
        if (isSparse(encoding))
        {
            for (int j = 0; j < count; j++)
            {
                target[offset + indices[j]] += scale * values[j];
            }
        }
        else if (isQuantised(encoding))
        {
            final int maxLevel = maxLevel(encoding);
            for (int start = 0, b = 0; start < length; start += blockSize, b++)
            {
                final float unit = blockScales[b] / maxLevel;
                final int end = Math.min(length, start + blockSize);
                for (int i = start; i < end; i++)
                {
                    target[offset + i] += scale * (levels[i] * unit);
                }
            }
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                target[offset + i] += scale * values[i];
            }
        }
    }

    /**
     * Subtract the reconstruction from {@code target[offset, offset + length)} and track the sum of squares of that
     * range: the residual update of {@link ErrorFeedback}, done on the one pass it needs anyway.
     *
     * @param target            dense array to update.
     * @param offset            where the range starts in the target.
     * @param sumSquaresBefore  sum of squares of the range before the call.
     * @return the sum of squares of the range after the call, in double.
     */
    double subtractInPlace(final float[] target, final int offset, final double sumSquaresBefore)
    {
        Objects.checkFromIndexSize(offset, length, target.length);
        if (isSparse(encoding))
        {
            double sumSquares = sumSquaresBefore;
            for (int j = 0; j < count; j++)
            {
                final int i = offset + indices[j];
                final float before = target[i];
                final float after = before - values[j];
                target[i] = after;
                sumSquares += (double)after * after - (double)before * before;
            }
            if ((long)count * SPARSE_RESUM_FRACTION < length)
            {
                return sumSquares;
            }
            // Most of the range was sent, so the difference above is mostly rounding of the larger sum: sum afresh.
            double fresh = 0.0;
            for (int i = 0; i < length; i++)
            {
                final float after = target[offset + i];
                fresh += (double)after * after;
            }
            return fresh;
        }

        double sumSquares = 0.0;
        if (isQuantised(encoding))
        {
            final int maxLevel = maxLevel(encoding);
            for (int start = 0, b = 0; start < length; start += blockSize, b++)
            {
                final float unit = blockScales[b] / maxLevel;
                final int end = Math.min(length, start + blockSize);
                for (int i = start; i < end; i++)
                {
                    final float after = target[offset + i] - levels[i] * unit;
                    target[offset + i] = after;
                    sumSquares += (double)after * after;
                }
            }
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                final float after = target[offset + i] - values[i];
                target[offset + i] = after;
                sumSquares += (double)after * after;
            }
        }
        return sumSquares;
    }

    /**
     * Check the structural invariants a decoder must guarantee before the gradient touches a model: sparse indices
     * strictly increasing and inside the range, quantised levels inside {@code [-maxLevel, maxLevel]} (and not 0 for
     * sign), counts inside the capacities. Values and scales are not checked: a NaN there is a divergence symptom for
     * the training watchdog, not a malformed message. Runs in O(count) and allocates only when it throws.
     *
     * @throws EngineException naming the first offending field and value.
     */
    public void validate()
    {
        if (isSparse(encoding))
        {
            int previous = -1;
            for (int j = 0; j < count; j++)
            {
                final int index = indices[j];
                if (index <= previous || index >= length)
                {
                    throw new EngineException("sparse index must be strictly increasing and in [0, " + length +
                        "): indices[" + j + "]=" + index + " after " + previous);
                }
                previous = index;
            }
        }
        else if (isQuantised(encoding))
        {
            final int maxLevel = maxLevel(encoding);
            final boolean sign = encoding == Encoding.SIGN;
            for (int i = 0; i < length; i++)
            {
                final int level = levels[i];
                if (level > maxLevel || level < -maxLevel || (sign && level == 0))
                {
                    throw new EngineException("level out of range for " + encoding + ": levels[" + i + "]=" + level +
                        ", expected " + (sign ? "-1 or 1" : "[-" + maxLevel + ", " + maxLevel + "]"));
                }
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "CompressedGradient{encoding=" + encoding + ", length=" + length + ", count=" + count +
            ", blockSize=" + blockSize + ", threshold=" + threshold + "}";
    }
}
