package dev.parasol.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Encodes a sparse top-k message, {@link Encoding#SPARSE_F32} or {@link Encoding#SPARSE_F16}: the values first,
 * then the indices as gaps in unsigned LEB128 varints. Indices are relative to the header's range start, strictly
 * increasing and below its range length; the first index is written as itself, each next one as its gap from the
 * previous one (at least 1). Values come first so that they stay aligned and their section's end, hence the start of
 * the index section, follows from the element count alone.
 * <p>
 * With {@link Encoding#SPARSE_F16} values are rounded to the nearest half, ties to even, and finite values beyond
 * {@link HalfFloat#MAX_VALUE} are clamped to it ({@link HalfFloat#fromFloatSaturated(float)}).
 * <p>
 * Stateless; the {@link MessageHeaderEncoder} passed in holds the per-sender state.
 */
public final class SparseEncoder
{
    private SparseEncoder()
    {
    }

    /**
     * Get the exact length of a sparse message, to size an Aeron {@code BufferClaim}: it scans the indices to sum
     * their varint lengths. Indices are not validated here; {@link #encode} does that.
     *
     * @param encoding {@link Encoding#SPARSE_F32} or {@link Encoding#SPARSE_F16}.
     * @param indices  the indices, relative to the key range start.
     * @param count    number of entries.
     * @return the message length in bytes, without the authentication trailer: a signing sender adds
     * {@link MessageHeaderEncoder#trailerLength()}.
     * @throws CodecException if the encoding is not sparse, count does not fit the array, or the message would
     *                        exceed 2^31 - 1 bytes.
     */
    public static int length(final Encoding encoding, final int[] indices, final int count)
    {
        final int valueBytes = valueBytes(encoding);
        SourceChecks.checkSlice("indices", indices.length, 0, count);
        long indexBytes = 0;
        int previous = 0;
        for (int i = 0; i < count; i++)
        {
            indexBytes += Varint.length(indices[i] - previous);
            previous = indices[i];
        }
        return SourceChecks.checkedLength((long)count * valueBytes + indexBytes);
    }

    /**
     * Get the largest length a sparse message of count entries can take, every gap taking five bytes: an upper
     * bound for sizing buffers without scanning the indices.
     *
     * @param encoding {@link Encoding#SPARSE_F32} or {@link Encoding#SPARSE_F16}.
     * @param count    number of entries.
     * @return the largest message length in bytes, without the authentication trailer.
     * @throws CodecException if the encoding is not sparse, count is negative, or the bound exceeds 2^31 - 1.
     */
    public static int maxLength(final Encoding encoding, final int count)
    {
        final int valueBytes = valueBytes(encoding);
        SourceChecks.checkCount(count);
        return SourceChecks.checkedLength((long)count * (valueBytes + Varint.MAX_LENGTH));
    }

    /**
     * Encode count entries (indices[i], values[i]) over the header's key range.
     *
     * @param buffer   to write into, for example {@code BufferClaim.buffer()}.
     * @param offset   of the first byte of the message in the buffer.
     * @param header   the header fields; indices are relative to its range start and below its range length.
     * @param encoding {@link Encoding#SPARSE_F32} or {@link Encoding#SPARSE_F16}.
     * @param indices  strictly increasing indices.
     * @param values   one finite value per index.
     * @param count    number of entries, at most the key range length.
     * @return the length of the message written, equal to {@link #length(Encoding, int[], int)} plus
     * {@link MessageHeaderEncoder#trailerLength()}.
     * @throws CodecException before writing anything, if the encoding is not sparse, an index is out of range or
     *                        not increasing, a value is not finite, count does not fit, or the buffer is too small.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final MessageHeaderEncoder header,
        final Encoding encoding,
        final int[] indices,
        final float[] values,
        final int count)
    {
        final int valueBytes = valueBytes(encoding);
        SourceChecks.checkSlice("indices", indices.length, 0, count);
        SourceChecks.checkSlice("values", values.length, 0, count);
        SourceChecks.checkFinite(values, 0, count);
        final long payloadLength = (long)count * valueBytes + checkedIndexBytes(indices, count, header.rangeLength());
        header.writeHeader(buffer, offset, encoding, count, 0, payloadLength);

        int position = offset + HeaderDescriptor.HEADER_LENGTH;
        if (encoding == Encoding.SPARSE_F32)
        {
            for (int i = 0; i < count; i++)
            {
                buffer.putFloat(position, values[i], LITTLE_ENDIAN);
                position += PayloadLayout.F32_BYTES;
            }
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                buffer.putShort(position, HalfFloat.fromFloatSaturated(values[i]), LITTLE_ENDIAN);
                position += PayloadLayout.F16_BYTES;
            }
        }

        int previous = 0;
        for (int i = 0; i < count; i++)
        {
            position += Varint.put(buffer, position, indices[i] - previous);
            previous = indices[i];
        }
        return header.seal(buffer, offset, (int)payloadLength);
    }

    private static int valueBytes(final Encoding encoding)
    {
        if (!PayloadLayout.isSparse(encoding))
        {
            throw new CodecException(RejectReason.BAD_ENCODING, "encoding=" + encoding + ", expected a sparse one");
        }
        return PayloadLayout.sparseValueBytes(encoding);
    }

    private static long checkedIndexBytes(final int[] indices, final int count, final int rangeLength)
    {
        long bytes = 0;
        int previous = -1;
        for (int i = 0; i < count; i++)
        {
            final int index = indices[i];
            if (index < 0 || index >= rangeLength)
            {
                throw new CodecException(
                    RejectReason.INDEX_OUT_OF_RANGE,
                    "index=" + index + " at " + i + ", expected one in [0, " + rangeLength + ")");
            }
            if (index <= previous)
            {
                throw new CodecException(
                    RejectReason.INDEX_NOT_INCREASING,
                    "index=" + index + " at " + i + " after " + previous + ", expected strictly increasing indices");
            }
            bytes += Varint.length(i == 0 ? index : index - previous);
            previous = index;
        }
        return bytes;
    }
}
