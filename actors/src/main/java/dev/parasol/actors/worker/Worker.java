package dev.parasol.actors.worker;

import dev.parasol.actors.CborSerializable;
import dev.parasol.actors.dataplane.AgentRunners;
import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.dataplane.MessageSender;
import dev.parasol.actors.dataplane.TrainingCounterDescriptor;
import dev.parasol.actors.scheduler.Scheduler;
import dev.parasol.engine.data.MiniBatchIterator;
import dev.parasol.engine.linalg.MatrixKernels;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.wire.MessageAuthenticator;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A worker: owns its data slice, a replica of the model, an error-feedback residual per shard and a compressor, and
 * runs the training loop on a thread of its own ({@link WorkerAgent}). The actor only owns the lifecycle: it connects
 * to the shards when created, starts the loop on {@link Start}, relays permits from the scheduler, and stops the loop
 * when stopped. Spawn it on a blocking dispatcher: connecting waits for Aeron.
 */
public final class Worker extends AbstractBehavior<Worker.Command>
{
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DRAIN_CHECK_INTERVAL = Duration.ofMillis(5);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Messages a worker accepts.
     */
    public interface Command
    {
    }

    /**
     * Start training.
     *
     * @param scheduler  grants permits and receives clocks.
     * @param failuresTo told if the loop stops on its own (divergence, a fault).
     */
    public record Start(ActorRef<Scheduler.Command> scheduler, ActorRef<Failed> failuresTo)
        implements Command, CborSerializable
    {
    }

    /**
     * Ask for the worker's telemetry.
     *
     * @param replyTo where the snapshot goes.
     */
    public record GetTelemetry(ActorRef<WorkerTelemetry.Snapshot> replyTo) implements Command, CborSerializable
    {
    }

    /**
     * Push dense from the next step on, carrying the residual over: the watchdog's fallback.
     */
    public enum FallBackToDense implements Command, CborSerializable
    {
        /**
         * The only instance.
         */
        INSTANCE
    }

    /**
     * A shard was lost and restarted elsewhere: send to it at its new address from now on.
     *
     * @param shard    the shard's index.
     * @param endpoint where it listens now.
     */
    public record ShardMoved(int shard, Endpoint endpoint) implements Command, CborSerializable
    {
    }

    /**
     * Stop the loop after the current step, then the worker; reply with its final state.
     *
     * @param replyTo where {@link Stopped} goes.
     */
    public record Stop(ActorRef<Stopped> replyTo) implements Command, CborSerializable
    {
    }

    /**
     * The worker's loop stopped.
     *
     * @param workerId the worker.
     * @param clock    steps it completed.
     * @param drained  false if it had to be cut short after the drain timeout.
     * @param telemetry its final measurements.
     */
    public record Stopped(int workerId, long clock, boolean drained, WorkerTelemetry.Snapshot telemetry)
        implements CborSerializable
    {
    }

    /**
     * The worker is connected to every shard and listens at an endpoint.
     *
     * @param workerId the worker.
     * @param endpoint where shards send it parameter updates.
     * @param examples examples in its slice of the training set.
     * @param blas     the matrix implementation it computes with.
     * @param worker   the worker itself.
     */
    public record Ready(int workerId, Endpoint endpoint, int examples, String blas, ActorRef<Command> worker)
        implements CborSerializable
    {
    }

    /**
     * The worker's loop stopped on its own.
     *
     * @param workerId the worker.
     * @param reason   why.
     */
    public record Failed(int workerId, String reason) implements CborSerializable
    {
    }

    private record PermitReceived(Scheduler.Permit permit) implements Command
    {
    }

    private record LoopFailed(String reason) implements Command
    {
    }

    private enum CheckDrained implements Command
    {
        INSTANCE
    }

    private final WorkerSetup setup;
    private final Subscription replies;
    private final List<ExclusivePublication> publications = new ArrayList<>();
    private final ShardRoute[] routes;
    private final WorkerAgent agent;
    private final WorkerTelemetry telemetry;
    private final TimerScheduler<Command> timers;
    private AgentRunner runner;
    private ActorRef<Failed> failuresTo;
    private ActorRef<Stopped> stoppedTo;
    private long drainDeadlineNs;

