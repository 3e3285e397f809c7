package dev.parasol.actors.psshard;

import dev.parasol.actors.psshard.ShardMessages.CapturingSender;
import dev.parasol.actors.psshard.ShardMessages.Message;
import dev.parasol.actors.psshard.ShardMessages.Reply;
import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.optim.OptimiserConfig;
import dev.parasol.wire.Encoding;
import dev.parasol.wire.MessageType;
import dev.parasol.wire.SparseEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shard with a backup copy: pushes forwarded in order, acknowledgements held until the copy confirms, the copy
 * identical to its primary, the primary going on alone when the copy fails, and the copy promoted in its place.
 */
class ShardReplicationTest
{
    private static final long JOB = ShardStateTest.JOB;
    private static final int START = ShardStateTest.START;
    private static final int LENGTH = ShardStateTest.LENGTH;

    private final ShardMessages messages = new ShardMessages(JOB, ShardStateTest.SHARD, START, LENGTH);
    private final CapturingSender workers = new CapturingSender();
    private final Wire toCopy = new Wire();
    private final Wire toPrimary = new Wire();

    /**
     * One direction of the primary-copy link: keeps every message sent, in order, as the bytes on the wire.
     */
    private static final class Wire implements ReplySender
    {
        final ArrayDeque<Message> queue = new ArrayDeque<>();
        long result;

        @Override
        public long send(final int workerId, final DirectBuffer buffer, final int offset, final int length)
        {
            if (result < 0)
            {
                return result;
            }
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            queue.add(new Message(new UnsafeBuffer(bytes), length));
            return 0;
        }
    }

    private static ShardState newState(final StalenessPolicy policy)
    {
        return ShardStateTest.newState(policy);
    }

    private ShardState[] pair(final StalenessPolicy policy)
    {
        final ShardState primary = newState(policy);
        final ShardState copy = newState(policy);
        copy.becomeReplica();
        primary.attachBackup(toCopy);
        return new ShardState[] {primary, copy};
    }

    /**
     * Deliver everything forwarded to the copy, then everything it confirmed back to the primary.
     */
    private void deliver(final ShardState primary, final ShardState copy)
    {
        deliver(primary, copy, workers);
    }

    /**
     * Deliver everything forwarded to the copy; its confirmations wait on their way back.
     */
    private void forwardAll(final ShardState copy)
    {
        while (!toCopy.queue.isEmpty())
        {
            final int outcome = toCopy.queue.poll().feed(copy, toPrimary);
            assertTrue(outcome == ShardState.APPLIED || outcome == ShardState.DROPPED_STALE, "copy: " + outcome);
        }
    }

    private void deliver(final ShardState primary, final ShardState copy, final ReplySender workerReplies)
    {
        forwardAll(copy);
        while (!toPrimary.queue.isEmpty())
        {
            assertEquals(ShardState.CONFIRMED, toPrimary.queue.poll().feed(primary, workerReplies));
        }
    }

    private Message push(final int worker, final long sequence, final long baseVersion, final int seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int[] indices = ShardMessages.sortedDistinct(random, LENGTH, 20);
        return messages.sparsePush(worker, sequence, baseVersion, indices, ShardMessages.gaussian(random, 20));
    }

    @Test
    void shouldAcknowledgeAPushOnlyOnceItsCopyConfirmedIt()
    {
        final ShardState[] shards = pair(StalenessPolicy.CONSTANT);
        final ShardState primary = shards[0];
        final ShardState copy = shards[1];

        assertEquals(ShardState.APPLIED, push(0, 1, 0, 1).feed(primary, workers));

        assertEquals(0, workers.count(), "acknowledged before the copy had the push");
        assertEquals(1, primary.heldAcknowledgementCount());
        assertEquals(1, toCopy.queue.size());
        assertEquals(ShardState.APPLIED, toCopy.queue.poll().feed(copy, toPrimary));
        assertEquals(0, workers.count());
        assertEquals(ShardState.CONFIRMED, toPrimary.queue.poll().feed(primary, workers));
        assertEquals(1, workers.count());
        final Reply ack = workers.last();
        assertEquals(MessageType.PARAMETER_UPDATE, ack.type());
        assertEquals(0, ack.workerId());
        assertEquals(1, ack.sequence());
        assertEquals(0, primary.heldAcknowledgementCount());
        assertEquals(1, primary.confirmationCount());
        assertArrayEquals(ShardStateTest.params(primary), ShardStateTest.params(copy));
        assertEquals(primary.version(), copy.version());
        assertTrue(primary.statistics().replicationBytes() > 0);
        assertEquals(0, copy.statistics().bytesOut(), "a confirmation is not a reply to a worker");
        assertTrue(copy.statistics().replicationBytes() > 0);
    }

