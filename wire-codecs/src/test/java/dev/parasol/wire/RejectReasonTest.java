package dev.parasol.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.parasol.wire.TestMessages.BLOCK_SIZE_OFFSET;
import static dev.parasol.wire.TestMessages.CHECKSUM_OFFSET;
import static dev.parasol.wire.TestMessages.ELEMENT_COUNT_OFFSET;
import static dev.parasol.wire.TestMessages.ENCODING_OFFSET;
import static dev.parasol.wire.TestMessages.FLAGS_OFFSET;
import static dev.parasol.wire.TestMessages.HEADER;
import static dev.parasol.wire.TestMessages.JOB;
import static dev.parasol.wire.TestMessages.MAGIC_OFFSET;
import static dev.parasol.wire.TestMessages.PAYLOAD_LENGTH_OFFSET;
import static dev.parasol.wire.TestMessages.RANGE_LENGTH_OFFSET;
import static dev.parasol.wire.TestMessages.RANGE_START_OFFSET;
import static dev.parasol.wire.TestMessages.TYPE_OFFSET;
import static dev.parasol.wire.TestMessages.VERSION_OFFSET;
import static dev.parasol.wire.TestMessages.decode;
import static dev.parasol.wire.TestMessages.rawSparse;
import static dev.parasol.wire.TestMessages.withByte;
import static dev.parasol.wire.TestMessages.withInt;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every reject reason, triggered on purpose by the smallest change to a valid message; the checksum is recomputed
 * after each change (except for the checksum scenarios) so that the rule under test, not the CRC, rejects it.
 */
class RejectReasonTest
{
    @ParameterizedTest(name = "{1}")
    @MethodSource("scenarios")
    void shouldRejectWithReasonWhenRuleBroken(
        final RejectReason expected, final String name, final Supplier<RejectReason> scenario)
    {
        assertEquals(expected, scenario.get(), name);
    }

