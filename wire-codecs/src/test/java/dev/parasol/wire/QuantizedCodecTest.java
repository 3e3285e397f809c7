package dev.parasol.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.parasol.wire.DenseCodecTest.assertBitExact;
import static dev.parasol.wire.DenseCodecTest.assertReason;
import static dev.parasol.wire.TestMessages.JOB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class QuantizedCodecTest
{
    @Test
    void shouldRoundTripWhenEightBitLevelsSpanRange()
    {
        final byte[] levels = {-127, -1, 0, 1, 127, 64, -64};
        final float[] scales = {0.5f, 0.0f, Float.MIN_VALUE};
        final Decoded decoded = roundTrip(Encoding.QSGD_8BIT, levels, scales, 0, levels.length, 3);
        assertArrayEquals(levels, decoded.levels);
        assertBitExact(scales, 0, decoded.scales, 3);
        assertEquals(72 + 3 * 4 + 7, QuantizedEncoder.length(Encoding.QSGD_8BIT, 7, 3));
    }

    @Test
    void shouldRoundTripWhenFourBitLevelsAndCountOdd()
    {
        final byte[] levels = {-7, 7, 0, -1, 1, 3, -3};
        final float[] scales = {2.0f};
        final Decoded decoded = roundTrip(Encoding.QSGD_4BIT, levels, scales, 0, levels.length, 100);
        assertArrayEquals(levels, decoded.levels);
        assertBitExact(scales, 0, decoded.scales, 1);
        assertEquals(72 + 4 + 4, QuantizedEncoder.length(Encoding.QSGD_4BIT, 7, 100));
    }

    @Test
    void shouldPackLowNibbleFirstWhenFourBit()
    {
        final byte[] bytes = new byte[QuantizedEncoder.length(Encoding.QSGD_4BIT, 3, 8)];
        QuantizedEncoder.encode(new UnsafeBuffer(bytes), 0, TestMessages.header(0, 3), Encoding.QSGD_4BIT,
            new byte[]{-1, 2, 7}, new float[]{1.0f}, 0, 3, 8);
        assertEquals((byte)0x2F, bytes[72 + 4]);
        assertEquals((byte)0x07, bytes[72 + 5]);
    }

    @Test
    void shouldEncodeSliceWhenFromIsBlockAligned()
    {
        final byte[] levels = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        final float[] scales = {1, 2, 3, 4, 5};
        final Decoded decoded = roundTrip(Encoding.QSGD_8BIT, levels, scales, 4, 5, 2);
        assertArrayEquals(new byte[]{5, 6, 7, 8, 9}, decoded.levels);
        assertArrayEquals(new float[]{3, 4, 5}, decoded.scales);
    }

    @Test
    void shouldDequantizeWhenBlocksShortAtEnd()
    {
        final float[] values = new float[5];
        QuantizedDecoder.dequantize(new byte[]{1, -2, 3, -4, 5}, new float[]{0.5f, 2.0f}, 5, 3, values);
        assertArrayEquals(new float[]{0.5f, -1.0f, 1.5f, -8.0f, 10.0f}, values);
    }

    @Test
    void shouldThrowBeforeWritingWhenInputBreaksRule()
    {
        final byte[] bytes = new byte[200];
        Arrays.fill(bytes, (byte)0x55);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final MessageHeaderEncoder header = TestMessages.header(0, 4);
        final float[] scales = {1, 1, 1, 1};
        assertReason(RejectReason.LEVEL_OUT_OF_RANGE, () -> QuantizedEncoder.encode(
            buffer, 0, header, Encoding.QSGD_8BIT, new byte[]{0, -128, 0, 0}, scales, 0, 4, 2));
        assertReason(RejectReason.LEVEL_OUT_OF_RANGE, () -> QuantizedEncoder.encode(
            buffer, 0, header, Encoding.QSGD_4BIT, new byte[]{0, 8, 0, 0}, scales, 0, 4, 2));
        assertReason(RejectReason.LEVEL_OUT_OF_RANGE, () -> QuantizedEncoder.encode(
            buffer, 0, header, Encoding.QSGD_4BIT, new byte[]{0, -8, 0, 0}, scales, 0, 4, 2));
        assertReason(RejectReason.BAD_SCALE, () -> QuantizedEncoder.encode(
            buffer, 0, header, Encoding.QSGD_8BIT, new byte[4], new float[]{1, -1}, 0, 4, 2));
        assertReason(RejectReason.BAD_SCALE, () -> QuantizedEncoder.encode(
            buffer, 0, header, Encoding.QSGD_8BIT, new byte[4], new float[]{Float.NaN, 1}, 0, 4, 2));
        assertReason(RejectReason.BAD_BLOCK_SIZE, () -> QuantizedEncoder.encode(
            buffer, 0, header, Encoding.QSGD_8BIT, new byte[4], scales, 0, 4, 0));
        assertReason(RejectReason.BAD_BLOCK_SIZE, () -> QuantizedEncoder.encode(
            buffer, 0, header, Encoding.QSGD_8BIT, new byte[8], scales, 1, 4, 2));
        assertReason(RejectReason.COUNT_OUT_OF_RANGE, () -> QuantizedEncoder.encode(
            buffer, 0, header, Encoding.QSGD_8BIT, new byte[4], new float[1], 0, 4, 2));
        assertReason(RejectReason.COUNT_OUT_OF_RANGE, () -> QuantizedEncoder.encode(
            buffer, 0, TestMessages.header(0, 5), Encoding.QSGD_8BIT, new byte[4], scales, 0, 4, 2));
        assertReason(RejectReason.BAD_ENCODING, () -> QuantizedEncoder.encode(
            buffer, 0, header, Encoding.SIGN, new byte[4], scales, 0, 4, 2));
        assertReason(RejectReason.CAPACITY_EXCEEDED, () -> QuantizedEncoder.encode(
            buffer, 150, header, Encoding.QSGD_8BIT, new byte[4], scales, 0, 4, 1));
        assertReason(RejectReason.BAD_BLOCK_SIZE, () -> QuantizedEncoder.length(Encoding.QSGD_8BIT, 4, -2));
        for (final byte b : bytes)
        {
            assertEquals((byte)0x55, b, "a failed encode must not write");
        }
    }

    private static Decoded roundTrip(
        final Encoding encoding,
        final byte[] levels,
        final float[] scales,
        final int from,
        final int count,
        final int blockSize)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[QuantizedEncoder.length(encoding, count, blockSize) + 9]);
        final int length = QuantizedEncoder.encode(
            buffer, 9, TestMessages.header(500, count), encoding, levels, scales, from, count, blockSize);
        assertEquals(QuantizedEncoder.length(encoding, count, blockSize), length);
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
        assertEquals(RejectReason.NONE, decoder.wrap(buffer, 9, length, JOB, 0, 1000));
        final Decoded decoded = new Decoded(new byte[count], new float[decoder.blockCount()]);
        assertEquals(RejectReason.NONE, QuantizedDecoder.decode(decoder, decoded.levels, decoded.scales));
        return decoded;
    }

    private record Decoded(byte[] levels, float[] scales)
    {
    }
}
