package dev.parasol.wire;

import org.agrona.DirectBuffer;

/**
 * Decodes a {@link Encoding#QSGD_8BIT} or {@link Encoding#QSGD_4BIT} payload into a caller's {@code byte[]} of
 * levels (one per coordinate, 4-bit levels unpacked and sign-extended) and {@code float[]} of block scales. The
 * value of the coordinate for key {@code header.rangeStart() + i} is {@code scales[i / blockSize] * levels[i]}, as
 * {@link #dequantize} computes.
 * <p>
 * Checked, each before use: every scale is finite and not negative; no level is the asymmetric minimum (-128 or -8),
 * which a symmetric quantiser never produces; the unused high nibble of an odd count is zero.
 * <p>
 * Stateless and allocation-free. On a rejection the destinations hold an unspecified prefix, so receivers decode
 * into scratch arrays, never into the model.
 */
public final class QuantizedDecoder
{
    private static final byte MIN_LEVEL_8BIT = Byte.MIN_VALUE;
    private static final int MIN_LEVEL_4BIT = -8;

    private QuantizedDecoder()
    {
    }

    /**
     * Decode the payload of a message accepted by {@link MessageHeaderDecoder#wrap}.
     *
     * @param header the header decoder the message was wrapped with.
     * @param levels destination of the levels, at least {@link MessageHeaderDecoder#elementCount()} long.
     * @param scales destination of the scales, at least {@link MessageHeaderDecoder#blockCount()} long.
     * @return {@link RejectReason#NONE}, or the rule broken: the header's own rejection,
     * {@link RejectReason#BAD_ENCODING}, {@link RejectReason#CAPACITY_EXCEEDED}, {@link RejectReason#BAD_SCALE},
     * {@link RejectReason#LEVEL_OUT_OF_RANGE} or {@link RejectReason#PADDING_NOT_ZERO}.
     */
    public static RejectReason decode(final MessageHeaderDecoder header, final byte[] levels, final float[] scales)
    {
        if (header.reason() != RejectReason.NONE)
        {
            return header.reason();
        }
        final Encoding encoding = header.encoding();
        if (encoding != Encoding.QSGD_8BIT && encoding != Encoding.QSGD_4BIT)
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
        final int levelsOffset = header.payloadOffset() + blocks * PayloadLayout.F32_BYTES;
        return encoding == Encoding.QSGD_8BIT ?
            read8Bit(buffer, levelsOffset, count, levels) : read4Bit(buffer, levelsOffset, count, levels);
    }

    /**
     * Turn decoded levels and scales into values: {@code values[i] = scales[i / blockSize] * levels[i]}. Also
     * serves {@link SignDecoder}, whose levels are +1 and -1.
     *
     * @param levels    decoded levels.
     * @param scales    decoded scales.
     * @param count     number of coordinates.
     * @param blockSize coordinates per scale, positive.
     * @param values    destination, at least count long.
     */
    public static void dequantize(
        final byte[] levels, final float[] scales, final int count, final int blockSize, final float[] values)
    {
        final int blocks = (int)PayloadLayout.blockCount(count, blockSize);
        for (int block = 0; block < blocks; block++)
        {
            final float scale = scales[block];
            final int blockStart = (int)((long)block * blockSize);
            final int blockEnd = (int)Math.min(count, (long)blockStart + blockSize);
            for (int i = blockStart; i < blockEnd; i++)
            {
                values[i] = scale * levels[i];
            }
        }
    }

    private static RejectReason read8Bit(
        final DirectBuffer buffer, final int offset, final int count, final byte[] levels)
    {
        for (int i = 0; i < count; i++)
        {
            final byte level = buffer.getByte(offset + i);
            if (level == MIN_LEVEL_8BIT)
            {
                return RejectReason.LEVEL_OUT_OF_RANGE;
            }
            levels[i] = level;
        }
        return RejectReason.NONE;
    }

    private static RejectReason read4Bit(
        final DirectBuffer buffer, final int offset, final int count, final byte[] levels)
    {
        final int pairs = count >>> 1;
        for (int pair = 0; pair < pairs; pair++)
        {
            final int packed = buffer.getByte(offset + pair);
            final int low = (packed << 28) >> 28;
            final int high = (packed << 24) >> 28;
            if (low == MIN_LEVEL_4BIT || high == MIN_LEVEL_4BIT)
            {
                return RejectReason.LEVEL_OUT_OF_RANGE;
            }
            levels[2 * pair] = (byte)low;
            levels[2 * pair + 1] = (byte)high;
        }
        if ((count & 1) != 0)
        {
            final int packed = buffer.getByte(offset + pairs);
            final int low = (packed << 28) >> 28;
            if (low == MIN_LEVEL_4BIT)
            {
                return RejectReason.LEVEL_OUT_OF_RANGE;
            }
            if ((packed & 0xF0) != 0)
            {
                return RejectReason.PADDING_NOT_ZERO;
            }
            levels[count - 1] = (byte)low;
        }
        return RejectReason.NONE;
    }
}