    @Test
    void shouldKeepTheCopyBitIdenticalAndAcknowledgeEveryPushOnceConfirmedUnderRandomTraffic()
    {
        final ShardState[] shards = pair(StalenessPolicy.drop(3));
        final ShardState primary = shards[0];
        final ShardState copy = shards[1];
        final SplittableRandom random = new SplittableRandom(42);
        final long[] sequence = new long[ShardStateTest.WORKERS + 1];
        final long[] lastPush = new long[ShardStateTest.WORKERS + 1];
        final Set<String> pushed = new HashSet<>();
        final Map<String, Integer> acknowledgements = new HashMap<>();
        final List<String> violations = new ArrayList<>();
        // Checks, at the moment each acknowledgement leaves, that the copy already holds the push.
        final ReplySender checkedWorkers = (workerId, buffer, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            final Reply reply = ShardMessages.decode(workerId, bytes);
            if (pushed.contains(workerId + "/" + reply.sequence()))
            {
                if (copy.lastAppliedSequence(workerId) < reply.sequence())
                {
                    violations.add("worker " + workerId + " sequence " + reply.sequence() + " acknowledged while the " +
                        "copy had only " + copy.lastAppliedSequence(workerId));
                }
                acknowledgements.merge(workerId + "/" + reply.sequence(), 1, Integer::sum);
            }
            return 0;
        };

        int pushes = 0;
        for (int i = 0; i < 2_000; i++)
        {
            final int worker = random.nextInt(ShardStateTest.WORKERS);
            final int action = random.nextInt(10);
            if (action < 6)
            {
                // A push on a base version up to 5 behind: some are dropped as stale, forwarded all the same.
                final long base = Math.max(0, primary.version() - random.nextInt(6));
                lastPush[worker] = ++sequence[worker];
                pushed.add(worker + "/" + lastPush[worker]);
                push(worker, lastPush[worker], base, i).feed(primary, checkedWorkers);
                pushes++;
            }
            else if (action < 7 && lastPush[worker] > 0)
            {
                // A resend of the worker's newest push.
                assertEquals(ShardState.DUPLICATE, push(worker, lastPush[worker], 0, i).feed(primary, checkedWorkers));
            }
            else if (action < 8)
            {
                messages.request(worker, ++sequence[worker], primary.lastSentVersion(worker))
                    .feed(primary, checkedWorkers);
            }
            else
            {
                // The link delivers in order, but in bursts.
                forwardAll(copy);
                final int confirmations = random.nextInt(toPrimary.queue.size() + 1);
                for (int c = 0; c < confirmations; c++)
                {
                    assertEquals(ShardState.CONFIRMED, toPrimary.queue.poll().feed(primary, checkedWorkers));
                }
            }
        }
        deliver(primary, copy, checkedWorkers);

        assertTrue(violations.isEmpty(), () -> violations.size() + " early acknowledgements, first: " +
            violations.get(0));
        assertEquals(0, primary.heldAcknowledgementCount());
        assertEquals(pushes, primary.appliedCount() + primary.droppedStaleCount());
        assertTrue(primary.droppedStaleCount() > 0, "the drop policy never fired; the test would not see it");
        assertEquals(primary.appliedCount(), copy.appliedCount());
        assertEquals(primary.droppedStaleCount(), copy.droppedStaleCount());
        assertEquals(primary.version(), copy.version());
        assertArrayEquals(ShardStateTest.params(primary), ShardStateTest.params(copy));
        for (int w = 0; w < ShardStateTest.WORKERS; w++)
        {
            assertEquals(primary.lastAppliedSequence(w), copy.lastAppliedSequence(w));
        }
        assertEquals(0, copy.rejectedCount());
        assertEquals(0, primary.rejectedCount());
        // Every push was acknowledged, at least once (a resend after its confirmation is acknowledged again).
        assertEquals(pushes, acknowledgements.size());
    }

