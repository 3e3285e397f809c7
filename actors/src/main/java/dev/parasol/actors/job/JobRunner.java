package dev.parasol.actors.job;

import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.host.NodeHost;
import dev.parasol.actors.host.ShardEntity;
import dev.parasol.actors.jobapi.JobManager;
import dev.parasol.actors.jobapi.JobResume;
import dev.parasol.actors.jobapi.JobRunnerCommand;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.jobapi.ResumePoint;
import dev.parasol.actors.psshard.PsShard;
import dev.parasol.actors.psshard.ShardStatistics;
import dev.parasol.actors.scheduler.Scheduler;
import dev.parasol.actors.scheduler.SchedulerProgress;
import dev.parasol.actors.scheduler.SchedulerSettings;
import dev.parasol.actors.worker.Evaluator;
import dev.parasol.actors.worker.Incarnations;
import dev.parasol.actors.worker.Worker;
import dev.parasol.actors.worker.WorkerTelemetry;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.model.Model;
import dev.parasol.wire.JobKey;
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
import java.time.Instant;
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
 * States: {@code FINDING_HOSTS -> [RECLAIMING ->] STARTING_SHARDS -> STARTING_WORKERS -> CONNECTING -> RUNNING ->
 * STOPPING_WORKERS -> FINAL_EVALUATION -> COLLECTING_MODEL -> STOPPING_SHARDS -> done}. A failure in any state goes
 * to stopping with the error kept, and the job is reported failed instead of finished. The runner holds no data and
 * no data-plane resource itself: the parts run on their hosts, which may be other nodes.
 * <p>
 * While it trains, the runner sends the manager a {@link ResumePoint} every {@link #RESUME_POINT_INTERVAL}, which
 * the manager records. A runner created with a {@link JobResume} takes over a job whose runner was lost with its
 * coordinator: in {@code RECLAIMING} it stops the job's surviving workers and evaluators on every worker node (each
 * reports its final clock and telemetry) and then suspends its shards, each writing its final state to its checkpoint;
 * then it starts the shards again from those checkpoints, and the workers as new incarnations at their clocks. So
 * nothing a shard acknowledged is lost, and the report counts both runs.
 */
public final class JobRunner extends AbstractBehavior<JobRunnerCommand>
{
    private static final Duration TICK_INTERVAL = Duration.ofSeconds(1);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    /**
     * How long training waits for the shards' backup copies before it starts without those not yet attached.
     */
    private static final Duration BACKUP_TIMEOUT = Duration.ofSeconds(20);

    /**
     * Whether each shard gets a backup copy on another ps node (see {@link ShardBackups}).
     */
    static final String BACKUP_COPIES_SETTING = "parasol.shards.backup-copies";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final long PROGRESS_EVERY_STEPS = 50;
    static final int REPLACEMENTS_PER_SLOT = 3;
    private static final int RESTARTS_PER_SHARD = 3;
    private static final Duration STOPPED_GRACE = Duration.ofSeconds(3);
    private static final Duration REPLACEMENT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration RECLAIM_TIMEOUT = Duration.ofSeconds(45);

    /**
     * How often a training job's resume point goes to the manager's journal.
     */
    static final Duration RESUME_POINT_INTERVAL = Duration.ofSeconds(5);

    enum Phase
    {
        FINDING_HOSTS, RECLAIMING, STARTING_SHARDS, STARTING_WORKERS, CONNECTING, RUNNING, STOPPING_WORKERS,
        FINAL_EVALUATION, COLLECTING_MODEL, STOPPING_SHARDS
    }

    private record HostsListed(Receptionist.Listing listing) implements JobRunnerCommand
    {
    }

    private record ShardReady(PsShard.Ready ready) implements JobRunnerCommand
    {
    }

    private record WorkersReclaimed(NodeHost.JobStopped stopped) implements JobRunnerCommand
    {
    }

    private record ShardReclaimed(PsShard.Stopped stopped) implements JobRunnerCommand
    {
    }

    private enum ReclaimTimeout implements JobRunnerCommand
    {
        INSTANCE
    }

    private enum BackupTimeout implements JobRunnerCommand
    {
        INSTANCE
    }

    private record ShardConnected(PsShard.Connected connected) implements JobRunnerCommand
    {
    }

    private record BackupAttached(PsShard.BackupAttached attached) implements JobRunnerCommand
    {
    }

    private record BackupLost(int shard, ActorRef<PsShard.Command> copy) implements JobRunnerCommand
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

    /**
     * A watched part stopped.
     *
     * @param name        e.g. {@code worker 1}.
     * @param slot        the worker slot (the evaluator's is {@code workers}), or -1 for a shard.
     * @param shard       the shard's index, or -1 for a worker or the evaluator.
     * @param incarnation the part's incarnation (a shard's: its restarts); an older one than the current is history.
     */
    private record ParticipantTerminated(String name, int slot, int shard, int incarnation)
        implements JobRunnerCommand
    {
    }

    private record SlotAdmitted(PsShard.WorkerAdmitted admitted) implements JobRunnerCommand
    {
    }

    private record LostWhileStopping(int slot, String name) implements JobRunnerCommand
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
    private final Takeover takeover;
    private final int firstIncarnation;
    private long wireJobId;
    private boolean restoreShards;
    private Instant trainingStartedAt;
    private long ticksSinceResumePoint;
    private final byte[] authKey;
    private final KeyRange[] ranges;
    private final ModelAssembly model;
    private final DivergenceWatchdog watchdog = new DivergenceWatchdog(
        DivergenceWatchdog.RISE_FACTOR_DEFAULT, DivergenceWatchdog.PATIENCE_DEFAULT);
    private final ChanceLevelWatch chanceLevelWatch;

