package dev.parasol.wire;

import dev.parasol.wire.TestMessages.Sample;
import dev.parasol.wire.TestMessages.Scratch;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static dev.parasol.wire.TestMessages.CHECKSUM_OFFSET;
import static dev.parasol.wire.TestMessages.HEADER;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property test over thousands of random valid messages of every encoding: each round-trips; every bit flip, byte
 * overwrite, truncation and extension is rejected, because the CRC32C covers every byte (Castagnoli's polynomial
 * detects every error of up to three bits in messages this size, and a random multi-byte change escapes with
 * probability 2^-32); and changes made behind a recomputed checksum, which only the semantic rules can catch, never
 * make a decoder throw, read out of bounds or accept output that breaks the format's invariants.
 * <p>
 * Every decode runs over a buffer of exactly the message's length with Agrona's bounds checks on, so a read past
 * the message would throw and fail the test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CodecFuzzTest
{
    private static final int MESSAGES_PER_ENCODING = 2_000;

    private final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
    private final Scratch scratch = new Scratch();

    @Test
    void shouldHaveBoundsChecksOnWhenFuzzing()
    {
        assertTrue(DirectBuffer.SHOULD_BOUNDS_CHECK, "a stray read must throw, so bounds checks must be on");
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void shouldRejectEveryChangeWhenChecksumCoversIt(final Encoding encoding)
    {
        final SplittableRandom random = new SplittableRandom(1_000 + encoding.code());
        for (int n = 0; n < MESSAGES_PER_ENCODING; n++)
        {
            final Sample sample = TestMessages.randomSample(random, encoding);
            final byte[] message = sample.bytes();
            assertEquals(RejectReason.NONE, decodeExact(message, message.length, random, n), "valid message " + n);
            checkDecoded(sample);

            final byte[] flipped = message.clone();
            final int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++)
            {
                flipped[random.nextInt(message.length)] ^= (byte)(1 << random.nextInt(8));
            }
            if (!Arrays.equals(flipped, message))
            {
                assertNotEquals(RejectReason.NONE, decodeExact(flipped, flipped.length, random, n), "bit flips " + n);
            }

            final byte[] overwritten = message.clone();
            final int bytes = 1 + random.nextInt(8);
            for (int b = 0; b < bytes; b++)
            {
                final int index = random.nextInt(message.length);
                overwritten[index] = (byte)(overwritten[index] + 1 + random.nextInt(255));
            }
            assertNotEquals(RejectReason.NONE, decodeExact(overwritten, overwritten.length, random, n), "bytes " + n);

            final int truncated = random.nextInt(message.length);
            final RejectReason truncation = decodeExact(message, truncated, random, n);
            assertTrue(truncation == RejectReason.TRUNCATED || truncation == RejectReason.LENGTH_MISMATCH,
                "truncated to " + truncated + ": " + truncation);

            final byte[] extended = Arrays.copyOf(message, message.length + 1 + random.nextInt(16));
            for (int i = message.length; i < extended.length; i++)
            {
                extended[i] = (byte)random.nextInt(256);
            }
            assertEquals(RejectReason.LENGTH_MISMATCH, decodeExact(extended, extended.length, random, n), "extended");
        }
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void shouldNeverThrowOrAcceptInvalidOutputWhenChangeIsResealed(final Encoding encoding)
    {
        final SplittableRandom random = new SplittableRandom(2_000 + encoding.code());
        final Set<RejectReason> seen = EnumSet.noneOf(RejectReason.class);
        for (int n = 0; n < MESSAGES_PER_ENCODING; n++)
        {
            final byte[] message = TestMessages.randomSample(random, encoding).bytes();
            final int changes = 1 + random.nextInt(4);
            for (int c = 0; c < changes; c++)
            {
                // Favour the header, whose fields steer every bound, but reach into the payload too.
                final int index = random.nextInt(4) == 0 || message.length == HEADER ?
                    random.nextInt(CHECKSUM_OFFSET) : HEADER + random.nextInt(message.length - HEADER);
                message[index] = random.nextInt(3) == 0 ? (byte)random.nextInt(256) : (byte)(message[index] ^ 0x80);
            }
            if (!payloadLengthFits(message))
            {
                continue;
            }
            TestMessages.reseal(message);
            final RejectReason reason = decodeExact(message, message.length, random, n);
            seen.add(reason);
            if (reason == RejectReason.NONE)
            {
                checkInvariants();
            }
        }
        assertTrue(seen.contains(RejectReason.NONE), "some resealed changes keep a valid message: " + seen);
        assertTrue(seen.contains(payloadRule(encoding)), "payload rules reached for " + encoding + ": " + seen);
        assertTrue(seen.size() >= 10, "header rules reached for " + encoding + ": " + seen);
    }

    @Test
    void shouldRejectWhenBytesAreRandom()
    {
        final SplittableRandom random = new SplittableRandom(3_000);
        for (int n = 0; n < 5_000; n++)
        {
            final byte[] noise = new byte[random.nextInt(0, 300)];
            random.nextBytes(noise);
            if (noise.length >= 8 && random.nextBoolean())
            {
                // Valid magic and version, so that the later checks see the noise.
                noise[0] = 'P';
                noise[1] = 'R';
                noise[2] = 'S';
                noise[3] = 'L';
                noise[4] = 1;
            }
            assertNotEquals(RejectReason.NONE, decodeExact(noise, noise.length, random, n));
        }
    }

    /**
     * Decode message[0, length) from a heap or an off-heap buffer of exactly that length; any throwable fails.
     */
    private RejectReason decodeExact(final byte[] message, final int length, final SplittableRandom random, final int n)
    {
        final byte[] exact = Arrays.copyOf(message, length);
        final UnsafeBuffer buffer = random.nextInt(4) == 0 ? TestMessages.directCopy(exact) : new UnsafeBuffer(exact);
        try
        {
            return TestMessages.decode(decoder, buffer, 0, length, scratch);
        }
        catch (final Throwable throwable)
        {
            fail("decode threw on message " + n + " of length " + length, throwable);
            return null;
        }
    }

    private void checkDecoded(final Sample sample)
    {
        final int count = sample.count();
        for (int i = 0; i < count; i++)
        {
            switch (sample.encoding())
            {
                case DENSE_F32:
                case SPARSE_F32:
                    assertEquals(
                        Float.floatToRawIntBits(sample.values()[i]), Float.floatToRawIntBits(scratch.values[i]));
                    break;
                case SPARSE_F16:
                    assertEquals(
                        HalfFloat.toFloat(HalfFloat.fromFloatSaturated(sample.values()[i])), scratch.values[i]);
                    break;
                default:
                    assertEquals(sample.levels()[i], scratch.levels[i]);
                    break;
            }
            if (sample.indices() != null)
            {
                assertEquals(sample.indices()[i], scratch.indices[i]);
            }
        }
    }

    private void checkInvariants()
    {
        final int count = decoder.elementCount();
        assertTrue(count >= 0 && count <= decoder.rangeLength());
        assertTrue((long)decoder.rangeStart() + decoder.rangeLength() <= Integer.MAX_VALUE);
        switch (decoder.encoding())
        {
            case SPARSE_F32:
            case SPARSE_F16:
                for (int i = 0; i < count; i++)
                {
                    assertTrue(scratch.indices[i] >= 0 && scratch.indices[i] < decoder.rangeLength());
                    assertTrue(i == 0 || scratch.indices[i] > scratch.indices[i - 1]);
                    assertTrue(Float.isFinite(scratch.values[i]));
                }
                break;
            case DENSE_F32:
                for (int i = 0; i < count; i++)
                {
                    assertTrue(Float.isFinite(scratch.values[i]));
                }
                break;
            default:
                final int maxLevel = decoder.encoding() == Encoding.QSGD_4BIT ? 7 : 127;
                for (int i = 0; i < count; i++)
                {
                    assertTrue(Math.abs(scratch.levels[i]) <= maxLevel);
                    assertTrue(decoder.encoding() != Encoding.SIGN || Math.abs(scratch.levels[i]) == 1);
                }
                for (int b = 0; b < decoder.blockCount(); b++)
                {
                    assertTrue(scratch.scales[b] >= 0.0f && Float.isFinite(scratch.scales[b]));
                }
                break;
        }
    }

    private static RejectReason payloadRule(final Encoding encoding)
    {
        switch (encoding)
        {
            case DENSE_F32:
                return RejectReason.NON_FINITE_VALUE;
            case SPARSE_F32:
            case SPARSE_F16:
                return RejectReason.INDEX_OUT_OF_RANGE;
            case QSGD_8BIT:
            case QSGD_4BIT:
                return RejectReason.LEVEL_OUT_OF_RANGE;
            default:
                return RejectReason.BAD_SCALE;
        }
    }

    private static boolean payloadLengthFits(final byte[] message)
    {
        // Resealing reads the payload length to checksum; a changed length that leaves the array cannot be sealed.
        final int payloadLength = new UnsafeBuffer(message).getInt(TestMessages.PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
        return payloadLength >= 0 && payloadLength <= message.length - HEADER;
    }
}
