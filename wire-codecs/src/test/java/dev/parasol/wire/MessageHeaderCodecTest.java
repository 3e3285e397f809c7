package dev.parasol.wire;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static dev.parasol.wire.TestMessages.HEADER;
import static dev.parasol.wire.TestMessages.JOB;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MessageHeaderCodecTest
{
    @Test
    void shouldWriteDocumentedBytesWhenEncodingSmallDenseMessage()
    {
        final MessageHeaderEncoder header = new MessageHeaderEncoder()
            .messageType(MessageType.GRADIENT_PUSH)
            .jobId(0x0102_0304_0506_0708L)
            .sequence(9)
            .baseVersion(10)
            .targetVersion(11)
            .shardId(12)
            .workerId(13)
            .keyRange(100, 2);
        final byte[] bytes = new byte[DenseEncoder.length(2)];
        assertEquals(80, DenseEncoder.encode(new UnsafeBuffer(bytes), 0, header, new float[]{1.0f, -2.0f}, 0, 2));

        final String expectedWithoutChecksum =
            "5052534c" + "01" + "01" + "01" + "00" +
            "0807060504030201" +
            "0900000000000000" +
            "0a00000000000000" +
            "0b00000000000000" +
            "0c000000" + "0d000000" + "64000000" + "02000000" +
            "02000000" + "00000000" + "08000000";
        final String expectedPayload = "0000803f" + "000000c0";
        final byte[] expectedHeader = HexFormat.of().parseHex(expectedWithoutChecksum);
        final byte[] expectedBody = HexFormat.of().parseHex(expectedPayload);

        assertEquals(HexFormat.of().formatHex(expectedHeader), HexFormat.of().formatHex(bytes, 0, 68));
        assertEquals(HexFormat.of().formatHex(expectedBody), HexFormat.of().formatHex(bytes, HEADER, 80));
        final CRC32C crc = new CRC32C();
        crc.update(expectedHeader);
        crc.update(expectedBody);
        assertEquals((int)crc.getValue(), new UnsafeBuffer(bytes).getInt(68, LITTLE_ENDIAN));
    }

    @Test
    void shouldMatchWorkedExampleOfWireFormatDocWhenEncodingSparseMessage()
    {
        // The example in docs/wire-format.md, its CRC32C computed by an independent implementation.
        final String documented =
            "505253 4c01010200 0700000000000000 2a00000000000000 6400000000000000 0500000000000000" +
            "030000000b000000 00000000e8030000 0300000000000000 100000009c603524" +
            "0000803f000000c0 0000404000 05c301";
        final int[] indices = {0, 5, 200};
        final float[] values = {1.0f, -2.0f, 3.0f};
        final byte[] bytes = new byte[SparseEncoder.length(Encoding.SPARSE_F32, indices, 3)];
        SparseEncoder.encode(
            new UnsafeBuffer(bytes), 0, TestMessages.header(0, 1000), Encoding.SPARSE_F32, indices, values, 3);
        assertEquals(documented.replace(" ", ""), HexFormat.of().formatHex(bytes));
    }

    @Test
    void shouldReadEveryFieldWhenMessageIsValid()
    {
        final byte[] bytes = new byte[DenseEncoder.length(3)];
        final MessageHeaderEncoder encoder = new MessageHeaderEncoder()
            .messageType(MessageType.PARAMETER_UPDATE)
            .jobId(-5L)
            .sequence(Long.MAX_VALUE)
            .baseVersion(1L << 40)
            .targetVersion((1L << 40) + 3)
            .shardId(2)
            .workerId(-1)
            .keyRange(Integer.MAX_VALUE - 3, 3);
        DenseEncoder.encode(new UnsafeBuffer(bytes), 0, encoder, new float[]{1, 2, 3}, 0, 3);

        final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
        assertEquals(RejectReason.NONE, decoder.wrap(new UnsafeBuffer(bytes), 0, bytes.length));
        assertEquals(MessageType.PARAMETER_UPDATE, decoder.messageType());
        assertEquals(Encoding.DENSE_F32, decoder.encoding());
        assertEquals(-5L, decoder.jobId());
        assertEquals(Long.MAX_VALUE, decoder.sequence());
        assertEquals(1L << 40, decoder.baseVersion());
        assertEquals((1L << 40) + 3, decoder.targetVersion());
        assertEquals(2, decoder.shardId());
        assertEquals(-1, decoder.workerId());
        assertEquals(Integer.MAX_VALUE - 3, decoder.rangeStart());
        assertEquals(3, decoder.rangeLength());
        assertEquals(3, decoder.elementCount());
        assertEquals(0, decoder.blockSize());
        assertEquals(0, decoder.blockCount());
        assertEquals(12, decoder.payloadLength());
        assertEquals(bytes.length, decoder.messageLength());
        assertEquals(HEADER, decoder.payloadOffset());
        assertEquals(RejectReason.NONE, decoder.checkRecipient(-5L, Integer.MAX_VALUE - 3, Integer.MAX_VALUE));
    }

    @Test
    void shouldDecodeWhenMessageSitsAtOffsetInsideLargerBuffer()
    {
        // As with an Aeron BufferClaim or term buffer: the message starts at an arbitrary, unaligned offset.
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1000]);
        final float[] values = {4.0f, 5.0f, 6.0f};
        final int length = DenseEncoder.encode(buffer, 333, TestMessages.header(50, 3), values, 0, 3);
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
        assertEquals(RejectReason.NONE, decoder.wrap(buffer, 333, length, JOB, 50, 53));
        assertEquals(333 + HEADER, decoder.payloadOffset());
        final float[] out = new float[3];
        assertEquals(RejectReason.NONE, DenseDecoder.decode(decoder, out));
        assertArrayEquals(values, out);
    }

    @Test
    void shouldGrowBufferWhenExpandable()
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(16);
        final int length = DenseEncoder.encode(buffer, 5, TestMessages.header(0, 100), new float[100], 0, 100);
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
        assertEquals(RejectReason.NONE, decoder.wrap(buffer, 5, length));
    }

    @Test
    void shouldRejectRecipientWhenJobOrRangeDiffer()
    {
        final byte[] bytes = TestMessages.dense(new SplittableRandom(1), 100, 10).bytes();
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
        assertEquals(RejectReason.WRONG_JOB, decoder.wrap(new UnsafeBuffer(bytes), 0, bytes.length, JOB + 1, 0, 200));
        assertEquals(RejectReason.NONE, decoder.wrap(new UnsafeBuffer(bytes), 0, bytes.length, JOB, 100, 110));
        assertEquals(
            RejectReason.KEY_RANGE_NOT_OWNED, decoder.wrap(new UnsafeBuffer(bytes), 0, bytes.length, JOB, 101, 200));
        assertEquals(
            RejectReason.KEY_RANGE_NOT_OWNED, decoder.wrap(new UnsafeBuffer(bytes), 0, bytes.length, JOB, 0, 109));
        // Sticky: a payload decoder returns the recipient rejection instead of reading.
        assertEquals(RejectReason.KEY_RANGE_NOT_OWNED, DenseDecoder.decode(decoder, new float[10]));
    }

    @Test
    void shouldRefuseHeaderFieldsWhenInvalid()
    {
        final MessageHeaderEncoder encoder = new MessageHeaderEncoder();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[100]);
        DenseCodecTest.assertReason(RejectReason.BAD_TYPE, () -> encoder.messageType(null));
        DenseCodecTest.assertReason(
            RejectReason.BAD_TYPE, () -> DenseEncoder.encode(buffer, 0, encoder, new float[0], 0, 0));
        DenseCodecTest.assertReason(RejectReason.BAD_KEY_RANGE, () -> encoder.keyRange(-1, 1));
        DenseCodecTest.assertReason(RejectReason.BAD_KEY_RANGE, () -> encoder.keyRange(0, -1));
        DenseCodecTest.assertReason(RejectReason.BAD_KEY_RANGE, () -> encoder.keyRange(Integer.MAX_VALUE, 1));
    }

    @Test
    void shouldMapCodesBothWaysWhenTypesAndEncodingsAreKnown()
    {
        for (final MessageType type : MessageType.values())
        {
            assertEquals(type, MessageType.fromCode(type.code()));
        }
        for (final Encoding encoding : Encoding.values())
        {
            assertEquals(encoding, Encoding.fromCode(encoding.code()));
        }
        assertEquals(null, MessageType.fromCode(0));
        assertEquals(null, MessageType.fromCode(255));
        assertEquals(null, Encoding.fromCode(-1));
    }
}
