package dev.parasol.wire;

import dev.parasol.wire.TestMessages.Sample;
import dev.parasol.wire.TestMessages.Scratch;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static dev.parasol.wire.TestMessages.CHECKSUM_OFFSET;
import static dev.parasol.wire.TestMessages.FLAGS_OFFSET;
import static dev.parasol.wire.TestMessages.HEADER;
import static dev.parasol.wire.TestMessages.JOB;
import static dev.parasol.wire.TestMessages.JOB_ID_OFFSET;
import static dev.parasol.wire.TestMessages.MAGIC_OFFSET;
import static dev.parasol.wire.TestMessages.PAYLOAD_LENGTH_OFFSET;
import static dev.parasol.wire.TestMessages.TAG;
import static dev.parasol.wire.TestMessages.VERSION_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signed messages: what the tag covers, that a forged, re-keyed, moved, stripped, cut or corrupted message is
 * rejected with the documented reason, and that unsigned traffic reads as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthenticatedCodecTest
{
    private static final long KEY_SEED = 7_001L;
    private static final long OTHER_KEY_SEED = 7_002L;

    private final MessageAuthenticator authenticator = TestMessages.authenticator(KEY_SEED);
    private final MessageHeaderDecoder keyed = new MessageHeaderDecoder().authenticator(authenticator);
    private final MessageHeaderDecoder keyless = new MessageHeaderDecoder();
    private final Scratch scratch = new Scratch();

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void shouldVerifyAndRoundTripWhenSignedInEveryEncoding(final Encoding encoding)
    {
        final SplittableRandom random = new SplittableRandom(encoding.code());
        for (int n = 0; n < 50; n++)
        {
            final Sample signed = TestMessages.randomSample(random.split(), encoding, authenticator);
            final Sample unsigned = TestMessages.randomSample(random.split(), encoding);
            final byte[] bytes = signed.bytes();
            assertEquals(RejectReason.NONE, decode(keyed, bytes), "message " + n);
            assertTrue(keyed.isAuthenticated());
            assertEquals(TAG, keyed.trailerLength());
            assertEquals(bytes.length, keyed.messageLength());
            assertEquals(bytes.length - HEADER - TAG, keyed.payloadLength());
            assertEquals(HeaderDescriptor.FLAG_AUTHENTICATED, bytes[FLAGS_OFFSET]);
            assertEquals(signed.count(), keyed.elementCount());
            assertEquals(RejectReason.NONE, decode(keyless, unsigned.bytes()));
            assertFalse(keyless.isAuthenticated());
        }
    }

    @Test
    void shouldCoverHeaderAndPayloadWithTagAndEverythingWithChecksumWhenSigned() throws Exception
    {
        // Independent implementations of the coverage in docs/wire-format.md section 5.
        final byte[] bytes = TestMessages.randomSample(new SplittableRandom(1), Encoding.SPARSE_F32, authenticator)
            .bytes();
        final int payloadEnd = bytes.length - TAG;
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(TestMessages.key(KEY_SEED).toBytes(), "HmacSHA256"));
        mac.update(bytes, 0, CHECKSUM_OFFSET);
        mac.update(bytes, HEADER, payloadEnd - HEADER);
        assertArrayEquals(Arrays.copyOf(mac.doFinal(), TAG), Arrays.copyOfRange(bytes, payloadEnd, bytes.length));

        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, CHECKSUM_OFFSET);
        crc.update(bytes, HEADER, bytes.length - HEADER);
        assertEquals((int)crc.getValue(), new UnsafeBuffer(bytes).getInt(CHECKSUM_OFFSET, LITTLE_ENDIAN));
    }

    @Test
    void shouldMatchSignedWorkedExampleOfWireFormatDoc()
    {
        // docs/wire-format.md section 8, signed with the key 00 01 02 ... 1f.
        final String documented =
            "505253 4c01010201 0700000000000000 2a00000000000000 6400000000000000 0500000000000000" +
            "030000000b000000 00000000e8030000 0300000000000000 10000000f72826c6" +
            "0000803f000000c0 0000404000 05c301" +
            "89ee9314b2191371 2b087be35e768329";
        final byte[] key = new byte[JobKey.LENGTH];
        for (int i = 0; i < key.length; i++)
        {
            key[i] = (byte)i;
        }
        final MessageHeaderEncoder header =
            TestMessages.header(0, 1000, new MessageAuthenticator(JobKey.fromBytes(key)));
        final int[] indices = {0, 5, 200};
        final byte[] bytes = new byte[SparseEncoder.length(Encoding.SPARSE_F32, indices, 3) + header.trailerLength()];
        assertEquals(104, SparseEncoder.encode(
            new UnsafeBuffer(bytes), 0, header, Encoding.SPARSE_F32, indices, new float[]{1.0f, -2.0f, 3.0f}, 3));
        assertEquals(documented.replace(" ", ""), HexFormat.of().formatHex(bytes));
    }

    @Test
    void shouldRejectEverySingleBitFlipOfHeaderPayloadAndTag()
    {
        final byte[] message = smallSigned(authenticator);
        assertEquals(RejectReason.NONE, decode(keyed, message));
        for (int bit = 0; bit < message.length * 8; bit++)
        {
            final int index = bit >>> 3;
            final byte[] flipped = message.clone();
            flipped[index] ^= (byte)(1 << (bit & 7));
            final RejectReason expected = index < MAGIC_OFFSET + 4 ? RejectReason.BAD_MAGIC :
                index == VERSION_OFFSET ? RejectReason.BAD_VERSION :
                index == FLAGS_OFFSET && (bit & 7) == 0 ? RejectReason.LENGTH_MISMATCH :
                isPayloadLength(index) ? frameReason(flipped) : RejectReason.BAD_CHECKSUM;
            assertEquals(expected, decode(keyed, flipped), "bit " + bit);
        }
    }

    @Test
    void shouldRejectEverySingleBitFlipWhenForgerRecomputesChecksum()
    {
        // The CRC is public, so a forger fixes it; only the tag then stands between the change and the model.
        final byte[] message = smallSigned(authenticator);
        int tagRejections = 0;
        for (int bit = 0; bit < message.length * 8; bit++)
        {
            final int index = bit >>> 3;
            if (index >= CHECKSUM_OFFSET && index < HEADER)
            {
                continue; // resealing would restore the original checksum
            }
            final byte[] flipped = message.clone();
            flipped[index] ^= (byte)(1 << (bit & 7));
            if (!isPayloadLength(index))
            {
                // A changed payload length fails the frame check before the checksum is read.
                TestMessages.reseal(flipped);
            }
            final RejectReason expected = index < MAGIC_OFFSET + 4 ? RejectReason.BAD_MAGIC :
                index == VERSION_OFFSET ? RejectReason.BAD_VERSION :
                index == FLAGS_OFFSET && (bit & 7) == 0 ? RejectReason.LENGTH_MISMATCH :
                isPayloadLength(index) ? frameReason(flipped) : RejectReason.BAD_TAG;
            for (final DirectBuffer buffer : new DirectBuffer[]{new UnsafeBuffer(flipped), direct(flipped)})
            {
                assertEquals(expected, TestMessages.decode(keyed, buffer, 0, flipped.length, scratch), "bit " + bit);
            }
            tagRejections += expected == RejectReason.BAD_TAG ? 1 : 0;
        }
        // Every bit but those of magic, version, payload length, checksum and the flag itself: type, encoding,
        // flags 1-7, job id, sequence, versions, ids, range, count, block size, payload and tag.
        assertEquals((message.length - 4 - 1 - 4 - 4) * 8 - 1, tagRejections);
    }

    @Test
    void shouldRejectWhenSignedWithAnotherJobsKey()
    {
        final byte[] other = smallSigned(TestMessages.authenticator(OTHER_KEY_SEED));
        assertEquals(RejectReason.BAD_TAG, decode(keyed, other));
        assertEquals(0L, keyed.jobId(), "a forgery exposes no field");
        assertEquals(0, keyed.payloadLength(), "a forgery exposes no field");
        assertNull(keyed.messageType(), "a forgery exposes no field");
        assertFalse(keyed.isAuthenticated());
    }

    @Test
    void shouldRejectWhenMovedToAnotherJob()
    {
        // A message of job 7 replayed as job 8: the job id is covered, whichever key job 8 has.
        final byte[] moved = smallSigned(authenticator);
        new UnsafeBuffer(moved).putLong(JOB_ID_OFFSET, JOB + 1, LITTLE_ENDIAN);
        TestMessages.reseal(moved);
        assertEquals(RejectReason.BAD_TAG, keyed.wrap(new UnsafeBuffer(moved), 0, moved.length, JOB + 1, 0, 1000));
        final MessageHeaderDecoder otherJob =
            new MessageHeaderDecoder().authenticator(TestMessages.authenticator(OTHER_KEY_SEED));
        assertEquals(RejectReason.BAD_TAG, otherJob.wrap(new UnsafeBuffer(moved), 0, moved.length, JOB + 1, 0, 1000));
    }

    @Test
    void shouldRejectWhenTagIsMissingOrStripped()
    {
        assertEquals(RejectReason.UNAUTHENTICATED, decode(keyed, smallSigned(null)));

        // Downgrade: clear the flag, drop the trailer, fix the checksum.
        final byte[] signed = smallSigned(authenticator);
        final byte[] stripped = Arrays.copyOf(signed, signed.length - TAG);
        stripped[FLAGS_OFFSET] = 0;
        TestMessages.reseal(stripped);
        assertEquals(RejectReason.UNAUTHENTICATED, decode(keyed, stripped));
        assertEquals(RejectReason.NONE, decode(keyless, stripped), "the stripped message is a valid unsigned one");
    }

    @Test
    void shouldRejectWhenTrailerIsCut()
    {
        final byte[] signed = smallSigned(authenticator);
        for (int cut = 1; cut <= TAG; cut++)
        {
            final byte[] cutShort = Arrays.copyOf(signed, signed.length - cut);
            assertEquals(RejectReason.TRUNCATED, decode(keyed, cutShort), "cut " + cut);
        }
        final byte[] extended = Arrays.copyOf(signed, signed.length + 1);
        assertEquals(RejectReason.LENGTH_MISMATCH, decode(keyed, extended));
    }

    @Test
    void shouldReadUnsignedAndRejectSignedWhenDecoderHasNoKey()
    {
        final byte[] unsigned = smallSigned(null);
        assertEquals(RejectReason.NONE, decode(keyless, unsigned));
        assertEquals(unsigned.length, keyless.messageLength());
        assertEquals(0, keyless.trailerLength());
        assertEquals(RejectReason.UNEXPECTED_TAG, decode(keyless, smallSigned(authenticator)));
        final byte[] corrupted = smallSigned(authenticator);
        corrupted[HEADER] ^= 1;
        assertEquals(RejectReason.BAD_CHECKSUM, decode(keyless, corrupted), "corruption still counts as such");
    }

    @Test
    void shouldWriteUnsignedBytesWhenAuthenticatorIsCleared()
    {
        final MessageHeaderEncoder header = TestMessages.header(0, 1000, authenticator);
        assertEquals(TAG, header.trailerLength());
        header.authenticator(null);
        assertEquals(0, header.trailerLength());
        final int[] indices = {0, 5, 200};
        final float[] values = {1.0f, -2.0f, 3.0f};
        final byte[] bytes = new byte[SparseEncoder.length(Encoding.SPARSE_F32, indices, 3)];
        SparseEncoder.encode(new UnsafeBuffer(bytes), 0, header, Encoding.SPARSE_F32, indices, values, 3);
        assertArrayEquals(smallSigned(null), bytes);
    }

    @Test
    void shouldRefuseBeforeWritingWhenBufferHasNoRoomForTrailer()
    {
        final byte[] bytes = new byte[DenseEncoder.length(3)];
        final MessageHeaderEncoder header = TestMessages.header(0, 3, authenticator);
        final CodecException exception = assertThrows(CodecException.class,
            () -> DenseEncoder.encode(new UnsafeBuffer(bytes), 0, header, new float[]{1, 2, 3}, 0, 3));
        assertEquals(RejectReason.CAPACITY_EXCEEDED, exception.reason());
        assertArrayEquals(new byte[bytes.length], bytes);
    }

    @Test
    void shouldSignAndVerifyAtOffsetWhenBuffersAreOffHeapOrRaw()
    {
        // 3,000 floats: longer than the 4 KiB copy array, at an unaligned offset, as in an Aeron term buffer.
        final float[] values = TestMessages.randomValues(new SplittableRandom(2), 3_000);
        final MessageHeaderEncoder header = TestMessages.header(0, 3_000, authenticator);
        final UnsafeBuffer direct = TestMessages.directCopy(new byte[20_000]);
        final int length = DenseEncoder.encode(direct, 333, header, values, 0, 3_000);
        assertEquals(DenseEncoder.length(3_000) + TAG, length);
        final UnsafeBuffer raw = new UnsafeBuffer(direct.addressOffset() + 300, 19_000);
        final UnsafeBuffer heap = new UnsafeBuffer(new byte[length + 5]);
        heap.putBytes(5, direct, 333, length);
        final float[] out = new float[3_000];

        assertEquals(RejectReason.NONE, keyed.wrap(direct, 333, length, JOB, 0, 3_000));
        assertEquals(RejectReason.NONE, DenseDecoder.decode(keyed, out));
        assertArrayEquals(values, out);
        assertEquals(RejectReason.NONE, keyed.wrap(raw, 33, length, JOB, 0, 3_000));
        assertEquals(RejectReason.NONE, keyed.wrap(heap, 5, length, JOB, 0, 3_000));
        heap.putByte(5 + HEADER + 4_000, (byte)(heap.getByte(5 + HEADER + 4_000) ^ 4));
        TestMessages.reseal(heap, 5);
        assertEquals(RejectReason.BAD_TAG, keyed.wrap(heap, 5, length, JOB, 0, 3_000));
    }

    @Test
    void shouldCountNewReasonsWhenRecorded()
    {
        final RejectCounters counters = new RejectCounters();
        counters.record(decode(keyed, smallSigned(null)));
        counters.record(decode(keyed, smallSigned(TestMessages.authenticator(OTHER_KEY_SEED))));
        counters.record(decode(keyless, smallSigned(authenticator)));
        counters.record(decode(keyed, smallSigned(authenticator)));
        assertEquals(1, counters.get(RejectReason.UNAUTHENTICATED));
        assertEquals(1, counters.get(RejectReason.BAD_TAG));
        assertEquals(1, counters.get(RejectReason.UNEXPECTED_TAG));
        assertEquals(1, counters.get(RejectReason.NONE));
        assertEquals(3, counters.totalRejected());
    }

    /**
     * The worked example's message (three sparse entries over keys [0, 1000)), signed when given an authenticator:
     * 104 bytes signed, 88 unsigned.
     */
    private static byte[] smallSigned(final MessageAuthenticator authenticator)
    {
        final MessageHeaderEncoder header = TestMessages.header(0, 1000, authenticator);
        final int[] indices = {0, 5, 200};
        final byte[] bytes = new byte[SparseEncoder.length(Encoding.SPARSE_F32, indices, 3) + header.trailerLength()];
        SparseEncoder.encode(
            new UnsafeBuffer(bytes), 0, header, Encoding.SPARSE_F32, indices, new float[]{1.0f, -2.0f, 3.0f}, 3);
        return bytes;
    }

    private RejectReason decode(final MessageHeaderDecoder decoder, final byte[] message)
    {
        return TestMessages.decode(decoder, new UnsafeBuffer(message), 0, message.length, scratch);
    }

    private static boolean isPayloadLength(final int index)
    {
        return index >= PAYLOAD_LENGTH_OFFSET && index < PAYLOAD_LENGTH_OFFSET + 4;
    }

    /**
     * What the frame check says of a payload length that no longer matches the bytes.
     */
    private static RejectReason frameReason(final byte[] message)
    {
        final int declared = new UnsafeBuffer(message).getInt(PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
        final int available = message.length - HEADER - TAG;
        assertNotEquals(available, declared);
        return declared > available ? RejectReason.TRUNCATED : RejectReason.LENGTH_MISMATCH;
    }

    private static UnsafeBuffer direct(final byte[] bytes)
    {
        return TestMessages.directCopy(bytes);
    }
}
