package dev.parasol.wire;

import org.agrona.MutableDirectBuffer;

/**
 * Encodes a {@link Encoding#SIGN} message, scaled sign compression (Bernstein et al., "signSGD: Compressed
 * Optimisation for Non-Convex Problems", ICML 2018; with error feedback, Karimireddy et al., "Error Feedback Fixes
 * SignSGD and other Gradient Compression Schemes", ICML 2019): the coordinates of the key range in blocks of
 * {@code blockSize}, each block with one f32 scale, each coordinate one bit, so that the value of coordinate i is
 * {@code scales[i / blockSize] * levels[i]} with levels +1 or -1.
 * <p>
 * Bit i is bit {@code i % 8} (least significant first) of byte {@code i / 8}, set for -1; the unused high bits of
 * the last byte are zero. Scales are finite and not negative, typically the mean magnitude of the block.
 * <p>
 * Stateless; the {@link MessageHeaderEncoder} passed in holds the per-sender state.
 */
public final class SignEncoder
{
    private SignEncoder()
    {
    }

    /**
     * Get the exact length of a sign message.
     *
     * @param count     number of coordinates.
     * @param blockSize coordinates per scale, positive.
     * @return the message length in bytes, without the authentication trailer: a signing sender adds
     * {@link MessageHeaderEncoder#trailerLength()}.
     * @throws CodecException if count is negative, blockSize is not positive, or the message would exceed
     *                        2^31 - 1 bytes.
     */
    public static int length(final int count, final int blockSize)
    {
        SourceChecks.checkCount(count);
        SourceChecks.checkBlockSize(blockSize, 0);
        return SourceChecks.checkedLength(PayloadLayout.fixedPayloadLength(Encoding.SIGN, count, blockSize));
    }

    /**
     * Encode the signs levels[from, from + count) with scales[from / blockSize, ...) as the coordinates of the
     * header's key range, whose length must be count.
     *
     * @param buffer    to write into, for example {@code BufferClaim.buffer()}.
     * @param offset    of the first byte of the message in the buffer.
     * @param header    the header fields; its key range gives the key of the first coordinate.
     * @param levels    +1 or -1 per coordinate (a zero gradient is sent as +1).
     * @param scales    one finite, non-negative scale per block.
     * @param from      index of the first level; a multiple of blockSize, so blocks line up with scales.
     * @param count     number of coordinates.
     * @param blockSize coordinates per scale, positive.
     * @return the length of the message written, equal to {@link #length(int, int)} plus
     * {@link MessageHeaderEncoder#trailerLength()}.
     * @throws CodecException before writing anything, if any input breaks a rule above or the buffer is too small.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final MessageHeaderEncoder header,
        final byte[] levels,
        final float[] scales,
        final int from,
        final int count,
        final int blockSize)
    {
        SourceChecks.checkBlockSize(blockSize, from);
        SourceChecks.checkSlice("levels", levels.length, from, count);
        final int blocks = (int)PayloadLayout.blockCount(count, blockSize);
        final int scalesFrom = from / blockSize;
        SourceChecks.checkSlice("scales", scales.length, scalesFrom, blocks);
        SourceChecks.checkCoversRange(header, count);
        checkSigns(levels, from, count);
        BlockScales.check(scales, scalesFrom, blocks);
        final long payloadLength = PayloadLayout.fixedPayloadLength(Encoding.SIGN, count, blockSize);
        header.writeHeader(buffer, offset, Encoding.SIGN, count, blockSize, payloadLength);

        int position = BlockScales.write(buffer, offset + HeaderDescriptor.HEADER_LENGTH, scales, scalesFrom, blocks);
        final int fullBytes = count >>> 3;
        for (int b = 0; b < fullBytes; b++)
        {
            buffer.putByte(position++, (byte)packSigns(levels, from + 8 * b, 8));
        }
        final int rest = count & 7;
        if (rest != 0)
        {
            buffer.putByte(position, (byte)packSigns(levels, from + 8 * fullBytes, rest));
        }
        return header.seal(buffer, offset, (int)payloadLength);
    }

    private static int packSigns(final byte[] levels, final int start, final int bits)
    {
        int packed = 0;
        for (int bit = 0; bit < bits; bit++)
        {
            // levels[i] is +1 or -1, so its sign bit (bit 7) tells which.
            packed |= ((levels[start + bit] >>> 7) & 1) << bit;
        }
        return packed;
    }

    private static void checkSigns(final byte[] levels, final int from, final int count)
    {
        for (int i = from, end = from + count; i < end; i++)
        {
            if (levels[i] != 1 && levels[i] != -1)
            {
                throw new CodecException(
                    RejectReason.LEVEL_OUT_OF_RANGE, "level=" + levels[i] + " at " + i + ", expected +1 or -1");
            }
        }
    }
}
