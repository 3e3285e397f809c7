package dev.parasol.actors.psshard;

import dev.parasol.engine.compress.CompressedGradient;
import dev.parasol.wire.DenseDecoder;
import dev.parasol.wire.DenseEncoder;
import dev.parasol.wire.Encoding;
import dev.parasol.wire.MessageHeaderDecoder;
import dev.parasol.wire.MessageHeaderEncoder;
import dev.parasol.wire.MessageType;
import dev.parasol.wire.QuantizedEncoder;
import dev.parasol.wire.RejectReason;
import dev.parasol.wire.SignEncoder;
import dev.parasol.wire.SparseDecoder;
import dev.parasol.wire.SparseEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Builds real wire messages for shard tests and captures and decodes the shard's replies.
 */
final class ShardMessages
{
    static final int CHECKSUM_OFFSET = 68;

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();

    ShardMessages(final long jobId, final int shard, final int rangeStart, final int rangeLength)
    {
        header.jobId(jobId).shardId(shard).keyRange(rangeStart, rangeLength);
    }

    MessageHeaderEncoder header()
    {
        return header;
    }

    Message sparsePush(
        final int worker, final long sequence, final long baseVersion, final int[] indices, final float[] values)
    {
        pushHeader(worker, sequence, baseVersion);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SparseEncoder.length(
            Encoding.SPARSE_F32, indices, indices.length)]);
        final int length = SparseEncoder.encode(
            buffer, 0, header, Encoding.SPARSE_F32, indices, values, indices.length);
        return new Message(buffer, length);
    }

    Message densePush(final int worker, final long sequence, final long baseVersion, final float[] values)
    {
        pushHeader(worker, sequence, baseVersion);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[DenseEncoder.length(values.length)]);
        final int length = DenseEncoder.encode(buffer, 0, header, values, 0, values.length);
        return new Message(buffer, length);
    }

    /**
     * A QSGD or sign push from an engine gradient, with the per-level unit scales the wire format carries.
     */
    Message quantisedPush(
        final int worker, final long sequence, final long baseVersion, final CompressedGradient gradient)
    {
        pushHeader(worker, sequence, baseVersion);
        final float[] units = new float[gradient.blockCount()];
        for (int b = 0; b < units.length; b++)
        {
            units[b] = gradient.blockScales()[b] / gradient.maxLevel();
        }
        final int count = gradient.length();
        final int blockSize = gradient.blockSize();
        final UnsafeBuffer buffer;
        final int length;
        if (gradient.encoding() == Encoding.SIGN)
        {
            buffer = new UnsafeBuffer(new byte[SignEncoder.length(count, blockSize)]);
            length = SignEncoder.encode(buffer, 0, header, gradient.levels(), units, 0, count, blockSize);
        }
        else
        {
            buffer = new UnsafeBuffer(new byte[QuantizedEncoder.length(gradient.encoding(), count, blockSize)]);
            length = QuantizedEncoder.encode(
                buffer, 0, header, gradient.encoding(), gradient.levels(), units, 0, count, blockSize);
        }
        return new Message(buffer, length);
    }

    Message request(final int worker, final long sequence, final long baseVersion)
    {
        header.messageType(MessageType.PARAMETER_REQUEST).workerId(worker).sequence(sequence)
            .baseVersion(baseVersion).targetVersion(0);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SparseEncoder.maxLength(Encoding.SPARSE_F32, 0)]);
        final int length = SparseEncoder.encode(
            buffer, 0, header, Encoding.SPARSE_F32, new int[0], new float[0], 0);
        return new Message(buffer, length);
    }

    private void pushHeader(final int worker, final long sequence, final long baseVersion)
    {
        header.messageType(MessageType.GRADIENT_PUSH).workerId(worker).sequence(sequence)
            .baseVersion(baseVersion).targetVersion(sequence);
    }

    /**
     * Recompute the CRC32C after a test changed bytes on purpose, so that a later rule is the one that fires.
     */
    static void reseal(final UnsafeBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, CHECKSUM_OFFSET);
        crc.update(bytes, 72, length - 72);
        buffer.putInt(CHECKSUM_OFFSET, (int)crc.getValue(), ByteOrder.LITTLE_ENDIAN);
    }

    static int[] sortedDistinct(final SplittableRandom random, final int bound, final int count)
    {
        final TreeSet<Integer> set = new TreeSet<>();
        while (set.size() < count)
        {
            set.add(random.nextInt(bound));
        }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }

    static float[] gaussian(final SplittableRandom random, final int count)
    {
        final float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)random.nextGaussian();
        }
        return values;
    }

    record Message(UnsafeBuffer buffer, int length)
    {
        int feed(final ShardState state, final ReplySender replies)
        {
            return state.onMessage(buffer, 0, length, replies);
        }

        Message copy()
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(0, bytes);
            return new Message(new UnsafeBuffer(bytes), length);
        }
    }

    /**
     * A decoded reply. For a dense reply, indices are 0 .. n-1.
     */
    record Reply(
        int workerId,
        MessageType type,
        Encoding encoding,
        long sequence,
        long baseVersion,
        long targetVersion,
        int rangeStart,
        int rangeLength,
        int[] indices,
        float[] values,
        byte[] bytes)
    {
        boolean isDense()
        {
            return encoding == Encoding.DENSE_F32;
        }
    }

    /**
     * A reply sender that keeps a decoded copy of every reply, and can be told to refuse.
     */
    static final class CapturingSender implements ReplySender
    {
        final List<Reply> replies = new ArrayList<>();
        long result = 0;

        @Override
        public long send(final int workerId, final DirectBuffer buffer, final int offset, final int length)
        {
            if (result < 0)
            {
                return result;
            }
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            replies.add(decode(workerId, bytes));
            return result;
        }

        Reply last()
        {
            return replies.get(replies.size() - 1);
        }

        int count()
        {
            return replies.size();
        }
    }

    static Reply decode(final int workerId, final byte[] bytes)
    {
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
        assertEquals(RejectReason.NONE, decoder.wrap(new UnsafeBuffer(bytes), 0, bytes.length));
        final int n = decoder.elementCount();
        final int[] indices = new int[n];
        final float[] values = new float[n];
        if (decoder.encoding() == Encoding.DENSE_F32)
        {
            assertEquals(RejectReason.NONE, DenseDecoder.decode(decoder, values));
            Arrays.setAll(indices, (i) -> i);
        }
        else
        {
            assertEquals(Encoding.SPARSE_F32, decoder.encoding());
            assertEquals(RejectReason.NONE, SparseDecoder.decode(decoder, indices, values));
        }
        assertEquals(workerId, decoder.workerId());
        return new Reply(workerId, decoder.messageType(), decoder.encoding(), decoder.sequence(),
            decoder.baseVersion(), decoder.targetVersion(), decoder.rangeStart(), decoder.rangeLength(), indices,
            values, bytes);
    }
}
