package dev.parasol.actors.worker;

import dev.parasol.engine.compress.CompressedGradient;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hot loop of one worker, run on its own thread: permit, parameters, gradient, compress, push, clock.
 * <p>
 * State machine, one transition per duty cycle at most:
 * <pre>
 *   NEED_PERMIT   --request sent-------------------------------&gt; AWAIT_PERMIT
 *   AWAIT_PERMIT  --permit for the clock arrived-----------------&gt; SEND_REQUESTS
 *   SEND_REQUESTS --a parameter request sent to every shard------&gt; AWAIT_PARAMETERS
 *   AWAIT_PARAMETERS --an update from every shard----------------&gt; COMPUTE
 *   COMPUTE       --gradient computed and compressed-------------&gt; SEND_PUSHES   (or FAILED on a non-finite loss)
 *   SEND_PUSHES   --a push sent to every shard-------------------&gt; AWAIT_ACKNOWLEDGEMENTS
 *   AWAIT_ACKNOWLEDGEMENTS --every shard acknowledged------------&gt; NEED_PERMIT (clock + 1 reported)
 * </pre>
 * A send that Aeron does not accept is retried on the next cycle, never dropped. A reply that does not come within
 * the resend interval makes the worker send the same message again with the same sequence: requests are
 * idempotent, and shards apply a push sequence at most once, so a resend is always safe.
 */
final class WorkerAgent implements Agent
{
    private static final int FRAGMENT_LIMIT = 16;

    enum State
    {
        NEED_PERMIT, AWAIT_PERMIT, SEND_REQUESTS, AWAIT_PARAMETERS, COMPUTE, SEND_PUSHES, AWAIT_ACKNOWLEDGEMENTS,
        STOPPED, FAILED
    }

    private final String roleName;
    private final PermitGateway gateway;
    private final GradientStep step;
    private final ReplicaUpdater updater;
    private final PushEncoder encoder;
    private final ShardLink[] pushLinks;
    private final ShardLink[] requestLinks;
    private final Subscription replies;
    private final FragmentAssembler assembler;
    private final UnsafeBuffer sendBuffer;
    private final WorkerTelemetry telemetry;
    private final long warmupSteps;
    private final long resendIntervalNs;
    private final long[] sequences;
    private final boolean[] outbox;
    private final boolean[] awaiting;
    private final CompressedGradient[] pushes;
    private final AtomicLong grantedClock = new AtomicLong(-1);
    private volatile boolean stopRequested;
    private volatile boolean fallbackRequested;

