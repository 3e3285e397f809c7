package dev.parasol.wire;

import org.agrona.DirectBuffer;

/**
 * Decodes a {@link Encoding#SIGN} payload into a caller's {@code byte[]} of levels (+1 or -1 per coordinate) and
 * {@code float[]} of block scales. The value of the coordinate for key {@code header.rangeStart() + i} is
 * {@code scales[i / blockSize] * levels[i]}, as {@link QuantizedDecoder#dequantize} computes.
 * <p>
 * Checked, each before use: every scale is finite and not negative; the unused high bits of the last byte are zero.
 * <p>
 * Stateless and allocation-free. On a rejection the destinations hold an unspecified prefix, so receivers decode
 * into scratch arrays, never into the model.
 */
public final class SignDecoder
{
    private SignDecoder()
    {
    }

    /**
     * Decode the payload of a message accepted by {@link MessageHeaderDecoder#wrap}.
     *
     * @param header the header decoder the message was wrapped with.
     * @param levels destination of the signs, at least {@link MessageHeaderDecoder#elementCount()} long.
     * @param scales destination of the scales, at least {@link MessageHeaderDecoder#blockCount()} long.
     * @return {@link RejectReason#NONE}, or the rule broken: the header's own rejection,
     * {@link RejectReason#BAD_ENCODING}, {@link RejectReason#CAPACITY_EXCEEDED}, {@link RejectReason#BAD_SCALE} or
     * {@link RejectReason#PADDING_NOT_ZERO}.
     */
    public static RejectReason decode(final MessageHeaderDecoder header, final byte[] levels, final float[] scales)
    {
        if (header.reason() != RejectReason.NONE)
        {
            return header.reason();
        }
        if (header.encoding() != Encoding.SIGN)
        {
            return RejectReason.BAD_ENCODING;
        }
        final int count = header.elementCount();
        final int blocks = header.blockCount();
        if (levels.length < count || scales.length < blocks)
        {
            return RejectReason.CAPACITY_EXCEEDED;
        }

        final DirectBuffer buffer = header.buffer();
        final RejectReason scalesReason = BlockScales.read(buffer, header.payloadOffset(), blocks, scales);
        if (scalesReason != RejectReason.NONE)
        {
            return scalesReason;
        }
        final int bitsOffset = header.payloadOffset() + blocks * PayloadLayout.F32_BYTES;
        final int fullBytes = count >>> 3;
        for (int b = 0; b < fullBytes; b++)
        {
            unpackSigns(buffer.getByte(bitsOffset + b), levels, 8 * b, 8);
        }
        final int rest = count & 7;
        if (rest != 0)
        {
            final int packed = buffer.getByte(bitsOffset + fullBytes) & 0xFF;
            if ((packed >>> rest) != 0)
            {
                return RejectReason.PADDING_NOT_ZERO;
            }
            unpackSigns(packed, levels, 8 * fullBytes, rest);
        }
        return RejectReason.NONE;
    }

    private static void unpackSigns(final int packed, final byte[] levels, final int start, final int bits)
    {
        for (int bit = 0; bit < bits; bit++)
        {
            // Bit set means -1: 1 - 2 * bit maps {0, 1} to {+1, -1} without a branch.
            levels[start + bit] = (byte)(1 - (((packed >>> bit) & 1) << 1));
        }
    }
}