    private Worker(final ActorContext<Command> context, final TimerScheduler<Command> timers, final WorkerSetup setup)
    {
        super(context);
        this.timers = timers;
        this.setup = setup;
        final DataPlane dataPlane = setup.dataPlane();
        final int shards = setup.ranges().size();
        this.replies = dataPlane.addSubscription(setup.streamId());
        final Endpoint endpoint = dataPlane.resolveEndpoint(replies, CONNECT_TIMEOUT);

        final ShardLink[] pushLinks = new ShardLink[shards];
        final ShardLink[] requestLinks = new ShardLink[shards];
        this.routes = new ShardRoute[shards];
        for (int s = 0; s < shards; s++)
        {
            final ShardRoute route = connectTo(s, setup.shardEndpoints().get(s));
            routes[s] = route;
            pushLinks[s] = route::push;
            requestLinks[s] = route.requestLink();
        }

        final KeyRange[] ranges = setup.ranges().toArray(new KeyRange[0]);
        final SplittableRandom random = new SplittableRandom(setup.seed());
        final float[] replica = new float[setup.workload().parameterCount()];
        final GradientStep step = new GradientStep(
            setup.workload().create(setup.batchSize()),
            new MiniBatchIterator(setup.slice(), setup.batchSize(), random.split()),
            replica,
            ranges,
            setup.compressor(),
            setup.errorFeedback(),
            random.split());
        int maxPush = 0;
        int maxBlocks = 1;
        for (final KeyRange range : ranges)
        {
            maxPush = Math.max(maxPush, PushEncoder.maxPushLength(range.length(), 1));
            maxBlocks = Math.max(maxBlocks, range.length());
        }
        this.telemetry = new WorkerTelemetry(shards);
        // One for the agent's thread, which both signs the pushes and checks the updates.
        final MessageAuthenticator authenticator = new MessageAuthenticator(setup.key());
        this.agent = new WorkerAgent(
            "worker-" + setup.jobId() + "-" + setup.workerId(),
            new Gateway(context.getSelf()),
            step,
            new ReplicaUpdater(setup.wireJobId(), replica, ranges, authenticator),
            new PushEncoder(setup.wireJobId(), setup.workerId(), maxBlocks, authenticator),
            pushLinks,
            requestLinks,
            replies,
            setup.dataPlane().receiverWakeup(setup.streamId()),
            telemetry,
            setup.warmupSteps(),
            setup.overlap(),
            setup.resendIntervalNs(),
            maxPush);
        agent.resumeAt(Incarnations.sequenceBase(setup.incarnation()), setup.initialClock());
        setup.readyTo().tell(new Ready(setup.workerId(), endpoint, setup.slice().size(),
            MatrixKernels.defaultKernels().describe(), context.getSelf()));
    }

    /**
     * Create a worker; it connects to the shards at once and reports {@link Ready}.
     *
     * @param setup what it needs.
     * @return the behavior.
     */
    public static Behavior<Command> create(final WorkerSetup setup)
    {
        return Behaviors.setup((context) -> Behaviors.withTimers((timers) -> new Worker(context, timers, setup)));
    }

