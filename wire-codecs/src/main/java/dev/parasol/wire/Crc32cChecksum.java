package dev.parasol.wire;

import org.agrona.DirectBuffer;

import java.util.zip.CRC32C;

/**
 * CRC32C (Castagnoli) over ranges of any {@link DirectBuffer}, without allocating. A buffer over a {@code byte[]}
 * is checksummed in place through {@link CRC32C#update(byte[], int, int)}; any other buffer (off-heap, mapped, a
 * raw address) is copied through a small reusable scratch array, because updating from its {@code ByteBuffer}
 * would move that buffer's position, which other threads reading the same term buffer may share. Both paths use
 * the JDK's CRC32C intrinsic.
 * <p>
 * Agrona's {@code org.agrona.checksum.Crc32c} is not used: it reflects into {@code java.util.zip}, which needs an
 * extra {@code --add-opens}, and takes raw addresses only, which a heap buffer does not have.
 * <p>
 * Not thread-safe: each encoder or decoder owns one.
 */
final class Crc32cChecksum
{
    private static final int SCRATCH_LENGTH = 4096;

    private final CRC32C crc = new CRC32C();
    private final byte[] scratch = new byte[SCRATCH_LENGTH];

    void reset()
    {
        crc.reset();
    }

    /**
     * Add bytes [index, index + length) of the buffer; the caller has checked that they lie inside it.
     */
    void update(final DirectBuffer buffer, final int index, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (null != array)
        {
            crc.update(array, buffer.wrapAdjustment() + index, length);
        }
        else
        {
            int position = index;
            int remaining = length;
            while (remaining > 0)
            {
                final int chunk = Math.min(remaining, SCRATCH_LENGTH);
                buffer.getBytes(position, scratch, 0, chunk);
                crc.update(scratch, 0, chunk);
                position += chunk;
                remaining -= chunk;
            }
        }
    }

    int value()
    {
        return (int)crc.getValue();
    }
}
