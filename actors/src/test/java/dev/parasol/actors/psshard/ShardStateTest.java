package dev.parasol.actors.psshard;

import dev.parasol.actors.psshard.ShardMessages.CapturingSender;
import dev.parasol.actors.psshard.ShardMessages.Message;
import dev.parasol.actors.psshard.ShardMessages.Reply;
import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.actors.worker.Incarnations;
import dev.parasol.engine.compress.CompressedGradient;
import dev.parasol.engine.compress.QsgdCompressor;
import dev.parasol.engine.compress.ScaledSignCompressor;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.optim.OptimiserConfig;
import dev.parasol.wire.Encoding;
import dev.parasol.wire.MessageType;
import dev.parasol.wire.RejectReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardStateTest
{
    static final long JOB = 7;
    static final int SHARD = 1;
    static final int START = 1_000;
    static final int LENGTH = 1_000;
    static final KeyRange RANGE = new KeyRange(SHARD, START, START + LENGTH);
    static final int WORKERS = 2;
    static final float LR = 0.1f;

    private final ShardMessages messages = new ShardMessages(JOB, SHARD, START, LENGTH);
    private final CapturingSender sender = new CapturingSender();

    static float[] initial()
    {
        return ShardMessages.gaussian(new SplittableRandom(5), LENGTH);
    }

    static ShardState newState(final StalenessPolicy policy)
    {
        return new ShardState(JOB, RANGE, initial(), 0, OptimiserConfig.of(OptimiserConfig.Kind.SGD, LR), policy,
            WORKERS);
    }

    static float[] params(final ShardState state)
    {
        final float[] params = new float[LENGTH];
        state.snapshotInto(params);
        return params;
    }

    @Test
    void shouldIgnoreAnEmptyMessageWhichIsATailProbe()
    {
        final ShardState state = newState(StalenessPolicy.CONSTANT);
        final ShardState twin = newState(StalenessPolicy.CONSTANT);

        assertEquals(ShardState.PROBE, state.onMessage(new org.agrona.concurrent.UnsafeBuffer(new byte[0]), 0, 0,
            sender));

        assertEquals(0, sender.count(), "no reply");
        assertEquals(1, state.probeCount());
        assertEquals(0, state.rejectedCount(), "a probe is not hostile");
        assertEquals(0, state.statistics().bytesIn());
        assertEquals(ShardState.SERVED, messages.request(0, 1, 0).feed(state, sender));
        assertEquals(ShardState.SERVED, messages.request(0, 1, 0).feed(twin, new CapturingSender()));
        assertArrayEquals(params(twin), sender.last().values());
    }

    @Test
    void shouldApplySgdStepToExactlyTheNamedCoordinatesWhenSparsePush()
    {
        final ShardState state = newState(StalenessPolicy.CONSTANT);
        final float[] before = initial();

        assertEquals(ShardState.SERVED, messages.request(0, 1, 0).feed(state, sender));
        final Reply first = sender.last();
        assertTrue(first.isDense());
        assertEquals(MessageType.PARAMETER_UPDATE, first.type());
        assertArrayEquals(before, first.values());
        assertEquals(0, first.targetVersion());

        final int[] indices = {3, 17, 999};
        final float[] gradient = {1.0f, -2.0f, 0.5f};
        assertEquals(ShardState.APPLIED, messages.sparsePush(0, 1, 0, indices, gradient).feed(state, sender));

        final float[] expected = before.clone();
        final float rate = 1.0f * LR;
        for (int j = 0; j < indices.length; j++)
        {
            expected[indices[j]] -= rate * gradient[j];
        }
        assertArrayEquals(expected, params(state));
        assertEquals(1, state.version());
        assertEquals(1, state.appliedCount());
        assertEquals(1, state.lastAppliedSequence(0));

        // The acknowledgement carries nothing and leaves the worker's version as it was: the changes wait for the
        // worker's next request, so a coordinate changed again in between is sent once.
        final Reply ack = sender.last();
        assertEquals(2, sender.count());
        assertEquals(MessageType.PARAMETER_UPDATE, ack.type());
        assertEquals(Encoding.SPARSE_F32, ack.encoding());
        assertEquals(1, ack.sequence());
        assertEquals(0, ack.baseVersion());
        assertEquals(0, ack.targetVersion());
        assertEquals(START, ack.rangeStart());
        assertEquals(LENGTH, ack.rangeLength());
        assertEquals(0, ack.indices().length);

        assertEquals(ShardState.SERVED, messages.request(0, 2, 0).feed(state, sender));
        final Reply update = sender.last();
        assertEquals(2, update.sequence());
        assertEquals(0, update.baseVersion());
        assertEquals(1, update.targetVersion());
        assertArrayEquals(indices, update.indices());
        assertArrayEquals(new float[]{expected[3], expected[17], expected[999]}, update.values());
        assertEquals(3, state.wireRejects().get(RejectReason.NONE));
        assertEquals(0, state.rejectedCount());
    }

    @Test
    void shouldApplyOnceWhenTheSamePushIsReplayedTenTimes()
    {
        final ShardState state = newState(StalenessPolicy.CONSTANT);
        final ShardState reference = newState(StalenessPolicy.CONSTANT);
        final SplittableRandom random = new SplittableRandom(21);
        final int[] indices = ShardMessages.sortedDistinct(random, LENGTH, 50);
        final Message push = messages.sparsePush(0, 1, 0, indices, ShardMessages.gaussian(random, 50));

        push.feed(reference, (w, b, o, l) -> 0);
        for (int i = 0; i < 10; i++)
        {
            assertEquals(i == 0 ? ShardState.APPLIED : ShardState.DUPLICATE, push.feed(state, sender));
        }

        assertArrayEquals(params(reference), params(state));
        assertEquals(1, state.version());
        assertEquals(1, state.appliedCount());
        assertEquals(9, state.duplicateCount());
        assertEquals(10, sender.count());
        for (final Reply reply : sender.replies)
        {
            assertEquals(1, reply.sequence());
            assertEquals(0, reply.indices().length, "an acknowledgement carries no parameters");
        }
    }

    @Test
    void shouldApplyEachPushOnceWhenReplaysAreShuffledAmongOtherWorkersPushes()
    {
        final SplittableRandom random = new SplittableRandom(22);
        final List<List<Message>> perWorker = new ArrayList<>();
        for (int worker = 0; worker < WORKERS; worker++)
        {
            final List<Message> pushes = new ArrayList<>();
            for (int sequence = 1; sequence <= 5; sequence++)
            {
                final int[] indices = ShardMessages.sortedDistinct(random, LENGTH, 40);
                pushes.add(messages.sparsePush(
                    worker, sequence, 0, indices, ShardMessages.gaussian(random, indices.length)));
            }
            perWorker.add(pushes);
        }

        for (int trial = 0; trial < 10; trial++)
        {
            // Aeron keeps one sender's messages in order, so originals keep their order per worker and replays come
            // after the original; everything else is interleaved at random.
            final List<Message> originals = new ArrayList<>();
            final int[] next = new int[WORKERS];
            while (originals.size() < WORKERS * 5)
            {
                final int worker = random.nextInt(WORKERS);
                if (next[worker] < 5)
                {
                    originals.add(perWorker.get(worker).get(next[worker]++));
                }
            }
            final List<Message> stream = new ArrayList<>(originals);
            for (int i = 0; i < originals.size(); i++)
            {
                final Message original = originals.get(i);
                final int copies = 1 + random.nextInt(3);
                for (int c = 0; c < copies; c++)
                {
                    final int after = stream.indexOf(original) + 1;
                    stream.add(after + random.nextInt(stream.size() - after + 1), original.copy());
                }
            }

            final ShardState state = newState(StalenessPolicy.CONSTANT);
            final ShardState reference = newState(StalenessPolicy.CONSTANT);
            final CapturingSender replies = new CapturingSender();
            for (final Message message : stream)
            {
                message.feed(state, replies);
            }
            for (final Message message : originals)
            {
                assertEquals(ShardState.APPLIED, message.feed(reference, (w, b, o, l) -> 0));
            }

            assertArrayEquals(params(reference), params(state), "trial " + trial);
            assertEquals(10, state.version());
            assertEquals(10, state.appliedCount());
            assertEquals(stream.size() - 10, state.duplicateCount());
            assertEquals(stream.size(), replies.count());
            assertEquals(5, state.lastAppliedSequence(0));
            assertEquals(5, state.lastAppliedSequence(1));
        }
    }

    @Test
    void shouldScaleByInverseStalenessWhenPolicyIsInverse()
    {
        final ShardState state = newState(StalenessPolicy.INVERSE);
        final int[] indices = {10, 20};
        final float[] gradient = {1.0f, -3.0f};
        long sequence = 0;
        for (int i = 0; i < 4; i++)
        {
            assertEquals(ShardState.APPLIED,
                messages.sparsePush(1, ++sequence, state.version(), indices, gradient).feed(state, sender));
        }
        assertEquals(4, state.version());

        final float[] before = params(state);
        assertEquals(ShardState.APPLIED, messages.sparsePush(0, 1, 0, indices, gradient).feed(state, sender));
        final float[] after = params(state);
        final float rate = (1.0f / 4) * LR;
        assertEquals(before[10] - rate * gradient[0], after[10]);
        assertEquals(before[20] - rate * gradient[1], after[20]);
        assertEquals(0.25f * LR * 3.0f, after[20] - before[20], 1e-6f);
        assertEquals(4, state.stalenessMax());
        assertEquals(5, state.stalenessCount());
    }

    @Test
    void shouldDropAndAcknowledgeWhenStalerThanDropBound()
    {
        final ShardState state = newState(StalenessPolicy.drop(2));
        final int[] indices = {1, 2};
        final float[] gradient = {1.0f, 1.0f};
        for (int sequence = 1; sequence <= 3; sequence++)
        {
            messages.sparsePush(1, sequence, state.version(), indices, gradient).feed(state, sender);
        }
        assertEquals(3, state.version());

        final float[] before = params(state);
        final Message stale = messages.sparsePush(0, 1, 0, indices, gradient);
        assertEquals(ShardState.DROPPED_STALE, stale.feed(state, sender));
        assertArrayEquals(before, params(state));
        assertEquals(3, state.version());
        assertEquals(1, state.droppedStaleCount());
        assertEquals(1, sender.last().sequence());
        assertEquals(0, sender.last().workerId());
        assertEquals(1, state.lastAppliedSequence(0));

        assertEquals(ShardState.DUPLICATE, stale.feed(state, sender));
        assertEquals(1, state.droppedStaleCount());

        assertEquals(ShardState.APPLIED, messages.sparsePush(0, 2, 1, indices, gradient).feed(state, sender));
        assertEquals(4, state.version());
        assertEquals(4, state.appliedCount());
        assertEquals(5, state.appliedCount() + state.droppedStaleCount());
        assertEquals(3, state.stalenessMax());
    }

    @Test
    void shouldSendExactlyTheTouchedCoordinatesWhenAnotherWorkerRequests()
    {
        final ShardState state = newState(StalenessPolicy.CONSTANT);
        assertEquals(ShardState.SERVED, messages.request(1, 1, 0).feed(state, sender));
        assertTrue(sender.last().isDense());
        final long held = sender.last().targetVersion();

        messages.sparsePush(0, 1, 0, new int[]{1, 5, 9}, new float[]{1, 2, 3}).feed(state, sender);
        messages.sparsePush(0, 2, 1, new int[]{5, 700}, new float[]{4, 5}).feed(state, sender);

        assertEquals(ShardState.SERVED, messages.request(1, 2, held).feed(state, sender));
        final Reply update = sender.last();
        assertEquals(Encoding.SPARSE_F32, update.encoding());
        assertEquals(2, update.sequence());
        assertEquals(held, update.baseVersion());
        assertEquals(2, update.targetVersion());
        assertArrayEquals(new int[]{1, 5, 9, 700}, update.indices());
        final float[] params = params(state);
        assertArrayEquals(new float[]{params[1], params[5], params[9], params[700]}, update.values());

        assertEquals(ShardState.SERVED, messages.request(1, 3, 2).feed(state, sender));
        assertEquals(Encoding.SPARSE_F32, sender.last().encoding());
        assertEquals(0, sender.last().indices().length);
        assertEquals(2, sender.last().targetVersion());
        assertEquals(2, state.version());
        assertEquals(3, state.requestCount());
    }

    @Test
    void shouldSendDenseUpdateAfterDensePush()
    {
        final ShardState state = newState(StalenessPolicy.CONSTANT);
        messages.request(1, 1, 0).feed(state, sender);
        final float[] gradient = ShardMessages.gaussian(new SplittableRandom(3), LENGTH);
        assertEquals(ShardState.APPLIED, messages.densePush(0, 1, 0, gradient).feed(state, sender));
        assertEquals(0, sender.last().indices().length, "the acknowledgement carries nothing");

        final float[] expected = initial();
        final float rate = 1.0f * LR;
        for (int i = 0; i < LENGTH; i++)
        {
            expected[i] -= rate * gradient[i];
        }
        assertArrayEquals(expected, params(state));

        messages.request(1, 2, 0).feed(state, sender);
        assertTrue(sender.last().isDense());
        assertArrayEquals(expected, sender.last().values());
        assertEquals(1, sender.last().targetVersion());
    }

    @Test
    void shouldSendDenseUpdateWhenMoreThanAThirdChanged()
    {
        final ShardState state = newState(StalenessPolicy.CONSTANT);
        messages.request(1, 1, 0).feed(state, sender);
        final SplittableRandom random = new SplittableRandom(4);
        final int[] indices = ShardMessages.sortedDistinct(random, LENGTH, LENGTH / 3 + 1);
        messages.sparsePush(0, 1, 0, indices, ShardMessages.gaussian(random, indices.length)).feed(state, sender);

        messages.request(1, 2, 0).feed(state, sender);
        assertTrue(sender.last().isDense());
        assertArrayEquals(params(state), sender.last().values());
    }

    @Test
    void shouldSendWholeRangeWhenRequestBaseIsNotTheLastVersionSent()
    {
        final ShardState state = newState(StalenessPolicy.CONSTANT);
        messages.request(1, 1, 0).feed(state, sender);
        messages.sparsePush(0, 1, 0, new int[]{4}, new float[]{1}).feed(state, sender);

        messages.request(1, 2, 17).feed(state, sender);
        assertTrue(sender.last().isDense());
        assertEquals(1, state.lastSentVersion(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"qsgd8", "qsgd4", "sign"})
    void shouldApplyReconstructedGradientWhenQuantisedPush(final String kind)
    {
        final ShardState state = newState(StalenessPolicy.CONSTANT);
        final float[] raw = ShardMessages.gaussian(new SplittableRandom(9), LENGTH);
        final CompressedGradient compressed;
        if ("sign".equals(kind))
        {
            final ScaledSignCompressor sign = new ScaledSignCompressor(64, LENGTH);
            compressed = sign.newOutput();
            sign.compress(raw, 0, LENGTH, compressed);
        }
        else
        {
            final QsgdCompressor qsgd = new QsgdCompressor(
                "qsgd8".equals(kind) ? 8 : 4, 100, LENGTH, new SplittableRandom(10));
            compressed = qsgd.newOutput();
            qsgd.compress(raw, 0, LENGTH, compressed);
        }

        assertEquals(ShardState.APPLIED, messages.quantisedPush(0, 1, 0, compressed).feed(state, sender));

        final float[] reconstructed = new float[LENGTH];
        compressed.decompressInto(reconstructed, 0);
        final float[] expected = initial();
        final float rate = 1.0f * LR;
        for (int i = 0; i < LENGTH; i++)
        {
            expected[i] -= rate * reconstructed[i];
        }
        assertArrayEquals(expected, params(state));
        messages.request(1, 2, 0).feed(state, sender);
        assertTrue(sender.last().isDense(), "every coordinate changed, so the next update is dense");
    }

    @Test
    void shouldApplyAsFreshAndCountWhenBaseVersionIsAhead()
    {
        final ShardState state = newState(StalenessPolicy.drop(0));
        assertEquals(ShardState.APPLIED, messages.sparsePush(0, 1, 5, new int[]{0}, new float[]{1}).feed(
            state, sender));
        assertEquals(1, state.futureBaseVersionCount());
        assertEquals(0, state.stalenessMax());
        assertEquals(1, state.version());
    }

    @Test
    void shouldServeEvaluatorSlot()
    {
        final ShardState state = newState(StalenessPolicy.CONSTANT);
        assertEquals(WORKERS, state.evaluatorId());
        assertEquals(ShardState.SERVED, messages.request(state.evaluatorId(), 1, 0).feed(state, sender));
        assertEquals(WORKERS, sender.last().workerId());
    }

    @Test
    void shouldKeepChangesPendingWhenReplyIsRefused()
    {
        final ShardState state = newState(StalenessPolicy.CONSTANT);
        messages.request(0, 1, 0).feed(state, sender);
        messages.sparsePush(0, 1, 0, new int[]{8}, new float[]{1}).feed(state, sender);
        sender.result = -2;
        assertEquals(ShardState.SERVED, messages.request(0, 2, 0).feed(state, sender));
        assertEquals(1, state.replyFailureCount());
        assertEquals(0, state.lastSentVersion(0));

        sender.result = 0;
        messages.sparsePush(0, 3, 0, new int[]{9}, new float[]{1}).feed(state, sender);
        messages.request(0, 4, 0).feed(state, sender);
        assertArrayEquals(new int[]{8, 9}, sender.last().indices());
        assertEquals(0, sender.last().baseVersion());
        assertEquals(2, sender.last().targetVersion());
        assertEquals(2, state.lastSentVersion(0));
    }

    @Test
    void shouldKeepChangesPendingWhenSenderThrows()
    {
        final ShardState state = newState(StalenessPolicy.CONSTANT);
        messages.request(0, 1, 0).feed(state, sender);
        messages.sparsePush(0, 1, 0, new int[]{8}, new float[]{1}).feed(state, sender);
        final Message request = messages.request(0, 2, 0);
        assertThrows(IllegalStateException.class, () -> request.feed(state, (w, b, o, l) ->
        {
            throw new IllegalStateException("transport fault");
        }));
        assertEquals(1, state.replyFailureCount());

        messages.request(0, 3, 0).feed(state, sender);
        assertArrayEquals(new int[]{8}, sender.last().indices());
    }

    @Test
    void shouldCountReplyFailureAndKeepServingWhenParametersDiverge()
    {
        final ShardState state = new ShardState(JOB, RANGE, initial(), 0,
            OptimiserConfig.of(OptimiserConfig.Kind.SGD, 100.0f), StalenessPolicy.CONSTANT, WORKERS);
        messages.request(0, 1, 0).feed(state, sender);
        assertEquals(ShardState.APPLIED, messages.sparsePush(0, 1, 0, new int[]{3}, new float[]{3e38f}).feed(
            state, sender));
        assertTrue(Float.isInfinite(params(state)[3]));
        assertEquals(ShardState.SERVED, messages.request(0, 2, 0).feed(state, sender));
        assertEquals(1, state.replyFailureCount(), "an infinite parameter cannot be encoded");
        assertEquals(2, sender.count(), "the first update and the push's acknowledgement went out");

        assertEquals(ShardState.APPLIED, messages.sparsePush(0, 3, 1, new int[]{3}, new float[]{-3e38f}).feed(
            state, sender));
        assertEquals(ShardState.SERVED, messages.request(0, 4, 0).feed(state, sender));
        assertEquals(2, state.replyFailureCount());
        assertEquals(2, state.version());
    }

    @Test
    void shouldReportStatisticsAndSnapshot()
    {
        final ShardState state = newState(StalenessPolicy.CONSTANT);
        messages.sparsePush(0, 1, 0, new int[]{1}, new float[]{1}).feed(state, sender);
        messages.sparsePush(0, 1, 0, new int[]{1}, new float[]{1}).feed(state, sender);
        messages.request(1, 1, 0).feed(state, sender);
        final ShardMessages other = new ShardMessages(JOB + 1, SHARD, START, LENGTH);
        other.request(1, 1, 0).feed(state, sender);

        final ShardStatistics statistics = state.statistics();
        assertEquals(1, statistics.version());
        assertEquals(1, statistics.applied());
        assertEquals(1, statistics.duplicates());
        assertEquals(1, statistics.requests());
        assertEquals(1, statistics.rejected());
        assertEquals(3, statistics.repliesSent());
        assertEquals(Long.valueOf(1), statistics.rejectsByReason().get("WRONG_JOB"));
        assertEquals(state.bytesOut(), sender.replies.stream().mapToLong((r) -> r.bytes().length).sum());

        final ShardSnapshot snapshot = state.snapshot();
        assertArrayEquals(params(state), snapshot.parameters());
        assertEquals(START, snapshot.rangeStart());
        assertEquals(1, snapshot.lastAppliedSequences()[0]);
        assertEquals(0, snapshot.optimiserState().length);
        final float[] whole = new float[START + LENGTH];
        state.snapshotInto(whole, START);
        assertArrayEquals(params(state), Arrays.copyOfRange(whole, START, START + LENGTH));
        assertFalse(statistics.rejectsByReason().containsKey("NONE"));
    }

    @Test
    void shouldRefuseAnEarlierIncarnationAndSendTheReplacementTheWholeRangeWhenASlotIsAdmitted()
    {
        final ShardState state = newState(StalenessPolicy.CONSTANT);
        assertEquals(ShardState.SERVED, messages.request(0, 1, 0).feed(state, sender));
        assertEquals(ShardState.APPLIED,
            messages.sparsePush(0, 2, 0, new int[] {3}, new float[] {1.0f}).feed(state, sender));
        assertEquals(ShardState.SERVED, messages.request(0, 3, 0).feed(state, sender));
        final float[] afterFirst = params(state);

        final long base = Incarnations.sequenceBase(1);
        // The earlier incarnation's one push is what the shard reports it took from it.
        assertEquals(1, state.admitIncarnation(0, base));

        // The lost worker resumes: a new push of its own (sequence 4) and a request are refused, nothing changes.
        assertEquals(ShardState.REJECTED,
            messages.sparsePush(0, 4, 1, new int[] {5}, new float[] {9.0f}).feed(state, sender));
        assertEquals(ShardState.REJECTED, messages.request(0, 5, 1).feed(state, sender));
        assertArrayEquals(afterFirst, params(state));
        assertEquals(2, state.statistics().rejectsByReason().get("STALE_INCARNATION"));

        // The replacement holds a fresh replica (version 0): its first request gets the whole range, dense.
        final int before = sender.count();
        assertEquals(ShardState.SERVED, messages.request(0, base + 1, 0).feed(state, sender));
        assertEquals(before + 1, sender.count());
        assertTrue(sender.last().isDense());
        assertArrayEquals(afterFirst, sender.last().values());
        assertEquals(ShardState.APPLIED,
            messages.sparsePush(0, base + 2, 1, new int[] {5}, new float[] {1.0f}).feed(state, sender));
        assertEquals(2, state.version());
        assertThrows(IllegalArgumentException.class, () -> state.admitIncarnation(0, base));
    }

    @Test
    void shouldRefuseAReplayedRequestButAnswerAResendOfTheNewestWhenRequestsRepeat()
    {
        final ShardState state = newState(StalenessPolicy.CONSTANT);
        assertEquals(ShardState.SERVED, messages.request(0, 1, 0).feed(state, sender));
        assertEquals(ShardState.APPLIED,
            messages.sparsePush(0, 2, 0, new int[] {3}, new float[] {1.0f}).feed(state, sender));
        final int replies = sender.count();

        // A captured first request replayed: it would cost a dense reply of the whole range.
        assertEquals(ShardState.REJECTED, messages.request(0, 1, 0).feed(state, sender));
        assertEquals(replies, sender.count());
        assertEquals(1, state.statistics().rejectsByReason().get("REPLAYED_REQUEST"));

        // The worker's own resend of its newest request (its reply was lost) is answered every time.
        assertEquals(ShardState.SERVED, messages.request(0, 3, 0).feed(state, sender));
        assertEquals(ShardState.SERVED, messages.request(0, 3, 0).feed(state, sender));
        assertEquals(replies + 2, sender.count());
    }
}
