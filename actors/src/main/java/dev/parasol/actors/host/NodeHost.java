package dev.parasol.actors.host;

import dev.parasol.actors.CborSerializable;
import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.dataplane.TrainingCounters;
import dev.parasol.actors.exceptions.ConfigurationException;
import dev.parasol.actors.job.NodeResources;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.psshard.CheckpointPlan;
import dev.parasol.actors.psshard.PsShard;
import dev.parasol.actors.psshard.PsShardSetup;
import dev.parasol.actors.psshard.ShardCheckpointFile;
import dev.parasol.actors.psshard.ShardSnapshot;
import dev.parasol.actors.psshard.ShardState;
import dev.parasol.actors.worker.Evaluator;
import dev.parasol.actors.worker.Worker;
import dev.parasol.actors.worker.WorkerSetup;
import dev.parasol.engine.data.FashionMnist;
import dev.parasol.engine.data.InMemoryDataset;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.wire.DenseEncoder;
import dev.parasol.wire.JobKey;
import dev.parasol.wire.MessageAuthenticator;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starts the parts of jobs that this node's roles allow: parameter-server shards on a {@code ps} node, workers and
 * evaluators on a {@code worker} node. A job runner, wherever it runs, finds hosts through the receptionist
 * ({@link #PS_HOSTS}, {@link #WORKER_HOSTS}) and sends them placements; a placement carries only a serializable
 * description (the job spec, ids, endpoints), and the host builds the part with what is local to it: the data plane,
 * the shard thread, and this node's copy of the data set, so no training data ever crosses the network.
 * <p>
 * The parts are children of the host, on the blocking dispatcher (they wait for Aeron while they connect). Each job
 * gets its own counters on each node, released when the job's last part on the node stops.
 */
public final class NodeHost extends AbstractBehavior<NodeHost.Command>
{
    /**
     * Hosts that can run parameter-server shards.
     */
    public static final ServiceKey<Command> PS_HOSTS = ServiceKey.create(Command.class, "parasol-ps-hosts");

    /**
     * Hosts that can run workers and evaluators.
     */
    public static final ServiceKey<Command> WORKER_HOSTS = ServiceKey.create(Command.class, "parasol-worker-hosts");

    /**
     * The role that runs shards.
     */
    public static final String PS_ROLE = "ps";

    /**
     * The role that runs workers.
     */
    public static final String WORKER_ROLE = "worker";

    private static final int FIRST_STREAM_ID = 1001;
    private static final long RESEND_INTERVAL_NS = Duration.ofSeconds(2).toNanos();
    private static final String SHARD_CHECKPOINT_DIRECTORY = "shards";
    private static final String CHECKPOINT_INTERVAL_SETTING = "parasol.shards.checkpoint-interval";
    private static final Duration STOP_JOB_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration HAND_OVER_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Messages a host accepts.
     */
    public interface Command extends CborSerializable
    {
    }

    /**
     * Start one shard of a job here.
     *
     * @param jobId     the job.
     * @param wireJobId the job id of its data-plane messages.
     * @param authKey   the job's key ({@link JobKey#toBytes()}), which signs every data-plane message.
     * @param spec      the job's spec.
     * @param shard     the shard's index.
     * @param restore   whether it replaces a lost shard: it continues from this node's backup copy of the shard
     *                  when there is one, else from the shard's checkpoint.
     * @param backup    whether it is the shard's backup copy rather than the shard.
     * @param readyTo   told when the shard listens.
     * @param failedTo  told if it cannot start here.
     */
    public record HostShard(
        String jobId, long wireJobId, byte[] authKey, JobSpec spec, int shard, boolean restore, boolean backup,
        ActorRef<PsShard.Ready> readyTo, ActorRef<PlacementFailed> failedTo) implements Command
    {
    }

    /**
     * Start one worker of a job here.
     *
     * @param jobId          the job.
     * @param wireJobId      the job id of its data-plane messages.
     * @param authKey        the job's key ({@link JobKey#toBytes()}), which signs every data-plane message.
     * @param spec           the job's spec.
     * @param workerId       the worker.
     * @param seed           the worker's own seed.
     * @param incarnation    0 for the slot's first worker, 1, 2, ... for replacements of a lost one.
     * @param initialClock   the clock it starts at: 0, or where a replacement joins.
     * @param shardEndpoints where the job's shards listen, in shard order.
     * @param readyTo        told when the worker is connected.
     * @param failedTo       told if it cannot start here.
     */
    public record HostWorker(
        String jobId, long wireJobId, byte[] authKey, JobSpec spec, int workerId, long seed, int incarnation,
        long initialClock, List<Endpoint> shardEndpoints, ActorRef<Worker.Ready> readyTo,
        ActorRef<PlacementFailed> failedTo) implements Command
    {
    }

    /**
     * Start a job's evaluator here.
     *
     * @param jobId          the job.
     * @param wireJobId      the job id of its data-plane messages.
     * @param authKey        the job's key ({@link JobKey#toBytes()}), which signs every data-plane message.
     * @param spec           the job's spec.
     * @param incarnation    0 for the job's first evaluator, 1, 2, ... for replacements of a lost one.
     * @param shardEndpoints where the job's shards listen, in shard order.
     * @param readyTo        told when the evaluator is connected.
     * @param failedTo       told if it cannot start here.
     */
    public record HostEvaluator(
        String jobId, long wireJobId, byte[] authKey, JobSpec spec, int incarnation, List<Endpoint> shardEndpoints,
        ActorRef<Evaluator.Ready> readyTo, ActorRef<PlacementFailed> failedTo) implements Command
    {
    }

    /**
     * A part could not be started on a host.
     *
     * @param part         which, e.g. {@code shard 1}.
     * @param reason       why, naming the setting or the file at fault.
     * @param backupOfShard the shard whose backup copy could not start, or -1 when the part is not a copy: a copy
     *                      is a safeguard the job can do without, any other part is needed.
     */
    public record PlacementFailed(String part, String reason, int backupOfShard) implements CborSerializable
    {
        /**
         * A part the job needs could not be started.
         *
         * @param part   which, e.g. {@code shard 1}.
         * @param reason why.
         */
        public PlacementFailed(final String part, final String reason)
        {
            this(part, reason, -1);
        }
    }

    /**
     * Stop every part on this node, then the host; say so when all have stopped, so the node can close its data
     * plane knowing nothing touches it any more.
     *
     * @param replyTo told when every part has stopped.
     */
    public record Shutdown(ActorRef<Done> replyTo) implements Command
    {
    }

    /**
     * Stop every worker and evaluator of a job on this node, workers in order (each drains what it has in flight and
     * reports its final clock and telemetry): a job runner that takes over a job after its coordinator was lost
     * reclaims the job's parts this way before it carries on. The job's shards are not touched: they are reached
     * through Cluster Sharding.
     *
     * @param jobId   the job.
     * @param replyTo told once they have stopped.
     */
    public record StopJob(String jobId, ActorRef<JobStopped> replyTo) implements Command
    {
    }

    /**
     * The parts of a job on one node have stopped.
     *
     * @param jobId      the job.
     * @param workers    how each of its workers here stopped: final clock and telemetry.
     * @param evaluators how many evaluators of the job were stopped here.
     * @param failures   workers that did not say how they stopped, and why.
     */
    public record JobStopped(String jobId, List<Worker.Stopped> workers, int evaluators, List<String> failures)
        implements CborSerializable
    {
        /**
         * Copy the lists.
         *
         * @param jobId      the job.
         * @param workers    how each of its workers here stopped.
         * @param evaluators how many evaluators were stopped.
         * @param failures   workers that did not say how they stopped.
         */
        public JobStopped
        {
            workers = List.copyOf(workers);
            failures = List.copyOf(failures);
        }
    }

    private record PartStopped(String jobId, ActorRef<?> part) implements Command
    {
    }

    private record BackupHandedOver(HostShard host, PsShard.HandedOver handedOver, Throwable failure)
        implements Command, NoSerializationVerificationNeeded
    {
    }

    private record WorkerStopReply(StopCollection collection, String worker, Worker.Stopped stopped,
        Throwable failure) implements Command, NoSerializationVerificationNeeded
    {
    }

    /**
     * The replies a {@link StopJob} waits for.
     */
    private static final class StopCollection
    {
        private final StopJob request;
        private final List<Worker.Stopped> stopped = new ArrayList<>();
        private final List<String> failures = new ArrayList<>();
        private final int evaluators;
        private int pending;

        private StopCollection(final StopJob request, final int pending, final int evaluators)
        {
            this.request = request;
            this.pending = pending;
            this.evaluators = evaluators;
        }
    }

    private final NodeResources node;
    private final Duration checkpointInterval;
    private long restoredShards;
    private int streamId = FIRST_STREAM_ID;
    private final Map<String, List<TrainingCounters>> countersByJob = new HashMap<>();
    private final Map<String, Integer> partsByJob = new HashMap<>();
    private final Map<String, List<ActorRef<Worker.Command>>> workersByJob = new HashMap<>();
    private final Map<String, List<ActorRef<Evaluator.Command>>> evaluatorsByJob = new HashMap<>();
    private final Map<String, ActorRef<PsShard.Command>> backupCopies = new HashMap<>();
    private int liveParts;
    private ActorRef<Done> shutdownReplyTo;

    private NodeHost(final ActorContext<Command> context, final NodeResources node, final Set<String> roles)
    {
        super(context);
        this.node = node;
        this.checkpointInterval = context.getSystem().settings().config().getDuration(CHECKPOINT_INTERVAL_SETTING);
        final ActorRef<Receptionist.Command> receptionist = context.getSystem().receptionist();
        if (roles.contains(PS_ROLE))
        {
            receptionist.tell(Receptionist.register(PS_HOSTS, context.getSelf()));
        }
        if (roles.contains(WORKER_ROLE))
        {
            receptionist.tell(Receptionist.register(WORKER_HOSTS, context.getSelf()));
        }
    }

    /**
     * Create the host of a node.
     *
     * @param node  the node's data plane, shard thread and data sets.
     * @param roles the node's roles; {@code ps} and {@code worker} decide what it offers.
     * @return the behavior.
     */
    public static Behavior<Command> create(final NodeResources node, final Set<String> roles)
    {
        return Behaviors.setup((context) -> new NodeHost(context, node, roles));
    }

    @Override
    public Receive<Command> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(HostShard.class, this::onHostShard)
            .onMessage(BackupHandedOver.class, this::onBackupHandedOver)
            .onMessage(HostWorker.class, this::onHostWorker)
            .onMessage(HostEvaluator.class, this::onHostEvaluator)
            .onMessage(StopJob.class, this::onStopJob)
            .onMessage(WorkerStopReply.class, this::onWorkerStopReply)
            .onMessage(PartStopped.class, this::onPartStopped)
            .onMessage(Shutdown.class, this::onShutdown)
            .build();
    }

    private Behavior<Command> onHostShard(final HostShard host)
    {
        final ActorRef<PsShard.Command> copy =
            host.restore() && !host.backup() ? backupCopies.remove(copyKey(host.jobId(), host.shard())) : null;
        if (copy != null)
        {
            // Cluster Sharding placed the lost shard where its copy lives: continue from the copy's live state.
            getContext().ask(PsShard.HandedOver.class, copy, HAND_OVER_TIMEOUT, PsShard.HandOver::new,
                (handedOver, failure) -> new BackupHandedOver(host, handedOver, failure));
            return this;
        }
        buildShard(host, null);
        return this;
    }

    private Behavior<Command> onBackupHandedOver(final BackupHandedOver message)
    {
        final HostShard host = message.host();
        final ShardState promoted = message.handedOver() == null ? null : message.handedOver().state();
        if (promoted == null)
        {
            getContext().getLog().warn("shard {} of {}: its backup copy on this node cannot take over ({}); " +
                "restoring it from its checkpoint", host.shard(), host.jobId(), message.failure() != null ?
                message.failure().toString() : message.handedOver().error());
        }
        buildShard(host, promoted);
        return this;
    }

    private static String copyKey(final String jobId, final int shard)
    {
        return jobId + "/" + shard;
    }

    private void buildShard(final HostShard host, final ShardState promoted)
    {
        final String part = (host.backup() ? "backup copy of shard " : "shard ") + host.shard();
        try
        {
            final JobSpec spec = host.spec();
            final KeyRange range = spec.workload().create(1).layout().split(spec.shards())[host.shard()];
            final int dense = DenseEncoder.length(range.length()) + MessageAuthenticator.TAG_LENGTH;
            final int maxMessage = node.dataPlane().context().maxMessageLength();
            if (dense > maxMessage)
            {
                throw new ConfigurationException("shards=" + spec.shards() + ": a dense message of shard " +
                    host.shard() + " (" + range.length() + " parameters) takes " + dense + " bytes, more than the " +
                    "data plane's largest message of " + maxMessage + " bytes (termLength / 8); use more shards " +
                    "or a larger term length");
            }
            final PsShardSetup setup = new PsShardSetup(host.jobId(), host.wireJobId(), range, spec.workload(),
                spec.seed(), spec.optimiserConfig(), spec.staleness(), spec.workers(), node.dataPlane(),
                counters(host.jobId(), "shard=" + host.shard() + (host.backup() ? " backup" : "")),
                counters(host.jobId(), "evaluation"), node.shardRunner(), nextStreamId(),
                JobKey.fromBytes(host.authKey()), host.backup() ? null : checkpointPlan(host, promoted != null),
                host.backup(), promoted, host.readyTo());
            // A restarted shard may land where an earlier life of it still winds down: its name must differ.
            final ActorRef<PsShard.Command> shard = spawn(host.jobId(), PsShard.create(setup),
                host.jobId() + "-shard-" + host.shard() + (host.backup() ? "-backup" : "") +
                (host.restore() || host.backup() ? "-" + ++restoredShards : ""));
            if (host.backup())
            {
                backupCopies.put(copyKey(host.jobId(), host.shard()), shard);
            }
        }
        catch (final RuntimeException ex)
        {
            host.failedTo().tell(new PlacementFailed(part, describe(ex), host.backup() ? host.shard() : -1));
        }
    }

    private Behavior<Command> onHostWorker(final HostWorker host)
    {
        final String part = "worker " + host.workerId();
        try
        {
            final JobSpec spec = host.spec();
            final InMemoryDataset train = data(spec).train();
            final int[][] slices = spec.partition().newPartitioner(spec.seed()).partition(train, spec.workers());
            final List<KeyRange> ranges = Arrays.asList(spec.workload().create(1).layout().split(spec.shards()));
            final WorkerSetup setup = new WorkerSetup(host.jobId(), host.wireJobId(), host.workerId(),
                spec.workload(), spec.batchSize(), spec.compress(), spec.errorFeedback(), spec.warmupSteps(),
                spec.overlap(), host.seed(), ranges, host.shardEndpoints(), train.subset(slices[host.workerId()]),
                node.dataPlane(),
                counters(host.jobId(), "worker=" + host.workerId()), nextStreamId(), RESEND_INTERVAL_NS,
                host.incarnation(), host.initialClock(), JobKey.fromBytes(host.authKey()), host.readyTo());
            final ActorRef<Worker.Command> worker = spawn(host.jobId(), Worker.create(setup),
                host.jobId() + "-worker-" + host.workerId() + incarnationSuffix(host.incarnation()));
            workersByJob.computeIfAbsent(host.jobId(), (id) -> new ArrayList<>()).add(worker);
        }
        catch (final RuntimeException ex)
        {
            host.failedTo().tell(new PlacementFailed(part, describe(ex)));
        }
        return this;
    }

    private Behavior<Command> onHostEvaluator(final HostEvaluator host)
    {
        try
        {
            final JobSpec spec = host.spec();
            final List<KeyRange> ranges = Arrays.asList(spec.workload().create(1).layout().split(spec.shards()));
            final ActorRef<Evaluator.Command> evaluator = spawn(host.jobId(), Evaluator.create(host.wireJobId(),
                spec.workers(), spec.workload(), ranges, host.shardEndpoints(), data(spec).test(), node.dataPlane(),
                counters(host.jobId(), "evaluation"), nextStreamId(), host.incarnation(),
                JobKey.fromBytes(host.authKey()), host.readyTo()),
                host.jobId() + "-evaluator" + incarnationSuffix(host.incarnation()));
            evaluatorsByJob.computeIfAbsent(host.jobId(), (id) -> new ArrayList<>()).add(evaluator);
        }
        catch (final RuntimeException ex)
        {
            host.failedTo().tell(new PlacementFailed("evaluator", describe(ex)));
        }
        return this;
    }

    private CheckpointPlan checkpointPlan(final HostShard host, final boolean fromBackupCopy)
    {
        final Path file = ShardCheckpointFile.path(
            host.spec().checkpointDirFor(host.jobId()).resolve(SHARD_CHECKPOINT_DIRECTORY), host.shard());
        ShardSnapshot restoreFrom = null;
        if (host.restore() && !fromBackupCopy)
        {
            try
            {
                restoreFrom = ShardCheckpointFile.read(file);
            }
            catch (final NoSuchFileException ex)
            {
                throw new ConfigurationException("shard " + host.shard() + " of " + host.jobId() + " was lost and " +
                    "has no checkpoint at " + file + " on this node: a shard checkpoint directory that is local to " +
                    "each ps node is lost with its node; give parasol.shards.checkpoint-interval a positive value " +
                    "and put the job's checkpoint-dir on storage every ps node shares (docs/deployment.md)");
            }
            catch (final IOException ex)
            {
                throw new ConfigurationException("shard " + host.shard() + " of " + host.jobId() +
                    " cannot be restored: " + ex.getMessage());
            }
        }
        return new CheckpointPlan(file, checkpointInterval, restoreFrom);
    }

    /**
     * Get a stream id no other part on this node uses. Parts of a node subscribe at the node's data endpoint; with a
     * fixed data port (--data-bind HOST:PORT) they share the port and only the stream id tells their traffic apart,
     * so two workers on one stream would each receive, and reject, the other's updates.
     */
    private int nextStreamId()
    {
        final int id = streamId;
        streamId = streamId == Integer.MAX_VALUE ? FIRST_STREAM_ID : streamId + 1;
        return id;
    }

    private static String incarnationSuffix(final int incarnation)
    {
        return incarnation == 0 ? "" : "-" + incarnation;
    }

    private FashionMnist data(final JobSpec spec)
    {
        return node.fashionMnist(spec.dataDir());
    }

    private <T> ActorRef<T> spawn(final String jobId, final Behavior<T> behavior, final String name)
    {
        final ActorRef<T> child = getContext().spawn(behavior, name, DispatcherSelector.blocking());
        getContext().watchWith(child, new PartStopped(jobId, child));
        partsByJob.merge(jobId, 1, Integer::sum);
        liveParts++;
        return child;
    }

    private Behavior<Command> onStopJob(final StopJob stop)
    {
        final List<ActorRef<Worker.Command>> workers = liveChildren(workersByJob.remove(stop.jobId()));
        final List<ActorRef<Evaluator.Command>> evaluators = liveChildren(evaluatorsByJob.remove(stop.jobId()));
        evaluators.forEach((evaluator) -> evaluator.tell(Evaluator.Stop.INSTANCE));
        final StopCollection collection = new StopCollection(stop, workers.size(), evaluators.size());
        getContext().getLog().info("job {}: stopping its {} workers and {} evaluators on this node for a runner " +
            "that takes the job over", stop.jobId(), workers.size(), evaluators.size());
        for (final ActorRef<Worker.Command> worker : workers)
        {
            getContext().ask(Worker.Stopped.class, worker, STOP_JOB_TIMEOUT, Worker.Stop::new,
                (stopped, failure) -> new WorkerStopReply(collection, worker.path().name(), stopped, failure));
        }
        replyIfStopped(collection);
        return this;
    }

    private Behavior<Command> onWorkerStopReply(final WorkerStopReply reply)
    {
        final StopCollection collection = reply.collection();
        if (reply.stopped() != null)
        {
            collection.stopped.add(reply.stopped());
        }
        else
        {
            collection.failures.add(reply.worker() + ": " + reply.failure());
        }
        collection.pending--;
        replyIfStopped(collection);
        return this;
    }

    private static void replyIfStopped(final StopCollection collection)
    {
        if (collection.pending == 0)
        {
            final StopJob request = collection.request;
            request.replyTo().tell(
                new JobStopped(request.jobId(), collection.stopped, collection.evaluators, collection.failures));
        }
    }

    private <T> List<ActorRef<T>> liveChildren(final List<ActorRef<T>> parts)
    {
        final List<ActorRef<T>> live = new ArrayList<>();
        if (parts != null)
        {
            for (final ActorRef<T> part : parts)
            {
                if (getContext().getChild(part.path().name()).isPresent())
                {
                    live.add(part);
                }
            }
        }
        return live;
    }

    private Behavior<Command> onShutdown(final Shutdown shutdown)
    {
        shutdownReplyTo = shutdown.replyTo();
        if (liveParts == 0)
        {
            shutdownReplyTo.tell(Done.getInstance());
            return Behaviors.stopped();
        }
        getContext().getChildren().forEach((child) -> getContext().stop(child));
        return this;
    }

    private Behavior<Command> onPartStopped(final PartStopped stopped)
    {
        liveParts--;
        // A backup copy that stopped (its job ended, its primary was lost elsewhere) can no longer take over.
        backupCopies.values().remove(stopped.part());
        final int left = partsByJob.merge(stopped.jobId(), -1, Integer::sum);
        if (left <= 0)
        {
            // The job's last part on this node is gone: release its counters, which live in the driver's file.
            partsByJob.remove(stopped.jobId());
            workersByJob.remove(stopped.jobId());
            evaluatorsByJob.remove(stopped.jobId());
            final List<TrainingCounters> counters = countersByJob.remove(stopped.jobId());
            if (counters != null)
            {
                counters.forEach(TrainingCounters::close);
            }
        }
        if (shutdownReplyTo != null && liveParts == 0)
        {
            shutdownReplyTo.tell(Done.getInstance());
            return Behaviors.stopped();
        }
        return this;
    }

    private TrainingCounters counters(final String jobId, final String part)
    {
        // One set per part, so each worker reports its own back pressure and failures; freed with the job.
        final TrainingCounters counters = node.dataPlane().newTrainingCounters("job=" + jobId + " " + part);
        countersByJob.computeIfAbsent(jobId, (id) -> new ArrayList<>()).add(counters);
        return counters;
    }

    private static String describe(final RuntimeException ex)
    {
        return ex.getMessage() == null ? ex.toString() : ex.getMessage();
    }
}
