package dev.parasol.actors.job;

import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.host.NodeHost;
import dev.parasol.actors.host.ShardEntity;
import dev.parasol.actors.jobapi.JobManager;
import dev.parasol.actors.jobapi.JobRunnerCommand;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.psshard.PsShard;
import dev.parasol.actors.psshard.ShardStatistics;
import dev.parasol.actors.scheduler.Scheduler;
import dev.parasol.actors.scheduler.SchedulerProgress;
import dev.parasol.actors.scheduler.SchedulerSettings;
import dev.parasol.actors.worker.Evaluator;
import dev.parasol.actors.worker.Worker;
import dev.parasol.actors.worker.WorkerTelemetry;
import dev.parasol.engine.model.KeyRange;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Runs one job: finds the nodes that host shards and workers, places the shards, then the workers and the
 * evaluator, connects them over the data plane, starts the scheduler and the workers' loops, evaluates on schedule,
 * reports progress, and at the end (target reached, budget spent, cancelled, or failed) stops everything in an order
 * that loses nothing: workers first (each finishes the push it sent), then a final evaluation whose replica is the
 * model that is saved, then the shards.
 * <p>
 * States: {@code FINDING_HOSTS -> STARTING_SHARDS -> STARTING_WORKERS -> CONNECTING -> RUNNING -> STOPPING_WORKERS
 * -> FINAL_EVALUATION -> COLLECTING_MODEL -> STOPPING_SHARDS -> done}. A failure in any state goes to stopping with
 * the error kept, and the job is reported failed instead of finished. The runner holds no data and no data-plane
 * resource itself: the parts run on their hosts, which may be other nodes.
 */
public final class JobRunner extends AbstractBehavior<JobRunnerCommand>
{
    private static final Duration TICK_INTERVAL = Duration.ofSeconds(1);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final long PROGRESS_EVERY_STEPS = 50;

    enum Phase
    {
        FINDING_HOSTS, STARTING_SHARDS, STARTING_WORKERS, CONNECTING, RUNNING, STOPPING_WORKERS, FINAL_EVALUATION,
        COLLECTING_MODEL, STOPPING_SHARDS
    }

    private record HostsListed(Receptionist.Listing listing) implements JobRunnerCommand
    {
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

    private record PlacementFailed(NodeHost.PlacementFailed failed) implements JobRunnerCommand
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

    private record TelemetryReceived(WorkerTelemetry.Snapshot snapshot, int workerId) implements JobRunnerCommand
    {
    }

    private record EvaluationDone(Evaluator.Result result) implements JobRunnerCommand
    {
    }

    private record ModelChunkReceived(Evaluator.ModelChunk chunk) implements JobRunnerCommand
    {
    }

    private record ParticipantTerminated(String name) implements JobRunnerCommand
    {
    }

    private enum Tick implements JobRunnerCommand
    {
        INSTANCE
    }

    private enum StartTimeout implements JobRunnerCommand
    {
        INSTANCE
    }

    private enum StopTimeout implements JobRunnerCommand
    {
        INSTANCE
    }

    private final String jobId;
    private final JobSpec spec;
    private final ActorRef<JobManager.Command> manager;
    private final TimerScheduler<JobRunnerCommand> timers;
    private final long wireJobId;
    private final KeyRange[] ranges;
    private final ModelAssembly model;
    private final DivergenceWatchdog watchdog = new DivergenceWatchdog(
        DivergenceWatchdog.RISE_FACTOR_DEFAULT, DivergenceWatchdog.PATIENCE_DEFAULT);

    private final List<ActorRef<NodeHost.Command>> psHosts = new ArrayList<>();
    private final List<ActorRef<NodeHost.Command>> workerHosts = new ArrayList<>();
    private final EntityRef<PsShard.Command>[] shards;
    private final Endpoint[] shardEndpoints;
    private final ActorRef<Worker.Command>[] workers;
    private final Endpoint[] workerEndpoints;
    private final int[] workerExamples;
    private final Map<String, String> placement = new TreeMap<>();
    private JobMetrics metrics;
    private ActorRef<Evaluator.Command> evaluator;
    private Endpoint evaluatorEndpoint;
    private ActorRef<Scheduler.Command> scheduler;
    private Phase phase = Phase.FINDING_HOSTS;
    private int pending;
    private boolean evaluating;
    private boolean evaluationPending;
    private boolean finalEvaluationRequested;
    private String failure;
    private String stopReason;
    private String blas;
    private boolean done;

