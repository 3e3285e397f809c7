package dev.parasol.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VarintTest
{
    private static final int[] BOUNDARIES = {
        0, 1, 127, 128, 16_383, 16_384, (1 << 21) - 1, 1 << 21, (1 << 28) - 1, 1 << 28, Integer.MAX_VALUE, -1};
    private static final int[] LENGTHS = {1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5};

    @Test
    void shouldRoundTripWhenValueIsAtByteBoundary()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        for (int i = 0; i < BOUNDARIES.length; i++)
        {
            final int value = BOUNDARIES[i];
            assertEquals(LENGTHS[i], Varint.length(value), "length of " + value);
            assertEquals(LENGTHS[i], Varint.put(buffer, 3, value), "bytes written for " + value);
            final long result = Varint.read(buffer, 3, 3 + LENGTHS[i]);
            assertEquals(Integer.toUnsignedLong(value), Varint.value(result), "value of " + value);
            assertEquals(LENGTHS[i], Varint.bytesRead(result));
        }
    }

    @Test
    void shouldWriteLittleEndianGroupsWhenMultiByte()
    {
        final byte[] bytes = new byte[5];
        Varint.put(new UnsafeBuffer(bytes), 0, 300);
        assertEquals((byte)0xAC, bytes[0]);
        assertEquals((byte)0x02, bytes[1]);
        Varint.put(new UnsafeBuffer(bytes), 0, -1);
        assertEquals((byte)0xFF, bytes[0]);
        assertEquals((byte)0x0F, bytes[4]);
    }

    @Test
    void shouldReadMaximumWhenFiveBytesHoldAllThirtyTwoBits()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[]{(byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF, 0x0F});
        assertEquals(0xFFFF_FFFFL, Varint.value(Varint.read(buffer, 0, 5)));
    }

    @Test
    void shouldReportOverflowWhenFifthByteHasHighBits()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[]{(byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF, 0x1F});
        assertEquals(Varint.OVERFLOW, Varint.read(buffer, 0, 5));
    }

    @Test
    void shouldReportOverflowWhenLongerThanFiveBytes()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[]{
            (byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, 0x01});
        assertEquals(Varint.OVERFLOW, Varint.read(buffer, 0, 6));
    }

    @Test
    void shouldReportNotMinimalWhenLastByteIsZero()
    {
        assertEquals(Varint.NOT_MINIMAL, Varint.read(new UnsafeBuffer(new byte[]{(byte)0x80, 0x00}), 0, 2));
        assertEquals(Varint.NOT_MINIMAL, Varint.read(new UnsafeBuffer(new byte[]{(byte)0x81, (byte)0x80, 0}), 0, 3));
        assertEquals(0L, Varint.value(Varint.read(new UnsafeBuffer(new byte[]{0x00}), 0, 1)));
    }

    @Test
    void shouldReportPastLimitWhenContinuationReachesLimit()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[]{(byte)0x80, (byte)0x80, 0x01});
        assertEquals(Varint.PAST_LIMIT, Varint.read(buffer, 0, 2));
        assertEquals(Varint.PAST_LIMIT, Varint.read(buffer, 2, 2));
    }
}
