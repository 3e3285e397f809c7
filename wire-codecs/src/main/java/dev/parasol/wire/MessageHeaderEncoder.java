package dev.parasol.wire;

import org.agrona.MutableDirectBuffer;

/**
 * The header fields a sender sets, reused for every message it encodes, plus the CRC32C state that seals a message.
 * A sender sets its identity once ({@link #jobId}, {@link #shardId}, {@link #workerId}) and the per-message fields
 * before each encode ({@link #sequence}, versions, {@link #keyRange}); the payload encoders
 * ({@link DenseEncoder}, {@link SparseEncoder}, {@link QuantizedEncoder}, {@link SignEncoder}) write the encoding,
 * element count, block size, payload length and checksum themselves.
 * <p>
 * <b>Authentication.</b> With an {@link #authenticator(MessageAuthenticator)} set, every message is signed: the
 * header carries {@link HeaderDescriptor#FLAG_AUTHENTICATED}, a {@value MessageAuthenticator#TAG_LENGTH}-byte tag
 * follows the payload, and the encoders return and need {@link #trailerLength()} more bytes than their static
 * {@code length} methods, which give the length without a trailer:
 * <pre>{@code
 * header.authenticator(new MessageAuthenticator(jobKey));   // once, when the job's key arrives
 * final int length = SparseEncoder.length(encoding, indices, count) + header.trailerLength();
 * }</pre>
 * Without one (the default) messages are unsigned, byte for byte as before authentication existed.
 * <p>
 * Not thread-safe: one per sending thread. Setters validate and throw {@link CodecException}, so a message is never
 * encoded from fields a receiver would reject.
 */
public final class MessageHeaderEncoder
{
    private final Crc32cChecksum checksum = new Crc32cChecksum();
    private MessageAuthenticator authenticator;
    private MessageType messageType;
    private long jobId;
    private long sequence;
    private long baseVersion;
    private long targetVersion;
    private int shardId;
    private int workerId;
    private int rangeStart;
    private int rangeLength;

    /**
     * Set the message type; it has no default, so encoding before setting it throws.
     *
     * @param messageType what the message asks of its receiver.
     * @return this for a fluent API.
     */
    public MessageHeaderEncoder messageType(final MessageType messageType)
    {
        if (null == messageType)
        {
            throw new CodecException(RejectReason.BAD_TYPE, "messageType=null, expected a MessageType");
        }
        this.messageType = messageType;
        return this;
    }

    /**
     * Get the message type.
     *
     * @return the message type, or null if not set yet.
     */
    public MessageType messageType()
    {
        return messageType;
    }

    /**
     * Set the job the message belongs to.
     *
     * @param jobId the job id.
     * @return this for a fluent API.
     */
    public MessageHeaderEncoder jobId(final long jobId)
    {
        this.jobId = jobId;
        return this;
    }

    /**
     * Get the job id.
     *
     * @return the job id.
     */
    public long jobId()
    {
        return jobId;
    }

    /**
     * Set the sequence number: increasing per sender and receiver, so that a receiver applies a message once.
     *
     * @param sequence the sequence number.
     * @return this for a fluent API.
     */
    public MessageHeaderEncoder sequence(final long sequence)
    {
        this.sequence = sequence;
        return this;
    }

    /**
     * Get the sequence number.
     *
     * @return the sequence number.
     */
    public long sequence()
    {
        return sequence;
    }

    /**
     * Set the base version; its meaning depends on the {@link MessageType}.
     *
     * @param baseVersion the base version.
     * @return this for a fluent API.
     */
    public MessageHeaderEncoder baseVersion(final long baseVersion)
    {
        this.baseVersion = baseVersion;
        return this;
    }

    /**
     * Get the base version.
     *
     * @return the base version.
     */
    public long baseVersion()
    {
        return baseVersion;
    }

    /**
     * Set the target version; its meaning depends on the {@link MessageType}.
     *
     * @param targetVersion the target version.
     * @return this for a fluent API.
     */
    public MessageHeaderEncoder targetVersion(final long targetVersion)
    {
        this.targetVersion = targetVersion;
        return this;
    }

    /**
     * Get the target version.
     *
     * @return the target version.
     */
    public long targetVersion()
    {
        return targetVersion;
    }

    /**
     * Set the parameter-server shard: the receiver of a gradient push, the sender of a parameter update.
     *
     * @param shardId the shard id.
     * @return this for a fluent API.
     */
    public MessageHeaderEncoder shardId(final int shardId)
    {
        this.shardId = shardId;
        return this;
    }

