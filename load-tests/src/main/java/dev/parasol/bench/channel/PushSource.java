package dev.parasol.bench.channel;

import dev.parasol.engine.compress.CompressedGradient;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.wire.DenseEncoder;
import dev.parasol.wire.Encoding;
import dev.parasol.wire.MessageHeaderEncoder;
import dev.parasol.wire.MessageType;
import dev.parasol.wire.SparseEncoder;
import org.agrona.MutableDirectBuffer;

/**
 * The worker's side of a push, as {@code dev.parasol.actors.worker.PushEncoder} (package-private, hence mirrored
 * here for its two encodings) writes it: header fields, then {@link SparseEncoder} or {@link DenseEncoder}, checksum
 * included, into one reused buffer. Each call takes the next sequence and the next gradient of the case's cycle.
 * Allocates nothing per message.
 * <p>
 * The base version is {@code sequence - 1}: the shard's version when it applies the push, if every earlier push was
 * applied, so the staleness is 0 and the shard applies every push unscaled.
 */
final class PushSource
{
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final MutableDirectBuffer buffer;
    private final CompressedGradient[] gradients;
    private long sequence;
    private int next;

    PushSource(final PushCase pushCase, final MutableDirectBuffer buffer)
    {
        final KeyRange range = pushCase.range();
        this.buffer = buffer;
        this.gradients = pushCase.gradients();
        header.messageType(MessageType.GRADIENT_PUSH)
            .jobId(PushCase.JOB_ID)
            .workerId(PushCase.WORKER_ID)
            .shardId(range.shard())
            .keyRange(range.start(), range.length());
    }

    /**
     * Get an upper bound of the message length of a gradient of a range, to size a buffer.
     */
    static int maxLength(final CompressedGradient gradient, final int rangeLength)
    {
        return CompressedGradient.isSparse(gradient.encoding()) ?
            SparseEncoder.maxLength(gradient.encoding(), gradient.count()) : DenseEncoder.length(rangeLength);
    }

    /**
     * Encode the next push at offset 0 of the buffer.
     *
     * @return the message length in bytes.
     */
    int encodeNext()
    {
        final long sequence = ++this.sequence;
        final CompressedGradient gradient = gradients[next];
        next = next + 1 == gradients.length ? 0 : next + 1;
        header.sequence(sequence)
            .baseVersion(sequence - 1)
            .targetVersion(sequence);
        final Encoding encoding = gradient.encoding();
        if (CompressedGradient.isSparse(encoding))
        {
            return SparseEncoder.encode(
                buffer, 0, header, encoding, gradient.indices(), gradient.values(), gradient.count());
        }

        return DenseEncoder.encode(buffer, 0, header, gradient.values(), 0, gradient.length());
    }

    MutableDirectBuffer buffer()
    {
        return buffer;
    }

    long sequence()
    {
        return sequence;
    }
}
