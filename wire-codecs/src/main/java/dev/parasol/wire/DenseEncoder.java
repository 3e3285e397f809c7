package dev.parasol.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Encodes a {@link Encoding#DENSE_F32} message: every coordinate of the key range as a little-endian f32, the
 * baseline every compressed encoding is measured against. A key range too large for one transport message is sent
 * as several messages over consecutive sub-ranges, each encoded from a slice of the same array.
 * <p>
 * Stateless; the {@link MessageHeaderEncoder} passed in holds the per-sender state.
 */
public final class DenseEncoder
{
    private DenseEncoder()
    {
    }

    /**
     * Get the exact length of a dense message, to size a buffer or an Aeron {@code BufferClaim}.
     *
     * @param count number of coordinates.
     * @return the message length in bytes, without the authentication trailer: a signing sender adds
     * {@link MessageHeaderEncoder#trailerLength()}.
     * @throws CodecException if count is negative or the message would exceed 2^31 - 1 bytes.
     */
    public static int length(final int count)
    {
        SourceChecks.checkCount(count);
        return SourceChecks.checkedLength(PayloadLayout.fixedPayloadLength(Encoding.DENSE_F32, count, 0));
    }

    /**
     * Encode values[from, from + count) as the coordinates of the header's key range, whose length must be count.
     *
     * @param buffer to write into, for example {@code BufferClaim.buffer()}.
     * @param offset of the first byte of the message in the buffer.
     * @param header the header fields; its key range gives the key of the first value.
     * @param values the source array.
     * @param from   index of the first value in the source array.
     * @param count  number of values.
     * @return the length of the message written, equal to {@link #length(int)} plus
     * {@link MessageHeaderEncoder#trailerLength()}.
     * @throws CodecException before writing anything, if a value is not finite, the slice or key range does not
     *                        match count, or the buffer is too small.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final MessageHeaderEncoder header,
        final float[] values,
        final int from,
        final int count)
    {
        SourceChecks.checkSlice("values", values.length, from, count);
        SourceChecks.checkCoversRange(header, count);
        SourceChecks.checkFinite(values, from, count);
        final long payloadLength = PayloadLayout.fixedPayloadLength(Encoding.DENSE_F32, count, 0);
        header.writeHeader(buffer, offset, Encoding.DENSE_F32, count, 0, payloadLength);

        int position = offset + HeaderDescriptor.HEADER_LENGTH;
        for (int i = from, end = from + count; i < end; i++)
        {
            buffer.putFloat(position, values[i], LITTLE_ENDIAN);
            position += PayloadLayout.F32_BYTES;
        }
        return header.seal(buffer, offset, (int)payloadLength);
    }
}
