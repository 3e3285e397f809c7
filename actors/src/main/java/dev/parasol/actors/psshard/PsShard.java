package dev.parasol.actors.psshard;

import dev.parasol.actors.CborSerializable;
import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.dataplane.MessageSender;
import dev.parasol.engine.model.Model;
import dev.parasol.wire.MessageAuthenticator;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import org.agrona.CloseHelper;
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
     * @param version  the version it starts at: 0, or its checkpoint's when it replaces a lost shard.
     */
    public record Ready(int shard, Endpoint endpoint, ActorRef<Command> shardRef, long version)
        implements CborSerializable
    {
    }

    /**
     * The shard serves every worker.
     *
     * @param shard the shard's index.
     */
    public record Connected(int shard) implements CborSerializable
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

    private PsShard(final ActorContext<Command> context, final TimerScheduler<Command> timers, final PsShardSetup setup)
    {
        super(context);
        this.timers = timers;
        this.setup = setup;
        this.subscription = setup.dataPlane().addSubscription(setup.streamId());
        final Endpoint endpoint = setup.dataPlane().resolveEndpoint(subscription, CONNECT_TIMEOUT);
        final CheckpointPlan plan = setup.checkpoints();
        setup.readyTo().tell(new Ready(setup.range().shard(), endpoint, context.getSelf(),
            plan == null || plan.restoreFrom() == null ? 0 : plan.restoreFrom().version()));
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
            .onSignal(PostStop.class, (signal) -> onPostStop())
            .build();
    }

    private Behavior<Command> onConnect(final Connect connect)
    {
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
        final Model model = setup.workload().create(1);
        final float[] initial = new float[model.layout().size()];
        model.initialiseInPlace(initial, new SplittableRandom(setup.seed()));
        final ShardState state = new ShardState(setup.wireJobId(), setup.range(), initial, setup.range().start(),
            setup.optimiser(), setup.staleness(), setup.workers(), new MessageAuthenticator(setup.key()));
        final CheckpointPlan plan = setup.checkpoints();
        if (plan != null && plan.restoreFrom() != null)
        {
            state.restore(plan.restoreFrom());
            checkpointVersion = plan.restoreFrom().version();
            getContext().getLog().warn("shard {} of {} restored from its checkpoint at version {} ({})",
                setup.range().shard(), setup.jobId(), plan.restoreFrom().version(), plan.file());
        }
        agent = new ShardAgent(state, subscription, (worker, buffer, offset, length) ->
            worker >= 0 && worker < senders.length ? senders[worker].send(buffer, offset, length) : -1);
        if (!setup.runner().add(agent, CONNECT_TIMEOUT))
        {
            throw new IllegalStateException("shard " + setup.range().shard() + " of " + setup.jobId() +
                " was not taken by the shard runner within " + CONNECT_TIMEOUT);
        }
        connect.replyTo().tell(new Connected(setup.range().shard()));
        if (plan != null && plan.interval().compareTo(Duration.ZERO) > 0)
        {
            timers.startTimerWithFixedDelay(CheckpointDue.INSTANCE, plan.interval());
        }
        return this;
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
        final ExclusivePublication publication = setup.dataPlane().addExclusivePublication(workerEndpoint);
        publications.add(publication);
        if (!newSender(workerId, publication).awaitConnected(CONNECT_TIMEOUT))
        {
            throw new IllegalStateException("shard " + setup.range().shard() + " of " + setup.jobId() +
                " could not connect to worker " + workerId + " at " + workerEndpoint);
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