    @SuppressWarnings("unchecked")
    private JobRunner(
        final ActorContext<JobRunnerCommand> context,
        final TimerScheduler<JobRunnerCommand> timers,
        final String jobId,
        final JobSpec spec,
        final ActorRef<JobManager.Command> manager)
    {
        super(context);
        this.jobId = jobId;
        this.spec = spec;
        this.manager = manager;
        this.timers = timers;
        this.wireJobId = new SecureRandom().nextLong();
        this.ranges = spec.workload().create(1).layout().split(spec.shards());
        this.model = new ModelAssembly(spec.workload().create(1).layout());
        this.shards = new EntityRef[ranges.length];
        this.shardEndpoints = new Endpoint[ranges.length];
        this.workers = new ActorRef[spec.workers()];
        this.workerEndpoints = new Endpoint[spec.workers()];
        this.workerExamples = new int[spec.workers()];
        final ActorRef<Receptionist.Listing> listings =
            context.messageAdapter(Receptionist.Listing.class, HostsListed::new);
        // Subscribe rather than find once: a host registered a moment ago may not be listed yet on this node.
        context.getSystem().receptionist().tell(Receptionist.subscribe(NodeHost.PS_HOSTS, listings));
        context.getSystem().receptionist().tell(Receptionist.subscribe(NodeHost.WORKER_HOSTS, listings));
        timers.startSingleTimer(StartTimeout.INSTANCE, START_TIMEOUT);
    }

    /**
     * Create the runner of one job.
     *
     * @param jobId   the id the manager gave the job.
     * @param spec    the validated spec.
     * @param manager where progress and the outcome go.
     * @return the behavior.
     */
    public static Behavior<JobRunnerCommand> create(
        final String jobId, final JobSpec spec, final ActorRef<JobManager.Command> manager)
    {
        return Behaviors.setup((context) -> Behaviors.withTimers(
            (timers) -> new JobRunner(context, timers, jobId, spec, manager)));
    }

    @Override
    public Receive<JobRunnerCommand> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(HostsListed.class, this::onHostsListed)
            .onMessage(ShardReady.class, this::onShardReady)
            .onMessage(WorkerReady.class, this::onWorkerReady)
            .onMessage(EvaluatorReady.class, this::onEvaluatorReady)
            .onMessage(ShardConnected.class, this::onShardConnected)
            .onMessage(PlacementFailed.class, this::onPlacementFailed)
            .onMessage(FromScheduler.class, this::onFromScheduler)
            .onMessage(EvaluationDone.class, this::onEvaluationDone)
            .onMessage(ModelChunkReceived.class, this::onModelChunk)
            .onMessage(Tick.class, this::onTick)
            .onMessage(SchedulerStatistics.class, this::onSchedulerStatistics)
            .onMessage(ShardStatisticsReceived.class, this::onShardStatistics)
            .onMessage(TelemetryReceived.class, this::onTelemetry)
            .onMessage(WorkerFailed.class, this::onWorkerFailed)
            .onMessage(WorkerStopped.class, this::onWorkerStopped)
            .onMessage(ShardStopped.class, this::onShardStopped)
            .onMessage(JobRunnerCommand.Stop.class, this::onCancel)
            .onMessage(ParticipantTerminated.class, this::onParticipantTerminated)
            .onMessage(StartTimeout.class, this::onStartTimeout)
            .onMessage(StopTimeout.class, this::onStopTimeout)
            .build();
    }

    private Behavior<JobRunnerCommand> next()
    {
        return done ? Behaviors.stopped() : this;
    }

