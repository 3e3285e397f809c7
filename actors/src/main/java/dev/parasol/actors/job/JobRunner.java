package dev.parasol.actors.job;

import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.dataplane.TrainingCounters;
import dev.parasol.actors.exceptions.ConfigurationException;
import dev.parasol.actors.jobapi.JobManager;
import dev.parasol.actors.jobapi.JobRunnerCommand;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.jobapi.ProgressEvent;
import dev.parasol.actors.psshard.PsShard;
import dev.parasol.actors.psshard.PsShardSetup;
import dev.parasol.actors.psshard.ShardStatistics;
import dev.parasol.actors.scheduler.Scheduler;
import dev.parasol.actors.scheduler.SchedulerProgress;
import dev.parasol.actors.scheduler.SchedulerSettings;
import dev.parasol.actors.worker.Evaluator;
import dev.parasol.actors.worker.Worker;
import dev.parasol.actors.worker.WorkerSetup;
import dev.parasol.engine.data.FashionMnist;
import dev.parasol.engine.data.InMemoryDataset;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.model.ParameterLayout;
import dev.parasol.wire.DenseEncoder;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs one job on this node: loads and partitions the data, starts the shards, then the workers and the evaluator,
 * connects them over the data plane, starts the scheduler and the workers' loops, evaluates on schedule, reports
 * progress, and at the end (target reached, budget spent, cancelled, or failed) stops everything in an order that
 * loses nothing: workers first (each finishes the push it sent), then a final evaluation, then the shards, whose
 * final state is the model that is saved.
 * <p>
 * States: {@code STARTING_SHARDS -> STARTING_WORKERS -> CONNECTING -> RUNNING -> STOPPING_WORKERS ->
 * FINAL_EVALUATION -> STOPPING_SHARDS -> done}. A failure in any state goes to stopping with the error kept, and the
 * job is reported failed instead of finished.
 */
public final class JobRunner extends AbstractBehavior<JobRunnerCommand>
{
    private static final Duration TICK_INTERVAL = Duration.ofSeconds(1);
    private static final long RESEND_INTERVAL_NS = Duration.ofSeconds(2).toNanos();
    private static final int SHARD_STREAM_ID = 1001;
    private static final int WORKER_STREAM_ID = 1002;
    private static final int EVALUATOR_STREAM_ID = 1003;
    private static final long PROGRESS_EVERY_STEPS = 50;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    enum Phase
    {
        STARTING_SHARDS, STARTING_WORKERS, CONNECTING, RUNNING, STOPPING_WORKERS, FINAL_EVALUATION, STOPPING_SHARDS
    }

    private record ShardReady(PsShard.Ready ready) implements JobRunnerCommand
    {
    }

    private record ShardConnected(PsShard.Connected connected) implements JobRunnerCommand
    {
    }

    private record WorkerReady(Worker.Ready ready) implements JobRunnerCommand
    {
    }

    private record EvaluatorReady(Evaluator.Ready ready) implements JobRunnerCommand
    {
    }

    private record WorkerFailed(Worker.Failed failed) implements JobRunnerCommand
    {
    }

    private record WorkerStopped(Worker.Stopped stopped) implements JobRunnerCommand
    {
    }

    private record ShardStopped(PsShard.Stopped stopped) implements JobRunnerCommand
    {
    }

    private record FromScheduler(SchedulerProgress progress) implements JobRunnerCommand
    {
    }

    private record SchedulerStatistics(Scheduler.Statistics statistics) implements JobRunnerCommand
    {
    }

    private record ShardStatisticsReceived(ShardStatistics statistics) implements JobRunnerCommand
    {
    }

    private record EvaluationDone(Evaluator.Result result) implements JobRunnerCommand
    {
    }

    private enum Tick implements JobRunnerCommand
    {
        INSTANCE
    }

    private enum StopTimeout implements JobRunnerCommand
    {
        INSTANCE
    }

    private record ParticipantTerminated(String name) implements JobRunnerCommand
    {
    }

    private final String jobId;
    private final JobSpec spec;
    private final ActorRef<JobManager.Command> manager;
    private final NodeResources node;
    private final TimerScheduler<JobRunnerCommand> timers;
    private final JobMetrics metrics;
    private final long wireJobId;
    private final KeyRange[] ranges;
    private final InMemoryDataset train;
    private final InMemoryDataset test;
    private final TrainingCounters counters;
    private final TrainingCounters evaluationCounters;
    private final DivergenceWatchdog watchdog = new DivergenceWatchdog(
        DivergenceWatchdog.RISE_FACTOR_DEFAULT, DivergenceWatchdog.PATIENCE_DEFAULT);

