package dev.parasol.actors.scheduler;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import dev.parasol.actors.CborSerializable;
import org.HdrHistogram.Histogram;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The staleness-aware scheduler of one job: it keeps each worker's clock and grants step permits under the job's
 * {@link SyncPolicy}, so that under SSP(s) no worker ever starts clock c while another is below c - s (BSP is s = 0,
 * ASP never waits). The decisions are those of an {@link SspGate}; this actor adds the protocol, the reply
 * references of waiting workers, sample and loss totals, and progress publication.
 * <p>
 * Protocol, per worker w: {@link RequestPermit}(w, c) is answered by {@link Permit}(w, c) as soon as the policy
 * allows, where c is the number of steps w has completed; after finishing that step w sends
 * {@link ClockAdvanced}(w, c + 1, samples, loss). A pipelining worker asks ahead instead: at clock k it may request
 * up to k + {@link SspGate#MAX_LOOKAHEAD} before its step k is acknowledged (k + 1 normally, k + 3 when it overlaps
 * its gradients with its round trips), and the permit is granted only when that clock is within the bound of the
 * clocks as they are (its own k included); under ASP such a request is answered with a permit for every
 * clock, {@link SspGate#UNBOUNDED_CLOCK}, after which the worker only reports its clocks (see {@link SspGate}).
 * {@link WorkerLost} removes a worker so it no longer holds anyone back, {@link WorkerJoined} (re)adds one. Requests
 * and advances that contradict the worker's known clock are protocol errors: they are logged and ignored; an advance
 * that does not grow the clock is never counted, so a step reported twice is counted once. A grant that would break
 * the bound is a bug: the gate's safety net throws {@link IllegalStateException}, which stops the actor rather than
 * let a worker run past the bound.
 * <p>
 * With a progress listener in the {@link SchedulerSettings}, the scheduler sends a {@link ProgressSummary} each time
 * the total steps cross a multiple of {@link SchedulerSettings#progressEverySteps()} and an {@link EvaluationDue}
 * each time the total samples cross a multiple of {@link SchedulerSettings#samplesPerEvaluation()}.
 */
public final class Scheduler extends AbstractBehavior<Scheduler.Command>
{
    /**
     * Messages the scheduler accepts.
     */
    public interface Command
    {
    }

    /**
     * A worker asks to start the step after its {@code clock} completed steps, or, pipelined, the step after that.
     *
     * @param workerId the worker.
     * @param clock    the clock it wants to start: the number of steps it has completed, or up to
     *                 {@link SspGate#MAX_LOOKAHEAD} more while the acknowledgements of its steps are in flight.
     * @param replyTo  where the {@link Permit} goes.
     */
    public record RequestPermit(int workerId, long clock, ActorRef<Permit> replyTo) implements Command, CborSerializable
    {
    }

    /**
     * Permission for a worker to start a clock, and every clock below it.
     *
     * @param workerId the worker.
     * @param clock    the largest clock it may start: the clock requested, or {@link SspGate#UNBOUNDED_CLOCK}.
     */
    public record Permit(int workerId, long clock) implements CborSerializable
    {
    }

    /**
     * A worker finished clock {@code clock - 1} (every shard acknowledged its pushes) and is now at {@code clock}.
     *
     * @param workerId the worker.
     * @param clock    its new clock, the number of steps it has completed.
     * @param samples  the examples processed in the step, &gt;= 0.
     * @param loss     the mean training loss of the step.
     */
    public record ClockAdvanced(int workerId, long clock, long samples, double loss)
        implements Command, CborSerializable
    {
    }

    /**
     * A worker is gone: it no longer holds the others back, and a permit it waited for is forgotten.
     *
     * @param workerId the worker.
     */
    public record WorkerLost(int workerId) implements Command, CborSerializable
    {
    }

    /**
     * A worker joins, or a replacement rejoins, having completed {@code clock} steps.
     *
     * @param workerId the worker, not active.
     * @param clock    its clock, &gt;= 0.
     */
    public record WorkerJoined(int workerId, long clock) implements Command, CborSerializable
    {
    }

    /**
     * Ask for the scheduler's {@link Statistics}.
     *
     * @param replyTo where the statistics go.
     */
    public record GetStatistics(ActorRef<Statistics> replyTo) implements Command, CborSerializable
    {
    }

    /**
     * Stop the scheduler; permits still awaited are never granted.
     */
    public enum Stop implements Command, CborSerializable
    {
        /**
         * The only instance.
         */
        INSTANCE
    }

    /**
     * A snapshot of the scheduler's state and measurements.
     *
     * @param jobId             the job.
     * @param policy            the synchronisation policy.
     * @param clocks            the clock of every active worker, by worker id.
     * @param minClock          the smallest clock of an active worker, -1 when none is active.
     * @param maxClock          the largest clock of an active worker, -1 when none is active.
     * @param totalSteps        the steps completed by all workers.
     * @param totalSamples      the examples processed by all workers.
     * @param permitsGranted    the permits granted.
     * @param permitWaits       the requests that could not be granted at once.
     * @param permitWaitNsTotal the total wait of granted requests, in nanoseconds.
     * @param permitWaitNsMax   the longest wait of one granted request, in nanoseconds.
     * @param waitingWorkers    the workers waiting for a permit now.
     * @param stalenessP50      the median staleness at grant time, in clocks ({@code c - minClock}, c the clock
     *                          granted; at each advance for a worker holding an unbounded permit).
     * @param stalenessP99      the 99th percentile of the staleness at grant time, in clocks.
     * @param stalenessMax      the largest staleness at grant time, in clocks.
     * @param meanRecentLoss    the mean loss of the most recent steps, NaN before the first step.
     */
    public record Statistics(
        String jobId,
        SyncPolicy policy,
        Map<Integer, Long> clocks,
        long minClock,
        long maxClock,
        long totalSteps,
        long totalSamples,
        long permitsGranted,
        long permitWaits,
        long permitWaitNsTotal,
        long permitWaitNsMax,
        int waitingWorkers,
        long stalenessP50,
        long stalenessP99,
        long stalenessMax,
        double meanRecentLoss) implements CborSerializable
    {
    }

    /**
     * Report of one permit granted, sent to the permit listener of the {@link SchedulerSettings}.
     *
     * @param workerId the worker.
     * @param clock    the largest clock it may start: its own clock, more for a pipelined request, or
     *                 {@link SspGate#UNBOUNDED_CLOCK}.
     * @param minClock the smallest clock of an active worker when it was granted.
     * @param clocks   the clock of every active worker when it was granted, by worker id.
     */
    public record PermitGranted(int workerId, long clock, long minClock, Map<Integer, Long> clocks)
        implements CborSerializable
    {
    }

    /**
     * Progress published every {@link SchedulerSettings#progressEverySteps()} steps.
     *
     * @param statistics the scheduler's statistics at that point.
     */
    public record ProgressSummary(Statistics statistics) implements SchedulerProgress
    {
    }

    /**
     * Published when the total samples cross a multiple of {@link SchedulerSettings#samplesPerEvaluation()}: time
     * to evaluate the model. One event per step even if that step crossed more than one multiple.
     *
     * @param samples the total samples processed by all workers at that point.
     * @param epoch   the same in epochs: {@code samples / samplesPerEpoch}.
     */
    public record EvaluationDue(long samples, double epoch) implements SchedulerProgress
    {
    }

    private final String jobId;
    private final SspGate gate;
    private final SchedulerSettings settings;
    private final Int2ObjectHashMap<ActorRef<Permit>> waitingReplyTo = new Int2ObjectHashMap<>();
    private final double[] recentLosses;
    private int recentLossCount;
    private int recentLossNext;
    private long totalSamples;
    private long nextEvaluationSamples;
    private long nextProgressSteps;

    private Scheduler(
        final ActorContext<Command> context,
        final String jobId,
        final SyncPolicy policy,
        final int workers,
        final SchedulerSettings settings)
    {
        super(context);
        this.jobId = jobId;
        this.gate = new SspGate(policy, workers);
        this.settings = settings;
        this.recentLosses = new double[settings.recentLossWindow()];
        this.nextEvaluationSamples = settings.samplesPerEvaluation();
        this.nextProgressSteps = settings.progressEverySteps();
    }

    /**
     * Create the behaviour of a job's scheduler with default settings (nothing published).
     *
     * @param jobId   the job.
     * @param policy  the synchronisation policy.
     * @param workers the number of workers; ids {@code 0 .. workers - 1} start active at clock 0.
     * @return the behaviour.
     */
    public static Behavior<Command> create(final String jobId, final SyncPolicy policy, final int workers)
    {
        return create(jobId, policy, workers, SchedulerSettings.defaults());
    }

    /**
     * Create the behaviour of a job's scheduler.
     *
     * @param jobId    the job.
     * @param policy   the synchronisation policy.
     * @param workers  the number of workers; ids {@code 0 .. workers - 1} start active at clock 0.
     * @param settings listeners and publication intervals.
     * @return the behaviour.
     */
    public static Behavior<Command> create(
        final String jobId, final SyncPolicy policy, final int workers, final SchedulerSettings settings)
    {
        if (null == settings)
        {
            throw new IllegalArgumentException("settings=null, expected SchedulerSettings (see defaults())");
        }

        return Behaviors.setup((context) -> new Scheduler(context, jobId, policy, workers, settings));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Receive<Command> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(RequestPermit.class, this::onRequestPermit)
            .onMessage(ClockAdvanced.class, this::onClockAdvanced)
            .onMessage(WorkerLost.class, this::onWorkerLost)
            .onMessage(WorkerJoined.class, this::onWorkerJoined)
            .onMessage(GetStatistics.class, this::onGetStatistics)
            .onMessage(Stop.class, this::onStop)
            .build();
    }

    private Behavior<Command> onRequestPermit(final RequestPermit request)
    {
        final int workerId = request.workerId();
        final boolean granted;
        try
        {
            granted = gate.request(workerId, request.clock());
        }
        catch (final IllegalArgumentException ex)
        {
            getContext().getLog().warn("job {} ignored {}: {}", jobId, request, ex.getMessage());
            return this;
        }

        if (granted)
        {
            sendPermit(workerId, request.replyTo());
        }
        else
        {
            // a repeated request while waiting replaces the reply address: the latest one is alive
            waitingReplyTo.put(workerId, request.replyTo());
        }

        return this;
    }

    private Behavior<Command> onClockAdvanced(final ClockAdvanced advanced)
    {
        if (advanced.samples() < 0)
        {
            getContext().getLog().warn("job {} ignored {}: samples={}, expected >= 0",
                jobId, advanced, advanced.samples());
            return this;
        }

        final IntArrayList released;
        try
        {
            released = gate.advance(advanced.workerId(), advanced.clock());
        }
        catch (final IllegalArgumentException ex)
        {
            getContext().getLog().warn("job {} ignored {}: {}", jobId, advanced, ex.getMessage());
            return this;
        }

        totalSamples += advanced.samples();
        recordLoss(advanced.loss());
        sendReleasedPermits(released);
        publishProgress();

        return this;
    }

    private Behavior<Command> onWorkerLost(final WorkerLost lost)
    {
        final IntArrayList released;
        try
        {
            released = gate.removeWorker(lost.workerId());
        }
        catch (final IllegalArgumentException ex)
        {
            getContext().getLog().warn("job {} ignored {}: {}", jobId, lost, ex.getMessage());
            return this;
        }

        waitingReplyTo.remove(lost.workerId());
        getContext().getLog().info("job {} lost worker {}, {} workers remain, {} permits released",
            jobId, lost.workerId(), gate.activeWorkers(), released.size());
        sendReleasedPermits(released);

        return this;
    }

    private Behavior<Command> onWorkerJoined(final WorkerJoined joined)
    {
        try
        {
            gate.addWorker(joined.workerId(), joined.clock());
        }
        catch (final IllegalArgumentException ex)
        {
            getContext().getLog().warn("job {} ignored {}: {}", jobId, joined, ex.getMessage());
            return this;
        }

        getContext().getLog().info("job {} worker {} joined at clock {}", jobId, joined.workerId(), joined.clock());
        return this;
    }

    private Behavior<Command> onGetStatistics(final GetStatistics get)
    {
        get.replyTo().tell(statistics());
        return this;
    }

    private Behavior<Command> onStop(final Stop stop)
    {
        return Behaviors.stopped();
    }

    private void sendReleasedPermits(final IntArrayList released)
    {
        for (int i = 0, size = released.size(); i < size; i++)
        {
            final int workerId = released.getInt(i);
            final ActorRef<Permit> replyTo = waitingReplyTo.remove(workerId);
            if (null != replyTo)
            {
                sendPermit(workerId, replyTo);
            }
        }
    }

    private void sendPermit(final int workerId, final ActorRef<Permit> replyTo)
    {
        final long clock = gate.permittedClock(workerId);
        final ActorRef<PermitGranted> permitListener = settings.permitListener();
        if (null != permitListener)
        {
            permitListener.tell(new PermitGranted(workerId, clock, gate.minClock(), clocks()));
        }
        replyTo.tell(new Permit(workerId, clock));
    }

    private void recordLoss(final double loss)
    {
        recentLosses[recentLossNext] = loss;
        recentLossNext = (recentLossNext + 1) % recentLosses.length;
        recentLossCount = Math.min(recentLossCount + 1, recentLosses.length);
    }

    private double meanRecentLoss()
    {
        if (0 == recentLossCount)
        {
            return Double.NaN;
        }

        double sum = 0;
        for (int i = 0; i < recentLossCount; i++)
        {
            sum += recentLosses[i];
        }
        return sum / recentLossCount;
    }

    private void publishProgress()
    {
        final ActorRef<SchedulerProgress> listener = settings.progressListener();
        if (null == listener)
        {
            return;
        }

        final long steps = gate.stepsCompleted();
        final long progressEverySteps = settings.progressEverySteps();
        if (progressEverySteps > 0 && steps >= nextProgressSteps)
        {
            nextProgressSteps = (steps / progressEverySteps + 1) * progressEverySteps;
            listener.tell(new ProgressSummary(statistics()));
        }

        final long samplesPerEvaluation = settings.samplesPerEvaluation();
        if (samplesPerEvaluation > 0 && totalSamples >= nextEvaluationSamples)
        {
            nextEvaluationSamples = (totalSamples / samplesPerEvaluation + 1) * samplesPerEvaluation;
            listener.tell(new EvaluationDue(totalSamples, (double)totalSamples / settings.samplesPerEpoch()));
        }
    }

    private Map<Integer, Long> clocks()
    {
        final TreeMap<Integer, Long> clocks = new TreeMap<>();
        for (int workerId = 0, limit = gate.workerIdLimit(); workerId < limit; workerId++)
        {
            if (gate.isActive(workerId))
            {
                clocks.put(workerId, gate.clock(workerId));
            }
        }
        return Collections.unmodifiableMap(clocks);
    }

    private Statistics statistics()
    {
        final Histogram staleness = gate.stalenessHistogram();
        return new Statistics(
            jobId,
            gate.policy(),
            clocks(),
            gate.minClock(),
            gate.maxClock(),
            gate.stepsCompleted(),
            totalSamples,
            gate.permitsGranted(),
            gate.permitWaits(),
            gate.permitWaitNsTotal(),
            gate.permitWaitNsMax(),
            gate.waitingWorkers(),
            staleness.getValueAtPercentile(50.0),
            staleness.getValueAtPercentile(99.0),
            staleness.getMaxValue(),
            meanRecentLoss());
    }
}
