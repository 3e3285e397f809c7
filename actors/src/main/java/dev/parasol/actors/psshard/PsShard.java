package dev.parasol.actors.psshard;

import dev.parasol.actors.CborSerializable;
import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.dataplane.MessageSender;
import dev.parasol.engine.model.Model;
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
     * The shard listens.
     *
     * @param shard    the shard's index.
     * @param endpoint where workers send it pushes and requests.
     * @param shardRef the shard itself.
     */
    public record Ready(int shard, Endpoint endpoint, ActorRef<Command> shardRef) implements CborSerializable
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

    private record SnapshotReady(ShardSnapshot snapshot, Throwable error, ActorRef<Stopped> replyTo)
        implements Command
    {
    }

    private final PsShardSetup setup;
    private final Subscription subscription;
    private final List<ExclusivePublication> publications = new ArrayList<>();
    private ShardAgent agent;

    private PsShard(final ActorContext<Command> context, final PsShardSetup setup)
    {
        super(context);
        this.setup = setup;
        this.subscription = setup.dataPlane().addSubscription(setup.streamId());
        final Endpoint endpoint = setup.dataPlane().resolveEndpoint(subscription, CONNECT_TIMEOUT);
        setup.readyTo().tell(new Ready(setup.range().shard(), endpoint, context.getSelf()));
    }

    /**
     * Create a shard; it listens at once and reports {@link Ready}.
     *
     * @param setup what it needs.
     * @return the behavior.
     */
    public static Behavior<Command> create(final PsShardSetup setup)
    {
        return Behaviors.setup((context) -> new PsShard(context, setup));
    }

    @Override
    public Receive<Command> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(Connect.class, this::onConnect)
            .onMessage(GetStatistics.class, this::onGetStatistics)
            .onMessage(StatisticsReady.class, this::onStatisticsReady)
            .onMessage(Stop.class, this::onStop)
            .onMessage(SnapshotReady.class, this::onSnapshotReady)
            .onSignal(PostStop.class, (signal) -> onPostStop())
            .build();
    }

    private Behavior<Command> onConnect(final Connect connect)
    {
        final DataPlane dataPlane = setup.dataPlane();
        final MessageSender[] senders = new MessageSender[connect.workerEndpoints().size()];
        for (int w = 0; w < senders.length; w++)
        {
            final Endpoint workerEndpoint = connect.workerEndpoints().get(w);
            final ExclusivePublication publication = dataPlane.addExclusivePublication(workerEndpoint);
            publications.add(publication);
            final boolean evaluator = w == setup.workers();
            senders[w] = dataPlane.newSender(publication,
                evaluator ? setup.evaluationCounters() : setup.counters(), MessageSender.Traffic.PARAMETER);
            if (!senders[w].awaitConnected(CONNECT_TIMEOUT))
            {
                throw new IllegalStateException("shard " + setup.range().shard() + " of " + setup.jobId() +
                    " could not connect to worker " + w + " at " + workerEndpoint);
            }
        }
        final Model model = setup.workload().create(1);
        final float[] initial = new float[model.layout().size()];
        model.initialiseInPlace(initial, new SplittableRandom(setup.seed()));
        final ShardState state = new ShardState(setup.wireJobId(), setup.range(), initial, setup.range().start(),
            setup.optimiser(), setup.staleness(), setup.workers());
        agent = new ShardAgent(state, subscription, (worker, buffer, offset, length) ->
            worker >= 0 && worker < senders.length ? senders[worker].send(buffer, offset, length) : -1);
        if (!setup.runner().add(agent, CONNECT_TIMEOUT))
        {
            throw new IllegalStateException("shard " + setup.range().shard() + " of " + setup.jobId() +
                " was not taken by the shard runner within " + CONNECT_TIMEOUT);
        }
        connect.replyTo().tell(new Connected(setup.range().shard()));
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
            ready.replyTo().tell(ready.statistics());
        }
        return this;
    }

    private Behavior<Command> onStop(final Stop stop)
    {
        if (agent == null)
        {
            stop.replyTo().tell(new Stopped(setup.range().shard(), null, "the shard never connected"));
            return Behaviors.stopped();
        }
        final CompletableFuture<ShardSnapshot> future = new CompletableFuture<>();
        if (!agent.stop(future))
        {
            future.completeExceptionally(new IllegalStateException("the shard's command queue is full"));
        }
        getContext().pipeToSelf(future, (snapshot, error) -> new SnapshotReady(snapshot, error, stop.replyTo()));
        return this;
    }

    private Behavior<Command> onSnapshotReady(final SnapshotReady ready)
    {
        ready.replyTo().tell(new Stopped(setup.range().shard(),
            ready.snapshot() == null ? null : ready.snapshot().statistics(),
            ready.error() == null ? null : String.valueOf(ready.error())));
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
