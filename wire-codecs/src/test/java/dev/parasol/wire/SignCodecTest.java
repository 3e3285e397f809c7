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

class SignCodecTest
{
    @Test
    void shouldRoundTripWhenCountIsNotMultipleOfEight()
    {
        final SplittableRandom random = new SplittableRandom(21);
        for (final int count : new int[]{0, 1, 7, 8, 9, 63, 64, 65, 1001})
        {
            final byte[] levels = new byte[count];
            for (int i = 0; i < count; i++)
            {
                levels[i] = (byte)(random.nextBoolean() ? 1 : -1);
            }
            final int blockSize = 1 + random.nextInt(70);
            final float[] scales = new float[(count + blockSize - 1) / blockSize];
            for (int b = 0; b < scales.length; b++)
            {
                scales[b] = (float)random.nextDouble();
            }
            final UnsafeBuffer buffer = TestMessages.directCopy(new byte[SignEncoder.length(count, blockSize)]);
            final int length = SignEncoder.encode(
                buffer, 0, TestMessages.header(0, count), levels, scales, 0, count, blockSize);
            assertEquals(72 + 4 * scales.length + (count + 7) / 8, length);
            final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
            assertEquals(RejectReason.NONE, decoder.wrap(buffer, 0, length, JOB, 0, count));
            final byte[] decodedLevels = new byte[count];
            final float[] decodedScales = new float[decoder.blockCount()];
            assertEquals(RejectReason.NONE, SignDecoder.decode(decoder, decodedLevels, decodedScales));
            assertArrayEquals(levels, decodedLevels, "count " + count);
            assertBitExact(scales, 0, decodedScales, scales.length);
        }
    }

    @Test
    void shouldSetBitForNegativeLeastSignificantFirst()
    {
        final byte[] bytes = new byte[SignEncoder.length(10, 16)];
        SignEncoder.encode(new UnsafeBuffer(bytes), 0, TestMessages.header(0, 10),
            new byte[]{-1, 1, 1, 1, 1, 1, 1, -1, 1, -1}, new float[]{1.0f}, 0, 10, 16);
        assertEquals((byte)0x81, bytes[72 + 4]);
        assertEquals((byte)0x02, bytes[72 + 5]);
    }

    @Test
    void shouldThrowBeforeWritingWhenInputBreaksRule()
    {
        final byte[] bytes = new byte[200];
        Arrays.fill(bytes, (byte)0x55);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final MessageHeaderEncoder header = TestMessages.header(0, 3);
        assertReason(RejectReason.LEVEL_OUT_OF_RANGE,
            () -> SignEncoder.encode(buffer, 0, header, new byte[]{1, 0, -1}, new float[]{1}, 0, 3, 4));
        assertReason(RejectReason.BAD_SCALE, () -> SignEncoder.encode(
            buffer, 0, header, new byte[]{1, 1, -1}, new float[]{Float.POSITIVE_INFINITY}, 0, 3, 4));
        assertReason(RejectReason.BAD_BLOCK_SIZE,
            () -> SignEncoder.encode(buffer, 0, header, new byte[]{1, 1, -1}, new float[]{1}, 0, 3, -4));
        assertReason(RejectReason.COUNT_OUT_OF_RANGE,
            () -> SignEncoder.encode(buffer, 0, header, new byte[]{1, 1}, new float[]{1}, 0, 3, 4));
        assertReason(RejectReason.CAPACITY_EXCEEDED,
            () -> SignEncoder.encode(buffer, 190, header, new byte[]{1, 1, -1}, new float[]{1}, 0, 3, 4));
        assertReason(RejectReason.COUNT_OUT_OF_RANGE, () -> SignEncoder.length(-3, 4));
        for (final byte b : bytes)
        {
            assertEquals((byte)0x55, b, "a failed encode must not write");
        }
    }
}