    private final List<ActorRef<PsShard.Command>> shards = new ArrayList<>();
    private final Endpoint[] shardEndpoints;
    private final List<ActorRef<Worker.Command>> workers = new ArrayList<>();
    private final Endpoint[] workerEndpoints;
    private final ShardSnapshotSet snapshots;
    private ActorRef<Evaluator.Command> evaluator;
    private Endpoint evaluatorEndpoint;
    private ActorRef<Scheduler.Command> scheduler;
    private Phase phase = Phase.STARTING_SHARDS;
    private int pending;
    private boolean evaluating;
    private boolean evaluationPending;
    private String failure;
    private String stopReason;
    private boolean done;

    private JobRunner(
        final ActorContext<JobRunnerCommand> context,
        final TimerScheduler<JobRunnerCommand> timers,
        final String jobId,
        final JobSpec spec,
        final ActorRef<JobManager.Command> manager,
        final NodeResources node)
    {
        super(context);
        this.jobId = jobId;
        this.spec = spec;
        this.manager = manager;
        this.node = node;
        this.timers = timers;
        this.wireJobId = new SecureRandom().nextLong();
        final FashionMnist data = node.fashionMnist(spec.dataDir());
        this.train = data.train();
        this.test = data.test();
        final ParameterLayout layout = spec.workload().create(1).layout();
        this.ranges = layout.split(spec.shards());
        this.shardEndpoints = new Endpoint[ranges.length];
        this.workerEndpoints = new Endpoint[spec.workers()];
        this.snapshots = new ShardSnapshotSet(layout, ranges.length);
        this.counters = node.dataPlane().newTrainingCounters("job=" + jobId);
        this.evaluationCounters = node.dataPlane().newTrainingCounters("job=" + jobId + " evaluation");
        this.metrics = new JobMetrics(jobId, spec, train.size(), ranges, node.blas());
        checkMessagesFit();
        startShards();
    }

    /**
     * Create the runner of one job.
     *
     * @param jobId   the id the manager gave the job.
     * @param spec    the validated spec.
     * @param manager where progress and the outcome go.
     * @param node    this node's data plane, shard runner and data sets.
     * @return the behavior.
     */
    public static Behavior<JobRunnerCommand> create(
        final String jobId, final JobSpec spec, final ActorRef<JobManager.Command> manager, final NodeResources node)
    {
        return Behaviors.setup((context) -> Behaviors.withTimers(
            (timers) -> new JobRunner(context, timers, jobId, spec, manager, node)));
    }