    @Override
    public Receive<Command> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(Start.class, this::onStart)
            .onMessage(PermitReceived.class, this::onPermitReceived)
            .onMessage(FallBackToDense.class, this::onFallBackToDense)
            .onMessage(LoopFailed.class, this::onLoopFailed)
            .onMessage(GetTelemetry.class, this::onGetTelemetry)
            .onMessage(Stop.class, this::onStop)
            .onMessage(ShardMoved.class, this::onShardMoved)
            .onMessage(CheckDrained.class, this::onCheckDrained)
            .onSignal(PostStop.class, (signal) -> onPostStop())
            .build();
    }

    private Behavior<Command> onStart(final Start start)
    {
        if (runner == null)
        {
            failuresTo = start.failuresTo();
            final ActorRef<Scheduler.Permit> permits = getContext().messageAdapter(
                Scheduler.Permit.class, PermitReceived::new);
            final ActorRef<Command> self = getContext().getSelf();
            ((Gateway)agent.gateway()).connect(start.scheduler(), permits, setup.workerId());
            runner = AgentRunners.start(
                agent,
                setup.dataPlane().context().newAgentIdleStrategy(),
                (throwable) -> self.tell(new LoopFailed(String.valueOf(throwable))),
                "parasol-" + agent.roleName());
        }
        return this;
    }

    private Behavior<Command> onPermitReceived(final PermitReceived received)
    {
        agent.onPermit(received.permit().clock());
        return this;
    }

    private Behavior<Command> onFallBackToDense(final FallBackToDense fallBack)
    {
        agent.requestDenseFallback();
        return this;
    }

    private Behavior<Command> onLoopFailed(final LoopFailed failed)
    {
        getContext().getLog().error("worker {} of {} stopped: {}", setup.workerId(), setup.jobId(), failed.reason());
        if (failuresTo != null)
        {
            failuresTo.tell(new Failed(setup.workerId(), failed.reason()));
        }
        return Behaviors.stopped();
    }

    private Behavior<Command> onGetTelemetry(final GetTelemetry get)
    {
        get.replyTo().tell(telemetrySnapshot());
        return this;
    }

    private WorkerTelemetry.Snapshot telemetrySnapshot()
    {
        return telemetry.snapshot(
            setup.workerId(), setup.incarnation(),
            setup.counters().get(TrainingCounterDescriptor.BACK_PRESSURE_EVENTS));
    }

    private Behavior<Command> onStop(final Stop stop)
    {
        stoppedTo = stop.replyTo();
        agent.requestStop();
        if (runner == null)
        {
            stoppedTo.tell(new Stopped(setup.workerId(), agent.clock(), true, telemetrySnapshot()));
            return Behaviors.stopped();
        }
        drainDeadlineNs = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        timers.startTimerWithFixedDelay(CheckDrained.INSTANCE, DRAIN_CHECK_INTERVAL);
        return this;
    }

    private Behavior<Command> onCheckDrained(final CheckDrained check)
    {
        final boolean drained = agent.isStopped();
        if (drained || System.nanoTime() - drainDeadlineNs > 0)
        {
            stoppedTo.tell(new Stopped(setup.workerId(), agent.clock(), drained, telemetrySnapshot()));
            return Behaviors.stopped();
        }
        return this;
    }

    private ShardRoute connectTo(final int shard, final Endpoint shardEndpoint)
    {
        final DataPlane dataPlane = setup.dataPlane();
        final ExclusivePublication publication = dataPlane.addExclusivePublication(shardEndpoint);
        publications.add(publication);
        final MessageSender pushes = dataPlane.newSender(publication, setup.counters(), MessageSender.Traffic.GRADIENT);
        final MessageSender requests = dataPlane.newSender(
            publication, setup.counters(), MessageSender.Traffic.REQUEST);
        if (!pushes.awaitConnected(CONNECT_TIMEOUT))
        {
            throw new IllegalStateException("worker " + setup.workerId() + " of " + setup.jobId() +
                " could not connect to shard " + shard + " at " + shardEndpoint + " within " + CONNECT_TIMEOUT);
        }
        return new ShardRoute(pushes, requests);
    }

    private Behavior<Command> onShardMoved(final ShardMoved moved)
    {
        // The loop keeps running: it resends what the lost shard did not acknowledge, now to the new one.
        final ShardRoute fresh = connectTo(moved.shard(), moved.endpoint());
        routes[moved.shard()].moveTo(fresh.pushesSender(), fresh.requestsSender());
        return this;
    }

    private Behavior<Command> onPostStop()
    {
        agent.requestStop();
        CloseHelper.quietClose(runner);
        for (final ExclusivePublication publication : publications)
        {
            CloseHelper.quietClose(publication);
        }
        CloseHelper.quietClose(replies);
        return this;
    }

    /**
     * The agent's side of the scheduler: tells are safe from the agent's thread.
     */
    static final class Gateway implements PermitGateway
    {
        private final ActorRef<Command> self;
        private volatile ActorRef<Scheduler.Command> scheduler;
        private volatile ActorRef<Scheduler.Permit> permits;
        private volatile int workerId;

        Gateway(final ActorRef<Command> self)
        {
            this.self = self;
        }

        void connect(
            final ActorRef<Scheduler.Command> scheduler, final ActorRef<Scheduler.Permit> permits, final int workerId)
        {
            this.workerId = workerId;
            this.permits = permits;
            this.scheduler = scheduler;
        }

        @Override
        public void requestPermit(final long clock)
        {
            scheduler.tell(new Scheduler.RequestPermit(workerId, clock, permits));
        }

        @Override
        public void clockAdvanced(final long clock, final int samples, final double loss)
        {
            scheduler.tell(new Scheduler.ClockAdvanced(workerId, clock, samples, loss));
        }

        @Override
        public void failed(final String reason)
        {
            self.tell(new LoopFailed(reason));
        }
    }
}