    @Test
    void shouldNotAnswerAResendWhoseAcknowledgementIsStillHeld()
    {
        final ShardState[] shards = pair(StalenessPolicy.CONSTANT);
        final Message first = push(1, 1, 0, 7);
        assertEquals(ShardState.APPLIED, first.feed(shards[0], workers));

        assertEquals(ShardState.DUPLICATE, first.copy().feed(shards[0], workers));

        assertEquals(0, workers.count());
        assertEquals(1, toCopy.queue.size(), "a duplicate is never forwarded");
        deliver(shards[0], shards[1]);
        assertEquals(1, workers.count());
        assertEquals(ShardState.DUPLICATE, first.copy().feed(shards[0], workers));
        assertEquals(2, workers.count(), "a resend after the confirmation is acknowledged at once");
        assertEquals(1, shards[1].appliedCount());
    }

    @Test
    void shouldReleaseWhatItHeldInOrderAndGoOnAloneWhenTheCopyIsDetached()
    {
        final ShardState[] shards = pair(StalenessPolicy.CONSTANT);
        final ShardState primary = shards[0];
        push(0, 1, 0, 1).feed(primary, workers);
        push(1, 1, 0, 2).feed(primary, workers);
        push(0, 2, 1, 3).feed(primary, workers);
        assertEquals(3, primary.heldAcknowledgementCount());

        primary.detachBackup(workers);

        assertFalse(primary.hasBackup());
        assertEquals(0, primary.heldAcknowledgementCount());
        assertEquals(List.of("0/1", "1/1", "0/2"), workers.replies.stream()
            .map((reply) -> reply.workerId() + "/" + reply.sequence()).toList());
        assertEquals(ShardState.APPLIED, push(1, 2, 3, 4).feed(primary, workers));
        assertEquals(4, workers.count(), "alone, a push is acknowledged at once");
        assertEquals(3, toCopy.queue.size(), "nothing is forwarded after the detach");
        assertEquals(1, primary.statistics().backupDetaches());
        assertEquals(4, primary.version());
    }

    @Test
    void shouldGoOnAloneWhenTheCopyRefusesAForward()
    {
        final ShardState[] shards = pair(StalenessPolicy.CONSTANT);
        final ShardState primary = shards[0];
        push(0, 1, 0, 1).feed(primary, workers);
        toCopy.result = -1;

        assertEquals(ShardState.APPLIED, push(1, 1, 0, 2).feed(primary, workers));

        assertFalse(primary.hasBackup());
        assertEquals(List.of("0/1", "1/1"), workers.replies.stream()
            .map((reply) -> reply.workerId() + "/" + reply.sequence()).toList());
        assertEquals(1, primary.statistics().backupDetaches());
        assertEquals(2, primary.appliedCount(), "the refused forward changes nothing of what the shard applied");
    }