    @Override
    public Receive<JobRunnerCommand> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(ShardReady.class, this::onShardReady)
            .onMessage(WorkerReady.class, this::onWorkerReady)
            .onMessage(EvaluatorReady.class, this::onEvaluatorReady)
            .onMessage(ShardConnected.class, this::onShardConnected)
            .onMessage(FromScheduler.class, this::onFromScheduler)
            .onMessage(EvaluationDone.class, this::onEvaluationDone)
            .onMessage(Tick.class, this::onTick)
            .onMessage(SchedulerStatistics.class, this::onSchedulerStatistics)
            .onMessage(ShardStatisticsReceived.class, this::onShardStatistics)
            .onMessage(WorkerFailed.class, this::onWorkerFailed)
            .onMessage(WorkerStopped.class, this::onWorkerStopped)
            .onMessage(ShardStopped.class, this::onShardStopped)
            .onMessage(JobRunnerCommand.Stop.class, this::onCancel)
            .onMessage(ParticipantTerminated.class, this::onParticipantTerminated)
            .onMessage(StopTimeout.class, this::onStopTimeout)
            .build();
    }

    private Behavior<JobRunnerCommand> next()
    {
        return done ? Behaviors.stopped() : this;
    }

    private <T> ActorRef<T> watched(final ActorRef<T> participant, final String name)
    {
        getContext().watchWith(participant, new ParticipantTerminated(name));
        return participant;
    }

    private void checkMessagesFit()
    {
        final int maxMessage = node.dataPlane().context().maxMessageLength();
        for (final KeyRange range : ranges)
        {
            final int dense = DenseEncoder.length(range.length());
            if (dense > maxMessage)
            {
                throw new ConfigurationException("shards=" + spec.shards() + ": a dense message of shard " +
                    range.shard() + " (" + range.length() + " parameters) takes " + dense + " bytes, more than the " +
                    "data plane's largest message of " + maxMessage + " bytes (termLength / 8); use at least " +
                    (long)Math.ceil((double)DenseEncoder.length(spec.workload().parameterCount()) / maxMessage + 1) +
                    " shards or a larger termLength");
            }
        }
    }

    private void startShards()
    {
        final ActorRef<PsShard.Ready> readyTo = getContext().messageAdapter(PsShard.Ready.class, ShardReady::new);
        for (final KeyRange range : ranges)
        {
            final PsShardSetup setup = new PsShardSetup(jobId, wireJobId, range, spec.workload(), spec.seed(),
                spec.optimiserConfig(), spec.staleness(), spec.workers(), node.dataPlane(), counters,
                evaluationCounters, node.shardRunner(), SHARD_STREAM_ID, readyTo);
            final String name = "shard-" + range.shard();
            shards.add(watched(getContext().spawn(PsShard.create(setup), name, DispatcherSelector.blocking()), name));
        }
        pending = ranges.length;
    }

    private Behavior<JobRunnerCommand> onShardReady(final ShardReady message)
    {
        shardEndpoints[message.ready().shard()] = message.ready().endpoint();
        if (--pending == 0)
        {
            startWorkers();
        }
        return this;
    }

    private void startWorkers()
    {
        phase = Phase.STARTING_WORKERS;
        final int[][] slices = spec.partition().newPartitioner(spec.seed()).partition(train, spec.workers());
        final ActorRef<Worker.Ready> readyTo = getContext().messageAdapter(Worker.Ready.class, WorkerReady::new);
        final SplittableRandom seeds = new SplittableRandom(spec.seed());
        final List<KeyRange> rangeList = Arrays.asList(ranges);
        final List<Endpoint> shardList = Arrays.asList(shardEndpoints);
        for (int w = 0; w < spec.workers(); w++)
        {
            final WorkerSetup setup = new WorkerSetup(jobId, wireJobId, w, spec.workload(), spec.batchSize(),
                spec.compress(), spec.errorFeedback(), spec.warmupSteps(), seeds.nextLong(), rangeList, shardList,
                train.subset(slices[w]), node.dataPlane(), counters, WORKER_STREAM_ID, RESEND_INTERVAL_NS, readyTo);
            final String name = "worker-" + w;
            workers.add(watched(getContext().spawn(Worker.create(setup), name, DispatcherSelector.blocking()), name));
        }
        evaluator = watched(getContext().spawn(
            Evaluator.create(wireJobId, spec.workers(), spec.workload(), rangeList, shardList, test, node.dataPlane(),
                evaluationCounters, EVALUATOR_STREAM_ID,
                getContext().messageAdapter(Evaluator.Ready.class, EvaluatorReady::new)),
            "evaluator", DispatcherSelector.blocking()), "evaluator");
        pending = spec.workers() + 1;
    }

    private Behavior<JobRunnerCommand> onWorkerReady(final WorkerReady message)
    {
        workerEndpoints[message.ready().workerId()] = message.ready().endpoint();
        metrics.addWorker(message.ready().workerId(), message.ready().telemetry());
        return onParticipantReady();
    }

    private Behavior<JobRunnerCommand> onEvaluatorReady(final EvaluatorReady message)
    {
        evaluatorEndpoint = message.ready().endpoint();
        return onParticipantReady();
    }

    private Behavior<JobRunnerCommand> onParticipantReady()
    {
        if (--pending == 0)
        {
            phase = Phase.CONNECTING;
            final List<Endpoint> endpoints = new ArrayList<>(Arrays.asList(workerEndpoints));
            endpoints.add(evaluatorEndpoint);
            final ActorRef<PsShard.Connected> connectedTo =
                getContext().messageAdapter(PsShard.Connected.class, ShardConnected::new);
            for (final ActorRef<PsShard.Command> shard : shards)
            {
                shard.tell(new PsShard.Connect(List.copyOf(endpoints), connectedTo));
            }
            pending = shards.size();
        }
        return this;
    }

    private Behavior<JobRunnerCommand> onShardConnected(final ShardConnected message)
    {
        if (--pending == 0)
        {
            startTraining();
        }
        return this;
    }

    private void startTraining()
    {
        phase = Phase.RUNNING;
        final long samplesPerEvaluation = Math.max(1, Math.round(spec.evalInterval() * train.size()));
        final SchedulerSettings settings = SchedulerSettings.defaults()
            .withProgressListener(getContext().messageAdapter(SchedulerProgress.class, FromScheduler::new))
            .withEvaluation(samplesPerEvaluation, train.size())
            .withProgressEverySteps(PROGRESS_EVERY_STEPS);
        scheduler = getContext().spawn(
            Scheduler.create(jobId, spec.sync(), spec.workers(), settings), "scheduler");
        final ActorRef<Worker.Failed> failuresTo =
            getContext().messageAdapter(Worker.Failed.class, WorkerFailed::new);
        metrics.start();
        for (final ActorRef<Worker.Command> worker : workers)
        {
            worker.tell(new Worker.Start(scheduler, failuresTo));
        }
        timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK_INTERVAL);
        getContext().getLog().info("{} training: {} workers, {} shards, {}, {}", jobId, spec.workers(),
            spec.shards(), spec.sync(), spec.compress());
    }

    private Behavior<JobRunnerCommand> onFromScheduler(final FromScheduler message)
    {
        if (phase != Phase.RUNNING)
        {
            return next();
        }
        if (message.progress() instanceof Scheduler.EvaluationDue)
        {
            requestEvaluation();
        }
        else if (message.progress() instanceof Scheduler.ProgressSummary summary)
        {
            metrics.onSchedulerStatistics(summary.statistics());
        }
        checkBudget();
        return next();
    }

    private void requestEvaluation()
    {
        if (evaluating)
        {
            evaluationPending = true;
            return;
        }
        evaluating = true;
        evaluationPending = false;
        evaluator.tell(new Evaluator.Evaluate(
            getContext().messageAdapter(Evaluator.Result.class, EvaluationDone::new)));
    }

    private Behavior<JobRunnerCommand> onEvaluationDone(final EvaluationDone message)
    {
        evaluating = false;
        final Evaluator.Result result = message.result();
        if (result.error() != null)
        {
            metrics.warn("evaluation failed: " + result.error());
        }
        else
        {
            metrics.onEvaluation(result.accuracy(), result.loss());
        }
        if (phase == Phase.FINAL_EVALUATION)
        {
            stopShards();
            return next();
        }
        if (phase == Phase.RUNNING && metrics.targetReached())
        {
            beginStopping("target accuracy reached", null);
        }
        else if (phase == Phase.RUNNING && evaluationPending)
        {
            requestEvaluation();
        }
        return next();
    }

    private void checkBudget()
    {
        if (phase == Phase.RUNNING && metrics.budgetSpent())
        {
            beginStopping("training budget spent", null);
        }
    }

    private Behavior<JobRunnerCommand> onTick(final Tick tick)
    {
        if (phase != Phase.RUNNING)
        {
            return this;
        }
        scheduler.tell(new Scheduler.GetStatistics(
            getContext().messageAdapter(Scheduler.Statistics.class, SchedulerStatistics::new)));
        final ActorRef<ShardStatistics> statisticsTo =
            getContext().messageAdapter(ShardStatistics.class, ShardStatisticsReceived::new);
        for (final ActorRef<PsShard.Command> shard : shards)
        {
            shard.tell(new PsShard.GetStatistics(statisticsTo));
        }
        return this;
    }

    private Behavior<JobRunnerCommand> onSchedulerStatistics(final SchedulerStatistics message)
    {
        final Scheduler.Statistics statistics = message.statistics();
        metrics.onSchedulerStatistics(statistics);
        if (phase == Phase.RUNNING && watchdog.onLoss(statistics.meanRecentLoss(), statistics.totalSteps()))
        {
            metrics.warn("divergence watchdog: " + watchdog.reason());
            if (spec.watchdogFallbackToDense() && !"dense".equals(spec.compress().toString()))
            {
                metrics.warn("falling back to dense pushes (residuals carried over)");
                for (final ActorRef<Worker.Command> worker : workers)
                {
                    worker.tell(Worker.FallBackToDense.INSTANCE);
                }
            }
        }
        if (phase == Phase.RUNNING)
        {
            final ProgressEvent event = metrics.progressEvent();
            manager.tell(new JobManager.JobProgress(jobId, event));
        }
        checkBudget();
        return next();
    }

    private Behavior<JobRunnerCommand> onShardStatistics(final ShardStatisticsReceived message)
    {
        metrics.onShardStatistics(message.statistics());
        return this;
    }

    private Behavior<JobRunnerCommand> onWorkerFailed(final WorkerFailed message)
    {
        final String reason = "worker " + message.failed().workerId() + " failed: " + message.failed().reason();
        metrics.warn(reason);
        beginStopping("a worker failed", reason);
        return next();
    }

    private Behavior<JobRunnerCommand> onCancel(final JobRunnerCommand.Stop stop)
    {
        beginStopping("cancelled", null);
        return next();
    }

    private void beginStopping(final String reason, final String error)
    {
        if (failure == null)
        {
            failure = error;
        }
        if (phase.ordinal() >= Phase.STOPPING_WORKERS.ordinal())
        {
            return;
        }
        stopReason = reason;
        getContext().getLog().info("{} stopping: {}", jobId, reason);
        timers.cancelAll();
        timers.startSingleTimer(StopTimeout.INSTANCE, STOP_TIMEOUT);
        if (phase != Phase.RUNNING)
        {
            // Not training yet: nothing to drain, nothing worth saving.
            failure = failure != null ? failure : reason + " before training started";
            reportAndStop();
            return;
        }
        metrics.stop();
        phase = Phase.STOPPING_WORKERS;
        final ActorRef<Worker.Stopped> stoppedTo =
            getContext().messageAdapter(Worker.Stopped.class, WorkerStopped::new);
        for (final ActorRef<Worker.Command> worker : workers)
        {
            worker.tell(new Worker.Stop(stoppedTo));
        }
        pending = workers.size();
    }

    private Behavior<JobRunnerCommand> onWorkerStopped(final WorkerStopped message)
    {
        if (!message.stopped().drained())
        {
            metrics.warn("worker " + message.stopped().workerId() + " had to be cut short while stopping");
        }
        if (phase == Phase.STOPPING_WORKERS && --pending == 0)
        {
            scheduler.tell(Scheduler.Stop.INSTANCE);
            phase = Phase.FINAL_EVALUATION;
            if (!evaluating)
            {
                requestEvaluation();
            }
        }
        return next();
    }

    private void stopShards()
    {
        phase = Phase.STOPPING_SHARDS;
        final ActorRef<PsShard.Stopped> stoppedTo =
            getContext().messageAdapter(PsShard.Stopped.class, ShardStopped::new);
        for (final ActorRef<PsShard.Command> shard : shards)
        {
            shard.tell(new PsShard.Stop(stoppedTo));
        }
        pending = shards.size();
    }

    private Behavior<JobRunnerCommand> onShardStopped(final ShardStopped message)
    {
        final PsShard.Stopped stopped = message.stopped();
        if (stopped.snapshot() != null)
        {
            snapshots.add(stopped.snapshot());
            metrics.onShardStatistics(stopped.snapshot().statistics());
        }
        else
        {
            metrics.warn("shard " + stopped.shard() + " stopped without a snapshot: " + stopped.error());
        }
        if (--pending == 0)
        {
            reportAndStop();
        }
        return next();
    }

    private Behavior<JobRunnerCommand> onParticipantTerminated(final ParticipantTerminated message)
    {
        if (phase.ordinal() < Phase.STOPPING_WORKERS.ordinal())
        {
            // A participant that stops while the job runs has crashed; its own log line says why.
            beginStopping(message.name() + " stopped unexpectedly", message.name() + " of " + jobId +
                " stopped unexpectedly (see the node's log for its error)");
        }
        return next();
    }

    private Behavior<JobRunnerCommand> onStopTimeout(final StopTimeout timeout)
    {
        if (!done)
        {
            metrics.warn("stopping took longer than " + STOP_TIMEOUT + " in phase " + phase + "; saving what is there");
            if (failure == null && !snapshots.isComplete())
            {
                failure = "the job did not stop cleanly within " + STOP_TIMEOUT + " (phase " + phase + ")";
            }
            reportAndStop();
        }
        return next();
    }

    private void reportAndStop()
    {
        if (evaluator != null)
        {
            evaluator.tell(Evaluator.Stop.INSTANCE);
        }
        if (failure != null)
        {
            manager.tell(new JobManager.JobFailed(jobId, failure));
        }
        else
        {
            try
            {
                manager.tell(new JobManager.JobFinished(jobId,
                    metrics.writeResult(stopReason, snapshots, counters, evaluationCounters)));
            }
            catch (final RuntimeException ex)
            {
                manager.tell(new JobManager.JobFailed(jobId, "could not save the result: " + ex.getMessage()));
            }
        }
        counters.close();
        evaluationCounters.close();
        done = true;
    }
}
