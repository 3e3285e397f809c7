package dev.parasol.wire;

import org.agrona.DirectBuffer;

/**
 * Validates the frame, checksum, authentication tag and header of a received message and holds a copy of its fields
 * for the payload decoders ({@link DenseDecoder}, {@link SparseDecoder}, {@link QuantizedDecoder},
 * {@link SignDecoder}) and the caller.
 * <p>
 * The bytes are untrusted. {@link #wrap(DirectBuffer, int, int)} checks, in this order: that offset and length lie
 * inside the buffer and hold a header ({@link RejectReason#TRUNCATED}), the magic, the format version, that the
 * payload length plus the trailer that the flags announce matches the bytes given exactly, the CRC32C, the
 * authentication, then the type, encoding, flags, key range, element count, block size and the payload length the
 * encoding implies. Every bound is checked before the read it protects; nothing is read outside
 * {@code [offset, offset + length)} and nothing is allocated. The fields are copied out once the message is
 * authenticated, so later reads of the getters never touch the buffer and never show a field of a forgery.
 * <p>
 * <b>Authentication.</b> With an {@link #authenticator(MessageAuthenticator)} set (the job's key), a message must
 * carry {@link HeaderDescriptor#FLAG_AUTHENTICATED} ({@link RejectReason#UNAUTHENTICATED} otherwise) and a trailer
 * holding its tag under that key ({@link RejectReason#BAD_TAG} otherwise). The tag covers every header field,
 * job id, sequence and flags included, and the payload, so a message cannot be altered, moved to another job or
 * stripped of its tag. It cannot stop a verbatim replay: a replay is a message the receiver already had, with the
 * same worker, shard and sequence, which the shard's per-worker sequence check drops as a duplicate. Without an
 * authenticator (the default) unsigned messages are read as before authentication existed, and signed ones are
 * rejected ({@link RejectReason#UNEXPECTED_TAG}): a receiver that lacks the key its sender holds is misconfigured,
 * and accepting bytes it cannot check would hide that.
 * <p>
 * {@link #checkRecipient(long, int, int)} then checks the message is for the receiver: its job, and a key range
 * inside the one the receiver owns. A rejection by either is sticky: payload decoders return it rather than read.
 * <p>
 * Not thread-safe: one per receiving thread, reused for every message.
 */
public final class MessageHeaderDecoder
{
    private final Crc32cChecksum checksum = new Crc32cChecksum();
    private MessageAuthenticator authenticator;
    private DirectBuffer buffer;
    private int offset;
    private RejectReason reason = RejectReason.TRUNCATED;
    private MessageType messageType;
    private Encoding encoding;
    private long jobId;
    private long sequence;
    private long baseVersion;
    private long targetVersion;
    private int shardId;
    private int workerId;
    private int rangeStart;
    private int rangeLength;
    private int elementCount;
    private int blockSize;
    private int payloadLength;
    private int trailerLength;
    private int flags;