    @Test
    void shouldRejectAConfirmationItDoesNotOwe()
    {
        final ShardState[] shards = pair(StalenessPolicy.CONSTANT);
        final ShardState primary = shards[0];
        final ShardState copy = shards[1];
        push(0, 1, 0, 1).feed(primary, workers);
        push(1, 1, 0, 2).feed(primary, workers);
        forwardAll(copy);
        final Message firstConfirmation = toPrimary.queue.poll();
        final Message secondConfirmation = toPrimary.queue.poll();

        assertEquals(ShardState.REJECTED, secondConfirmation.feed(primary, workers), "out of order");
        assertEquals(ShardState.CONFIRMED, firstConfirmation.feed(primary, workers));
        assertEquals(ShardState.REJECTED, firstConfirmation.copy().feed(primary, workers), "a replay");
        final ShardState alone = newState(StalenessPolicy.CONSTANT);
        assertEquals(ShardState.REJECTED, secondConfirmation.copy().feed(alone, workers), "no copy to confirm");

        assertEquals(2, primary.rejectCount(ShardRejectReason.UNEXPECTED_CONFIRMATION));
        assertEquals(1, alone.rejectCount(ShardRejectReason.UNEXPECTED_CONFIRMATION));
        assertEquals(1, workers.count());
        assertEquals(ShardState.CONFIRMED, secondConfirmation.feed(primary, workers));
        assertEquals(2, workers.count());
    }

    @Test
    void shouldServeTheWorkersAfterPromotionFromEverythingItWasConfirmedFor()
    {
        final ShardState[] shards = pair(StalenessPolicy.CONSTANT);
        final ShardState primary = shards[0];
        final ShardState copy = shards[1];
        final Message confirmed = push(0, 1, 0, 1);
        confirmed.feed(primary, workers);
        push(1, 1, 0, 2).feed(primary, workers);
        deliver(primary, copy);
        // Applied by the primary and forwarded, but the primary is lost before the copy gets it.
        final Message inFlight = push(0, 2, 2, 3);
        inFlight.feed(primary, workers);
        toCopy.queue.clear();
        assertEquals(2, workers.count());

        copy.promote();
        final CapturingSender promotedReplies = new CapturingSender();

        assertFalse(copy.isReplica());
        assertEquals(ShardState.DUPLICATE, confirmed.copy().feed(copy, promotedReplies));
        assertEquals(1, promotedReplies.last().sequence(), "what the copy had is acknowledged again at once");
        assertEquals(ShardState.APPLIED, inFlight.copy().feed(copy, promotedReplies));
        assertEquals(2, promotedReplies.last().sequence(), "the unacknowledged push, resent, is applied once");
        assertEquals(ShardState.SERVED, messages.request(0, 3, 2).feed(copy, promotedReplies));
        assertTrue(promotedReplies.last().isDense(), "no worker holds the promoted state: the whole range");
        assertArrayEquals(ShardStateTest.params(copy), promotedReplies.last().values());
        assertArrayEquals(ShardStateTest.params(primary), ShardStateTest.params(copy),
            "the promoted copy holds what the lost primary held");
    }

    @Test
    void shouldRefuseAReplacedIncarnationOnlyOncePromoted()
    {
        final ShardState[] shards = pair(StalenessPolicy.CONSTANT);
        final ShardState primary = shards[0];
        final ShardState copy = shards[1];
        push(0, 1, 0, 1).feed(primary, workers);
        deliver(primary, copy);
        // Worker 0 is replaced: both hear of it, the copy possibly before the old incarnation's last forward.
        copy.admitIncarnation(0, 100);
        push(0, 2, 1, 2).feed(primary, workers);
        primary.admitIncarnation(0, 100);
        deliver(primary, copy);
        assertEquals(2, copy.lastAppliedSequence(0), "the copy takes what its primary took, in its order");

        copy.promote();

        assertEquals(ShardState.REJECTED, push(0, 3, 2, 3).feed(copy, workers));
        assertEquals(1, copy.rejectCount(ShardRejectReason.STALE_INCARNATION));
        assertEquals(ShardState.APPLIED, push(0, 101, 2, 4).feed(copy, workers));
    }

