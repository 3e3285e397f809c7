package dev.parasol.actors.psshard;

import dev.parasol.actors.CborSerializable;
import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.dataplane.MessageSender;
import dev.parasol.engine.model.Model;
import dev.parasol.wire.MessageAuthenticator;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import org.agrona.CloseHelper;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * A parameter-server shard: one job's key range, its optimiser state, a version and the last sequence applied per
 * worker, held by a {@link ShardState} that a {@link ShardAgent} drives on the node's shard thread. The actor owns the
 * lifecycle: it listens when created ({@link Ready}), connects back to the workers on {@link Connect}, answers
 * statistics, and on {@link Stop} hands back the final snapshot. Spawn it on a blocking dispatcher: connecting waits
 * for Aeron.
 * <p>
 * <b>Backup copies.</b> A shard built as a backup ({@link PsShardSetup#backup()}) connects only to its primary
 * ({@link Connect} with the primary's endpoint), takes the pushes the primary forwards and confirms each back; it
 * never serves workers. A primary told to {@link AttachBackup} forwards to it from its first push on and holds each
 * acknowledgement until confirmed (see {@link ShardState}). When the primary's node dies, the restarted primary is
 * placed on the backup's node, takes the copy's live state ({@link HandOver}) and serves from there: nothing it
 * acknowledged is lost.
 */
public final class PsShard extends AbstractBehavior<PsShard.Command>
{
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Messages a shard accepts.
     */
    public interface Command
    {
    }

    /**
     * Connect to the workers and start serving.
     *
     * @param workerEndpoints where each worker listens, by worker id; the last one is the evaluator's.
     * @param replyTo         told when the shard serves.
     */
    public record Connect(List<Endpoint> workerEndpoints, ActorRef<Connected> replyTo)
        implements Command, CborSerializable
    {
    }

    /**
     * Hand a worker slot to a replacement worker (or evaluator): connect to it, then send the slot's replies there
     * and accept only the replacement's sequences ({@link ShardState#admitIncarnation}).
     *
     * @param workerId the slot.
     * @param base     the replacement's sequence base.
     * @param endpoint where the replacement listens.
     * @param replyTo  told when the slot is handed over, or why not.
     */
    public record AdmitWorker(int workerId, long base, Endpoint endpoint, ActorRef<WorkerAdmitted> replyTo)
        implements Command, CborSerializable
    {
    }

    /**
     * A slot was handed to a replacement, or could not be.
     *
     * @param shard    the shard's index.
     * @param workerId the slot.
     * @param error    null when handed over, else why not.
     * @param previousIncarnationPushes the pushes this shard took from the slot's earlier incarnation.
     */
    public record WorkerAdmitted(int shard, int workerId, String error, long previousIncarnationPushes)
        implements CborSerializable
    {
    }

    /**
     * Give this primary a backup copy, which listens at {@code backupEndpoint}: connect to it and forward every push
     * from the first on. Sent before the workers start; if it arrives before {@link Connect}, it is applied when the
     * shard connects, before it reads a message.
     *
     * @param backupEndpoint where the backup listens.
     * @param replyTo        told when the copy is attached, or why not.
     */
    public record AttachBackup(Endpoint backupEndpoint, ActorRef<BackupAttached> replyTo)
        implements Command, CborSerializable
    {
    }

    /**
     * The backup copy is attached, or could not be.
     *
     * @param shard the shard's index.
     * @param error null when attached, else why not.
     */
    public record BackupAttached(int shard, String error) implements CborSerializable
    {
    }

    /**
     * Go on without the backup copy (it was lost): the acknowledgements held for it are sent now.
     *
     * @param shard the shard's index.
     */
    public record DetachBackup(int shard) implements Command, CborSerializable
    {
    }

    /**
     * Stop this backup copy and hand its live state to the caller, on the same node: the restarted primary continues
     * from it. Never crosses nodes (a state is not a message).
     *
     * @param replyTo where the state goes.
     */
    public record HandOver(ActorRef<HandedOver> replyTo) implements Command, NoSerializationVerificationNeeded
    {
    }

    /**
     * The live state of a backup copy, or why there is none. Never crosses nodes.
     *
     * @param state the state, now owned by the receiver; null on error.
     * @param error null, or why no state is handed over (not a backup, not connected, detached by its primary...).
     */
    public record HandedOver(ShardState state, String error) implements NoSerializationVerificationNeeded
    {
    }

    /**
     * Ask for the shard's statistics.
     *
     * @param replyTo where they go.
     */
    public record GetStatistics(ActorRef<ShardStatistics> replyTo) implements Command, CborSerializable
    {
    }

    /**
     * Stop serving and hand back the final state.
     *
     * @param replyTo where the snapshot goes.
     */
    public record Stop(ActorRef<Stopped> replyTo) implements Command, CborSerializable
    {
    }

    /**
     * Stop serving and write the final state to the shard's checkpoint, for a job that goes on elsewhere: a runner
     * that took the job over after its coordinator was lost restarts the shard from it, so nothing the shard
     * acknowledged is lost. Answered like {@link Stop}; the error says why no checkpoint was written.
     *
     * @param shard   the shard's index, named in the reply even by an entity that holds no shard.
     * @param replyTo where the statistics go.
     */
    public record Suspend(int shard, ActorRef<Stopped> replyTo) implements Command, CborSerializable
    {
    }

    /**
     * The shard listens.
     *
     * @param shard    the shard's index.
     * @param endpoint where workers send it pushes and requests.
     * @param shardRef the shard itself.
     * @param version  the version it starts at: 0, or its checkpoint's or its backup copy's when it replaces a lost
     *                 shard.
     * @param origin   what it starts from: {@link #ORIGIN_NEW}, {@link #ORIGIN_CHECKPOINT} or {@link #ORIGIN_BACKUP}.
     */
    public record Ready(int shard, Endpoint endpoint, ActorRef<Command> shardRef, long version, String origin)
        implements CborSerializable
    {
        /**
         * A new shard, at the initial parameters.
         */
        public static final String ORIGIN_NEW = "new";

        /**
         * A shard restored from its checkpoint file.
         */
        public static final String ORIGIN_CHECKPOINT = "checkpoint";

        /**
         * A shard that continues from the live state of its backup copy.
         */
        public static final String ORIGIN_BACKUP = "backup";

        /**
         * A new backup copy, at the initial parameters (it never replaces anything).
         */
        public static final String ORIGIN_COPY = "copy";

        /**
         * Is this a backup copy?
         *
         * @return true when {@link #origin()} is {@link #ORIGIN_COPY}.
         */
        public boolean isCopy()
        {
            return ORIGIN_COPY.equals(origin);
        }

        /**
         * Does the shard continue from its backup copy?
         *
         * @return true when {@link #origin()} is {@link #ORIGIN_BACKUP}.
         */
        public boolean fromBackup()
        {
            return ORIGIN_BACKUP.equals(origin);
        }
    }

    /**
     * The shard serves every worker, or, for a backup copy, is connected to its primary.
     *
     * @param shard the shard's index.
     * @param copy  true from a backup copy.
     */
    public record Connected(int shard, boolean copy) implements CborSerializable
    {
    }

    /**
     * The shard stopped. Its parameters stay on its node: a job's model is read over the data plane, like a worker
     * reads it, because a range does not fit a control-plane message.
     *
     * @param shard      the shard's index.
     * @param statistics its final statistics, or null if they could not be taken.
     * @param error      why not, or null.
     */
    public record Stopped(int shard, ShardStatistics statistics, String error) implements CborSerializable
    {
    }

    private record StatisticsReady(ShardStatistics statistics, Throwable error, ActorRef<ShardStatistics> replyTo)
        implements Command
    {
    }

    private record AdmitDone(AdmitWorker admit, ExclusivePublication replaced, Long accepted, Throwable error)
        implements Command
    {
    }

    private enum CheckpointDue implements Command
    {
        INSTANCE
    }

    private record CheckpointTaken(ShardSnapshot snapshot, Throwable error) implements Command
    {
    }

    private record SnapshotReady(ShardSnapshot snapshot, Throwable error, ActorRef<Stopped> replyTo, boolean keep)
        implements Command
    {
    }

    private record AttachDone(ActorRef<BackupAttached> replyTo, Throwable error) implements Command
    {
    }

    private record HandOverDone(ActorRef<HandedOver> replyTo, ShardState state, Throwable error) implements Command
    {
    }

    private final PsShardSetup setup;
    private final Subscription subscription;
    private final List<ExclusivePublication> publications = new ArrayList<>();
    private MessageSender[] senders;
    private ExclusivePublication[] slotPublications;
    private final TimerScheduler<Command> timers;
    private ShardAgent agent;
    private boolean checkpointing;
    private long checkpointsWritten;
    private long checkpointFailures;
    private long checkpointVersion = -1;
    private AttachBackup pendingAttach;
    private boolean stopping;

    private PsShard(final ActorContext<Command> context, final TimerScheduler<Command> timers, final PsShardSetup setup)
    {
        super(context);
        this.timers = timers;
        this.setup = setup;
        this.subscription = setup.dataPlane().addSubscription(setup.streamId());
        final Endpoint endpoint = setup.dataPlane().resolveEndpoint(subscription, CONNECT_TIMEOUT);
        final CheckpointPlan plan = setup.checkpoints();
        final long version;
        final String origin;
        if (setup.promoted() != null)
        {
            version = setup.promoted().version();
            origin = Ready.ORIGIN_BACKUP;
        }
        else if (plan != null && plan.restoreFrom() != null)
        {
            version = plan.restoreFrom().version();
            origin = Ready.ORIGIN_CHECKPOINT;
        }
        else
        {
            version = 0;
            origin = setup.backup() ? Ready.ORIGIN_COPY : Ready.ORIGIN_NEW;
        }
        setup.readyTo().tell(new Ready(setup.range().shard(), endpoint, context.getSelf(), version, origin));
    }

    /**
     * Create a shard; it listens at once and reports {@link Ready}.
     *
     * @param setup what it needs.
     * @return the behavior.
     */
    public static Behavior<Command> create(final PsShardSetup setup)
    {
        return Behaviors.setup((context) -> Behaviors.withTimers((timers) -> new PsShard(context, timers, setup)));
    }

    @Override
    public Receive<Command> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(Connect.class, this::onConnect)
            .onMessage(AdmitWorker.class, this::onAdmitWorker)
            .onMessage(AdmitDone.class, this::onAdmitDone)
            .onMessage(CheckpointDue.class, this::onCheckpointDue)
            .onMessage(CheckpointTaken.class, this::onCheckpointTaken)
            .onMessage(GetStatistics.class, this::onGetStatistics)
            .onMessage(StatisticsReady.class, this::onStatisticsReady)
            .onMessage(Stop.class, (stop) -> stopWith(stop.replyTo(), false))
            .onMessage(Suspend.class, (suspend) -> stopWith(suspend.replyTo(), true))
            .onMessage(SnapshotReady.class, this::onSnapshotReady)
            .onMessage(AttachBackup.class, this::onAttachBackup)
            .onMessage(AttachDone.class, this::onAttachDone)
            .onMessage(DetachBackup.class, this::onDetachBackup)
            .onMessage(HandOver.class, this::onHandOver)
            .onMessage(HandOverDone.class, this::onHandOverDone)
            .onSignal(PostStop.class, (signal) -> onPostStop())
            .build();
    }

    private Behavior<Command> onConnect(final Connect connect)
    {
        if (agent != null)
        {
            // A repeat: the shard serves already.
            connect.replyTo().tell(new Connected(setup.range().shard(), setup.backup()));
            return this;
        }
        if (setup.backup())
        {
            return connectBackup(connect);
        }
        final int slots = connect.workerEndpoints().size();
        // Written here before the agent starts, afterwards only on the agent's thread (AdmitWorker).
        final MessageSender[] senders = new MessageSender[slots];
        slotPublications = new ExclusivePublication[slots];
        for (int w = 0; w < slots; w++)
        {
            slotPublications[w] = connectTo(w, connect.workerEndpoints().get(w));
            senders[w] = newSender(w, slotPublications[w]);
        }
        this.senders = senders;
        final ShardState state = setup.promoted() != null ? setup.promoted() : newState();
        final CheckpointPlan plan = setup.checkpoints();
        if (setup.promoted() != null)
        {
            state.promote();
            getContext().getLog().warn("shard {} of {} continues from its backup copy at version {}",
                setup.range().shard(), setup.jobId(), state.version());
        }
        else if (plan != null && plan.restoreFrom() != null)
        {
            state.restore(plan.restoreFrom());
            checkpointVersion = plan.restoreFrom().version();
            getContext().getLog().warn("shard {} of {} restored from its checkpoint at version {} ({})",
                setup.range().shard(), setup.jobId(), plan.restoreFrom().version(), plan.file());
        }
        String attachError = null;
        if (pendingAttach != null)
        {
            // Before the agent runs: the copy then sees every push this shard takes.
            try
            {
                state.attachBackup(forwarder(pendingAttach.backupEndpoint()));
            }
            catch (final RuntimeException ex)
            {
                attachError = ex.toString();
            }
        }
        startAgent(state, (worker, buffer, offset, length) ->
            worker >= 0 && worker < senders.length ? senders[worker].send(buffer, offset, length) : -1);
        publications.forEach(agent::probe);
        connect.replyTo().tell(new Connected(setup.range().shard(), setup.backup()));
        if (pendingAttach != null)
        {
            pendingAttach.replyTo().tell(new BackupAttached(setup.range().shard(), attachError));
            pendingAttach = null;
        }
        if (plan != null && plan.interval().compareTo(Duration.ZERO) > 0)
        {
            timers.startTimerWithFixedDelay(CheckpointDue.INSTANCE, plan.interval());
        }
        return this;
    }

    private ShardState newState()
    {
        final Model model = setup.workload().create(1);
        final float[] initial = new float[model.layout().size()];
        model.initialiseInPlace(initial, new SplittableRandom(setup.seed()));
        return new ShardState(setup.wireJobId(), setup.range(), initial, setup.range().start(),
            setup.optimiser(), setup.staleness(), setup.workers(), new MessageAuthenticator(setup.key()));
    }

    private void startAgent(final ShardState state, final ReplySender replies)
    {
        agent = new ShardAgent(state, subscription, replies, ShardAgent.FRAGMENT_LIMIT_DEFAULT,
            ShardAgent.CONFIRMATION_TIMEOUT_NS_DEFAULT, setup.dataPlane().receiverWakeup(setup.streamId()));
        if (!setup.runner().add(agent, CONNECT_TIMEOUT))
        {
            throw new IllegalStateException("shard " + setup.range().shard() + " of " + setup.jobId() +
                " was not taken by the shard runner within " + CONNECT_TIMEOUT);
        }
    }

    /**
     * A backup copy connects to its primary only: every acknowledgement its state produces, whichever slot it names,
     * goes back there as the confirmation of that push.
     */
    private Behavior<Command> connectBackup(final Connect connect)
    {
        if (connect.workerEndpoints().size() != 1)
        {
            throw new IllegalArgumentException("a backup copy connects to its primary only, got " +
                connect.workerEndpoints().size() + " endpoints");
        }
        final ExclusivePublication toPrimary = connectTo("its primary", connect.workerEndpoints().get(0));
        final MessageSender confirmations =
            setup.dataPlane().newSender(toPrimary, setup.counters(), MessageSender.Traffic.REPLICATION);
        final ShardState state = newState();
        state.becomeReplica();
        startAgent(state, (worker, buffer, offset, length) -> confirmations.send(buffer, offset, length));
        agent.probe(toPrimary);
        connect.replyTo().tell(new Connected(setup.range().shard(), setup.backup()));
        return this;
    }

    private ReplySender forwarder(final Endpoint backupEndpoint)
    {
        final ExclusivePublication toBackup = connectTo("its backup copy", backupEndpoint);
        if (agent != null)
        {
            agent.probe(toBackup);
        }
        final MessageSender sender =
            setup.dataPlane().newSender(toBackup, setup.counters(), MessageSender.Traffic.REPLICATION);
        return (worker, buffer, offset, length) -> sender.send(buffer, offset, length);
    }

    private Behavior<Command> onAttachBackup(final AttachBackup attach)
    {
        if (setup.backup() || setup.promoted() != null || setup.checkpoints() != null &&
            setup.checkpoints().restoreFrom() != null)
        {
            attach.replyTo().tell(new BackupAttached(setup.range().shard(), "only a new primary takes a backup copy"));
            return this;
        }
        if (agent == null)
        {
            pendingAttach = attach;
            return this;
        }
        final CompletableFuture<Void> future = new CompletableFuture<>();
        try
        {
            if (!agent.attachBackup(forwarder(attach.backupEndpoint()), future))
            {
                future.completeExceptionally(new IllegalStateException("the shard's command queue is full"));
            }
        }
        catch (final RuntimeException ex)
        {
            future.completeExceptionally(ex);
        }
        getContext().pipeToSelf(future, (ignored, error) -> new AttachDone(attach.replyTo(), error));
        return this;
    }

    private Behavior<Command> onAttachDone(final AttachDone done)
    {
        done.replyTo().tell(new BackupAttached(setup.range().shard(),
            done.error() == null ? null : String.valueOf(done.error())));
        return this;
    }

    private Behavior<Command> onDetachBackup(final DetachBackup detach)
    {
        if (agent != null && !agent.detachBackup(new CompletableFuture<>()))
        {
            // The agent also detaches by itself once the copy has been silent for its confirmation timeout.
            getContext().getLog().warn("shard {} of {}: the command to go on without the backup copy did not fit " +
                "the queue; the confirmation timeout will detach it", setup.range().shard(), setup.jobId());
        }
        return this;
    }

    private Behavior<Command> onHandOver(final HandOver handOver)
    {
        if (!setup.backup() || agent == null || stopping)
        {
            // A copy being stopped is one its primary went on without: it lacks what was acknowledged since.
            handOver.replyTo().tell(new HandedOver(null, !setup.backup() ? "not a backup copy" :
                stopping ? "the backup copy is being stopped" : "the backup copy never connected to its primary"));
            return this;
        }
        final CompletableFuture<ShardState> future = new CompletableFuture<>();
        if (!agent.handOver(future))
        {
            future.completeExceptionally(new IllegalStateException("the shard's command queue is full"));
        }
        getContext().pipeToSelf(future, (state, error) -> new HandOverDone(handOver.replyTo(), state, error));
        return this;
    }

    private Behavior<Command> onHandOverDone(final HandOverDone done)
    {
        if (done.error() != null)
        {
            done.replyTo().tell(new HandedOver(null, String.valueOf(done.error())));
            return this;
        }
        timers.cancelAll();
        // Stopped polling: the state is the receiver's from here on; this actor only closes its streams.
        done.replyTo().tell(new HandedOver(done.state(), null));
        return Behaviors.stopped();
    }

    private Behavior<Command> onCheckpointDue(final CheckpointDue due)
    {
        if (checkpointing || agent == null)
        {
            return this;
        }
        final CompletableFuture<ShardSnapshot> future = new CompletableFuture<>();
        if (agent.snapshot(future))
        {
            checkpointing = true;
            getContext().pipeToSelf(future, CheckpointTaken::new);
        }
        return this;
    }

    private Behavior<Command> onCheckpointTaken(final CheckpointTaken taken)
    {
        checkpointing = false;
        final Path file = setup.checkpoints().file();
        try
        {
            if (taken.error() != null)
            {
                throw new IOException("no snapshot: " + taken.error());
            }
            // Blocking file I/O: this actor runs on the blocking dispatcher, the agent keeps serving meanwhile.
            ShardCheckpointFile.write(file, taken.snapshot());
            checkpointsWritten++;
            checkpointVersion = taken.snapshot().version();
        }
        catch (final IOException | RuntimeException ex)
        {
            checkpointFailures++;
            getContext().getLog().error("shard {} of {}: could not write its checkpoint {} ({}); the previous one, " +
                "at version {}, stays", setup.range().shard(), setup.jobId(), file, ex.toString(), checkpointVersion);
        }
        return this;
    }

    private ShardStatistics withCheckpoints(final ShardStatistics statistics)
    {
        return statistics.withCheckpoints(checkpointsWritten, checkpointFailures, checkpointVersion);
    }

    private ExclusivePublication connectTo(final int workerId, final Endpoint workerEndpoint)
    {
        return connectTo("worker " + workerId, workerEndpoint);
    }

    private ExclusivePublication connectTo(final String peer, final Endpoint peerEndpoint)
    {
        final ExclusivePublication publication = setup.dataPlane().addExclusivePublication(peerEndpoint);
        publications.add(publication);
        if (!setup.dataPlane().newSender(publication, setup.counters(), MessageSender.Traffic.PARAMETER)
            .awaitConnected(CONNECT_TIMEOUT))
        {
            throw new IllegalStateException("shard " + setup.range().shard() + " of " + setup.jobId() +
                " could not connect to " + peer + " at " + peerEndpoint);
        }
        return publication;
    }

    private MessageSender newSender(final int workerId, final ExclusivePublication publication)
    {
        final boolean evaluator = workerId == setup.workers();
        return setup.dataPlane().newSender(publication,
            evaluator ? setup.evaluationCounters() : setup.counters(), MessageSender.Traffic.PARAMETER);
    }

    private Behavior<Command> onAdmitWorker(final AdmitWorker admit)
    {
        final int workerId = admit.workerId();
        if (agent == null || workerId < 0 || workerId >= senders.length)
        {
            admit.replyTo().tell(new WorkerAdmitted(setup.range().shard(), workerId,
                agent == null ? "the shard is not serving" : "no worker slot " + workerId, 0));
            return this;
        }
        final CompletableFuture<Long> future = new CompletableFuture<>();
        final ExclusivePublication replaced = slotPublications[workerId];
        try
        {
            final ExclusivePublication publication = connectTo(workerId, admit.endpoint());
            agent.probe(publication);
            slotPublications[workerId] = publication;
            final MessageSender sender = newSender(workerId, publication);
            final MessageSender[] senders = this.senders;
            if (!agent.admitIncarnation(workerId, admit.base(), () -> senders[workerId] = sender, future))
            {
                future.completeExceptionally(new IllegalStateException("the shard's command queue is full"));
            }
        }
        catch (final RuntimeException ex)
        {
            future.completeExceptionally(ex);
        }
        getContext().pipeToSelf(future, (accepted, error) -> new AdmitDone(admit, replaced, accepted, error));
        return this;
    }

    private Behavior<Command> onAdmitDone(final AdmitDone done)
    {
        final AdmitWorker admit = done.admit();
        if (done.error() == null)
        {
            // The agent no longer sends to the lost worker: its stream can go.
            publications.remove(done.replaced());
            CloseHelper.quietClose(done.replaced());
        }
        else
        {
            // The agent still sends to the old stream; keep the books the same (the new one closes with the shard).
            slotPublications[admit.workerId()] = done.replaced();
        }
        admit.replyTo().tell(new WorkerAdmitted(setup.range().shard(), admit.workerId(),
            done.error() == null ? null : String.valueOf(done.error()), done.accepted() == null ? 0 : done.accepted()));
        return this;
    }

    private Behavior<Command> onGetStatistics(final GetStatistics get)
    {
        if (agent == null)
        {
            return this;
        }
        final CompletableFuture<ShardStatistics> future = new CompletableFuture<>();
        if (agent.statistics(future))
        {
            getContext().pipeToSelf(future, (stats, error) -> new StatisticsReady(stats, error, get.replyTo()));
        }
        return this;
    }

    private Behavior<Command> onStatisticsReady(final StatisticsReady ready)
    {
        if (ready.statistics() != null)
        {
            ready.replyTo().tell(withCheckpoints(ready.statistics()));
        }
        return this;
    }

    private Behavior<Command> stopWith(final ActorRef<Stopped> replyTo, final boolean keep)
    {
        stopping = true;
        if (agent == null)
        {
            replyTo.tell(new Stopped(setup.range().shard(), null, "the shard never connected"));
            return Behaviors.stopped();
        }
        final CompletableFuture<ShardSnapshot> future = new CompletableFuture<>();
        if (!agent.stop(future))
        {
            future.completeExceptionally(new IllegalStateException("the shard's command queue is full"));
        }
        getContext().pipeToSelf(future, (snapshot, error) -> new SnapshotReady(snapshot, error, replyTo, keep));
        return this;
    }

    private Behavior<Command> onSnapshotReady(final SnapshotReady ready)
    {
        timers.cancelAll();
        if (ready.keep())
        {
            return suspended(ready);
        }
        if (setup.checkpoints() != null && ready.error() == null)
        {
            // Stopped in order, with the final state handed back: the checkpoint has served its purpose.
            try
            {
                Files.deleteIfExists(setup.checkpoints().file());
            }
            catch (final IOException ex)
            {
                getContext().getLog().warn("could not delete the checkpoint {}: {}", setup.checkpoints().file(),
                    ex.toString());
            }
        }
        ready.replyTo().tell(new Stopped(setup.range().shard(),
            ready.snapshot() == null ? null : withCheckpoints(ready.snapshot().statistics()),
            ready.error() == null ? null : String.valueOf(ready.error())));
        return Behaviors.stopped();
    }

    private Behavior<Command> suspended(final SnapshotReady ready)
    {
        String error = ready.error() == null ? null : "no final snapshot: " + ready.error();
        if (error == null && setup.checkpoints() == null)
        {
            error = "the shard has no checkpoint file";
        }
        if (error == null)
        {
            try
            {
                ShardCheckpointFile.write(setup.checkpoints().file(), ready.snapshot());
                checkpointsWritten++;
                checkpointVersion = ready.snapshot().version();
                getContext().getLog().info("shard {} of {} suspended at version {}, written to {}",
                    setup.range().shard(), setup.jobId(), checkpointVersion, setup.checkpoints().file());
            }
            catch (final IOException | RuntimeException ex)
            {
                checkpointFailures++;
                error = "could not write the final checkpoint " + setup.checkpoints().file() + ": " + ex;
            }
        }
        ready.replyTo().tell(new Stopped(setup.range().shard(),
            ready.snapshot() == null ? null : withCheckpoints(ready.snapshot().statistics()), error));
        return Behaviors.stopped();
    }

    private Behavior<Command> onPostStop()
    {
        if (agent != null)
        {
            setup.runner().remove(agent, CONNECT_TIMEOUT);
        }
        else
        {
            CloseHelper.quietClose(subscription);
        }
        for (final ExclusivePublication publication : publications)
        {
            CloseHelper.quietClose(publication);
        }
        return this;
    }
}
