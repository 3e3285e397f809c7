package dev.parasol.wire;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Crc32cChecksumTest
{
    private static final int LENGTH = 10_000;
    private static final int OFFSET = 13;

    @Test
    void shouldMatchJdkCrc32cWhenBufferWrapsArrayAtOffset()
    {
        final byte[] bytes = randomBytes();
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes, 7, LENGTH - 7);
        assertEquals(reference(bytes, 7 + OFFSET, 5000), checksum(buffer, OFFSET, 5000));
    }

    @Test
    void shouldMatchJdkCrc32cWhenBufferIsOffHeap()
    {
        final byte[] bytes = randomBytes();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(LENGTH));
        buffer.putBytes(0, bytes);
        // Longer than the scratch array, so the copy loop runs several chunks and a short last one.
        assertEquals(reference(bytes, OFFSET, 9000), checksum(buffer, OFFSET, 9000));
        assertEquals(reference(bytes, 0, 0), checksum(buffer, 0, 0));
    }

    @Test
    void shouldMatchJdkCrc32cWhenBufferWrapsRawAddressOrSlice()
    {
        final byte[] bytes = randomBytes();
        final ByteBuffer direct = ByteBuffer.allocateDirect(LENGTH);
        direct.put(bytes).flip();
        final UnsafeBuffer whole = new UnsafeBuffer(direct);
        final UnsafeBuffer raw = new UnsafeBuffer(whole.addressOffset() + 100, 5000);
        assertEquals(reference(bytes, 100 + OFFSET, 4000), checksum(raw, OFFSET, 4000));
        final UnsafeBuffer slice = new UnsafeBuffer(direct, 200, 5000);
        assertEquals(reference(bytes, 200 + OFFSET, 4000), checksum(slice, OFFSET, 4000));
        assertEquals(0, direct.position(), "the checksum must not move the ByteBuffer's position");
    }

    @Test
    void shouldMatchJdkCrc32cWhenBufferIsExpandableOrHeapByteBuffer()
    {
        final byte[] bytes = randomBytes();
        final ExpandableArrayBuffer expandable = new ExpandableArrayBuffer(LENGTH);
        expandable.putBytes(0, bytes);
        assertEquals(reference(bytes, OFFSET, 3000), checksum(expandable, OFFSET, 3000));
        final UnsafeBuffer heapSlice = new UnsafeBuffer(ByteBuffer.wrap(bytes, 0, LENGTH).slice(), 50, 5000);
        assertEquals(reference(bytes, 50 + OFFSET, 3000), checksum(heapSlice, OFFSET, 3000));
    }

    private static int checksum(final DirectBuffer buffer, final int index, final int length)
    {
        final Crc32cChecksum crc = new Crc32cChecksum();
        crc.reset();
        crc.update(buffer, index, length);
        return crc.value();
    }

    private static int reference(final byte[] bytes, final int index, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, index, length);
        return (int)crc.getValue();
    }

    private static byte[] randomBytes()
    {
        final byte[] bytes = new byte[LENGTH];
        new SplittableRandom(99).nextBytes(bytes);
        return bytes;
    }
}