    @Test
    void shouldTakeOnlyPushesAsACopyAndABackupOnlyWhenNew()
    {
        final ShardState[] shards = pair(StalenessPolicy.CONSTANT);
        assertEquals(ShardState.REJECTED, messages.request(0, 1, 0).feed(shards[1], workers));
        assertEquals(1, shards[1].rejectCount(ShardRejectReason.UNEXPECTED_TYPE));
        assertThrows(IllegalStateException.class, () -> shards[1].attachBackup(toCopy));
        assertThrows(IllegalStateException.class, shards[0]::promote);

        final ShardState used = newState(StalenessPolicy.CONSTANT);
        push(0, 1, 0, 1).feed(used, workers);
        assertThrows(IllegalStateException.class, () -> used.attachBackup(toCopy));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldNotAllocatePerMessageWhenForwardingAndConfirming()
    {
        final int length = 20_000;
        final int entries = 200;
        final KeyRange range = new KeyRange(0, 0, length);
        final OptimiserConfig optimiser = OptimiserConfig.of(OptimiserConfig.Kind.MOMENTUM, 0.01f);
        final ShardState primary = new ShardState(7, range, new float[length], 0, optimiser,
            StalenessPolicy.CONSTANT, 2);
        final ShardState copy = new ShardState(7, range, new float[length], 0, optimiser, StalenessPolicy.CONSTANT, 2);
        copy.becomeReplica();
        final UnsafeBuffer confirmation = new UnsafeBuffer(new byte[ShardState.maxReplyLength(length)]);
        final int[] confirmationLength = {0};
        final ReplySender confirm = (worker, buffer, offset, messageLength) ->
        {
            confirmation.putBytes(0, buffer, offset, messageLength);
            confirmationLength[0] = messageLength;
            return 0;
        };
        // The copy takes each forwarded push while the primary is still in onMessage, as a copy in another process
        // would take it a moment later; its confirmation is fed back once the primary returns.
        primary.attachBackup((worker, buffer, offset, messageLength) ->
            copy.onMessage(buffer, offset, messageLength, confirm) == ShardState.APPLIED ? 0 : -1);
        final long[] acknowledged = {0};
        final ReplySender workerSink = (worker, buffer, offset, messageLength) ->
        {
            acknowledged[0]++;
            return 0;
        };
        final ShardMessages wire = new ShardMessages(7, 0, 0, length);
        final SplittableRandom random = new SplittableRandom(3);
        final int[] indices = ShardMessages.sortedDistinct(random, length, entries);
        final float[] values = ShardMessages.gaussian(random, entries);
        for (int i = 0; i < entries; i++)
        {
            values[i] *= 1e-3f;
        }
        final UnsafeBuffer push = new UnsafeBuffer(new byte[SparseEncoder.length(Encoding.SPARSE_F32, indices,
            entries)]);
        final long[] sequence = new long[2];
        final Runnable round = () ->
        {
            for (int i = 0; i < 10_000; i++)
            {
                final int worker = i & 1;
                wire.header().workerId(worker).sequence(++sequence[worker]).baseVersion(primary.version());
                final int n = SparseEncoder.encode(push, 0, wire.header(), Encoding.SPARSE_F32, indices, values,
                    entries);
                primary.onMessage(push, 0, n, workerSink);
                primary.onMessage(confirmation, 0, confirmationLength[0], workerSink);
            }
        };
        wire.header().messageType(MessageType.GRADIENT_PUSH).targetVersion(0);

        round.run();
        round.run();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long id = Thread.currentThread().getId();
        long best = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 5 && best >= 1024; attempt++)
        {
            final long before = threads.getThreadAllocatedBytes(id);
            round.run();
            best = Math.min(best, threads.getThreadAllocatedBytes(id) - before);
        }

        assertTrue(best < 1024, "allocated " + best + " bytes over 10,000 forwarded and confirmed pushes");
        assertEquals(primary.appliedCount(), copy.appliedCount());
        assertEquals(primary.appliedCount(), acknowledged[0]);
        assertEquals(0, primary.heldAcknowledgementCount());
        assertEquals(0, primary.rejectedCount() + copy.rejectedCount());
        final float[] primaryParameters = new float[length];
        final float[] copyParameters = new float[length];
        primary.snapshotInto(primaryParameters);
        copy.snapshotInto(copyParameters);
        assertArrayEquals(primaryParameters, copyParameters);
    }
}