    private State state = State.NEED_PERMIT;
    private long clock;
    private int awaitingCount;
    private long phaseStartNs;
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
        this.roleName = roleName;
        this.gateway = gateway;
        this.step = step;
        this.updater = updater;
        this.encoder = encoder;
        this.pushLinks = pushLinks.clone();
        this.requestLinks = requestLinks.clone();
        this.replies = replies;
        this.assembler = new FragmentAssembler(this::onFragment);
        this.sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(maxMessageBytes));
        this.telemetry = telemetry;
        this.warmupSteps = warmupSteps;
        this.resendIntervalNs = resendIntervalNs;
        this.sequences = new long[pushLinks.length];
        this.outbox = new boolean[pushLinks.length];
        this.awaiting = new boolean[pushLinks.length];
        this.pushes = new CompressedGradient[pushLinks.length];
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
    }

    /**
     * Called from any thread (the worker actor) when the scheduler grants a clock.
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

    long clock()
    {
        return clock;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    @Override
    public int doWork()
    {
        if (stopRequested && isAtStepBoundary())
        {
            state = State.STOPPED;
        }
        switch (state)
        {
            case NEED_PERMIT:
                phaseStartNs = System.nanoTime();
                gateway.requestPermit(clock);
                state = State.AWAIT_PERMIT;
                return 1;
            case AWAIT_PERMIT:
                return checkPermit();
            case SEND_REQUESTS:
            case SEND_PUSHES:
                return sendOutbox();
            case AWAIT_PARAMETERS:
            case AWAIT_ACKNOWLEDGEMENTS:
                return pollReplies();
            case COMPUTE:
                computeAndCompress();
                return 1;
            default:
                return 0;
        }
    }

    private boolean isAtStepBoundary()
    {
        // Pushes already compressed are finished first: a push sent is always acknowledged before the loop stops,
        // so every update the worker counted as sent reaches a shard, and no residual is half-spent.
        return state == State.NEED_PERMIT || state == State.AWAIT_PERMIT || state == State.SEND_REQUESTS ||
            state == State.AWAIT_PARAMETERS;
    }

    boolean isStopped()
    {
        return state == State.STOPPED || state == State.FAILED;
    }

    private int checkPermit()
    {
        if (grantedClock.get() < clock)
        {
            return 0;
        }
        final long now = System.nanoTime();
        telemetry.onPermitWait(now - phaseStartNs);
        phaseStartNs = now;
        for (int s = 0; s < pushLinks.length; s++)
        {
            sequences[s]++;
            outbox[s] = true;
            awaiting[s] = true;
        }
        awaitingCount = pushLinks.length;
        state = State.SEND_REQUESTS;
        return 1;
    }

    private int sendOutbox()
    {
        final boolean pushing = state == State.SEND_PUSHES;
        int sent = 0;
        int remaining = 0;
        for (int s = 0; s < pushLinks.length; s++)
        {
            if (!outbox[s])
            {
                continue;
            }
            final int length = pushing ?
                encoder.encodePush(sendBuffer, step.range(s), sequences[s], updater.heldVersion(s), clock, pushes[s]) :
                encoder.encodeRequest(sendBuffer, step.range(s), sequences[s], updater.heldVersion(s));
            final ShardLink link = pushing ? pushLinks[s] : requestLinks[s];
            if (link.send(sendBuffer, 0, length) > 0)
            {
                outbox[s] = false;
                sent++;
                if (pushing)
                {
                    final CompressedGradient push = pushes[s];
                    telemetry.onPush(s, length, push.count(), push.density(), step.residualNorm(s), push.threshold());
                }
                else
                {
                    telemetry.onRequest(length);
                }
            }
            else
            {
                telemetry.onSendFailure();
                remaining++;
            }
        }
        if (remaining == 0)
        {
            lastSendNs = System.nanoTime();
            state = pushing ? State.AWAIT_ACKNOWLEDGEMENTS : State.AWAIT_PARAMETERS;
        }
        return sent;
    }

    private int pollReplies()
    {
        final int fragments = replies.poll(assembler, FRAGMENT_LIMIT);
        if (awaitingCount == 0)
        {
            final long now = System.nanoTime();
            if (state == State.AWAIT_PARAMETERS)
            {
                telemetry.onParameterWait(now - phaseStartNs);
                state = State.COMPUTE;
            }
            else
            {
                telemetry.onAcknowledgementWait(now - phaseStartNs);
                clock++;
                gateway.clockAdvanced(clock, step.lastBatch(), step.lastLoss());
                state = State.NEED_PERMIT;
            }
            return fragments + 1;
        }
        if (fragments == 0 && System.nanoTime() - lastSendNs > resendIntervalNs)
        {
            // Resend what is unanswered with the same sequence: shards never apply a push sequence twice.
            for (int s = 0; s < pushLinks.length; s++)
            {
                outbox[s] = awaiting[s];
                if (awaiting[s])
                {
                    telemetry.onResend(state == State.AWAIT_ACKNOWLEDGEMENTS);
                }
            }
            state = state == State.AWAIT_PARAMETERS ? State.SEND_REQUESTS : State.SEND_PUSHES;
        }
        return fragments;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int shard = updater.onMessage(buffer, offset, length);
        if (shard < 0)
        {
            telemetry.onRejected();
            return;
        }
        telemetry.onUpdateReceived(length);
        if (awaiting[shard] && updater.lastSequence() == sequences[shard])
        {
            awaiting[shard] = false;
            awaitingCount--;
        }
    }

    private void computeAndCompress()
    {
        final long start = System.nanoTime();
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
                clock + "; lower the learning rate or turn on the watchdog's dense fallback earlier");
            return;
        }
        final boolean warmup = clock < warmupSteps;
        for (int s = 0; s < pushLinks.length; s++)
        {
            pushes[s] = step.compress(s, warmup);
            sequences[s]++;
            outbox[s] = true;
            awaiting[s] = true;
        }
        awaitingCount = pushLinks.length;
        final long now = System.nanoTime();
        telemetry.onStep(step.lastBatch(), loss, now - start);
        phaseStartNs = now;
        state = State.SEND_PUSHES;
    }
}