    @Test
    void shouldCoverEveryReasonWhenScenariosListed()
    {
        final Set<RejectReason> covered = scenarios()
            .map((arguments) -> (RejectReason)arguments.get()[0])
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(RejectReason.class)));
        assertEquals(EnumSet.allOf(RejectReason.class), covered);
    }

    @Test
    void shouldKeepCodesStableWhenLookedUp()
    {
        assertEquals(RejectReason.values().length, RejectReason.count());
        for (final RejectReason reason : RejectReason.values())
        {
            assertEquals(reason, RejectReason.fromCode(reason.code()));
            assertFalse(reason.description().isEmpty());
        }
        assertEquals(0, RejectReason.NONE.code());
        assertEquals(5, RejectReason.BAD_CHECKSUM.code());
        assertEquals(22, RejectReason.PADDING_NOT_ZERO.code());
        assertEquals(23, RejectReason.UNAUTHENTICATED.code());
        assertEquals(24, RejectReason.BAD_TAG.code());
        assertEquals(25, RejectReason.UNEXPECTED_TAG.code());
        assertNull(RejectReason.fromCode(-1));
        assertNull(RejectReason.fromCode(RejectReason.count()));
    }

    @Test
    void shouldCountPerReasonWhenRecorded()
    {
        final RejectCounters counters = new RejectCounters();
        assertTrue(counters.record(RejectReason.NONE));
        assertFalse(counters.record(RejectReason.BAD_CHECKSUM));
        assertFalse(counters.record(RejectReason.BAD_CHECKSUM));
        assertFalse(counters.record(RejectReason.WRONG_JOB));
        assertEquals(1, counters.get(RejectReason.NONE));
        assertEquals(2, counters.get(RejectReason.BAD_CHECKSUM));
        assertEquals(3, counters.totalRejected());
        counters.reset();
        assertEquals(0, counters.totalRejected());
        assertEquals(0, counters.get(RejectReason.NONE));
    }

    @Test
    void shouldThrowCarryingReasonWhenCallerPrefersExceptions()
    {
        CodecException.throwIfRejected(RejectReason.NONE);
        final CodecException exception = assertThrows(
            CodecException.class, () -> CodecException.throwIfRejected(RejectReason.INDEX_OUT_OF_RANGE));
        assertEquals(RejectReason.INDEX_OUT_OF_RANGE, exception.reason());
        assertTrue(exception.getMessage().startsWith("INDEX_OUT_OF_RANGE"));
    }

    static Stream<Arguments> scenarios()
    {
        return Stream.of(
            Stream.of(
                of(RejectReason.NONE, "valid sparse f32", () -> decode(sparse())),
                of(RejectReason.NONE, "valid dense", () -> decode(dense())),
                of(RejectReason.NONE, "valid qsgd 4-bit", () -> decode(quant4())),
                of(RejectReason.NONE, "valid sign", () -> decode(sign())),
                of(RejectReason.TRUNCATED, "shorter than a header", () -> decode(Arrays.copyOf(sparse(), HEADER - 1))),
                of(RejectReason.TRUNCATED, "payload cut by one byte",
                    () -> decode(Arrays.copyOf(sparse(), sparse().length - 1))),
                of(RejectReason.TRUNCATED, "length past the buffer's capacity",
                    () -> new MessageHeaderDecoder().wrap(new UnsafeBuffer(sparse()), 1, sparse().length)),
                of(RejectReason.TRUNCATED, "negative offset",
                    () -> new MessageHeaderDecoder().wrap(new UnsafeBuffer(sparse()), -1, 10)),
                of(RejectReason.BAD_MAGIC, "magic changed", () -> decode(withByte(sparse(), MAGIC_OFFSET, 'Q'))),
                of(RejectReason.BAD_VERSION, "version 2", () -> decode(withByte(sparse(), VERSION_OFFSET, 2))),
                of(RejectReason.LENGTH_MISMATCH, "one trailing byte",
                    () -> decode(Arrays.copyOf(sparse(), sparse().length + 1))),
                of(RejectReason.LENGTH_MISMATCH, "negative payload length", () -> decode(negativePayloadLength())),
                of(RejectReason.LENGTH_MISMATCH, "sparse count too large for payload",
                    () -> decode(withInt(sparse(), ELEMENT_COUNT_OFFSET, 4))),
                of(RejectReason.LENGTH_MISMATCH, "dense payload not count x 4",
                    () -> decode(withInt(withInt(dense(), ELEMENT_COUNT_OFFSET, 2), RANGE_LENGTH_OFFSET, 2))),
                of(RejectReason.LENGTH_MISMATCH, "last varint runs past the payload",
                    () -> decode(rawSparse(10, new float[]{1, 2}, bytes(0x01, 0x81)))),
                of(RejectReason.LENGTH_MISMATCH, "index section longer than its varints",
                    () -> decode(rawSparse(10, new float[]{1}, bytes(0x01, 0x01)))),
                of(RejectReason.BAD_CHECKSUM, "payload bit flipped", () -> decode(flipped(sparse(), HEADER + 1))),
                of(RejectReason.BAD_CHECKSUM, "checksum bit flipped",
                    () -> decode(flipped(sparse(), CHECKSUM_OFFSET))),
                of(RejectReason.BAD_TYPE, "type 0", () -> decode(withByte(sparse(), TYPE_OFFSET, 0))),
                of(RejectReason.BAD_TYPE, "type 200", () -> decode(withByte(sparse(), TYPE_OFFSET, 200)))),
            Stream.of(
                of(RejectReason.BAD_ENCODING, "encoding 0", () -> decode(withByte(sparse(), ENCODING_OFFSET, 0))),
                of(RejectReason.BAD_ENCODING, "encoding 7", () -> decode(withByte(sparse(), ENCODING_OFFSET, 7))),
                of(RejectReason.BAD_ENCODING, "dense decoder on a sparse message", RejectReasonTest::denseOnSparse),
                of(RejectReason.BAD_FLAGS, "flag bit set", () -> decode(withByte(sparse(), FLAGS_OFFSET, 0x80))),
                of(RejectReason.BAD_KEY_RANGE, "negative range start",
                    () -> decode(withInt(sparse(), RANGE_START_OFFSET, -1))),
                of(RejectReason.BAD_KEY_RANGE, "range past 2^31",
                    () -> decode(withInt(dense(), RANGE_START_OFFSET, Integer.MAX_VALUE - 1))),
                of(RejectReason.COUNT_OUT_OF_RANGE, "negative count",
                    () -> decode(withInt(sparse(), ELEMENT_COUNT_OFFSET, -1))),
                of(RejectReason.COUNT_OUT_OF_RANGE, "sparse count above range length",
                    () -> decode(withInt(sparse(), RANGE_LENGTH_OFFSET, 2))),
                of(RejectReason.COUNT_OUT_OF_RANGE, "dense count below range length",
                    () -> decode(withInt(dense(), RANGE_LENGTH_OFFSET, 4))),
                of(RejectReason.BAD_BLOCK_SIZE, "dense with a block size",
                    () -> decode(withInt(dense(), BLOCK_SIZE_OFFSET, 1))),
                of(RejectReason.BAD_BLOCK_SIZE, "sparse with a block size",
                    () -> decode(withInt(sparse(), BLOCK_SIZE_OFFSET, 4))),
                of(RejectReason.BAD_BLOCK_SIZE, "qsgd with block size 0",
                    () -> decode(withInt(quant8(), BLOCK_SIZE_OFFSET, 0))),
                of(RejectReason.WRONG_JOB, "other job", () -> new MessageHeaderDecoder().wrap(
                    new UnsafeBuffer(sparse()), 0, sparse().length, JOB + 1, 0, 1000)),
                of(RejectReason.KEY_RANGE_NOT_OWNED, "receiver owns less", () -> new MessageHeaderDecoder().wrap(
                    new UnsafeBuffer(sparse()), 0, sparse().length, JOB, 0, 999)),
                of(RejectReason.CAPACITY_EXCEEDED, "sparse arrays too short", RejectReasonTest::sparseArraysTooShort),
                of(RejectReason.CAPACITY_EXCEEDED, "scales too short", RejectReasonTest::scalesTooShort),
                of(RejectReason.INDEX_OUT_OF_RANGE, "index equal to range length",
                    () -> decode(withInt(sparse(), RANGE_LENGTH_OFFSET, 200))),
                of(RejectReason.INDEX_NOT_INCREASING, "gap of zero",
                    () -> decode(rawSparse(10, new float[]{1, 2}, bytes(0x05, 0x00)))),
                of(RejectReason.VARINT_OVERFLOW, "six-byte varint",
                    () -> decode(rawSparse(10, new float[]{1, 2}, bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x01)))),
                of(RejectReason.VARINT_OVERFLOW, "five-byte varint above 2^32",
                    () -> decode(rawSparse(10, new float[]{1}, bytes(0xFF, 0xFF, 0xFF, 0xFF, 0x1F)))),
                of(RejectReason.VARINT_NOT_MINIMAL, "1 written in two bytes",
                    () -> decode(rawSparse(10, new float[]{1}, bytes(0x81, 0x00))))),
            Stream.of(
                of(RejectReason.NON_FINITE_VALUE, "dense NaN", () -> decode(withInt(dense(), HEADER + 4, 0x7FC0_0000))),
                of(RejectReason.NON_FINITE_VALUE, "sparse f32 infinity",
                    () -> decode(rawSparse(10, new float[]{1, Float.POSITIVE_INFINITY}, bytes(0x01, 0x01)))),
                of(RejectReason.NON_FINITE_VALUE, "sparse f16 infinity", () -> decode(f16With((short)0x7C00))),
                of(RejectReason.NON_FINITE_VALUE, "sparse f16 NaN", () -> decode(f16With((short)0xFE00))),
                of(RejectReason.BAD_SCALE, "negative scale", () -> decode(withInt(quant8(), HEADER + 4, 0xBF80_0000))),
                of(RejectReason.BAD_SCALE, "NaN scale", () -> decode(withInt(sign(), HEADER, 0x7FC0_0000))),
                of(RejectReason.LEVEL_OUT_OF_RANGE, "8-bit level -128",
                    () -> decode(withByte(quant8(), HEADER + 8 + 2, 0x80))),
                of(RejectReason.LEVEL_OUT_OF_RANGE, "4-bit low nibble -8",
                    () -> decode(withByte(quant4(), HEADER + 4, 0x18))),
                of(RejectReason.LEVEL_OUT_OF_RANGE, "4-bit high nibble -8",
                    () -> decode(withByte(quant4(), HEADER + 4, 0x81))),
                of(RejectReason.LEVEL_OUT_OF_RANGE, "4-bit last low nibble -8",
                    () -> decode(withByte(quant4(), HEADER + 5, 0x08))),
                of(RejectReason.PADDING_NOT_ZERO, "4-bit odd count with high nibble",
                    () -> decode(withByte(quant4(), HEADER + 5, 0x11))),
                of(RejectReason.PADDING_NOT_ZERO, "sign bit past the count",
                    () -> decode(withByte(sign(), HEADER + 4, 0x40)))),
            Stream.of(
                of(RejectReason.NONE, "signed, keyed receiver", () -> keyed(signed(KEY_SEED), KEY_SEED)),
                of(RejectReason.UNAUTHENTICATED, "unsigned, keyed receiver", () -> keyed(sparse(), KEY_SEED)),
                of(RejectReason.BAD_TAG, "signed with another job's key", () -> keyed(signed(KEY_SEED + 1), KEY_SEED)),
                of(RejectReason.BAD_TAG, "tag bit flipped behind a recomputed checksum",
                    () -> keyed(TestMessages.reseal(flipped(signed(KEY_SEED), signed(KEY_SEED).length - 1)), KEY_SEED)),
                of(RejectReason.TRUNCATED, "trailer cut by one byte",
                    () -> keyed(Arrays.copyOf(signed(KEY_SEED), signed(KEY_SEED).length - 1), KEY_SEED)),
                of(RejectReason.UNEXPECTED_TAG, "signed, keyless receiver", () -> decode(signed(KEY_SEED)))))
            .flatMap((stream) -> stream);
    }

    private static final long KEY_SEED = 31L;

    private static Arguments of(final RejectReason expected, final String name, final Supplier<RejectReason> scenario)
    {
        return Arguments.of(expected, name, scenario);
    }

    /**
     * Indices 0, 5, 200 (index bytes 00 05 c3 01) over keys [0, 1000).
     */
    private static byte[] sparse()
    {
        final int[] indices = {0, 5, 200};
        final float[] values = {1.0f, -2.0f, 3.0f};
        final byte[] bytes = new byte[SparseEncoder.length(Encoding.SPARSE_F32, indices, 3)];
        SparseEncoder.encode(
            new UnsafeBuffer(bytes), 0, TestMessages.header(0, 1000), Encoding.SPARSE_F32, indices, values, 3);
        return bytes;
    }

    /**
     * The message of {@link #sparse()}, signed with the key of a seed.
     */
    private static byte[] signed(final long keySeed)
    {
        final int[] indices = {0, 5, 200};
        final float[] values = {1.0f, -2.0f, 3.0f};
        final MessageHeaderEncoder header = TestMessages.header(0, 1000, TestMessages.authenticator(keySeed));
        final byte[] bytes = new byte[SparseEncoder.length(Encoding.SPARSE_F32, indices, 3) + header.trailerLength()];
        SparseEncoder.encode(new UnsafeBuffer(bytes), 0, header, Encoding.SPARSE_F32, indices, values, 3);
        return bytes;
    }

    private static RejectReason keyed(final byte[] message, final long keySeed)
    {
        final MessageHeaderDecoder decoder =
            new MessageHeaderDecoder().authenticator(TestMessages.authenticator(keySeed));
        return TestMessages.decode(decoder, new UnsafeBuffer(message), 0, message.length, new TestMessages.Scratch());
    }

    private static byte[] dense()
    {
        final byte[] bytes = new byte[DenseEncoder.length(3)];
        DenseEncoder.encode(new UnsafeBuffer(bytes), 0, TestMessages.header(10, 3), new float[]{1, 2, 3}, 0, 3);
        return bytes;
    }

    /**
     * Four 8-bit levels in blocks of two: scales at payload bytes 0..7, levels at 8..11.
     */
    private static byte[] quant8()
    {
        final byte[] bytes = new byte[QuantizedEncoder.length(Encoding.QSGD_8BIT, 4, 2)];
        QuantizedEncoder.encode(new UnsafeBuffer(bytes), 0, TestMessages.header(0, 4), Encoding.QSGD_8BIT,
            new byte[]{1, -1, 127, -127}, new float[]{0.5f, 0.25f}, 0, 4, 2);
        return bytes;
    }

    /**
     * Three 4-bit levels in one block: scale at payload bytes 0..3, levels at 4..5.
     */
    private static byte[] quant4()
    {
        final byte[] bytes = new byte[QuantizedEncoder.length(Encoding.QSGD_4BIT, 3, 8)];
        QuantizedEncoder.encode(new UnsafeBuffer(bytes), 0, TestMessages.header(0, 3), Encoding.QSGD_4BIT,
            new byte[]{1, 1, 1}, new float[]{1.0f}, 0, 3, 8);
        return bytes;
    }

    /**
     * Five signs in one block: scale at payload bytes 0..3, bits at 4.
     */
    private static byte[] sign()
    {
        final byte[] bytes = new byte[SignEncoder.length(5, 8)];
        SignEncoder.encode(new UnsafeBuffer(bytes), 0, TestMessages.header(0, 5),
            new byte[]{1, -1, 1, -1, 1}, new float[]{1.0f}, 0, 5, 8);
        return bytes;
    }

    private static byte[] f16With(final short half)
    {
        final byte[] bytes = new byte[SparseEncoder.length(Encoding.SPARSE_F16, new int[]{1, 2}, 2)];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        SparseEncoder.encode(
            buffer, 0, TestMessages.header(0, 10), Encoding.SPARSE_F16, new int[]{1, 2}, new float[]{1, 2}, 2);
        buffer.putShort(HEADER + 2, half, LITTLE_ENDIAN);
        return TestMessages.reseal(bytes);
    }

    private static byte[] negativePayloadLength()
    {
        final byte[] bytes = sparse();
        new UnsafeBuffer(bytes).putInt(PAYLOAD_LENGTH_OFFSET, -1, LITTLE_ENDIAN);
        return bytes;
    }

    private static byte[] flipped(final byte[] message, final int index)
    {
        message[index] ^= 0x10;
        return message;
    }

    private static RejectReason denseOnSparse()
    {
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
        decoder.wrap(new UnsafeBuffer(sparse()), 0, sparse().length);
        return DenseDecoder.decode(decoder, new float[10]);
    }

    private static RejectReason sparseArraysTooShort()
    {
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
        decoder.wrap(new UnsafeBuffer(sparse()), 0, sparse().length);
        return SparseDecoder.decode(decoder, new int[3], new float[2]);
    }

    private static RejectReason scalesTooShort()
    {
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
        decoder.wrap(new UnsafeBuffer(quant8()), 0, quant8().length);
        return QuantizedDecoder.decode(decoder, new byte[4], new float[1]);
    }

    private static byte[] bytes(final int... values)
    {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            bytes[i] = (byte)values[i];
        }
        return bytes;
    }
}
