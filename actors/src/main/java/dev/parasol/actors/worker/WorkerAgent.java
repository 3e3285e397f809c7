package dev.parasol.actors.worker;

import dev.parasol.actors.dataplane.ReceiverWakeup;
import dev.parasol.actors.dataplane.TailProbe;
import dev.parasol.actors.scheduler.SspGate;
import dev.parasol.engine.compress.CompressedGradient;
import io.aeron.Subscription;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hot loop of one worker, run on its own thread: permit, parameters, gradient, compress, push, clock, with the
 * waits of one step overlapped with the next where no guarantee depends on their order.
 * <p>
 * Step c of the worker, with k = {@link #clock()} the steps whose pushes every shard acknowledged:
 * <pre>
 *   AWAIT_PERMIT  --a permit for c or above is held------------------------&gt; AWAIT_UPDATES (requests for c queued)
 *   AWAIT_UPDATES --an update for c from every shard, and no push of c - 1
 *                   unacknowledged-----------------------------------------&gt; COMPUTE
 *   COMPUTE       --gradient computed and compressed, pushes of c queued---&gt; AWAIT_PERMIT for c + 1, or at once
 *                                                                            AWAIT_UPDATES when its permit is held
 *                                                                            (or FAILED on a non-finite loss)
 * </pre>
 * Three things run beside that sequence, each on its own condition:
 * <ul>
 *     <li><b>Clock reports.</b> When the last shard acknowledges the pushes of step c, the worker reports
 *     {@code ClockAdvanced(c + 1)}, whatever state it is in: the scheduler's clock of a worker always counts pushes
 *     that every shard applied or dropped, never pushes in flight, and each is reported once.</li>
 *     <li><b>Permit requests, one clock ahead.</b> As soon as the permit for c is held and the pushes of c - 1 are
 *     acknowledged (k = c), the worker asks for c + 1, so the scheduler's round trip runs while it computes step c.
 *     The scheduler judges c + 1 against the clocks as they are, k = c for this worker, so the permit never lets it
 *     start a clock past the bound; under BSP the worker's own clock holds it back until c is reported, and under
 *     ASP the answer is a permit for every clock, after which the worker never asks again. At most one request is
 *     outstanding, never for a clock above k + 1; one unanswered for the resend interval is repeated, which the
 *     scheduler treats as the same wait.</li>
 *     <li><b>Requests right behind pushes.</b> When the permit for c + 1 is already held as the pushes of c leave,
 *     the parameter requests for c + 1 leave right behind them, before the acknowledgements: one round trip instead
 *     of two. This keeps every guarantee because a push and the request after it travel on the same publication
 *     and a shard handles its messages in order: the update answering the request includes the push (the worker
 *     reads its own writes), comes after the push's acknowledgement, and the permit it needed was granted only
 *     after the slower workers' pushes were acknowledged (the SSP read guarantee). The acknowledgement still
 *     carries nothing (see {@code ShardState}), so the shard protocol, and the bit-identical replica, are
 *     unchanged. A request never overtakes the push it must follow: when a push's send fails, the request to that
 *     shard waits for it.</li>
 * </ul>
 * The pushes of step c + 1 are compressed only once every push of step c is acknowledged, so each shard has at most
 * one push in flight, and the compressed holder a resend reads stays untouched until then.
 * <p>
 * <b>Overlapped steps</b> (the job's {@code overlap}, never under BSP). The sequence above leaves the worker idle for
 * one round trip per step: the gradient of c + 1 waits for the update that answers the request behind the pushes of
 * c. An overlapping worker computes the gradient of c + 1 while those pushes and that request are in flight, on the
 * replica as it is, and compresses and pushes it once the pushes of c are acknowledged:
 * <pre>
 *   AWAIT_UPDATES --the replica serves c (below)------------------------------&gt; COMPUTE the gradient of c
 *   COMPUTE       --pushes of c - 1 acknowledged: compress, push c, c + 1-----&gt; COMPUTE the gradient of c + 1, or
 *                 --still in flight----------------------------------------&gt; AWAIT_ACKNOWLEDGEMENTS, then the same
 * </pre>
 * The replica serves step c when its last complete read was requested (a) holding a permit for c or above, so the
 * SSP read guarantee of c holds exactly (all updates below c - s of every worker), and (b) behind the worker's own
 * pushes of c - 2, so the gradient misses at most its own last push: read-my-writes is relaxed by one step, which
 * is why BSP, whose every step must see the one before, never overlaps. Reads go one at a time, each for the first
 * step whose gradient is not yet computed, as soon as its permit is held; permits are asked for up to two steps
 * past the one in progress, three past the reported clock ({@code SspGate.MAX_LOOKAHEAD}), so that under
 * SSP(s >= 3) the permit of the next read is usually there when the push it follows leaves.
 * <p>
 * A send that Aeron does not accept is retried on the next cycle, never dropped. A reply that does not come within
 * the resend interval makes the worker send every unanswered message again with its sequence and content, a push
 * before a request to the same shard: requests are idempotent, and shards apply a push sequence at most once, so a
 * resend is always safe. A stop takes effect once no push is unacknowledged and no step is being computed.
 * <p>
 * Time spent waiting is charged to one cause at a time: the acknowledgements while a push is unacknowledged, else
 * the permit while it is missing, else the parameters.
 */
final class WorkerAgent implements Agent
{
    private static final int FRAGMENT_LIMIT = 16;

    private static final int WAIT_NONE = 0;
    private static final int WAIT_PERMIT = 1;
    private static final int WAIT_PARAMETERS = 2;
    private static final int WAIT_ACKNOWLEDGEMENTS = 3;

    enum State
    {
        AWAIT_PERMIT, AWAIT_UPDATES, COMPUTE, AWAIT_ACKNOWLEDGEMENTS, STOPPED, FAILED
    }

    /**
     * No complete read yet: the replica serves no step until its first read.
     */
    private static final long NO_READ = Long.MIN_VALUE / 2;

    private final String roleName;
    private final PermitGateway gateway;
    private final GradientStep step;
    private final ReplicaUpdater updater;
    private final PushEncoder encoder;
    private final ShardLink[] pushLinks;
    private final ShardLink[] requestLinks;
    private final ReplySource replies;
    private final ReplySource.Handler replyHandler;
    private final UnsafeBuffer sendBuffer;
    private final WorkerTelemetry telemetry;
    private final long warmupSteps;
    private final boolean overlap;
    private final long resendIntervalNs;
    private final NanoClock nanoClock;
    private final long[] sequences;
    private final long[] pushSequences;
    private final long[] pushBaseVersions;
    private final long[] gradientBaseVersions;
    private final long[] requestSequences;
    private final boolean[] pushOutbox;
    private final boolean[] requestOutbox;
    private final boolean[] awaitingAck;
    private final boolean[] awaitingUpdate;
    private final boolean[] pushIsResend;
    private final boolean[] requestIsResend;
    private final CompressedGradient[] pushes;
    private final AtomicLong grantedClock = new AtomicLong(-1);
    private final ReceiverWakeup wakeup;
    private volatile boolean stopRequested;
    private volatile boolean fallbackRequested;

    private State state = State.AWAIT_PERMIT;
    private long clock;
    private long stepClock;
    private long pushClock;
    private long requestedClock = -1;
    private long permitRequestNs;
    private int acksPending;
    private int updatesPending;
    private int outboxCount;
    private int waitKind = WAIT_NONE;
    private long waitStartNs;
    private long lastSendNs;
    private boolean gradientHeld;
    private long gradientNs;
    private int gradientSamples;
    private double gradientLoss;
    private int pushSamples;
    private double pushLoss;
    private long queuedReadPermit = NO_READ;
    private long queuedReadAfterStep = NO_READ;
    private long readPermit = NO_READ;
    private long readAfterStep = NO_READ;

    WorkerAgent(
        final String roleName,
        final PermitGateway gateway,
        final GradientStep step,
        final ReplicaUpdater updater,
        final PushEncoder encoder,
        final ShardLink[] pushLinks,
        final ShardLink[] requestLinks,
        final Subscription replies,
        final ReceiverWakeup wakeup,
        final WorkerTelemetry telemetry,
        final long warmupSteps,
        final boolean overlap,
        final long resendIntervalNs,
        final int maxMessageBytes)
    {
        this(roleName, gateway, step, updater, encoder, pushLinks, requestLinks, ReplySource.of(replies), wakeup,
            telemetry, warmupSteps, overlap, resendIntervalNs, maxMessageBytes, SystemNanoClock.INSTANCE);
    }

    WorkerAgent(
        final String roleName,
        final PermitGateway gateway,
        final GradientStep step,
        final ReplicaUpdater updater,
        final PushEncoder encoder,
        final ShardLink[] pushLinks,
        final ShardLink[] requestLinks,
        final ReplySource replies,
        final ReceiverWakeup wakeup,
        final WorkerTelemetry telemetry,
        final long warmupSteps,
        final boolean overlap,
        final long resendIntervalNs,
        final int maxMessageBytes,
        final NanoClock nanoClock)
    {
        this.roleName = roleName;
        this.gateway = gateway;
        this.step = step;
        this.updater = updater;
        this.encoder = encoder;
        this.pushLinks = pushLinks.clone();
        this.requestLinks = requestLinks.clone();
        this.replies = replies;
        this.wakeup = wakeup;
        this.replyHandler = this::onReply;
        this.sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(maxMessageBytes));
        this.telemetry = telemetry;
        this.warmupSteps = warmupSteps;
        this.overlap = overlap;
        this.resendIntervalNs = resendIntervalNs;
        this.nanoClock = nanoClock;
        final int shards = pushLinks.length;
        this.sequences = new long[shards];
        this.pushSequences = new long[shards];
        this.pushBaseVersions = new long[shards];
        this.gradientBaseVersions = new long[shards];
        this.requestSequences = new long[shards];
        this.pushOutbox = new boolean[shards];
        this.requestOutbox = new boolean[shards];
        this.awaitingAck = new boolean[shards];
        this.awaitingUpdate = new boolean[shards];
        this.pushIsResend = new boolean[shards];
        this.requestIsResend = new boolean[shards];
        this.pushes = new CompressedGradient[shards];
    }

    /**
     * Start a replacement where its predecessor left off: sequences above the predecessor's, and the clock the
     * scheduler let it join at. Called before the agent runs.
     *
     * @param sequenceBase the incarnation's sequence base; the first message carries {@code sequenceBase + 1}.
     * @param initialClock the clock it joins at.
     */
    void resumeAt(final long sequenceBase, final long initialClock)
    {
        Arrays.fill(sequences, sequenceBase);
        clock = initialClock;
        stepClock = initialClock;
    }

    /**
     * Called from any thread (the worker actor) when the scheduler grants a permit: it allows every clock up to
     * {@code permittedClock}, and the largest one held counts.
     */
    void onPermit(final long permittedClock)
    {
        grantedClock.accumulateAndGet(permittedClock, Math::max);
        wakeup.wake();
    }

    /**
     * Called from any thread: finish the current cycle and stop.
     */
    void requestStop()
    {
        stopRequested = true;
        wakeup.wake();
    }

    /**
     * Called from any thread: push dense from the next step on (the watchdog's fallback).
     */
    void requestDenseFallback()
    {
        fallbackRequested = true;
    }

    PermitGateway gateway()
    {
        return gateway;
    }

    State state()
    {
        return state;
    }

    /**
     * Get the steps completed: those whose pushes every shard acknowledged, the clock last reported.
     */
    long clock()
    {
        return clock;
    }

    /**
     * Get the step in progress: {@link #clock()}, or one more while the pushes of the last step are in flight.
     */
    long stepClock()
    {
        return stepClock;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    @Override
    public void onStart()
    {
        // Shards in this process (IPC) wake the agent when a reply is in its log, and so do permits.
        wakeup.bindCurrentThread();
    }

    @Override
    public void onClose()
    {
        wakeup.unbindCurrentThread();
    }

    @Override
    public int doWork()
    {
        if (state == State.STOPPED || state == State.FAILED)
        {
            return 0;
        }
        if (stopIfDrained())
        {
            return 1;
        }

        int work = flushOutbox();
        if (acksPending > 0 || updatesPending > 0)
        {
            work += pollReplies();
            if (stopIfDrained())
            {
                return work + 1;
            }
        }
        work += requestPermitIfDue();
        return overlap ? overlappedCycle(work) : sequentialCycle(work);
    }

    private int sequentialCycle(final int workSoFar)
    {
        int work = workSoFar;
        if (state == State.AWAIT_PERMIT && grantedClock.get() >= stepClock)
        {
            queueRequests();
            state = State.AWAIT_UPDATES;
            work += 1 + flushOutbox();
        }
        if (state == State.AWAIT_UPDATES && updatesPending == 0 && acksPending == 0 && outboxCount == 0)
        {
            state = State.COMPUTE;
        }
        if (work > 0 || state == State.COMPUTE)
        {
            accountWait();
        }
        if (state == State.COMPUTE)
        {
            if (computeGradient())
            {
                pushGradient();
                state = State.AWAIT_PERMIT;
                if (grantedClock.get() >= stepClock)
                {
                    queueRequests();
                    state = State.AWAIT_UPDATES;
                }
                work += flushOutbox() + requestPermitIfDue();
            }
            accountWait();
            work++;
        }
        return work;
    }

    private int overlappedCycle(final int workSoFar)
    {
        int work = workSoFar;
        if (gradientHeld && acksPending == 0)
        {
            // compressing is computing, as it is in the sequential cycle
            state = State.COMPUTE;
            accountWait();
            pushGradient();
            work += 1 + flushOutbox() + requestPermitIfDue();
        }
        work += queueReadIfDue();
        if (!gradientHeld && !stopRequested && replicaServes(stepClock))
        {
            state = State.COMPUTE;
            accountWait();
            if (!computeGradient())
            {
                accountWait();
                return work + 1;
            }
            // A permit or a read for the step after it may be due now; the replies that came meanwhile are polled
            // on the next cycle, before the pushes of this gradient can leave.
            work += 1 + requestPermitIfDue() + queueReadIfDue();
        }
        state = gradientHeld ? State.AWAIT_ACKNOWLEDGEMENTS :
            updatesPending > 0 ? State.AWAIT_UPDATES : State.AWAIT_PERMIT;
        if (work > 0)
        {
            accountWait();
        }
        return work;
    }

    /**
     * Can the gradient of step {@code c} be computed on the replica as it is (overlapped steps)? Its last complete
     * read must have been requested holding a permit for c or above, and behind this worker's pushes of c - 2.
     */
    private boolean replicaServes(final long c)
    {
        return readPermit >= c && readAfterStep >= c - 2;
    }

    /**
     * Overlapped steps: queue a read for the first step whose gradient is not computed yet, once its permit is
     * held, unless the replica already serves that step or a read is in flight.
     */
    private int queueReadIfDue()
    {
        if (updatesPending > 0 || stopRequested)
        {
            return 0;
        }
        final long target = gradientHeld || replicaServes(stepClock) ? stepClock + 1 : stepClock;
        if (replicaServes(target) || grantedClock.get() < target)
        {
            return 0;
        }
        queueRequests();
        return 1 + flushOutbox();
    }

    private boolean stopIfDrained()
    {
        if (!stopRequested || acksPending > 0)
        {
            return false;
        }
        // Every push sent was acknowledged and reported: every update counted as sent reached a shard, and no
        // residual is half-spent. Unanswered parameter requests are simply abandoned.
        state = State.STOPPED;
        accountWait();
        return true;
    }

    boolean isStopped()
    {
        return state == State.STOPPED || state == State.FAILED;
    }

    @Override
    public String toString()
    {
        return "WorkerAgent{" + roleName + " " + state + (overlap ? " overlapped" : "") + " clock=" + clock +
            " step=" + stepClock + " gradientHeld=" + gradientHeld + " readPermit=" + readPermit +
            " readAfterStep=" + readAfterStep +
            " granted=" + grantedClock.get() + " requested=" + requestedClock + " acksPending=" + acksPending +
            " updatesPending=" + updatesPending + " outbox=" + outboxCount +
            " sequences=" + Arrays.toString(sequences) + " pushSequences=" + Arrays.toString(pushSequences) +
            " requestSequences=" + Arrays.toString(requestSequences) + "}";
    }

    private int requestPermitIfDue()
    {
        final long granted = grantedClock.get();
        if (requestedClock > granted)
        {
            return repeatPermitRequestIfLate();
        }
        // The next clock above the permit held, from the step in progress up to one ahead (two when overlapping:
        // the read behind the pushes of c serves c + 2). granted + 1 overflows to a very small number for an
        // unbounded permit, which is then never below the wanted clock.
        final long horizon = stepClock + (overlap ? 2 : 1);
        final long wanted = Math.min(Math.max(granted + 1, stepClock), horizon);
        // One request at a time, never for a clock the gate cannot judge yet.
        final long lookahead = overlap ? SspGate.MAX_LOOKAHEAD : 1;
        if (stopRequested || granted >= wanted || requestedClock >= wanted || wanted > clock + lookahead)
        {
            return 0;
        }
        requestedClock = wanted;
        permitRequestNs = nanoClock.nanoTime();
        gateway.requestPermit(wanted);
        return 1;
    }

    private int repeatPermitRequestIfLate()
    {
        // A scheduler that saw the request ahead of the clock report before it (reordered, or a scheduler that
        // restarted) ignores it; asking again is harmless, since a repeated request keeps the one wait.
        if (stopRequested || resendIntervalNs <= 0 || nanoClock.nanoTime() - permitRequestNs <= resendIntervalNs)
        {
            return 0;
        }
        permitRequestNs = nanoClock.nanoTime();
        gateway.requestPermit(requestedClock);
        return 1;
    }

    private void queueRequests()
    {
        for (int s = 0; s < pushLinks.length; s++)
        {
            requestSequences[s] = ++sequences[s];
            awaitingUpdate[s] = true;
            requestOutbox[s] = true;
        }
        updatesPending = pushLinks.length;
        outboxCount += pushLinks.length;
        // What the read will guarantee once complete: the permit held as it leaves, and the last pushes before it.
        queuedReadPermit = grantedClock.get();
        queuedReadAfterStep = stepClock - 1;
    }

    private int flushOutbox()
    {
        if (outboxCount == 0)
        {
            return 0;
        }
        int sent = 0;
        for (int s = 0; s < pushLinks.length; s++)
        {
            if (pushOutbox[s])
            {
                final CompressedGradient push = pushes[s];
                final int length = encoder.encodePush(
                    sendBuffer, step.range(s), pushSequences[s], pushBaseVersions[s], pushClock, push);
                if (pushLinks[s].send(sendBuffer, 0, length) <= 0)
                {
                    // The request to this shard, if any, stays behind the push it must follow.
                    telemetry.onSendFailure();
                    continue;
                }
                pushOutbox[s] = false;
                outboxCount--;
                sent++;
                telemetry.onPush(s, length, push.count(), push.density(), step.residualNorm(s), push.threshold());
                if (pushIsResend[s])
                {
                    // Counted when it leaves, not when it is decided: pushes sent minus resends is then exactly the
                    // updates sent, even when the acknowledgement overtakes a resend still queued.
                    pushIsResend[s] = false;
                    telemetry.onResend(true);
                }
            }
            if (requestOutbox[s])
            {
                if (requestSequences[s] < sequences[s])
                {
                    // A push was sequenced after this request (overlapped steps: the read may leave before the held
                    // gradient's push); a shard refuses a request older than the newest message of its slot, and
                    // requests are idempotent, so a request sent again or late leaves as a new one.
                    requestSequences[s] = ++sequences[s];
                }
                final int length = encoder.encodeRequest(
                    sendBuffer, step.range(s), requestSequences[s], updater.heldVersion(s));
                if (requestLinks[s].send(sendBuffer, 0, length) <= 0)
                {
                    telemetry.onSendFailure();
                    continue;
                }
                requestOutbox[s] = false;
                outboxCount--;
                sent++;
                telemetry.onRequest(length);
                if (requestIsResend[s])
                {
                    requestIsResend[s] = false;
                    telemetry.onResend(false);
                }
            }
        }
        if (sent > 0)
        {
            lastSendNs = nanoClock.nanoTime();
        }
        return sent;
    }

    private int pollReplies()
    {
        final int fragments = replies.poll(replyHandler, FRAGMENT_LIMIT);
        if (fragments != 0 || acksPending == 0 && updatesPending == 0)
        {
            return fragments;
        }
        final long nowNs = nanoClock.nanoTime();
        for (int s = 0; s < requestLinks.length; s++)
        {
            if (awaitingAck[s] || awaitingUpdate[s])
            {
                // A lost last datagram of what was sent would otherwise wait for Aeron's 100 ms heartbeat.
                requestLinks[s].probeIfIdle(nowNs, TailProbe.QUIET_NS_DEFAULT);
            }
        }
        if (nowNs - lastSendNs > resendIntervalNs)
        {
            // Resend what is unanswered with the same sequence: shards never apply a push sequence twice.
            for (int s = 0; s < pushLinks.length; s++)
            {
                if (awaitingAck[s] && !pushOutbox[s])
                {
                    pushOutbox[s] = true;
                    pushIsResend[s] = true;
                    outboxCount++;
                }
                if (awaitingUpdate[s] && !requestOutbox[s])
                {
                    requestOutbox[s] = true;
                    requestIsResend[s] = true;
                    outboxCount++;
                }
            }
            lastSendNs = nanoClock.nanoTime();
            return 1;
        }
        return fragments;
    }

    private void onReply(final DirectBuffer buffer, final int offset, final int length)
    {
        final int shard = updater.onMessage(buffer, offset, length);
        if (shard == ReplicaUpdater.EMPTY_MESSAGE)
        {
            return;
        }
        if (shard < 0)
        {
            telemetry.onRejected();
            return;
        }
        telemetry.onUpdateReceived(length);
        final long sequence = updater.lastSequence();
        if (awaitingAck[shard] && sequence == pushSequences[shard])
        {
            awaitingAck[shard] = false;
            if (pushOutbox[shard])
            {
                pushOutbox[shard] = false;
                pushIsResend[shard] = false;
                outboxCount--;
            }
            if (--acksPending == 0)
            {
                clock = pushClock + 1;
                gateway.clockAdvanced(clock, pushSamples, pushLoss);
            }
        }
        else if (awaitingUpdate[shard] && sequence == requestSequences[shard])
        {
            awaitingUpdate[shard] = false;
            if (requestOutbox[shard])
            {
                requestOutbox[shard] = false;
                requestIsResend[shard] = false;
                outboxCount--;
            }
            if (--updatesPending == 0)
            {
                readPermit = queuedReadPermit;
                readAfterStep = queuedReadAfterStep;
            }
        }
    }

    /**
     * Compute the gradient of the step in progress on the replica as it is, and hold it for {@link #pushGradient}.
     *
     * @return false, and FAILED, on a non-finite loss.
     */
    private boolean computeGradient()
    {
        final long start = nanoClock.nanoTime();
        if (fallbackRequested && !step.isDenseMode())
        {
            step.fallBackToDense();
            telemetry.onDenseFallback();
        }
        final double loss = step.computeGradient();
        if (!Double.isFinite(loss))
        {
            state = State.FAILED;
            gateway.failed("training diverged: worker " + roleName + " computed a loss of " + loss + " at clock " +
                stepClock + "; lower the learning rate or turn on the watchdog's dense fallback earlier");
            return false;
        }
        for (int s = 0; s < pushLinks.length; s++)
        {
            // the versions the gradient saw, so that the shards measure its staleness truthfully
            gradientBaseVersions[s] = updater.heldVersion(s);
        }
        gradientSamples = step.lastBatch();
        gradientLoss = loss;
        gradientHeld = true;
        gradientNs = nanoClock.nanoTime() - start;
        return true;
    }

    /**
     * Compress the held gradient into the pushes of the step in progress and queue them; the step is then in flight.
     */
    private void pushGradient()
    {
        final long start = nanoClock.nanoTime();
        final boolean warmup = stepClock < warmupSteps;
        for (int s = 0; s < pushLinks.length; s++)
        {
            pushes[s] = step.compress(s, warmup);
            pushSequences[s] = ++sequences[s];
            pushBaseVersions[s] = gradientBaseVersions[s];
            awaitingAck[s] = true;
            pushOutbox[s] = true;
        }
        acksPending = pushLinks.length;
        outboxCount += pushLinks.length;
        pushClock = stepClock;
        pushSamples = gradientSamples;
        pushLoss = gradientLoss;
        gradientHeld = false;
        telemetry.onStep(pushSamples, pushLoss, gradientNs + nanoClock.nanoTime() - start);
        stepClock++;
    }

    private void accountWait()
    {
        final int kind;
        if (state == State.COMPUTE || state == State.STOPPED || state == State.FAILED)
        {
            kind = WAIT_NONE;
        }
        else if (state == State.AWAIT_ACKNOWLEDGEMENTS || !overlap && acksPending > 0)
        {
            // overlapped: the pushes in flight hold the worker up only while a gradient waits for them
            kind = WAIT_ACKNOWLEDGEMENTS;
        }
        else
        {
            kind = state == State.AWAIT_PERMIT ? WAIT_PERMIT : WAIT_PARAMETERS;
        }
        if (kind == waitKind)
        {
            return;
        }
        final long now = nanoClock.nanoTime();
        final long waitedNs = now - waitStartNs;
        switch (waitKind)
        {
            case WAIT_PERMIT:
                telemetry.onPermitWait(waitedNs);
                break;
            case WAIT_PARAMETERS:
                telemetry.onParameterWait(waitedNs);
                break;
            case WAIT_ACKNOWLEDGEMENTS:
                telemetry.onAcknowledgementWait(waitedNs);
                break;
            default:
                break;
        }
        waitKind = kind;
        waitStartNs = now;
    }
}
