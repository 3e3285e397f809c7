package dev.parasol.wire;

/**
 * Payload sizes of every encoding, in one place for encoders, length calculators and header validation. Sizes are
 * computed in {@code long} so that hostile counts cannot overflow them.
 * <pre>
 *   DENSE_F32    count x f32
 *   SPARSE_F32   count x f32 values, then count varint index gaps
 *   SPARSE_F16   count x f16 values, then count varint index gaps
 *   QSGD_8BIT    blocks x f32 scales, then count x int8 levels
 *   QSGD_4BIT    blocks x f32 scales, then ceil(count / 2) bytes of int4 levels, low nibble first
 *   SIGN         blocks x f32 scales, then ceil(count / 8) bytes of sign bits, least significant bit first
 * </pre>
 * where {@code blocks = ceil(count / blockSize)}.
 */
final class PayloadLayout
{
    static final int F32_BYTES = 4;
    static final int F16_BYTES = 2;

    private PayloadLayout()
    {
    }

    static boolean isSparse(final Encoding encoding)
    {
        return encoding == Encoding.SPARSE_F32 || encoding == Encoding.SPARSE_F16;
    }

    static boolean isBlockScaled(final Encoding encoding)
    {
        return encoding == Encoding.QSGD_8BIT || encoding == Encoding.QSGD_4BIT || encoding == Encoding.SIGN;
    }

    /**
     * Bytes per sparse value: 4 for {@link Encoding#SPARSE_F32}, 2 for {@link Encoding#SPARSE_F16}.
     */
    static int sparseValueBytes(final Encoding encoding)
    {
        return encoding == Encoding.SPARSE_F16 ? F16_BYTES : F32_BYTES;
    }

    /**
     * Number of scales for count coordinates in blocks of blockSize, the last block possibly short.
     */
    static long blockCount(final int count, final int blockSize)
    {
        return ((long)count + blockSize - 1) / blockSize;
    }

    /**
     * Exact payload length of a dense, quantised or sign payload; the caller has checked blockSize is positive
     * for the block-scaled encodings.
     */
    static long fixedPayloadLength(final Encoding encoding, final int count, final int blockSize)
    {
        switch (encoding)
        {
            case DENSE_F32:
                return (long)count * F32_BYTES;
            case QSGD_8BIT:
                return blockCount(count, blockSize) * F32_BYTES + count;
            case QSGD_4BIT:
                return blockCount(count, blockSize) * F32_BYTES + ((long)count + 1) / 2;
            case SIGN:
                return blockCount(count, blockSize) * F32_BYTES + ((long)count + 7) / 8;
            default:
                throw new IllegalArgumentException("not a fixed-length encoding: " + encoding);
        }
    }

    /**
     * Length of a whole message with the given payload length, or -1 if it would not fit in an int.
     */
    static int messageLength(final long payloadLength)
    {
        final long length = HeaderDescriptor.HEADER_LENGTH + payloadLength;
        return length <= Integer.MAX_VALUE ? (int)length : -1;
    }
}
