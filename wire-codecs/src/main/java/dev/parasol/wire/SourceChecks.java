package dev.parasol.wire;

/**
 * Checks encoders make on their caller's arrays before writing a byte, so an encode either throws
 * {@link CodecException} or writes a whole message.
 */
final class SourceChecks
{
    private SourceChecks()
    {
    }

    /**
     * Check array[from, from + count) exists.
     */
    static void checkSlice(final String name, final int arrayLength, final int from, final int count)
    {
        if (count < 0 || from < 0 || from > arrayLength - count)
        {
            throw new CodecException(
                RejectReason.COUNT_OUT_OF_RANGE,
                name + " from=" + from + " count=" + count + " length=" + arrayLength + ", expected a slice of it");
        }
    }

    static void checkCount(final int count)
    {
        if (count < 0)
        {
            throw new CodecException(RejectReason.COUNT_OUT_OF_RANGE, "count=" + count + ", expected count >= 0");
        }
    }

    /**
     * Check a dense-style payload covers the header's key range exactly.
     */
    static void checkCoversRange(final MessageHeaderEncoder header, final int count)
    {
        if (count != header.rangeLength())
        {
            throw new CodecException(
                RejectReason.COUNT_OUT_OF_RANGE,
                "count=" + count + ", expected the key range length " + header.rangeLength());
        }
    }

    static void checkFinite(final float[] values, final int from, final int count)
    {
        for (int i = from, end = from + count; i < end; i++)
        {
            if (!Float.isFinite(values[i]))
            {
                throw new CodecException(
                    RejectReason.NON_FINITE_VALUE, "value=" + values[i] + " at " + i + ", expected a finite value");
            }
        }
    }

    static void checkBlockSize(final int blockSize, final int from)
    {
        if (blockSize <= 0 || from % blockSize != 0)
        {
            throw new CodecException(
                RejectReason.BAD_BLOCK_SIZE,
                "blockSize=" + blockSize + " from=" + from + ", expected blockSize > 0 dividing from");
        }
    }

    static int checkedLength(final long payloadLength)
    {
        final int length = PayloadLayout.messageLength(payloadLength);
        if (length < 0)
        {
            throw new CodecException(
                RejectReason.LENGTH_MISMATCH,
                "payloadLength=" + payloadLength + ", expected a message below 2^31 bytes");
        }
        return length;
    }
}