    private Behavior<JobRunnerCommand> onHostsListed(final HostsListed message)
    {
        if (phase != Phase.FINDING_HOSTS)
        {
            // Placement is decided once; a node that joins later serves the next job.
            return next();
        }
        final Receptionist.Listing listing = message.listing();
        final boolean ps = listing.isForKey(NodeHost.PS_HOSTS);
        final List<ActorRef<NodeHost.Command>> hosts = new ArrayList<>(
            listing.getServiceInstances(ps ? NodeHost.PS_HOSTS : NodeHost.WORKER_HOSTS));
        // Sorted by path, so placement does not depend on the order the receptionist lists them in.
        hosts.sort(Comparator.comparing((ActorRef<NodeHost.Command> host) -> host.path().toString()));
        final List<ActorRef<NodeHost.Command>> known = ps ? psHosts : workerHosts;
        known.clear();
        known.addAll(hosts);
        if (!psHosts.isEmpty() && !workerHosts.isEmpty())
        {
            startShards();
        }
        return next();
    }

    private void startShards()
    {
        phase = Phase.STARTING_SHARDS;
        final ActorRef<PsShard.Ready> readyTo = getContext().messageAdapter(PsShard.Ready.class, ShardReady::new);
        for (final KeyRange range : ranges)
        {
            // Cluster Sharding picks the ps node; the entity keeps the address of the shard wherever it lives.
            final EntityRef<PsShard.Command> shard = ShardEntity.ref(getContext().getSystem(), jobId, range.shard());
            shard.tell(new ShardEntity.Start(jobId, wireJobId, spec, range.shard(), readyTo, placementFailures()));
            shards[range.shard()] = shard;
        }
        pending = ranges.length;
    }

    private ActorRef<NodeHost.PlacementFailed> placementFailures()
    {
        return getContext().messageAdapter(NodeHost.PlacementFailed.class, PlacementFailed::new);
    }

    private Behavior<JobRunnerCommand> onShardReady(final ShardReady message)
    {
        final PsShard.Ready ready = message.ready();
        shardEndpoints[ready.shard()] = ready.endpoint();
        watched(ready.shardRef(), "shard " + ready.shard());
        if (--pending == 0)
        {
            startWorkers();
        }
        return next();
    }

    private <T> ActorRef<T> watched(final ActorRef<T> participant, final String name)
    {
        getContext().watchWith(participant, new ParticipantTerminated(name));
        placement.put(name, nodeOf(participant));
        return participant;
    }

    private String nodeOf(final ActorRef<?> participant)
    {
        final Address address = participant.path().address();
        // A part on this node has a local address without host and port; name the node as the others see it.
        final Address node = address.hasGlobalScope() ? address :
            Cluster.get(getContext().getSystem()).selfMember().address();
        return node.getHost().orElse("local") + ":" + node.getPort().map(String::valueOf).orElse("0");
    }

    private void startWorkers()
    {
        phase = Phase.STARTING_WORKERS;
        final ActorRef<Worker.Ready> readyTo = getContext().messageAdapter(Worker.Ready.class, WorkerReady::new);
        final SplittableRandom seeds = new SplittableRandom(spec.seed());
        final List<Endpoint> shardList = List.copyOf(Arrays.asList(shardEndpoints));
        for (int w = 0; w < spec.workers(); w++)
        {
            workerHosts.get(w % workerHosts.size()).tell(new NodeHost.HostWorker(
                jobId, wireJobId, spec, w, seeds.nextLong(), shardList, readyTo, placementFailures()));
        }
        workerHosts.get(spec.workers() % workerHosts.size()).tell(new NodeHost.HostEvaluator(
            jobId, wireJobId, spec, shardList,
            getContext().messageAdapter(Evaluator.Ready.class, EvaluatorReady::new), placementFailures()));
        pending = spec.workers() + 1;
    }

    private Behavior<JobRunnerCommand> onWorkerReady(final WorkerReady message)
    {
        final Worker.Ready ready = message.ready();
        workerEndpoints[ready.workerId()] = ready.endpoint();
        workerExamples[ready.workerId()] = ready.examples();
        workers[ready.workerId()] = watched(ready.worker(), "worker " + ready.workerId());
        blas = ready.blas();
        return onParticipantReady();
    }

