package dev.parasol.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static dev.parasol.wire.DenseCodecTest.assertBitExact;
import static dev.parasol.wire.DenseCodecTest.assertReason;
import static dev.parasol.wire.TestMessages.JOB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparseCodecTest
{
    private static final int RANGE_START = 1_000;

    @Test
    void shouldRoundTripBitExactWhenF32()
    {
        final SplittableRandom random = new SplittableRandom(11);
        final int[] indices = TestMessages.sortedDistinct(random, 100_000, 1_000);
        final float[] values = TestMessages.randomValues(random, 1_000);
        final Decoded decoded = roundTrip(Encoding.SPARSE_F32, 100_000, indices, values);
        assertArrayEquals(indices, decoded.indices);
        assertBitExact(values, 0, decoded.values, values.length);
    }

    @Test
    void shouldRoundTripNearestHalfWhenF16()
    {
        final float[] values = {
            0.0f, -0.0f, 1.0f, -0.1f, 0x1.0p-24f, -0x3FFp-24f, 0x1.0p-25f, 1e-10f, -1e-10f, 65504f, 65519f, 65520f,
            1e6f, -Float.MAX_VALUE, 3.14159f, HalfFloat.MIN_NORMAL};
        final float[] expected = {
            0.0f, -0.0f, 1.0f, HalfFloat.toFloat(HalfFloat.fromFloat(-0.1f)), 0x1.0p-24f, -0x3FFp-24f, 0.0f, 0.0f,
            -0.0f, 65504f, 65504f, 65504f, 65504f, -65504f, 3.140625f, HalfFloat.MIN_NORMAL};
        final int[] indices = new int[values.length];
        for (int i = 0; i < indices.length; i++)
        {
            indices[i] = 3 * i;
        }
        final Decoded decoded = roundTrip(Encoding.SPARSE_F16, 100, indices, values);
        assertArrayEquals(indices, decoded.indices);
        assertBitExact(expected, 0, decoded.values, expected.length);
    }

    @Test
    void shouldRoundTripWhenGapsCrossEveryVarintLength()
    {
        final int maxIndex = Integer.MAX_VALUE - RANGE_START - 1;
        final int[] indices = {0, 127, 255, 16_638, 33_022, 2_130_174, 270_565_630, maxIndex};
        final float[] values = new float[indices.length];
        Arrays.fill(values, 0.5f);
        final int length = SparseEncoder.length(Encoding.SPARSE_F32, indices, indices.length);
        // Gaps 0, 127, 128, 16383, 16384, 2^21, 2^28, then one above 2^28: 1+1+2+2+3+4+5+5 bytes of indices.
        assertEquals(72 + 8 * 4 + 23, length);
        final Decoded decoded = roundTrip(Encoding.SPARSE_F32, Integer.MAX_VALUE - RANGE_START, indices, values);
        assertArrayEquals(indices, decoded.indices);
    }

    @Test
    void shouldRoundTripWhenFirstIndexIsZeroAndLastIsRangeEnd()
    {
        final int[] indices = {0, 1, 2, 999};
        final float[] values = {1, 2, 3, 4};
        assertArrayEquals(indices, roundTrip(Encoding.SPARSE_F32, 1000, indices, values).indices);
        assertArrayEquals(new int[]{999}, roundTrip(Encoding.SPARSE_F16, 1000, new int[]{999}, values).indices);
        assertEquals(0, roundTrip(Encoding.SPARSE_F32, 0, new int[0], new float[0]).indices.length);
    }

    @Test
    void shouldBoundLengthWhenMaxLengthUsed()
    {
        final int[] indices = TestMessages.sortedDistinct(new SplittableRandom(12), 1 << 30, 100);
        final int length = SparseEncoder.length(Encoding.SPARSE_F16, indices, 100);
        assertTrue(length <= SparseEncoder.maxLength(Encoding.SPARSE_F16, 100));
        assertEquals(72 + 100 * (4 + 5), SparseEncoder.maxLength(Encoding.SPARSE_F32, 100));
    }

    @Test
    void shouldThrowBeforeWritingWhenInputBreaksRule()
    {
        final byte[] bytes = new byte[300];
        Arrays.fill(bytes, (byte)0x55);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final MessageHeaderEncoder header = TestMessages.header(0, 10);
        final float[] values = {1, 2, 3};
        assertReason(RejectReason.INDEX_NOT_INCREASING,
            () -> SparseEncoder.encode(buffer, 0, header, Encoding.SPARSE_F32, new int[]{1, 1, 2}, values, 3));
        assertReason(RejectReason.INDEX_NOT_INCREASING,
            () -> SparseEncoder.encode(buffer, 0, header, Encoding.SPARSE_F32, new int[]{1, 5, 2}, values, 3));
        assertReason(RejectReason.INDEX_OUT_OF_RANGE,
            () -> SparseEncoder.encode(buffer, 0, header, Encoding.SPARSE_F32, new int[]{1, 5, 10}, values, 3));
        assertReason(RejectReason.INDEX_OUT_OF_RANGE,
            () -> SparseEncoder.encode(buffer, 0, header, Encoding.SPARSE_F16, new int[]{-1, 5, 9}, values, 3));
        assertReason(RejectReason.NON_FINITE_VALUE, () -> SparseEncoder.encode(
            buffer, 0, header, Encoding.SPARSE_F16, new int[]{1, 2, 3}, new float[]{1, Float.NaN, 2}, 3));
        assertReason(RejectReason.BAD_ENCODING,
            () -> SparseEncoder.encode(buffer, 0, header, Encoding.DENSE_F32, new int[]{1, 2, 3}, values, 3));
        assertReason(RejectReason.COUNT_OUT_OF_RANGE,
            () -> SparseEncoder.encode(buffer, 0, header, Encoding.SPARSE_F32, new int[]{1, 2}, values, 3));
        assertReason(RejectReason.CAPACITY_EXCEEDED,
            () -> SparseEncoder.encode(buffer, 250, header, Encoding.SPARSE_F32, new int[]{1, 2, 3}, values, 3));
        assertReason(RejectReason.BAD_ENCODING, () -> SparseEncoder.length(Encoding.SIGN, new int[0], 0));
        assertReason(RejectReason.COUNT_OUT_OF_RANGE, () -> SparseEncoder.maxLength(Encoding.SPARSE_F32, -1));
        for (final byte b : bytes)
        {
            assertEquals((byte)0x55, b, "a failed encode must not write");
        }
    }

    private static Decoded roundTrip(
        final Encoding encoding, final int rangeLength, final int[] indices, final float[] values)
    {
        final int capacity = SparseEncoder.maxLength(encoding, indices.length);
        final UnsafeBuffer buffer = TestMessages.directCopy(new byte[capacity]);
        final int length = SparseEncoder.encode(
            buffer, 0, TestMessages.header(RANGE_START, rangeLength), encoding, indices, values, indices.length);
        assertEquals(SparseEncoder.length(encoding, indices, indices.length), length);
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
        assertEquals(RejectReason.NONE, decoder.wrap(buffer, 0, length, JOB, RANGE_START, RANGE_START + rangeLength));
        final Decoded decoded = new Decoded(new int[indices.length], new float[indices.length]);
        assertEquals(RejectReason.NONE, SparseDecoder.decode(decoder, decoded.indices, decoded.values));
        return decoded;
    }

    private record Decoded(int[] indices, float[] values)
    {
    }
}
