package dev.parasol.actors.worker;

import dev.parasol.actors.dataplane.ReceiverWakeup;
import dev.parasol.actors.psshard.ShardState;
import dev.parasol.actors.scheduler.SspGate;
import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.actors.scheduler.SyncPolicy;
import dev.parasol.engine.compress.CompressorSpec;
import dev.parasol.engine.data.InMemoryDataset;
import dev.parasol.engine.data.MiniBatchIterator;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.model.Model;
import dev.parasol.engine.model.ParameterLayout;
import dev.parasol.engine.model.Workload;
import dev.parasol.engine.optim.OptimiserConfig;
import dev.parasol.wire.MessageHeaderDecoder;
import dev.parasol.wire.RejectReason;
import org.agrona.DirectBuffer;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The worker loop's pipelined protocol, driven in one thread against real shard states and a real SSP gate, with
 * the network, the shards and the scheduler's answers scheduled by the test (seeded, so a failure replays). Every
 * run checks, on every message: a parameter request (the start of a clock's read) never leaves past the SSP bound of
 * the truthful clocks; a request never overtakes the push before it to the same shard; each clock is reported once,
 * in order; the replica a gradient of clock c is computed on is bit-identical to what the shards held when they
 * served it, and was served when every worker had reached c - s (the SSP read guarantee) and after this worker's
 * own pushes of c - 1 (c - 2 when its steps overlap); and, at the end, every push computed was applied or dropped
 * exactly once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerAgentTest
{
    private static final long JOB = 0x5EED_0005L;
    private static final int SHARDS = 2;
    private static final int BATCH = 4;
    private static final int EXAMPLES = 64;
    private static final long MAX_TICKS = 3_000_000;

    @ParameterizedTest
    @CsvSource({
        "bsp, 3, 0.0, 0.0, 1000000, false",
        "ssp:1, 3, 0.0, 0.0, 1000000, false",
        "ssp:3, 3, 0.0, 0.0, 1000000, false",
        "ssp:3, 2, 0.05, 0.0, 20000, false",
        "ssp:2, 3, 0.02, 0.03, 50000, false",
        "bsp, 2, 0.05, 0.03, 20000, false",
        "asp, 3, 0.02, 0.03, 50000, false",
        "ssp:1, 3, 0.0, 0.0, 1000000, true",
        "ssp:3, 3, 0.0, 0.0, 1000000, true",
        "ssp:3, 2, 0.05, 0.0, 20000, true",
        "ssp:2, 3, 0.02, 0.03, 50000, true",
        "asp, 3, 0.02, 0.03, 50000, true"
    })
    void shouldKeepBoundOrderAndExactReplicasWhenMessagesAreDelayedLostAndResent(
        final String policyText, final int workers, final double sendFailure, final double loss,
        final long resendIntervalNs, final boolean overlap)
    {
        final SyncPolicy policy = SyncPolicy.parse(policyText);
        final Sim sim = new Sim(
            policy, workers, 0xC0FFEEL + policyText.hashCode() + workers, resendIntervalNs, overlap);
        sim.sendFailure = sendFailure;
        sim.loss = loss;
        sim.slowWorker = 0;

        sim.runRandomly(25);

        sim.assertEveryPushCountedOnce();
        if (policy.isUnbounded())
        {
            assertTrue(sim.maxLead > 3, "ASP lead " + sim.maxLead);
            for (final SimWorker worker : sim.workers)
            {
                assertEquals(2, worker.permitRequests - worker.repeatedPermitRequests,
                    "an unbounded permit ends the requests");
            }
        }
        else
        {
            assertEquals(policy.bound(), sim.maxComputeLead, "the slow worker should hold the others at the bound");
            assertTrue(sim.maxLead <= policy.bound());
        }
        if (resendIntervalNs < 1_000_000)
        {
            long resends = 0;
            for (final SimWorker worker : sim.workers)
            {
                resends += worker.telemetry.pushResends() + worker.telemetry.requestResends();
            }
            assertTrue(resends > 0, "the run should have exercised resends");
        }
    }

    @Test
    void shouldSendRequestsRightBehindPushesWhenNextPermitIsHeld()
    {
        final Sim sim = new Sim(SyncPolicy.ssp(3), 2, 11, TimeUnit.SECONDS.toNanos(30));
        sim.synchronousPermits = true;

        sim.runEagerly(20);

        sim.assertEveryPushCountedOnce();
        for (final SimWorker worker : sim.workers)
        {
            assertEquals(0, worker.computesWithPushInFlight, "a sequential step waits for its round trip");
            // the permit of clock c + 1 was asked for before the gradient of clock c was computed
            assertTrue(worker.permitAskedAheadOfEveryCompute, "permit requests should run ahead of computation");
            assertEquals(1, worker.currentClockRequests, "every request but the first should be one clock ahead");
            assertTrue(worker.permitRequests >= worker.agent.clock(), "one permit request per clock");
            for (int c = 1; c < worker.agent.clock(); c++)
            {
                for (int s = 0; s < SHARDS; s++)
                {
                    assertEquals(worker.pushCall(s, c - 1), worker.requestCall(s, c),
                        "the request of clock " + c + " to shard " + s + " should leave with the push of " + (c - 1));
                }
            }
            // one duty cycle per step: the acknowledgements of c - 1 and the updates of c arrive together
            assertTrue(worker.computesAtEnd >= worker.callsAtEnd - 3,
                worker.computesAtEnd + " computes in " + worker.callsAtEnd + " calls");
        }
    }

    @ParameterizedTest
    @CsvSource({ "ssp:3", "asp" })
    void shouldComputeNextGradientWhilePushesAreInFlightWhenOverlapped(final String policyText)
    {
        final Sim sim = new Sim(SyncPolicy.parse(policyText), 2, 13, TimeUnit.SECONDS.toNanos(30), true);
        sim.synchronousPermits = true;

        sim.runEagerly(20);

        sim.assertEveryPushCountedOnce();
        for (final SimWorker worker : sim.workers)
        {
            // every gradient after the first two is computed while the pushes of the step before are in flight
            assertTrue(worker.computesWithPushInFlight >= worker.computesAtEnd - 2,
                worker.computesWithPushInFlight + " of " + worker.computesAtEnd + " computes overlapped");
            assertTrue(worker.computesAtEnd >= worker.callsAtEnd - 3,
                worker.computesAtEnd + " computes in " + worker.callsAtEnd + " calls");
            assertEquals(worker.agent.clock(), worker.telemetry.steps(), "a held gradient is never counted");
        }
    }

    @Test
    void shouldStopWithoutPushingHeldGradientWhenOverlapped()
    {
        final Sim sim = new Sim(SyncPolicy.ssp(3), 1, 14, TimeUnit.SECONDS.toNanos(30), true);
        sim.synchronousPermits = true;
        final SimWorker worker = sim.workers.get(0);
        while (worker.agent.clock() < 3)
        {
            worker.doWork();
            sim.drainShards();
        }
        worker.doWork();
        assertEquals(WorkerAgent.State.AWAIT_ACKNOWLEDGEMENTS, worker.agent.state(),
            "the next gradient waits for the acknowledgements of the pushes in flight");
        final long computed = worker.computes;

        worker.agent.requestStop();
        sim.drainShards();
        worker.doWork();

        assertTrue(worker.agent.isStopped());
        assertEquals(computed, worker.computes);
        assertEquals(worker.agent.clock(), worker.telemetry.steps(), "the held gradient was dropped, not pushed");
        sim.assertEveryPushCountedOnce();
    }

    @Test
    void shouldWaitForOwnReportBeforeRequestingParametersWhenBsp()
    {
        final Sim sim = new Sim(SyncPolicy.BSP, 2, 12, TimeUnit.SECONDS.toNanos(30));
        sim.synchronousPermits = true;

        sim.runEagerly(15);

        sim.assertEveryPushCountedOnce();
        assertEquals(0, sim.maxLead);
        for (final SimWorker worker : sim.workers)
        {
            for (int c = 1; c < worker.agent.clock(); c++)
            {
                for (int s = 0; s < SHARDS; s++)
                {
                    assertTrue(worker.requestCall(s, c) > worker.pushCall(s, c - 1),
                        "under BSP the read of clock " + c + " waits for the acknowledgement of " + (c - 1));
                }
            }
        }
    }

    @Test
    void shouldAskOnceMoreOnlyWhenAspGrantsEveryClock()
    {
        final Sim sim = new Sim(SyncPolicy.ASP, 2, 13, TimeUnit.SECONDS.toNanos(30));
        sim.synchronousPermits = true;

        sim.runEagerly(30);

        sim.assertEveryPushCountedOnce();
        for (final SimWorker worker : sim.workers)
        {
            assertEquals(2, worker.permitRequests);
            assertEquals(SspGate.UNBOUNDED_CLOCK, sim.gate.permittedClock(worker.id));
        }
        assertEquals(sim.workers.get(0).agent.clock() + sim.workers.get(1).agent.clock(), sim.gate.stepsCompleted());
    }

    @Test
    void shouldAskAgainWhenPermitRequestIsIgnored()
    {
        final Sim sim = new Sim(SyncPolicy.ssp(1), 2, 16, TimeUnit.MICROSECONDS.toNanos(50));
        sim.synchronousPermits = true;
        final SimWorker worker = sim.workers.get(1);
        worker.dropPermitRequests = 3;

        sim.runEagerly(10);

        // each ignored request is asked again after the interval (the other worker, held at the bound by this one
        // meanwhile, may repeat its own too)
        assertTrue(worker.repeatedPermitRequests >= 3, worker.repeatedPermitRequests + " repeats");
        assertEquals(10, Math.min(worker.agent.clock(), sim.workers.get(0).agent.clock()));
        sim.assertEveryPushCountedOnce();
    }

    @Test
    void shouldFinishPushesInFlightBeforeStopping()
    {
        final Sim sim = new Sim(SyncPolicy.ssp(3), 1, 14, TimeUnit.SECONDS.toNanos(30));
        sim.synchronousPermits = true;
        final SimWorker worker = sim.workers.get(0);
        while (worker.computes < 3)
        {
            sim.drainShards();
            worker.doWork();
        }
        assertEquals(3, worker.telemetry.steps());
        assertEquals(2, worker.agent.clock(), "the pushes of the third step are in flight");

        worker.agent.requestStop();
        for (int i = 0; i < 10; i++)
        {
            worker.doWork();
        }

        assertFalse(worker.agent.isStopped(), "a push in flight must be acknowledged before the loop stops");
        assertEquals(2, worker.agent.clock());
        sim.drainShards();
        worker.doWork();
        assertTrue(worker.agent.isStopped());
        assertEquals(3, worker.agent.clock());
        assertEquals(3, worker.lastReported);
        sim.assertEveryPushCountedOnce();
    }

    @Test
    void shouldKeepRequestBehindPushWhenPushIsRefusedByTransport()
    {
        final Sim sim = new Sim(SyncPolicy.ssp(3), 1, 15, TimeUnit.SECONDS.toNanos(30));
        sim.synchronousPermits = true;
        final SimWorker worker = sim.workers.get(0);
        while (worker.computes < 2)
        {
            worker.doWork();
            sim.drainShards();
        }
        worker.refusePushesToShard0 = 3;
        while (worker.computes < 4)
        {
            worker.doWork();
            sim.drainShards();
        }

        assertEquals(0, worker.refusePushesToShard0);
        assertTrue(worker.telemetry.sendFailures() >= 3);
        sim.runEagerly(6);
        sim.assertEveryPushCountedOnce();
    }

    /**
     * A deterministic world: shard states, an SSP gate standing for the scheduler, and the queues between them.
     */
    private static final class Sim
    {
        final SyncPolicy policy;
        final SspGate gate;
        final SplittableRandom random;
        final CachedNanoClock nanoClock = new CachedNanoClock();
        final KeyRange[] ranges;
        final ShardState[] shards = new ShardState[SHARDS];
        final List<SimWorker> workers = new ArrayList<>();
        final ArrayDeque<long[]> permits = new ArrayDeque<>();
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
        final boolean overlap;
        double sendFailure;
        double loss;
        int slowWorker = -1;
        boolean synchronousPermits;
        long maxLead;
        long maxComputeLead;
        long ticks;

        Sim(final SyncPolicy policy, final int workerCount, final long seed, final long resendIntervalNs)
        {
            this(policy, workerCount, seed, resendIntervalNs, false);
        }

        Sim(final SyncPolicy policy, final int workerCount, final long seed, final long resendIntervalNs,
            final boolean overlap)
        {
            this.policy = policy;
            this.overlap = overlap;
            this.gate = new SspGate(policy, workerCount, nanoClock);
            this.random = new SplittableRandom(seed);
            final ParameterLayout layout = Workload.W1.create(BATCH).layout();
            this.ranges = layout.split(SHARDS);
            final float[] initial = new float[layout.size()];
            Workload.W1.create(BATCH).initialiseInPlace(initial, random.split());
            for (int s = 0; s < SHARDS; s++)
            {
                shards[s] = new ShardState(JOB, ranges[s], initial, ranges[s].start(),
                    OptimiserConfig.of(OptimiserConfig.Kind.SGD, 0.1f), StalenessPolicy.CONSTANT, workerCount);
            }
            for (int w = 0; w < workerCount; w++)
            {
                workers.add(new SimWorker(this, w, layout.size(), random.split(), resendIntervalNs));
            }
            nanoClock.update(1);
        }

        void runRandomly(final int steps)
        {
            while (minAgentClock() < steps)
            {
                act();
            }
            stopAll();
        }

        void runEagerly(final int steps)
        {
            while (minAgentClock() < steps)
            {
                tick();
                for (final SimWorker worker : workers)
                {
                    worker.doWork();
                    drainShards();
                    deliverPermits();
                }
            }
            for (final SimWorker worker : workers)
            {
                worker.callsAtEnd = worker.calls;
                worker.computesAtEnd = worker.computes;
            }
            stopAll();
        }

        private void stopAll()
        {
            for (final SimWorker worker : workers)
            {
                worker.agent.requestStop();
            }
            boolean stopped = false;
            while (!stopped)
            {
                act();
                stopped = true;
                for (final SimWorker worker : workers)
                {
                    stopped &= worker.agent.isStopped();
                }
            }
            drainShards();
        }

        private long minAgentClock()
        {
            long min = Long.MAX_VALUE;
            for (final SimWorker worker : workers)
            {
                min = Math.min(min, worker.agent.clock());
            }
            return min;
        }

        private void tick()
        {
            if (++ticks > MAX_TICKS)
            {
                final StringBuilder state = new StringBuilder("no progress after " + MAX_TICKS + " ticks:");
                for (final SimWorker worker : workers)
                {
                    state.append("\n  ").append(worker.agent).append(" queued to shards ")
                        .append(worker.toShard[0].size()).append('/').append(worker.toShard[1].size())
                        .append(" replies ").append(worker.toWorker[0].size()).append('/')
                        .append(worker.toWorker[1].size());
                }
                fail(state.toString());
            }
            nanoClock.advance(1_000);
        }

        private void act()
        {
            tick();
            final int roll = random.nextInt(10);
            if (roll < 4)
            {
                final SimWorker worker = workers.get(random.nextInt(workers.size()));
                if (worker.id != slowWorker || random.nextInt(4) == 0)
                {
                    worker.doWork();
                }
            }
            else if (roll < 8)
            {
                processOneShardMessage();
            }
            else if (!permits.isEmpty())
            {
                final long[] permit = random.nextBoolean() ? permits.pollFirst() : permits.pollLast();
                workers.get((int)permit[0]).agent.onPermit(permit[1]);
            }
        }

        void drainShards()
        {
            boolean any = true;
            while (any)
            {
                any = false;
                for (final SimWorker worker : workers)
                {
                    for (int s = 0; s < SHARDS; s++)
                    {
                        while (!worker.toShard[s].isEmpty())
                        {
                            process(worker, s);
                            any = true;
                        }
                    }
                }
            }
        }

        private void deliverPermits()
        {
            while (!permits.isEmpty())
            {
                final long[] permit = permits.pollFirst();
                workers.get((int)permit[0]).agent.onPermit(permit[1]);
            }
        }

        private void processOneShardMessage()
        {
            final int w = random.nextInt(workers.size());
            final int s = random.nextInt(SHARDS);
            if (!workers.get(w).toShard[s].isEmpty())
            {
                process(workers.get(w), s);
            }
        }

        private void process(final SimWorker from, final int s)
        {
            final byte[] message = from.toShard[s].pollFirst();
            final byte[][] reply = new byte[1][];
            final int[] to = new int[1];
            final int outcome = shards[s].onMessage(new UnsafeBuffer(message), 0, message.length,
                (workerId, buffer, offset, length) ->
                {
                    reply[0] = new byte[length];
                    buffer.getBytes(offset, reply[0]);
                    to[0] = workerId;
                    return 1;
                });
            assertTrue(outcome != ShardState.REJECTED, "shard " + s + " rejected a message of worker " + from.id);
            if (outcome == ShardState.APPLIED || outcome == ShardState.DROPPED_STALE)
            {
                from.appliedPushStep[s] = Math.max(from.appliedPushStep[s], from.pushStepOf(s, message));
            }
            float[] served = null;
            if (outcome == ShardState.SERVED)
            {
                served = new float[ranges[s].length()];
                shards[s].snapshotInto(served);
            }
            workers.get(to[0]).toWorker[s].addLast(
                new Reply(reply[0], served, gate.minClock(), from.appliedPushStep[s]));
        }

        long sequence(final byte[] message)
        {
            assertEquals(RejectReason.NONE, decoder.wrap(new UnsafeBuffer(message), 0, message.length));
            return decoder.sequence();
        }

        long targetVersion(final byte[] message)
        {
            assertEquals(RejectReason.NONE, decoder.wrap(new UnsafeBuffer(message), 0, message.length));
            return decoder.targetVersion();
        }

        void grant(final int worker, final long clock)
        {
            if (synchronousPermits)
            {
                workers.get(worker).agent.onPermit(clock);
            }
            else
            {
                permits.addLast(new long[]{ worker, clock });
            }
        }

        void assertEveryPushCountedOnce()
        {
            long computed = 0;
            long updatesSent = 0;
            for (final SimWorker worker : workers)
            {
                assertTrue(worker.agent.isStopped() || worker.agent.clock() == worker.agent.stepClock() ||
                    worker.agent.clock() + 1 == worker.agent.stepClock());
                computed += worker.telemetry.steps();
                updatesSent += worker.telemetry.pushesSent() - worker.telemetry.pushResends();
                if (worker.agent.isStopped())
                {
                    assertEquals(worker.telemetry.steps(), worker.agent.clock(), "every computed step was reported");
                }
                assertEquals(worker.agent.clock(), worker.lastReported);
                assertEquals(worker.agent.clock(), gate.clock(worker.id));
            }
            assertEquals(computed * SHARDS, updatesSent, "one update per shard and step, resends not counted");
            long counted = 0;
            for (final ShardState shard : shards)
            {
                counted += shard.appliedCount() + shard.droppedStaleCount();
            }
            assertEquals(updatesSent, counted, "every update sent was applied or dropped exactly once");
            long reported = 0;
            for (final SimWorker worker : workers)
            {
                reported += worker.agent.clock();
            }
            assertEquals(reported, gate.stepsCompleted(), "the gate counts each reported step once");
        }
    }

    /**
     * A shard's reply, and for an update what the shard served: its parameters, the gate's minimum clock, and the
     * last push of the served worker it had applied.
     */
    private record Reply(byte[] bytes, float[] served, long minClock, long ownPushStep)
    {
    }

    /**
     * One worker: its agent over real engine parts, its links into the shard queues, its gateway onto the gate.
     */
    private static final class SimWorker implements PermitGateway
    {
        final Sim sim;
        final int id;
        final float[] replica;
        final float[][] expected = new float[SHARDS][];
        final WorkerTelemetry telemetry = new WorkerTelemetry(SHARDS);
        final ReplicaUpdater updater;
        final WorkerAgent agent;
        @SuppressWarnings("unchecked")
        final ArrayDeque<byte[]>[] toShard = new ArrayDeque[SHARDS];
        @SuppressWarnings("unchecked")
        final ArrayDeque<Reply>[] toWorker = new ArrayDeque[SHARDS];
        final long[] lastPushStep = new long[SHARDS];
        final long[] appliedPushStep = new long[SHARDS];
        final long[] servedMinClock = new long[SHARDS];
        final long[] servedOwnPushStep = new long[SHARDS];
        final Long2LongHashMap stepBySequence = new Long2LongHashMap(-1);
        final List<long[]> pushCalls = new ArrayList<>();
        final List<long[]> requestCalls = new ArrayList<>();
        long lastReported;
        long permitRequests;
        long repeatedPermitRequests;
        int dropPermitRequests;
        long currentClockRequests;
        long callsAtEnd;
        long computesAtEnd;
        long lastPermitRequested = -1;
        long calls;
        long computes;
        long computesWithPushInFlight;
        int refusePushesToShard0;
        boolean permitAskedAheadOfEveryCompute = true;

        SimWorker(final Sim sim, final int id, final int parameters, final SplittableRandom random,
            final long resendIntervalNs)
        {
            this.sim = sim;
            this.id = id;
            this.replica = new float[parameters];
            Arrays.fill(lastPushStep, -1);
            Arrays.fill(appliedPushStep, -1);
            final ShardLink[] pushLinks = new ShardLink[SHARDS];
            final ShardLink[] requestLinks = new ShardLink[SHARDS];
            for (int s = 0; s < SHARDS; s++)
            {
                final int shard = s;
                toShard[s] = new ArrayDeque<>();
                toWorker[s] = new ArrayDeque<>();
                pushLinks[s] = (buffer, offset, length) -> onPush(shard, buffer, offset, length);
                requestLinks[s] = (buffer, offset, length) -> onRequest(shard, buffer, offset, length);
            }
            final Model model = new CheckingModel(Workload.W1.create(BATCH), this);
            final GradientStep step = new GradientStep(model,
                new MiniBatchIterator(dataset(random.split()), BATCH, random.split()), replica, sim.ranges,
                CompressorSpec.parse("topk:0.01"), true, random.split());
            this.updater = new ReplicaUpdater(JOB, replica, sim.ranges, null);
            int maxPush = 0;
            for (final KeyRange range : sim.ranges)
            {
                maxPush = Math.max(maxPush, PushEncoder.maxPushLength(range.length(), 1));
            }
            this.agent = new WorkerAgent("worker-" + id, this, step, updater,
                new PushEncoder(JOB, id, replica.length, null), pushLinks, requestLinks, this::poll,
                ReceiverWakeup.NONE, telemetry, 2,
                sim.overlap, resendIntervalNs, maxPush, sim.nanoClock);
        }

        void doWork()
        {
            calls++;
            agent.doWork();
        }

        long pushCall(final int shard, final long step)
        {
            return callOf(pushCalls, shard, step);
        }

        long requestCall(final int shard, final long step)
        {
            return callOf(requestCalls, shard, step);
        }

        private static long callOf(final List<long[]> events, final int shard, final long step)
        {
            for (final long[] event : events)
            {
                if (event[0] == shard && event[1] == step)
                {
                    return event[2];
                }
            }
            fail("no send to shard " + shard + " for step " + step);
            return -1;
        }

        private boolean refused(final int shard)
        {
            return sim.sendFailure > 0 && sim.random.nextDouble() < sim.sendFailure;
        }

        private long onPush(final int shard, final DirectBuffer buffer, final int offset, final int length)
        {
            if (shard == 0 && refusePushesToShard0 > 0)
            {
                refusePushesToShard0--;
                return -1;
            }
            if (refused(shard))
            {
                return -1;
            }
            final long step = agent.stepClock() - 1;
            if (lastPushStep[shard] != step)
            {
                pushCalls.add(new long[]{ shard, step, calls });
            }
            lastPushStep[shard] = step;
            stepBySequence.put(sequenceKey(shard, sim.sequence(copy(buffer, offset, length))), step);
            deliverOrLose(shard, buffer, offset, length);
            return 1;
        }

        long pushStepOf(final int shard, final byte[] message)
        {
            final long step = stepBySequence.get(sequenceKey(shard, sim.sequence(message)));
            assertTrue(step >= 0, "a push the worker never sent");
            return step;
        }

        private static long sequenceKey(final int shard, final long sequence)
        {
            return sequence * SHARDS + shard;
        }

        private long onRequest(final int shard, final DirectBuffer buffer, final int offset, final int length)
        {
            if (refused(shard))
            {
                return -1;
            }
            final long step = agent.stepClock();
            if (step > 0)
            {
                assertEquals(step - 1, lastPushStep[shard],
                    "worker " + id + " asked shard " + shard + " for clock " + step + " before pushing clock " +
                    (step - 1) + " to it");
            }
            final long lead = step - sim.gate.minClock();
            if (!sim.policy.isUnbounded())
            {
                assertTrue(lead <= sim.policy.bound(), "worker " + id + " started clock " + step + " with min clock " +
                    sim.gate.minClock() + " under " + sim.policy);
            }
            sim.maxLead = Math.max(sim.maxLead, lead);
            requestCalls.add(new long[]{ shard, step, calls });
            deliverOrLose(shard, buffer, offset, length);
            return 1;
        }

        private void deliverOrLose(final int shard, final DirectBuffer buffer, final int offset, final int length)
        {
            // Accepted by the transport, then lost on the way (a shard that restarts, say): only a resend repairs it.
            if (sim.loss == 0 || sim.random.nextDouble() >= sim.loss)
            {
                toShard[shard].addLast(copy(buffer, offset, length));
            }
        }

        private int poll(final ReplySource.Handler handler, final int fragmentLimit)
        {
            int delivered = 0;
            final int first = sim.random.nextInt(SHARDS);
            for (int i = 0; i < SHARDS && delivered < fragmentLimit; i++)
            {
                final int s = (first + i) % SHARDS;
                while (!toWorker[s].isEmpty() && delivered < fragmentLimit)
                {
                    final Reply reply = toWorker[s].pollFirst();
                    final boolean applies = sim.targetVersion(reply.bytes()) >= updater.heldVersion(s);
                    handler.onMessage(new UnsafeBuffer(reply.bytes()), 0, reply.bytes().length);
                    if (applies && reply.served() != null)
                    {
                        expected[s] = reply.served();
                        servedMinClock[s] = reply.minClock();
                        servedOwnPushStep[s] = reply.ownPushStep();
                    }
                    delivered++;
                }
            }
            return delivered;
        }

        void onCompute(final float[] params)
        {
            computes++;
            final long clock = agent.stepClock();
            boolean pushInFlight = false;
            for (int s = 0; s < SHARDS; s++)
            {
                final KeyRange range = sim.ranges[s];
                if (!Arrays.equals(expected[s], Arrays.copyOfRange(params, range.start(), range.end())))
                {
                    fail("worker " + id + " computes clock " + clock + " on a replica of shard " + s +
                        " that differs from what the shard served");
                }
                final long lead = clock - servedMinClock[s];
                if (!sim.policy.isUnbounded())
                {
                    assertTrue(lead <= sim.policy.bound(), "worker " + id + " computes clock " + clock +
                        " on a read of shard " + s + " served at min clock " + servedMinClock[s] + " under " +
                        sim.policy);
                }
                sim.maxComputeLead = Math.max(sim.maxComputeLead, lead);
                if (sim.loss == 0)
                {
                    // a lost push (a shard restart) lets the request behind it be served first; no loss, no excuse
                    final long missed = sim.overlap ? 2 : 1;
                    assertTrue(servedOwnPushStep[s] >= clock - missed, "worker " + id + " computes clock " + clock +
                        " on a read of shard " + s + " that lacks its own push of clock " + (clock - missed));
                }
                pushInFlight |= !toShard[s].isEmpty();
            }
            if (pushInFlight)
            {
                computesWithPushInFlight++;
            }
            if (lastPermitRequested < agent.stepClock() + 1 && sim.gate.permittedClock(id) < agent.stepClock() + 1)
            {
                permitAskedAheadOfEveryCompute = false;
            }
        }

        @Override
        public void requestPermit(final long clock)
        {
            permitRequests++;
            if (clock == lastReported)
            {
                currentClockRequests++;
            }
            final long lookahead = sim.overlap ? SspGate.MAX_LOOKAHEAD : 1;
            assertTrue(clock >= lastReported && clock <= lastReported + lookahead,
                "worker " + id + " asked for clock " + clock + " at reported clock " + lastReported);
            assertTrue(clock >= lastPermitRequested, "worker " + id + " asked for " + clock + " after " +
                lastPermitRequested);
            if (clock == lastPermitRequested)
            {
                repeatedPermitRequests++;
            }
            lastPermitRequested = clock;
            if (dropPermitRequests > 0)
            {
                dropPermitRequests--;
                return;
            }
            if (sim.gate.request(id, clock))
            {
                sim.grant(id, sim.gate.permittedClock(id));
            }
        }

        @Override
        public void clockAdvanced(final long clock, final int samples, final double loss)
        {
            assertEquals(lastReported + 1, clock, "worker " + id + " reported clocks out of order");
            assertEquals(BATCH, samples);
            lastReported = clock;
            final IntArrayList released = sim.gate.advance(id, clock);
            final int[] ids = released.toIntArray();
            for (final int worker : ids)
            {
                sim.grant(worker, sim.gate.permittedClock(worker));
            }
        }

        @Override
        public void failed(final String reason)
        {
            fail(reason);
        }

        private static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            return bytes;
        }

        private static InMemoryDataset dataset(final SplittableRandom random)
        {
            final float[] features = new float[EXAMPLES * 784];
            final int[] labels = new int[EXAMPLES];
            for (int i = 0; i < EXAMPLES; i++)
            {
                labels[i] = random.nextInt(10);
                for (int f = 0; f < 784; f++)
                {
                    features[i * 784 + f] = (float)random.nextDouble() * (f % 10 == labels[i] ? 1.0f : 0.2f);
                }
            }
            return new InMemoryDataset(features, labels, 784, 10);
        }
    }

    /**
     * The real model, with a check of the replica on every gradient.
     */
    private static final class CheckingModel implements Model
    {
        private final Model delegate;
        private final SimWorker owner;

        CheckingModel(final Model delegate, final SimWorker owner)
        {
            this.delegate = delegate;
            this.owner = owner;
        }

        @Override
        public String name()
        {
            return delegate.name();
        }

        @Override
        public ParameterLayout layout()
        {
            return delegate.layout();
        }

        @Override
        public int inputSize()
        {
            return delegate.inputSize();
        }

        @Override
        public int classes()
        {
            return delegate.classes();
        }

        @Override
        public int maxBatch()
        {
            return delegate.maxBatch();
        }

        @Override
        public void initialiseInPlace(final float[] params, final SplittableRandom random)
        {
            delegate.initialiseInPlace(params, random);
        }

        @Override
        public double lossAndGradient(
            final float[] params, final float[] inputs, final int[] labels, final int batch, final float[] gradient)
        {
            owner.onCompute(params);
            return delegate.lossAndGradient(params, inputs, labels, batch, gradient);
        }

        @Override
        public double evaluate(
            final float[] params, final float[] inputs, final int[] labels, final int batch, final int[] predictions)
        {
            return delegate.evaluate(params, inputs, labels, batch, predictions);
        }
    }
}
