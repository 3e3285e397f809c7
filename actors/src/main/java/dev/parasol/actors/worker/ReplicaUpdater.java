package dev.parasol.actors.worker;

import dev.parasol.engine.model.KeyRange;
import dev.parasol.wire.DenseDecoder;
import dev.parasol.wire.Encoding;
import dev.parasol.wire.MessageAuthenticator;
import dev.parasol.wire.MessageHeaderDecoder;
import dev.parasol.wire.MessageType;
import dev.parasol.wire.RejectCounters;
import dev.parasol.wire.RejectReason;
import dev.parasol.wire.SparseDecoder;
import org.agrona.DirectBuffer;

/**
 * Writes the {@link MessageType#PARAMETER_UPDATE}s of the shards into a replica of the flat parameter vector, after
 * validating each one against the job and the shard's key range. A message is decoded into scratch arrays first and
 * written only when whole and valid, so a bad message never touches the replica. Allocates nothing per message.
 */
final class ReplicaUpdater
{
    /**
     * What {@link #onMessage} returns for an empty message (a tail probe): neither an update nor a rejection.
     */
    static final int EMPTY_MESSAGE = -2;

    private final long jobId;
    private final float[] replica;
    private final KeyRange[] ranges;
    private final long[] heldVersions;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final RejectCounters rejects = new RejectCounters();
    private final int[] indices;
    private final float[] values;
    private long bytesReceived;
    private long staleUpdates;
    private long lastSequence;
    private int lastShard = -1;

    ReplicaUpdater(
        final long jobId, final float[] replica, final KeyRange[] ranges, final MessageAuthenticator authenticator)
    {
        header.authenticator(authenticator);
        this.jobId = jobId;
        this.replica = replica;
        this.ranges = ranges.clone();
        this.heldVersions = new long[ranges.length];
        int maxLength = 0;
        for (final KeyRange range : ranges)
        {
            maxLength = Math.max(maxLength, range.length());
        }
        this.indices = new int[maxLength];
        this.values = new float[maxLength];
    }

    /**
     * Validate and apply one message.
     *
     * @return the shard whose update was applied ({@link #lastSequence()} then holds the sequence it acknowledges),
     * -1 when the message was rejected and counted, or {@link #EMPTY_MESSAGE} for a tail probe.
     */
    int onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        lastShard = -1;
        if (length == 0)
        {
            // A shard's tail probe: it only made Aeron see the stream move on.
            return EMPTY_MESSAGE;
        }
        RejectReason reason = header.wrap(buffer, offset, length);
        final int shard = reason == RejectReason.NONE ? header.shardId() : -1;
        if (reason == RejectReason.NONE && (shard < 0 || shard >= ranges.length))
        {
            reason = RejectReason.KEY_RANGE_NOT_OWNED;
        }
        if (reason == RejectReason.NONE)
        {
            reason = header.checkRecipient(jobId, ranges[shard].start(), ranges[shard].end());
        }
        if (reason == RejectReason.NONE && header.messageType() != MessageType.PARAMETER_UPDATE)
        {
            reason = RejectReason.BAD_TYPE;
        }
        if (reason == RejectReason.NONE && header.targetVersion() < heldVersions[shard])
        {
            // A late answer to a resent message: older than what the replica holds, so writing it would go back.
            staleUpdates++;
            lastSequence = header.sequence();
            lastShard = shard;
            return shard;
        }
        if (reason == RejectReason.NONE)
        {
            reason = apply(ranges[shard]);
        }
        rejects.record(reason);
        if (reason != RejectReason.NONE)
        {
            return -1;
        }
        bytesReceived += length;
        heldVersions[shard] = header.targetVersion();
        lastSequence = header.sequence();
        lastShard = shard;
        return shard;
    }

    private RejectReason apply(final KeyRange range)
    {
        final int base = header.rangeStart();
        if (header.encoding() == Encoding.DENSE_F32)
        {
            final RejectReason reason = DenseDecoder.decode(header, values);
            if (reason == RejectReason.NONE)
            {
                System.arraycopy(values, 0, replica, base, header.elementCount());
            }
            return reason;
        }
        final RejectReason reason = SparseDecoder.decode(header, indices, values);
        if (reason == RejectReason.NONE)
        {
            for (int i = 0, n = header.elementCount(); i < n; i++)
            {
                replica[base + indices[i]] = values[i];
            }
        }
        return reason;
    }

    long heldVersion(final int shard)
    {
        return heldVersions[shard];
    }

    long lastSequence()
    {
        return lastSequence;
    }

    int lastShard()
    {
        return lastShard;
    }

    long staleUpdates()
    {
        return staleUpdates;
    }

    long bytesReceived()
    {
        return bytesReceived;
    }

    RejectCounters rejects()
    {
        return rejects;
    }
}
