package dev.parasol.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Arrays;
import java.util.SplittableRandom;

import static dev.parasol.wire.TestMessages.JOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DenseCodecTest
{
    @Test
    void shouldRoundTripBitExactWhenValuesIncludeExtremes()
    {
        final float[] values = {
            0.0f, -0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
            1.0f / 3.0f, 1e-30f, -123456.79f};
        final float[] decoded = roundTrip(new UnsafeBuffer(new byte[1024]), values, 0, values.length);
        assertBitExact(values, 0, decoded, values.length);
    }

    @Test
    void shouldRoundTripWhenBufferIsOffHeapAndValuesRandom()
    {
        final float[] values = TestMessages.randomValues(new SplittableRandom(5), 3000);
        final UnsafeBuffer buffer = TestMessages.directCopy(new byte[DenseEncoder.length(3000) + 7]);
        assertBitExact(values, 0, roundTrip(buffer, values, 0, 3000), 3000);
    }

    @Test
    void shouldEncodeSliceWhenSplittingKeyRange()
    {
        final float[] values = TestMessages.randomValues(new SplittableRandom(6), 100);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final int length = DenseEncoder.encode(buffer, 0, TestMessages.header(1040, 60), values, 40, 60);
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
        assertEquals(RejectReason.NONE, decoder.wrap(buffer, 0, length, JOB, 1000, 1100));
        final float[] out = new float[60];
        assertEquals(RejectReason.NONE, DenseDecoder.decode(decoder, out));
        assertBitExact(values, 40, out, 60);
    }

    @Test
    void shouldRoundTripWhenEmpty()
    {
        assertEquals(72, DenseEncoder.length(0));
        assertEquals(0, roundTrip(new UnsafeBuffer(new byte[75]), new float[0], 0, 0).length);
    }

    @Test
    void shouldThrowBeforeWritingWhenInputBreaksRule()
    {
        final byte[] bytes = new byte[200];
        Arrays.fill(bytes, (byte)0x55);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final float[] values = {1, 2, Float.NaN};
        assertReason(RejectReason.NON_FINITE_VALUE,
            () -> DenseEncoder.encode(buffer, 0, TestMessages.header(0, 3), values, 0, 3));
        assertReason(RejectReason.NON_FINITE_VALUE, () -> DenseEncoder.encode(
            buffer, 0, TestMessages.header(0, 1), new float[]{Float.NEGATIVE_INFINITY}, 0, 1));
        assertReason(RejectReason.COUNT_OUT_OF_RANGE,
            () -> DenseEncoder.encode(buffer, 0, TestMessages.header(0, 2), values, 0, 3));
        assertReason(RejectReason.COUNT_OUT_OF_RANGE,
            () -> DenseEncoder.encode(buffer, 0, TestMessages.header(0, 3), values, 1, 3));
        assertReason(RejectReason.CAPACITY_EXCEEDED,
            () -> DenseEncoder.encode(buffer, 150, TestMessages.header(0, 2), values, 0, 2));
        assertReason(RejectReason.CAPACITY_EXCEEDED,
            () -> DenseEncoder.encode(buffer, -1, TestMessages.header(0, 2), values, 0, 2));
        assertReason(RejectReason.COUNT_OUT_OF_RANGE, () -> DenseEncoder.length(-1));
        assertReason(RejectReason.LENGTH_MISMATCH, () -> DenseEncoder.length(Integer.MAX_VALUE / 4));
        for (final byte b : bytes)
        {
            assertEquals((byte)0x55, b, "a failed encode must not write");
        }
    }

    static void assertReason(final RejectReason expected, final Executable action)
    {
        assertEquals(expected, assertThrows(CodecException.class, action).reason());
    }

    static void assertBitExact(final float[] expected, final int from, final float[] actual, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            assertEquals(
                Float.floatToRawIntBits(expected[from + i]), Float.floatToRawIntBits(actual[i]), "value " + i);
        }
    }

    private static float[] roundTrip(final UnsafeBuffer buffer, final float[] values, final int from, final int count)
    {
        final int length = DenseEncoder.encode(buffer, 3, TestMessages.header(10, count), values, from, count);
        assertEquals(DenseEncoder.length(count), length);
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
        assertEquals(RejectReason.NONE, decoder.wrap(buffer, 3, length, JOB, 10, 10 + count));
        final float[] out = new float[count];
        assertEquals(RejectReason.NONE, DenseDecoder.decode(decoder, out));
        return out;
    }
}
