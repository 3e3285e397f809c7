package dev.parasol.wire;

import org.agrona.MutableDirectBuffer;

/**
 * Encodes a QSGD message, {@link Encoding#QSGD_8BIT} or {@link Encoding#QSGD_4BIT} (Alistarh et al., "QSGD:
 * Communication-Efficient SGD via Gradient Quantization and Encoding", NeurIPS 2017): the coordinates of the key
 * range in blocks of {@code blockSize}, each block with one f32 scale, each coordinate a signed level, so that the
 * value of coordinate i is {@code scales[i / blockSize] * levels[i]}. The scale already folds in the norm and the
 * number of levels, so the receiver needs neither.
 * <p>
 * Levels are symmetric: [-{@value #MAX_LEVEL_8BIT}, {@value #MAX_LEVEL_8BIT}] in one byte each, or
 * [-{@value #MAX_LEVEL_4BIT}, {@value #MAX_LEVEL_4BIT}] as two's-complement nibbles, two per byte, the even
 * coordinate in the low nibble; an odd count leaves the last high nibble zero. Scales are finite and not negative.
 * <p>
 * Stateless; the {@link MessageHeaderEncoder} passed in holds the per-sender state.
 */
public final class QuantizedEncoder
{
    /**
     * Largest level magnitude of {@link Encoding#QSGD_8BIT}.
     */
    public static final int MAX_LEVEL_8BIT = 127;

    /**
     * Largest level magnitude of {@link Encoding#QSGD_4BIT}.
     */
    public static final int MAX_LEVEL_4BIT = 7;

    private QuantizedEncoder()
    {
    }

    /**
     * Get the exact length of a quantised message.
     *
     * @param encoding  {@link Encoding#QSGD_8BIT} or {@link Encoding#QSGD_4BIT}.
     * @param count     number of coordinates.
     * @param blockSize coordinates per scale, positive.
     * @return the message length in bytes, without the authentication trailer: a signing sender adds
     * {@link MessageHeaderEncoder#trailerLength()}.
     * @throws CodecException if the encoding is not QSGD, count is negative, blockSize is not positive, or the
     *                        message would exceed 2^31 - 1 bytes.
     */
    public static int length(final Encoding encoding, final int count, final int blockSize)
    {
        maxLevel(encoding);
        SourceChecks.checkCount(count);
        SourceChecks.checkBlockSize(blockSize, 0);
        return SourceChecks.checkedLength(PayloadLayout.fixedPayloadLength(encoding, count, blockSize));
    }

    /**
     * Encode levels[from, from + count) with scales[from / blockSize, ...) as the coordinates of the header's key
     * range, whose length must be count.
     *
     * @param buffer    to write into, for example {@code BufferClaim.buffer()}.
     * @param offset    of the first byte of the message in the buffer.
     * @param header    the header fields; its key range gives the key of the first coordinate.
     * @param encoding  {@link Encoding#QSGD_8BIT} or {@link Encoding#QSGD_4BIT}.
     * @param levels    signed levels, within the encoding's symmetric range.
     * @param scales    one finite, non-negative scale per block.
     * @param from      index of the first level; a multiple of blockSize, so blocks line up with scales.
     * @param count     number of coordinates.
     * @param blockSize coordinates per scale, positive.
     * @return the length of the message written, equal to {@link #length(Encoding, int, int)} plus
     * {@link MessageHeaderEncoder#trailerLength()}.
     * @throws CodecException before writing anything, if any input breaks a rule above or the buffer is too small.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final MessageHeaderEncoder header,
        final Encoding encoding,
        final byte[] levels,
        final float[] scales,
        final int from,
        final int count,
        final int blockSize)
    {
        final int maxLevel = maxLevel(encoding);
        SourceChecks.checkBlockSize(blockSize, from);
        SourceChecks.checkSlice("levels", levels.length, from, count);
        final int blocks = (int)PayloadLayout.blockCount(count, blockSize);
        final int scalesFrom = from / blockSize;
        SourceChecks.checkSlice("scales", scales.length, scalesFrom, blocks);
        SourceChecks.checkCoversRange(header, count);
        checkLevels(levels, from, count, maxLevel);
        BlockScales.check(scales, scalesFrom, blocks);
        final long payloadLength = PayloadLayout.fixedPayloadLength(encoding, count, blockSize);
        header.writeHeader(buffer, offset, encoding, count, blockSize, payloadLength);

        int position = BlockScales.write(buffer, offset + HeaderDescriptor.HEADER_LENGTH, scales, scalesFrom, blocks);
        if (encoding == Encoding.QSGD_8BIT)
        {
            buffer.putBytes(position, levels, from, count);
        }
        else
        {
            final int pairs = count >>> 1;
            for (int pair = 0; pair < pairs; pair++)
            {
                final int i = from + 2 * pair;
                buffer.putByte(position++, (byte)((levels[i] & 0x0F) | ((levels[i + 1] & 0x0F) << 4)));
            }
            if ((count & 1) != 0)
            {
                buffer.putByte(position, (byte)(levels[from + count - 1] & 0x0F));
            }
        }
        return header.seal(buffer, offset, (int)payloadLength);
    }

    private static int maxLevel(final Encoding encoding)
    {
        if (encoding == Encoding.QSGD_8BIT)
        {
            return MAX_LEVEL_8BIT;
        }
        if (encoding == Encoding.QSGD_4BIT)
        {
            return MAX_LEVEL_4BIT;
        }
        throw new CodecException(
            RejectReason.BAD_ENCODING, "encoding=" + encoding + ", expected QSGD_8BIT or QSGD_4BIT");
    }

    private static void checkLevels(final byte[] levels, final int from, final int count, final int maxLevel)
    {
        for (int i = from, end = from + count; i < end; i++)
        {
            if (levels[i] < -maxLevel || levels[i] > maxLevel)
            {
                throw new CodecException(
                    RejectReason.LEVEL_OUT_OF_RANGE,
                    "level=" + levels[i] + " at " + i + ", expected one in [-" + maxLevel + ", " + maxLevel + "]");
            }
        }
    }
}