    /**
     * Get the shard id.
     *
     * @return the shard id.
     */
    public int shardId()
    {
        return shardId;
    }

    /**
     * Set the worker: the sender of a gradient push, the receiver of a parameter update.
     *
     * @param workerId the worker id.
     * @return this for a fluent API.
     */
    public MessageHeaderEncoder workerId(final int workerId)
    {
        this.workerId = workerId;
        return this;
    }

    /**
     * Get the worker id.
     *
     * @return the worker id.
     */
    public int workerId()
    {
        return workerId;
    }

    /**
     * Set the key range {@code [start, start + length)} of the flat parameter vector that the message covers.
     * Sparse indices are relative to start and below length; dense, quantised and sign payloads carry exactly
     * length coordinates, the first one for key start.
     *
     * @param start  first key, not negative.
     * @param length number of keys, not negative, with start + length at most {@link Integer#MAX_VALUE}.
     * @return this for a fluent API.
     */
    public MessageHeaderEncoder keyRange(final int start, final int length)
    {
        if (start < 0 || length < 0 || start > Integer.MAX_VALUE - length)
        {
            throw new CodecException(
                RejectReason.BAD_KEY_RANGE, "start=" + start + " length=" + length + ", expected a range in [0, 2^31)");
        }
        this.rangeStart = start;
        this.rangeLength = length;
        return this;
    }

    /**
     * Get the first key of the key range.
     *
     * @return the range start.
     */
    public int rangeStart()
    {
        return rangeStart;
    }

    /**
     * Get the number of keys in the key range.
     *
     * @return the range length.
     */
    public int rangeLength()
    {
        return rangeLength;
    }

    /**
     * Set the authenticator that signs every message from now on, or null to send unsigned messages.
     *
     * @param authenticator the job's authenticator, owned by this thread, or null.
     * @return this for a fluent API.
     */
    public MessageHeaderEncoder authenticator(final MessageAuthenticator authenticator)
    {
        this.authenticator = authenticator;
        return this;
    }

    /**
     * Get the authenticator that signs messages.
     *
     * @return the authenticator, or null when messages are sent unsigned.
     */
    public MessageAuthenticator authenticator()
    {
        return authenticator;
    }

    /**
     * Get the number of bytes a message takes beyond the length the encoders' static {@code length} methods
     * return: the authentication trailer.
     *
     * @return {@link MessageAuthenticator#TAG_LENGTH} when an authenticator is set, otherwise 0.
     */
    public int trailerLength()
    {
        return null != authenticator ? MessageAuthenticator.TAG_LENGTH : 0;
    }

    /**
     * Check the fields and room for a message, trailer included, then write the header with a zero checksum.
     */
    void writeHeader(
        final MutableDirectBuffer buffer,
        final int offset,
        final Encoding encoding,
        final int elementCount,
        final int blockSize,
        final long payloadLength)
    {
        if (null == messageType)
        {
            throw new CodecException(RejectReason.BAD_TYPE, "messageType not set, expected a MessageType");
        }
        final int messageLength = SourceChecks.checkedLength(payloadLength + trailerLength());
        if (offset < 0 || (!buffer.isExpandable() && offset > buffer.capacity() - messageLength))
        {
            throw new CodecException(
                RejectReason.CAPACITY_EXCEEDED,
                "offset=" + offset + " length=" + messageLength + " capacity=" + buffer.capacity() +
                ", expected the message to fit in the buffer");
        }
        HeaderDescriptor.putHeader(buffer, offset, this, encoding, elementCount, blockSize, (int)payloadLength);
    }

    /**
     * Once the payload is in place, write the tag into the trailer if signing, then the checksum, which covers the
     * trailer too.
     *
     * @return the length of the whole message, trailer included.
     */
    int seal(final MutableDirectBuffer buffer, final int offset, final int payloadLength)
    {
        final MessageAuthenticator authenticator = this.authenticator;
        final int trailerLength = trailerLength();
        if (null != authenticator)
        {
            authenticator.sign(buffer, offset, payloadLength);
        }
        HeaderDescriptor.putChecksum(
            buffer, offset, HeaderDescriptor.computeChecksum(checksum, buffer, offset, payloadLength, trailerLength));
        return HeaderDescriptor.HEADER_LENGTH + payloadLength + trailerLength;
    }
}
