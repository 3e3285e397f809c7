package dev.parasol.actors.worker;

import dev.parasol.engine.compress.CompressedGradient;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.wire.DenseEncoder;
import dev.parasol.wire.Encoding;
import dev.parasol.wire.MessageAuthenticator;
import dev.parasol.wire.MessageHeaderEncoder;
import dev.parasol.wire.MessageType;
import dev.parasol.wire.QuantizedEncoder;
import dev.parasol.wire.SignEncoder;
import dev.parasol.wire.SparseEncoder;
import org.agrona.MutableDirectBuffer;

/**
 * Encodes a worker's compressed gradient for one shard as a {@link MessageType#GRADIENT_PUSH}, and its requests for
 * parameters as a {@link MessageType#PARAMETER_REQUEST}, into a reusable buffer. Allocates nothing per message.
 * <p>
 * A quantised gradient reconstructs as {@code level * (blockScale / maxLevel)} in the engine and as
 * {@code scale * level} on the wire; the per-level unit {@code blockScale / maxLevel} is computed here once per block,
 * in float, so the receiver's reconstruction is bit-identical to the one the sender's error feedback subtracted.
 */
final class PushEncoder
{
    private static final int[] NO_INDICES = new int[0];
    private static final float[] NO_VALUES = new float[0];

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final float[] unitScales;

    PushEncoder(final long jobId, final int workerId, final int maxBlocks, final MessageAuthenticator authenticator)
    {
        header.jobId(jobId).workerId(workerId).authenticator(authenticator);
        unitScales = new float[Math.max(1, maxBlocks)];
    }

    /**
     * Encode a push.
     *
     * @return the message length in bytes.
     */
    int encodePush(
        final MutableDirectBuffer buffer,
        final KeyRange range,
        final long sequence,
        final long baseVersion,
        final long clock,
        final CompressedGradient gradient)
    {
        header.messageType(MessageType.GRADIENT_PUSH)
            .sequence(sequence)
            .baseVersion(baseVersion)
            .targetVersion(clock)
            .shardId(range.shard())
            .keyRange(range.start(), range.length());
        final Encoding encoding = gradient.encoding();
        switch (encoding)
        {
            case DENSE_F32:
                return DenseEncoder.encode(buffer, 0, header, gradient.values(), 0, gradient.length());
            case SPARSE_F32:
            case SPARSE_F16:
                return SparseEncoder.encode(
                    buffer, 0, header, encoding, gradient.indices(), gradient.values(), gradient.count());
            case QSGD_8BIT:
            case QSGD_4BIT:
                return QuantizedEncoder.encode(buffer, 0, header, encoding, gradient.levels(), unitScales(gradient), 0,
                    gradient.length(), gradient.blockSize());
            case SIGN:
                return SignEncoder.encode(buffer, 0, header, gradient.levels(), unitScales(gradient), 0,
                    gradient.length(), gradient.blockSize());
            default:
                throw new IllegalStateException("no push encoding for " + encoding);
        }
    }

    /**
     * Encode a request for the parameters of a shard's range changed since a version.
     *
     * @return the message length in bytes.
     */
    int encodeRequest(
        final MutableDirectBuffer buffer, final KeyRange range, final long sequence, final long heldVersion)
    {
        header.messageType(MessageType.PARAMETER_REQUEST)
            .sequence(sequence)
            .baseVersion(heldVersion)
            .targetVersion(0)
            .shardId(range.shard())
            .keyRange(range.start(), range.length());
        return SparseEncoder.encode(buffer, 0, header, Encoding.SPARSE_F32, NO_INDICES, NO_VALUES, 0);
    }

    private float[] unitScales(final CompressedGradient gradient)
    {
        final int blocks = gradient.blockCount();
        final float maxLevel = gradient.maxLevel();
        final float[] scales = gradient.blockScales();
        for (int b = 0; b < blocks; b++)
        {
            unitScales[b] = scales[b] / maxLevel;
        }
        return unitScales;
    }

    /**
     * Get the largest message a push of this range can take, whatever the encoding, signed.
     *
     * @param length      coordinates in the range.
     * @param minBlockSize smallest block size of a quantised encoding.
     * @return the bound in bytes.
     */
    static int maxPushLength(final int length, final int minBlockSize)
    {
        final int dense = DenseEncoder.length(length);
        final int sparse = SparseEncoder.maxLength(Encoding.SPARSE_F32, length);
        final int quantised = QuantizedEncoder.length(Encoding.QSGD_8BIT, length, minBlockSize);
        return MessageAuthenticator.TAG_LENGTH + Math.max(dense, Math.max(sparse, quantised));
    }
}
