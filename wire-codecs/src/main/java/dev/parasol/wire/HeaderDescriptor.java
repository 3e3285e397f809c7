package dev.parasol.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Layout of the fixed {@value #HEADER_LENGTH}-byte header that starts every data-plane message. All fields are
 * little-endian and naturally aligned when the message starts at an 8-byte aligned offset:
 * <pre>
 *   0  int32  magic            {@value #MAGIC} ("PRSL" in ASCII)
 *   4  uint8  format version   {@value #FORMAT_VERSION}
 *   5  uint8  message type     {@link MessageType#code()}
 *   6  uint8  encoding         {@link Encoding#code()}
 *   7  uint8  flags            bit 0 {@link #FLAG_AUTHENTICATED}; bits 1 to 7 reserved, zero
 *   8  int64  job id
 *  16  int64  sequence
 *  24  int64  base version
 *  32  int64  target version
 *  40  int32  shard id
 *  44  int32  worker id
 *  48  int32  range start      first key of the message's key range
 *  52  int32  range length     number of keys in the range
 *  56  int32  element count    entries (sparse) or coordinates (dense, quantised, sign)
 *  60  int32  block size       coordinates per scale (quantised, sign), zero otherwise
 *  64  int32  payload length   bytes after the header
 *  68  int32  checksum         CRC32C of bytes [0, 68), the payload, then the trailer
 *  72         payload          payload length bytes
 *             trailer          {@value MessageAuthenticator#TAG_LENGTH}-byte tag when {@link #FLAG_AUTHENTICATED}
 *                              is set ({@link MessageAuthenticator}), nothing otherwise
 * </pre>
 * The payload length does not count the trailer, so every payload rule reads the same with and without it.
 * The accessors are package-private and unchecked: only {@link MessageHeaderDecoder} reads untrusted bytes, after
 * checking the bounds itself.
 */
public final class HeaderDescriptor
{
    /**
     * Length of the header in bytes; the payload starts at this offset from the start of the message.
     */
    public static final int HEADER_LENGTH = 72;

    /**
     * Magic number in the first four bytes: the ASCII bytes "PRSL" read as a little-endian int.
     */
    public static final int MAGIC = 0x4C535250;

    /**
     * The format version this code writes and the only one it reads.
     */
    public static final int FORMAT_VERSION = 1;

    /**
     * Flag bit set when a {@value MessageAuthenticator#TAG_LENGTH}-byte authentication tag follows the payload.
     */
    public static final int FLAG_AUTHENTICATED = 0x01;

    private static final int MAGIC_OFFSET = 0;
    private static final int FORMAT_VERSION_OFFSET = 4;
    private static final int MESSAGE_TYPE_OFFSET = 5;
    private static final int ENCODING_OFFSET = 6;
    private static final int FLAGS_OFFSET = 7;
    private static final int JOB_ID_OFFSET = 8;
    private static final int SEQUENCE_OFFSET = 16;
    private static final int BASE_VERSION_OFFSET = 24;
    private static final int TARGET_VERSION_OFFSET = 32;
    private static final int SHARD_ID_OFFSET = 40;
    private static final int WORKER_ID_OFFSET = 44;
    private static final int RANGE_START_OFFSET = 48;
    private static final int RANGE_LENGTH_OFFSET = 52;
    private static final int ELEMENT_COUNT_OFFSET = 56;
    private static final int BLOCK_SIZE_OFFSET = 60;
    private static final int PAYLOAD_LENGTH_OFFSET = 64;
    static final int CHECKSUM_OFFSET = 68;

    private HeaderDescriptor()
    {
    }

    static int magic(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + MAGIC_OFFSET, LITTLE_ENDIAN);
    }

    static int formatVersion(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + FORMAT_VERSION_OFFSET) & 0xFF;
    }

    static int messageType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + MESSAGE_TYPE_OFFSET) & 0xFF;
    }

    static int encoding(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + ENCODING_OFFSET) & 0xFF;
    }

    static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    static long jobId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + JOB_ID_OFFSET, LITTLE_ENDIAN);
    }

    static long sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SEQUENCE_OFFSET, LITTLE_ENDIAN);
    }

    static long baseVersion(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + BASE_VERSION_OFFSET, LITTLE_ENDIAN);
    }

    static long targetVersion(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + TARGET_VERSION_OFFSET, LITTLE_ENDIAN);
    }

    static int shardId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + SHARD_ID_OFFSET, LITTLE_ENDIAN);
    }

    static int workerId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + WORKER_ID_OFFSET, LITTLE_ENDIAN);
    }

    static int rangeStart(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + RANGE_START_OFFSET, LITTLE_ENDIAN);
    }

    static int rangeLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + RANGE_LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    static int elementCount(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + ELEMENT_COUNT_OFFSET, LITTLE_ENDIAN);
    }

    static int blockSize(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + BLOCK_SIZE_OFFSET, LITTLE_ENDIAN);
    }

    static int payloadLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    static int checksum(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + CHECKSUM_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Compute the CRC32C of a message without a trailer: the header up to the checksum field, then the payload.
     */
    static int computeChecksum(
        final Crc32cChecksum crc, final DirectBuffer buffer, final int offset, final int payloadLength)
    {
        return computeChecksum(crc, buffer, offset, payloadLength, 0);
    }

    /**
     * Compute the CRC32C that covers a message: the header up to the checksum field, then the payload and the
     * trailer, which follow each other. Every byte of the message but the checksum field itself is covered.
     */
    static int computeChecksum(
        final Crc32cChecksum crc,
        final DirectBuffer buffer,
        final int offset,
        final int payloadLength,
        final int trailerLength)
    {
        crc.reset();
        crc.update(buffer, offset, CHECKSUM_OFFSET);
        crc.update(buffer, offset + HEADER_LENGTH, payloadLength + trailerLength);
        return crc.value();
    }

    /**
     * Length of the trailer that a flags byte announces.
     */
    static int trailerLength(final int flags)
    {
        return (flags & FLAG_AUTHENTICATED) != 0 ? MessageAuthenticator.TAG_LENGTH : 0;
    }

    /**
     * Offset of the trailer, right after the payload.
     */
    static int trailerOffset(final int offset, final int payloadLength)
    {
        return offset + HEADER_LENGTH + payloadLength;
    }

    static void putChecksum(final MutableDirectBuffer buffer, final int offset, final int checksum)
    {
        buffer.putInt(offset + CHECKSUM_OFFSET, checksum, LITTLE_ENDIAN);
    }

    /**
     * Write every header field, with {@link #FLAG_AUTHENTICATED} set when the fields carry an authenticator; the
     * checksum is written as zero and set by {@link #putChecksum} once the payload and trailer are in place.
     */
    static void putHeader(
        final MutableDirectBuffer buffer,
        final int offset,
        final MessageHeaderEncoder fields,
        final Encoding encoding,
        final int elementCount,
        final int blockSize,
        final int payloadLength)
    {
        buffer.putInt(offset + MAGIC_OFFSET, MAGIC, LITTLE_ENDIAN);
        buffer.putByte(offset + FORMAT_VERSION_OFFSET, (byte)FORMAT_VERSION);
        buffer.putByte(offset + MESSAGE_TYPE_OFFSET, (byte)fields.messageType().code());
        buffer.putByte(offset + ENCODING_OFFSET, (byte)encoding.code());
        buffer.putByte(offset + FLAGS_OFFSET, (byte)(null != fields.authenticator() ? FLAG_AUTHENTICATED : 0));
        buffer.putLong(offset + JOB_ID_OFFSET, fields.jobId(), LITTLE_ENDIAN);
        buffer.putLong(offset + SEQUENCE_OFFSET, fields.sequence(), LITTLE_ENDIAN);
        buffer.putLong(offset + BASE_VERSION_OFFSET, fields.baseVersion(), LITTLE_ENDIAN);
        buffer.putLong(offset + TARGET_VERSION_OFFSET, fields.targetVersion(), LITTLE_ENDIAN);
        buffer.putInt(offset + SHARD_ID_OFFSET, fields.shardId(), LITTLE_ENDIAN);
        buffer.putInt(offset + WORKER_ID_OFFSET, fields.workerId(), LITTLE_ENDIAN);
        buffer.putInt(offset + RANGE_START_OFFSET, fields.rangeStart(), LITTLE_ENDIAN);
        buffer.putInt(offset + RANGE_LENGTH_OFFSET, fields.rangeLength(), LITTLE_ENDIAN);
        buffer.putInt(offset + ELEMENT_COUNT_OFFSET, elementCount, LITTLE_ENDIAN);
        buffer.putInt(offset + BLOCK_SIZE_OFFSET, blockSize, LITTLE_ENDIAN);
        buffer.putInt(offset + PAYLOAD_LENGTH_OFFSET, payloadLength, LITTLE_ENDIAN);
        buffer.putInt(offset + CHECKSUM_OFFSET, 0, LITTLE_ENDIAN);
    }
}
