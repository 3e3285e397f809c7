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
 * Each property runs twice: unsigned messages into a decoder without a key, and signed messages into a decoder with
 * the job's key. For signed messages a forger who recomputes the checksum but not the tag gets nothing past the frame
 * check except {@link RejectReason#BAD_TAG}; a sender holding the key who recomputes both meets every semantic rule.
 * <p>
 * Every decode runs over a buffer of exactly the message's length with Agrona's bounds checks on, so a read past
 * the message would throw and fail the test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CodecFuzzTest
{
    private static final int MESSAGES_PER_ENCODING = 2_000;

    private static final long KEY_SEED = 4_242L;
    private static final Set<RejectReason> FRAME_REASONS = EnumSet.of(
        RejectReason.BAD_MAGIC, RejectReason.BAD_VERSION, RejectReason.TRUNCATED, RejectReason.LENGTH_MISMATCH);

    private final MessageAuthenticator authenticator = TestMessages.authenticator(KEY_SEED);
    private final MessageHeaderDecoder keyless = new MessageHeaderDecoder();
    private final MessageHeaderDecoder keyed = new MessageHeaderDecoder().authenticator(authenticator);
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
        rejectEveryChange(new SplittableRandom(1_000 + encoding.code()), encoding, null, keyless);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void shouldRejectEveryChangeWhenSignedAndDecodedWithKey(final Encoding encoding)
    {
        rejectEveryChange(new SplittableRandom(4_000 + encoding.code()), encoding, authenticator, keyed);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void shouldNeverThrowOrAcceptInvalidOutputWhenChangeIsResealed(final Encoding encoding)
    {
        checkResealedChanges(new SplittableRandom(2_000 + encoding.code()), encoding, null, keyless);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void shouldNeverThrowOrAcceptInvalidOutputWhenChangeIsResignedWithKey(final Encoding encoding)
    {
        checkResealedChanges(new SplittableRandom(5_000 + encoding.code()), encoding, authenticator, keyed);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void shouldRejectWithBadTagWhenForgerReseals(final Encoding encoding)
    {
        final SplittableRandom random = new SplittableRandom(6_000 + encoding.code());
        final Set<RejectReason> seen = EnumSet.noneOf(RejectReason.class);
        for (int n = 0; n < MESSAGES_PER_ENCODING; n++)
        {
            final byte[] original = TestMessages.randomSample(random, encoding, authenticator).bytes();
            final byte[] message = original.clone();
            change(random, message);
            if (Arrays.equals(original, message) || !payloadLengthFits(message, 0))
            {
                continue;
            }
            TestMessages.reseal(message);
            final RejectReason reason = decodeExact(keyed, message, message.length, random, n);
            seen.add(reason);
            assertTrue(
                reason == RejectReason.BAD_TAG || FRAME_REASONS.contains(reason), "forgery " + n + ": " + reason);
        }
        assertTrue(seen.contains(RejectReason.BAD_TAG), "forgeries reached the tag check: " + seen);
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
            assertNotEquals(RejectReason.NONE, decodeExact(keyless, noise, noise.length, random, n));
            assertNotEquals(RejectReason.NONE, decodeExact(keyed, noise, noise.length, random, n));
        }
    }

    private void rejectEveryChange(
        final SplittableRandom random,
        final Encoding encoding,
        final MessageAuthenticator authenticator,
        final MessageHeaderDecoder decoder)
    {
        for (int n = 0; n < MESSAGES_PER_ENCODING; n++)
        {
            final Sample sample = TestMessages.randomSample(random, encoding, authenticator);
            final byte[] message = sample.bytes();
            assertEquals(RejectReason.NONE, decodeExact(decoder, message, message.length, random, n), "valid " + n);
            checkDecoded(sample);

            final byte[] flipped = message.clone();
            final int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++)
            {
                flipped[random.nextInt(message.length)] ^= (byte)(1 << random.nextInt(8));
            }
            if (!Arrays.equals(flipped, message))
            {
                assertNotEquals(
                    RejectReason.NONE, decodeExact(decoder, flipped, flipped.length, random, n), "bit flips " + n);
            }

            final byte[] overwritten = message.clone();
            final int bytes = 1 + random.nextInt(8);
            for (int b = 0; b < bytes; b++)
            {
                final int index = random.nextInt(message.length);
                overwritten[index] = (byte)(overwritten[index] + 1 + random.nextInt(255));
            }
            assertNotEquals(
                RejectReason.NONE, decodeExact(decoder, overwritten, overwritten.length, random, n), "bytes " + n);

            final int truncated = random.nextInt(message.length);
            final RejectReason truncation = decodeExact(decoder, message, truncated, random, n);
            assertTrue(truncation == RejectReason.TRUNCATED || truncation == RejectReason.LENGTH_MISMATCH,
                "truncated to " + truncated + ": " + truncation);

            final byte[] extended = Arrays.copyOf(message, message.length + 1 + random.nextInt(16));
            for (int i = message.length; i < extended.length; i++)
            {
                extended[i] = (byte)random.nextInt(256);
            }
            assertEquals(
                RejectReason.LENGTH_MISMATCH, decodeExact(decoder, extended, extended.length, random, n), "extended");
        }
    }

    /**
     * Change random bytes, reseal the checksum (and re-sign with the key if given), decode: the decoder must never
     * throw nor accept output that breaks the invariants, and the changes must reach the header and payload rules.
     */
    private void checkResealedChanges(
        final SplittableRandom random,
        final Encoding encoding,
        final MessageAuthenticator authenticator,
        final MessageHeaderDecoder decoder)
    {
        final Set<RejectReason> seen = EnumSet.noneOf(RejectReason.class);
        final int reserve = null != authenticator ? TestMessages.TAG : 0;
        for (int n = 0; n < MESSAGES_PER_ENCODING; n++)
        {
            final byte[] message = TestMessages.randomSample(random, encoding, authenticator).bytes();
            change(random, message);
            if (!payloadLengthFits(message, reserve))
            {
                continue;
            }
            if (null != authenticator)
            {
                TestMessages.resign(message, authenticator);
            }
            else
            {
                TestMessages.reseal(message);
            }
            final RejectReason reason = decodeExact(decoder, message, message.length, random, n);
            seen.add(reason);
            if (reason == RejectReason.NONE)
            {
                checkInvariants(decoder);
            }
        }
        assertTrue(seen.contains(RejectReason.NONE), "some resealed changes keep a valid message: " + seen);
        assertTrue(seen.contains(payloadRule(encoding)), "payload rules reached for " + encoding + ": " + seen);
        assertTrue(seen.size() >= 10, "header rules reached for " + encoding + ": " + seen);
    }

    /**
     * Change one to four bytes, favouring the header, whose fields steer every bound, but reaching into the payload
     * (and the trailer of a signed message) too; never the checksum field, which resealing overwrites.
     */
    private static void change(final SplittableRandom random, final byte[] message)
    {
        final int changes = 1 + random.nextInt(4);
        for (int c = 0; c < changes; c++)
        {
            final int index = random.nextInt(4) == 0 || message.length == HEADER ?
                random.nextInt(CHECKSUM_OFFSET) : HEADER + random.nextInt(message.length - HEADER);
            final int kind = random.nextInt(6);
            // 0xFF over the top byte of an f32 gives an all-ones exponent half the time: NaN or infinity.
            message[index] = kind < 2 ? (byte)random.nextInt(256) :
                kind == 2 ? (byte)0xFF : (byte)(message[index] ^ 0x80);
        }
    }

    /**
     * Decode message[0, length) from a heap or an off-heap buffer of exactly that length; any throwable fails.
     */
    private RejectReason decodeExact(
        final MessageHeaderDecoder decoder,
        final byte[] message,
        final int length,
        final SplittableRandom random,
        final int n)
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

    private void checkInvariants(final MessageHeaderDecoder decoder)
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

    /**
     * Whether resealing can read the payload and the trailer the flags announce (and re-signing can write a tag of
     * reserve bytes after the payload) inside the array; a changed length that leaves it cannot be sealed.
     */
    private static boolean payloadLengthFits(final byte[] message, final int reserve)
    {
        final int payloadLength = new UnsafeBuffer(message).getInt(TestMessages.PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
        final int trailer = (message[TestMessages.FLAGS_OFFSET] & TestMessages.FLAG_AUTHENTICATED) != 0 ?
            TestMessages.TAG : 0;
        return payloadLength >= 0 && payloadLength <= message.length - HEADER - Math.max(trailer, reserve);
    }
}
