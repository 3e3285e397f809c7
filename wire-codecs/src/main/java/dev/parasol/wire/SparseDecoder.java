package dev.parasol.wire;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Decodes a {@link Encoding#SPARSE_F32} or {@link Encoding#SPARSE_F16} payload into a caller's {@code int[]} of
 * indices and {@code float[]} of values. Indices come out relative to {@code header.rangeStart()}: entry i is the
 * value for key {@code header.rangeStart() + indices[i]}.
 * <p>
 * Checked, each before use: every value is finite (an f16 with an all-ones exponent is rejected); every varint is at
 * most five bytes, within 32 bits, minimal and inside the index section; the first index and every gap sum to an
 * index below the range length; every gap after the first is at least 1; the index section ends exactly at the end
 * of the payload.
 * <p>
 * Stateless and allocation-free. On a rejection the destinations hold an unspecified prefix, so receivers decode
 * into scratch arrays, never into the model.
 */
public final class SparseDecoder
{
    private SparseDecoder()
    {
    }

    /**
     * Decode the payload of a message accepted by {@link MessageHeaderDecoder#wrap}.
     *
     * @param header  the header decoder the message was wrapped with.
     * @param indices destination of the indices, at least {@link MessageHeaderDecoder#elementCount()} long.
     * @param values  destination of the values, at least {@link MessageHeaderDecoder#elementCount()} long.
     * @return {@link RejectReason#NONE}, or the rule broken: the header's own rejection,
     * {@link RejectReason#BAD_ENCODING}, {@link RejectReason#CAPACITY_EXCEEDED}, {@link RejectReason#NON_FINITE_VALUE},
     * {@link RejectReason#VARINT_OVERFLOW}, {@link RejectReason#VARINT_NOT_MINIMAL},
     * {@link RejectReason#INDEX_OUT_OF_RANGE}, {@link RejectReason#INDEX_NOT_INCREASING} or
     * {@link RejectReason#LENGTH_MISMATCH}.
     */
    public static RejectReason decode(final MessageHeaderDecoder header, final int[] indices, final float[] values)
    {
        if (header.reason() != RejectReason.NONE)
        {
            return header.reason();
        }
        final Encoding encoding = header.encoding();
        if (!PayloadLayout.isSparse(encoding))
        {
            return RejectReason.BAD_ENCODING;
        }
        final int count = header.elementCount();
        if (indices.length < count || values.length < count)
        {
            return RejectReason.CAPACITY_EXCEEDED;
        }

        final DirectBuffer buffer = header.buffer();
        final int valuesOffset = header.payloadOffset();
        final RejectReason valuesReason = encoding == Encoding.SPARSE_F32 ?
            readF32(buffer, valuesOffset, count, values) : readF16(buffer, valuesOffset, count, values);
        if (valuesReason != RejectReason.NONE)
        {
            return valuesReason;
        }
        // The header check guarantees count * (valueBytes + 1) <= payloadLength, so this lies inside the payload.
        final int indicesOffset = valuesOffset + count * PayloadLayout.sparseValueBytes(encoding);
        final int limit = valuesOffset + header.payloadLength();
        return readIndices(buffer, indicesOffset, limit, count, header.rangeLength(), indices);
    }

    private static RejectReason readF32(
        final DirectBuffer buffer, final int offset, final int count, final float[] values)
    {
        int position = offset;
        for (int i = 0; i < count; i++)
        {
            final float value = buffer.getFloat(position, LITTLE_ENDIAN);
            if (!Float.isFinite(value))
            {
                return RejectReason.NON_FINITE_VALUE;
            }
            values[i] = value;
            position += PayloadLayout.F32_BYTES;
        }
        return RejectReason.NONE;
    }

    private static RejectReason readF16(
        final DirectBuffer buffer, final int offset, final int count, final float[] values)
    {
        int position = offset;
        for (int i = 0; i < count; i++)
        {
            final short half = buffer.getShort(position, LITTLE_ENDIAN);
            if (!HalfFloat.isFinite(half))
            {
                return RejectReason.NON_FINITE_VALUE;
            }
            values[i] = HalfFloat.toFloat(half);
            position += PayloadLayout.F16_BYTES;
        }
        return RejectReason.NONE;
    }

    private static RejectReason readIndices(
        final DirectBuffer buffer,
        final int offset,
        final int limit,
        final int count,
        final int rangeLength,
        final int[] indices)
    {
        int position = offset;
        long previous = 0;
        for (int i = 0; i < count; i++)
        {
            final long result = Varint.read(buffer, position, limit);
            if (result < 0)
            {
                return result == Varint.OVERFLOW ? RejectReason.VARINT_OVERFLOW :
                    result == Varint.NOT_MINIMAL ? RejectReason.VARINT_NOT_MINIMAL : RejectReason.LENGTH_MISMATCH;
            }
            final long gap = Varint.value(result);
            if (gap == 0 && i > 0)
            {
                return RejectReason.INDEX_NOT_INCREASING;
            }
            final long index = previous + gap;
            if (index >= rangeLength)
            {
                return RejectReason.INDEX_OUT_OF_RANGE;
            }
            indices[i] = (int)index;
            previous = index;
            position += Varint.bytesRead(result);
        }
        return position == limit ? RejectReason.NONE : RejectReason.LENGTH_MISMATCH;
    }
}