    private final List<ActorRef<NodeHost.Command>> psHosts = new ArrayList<>();
    private final List<ActorRef<NodeHost.Command>> workerHosts = new ArrayList<>();
    private final EntityRef<PsShard.Command>[] shards;
    private final Endpoint[] shardEndpoints;
    private final ActorRef<Worker.Command>[] workers;
    private final Endpoint[] workerEndpoints;
    private final int[] workerExamples;
    private final Map<String, String> placement = new TreeMap<>();
    private final long[] workerSeeds;
    private final boolean[] workerStopped;
    private final SlotReplacements replacements;
    private final ShardRestarts shardRestarts;
    private final ShardBackups backups;
    private final boolean backupsWanted;
    private final List<String> startWarnings = new ArrayList<>();
    private final long[] lastShardVersion;
    private Scheduler.Statistics lastSchedulerStatistics;
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
        final ActorRef<JobManager.Command> manager,
        final JobResume resume)
    {
        super(context);
        this.takeover = resume == null ? null : new Takeover(resume);
        this.firstIncarnation = takeover == null ? 0 : takeover.firstIncarnation();
        this.jobId = jobId;
        this.spec = spec;
        this.manager = manager;
        this.timers = timers;
        final SecureRandom random = new SecureRandom();
        this.wireJobId = random.nextLong();
        // Handed to the job's parts in their placements only: over a TLS control plane it never crosses in clear.
        this.authKey = JobKey.generate(random).toBytes();
        final Model template = spec.workload().create(1);
        this.ranges = template.layout().split(spec.shards());
        this.model = new ModelAssembly(template.layout());
        this.chanceLevelWatch = new ChanceLevelWatch(
            template.classes(), ChanceLevelWatch.WARM_UP_STEPS_DEFAULT, ChanceLevelWatch.PATIENCE_DEFAULT);
        this.shards = new EntityRef[ranges.length];
        this.shardEndpoints = new Endpoint[ranges.length];
        this.workers = new ActorRef[spec.workers()];
        this.workerEndpoints = new Endpoint[spec.workers()];
        this.workerExamples = new int[spec.workers()];
        this.workerSeeds = new long[spec.workers()];
        this.workerStopped = new boolean[spec.workers()];
        this.shardRestarts = new ShardRestarts(ranges.length, RESTARTS_PER_SHARD * ranges.length);
        this.backups = new ShardBackups(ranges.length);
        this.backupsWanted = context.getSystem().settings().config().getBoolean(BACKUP_COPIES_SETTING);
        this.lastShardVersion = new long[ranges.length];
        this.replacements = new SlotReplacements(
            spec.workers() + 1, REPLACEMENTS_PER_SLOT * (spec.workers() + 1), firstIncarnation);
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
     * @param resume  null for a new job; for a job taken over after its coordinator was lost, where it stood.
     * @return the behavior.
     */
    public static Behavior<JobRunnerCommand> create(
        final String jobId, final JobSpec spec, final ActorRef<JobManager.Command> manager, final JobResume resume)
    {
        return Behaviors.setup((context) -> Behaviors.withTimers(
            (timers) -> new JobRunner(context, timers, jobId, spec, manager, resume)));
    }

    @Override
    public Receive<JobRunnerCommand> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(HostsListed.class, this::onHostsListed)
            .onMessage(ShardReady.class, this::onShardReady)
            .onMessage(WorkersReclaimed.class, this::onWorkersReclaimed)
            .onMessage(ShardReclaimed.class, this::onShardReclaimed)
            .onMessage(ReclaimTimeout.class, (timeout) -> onReclaimTimeout())
            .onMessage(WorkerReady.class, this::onWorkerReady)
            .onMessage(EvaluatorReady.class, this::onEvaluatorReady)
            .onMessage(ShardConnected.class, this::onShardConnected)
            .onMessage(BackupAttached.class, this::onBackupAttached)
            .onMessage(BackupLost.class, this::onBackupLost)
            .onMessage(BackupTimeout.class, (timeout) -> onBackupTimeout())
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
            .onMessage(SlotAdmitted.class, this::onSlotAdmitted)
            .onMessage(LostWhileStopping.class, this::onLostWhileStopping)
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
            if (takeover == null)
            {
                startShards();
            }
            else
            {
                reclaimWorkers();
            }
        }
        return next();
    }

    /**
     * First step of a take-over: stop the workers and evaluators the lost runner left behind, so nothing pushes to
     * the shards while they write their final state.
     */
    private void reclaimWorkers()
    {
        phase = Phase.RECLAIMING;
        getContext().getLog().warn("{} taken over after its coordinator was lost (run {}): reclaiming its parts on " +
            "{} worker nodes and its {} shards", jobId, takeover.attempt() + 1, workerHosts.size(), ranges.length);
        final ActorRef<NodeHost.JobStopped> stoppedTo =
            getContext().messageAdapter(NodeHost.JobStopped.class, WorkersReclaimed::new);
        for (final ActorRef<NodeHost.Command> host : workerHosts)
        {
            host.tell(new NodeHost.StopJob(jobId, stoppedTo));
        }
        pending = workerHosts.size();
        timers.startSingleTimer(ReclaimTimeout.INSTANCE, RECLAIM_TIMEOUT);
    }

    private Behavior<JobRunnerCommand> onWorkersReclaimed(final WorkersReclaimed message)
    {
        if (phase != Phase.RECLAIMING || shards[0] != null)
        {
            return next();
        }
        takeover.onWorkersStopped(message.stopped());
        if (--pending == 0)
        {
            suspendShards();
        }
        return next();
    }

    private void suspendShards()
    {
        final ActorRef<PsShard.Stopped> stoppedTo =
            getContext().messageAdapter(PsShard.Stopped.class, ShardReclaimed::new);
        for (final KeyRange range : ranges)
        {
            final EntityRef<PsShard.Command> shard = ShardEntity.ref(getContext().getSystem(), jobId, range.shard());
            shards[range.shard()] = shard;
            shard.tell(new PsShard.Suspend(range.shard(), stoppedTo));
            // The lost run's copies, if any: the shards restart from their checkpoints, without copies.
            ShardEntity.backupRef(getContext().getSystem(), jobId, range.shard())
                .tell(new PsShard.Stop(getContext().getSystem().ignoreRef()));
        }
        pending = ranges.length;
    }

    private Behavior<JobRunnerCommand> onShardReclaimed(final ShardReclaimed message)
    {
        if (phase != Phase.RECLAIMING)
        {
            return next();
        }
        takeover.onShardStopped(message.stopped());
        if (--pending == 0)
        {
            reclaimed();
        }
        return next();
    }

    private Behavior<JobRunnerCommand> onReclaimTimeout()
    {
        if (phase != Phase.RECLAIMING)
        {
            return next();
        }
        takeover.warn("reclaiming the lost run's parts took longer than " + RECLAIM_TIMEOUT + "; went on " +
            "without the " + pending + " that did not answer");
        if (shards[0] == null)
        {
            suspendShards();
            timers.startSingleTimer(ReclaimTimeout.INSTANCE, RECLAIM_TIMEOUT);
        }
        else
        {
            reclaimed();
        }
        return next();
    }

    private void reclaimed()
    {
        timers.cancel(ReclaimTimeout.INSTANCE);
        takeover.warnings().forEach((warning) -> getContext().getLog().warn("{}: {}", jobId, warning));
        if (stopReason != null)
        {
            // Cancelled while reclaiming: the parts are stopped, nothing is left to train.
            reportAndStop();
            return;
        }
        if (takeover.carriesOn())
        {
            // Same data-plane id: the checkpoints carry it. A new key: stragglers of the lost run are refused.
            wireJobId = takeover.point().wireJobId();
            restoreShards = true;
            trainingStartedAt = takeover.trainingStartedAt();
        }
        else
        {
            takeover.warn("no resume point was recorded before the coordinator was lost: the job starts over");
        }
        timers.startSingleTimer(StartTimeout.INSTANCE, START_TIMEOUT);
        startShards();
    }

    private void startShards()
    {
        phase = Phase.STARTING_SHARDS;
        final ActorRef<PsShard.Ready> readyTo = getContext().messageAdapter(PsShard.Ready.class, ShardReady::new);
        for (final KeyRange range : ranges)
        {
            // Cluster Sharding picks the ps node; the entity keeps the address of the shard wherever it lives.
            final EntityRef<PsShard.Command> shard = ShardEntity.ref(getContext().getSystem(), jobId, range.shard());
            shard.tell(new ShardEntity.Start(
                jobId, wireJobId, authKey, spec, range.shard(), restoreShards, false, readyTo, placementFailures()));
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
        if (message.ready().isCopy())
        {
            return onCopyReady(message.ready());
        }
        if (shardRestarts.isRestarting(message.ready().shard()))
        {
            return onShardRestarted(message.ready());
        }
        final PsShard.Ready ready = message.ready();
        shardEndpoints[ready.shard()] = ready.endpoint();
        watchShard(ready.shardRef(), ready.shard());
        if (backupsWanted && !restoreShards)
        {
            // A copy starts with the shard's initial state, so only a new shard gets one (not one that restarts
            // from a checkpoint after a take-over); Cluster Sharding places it away from the shard.
            backups.starting(ready.shard());
            ShardEntity.backupRef(getContext().getSystem(), jobId, ready.shard()).tell(new ShardEntity.Start(
                jobId, wireJobId, authKey, spec, ready.shard(), false, true,
                getContext().messageAdapter(PsShard.Ready.class, ShardReady::new), placementFailures()));
        }
        if (--pending == 0)
        {
            if (!backups.settled())
            {
                timers.startSingleTimer(BackupTimeout.INSTANCE, BACKUP_TIMEOUT);
            }
            startWorkers();
        }
        return next();
    }

    private Behavior<JobRunnerCommand> onCopyReady(final PsShard.Ready ready)
    {
        final int shard = ready.shard();
        if (backups.stage(shard) != ShardBackups.Stage.STARTING)
        {
            ready.shardRef().tell(new PsShard.Stop(getContext().getSystem().ignoreRef()));
            return next();
        }
        final String copyNode = nodeOf(ready.shardRef());
        if (copyNode.equals(placement.get("shard " + shard)))
        {
            backups.none(shard);
            ready.shardRef().tell(new PsShard.Stop(getContext().getSystem().ignoreRef()));
            startWarning("shard " + shard + " has no backup copy: no ps node other than its own (" + copyNode +
                "); losing that node rolls the shard back to its checkpoint");
            maybeStartTraining();
            return next();
        }
        backups.connecting(shard, ready.shardRef(), ready.endpoint());
        placement.put(copyPlacement(shard), copyNode);
        getContext().watchWith(ready.shardRef(), new BackupLost(shard, ready.shardRef()));
        ready.shardRef().tell(new PsShard.Connect(List.of(shardEndpoints[shard]),
            getContext().messageAdapter(PsShard.Connected.class, ShardConnected::new)));
        return next();
    }

    private void onCopyConnected(final int shard)
    {
        if (backups.stage(shard) != ShardBackups.Stage.CONNECTING)
        {
            return;
        }
        backups.attaching(shard);
        shards[shard].tell(new PsShard.AttachBackup(backups.endpoint(shard),
            getContext().messageAdapter(PsShard.BackupAttached.class, BackupAttached::new)));
    }

    private Behavior<JobRunnerCommand> onBackupAttached(final BackupAttached message)
    {
        final int shard = message.attached().shard();
        if (backups.stage(shard) != ShardBackups.Stage.ATTACHING)
        {
            return next();
        }
        if (message.attached().error() == null)
        {
            backups.attached(shard);
        }
        else
        {
            giveUpCopy(shard, "its backup copy could not be attached: " + message.attached().error());
        }
        maybeStartTraining();
        return next();
    }

    /**
     * The shard goes on without a copy: the copy, if it runs, is stopped, so that it can never take over with a
     * state that lacks what the shard acknowledged since.
     */
    private void giveUpCopy(final int shard, final String why)
    {
        final ActorRef<PsShard.Command> copy = backups.none(shard);
        if (copy != null)
        {
            copy.tell(new PsShard.Stop(getContext().getSystem().ignoreRef()));
        }
        placement.remove(copyPlacement(shard));
        final String warning = "shard " + shard + " goes on without a backup copy (" + why + "); losing its node " +
            "now rolls it back to its checkpoint";
        if (metrics == null)
        {
            startWarning(warning);
        }
        else
        {
            metrics.warn(warning);
            getContext().getLog().warn("{}: {}", jobId, warning);
        }
    }

    private Behavior<JobRunnerCommand> onBackupLost(final BackupLost message)
    {
        final int shard = message.shard();
        if (backups.copy(shard) != message.copy() || backups.stage(shard) == ShardBackups.Stage.PROMOTING ||
            phase.ordinal() >= Phase.STOPPING_SHARDS.ordinal())
        {
            // Stopped by this runner, used up by a promotion, or the job is ending.
            return next();
        }
        final boolean attached = backups.stage(shard) == ShardBackups.Stage.ATTACHED;
        if (attached && shards[shard] != null)
        {
            shards[shard].tell(new PsShard.DetachBackup(shard));
        }
        giveUpCopy(shard, "its copy on " + placement.getOrDefault(copyPlacement(shard), "?") + " was lost");
        maybeStartTraining();
        return next();
    }

    private Behavior<JobRunnerCommand> onBackupTimeout()
    {
        for (int shard = 0; shard < shards.length; shard++)
        {
            final ShardBackups.Stage stage = backups.stage(shard);
            if (stage == ShardBackups.Stage.STARTING || stage == ShardBackups.Stage.CONNECTING ||
                stage == ShardBackups.Stage.ATTACHING)
            {
                giveUpCopy(shard, "its copy was not attached within " + BACKUP_TIMEOUT + " (stage " + stage + ")");
            }
        }
        maybeStartTraining();
        return next();
    }

    /**
     * Get the key of a shard's copy in the placement the report lists.
     */
    private static String copyPlacement(final int shard)
    {
        return "backup of shard " + shard;
    }

    private void startWarning(final String warning)
    {
        startWarnings.add(warning);
        getContext().getLog().warn("{}: {}", jobId, warning);
    }

    private void maybeStartTraining()
    {
        if (phase == Phase.CONNECTING && pending == 0 && backups.settled())
        {
            startTraining();
        }
    }

    private <T> ActorRef<T> watched(
        final ActorRef<T> participant, final String name, final int slot, final int incarnation)
    {
        getContext().watchWith(participant, new ParticipantTerminated(name, slot, -1, incarnation));
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
            workerSeeds[w] = seeds.nextLong();
            workerHosts.get(w % workerHosts.size()).tell(new NodeHost.HostWorker(
                jobId, wireJobId, authKey, spec, w, workerSeeds[w] + firstIncarnation * 0x9E3779B97F4A7C15L,
                firstIncarnation, takeover == null ? 0 : takeover.clockOf(w), shardList, readyTo,
                placementFailures()));
        }
        workerHosts.get(spec.workers() % workerHosts.size()).tell(new NodeHost.HostEvaluator(
            jobId, wireJobId, authKey, spec, firstIncarnation, shardList,
            getContext().messageAdapter(Evaluator.Ready.class, EvaluatorReady::new), placementFailures()));
        pending = spec.workers() + 1;
    }

    private Behavior<JobRunnerCommand> onWorkerReady(final WorkerReady message)
    {
        final Worker.Ready ready = message.ready();
        final int w = ready.workerId();
        if (replacements.isReplacing(w))
        {
            return onReplacementReady(w, ready.endpoint(), ready.worker());
        }
        workerEndpoints[w] = ready.endpoint();
        workerExamples[w] = ready.examples();
        workers[w] = watched(ready.worker(), "worker " + w, w, firstIncarnation);
        blas = ready.blas();
        return onParticipantReady();
    }

    private Behavior<JobRunnerCommand> onEvaluatorReady(final EvaluatorReady message)
    {
        if (replacements.isReplacing(spec.workers()))
        {
            return onReplacementReady(spec.workers(), message.ready().endpoint(), message.ready().evaluator());
        }
        evaluatorEndpoint = message.ready().endpoint();
        evaluator = watched(message.ready().evaluator(), "the evaluator", spec.workers(), firstIncarnation);
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
        if (message.connected().copy())
        {
            onCopyConnected(message.connected().shard());
            return next();
        }
        if (phase.ordinal() >= Phase.RUNNING.ordinal())
        {
            return onShardReconnected(message.connected().shard());
        }
        if (phase == Phase.CONNECTING && --pending == 0)
        {
            maybeStartTraining();
        }
        return next();
    }

    private Behavior<JobRunnerCommand> onPlacementFailed(final PlacementFailed message)
    {
        final NodeHost.PlacementFailed failed = message.failed();
        final int copyOf = failed.backupOfShard();
        if (copyOf >= 0)
        {
            // A copy is a safeguard, not a part the job needs.
            if (backups.stage(copyOf) == ShardBackups.Stage.STARTING)
            {
                giveUpCopy(copyOf, "it could not start: " + failed.reason());
                maybeStartTraining();
            }
            return next();
        }
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
        startWarnings.forEach(metrics::warn);
        metrics.onBackupCopies(backups.attachedAtStart());
        if (trainingStartedAt == null)
        {
            trainingStartedAt = Instant.now();
        }
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
        if (takeover != null)
        {
            metrics.startedAt(trainingStartedAt);
            takeover.countInto(metrics);
            for (int w = 0; w < spec.workers(); w++)
            {
                // The scheduler starts every worker at clock 0; the resumed ones carry on from theirs.
                scheduler.tell(new Scheduler.WorkerLost(w));
                scheduler.tell(new Scheduler.WorkerJoined(w, takeover.clockOf(w)));
            }
        }
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
        if (evaluator == null)
        {
            // Being replaced: evaluated as soon as the replacement is connected.
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
            if (worker != null)
            {
                worker.tell(new Worker.GetTelemetry(telemetryTo));
            }
        }
        tendReplacements();
        sendResumePoint();
        final ActorRef<ShardStatistics> statisticsTo =
            getContext().messageAdapter(ShardStatistics.class, ShardStatisticsReceived::new);
        for (int s = 0; s < shards.length; s++)
        {
            if (shardRestarts.isRestarting(s))
            {
                sendRestart(s);
            }
            else if (!shardRestarts.inProgress(s))
            {
                shards[s].tell(new PsShard.GetStatistics(statisticsTo));
            }
        }
        final int overdueShard = shardRestarts.overdue(System.nanoTime(), REPLACEMENT_TIMEOUT.toNanos());
        if (overdueShard >= 0)
        {
            beginStopping("a shard did not restart", "shard " + overdueShard + " did not restart within " +
                REPLACEMENT_TIMEOUT + " (is a ps node with access to its checkpoint up?)");
        }
        scheduler.tell(new Scheduler.GetStatistics(
            getContext().messageAdapter(Scheduler.Statistics.class, SchedulerStatistics::new)));
        return next();
    }

    private void sendResumePoint()
    {
        if (++ticksSinceResumePoint * TICK_INTERVAL.toMillis() < RESUME_POINT_INTERVAL.toMillis() ||
            lastSchedulerStatistics == null)
        {
            return;
        }
        ticksSinceResumePoint = 0;
        manager.tell(new JobManager.ResumePointReached(jobId, new ResumePoint(wireJobId, trainingStartedAt,
            lastSchedulerStatistics.clocks(), metrics.samples(), metrics.steps())));
    }

    private void tendReplacements()
    {
        for (int slot = 0; slot <= spec.workers(); slot++)
        {
            if (replacements.isWaitingForNode(slot))
            {
                placeReplacement(slot, "");
            }
        }
        final int overdue = replacements.overdue(System.nanoTime(), REPLACEMENT_TIMEOUT.toNanos());
        if (overdue >= 0)
        {
            beginStopping("a replacement did not start", "the replacement of " +
                (overdue == spec.workers() ? "the evaluator" : "worker " + overdue) + " did not start within " +
                REPLACEMENT_TIMEOUT + (workerHosts.isEmpty() ? ": no node with role worker is left" : ""));
        }
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
        lastSchedulerStatistics = statistics;
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
            final String stuck = chanceLevelWatch.onLoss(statistics.meanRecentLoss(), statistics.totalSteps());
            if (stuck != null)
            {
                metrics.warn("chance-level watch: " + stuck);
            }
            manager.tell(new JobManager.JobProgress(jobId, metrics.progressEvent()));
        }
        checkBudget();
        return next();
    }

    private Behavior<JobRunnerCommand> onShardStatistics(final ShardStatisticsReceived message)
    {
        final ShardStatistics statistics = message.statistics();
        if (shardRestarts.inProgress(statistics.shard()))
        {
            // A late answer of the lost shard's life; the restarted one reports once it serves.
            return next();
        }
        lastShardVersion[statistics.shard()] = statistics.version();
        if (backups.stage(statistics.shard()) == ShardBackups.Stage.ATTACHED &&
            backups.detachedSince(statistics.shard(), statistics.backupDetaches()))
        {
            giveUpCopy(statistics.shard(), "the shard stopped hearing from its copy: no confirmation within " +
                "the confirmation timeout, or a forward refused");
        }
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

    private void watchShard(final ActorRef<PsShard.Command> shard, final int index)
    {
        final String name = "shard " + index;
        getContext().watchWith(shard, new ParticipantTerminated(name, -1, index, shardRestarts.incarnation(index)));
        placement.put(name, nodeOf(shard));
    }

    /**
     * A shard is gone (its node died, or it failed): while the job trains, Cluster Sharding starts it again on
     * another {@code ps} node from its latest checkpoint, it connects to the workers, and they resend there what it
     * had not acknowledged. What it had acknowledged after that checkpoint is rolled back, and counted.
     */
    private Behavior<JobRunnerCommand> onShardTerminated(final ParticipantTerminated message)
    {
        final int shard = message.shard();
        if (message.incarnation() != shardRestarts.incarnation(shard) || phase.ordinal() >= Phase.STOPPING_SHARDS
            .ordinal())
        {
            return next();
        }
        if (phase.ordinal() < Phase.RUNNING.ordinal() || !shardRestarts.mayRestart())
        {
            beginStopping(message.name() + " stopped unexpectedly", message.name() + " of " + jobId +
                " stopped unexpectedly (see its node's log)" + (phase.ordinal() < Phase.RUNNING.ordinal() ? "" :
                "; no restart left (" + shardRestarts.used() + " used)"));
            return next();
        }
        final String lostNode = placement.getOrDefault(message.name(), "?");
        shardRestarts.begin(shard, lastShardVersion[shard]);
        final boolean fromCopy = backups.stage(shard) == ShardBackups.Stage.ATTACHED;
        final String from = fromCopy ? "its backup copy on " + placement.get(copyPlacement(shard)) :
            "its latest checkpoint";
        if (fromCopy)
        {
            // Cluster Sharding places the shard again where its copy lives; that node hands the copy's state over.
            backups.promoting(shard);
        }
        metrics.onShardLost(shard);
        metrics.warn(message.name() + " on " + lostNode + " was lost at version " + lastShardVersion[shard] +
            " or later; restarting it from " + from);
        getContext().getLog().warn("{}: {} on {} was lost; restarting it from {}", jobId, message.name(), lostNode,
            from);
        sendRestart(shard);
        return next();
    }

    private void sendRestart(final int shard)
    {
        // Idempotent at the entity; resent on ticks, since the first may reach Cluster Sharding before it has
        // noticed that the shard's old node is gone.
        shards[shard].tell(new ShardEntity.Start(jobId, wireJobId, authKey, spec, shard, true, false,
            getContext().messageAdapter(PsShard.Ready.class, ShardReady::new), placementFailures()));
    }

    private Behavior<JobRunnerCommand> onShardRestarted(final PsShard.Ready ready)
    {
        final int shard = ready.shard();
        if (!shardRestarts.ready(shard))
        {
            return next();
        }
        shardEndpoints[shard] = ready.endpoint();
        lastShardVersion[shard] = ready.version();
        watchShard(ready.shardRef(), shard);
        backups.resetDetaches(shard);
        final long behind = Math.max(0, shardRestarts.lostAtVersion(shard) - ready.version());
        if (ready.fromBackup())
        {
            // The copy holds every push the lost shard acknowledged; what it lacks was never acknowledged, and
            // the workers resend it.
            backups.none(shard);
            placement.remove(copyPlacement(shard));
            metrics.onShardPromoted(shard);
            metrics.warn("shard " + shard + " continues on " + nodeOf(ready.shardRef()) + " from its backup copy " +
                "at version " + ready.version() + " (nothing acknowledged rolled back" + (behind > 0 ? "; " + behind +
                " unconfirmed pushes behind the lost shard's last report, which the workers resend" : "") +
                "); it has no backup copy from now on");
        }
        else
        {
            if (backups.stage(shard) == ShardBackups.Stage.PROMOTING)
            {
                giveUpCopy(shard, "its copy could not take over");
            }
            metrics.onShardRestoredFromCheckpoint(shard);
            metrics.rolledBack(behind);
            metrics.warn("shard " + shard + " restarted on " + nodeOf(ready.shardRef()) + " from its checkpoint " +
                "at version " + ready.version() + " (" + behind + " acknowledged updates rolled back, at least)");
        }
        final List<Endpoint> endpoints = new ArrayList<>(Arrays.asList(workerEndpoints));
        endpoints.add(evaluatorEndpoint);
        shards[shard].tell(new PsShard.Connect(List.copyOf(endpoints),
            getContext().messageAdapter(PsShard.Connected.class, ShardConnected::new)));
        return next();
    }

    private Behavior<JobRunnerCommand> onShardReconnected(final int shard)
    {
        if (!shardRestarts.connected(shard))
        {
            return next();
        }
        for (final ActorRef<Worker.Command> worker : workers)
        {
            if (worker != null)
            {
                worker.tell(new Worker.ShardMoved(shard, shardEndpoints[shard]));
            }
        }
        if (evaluator != null)
        {
            evaluator.tell(new Evaluator.ShardMoved(shard, shardEndpoints[shard]));
        }
        return next();
    }

    private Behavior<JobRunnerCommand> onParticipantTerminated(final ParticipantTerminated message)
    {
        if (message.shard() >= 0)
        {
            return onShardTerminated(message);
        }
        final int slot = message.slot();
        if (slot >= 0 && message.incarnation() != replacements.incarnation(slot))
        {
            // An earlier incarnation, already replaced.
            return next();
        }
        final boolean evaluatorStillNeeded = slot == spec.workers() &&
            phase.ordinal() >= Phase.RUNNING.ordinal() && phase.ordinal() <= Phase.FINAL_EVALUATION.ordinal();
        if ((phase == Phase.RUNNING || evaluatorStillNeeded) && slot >= 0 && replacements.mayReplace())
        {
            replaceLost(slot, message.name(), placement.getOrDefault(message.name(), "?"));
        }
        else if (phase == Phase.STOPPING_WORKERS && slot >= 0 && slot < spec.workers() && !workerStopped[slot])
        {
            // A worker that stops in order says so first, but its end may overtake that message: give the message
            // a moment before counting the worker as lost while draining.
            timers.startSingleTimer(new LostWhileStopping(slot, message.name()), STOPPED_GRACE);
        }
        else if (phase.ordinal() < Phase.STOPPING_WORKERS.ordinal())
        {
            // A part that stops while the job runs has crashed (or its node is gone); its node's log says why.
            beginStopping(message.name() + " stopped unexpectedly", message.name() + " of " + jobId +
                " stopped unexpectedly (see its node's log for the error)" +
                (slot >= 0 ? "; no replacement left (" + replacements.used() + " used)" : ""));
        }
        return next();
    }

    /**
     * A worker or the evaluator is gone (its node crashed, was partitioned away and downed, or the part failed):
     * the scheduler stops waiting for it, and a replacement with the same slot, hence the same data slice, loaded
     * from the copy on its own node, starts on a live worker node. The shards will refuse whatever the lost one
     * still sends (a paused process may resume) and give the replacement the whole range on its first request.
     */
    private void replaceLost(final int slot, final String name, final String lostNode)
    {
        final boolean isEvaluator = slot == spec.workers();
        if (isEvaluator)
        {
            evaluator = null;
            evaluationPending |= evaluating;
            evaluating = false;
        }
        else
        {
            workers[slot] = null;
            scheduler.tell(new Scheduler.WorkerLost(slot));
        }
        final long clock = isEvaluator ? 0 : joinClock(slot);
        final int incarnation = replacements.begin(slot, clock);
        metrics.warn(name + " on " + lostNode + " was lost; starting incarnation " + incarnation + " of its slot" +
            (isEvaluator ? "" : " at clock " + clock));
        getContext().getLog().warn("{}: {} on {} was lost; replacing it (incarnation {})", jobId, name, lostNode,
            incarnation);
        placeReplacement(slot, lostNode);
    }

    /**
     * Where a replacement joins: the smallest clock among the other active workers, so it holds nobody back and
     * runs ahead of nobody.
     */
    private long joinClock(final int lostSlot)
    {
        final Scheduler.Statistics statistics = lastSchedulerStatistics;
        if (statistics == null)
        {
            return 0;
        }
        long min = Long.MAX_VALUE;
        for (final Map.Entry<Integer, Long> entry : statistics.clocks().entrySet())
        {
            if (entry.getKey() != lostSlot)
            {
                min = Math.min(min, entry.getValue());
            }
        }
        return min == Long.MAX_VALUE ? statistics.clocks().getOrDefault(lostSlot, 0L) : min;
    }

    private void placeReplacement(final int slot, final String lostNode)
    {
        final List<ActorRef<NodeHost.Command>> live = new ArrayList<>();
        for (final ActorRef<NodeHost.Command> host : workerHosts)
        {
            if (!nodeOf(host).equals(lostNode))
            {
                live.add(host);
            }
        }
        if (live.isEmpty())
        {
            // Tried again on every tick until a worker node is listed, or the replacement times out.
            return;
        }
        replacements.placed(slot);
        final ActorRef<NodeHost.Command> host = live.get(slot % live.size());
        final List<Endpoint> shardList = List.copyOf(Arrays.asList(shardEndpoints));
        final int incarnation = replacements.incarnation(slot);
        if (slot == spec.workers())
        {
            host.tell(new NodeHost.HostEvaluator(jobId, wireJobId, authKey, spec, incarnation, shardList,
                getContext().messageAdapter(Evaluator.Ready.class, EvaluatorReady::new), placementFailures()));
        }
        else
        {
            host.tell(new NodeHost.HostWorker(jobId, wireJobId, authKey, spec, slot,
                workerSeeds[slot] + incarnation * 0x9E3779B97F4A7C15L, incarnation, replacements.clock(slot),
                shardList, getContext().messageAdapter(Worker.Ready.class, WorkerReady::new), placementFailures()));
        }
    }

    private <T> Behavior<JobRunnerCommand> onReplacementReady(
        final int slot, final Endpoint endpoint, final ActorRef<T> part)
    {
        final boolean isEvaluator = slot == spec.workers();
        final String name = isEvaluator ? "the evaluator" : "worker " + slot;
        watched(part, name, slot, replacements.incarnation(slot));
        if (!replacementWanted(slot))
        {
            stopReplacement(part, isEvaluator);
            return next();
        }
        replacements.ready(slot, part, endpoint);
        final ActorRef<PsShard.WorkerAdmitted> admittedTo =
            getContext().messageAdapter(PsShard.WorkerAdmitted.class, SlotAdmitted::new);
        for (final EntityRef<PsShard.Command> shard : shards)
        {
            shard.tell(new PsShard.AdmitWorker(slot, Incarnations.sequenceBase(replacements.incarnation(slot)),
                endpoint, admittedTo));
        }
        return next();
    }

    /**
     * A worker's replacement is wanted while the job trains; the evaluator's until the final evaluation is done,
     * since the model is read through it.
     */
    private boolean replacementWanted(final int slot)
    {
        return phase == Phase.RUNNING || slot == spec.workers() &&
            phase.ordinal() >= Phase.RUNNING.ordinal() && phase.ordinal() <= Phase.FINAL_EVALUATION.ordinal();
    }

    @SuppressWarnings("unchecked")
    private void stopReplacement(final ActorRef<?> part, final boolean isEvaluator)
    {
        if (isEvaluator)
        {
            ((ActorRef<Evaluator.Command>)part).tell(Evaluator.Stop.INSTANCE);
        }
        else
        {
            ((ActorRef<Worker.Command>)part).tell(new Worker.Stop(getContext().getSystem().ignoreRef()));
        }
    }

    @SuppressWarnings("unchecked")
    private Behavior<JobRunnerCommand> onSlotAdmitted(final SlotAdmitted message)
    {
        final PsShard.WorkerAdmitted admitted = message.admitted();
        final int slot = admitted.workerId();
        if (admitted.error() != null)
        {
            beginStopping("a replacement could not be connected", "shard " + admitted.shard() + " could not admit " +
                "the replacement of slot " + slot + ": " + admitted.error());
            return next();
        }
        replacements.addPreviousPushes(slot, admitted.previousIncarnationPushes());
        if (!replacements.admitted(slot, shards.length))
        {
            return next();
        }
        if (slot < spec.workers())
        {
            // The shards say exactly what the lost incarnation pushed, telemetry it may not have lived to send.
            metrics.onIncarnationRetired(slot, replacements.incarnation(slot) - 1, replacements.previousPushes(slot));
        }
        if (!replacementWanted(slot))
        {
            stopReplacement(replacements.part(slot), slot == spec.workers());
            replacements.done(slot);
            return next();
        }
        final ActorRef<?> part = replacements.part(slot);
        placement.put(slot == spec.workers() ? "the evaluator" : "worker " + slot, nodeOf(part));
        metrics.warn((slot == spec.workers() ? "the evaluator" : "worker " + slot) + " replaced on " + nodeOf(part));
        final Endpoint endpoint = replacements.endpoint(slot);
        replacements.done(slot);
        if (slot == spec.workers())
        {
            evaluatorEndpoint = endpoint;
            evaluator = (ActorRef<Evaluator.Command>)part;
            if (evaluationPending)
            {
                requestEvaluation();
            }
        }
        else
        {
            workerEndpoints[slot] = endpoint;
            workers[slot] = (ActorRef<Worker.Command>)part;
            scheduler.tell(new Scheduler.WorkerJoined(slot, replacements.clock(slot)));
            workers[slot].tell(new Worker.Start(scheduler,
                getContext().messageAdapter(Worker.Failed.class, WorkerFailed::new)));
        }
        return next();
    }

    private Behavior<JobRunnerCommand> onStartTimeout(final StartTimeout timeout)
    {
        if (takeover != null && phase == Phase.FINDING_HOSTS)
        {
            // Taking a job over without the nodes to reclaim its parts from: nothing was started, nothing to stop.
            stopReason = "start timeout";
            failure = "no node with role " + (psHosts.isEmpty() ? "ps" : "worker") + " came up within " +
                START_TIMEOUT + " to take " + jobId + " over";
            reportAndStop();
        }
        else if (phase.ordinal() < Phase.RUNNING.ordinal())
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
        if (takeover != null && phase.ordinal() <= Phase.RECLAIMING.ordinal())
        {
            // A job taken over is stopped only after the lost run's parts are reclaimed (they would run on, orphaned):
            // once the hosts are known and the parts stopped, nothing is started again.
            stopReason = reason;
            failure = failure != null ? failure : reason + " while taking the job over";
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
        pending = 0;
        for (int w = 0; w < workers.length; w++)
        {
            if (workers[w] != null)
            {
                workers[w].tell(new Worker.Stop(stoppedTo));
                pending++;
                continue;
            }
            // Nothing to wait for from this slot.
            workerStopped[w] = true;
            if (replacements.part(w) != null)
            {
                // Connected but not yet admitted by every shard: it never trained, nothing to drain.
                stopReplacement(replacements.part(w), false);
                replacements.done(w);
            }
        }
        if (pending == 0)
        {
            workersStopped();
        }
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
        stopCopies();
    }

    private void stopCopies()
    {
        for (int shard = 0; shard < shards.length; shard++)
        {
            final ActorRef<PsShard.Command> copy = backups.none(shard);
            if (copy != null)
            {
                copy.tell(new PsShard.Stop(getContext().getSystem().ignoreRef()));
            }
        }
    }

    private Behavior<JobRunnerCommand> onLostWhileStopping(final LostWhileStopping lost)
    {
        if (phase == Phase.STOPPING_WORKERS && !workerStopped[lost.slot()])
        {
            // What it had acknowledged is applied; there is nothing more to wait for.
            workerStopped[lost.slot()] = true;
            metrics.warn(lost.name() + " was lost while stopping");
            if (--pending == 0)
            {
                workersStopped();
            }
        }
        return next();
    }

    private Behavior<JobRunnerCommand> onWorkerStopped(final WorkerStopped message)
    {
        final Worker.Stopped stopped = message.stopped();
        if (workerStopped[stopped.workerId()])
        {
            return next();
        }
        workerStopped[stopped.workerId()] = true;
        metrics.onWorkerTelemetry(stopped.workerId(), stopped.telemetry());
        if (!stopped.drained())
        {
            metrics.warn("worker " + stopped.workerId() + " had to be cut short while stopping");
        }
        if (phase == Phase.STOPPING_WORKERS && --pending == 0)
        {
            workersStopped();
        }
        return next();
    }

    private void workersStopped()
    {
        scheduler.tell(Scheduler.Stop.INSTANCE);
        phase = Phase.FINAL_EVALUATION;
        if (!evaluating)
        {
            requestFinalEvaluation();
        }
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
        stopCopies();
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