    private Behavior<JobRunnerCommand> onEvaluatorReady(final EvaluatorReady message)
    {
        evaluatorEndpoint = message.ready().endpoint();
        evaluator = watched(message.ready().evaluator(), "the evaluator");
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
            for (final EntityRef<PsShard.Command> shard : shards)
            {
                shard.tell(new PsShard.Connect(List.copyOf(endpoints), connectedTo));
            }
            pending = shards.length;
        }
        return next();
    }

    private Behavior<JobRunnerCommand> onShardConnected(final ShardConnected message)
    {
        if (--pending == 0)
        {
            startTraining();
        }
        return next();
    }

    private Behavior<JobRunnerCommand> onPlacementFailed(final PlacementFailed message)
    {
        final NodeHost.PlacementFailed failed = message.failed();
        beginStopping("a part could not start", failed.part() + " of " + jobId + " could not start: " +
            failed.reason());
        return next();
    }

    private void startTraining()
    {
        phase = Phase.RUNNING;
        timers.cancel(StartTimeout.INSTANCE);
        int trainSize = 0;
        for (final int examples : workerExamples)
        {
            trainSize += examples;
        }
        placement.put("job runner", nodeOf(getContext().getSelf()));
        metrics = new JobMetrics(jobId, spec, trainSize, ranges, blas, placement);
        final long samplesPerEvaluation = Math.max(1, Math.round(spec.evalInterval() * trainSize));
        final SchedulerSettings settings = SchedulerSettings.defaults()
            .withProgressListener(getContext().messageAdapter(SchedulerProgress.class, FromScheduler::new))
            .withEvaluation(samplesPerEvaluation, trainSize)
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
            if (finalEvaluationRequested)
            {
                collectModel();
            }
            else
            {
                // That evaluation began before the workers stopped: evaluate again what the shards finally hold.
                requestFinalEvaluation();
            }
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
            return next();
        }
        // One adapter for all workers (a new adapter for the same class would replace the last one): the snapshot
        // says whose it is.
        final ActorRef<WorkerTelemetry.Snapshot> telemetryTo = getContext().messageAdapter(
            WorkerTelemetry.Snapshot.class, (snapshot) -> new TelemetryReceived(snapshot, snapshot.workerId()));
        for (final ActorRef<Worker.Command> worker : workers)
        {
            worker.tell(new Worker.GetTelemetry(telemetryTo));
        }
        final ActorRef<ShardStatistics> statisticsTo =
            getContext().messageAdapter(ShardStatistics.class, ShardStatisticsReceived::new);
        for (final EntityRef<PsShard.Command> shard : shards)
        {
            shard.tell(new PsShard.GetStatistics(statisticsTo));
        }
        scheduler.tell(new Scheduler.GetStatistics(
            getContext().messageAdapter(Scheduler.Statistics.class, SchedulerStatistics::new)));
        return next();
    }

    private Behavior<JobRunnerCommand> onTelemetry(final TelemetryReceived message)
    {
        if (metrics != null)
        {
            metrics.onWorkerTelemetry(message.workerId(), message.snapshot());
        }
        return next();
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
            manager.tell(new JobManager.JobProgress(jobId, metrics.progressEvent()));
        }
        checkBudget();
        return next();
    }

    private Behavior<JobRunnerCommand> onShardStatistics(final ShardStatisticsReceived message)
    {
        if (metrics != null)
        {
            metrics.onShardStatistics(message.statistics());
        }
        return next();
    }

    private Behavior<JobRunnerCommand> onWorkerFailed(final WorkerFailed message)
    {
        final String reason = "worker " + message.failed().workerId() + " failed: " + message.failed().reason();
        beginStopping("a worker failed", reason);
        return next();
    }

    private Behavior<JobRunnerCommand> onCancel(final JobRunnerCommand.Stop stop)
    {
        beginStopping("cancelled", null);
        return next();
    }

    private Behavior<JobRunnerCommand> onParticipantTerminated(final ParticipantTerminated message)
    {
        if (phase.ordinal() < Phase.STOPPING_WORKERS.ordinal())
        {
            // A part that stops while the job runs has crashed; its own node's log says why.
            beginStopping(message.name() + " stopped unexpectedly", message.name() + " of " + jobId +
                " stopped unexpectedly (see its node's log for the error)");
        }
        return next();
    }

    private Behavior<JobRunnerCommand> onStartTimeout(final StartTimeout timeout)
    {
        if (phase.ordinal() < Phase.RUNNING.ordinal())
        {
            beginStopping("start timeout", phase == Phase.FINDING_HOSTS ?
                "no node with role " + (psHosts.isEmpty() ? "ps" : "worker") + " came up within " + START_TIMEOUT +
                " to run " + jobId :
                jobId + " did not start within " + START_TIMEOUT + " (stuck in " + phase + "; " + pending +
                " parts not ready)");
        }
        return next();
    }

    private void beginStopping(final String reason, final String error)
    {
        if (failure == null)
        {
            failure = error;
        }
        if (metrics != null && error != null)
        {
            metrics.warn(error);
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
            // Not training yet: nothing to drain, nothing worth saving; stop what was started.
            failure = failure != null ? failure : reason + " before training started";
            stopStartedParts();
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
        pending = workers.length;
    }

    private void stopStartedParts()
    {
        final ActorRef<Worker.Stopped> ignoredWorkers = getContext().getSystem().ignoreRef();
        for (final ActorRef<Worker.Command> worker : workers)
        {
            if (worker != null)
            {
                worker.tell(new Worker.Stop(ignoredWorkers));
            }
        }
        final ActorRef<PsShard.Stopped> ignoredShards = getContext().getSystem().ignoreRef();
        for (final EntityRef<PsShard.Command> shard : shards)
        {
            if (shard != null)
            {
                shard.tell(new PsShard.Stop(ignoredShards));
            }
        }
    }

    private Behavior<JobRunnerCommand> onWorkerStopped(final WorkerStopped message)
    {
        final Worker.Stopped stopped = message.stopped();
        metrics.onWorkerTelemetry(stopped.workerId(), stopped.telemetry());
        if (!stopped.drained())
        {
            metrics.warn("worker " + stopped.workerId() + " had to be cut short while stopping");
        }
        if (phase == Phase.STOPPING_WORKERS && --pending == 0)
        {
            scheduler.tell(Scheduler.Stop.INSTANCE);
            phase = Phase.FINAL_EVALUATION;
            if (!evaluating)
            {
                requestFinalEvaluation();
            }
        }
        return next();
    }

    private void requestFinalEvaluation()
    {
        finalEvaluationRequested = true;
        requestEvaluation();
    }

    private void collectModel()
    {
        phase = Phase.COLLECTING_MODEL;
        evaluator.tell(new Evaluator.SendModel(
            getContext().messageAdapter(Evaluator.ModelChunk.class, ModelChunkReceived::new)));
    }

    private Behavior<JobRunnerCommand> onModelChunk(final ModelChunkReceived message)
    {
        if (model.add(message.chunk()) && phase == Phase.COLLECTING_MODEL)
        {
            stopShards();
        }
        return next();
    }

    private void stopShards()
    {
        phase = Phase.STOPPING_SHARDS;
        final ActorRef<PsShard.Stopped> stoppedTo =
            getContext().messageAdapter(PsShard.Stopped.class, ShardStopped::new);
        for (final EntityRef<PsShard.Command> shard : shards)
        {
            shard.tell(new PsShard.Stop(stoppedTo));
        }
        pending = shards.length;
    }

    private Behavior<JobRunnerCommand> onShardStopped(final ShardStopped message)
    {
        final PsShard.Stopped stopped = message.stopped();
        if (stopped.statistics() != null)
        {
            metrics.onShardStatistics(stopped.statistics());
        }
        else
        {
            metrics.warn("shard " + stopped.shard() + " stopped without statistics: " + stopped.error());
        }
        if (phase == Phase.STOPPING_SHARDS && --pending == 0)
        {
            reportAndStop();
        }
        return next();
    }

    private Behavior<JobRunnerCommand> onStopTimeout(final StopTimeout timeout)
    {
        if (!done)
        {
            if (failure == null && !model.isComplete())
            {
                failure = "the job did not stop cleanly within " + STOP_TIMEOUT + " (phase " + phase + ")";
            }
            if (metrics != null)
            {
                metrics.warn("stopping took longer than " + STOP_TIMEOUT + " in phase " + phase);
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
                manager.tell(new JobManager.JobFinished(jobId, metrics.writeResult(stopReason, model)));
            }
            catch (final RuntimeException ex)
            {
                manager.tell(new JobManager.JobFailed(jobId, "could not save the result: " + ex.getMessage()));
            }
        }
        done = true;
    }
}