    /**
     * Validate a message and, if it is valid, make its fields available.
     *
     * @param buffer holding the message.
     * @param offset of the first byte of the message in the buffer.
     * @param length of the message in bytes, exactly: trailing bytes are a rejection.
     * @return {@link RejectReason#NONE} if the message is well formed, otherwise the first rule broken.
     */
    public RejectReason wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        clear();
        this.buffer = buffer;
        this.offset = offset;
        RejectReason result = checkFrame(buffer, offset, length);
        if (result == RejectReason.NONE)
        {
            result = checkAuthentication(buffer, offset);
        }
        if (result == RejectReason.NONE)
        {
            copyFields(buffer, offset);
            result = checkFields();
        }
        reason = result;
        return result;
    }

    /**
     * Set the authenticator that every message must pass from now on, or null to read unsigned messages only.
     *
     * @param authenticator the job's authenticator, owned by this thread, or null.
     * @return this for a fluent API.
     */
    public MessageHeaderDecoder authenticator(final MessageAuthenticator authenticator)
    {
        this.authenticator = authenticator;
        return this;
    }

    /**
     * Get the authenticator that messages must pass.
     *
     * @return the authenticator, or null when only unsigned messages are read.
     */
    public MessageAuthenticator authenticator()
    {
        return authenticator;
    }

    /**
     * Validate a message and check it is for this receiver: {@link #wrap(DirectBuffer, int, int)} then
     * {@link #checkRecipient(long, int, int)}.
     *
     * @param buffer     holding the message.
     * @param offset     of the first byte of the message in the buffer.
     * @param length     of the message in bytes, exactly.
     * @param jobId      the receiver's job.
     * @param ownedStart first key the receiver owns.
     * @param ownedEnd   key after the last one the receiver owns.
     * @return {@link RejectReason#NONE} if the message is well formed and for this receiver, else the rule broken.
     */
    public RejectReason wrap(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long jobId,
        final int ownedStart,
        final int ownedEnd)
    {
        final RejectReason result = wrap(buffer, offset, length);
        return result == RejectReason.NONE ? checkRecipient(jobId, ownedStart, ownedEnd) : result;
    }

    /**
     * Check a wrapped message is for this receiver: its job id is the receiver's, and its key range lies inside
     * {@code [ownedStart, ownedEnd)}. Together with the payload decoders' check that every sparse index is below
     * the message's range length, this proves every key {@code rangeStart() + index} is one the receiver owns.
     *
     * @param jobId      the receiver's job.
     * @param ownedStart first key the receiver owns.
     * @param ownedEnd   key after the last one the receiver owns.
     * @return {@link RejectReason#NONE}, {@link RejectReason#WRONG_JOB}, {@link RejectReason#KEY_RANGE_NOT_OWNED},
     * or the earlier rejection of {@link #wrap(DirectBuffer, int, int)}.
     */
    public RejectReason checkRecipient(final long jobId, final int ownedStart, final int ownedEnd)
    {
        if (reason == RejectReason.NONE)
        {
            if (this.jobId != jobId)
            {
                reason = RejectReason.WRONG_JOB;
            }
            else if (rangeStart < ownedStart || (long)rangeStart + rangeLength > ownedEnd)
            {
                reason = RejectReason.KEY_RANGE_NOT_OWNED;
            }
        }
        return reason;
    }

    /**
     * Get the outcome of the last {@link #wrap} and {@link #checkRecipient}.
     *
     * @return {@link RejectReason#NONE} if the wrapped message was accepted so far, else the rule broken.
     */
    public RejectReason reason()
    {
        return reason;
    }

    /**
     * Get the buffer of the last message wrapped.
     *
     * @return the buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Get the offset of the last message wrapped.
     *
     * @return the offset of its first header byte in the buffer.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * Get the offset of the payload in the buffer.
     *
     * @return offset() plus the header length.
     */
    public int payloadOffset()
    {
        return offset + HeaderDescriptor.HEADER_LENGTH;
    }

    /**
     * Get the message type. Fields are those read before a rejection, zero or null after it.
     *
     * @return the message type.
     */
    public MessageType messageType()
    {
        return messageType;
    }

    /**
     * Get the encoding of the payload.
     *
     * @return the encoding.
     */
    public Encoding encoding()
    {
        return encoding;
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
     * Get the sequence number.
     *
     * @return the sequence number.
     */
    public long sequence()
    {
        return sequence;
    }

    /**
     * Get the base version; its meaning depends on the {@link MessageType}.
     *
     * @return the base version.
     */
    public long baseVersion()
    {
        return baseVersion;
    }

    /**
     * Get the target version; its meaning depends on the {@link MessageType}.
     *
     * @return the target version.
     */
    public long targetVersion()
    {
        return targetVersion;
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
     * Get the worker id.
     *
     * @return the worker id.
     */
    public int workerId()
    {
        return workerId;
    }

    /**
     * Get the first key of the message's key range; decoded sparse indices and dense positions are relative to it.
     *
     * @return the range start.
     */
    public int rangeStart()
    {
        return rangeStart;
    }

    /**
     * Get the number of keys in the message's key range.
     *
     * @return the range length.
     */
    public int rangeLength()
    {
        return rangeLength;
    }

    /**
     * Get the number of entries (sparse) or coordinates (dense, quantised, sign): the length decoders write.
     *
     * @return the element count.
     */
    public int elementCount()
    {
        return elementCount;
    }

    /**
     * Get the number of coordinates per scale of a quantised or sign payload, zero for other encodings.
     *
     * @return the block size.
     */
    public int blockSize()
    {
        return blockSize;
    }

    /**
     * Get the number of scales of a quantised or sign payload, zero for other encodings: the length of the scales
     * array decoders need.
     *
     * @return ceil(elementCount / blockSize), or zero.
     */
    public int blockCount()
    {
        return blockSize > 0 ? (int)PayloadLayout.blockCount(elementCount, blockSize) : 0;
    }

    /**
     * Get the length of the payload in bytes.
     *
     * @return the payload length.
     */
    public int payloadLength()
    {
        return payloadLength;
    }

    /**
     * Get the length of the authentication trailer after the payload.
     *
     * @return {@link MessageAuthenticator#TAG_LENGTH} for an authenticated message, otherwise 0.
     */
    public int trailerLength()
    {
        return trailerLength;
    }

    /**
     * Get whether the last message wrapped carried a tag that verified under the authenticator's key; its later
     * rules may still have failed, which {@link #reason()} tells.
     *
     * @return true if the message carried a valid tag, false if it was unsigned or rejected before the tag held.
     */
    public boolean isAuthenticated()
    {
        return trailerLength != 0;
    }

    /**
     * Get the length of the whole message in bytes.
     *
     * @return the header length plus the payload length plus the trailer length.
     */
    public int messageLength()
    {
        return HeaderDescriptor.HEADER_LENGTH + payloadLength + trailerLength;
    }

    private void clear()
    {
        reason = RejectReason.TRUNCATED;
        messageType = null;
        encoding = null;
        jobId = 0;
        sequence = 0;
        baseVersion = 0;
        targetVersion = 0;
        shardId = 0;
        workerId = 0;
        rangeStart = 0;
        rangeLength = 0;
        elementCount = 0;
        blockSize = 0;
        payloadLength = 0;
        trailerLength = 0;
        flags = 0;
    }

    private RejectReason checkFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset > buffer.capacity() - length)
        {
            return RejectReason.TRUNCATED;
        }
        if (length < HeaderDescriptor.HEADER_LENGTH)
        {
            return RejectReason.TRUNCATED;
        }
        if (HeaderDescriptor.magic(buffer, offset) != HeaderDescriptor.MAGIC)
        {
            return RejectReason.BAD_MAGIC;
        }
        if (HeaderDescriptor.formatVersion(buffer, offset) != HeaderDescriptor.FORMAT_VERSION)
        {
            return RejectReason.BAD_VERSION;
        }
        // The flags are read before the checksum only to frame the message; the tag check covers them later.
        final int trailer = HeaderDescriptor.trailerLength(HeaderDescriptor.flags(buffer, offset));
        final int declared = HeaderDescriptor.payloadLength(buffer, offset);
        final int available = length - HeaderDescriptor.HEADER_LENGTH - trailer;
        if (available < 0 || declared > available)
        {
            return RejectReason.TRUNCATED;
        }
        if (declared < available || declared < 0)
        {
            return RejectReason.LENGTH_MISMATCH;
        }
        if (HeaderDescriptor.computeChecksum(checksum, buffer, offset, declared, trailer) !=
            HeaderDescriptor.checksum(buffer, offset))
        {
            return RejectReason.BAD_CHECKSUM;
        }
        payloadLength = declared;
        return RejectReason.NONE;
    }

    private RejectReason checkAuthentication(final DirectBuffer buffer, final int offset)
    {
        final boolean tagged = (HeaderDescriptor.flags(buffer, offset) & HeaderDescriptor.FLAG_AUTHENTICATED) != 0;
        final MessageAuthenticator authenticator = this.authenticator;
        final RejectReason result;
        if (null == authenticator)
        {
            result = tagged ? RejectReason.UNEXPECTED_TAG : RejectReason.NONE;
        }
        else if (!tagged)
        {
            result = RejectReason.UNAUTHENTICATED;
        }
        else if (!authenticator.verify(buffer, offset, payloadLength))
        {
            result = RejectReason.BAD_TAG;
        }
        else
        {
            trailerLength = MessageAuthenticator.TAG_LENGTH;
            result = RejectReason.NONE;
        }
        if (result != RejectReason.NONE)
        {
            payloadLength = 0;
        }
        return result;
    }

    private void copyFields(final DirectBuffer buffer, final int offset)
    {
        jobId = HeaderDescriptor.jobId(buffer, offset);
        sequence = HeaderDescriptor.sequence(buffer, offset);
        baseVersion = HeaderDescriptor.baseVersion(buffer, offset);
        targetVersion = HeaderDescriptor.targetVersion(buffer, offset);
        shardId = HeaderDescriptor.shardId(buffer, offset);
        workerId = HeaderDescriptor.workerId(buffer, offset);
        rangeStart = HeaderDescriptor.rangeStart(buffer, offset);
        rangeLength = HeaderDescriptor.rangeLength(buffer, offset);
        elementCount = HeaderDescriptor.elementCount(buffer, offset);
        blockSize = HeaderDescriptor.blockSize(buffer, offset);
        messageType = MessageType.fromCode(HeaderDescriptor.messageType(buffer, offset));
        encoding = Encoding.fromCode(HeaderDescriptor.encoding(buffer, offset));
        flags = HeaderDescriptor.flags(buffer, offset);
    }

    private RejectReason checkFields()
    {
        if (null == messageType)
        {
            return RejectReason.BAD_TYPE;
        }
        if (null == encoding)
        {
            return RejectReason.BAD_ENCODING;
        }
        if ((flags & ~HeaderDescriptor.FLAG_AUTHENTICATED) != 0)
        {
            return RejectReason.BAD_FLAGS;
        }
        if (rangeStart < 0 || rangeLength < 0 || rangeStart > Integer.MAX_VALUE - rangeLength)
        {
            return RejectReason.BAD_KEY_RANGE;
        }
        if (elementCount < 0 || elementCount > rangeLength)
        {
            return RejectReason.COUNT_OUT_OF_RANGE;
        }
        if (PayloadLayout.isSparse(encoding))
        {
            if (blockSize != 0)
            {
                return RejectReason.BAD_BLOCK_SIZE;
            }
            final long minimum = (long)elementCount * (PayloadLayout.sparseValueBytes(encoding) + 1);
            final long maximum = (long)elementCount * (PayloadLayout.sparseValueBytes(encoding) + Varint.MAX_LENGTH);
            return payloadLength < minimum || payloadLength > maximum ?
                RejectReason.LENGTH_MISMATCH : RejectReason.NONE;
        }
        if (elementCount != rangeLength)
        {
            return RejectReason.COUNT_OUT_OF_RANGE;
        }
        if (PayloadLayout.isBlockScaled(encoding) ? blockSize <= 0 : blockSize != 0)
        {
            return RejectReason.BAD_BLOCK_SIZE;
        }
        return PayloadLayout.fixedPayloadLength(encoding, elementCount, blockSize) != payloadLength ?
            RejectReason.LENGTH_MISMATCH : RejectReason.NONE;
    }
}
