package dev.parasol.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Unsigned LEB128 variable-length integers of at most 32 bits: seven bits per byte, least significant group first,
 * the high bit set on every byte but the last. A value takes 1 to {@value #MAX_LENGTH} bytes.
 * <p>
 * Reading is strict, so that one value has exactly one encoding: more than five bytes or a value above 32 bits is an
 * overflow, and a multi-byte varint whose last byte is zero (a padded, non-minimal form) is refused.
 */
final class Varint
{
    /**
     * Most bytes a 32-bit value takes.
     */
    static final int MAX_LENGTH = 5;

    /**
     * {@link #read} result: more than five bytes, or a value above 32 bits.
     */
    static final long OVERFLOW = -1;

    /**
     * {@link #read} result: the last byte of a multi-byte varint is zero.
     */
    static final long NOT_MINIMAL = -2;

    /**
     * {@link #read} result: the varint continues past the limit.
     */
    static final long PAST_LIMIT = -3;

    private static final int LENGTH_SHIFT = 3;
    private static final int LENGTH_MASK = 0x7;
    private static final long UINT32_MAX = 0xFFFF_FFFFL;

    private Varint()
    {
    }

    /**
     * Number of bytes the value takes, read as unsigned (a negative int takes five).
     */
    static int length(final int value)
    {
        if ((value & ~0x7F) == 0)
        {
            return 1;
        }
        if ((value & ~0x3FFF) == 0)
        {
            return 2;
        }
        if ((value & ~0x1F_FFFF) == 0)
        {
            return 3;
        }
        if ((value & ~0xFFF_FFFF) == 0)
        {
            return 4;
        }
        return 5;
    }

    /**
     * Write the value, read as unsigned, at index.
     *
     * @return the number of bytes written.
     */
    static int put(final MutableDirectBuffer buffer, final int index, final int value)
    {
        int remaining = value;
        int position = index;
        while ((remaining & ~0x7F) != 0)
        {
            buffer.putByte(position++, (byte)((remaining & 0x7F) | 0x80));
            remaining >>>= 7;
        }
        buffer.putByte(position++, (byte)remaining);
        return position - index;
    }

    /**
     * Read a varint at index, reading no byte at or past limit.
     *
     * @return {@code (value << 3) | bytesRead} when valid, else {@link #OVERFLOW}, {@link #NOT_MINIMAL} or
     * {@link #PAST_LIMIT}, all negative.
     */
    static long read(final DirectBuffer buffer, final int index, final int limit)
    {
        long value = 0;
        for (int i = 0; i < MAX_LENGTH; i++)
        {
            if (i >= limit - index)
            {
                return PAST_LIMIT;
            }
            final int b = buffer.getByte(index + i) & 0xFF;
            value |= (long)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    return NOT_MINIMAL;
                }
                if (value > UINT32_MAX)
                {
                    return OVERFLOW;
                }
                return (value << LENGTH_SHIFT) | (i + 1);
            }
        }
        return OVERFLOW;
    }

    /**
     * The value of a valid {@link #read} result.
     */
    static long value(final long result)
    {
        return result >>> LENGTH_SHIFT;
    }

    /**
     * The number of bytes of a valid {@link #read} result.
     */
    static int bytesRead(final long result)
    {
        return (int)(result & LENGTH_MASK);
    }
}
