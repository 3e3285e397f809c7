package dev.parasol.actors.worker;

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
 * The pushes of step c + 1 are computed only once every push of step c is acknowledged, so each shard has at most
 * one push in flight, and the compressed holder a resend reads stays untouched until then.
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

    /**
     * How long a link to a shard with unanswered messages stays quiet before its {@code TailProbe} moves the stream
     * on: a few loopback round trips, a fraction of one step on a slow link.
     */
    static final long TAIL_PROBE_IDLE_NS = 2_000_000L;
    private static final int WAIT_NONE = 0;
    private static final int WAIT_PERMIT = 1;
    private static final int WAIT_PARAMETERS = 2;
    private static final int WAIT_ACKNOWLEDGEMENTS = 3;

    enum State
    {
        AWAIT_PERMIT, AWAIT_UPDATES, COMPUTE, STOPPED, FAILED
    }

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
    private final long resendIntervalNs;
    private final NanoClock nanoClock;
    private final long[] sequences;
    private final long[] pushSequences;
    private final long[] pushBaseVersions;
    private final long[] requestSequences;
    private final boolean[] pushOutbox;
    private final boolean[] requestOutbox;
    private final boolean[] awaitingAck;
    private final boolean[] awaitingUpdate;
    private final boolean[] pushIsResend;
    private final boolean[] requestIsResend;
    private final CompressedGradient[] pushes;
    private final AtomicLong grantedClock = new AtomicLong(-1);
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

    WorkerAgent(
        final String roleName,
        final PermitGateway gateway,
        final GradientStep step,
        final ReplicaUpdater updater,
        final PushEncoder encoder,
        final ShardLink[] pushLinks,
        final ShardLink[] requestLinks,
        final Subscription replies,
        final WorkerTelemetry telemetry,
        final long warmupSteps,
        final long resendIntervalNs,
        final int maxMessageBytes)
    {
        this(roleName, gateway, step, updater, encoder, pushLinks, requestLinks, ReplySource.of(replies), telemetry,
            warmupSteps, resendIntervalNs, maxMessageBytes, SystemNanoClock.INSTANCE);
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
        final WorkerTelemetry telemetry,
        final long warmupSteps,
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
        this.replyHandler = this::onReply;
        this.sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(maxMessageBytes));
        this.telemetry = telemetry;
        this.warmupSteps = warmupSteps;
        this.resendIntervalNs = resendIntervalNs;
        this.nanoClock = nanoClock;
        final int shards = pushLinks.length;
        this.sequences = new long[shards];
        this.pushSequences = new long[shards];
        this.pushBaseVersions = new long[shards];
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
    }

    /**
     * Called from any thread: finish the current cycle and stop.
     */
    void requestStop()
    {
        stopRequested = true;
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
        if (state == State.AWAIT_PERMIT && grantedClock.get() >= stepClock)
        {
            queueRequests();
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
            computeAndCompress();
            if (state != State.FAILED)
            {
                work += flushOutbox() + requestPermitIfDue();
            }
            accountWait();
            work++;
        }
        return work;
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
        return "WorkerAgent{" + roleName + " " + state + " clock=" + clock + " step=" + stepClock +
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
        final long wanted = granted >= stepClock ? stepClock + 1 : stepClock;
        // One request at a time, never for a clock the gate cannot judge yet (above the reported clock + 1).
        if (stopRequested || granted >= wanted || requestedClock >= wanted || wanted > clock + 1)
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
        state = State.AWAIT_UPDATES;
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
                requestLinks[s].probeIfIdle(nowNs, TAIL_PROBE_IDLE_NS);
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
                gateway.clockAdvanced(clock, step.lastBatch(), step.lastLoss());
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
            updatesPending--;
        }
    }

    private void computeAndCompress()
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
            return;
        }
        final boolean warmup = stepClock < warmupSteps;
        for (int s = 0; s < pushLinks.length; s++)
        {
            pushes[s] = step.compress(s, warmup);
            pushSequences[s] = ++sequences[s];
            pushBaseVersions[s] = updater.heldVersion(s);
            awaitingAck[s] = true;
            pushOutbox[s] = true;
        }
        acksPending = pushLinks.length;
        outboxCount += pushLinks.length;
        pushClock = stepClock;
        telemetry.onStep(step.lastBatch(), loss, nanoClock.nanoTime() - start);
        stepClock++;
        state = State.AWAIT_PERMIT;
        if (grantedClock.get() >= stepClock)
        {
            queueRequests();
        }
    }

    private void accountWait()
    {
        final int kind;
        if (state == State.COMPUTE || state == State.STOPPED || state == State.FAILED)
        {
            kind = WAIT_NONE;
        }
        else if (acksPending > 0)
        {
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
