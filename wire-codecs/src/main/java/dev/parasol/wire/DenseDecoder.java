package dev.parasol.wire;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Decodes a {@link Encoding#DENSE_F32} payload into a caller's {@code float[]}: value i is the coordinate of key
 * {@code header.rangeStart() + i}. Every value must be finite.
 * <p>
 * Stateless and allocation-free. On a rejection the destination holds an unspecified prefix of the values, so
 * receivers decode into scratch arrays, never into the model.
 */
public final class DenseDecoder
{
    private DenseDecoder()
    {
    }

    /**
     * Decode the payload of a message accepted by {@link MessageHeaderDecoder#wrap}.
     *
     * @param header the header decoder the message was wrapped with.
     * @param values destination, at least {@link MessageHeaderDecoder#elementCount()} long; values[0, count) are
     *               written.
     * @return {@link RejectReason#NONE}, or the rule broken: the header's own rejection,
     * {@link RejectReason#BAD_ENCODING}, {@link RejectReason#CAPACITY_EXCEEDED}, {@link RejectReason#NON_FINITE_VALUE}.
     */
    public static RejectReason decode(final MessageHeaderDecoder header, final float[] values)
    {
        if (header.reason() != RejectReason.NONE)
        {
            return header.reason();
        }
        if (header.encoding() != Encoding.DENSE_F32)
        {
            return RejectReason.BAD_ENCODING;
        }
        final int count = header.elementCount();
        if (values.length < count)
        {
            return RejectReason.CAPACITY_EXCEEDED;
        }

        final DirectBuffer buffer = header.buffer();
        int position = header.payloadOffset();
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
}
