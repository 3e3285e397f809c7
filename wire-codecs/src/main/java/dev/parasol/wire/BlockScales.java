package dev.parasol.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The per-block f32 scales that open quantised and sign payloads: one scale per block of {@code blockSize}
 * coordinates, each finite and not negative.
 */
final class BlockScales
{
    private BlockScales()
    {
    }

    static boolean isValid(final float scale)
    {
        return scale >= 0.0f && scale <= Float.MAX_VALUE;
    }

    /**
     * Check scales[from, from + blocks) before anything is written.
     *
     * @throws CodecException with {@link RejectReason#BAD_SCALE} naming the first bad scale.
     */
    static void check(final float[] scales, final int from, final int blocks)
    {
        for (int i = 0; i < blocks; i++)
        {
            final float scale = scales[from + i];
            if (!isValid(scale))
            {
                throw new CodecException(
                    RejectReason.BAD_SCALE, "scale=" + scale + " at block " + (from + i) + ", expected finite >= 0");
            }
        }
    }

    /**
     * Write scales[from, from + blocks) at index.
     *
     * @return the index after the last scale.
     */
    static int write(
        final MutableDirectBuffer buffer, final int index, final float[] scales, final int from, final int blocks)
    {
        int position = index;
        for (int i = 0; i < blocks; i++)
        {
            buffer.putFloat(position, scales[from + i], LITTLE_ENDIAN);
            position += PayloadLayout.F32_BYTES;
        }
        return position;
    }

    /**
     * Read blocks scales at index into scales[0, blocks); the caller has checked the bounds.
     */
    static RejectReason read(final DirectBuffer buffer, final int index, final int blocks, final float[] scales)
    {
        int position = index;
        for (int i = 0; i < blocks; i++)
        {
            final float scale = buffer.getFloat(position, LITTLE_ENDIAN);
            if (!isValid(scale))
            {
                return RejectReason.BAD_SCALE;
            }
            scales[i] = scale;
            position += PayloadLayout.F32_BYTES;
        }
        return RejectReason.NONE;
    }
}
