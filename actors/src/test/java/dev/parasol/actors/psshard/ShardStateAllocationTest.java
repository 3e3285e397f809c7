package dev.parasol.actors.psshard;

import com.sun.management.ThreadMXBean;
import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.optim.OptimiserConfig;
import dev.parasol.wire.DenseEncoder;
import dev.parasol.wire.Encoding;
import dev.parasol.wire.MessageHeaderEncoder;
import dev.parasol.wire.MessageType;
import dev.parasol.wire.SparseEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The good path allocates nothing per message: pushes (sparse, dense), duplicates, requests and their replies, after a
 * warm-up that lets the JIT compile it. Measured with HotSpot's per-thread allocation counter, which also sees the
 * test's own encoding (allocation-free as well). The best of up to five rounds of 10,000 messages must stay under
 * 1 KiB, and every round under one byte per message.
 */
class ShardStateAllocationTest
{
    private static final int LENGTH = 20_000;
    private static final int WORKERS = 2;
    private static final int ENTRIES = 200;
    private static final int MEASURED = 10_000;
    private static final long MAX_BYTES = 1024;
    private static final int ROUNDS = 5;

    private final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[DenseEncoder.length(LENGTH)]);
    private final int[][] indexSets = new int[32][];
    private final float[][] valueSets = new float[32][];
    private final float[] dense = new float[LENGTH];
    private final long[] sequences = new long[WORKERS];
    private final ReplySender sink = this::countReply;
    private long replyBytes;
    private ShardState state;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldNotAllocatePerMessageWhenWarm()
    {
        final SplittableRandom random = new SplittableRandom(31);
        for (int i = 0; i < indexSets.length; i++)
        {
            indexSets[i] = ShardMessages.sortedDistinct(random, LENGTH, ENTRIES);
            valueSets[i] = ShardMessages.gaussian(random, ENTRIES);
            for (int j = 0; j < ENTRIES; j++)
            {
                valueSets[i][j] *= 1e-3f;
            }
        }
        for (int i = 0; i < LENGTH; i++)
        {
            dense[i] = 1e-6f;
        }
        state = new ShardState(7, new KeyRange(0, 0, LENGTH), new float[LENGTH], 0,
            OptimiserConfig.of(OptimiserConfig.Kind.MOMENTUM, 0.01f), StalenessPolicy.drop(8), WORKERS);
        header.jobId(7).shardId(0).keyRange(0, LENGTH);

        run(30_000);
        final long id = Thread.currentThread().getId();
        long best = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS && best >= MAX_BYTES; round++)
        {
            final long before = threads.getThreadAllocatedBytes(id);
            run(MEASURED);
            final long allocated = threads.getThreadAllocatedBytes(id) - before;
            // A late JIT recompilation can charge a few KiB of VM bookkeeping to this thread once; an allocation per
            // message would show in every round as at least 16 bytes times the messages.
            assertTrue(allocated < MEASURED, "round " + round + " allocated " + allocated + " bytes");
            best = Math.min(best, allocated);
        }

        assertTrue(best < MAX_BYTES, "allocated " + best + " bytes over " + MEASURED + " messages");
        assertEquals(0, state.rejectedCount());
        assertEquals(0, state.replyFailureCount());
        assertTrue(state.appliedCount() > MEASURED / 2);
        assertTrue(replyBytes > 0);

        final long meterBefore = threads.getThreadAllocatedBytes(id);
        final Object[] sink = new Object[MEASURED];
        for (int i = 0; i < MEASURED; i++)
        {
            sink[i] = new long[8];
        }
        assertTrue(threads.getThreadAllocatedBytes(id) - meterBefore >= MEASURED * 64L, "meter works " + sink.length);
    }

    private void run(final int messages)
    {
        for (int i = 0; i < messages; i++)
        {
            final int worker = i & 1;
            final int length;
            if (i % 10 == 9)
            {
                length = request(worker);
            }
            else if (i % 500 == 0)
            {
                length = densePush(worker);
            }
            else if (i % 50 == 1)
            {
                // A replay of the worker's previous push: a duplicate, acknowledged.
                sequences[worker]--;
                length = sparsePush(worker, i);
            }
            else
            {
                length = sparsePush(worker, i);
            }
            state.onMessage(buffer, 0, length, sink);
        }
    }

    private int sparsePush(final int worker, final int i)
    {
        pushHeader(worker);
        final int set = i & (indexSets.length - 1);
        return SparseEncoder.encode(
            buffer, 0, header, Encoding.SPARSE_F32, indexSets[set], valueSets[set], ENTRIES);
    }

    private int densePush(final int worker)
    {
        pushHeader(worker);
        return DenseEncoder.encode(buffer, 0, header, dense, 0, LENGTH);
    }

    private int request(final int worker)
    {
        header.messageType(MessageType.PARAMETER_REQUEST).workerId(worker).sequence(sequences[worker])
            .baseVersion(state.lastSentVersion(worker)).targetVersion(0);
        return SparseEncoder.encode(buffer, 0, header, Encoding.SPARSE_F32, indexSets[0], valueSets[0], 0);
    }

    private void pushHeader(final int worker)
    {
        header.messageType(MessageType.GRADIENT_PUSH).workerId(worker).sequence(++sequences[worker])
            .baseVersion(state.lastSentVersion(worker)).targetVersion(0);
    }

    private long countReply(final int workerId, final DirectBuffer replyBuffer, final int offset, final int length)
    {
        replyBytes += length;
        return length;
    }
}
