package dev.parasol.actors.psshard;

import dev.parasol.actors.dataplane.ReceiverWakeup;
import dev.parasol.actors.dataplane.TailProbe;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The Agrona agent of one parameter-server shard: polls gradient pushes and parameter requests from an Aeron
 * subscription, hands each reassembled message to its {@link ShardState}, whose replies go out through a
 * {@link ReplySender}. Messages are larger than an MTU, so fragments are reassembled by a {@link FragmentAssembler}
 * sized for the largest message of the shard, which allocates nothing per message after the first from each sender.
 * <p>
 * {@link #doWork()} drains a few commands, then polls at most {@code fragmentLimit} fragments; it never logs and never
 * blocks. A primary with a backup copy ({@link #attachBackup}) that holds acknowledgements and has heard no
 * confirmation for the confirmation timeout goes on without the copy ({@link ShardState#detachBackup}): a copy that
 * is silent that long is lost, partitioned away, or has diverged, and the workers must not wait for it. Actors never touch the state: they enqueue commands ({@link #snapshot}, {@link #statistics},
 * {@link #admitIncarnation}, {@link #stop})
 * from any thread, and the agent completes the given future on its own thread. A command that does not fit the queue
 * is refused (the method returns false) and counted.
 * <p>
 * Lifecycle: running, then stopped after a {@link #stop} command (no more polling; commands are still served), then
 * closed by its runner ({@link #onClose()} closes the subscription and fails the commands still queued). Meant to run
 * with other shards of the node in one composite agent.
 */
public final class ShardAgent implements Agent
{
    /**
     * Default most fragments read per {@link #doWork()}: a dense W2 half-range message is about 340 fragments, so
     * this bounds one duty cycle to a fraction of a message and keeps commands and other agents served.
     */
    public static final int FRAGMENT_LIMIT_DEFAULT = 64;

    /**
     * Capacity of the command queue.
     */
    public static final int COMMAND_QUEUE_CAPACITY = 64;

    /**
     * Default time a primary waits for its backup's next confirmation while it holds acknowledgements: longer than a
     * garbage-collection pause, shorter than the workers' patience.
     */
    public static final long CONFIRMATION_TIMEOUT_NS_DEFAULT = 3_000_000_000L;

    private static final long PROBE_CHECK_INTERVAL_NS = 250_000L;

    private static final int COMMAND_LIMIT = 4;

    private static final TailProbe[] NO_PROBES = new TailProbe[0];

    private final ShardState state;
    private final Subscription subscription;
    private final ReplySender replies;
    private final int fragmentLimit;
    private final FragmentAssembler assembler;
    private final ManyToOneConcurrentArrayQueue<Command> commands =
        new ManyToOneConcurrentArrayQueue<>(COMMAND_QUEUE_CAPACITY);
    private final Consumer<Command> commandHandler = this::onCommand;
    private final AtomicLong refusedCommands = new AtomicLong();
    private final String roleName;
    private final ReceiverWakeup wakeup;
    private final long confirmationTimeoutNs;
    private long lastConfirmations;
    private long waitingSinceNs;
    private long lastProbeCheckNs;
    private volatile TailProbe[] probes = NO_PROBES;
    private volatile boolean stopped;

    /**
     * Construct an agent with the default fragment limit.
     *
     * @param state        the shard's state, from now on touched only by this agent's thread.
     * @param subscription where pushes and requests arrive; the agent closes it on {@link #onClose()}.
     * @param replies      where replies go.
     */
    public ShardAgent(final ShardState state, final Subscription subscription, final ReplySender replies)
    {
        this(state, subscription, replies, FRAGMENT_LIMIT_DEFAULT, CONFIRMATION_TIMEOUT_NS_DEFAULT,
            ReceiverWakeup.NONE);
    }

    /**
     * Construct an agent.
     *
     * @param state         the shard's state, from now on touched only by this agent's thread.
     * @param subscription  where pushes and requests arrive; the agent closes it on {@link #onClose()}.
     * @param replies       where replies go.
     * @param fragmentLimit most fragments read per {@link #doWork()}, at least 1.
     * @param confirmationTimeoutNs how long a primary holding acknowledgements waits for its backup's next
     *                              confirmation before it goes on alone, positive.
     * @param wakeup        the subscription's wakeup, bound to the agent's thread while it runs, so that senders in
     *                      the same process wake it (IPC), or {@link ReceiverWakeup#NONE}.
     */
    public ShardAgent(
        final ShardState state,
        final Subscription subscription,
        final ReplySender replies,
        final int fragmentLimit,
        final long confirmationTimeoutNs,
        final ReceiverWakeup wakeup)
    {
        if (null == state || null == subscription || null == replies || fragmentLimit < 1 ||
            confirmationTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("state=" + state + " subscription=" + subscription + " replies=" +
                replies + " fragmentLimit=" + fragmentLimit + " confirmationTimeoutNs=" + confirmationTimeoutNs +
                ", expected none null, fragmentLimit >= 1 and a positive timeout");
        }
        this.confirmationTimeoutNs = confirmationTimeoutNs;
        this.state = state;
        this.subscription = subscription;
        this.replies = replies;
        this.fragmentLimit = fragmentLimit;
        this.assembler = new FragmentAssembler(this::onFragment, ShardState.maxReplyLength(state.range().length()));
        this.roleName = "ps-shard-" + state.jobId() + "-" + state.range().shard();
        this.wakeup = null == wakeup ? ReceiverWakeup.NONE : wakeup;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onStart()
    {
        wakeup.bindCurrentThread();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int doWork()
    {
        int work = commands.drain(commandHandler, COMMAND_LIMIT);
        if (!stopped)
        {
            work += subscription.poll(assembler, fragmentLimit);
            final boolean holding = state.heldAcknowledgementCount() > 0;
            final TailProbe[] streams = probes;
            if (holding || streams.length > 0)
            {
                // One clock read for both timers of the duty cycle.
                final long now = System.nanoTime();
                work += holding ? checkConfirmations(now) : 0;
                work += probeQuietStreams(streams, now);
            }
        }
        return work;
    }

    private int probeQuietStreams(final TailProbe[] streams, final long now)
    {
        if (streams.length == 0 || now - lastProbeCheckNs < PROBE_CHECK_INTERVAL_NS)
        {
            return 0;
        }
        lastProbeCheckNs = now;
        int work = 0;
        for (final TailProbe probe : streams)
        {
            if (!probe.publication().isClosed() && probe.probeIfIdle(now, TailProbe.QUIET_NS_DEFAULT))
            {
                work++;
            }
        }
        return work;
    }

    /**
     * Probe a stream this shard sends on (to a worker, the evaluator, its copy or its primary) whenever it goes quiet
     * after a message, so that the receiver recovers a lost last datagram at once ({@link TailProbe}). Thread-safe;
     * the probe is then used on the agent's thread only.
     *
     * @param publication the stream.
     */
    public synchronized void probe(final Publication publication)
    {
        final TailProbe[] grown = Arrays.copyOf(probes, probes.length + 1);
        grown[probes.length] = new TailProbe(publication);
        probes = grown;
    }

    private int checkConfirmations(final long now)
    {
        final long confirmations = state.confirmationCount();
        if (confirmations != lastConfirmations || waitingSinceNs == 0)
        {
            lastConfirmations = confirmations;
            waitingSinceNs = now;
            return 0;
        }
        if (now - waitingSinceNs > confirmationTimeoutNs)
        {
            state.detachBackup(replies);
            waitingSinceNs = 0;
            return 1;
        }
        return 0;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onClose()
    {
        stopped = true;
        wakeup.unbindCurrentThread();
        commands.drain(ShardAgent::failClosed);
        CloseHelper.quietClose(subscription);
    }

    /**
     * Get the role name: {@code ps-shard-<jobId>-<shard>}.
     *
     * @return the role name.
     */
    @Override
    public String roleName()
    {
        return roleName;
    }

    /**
     * Ask for a snapshot of the parameters, optimiser state, sequences and statistics. Thread-safe.
     *
     * @param result completed on the agent's thread.
     * @return true if queued, false if the command queue was full (counted).
     */
    public boolean snapshot(final CompletableFuture<ShardSnapshot> result)
    {
        return enqueue(new SnapshotCommand(result));
    }

    /**
     * Ask for the counters and staleness percentiles. Thread-safe.
     *
     * @param result completed on the agent's thread.
     * @return true if queued, false if the command queue was full (counted).
     */
    public boolean statistics(final CompletableFuture<ShardStatistics> result)
    {
        return enqueue(new StatisticsCommand(result));
    }

    /**
     * Stop polling: messages still in the subscription are left unread. Completes with the final snapshot, taken
     * after the last message applied. Thread-safe. The runner closes the agent afterwards.
     *
     * @param result completed on the agent's thread with the final snapshot.
     * @return true if queued, false if the command queue was full (counted).
     */
    public boolean stop(final CompletableFuture<ShardSnapshot> result)
    {
        return enqueue(new StopCommand(result));
    }

    /**
     * Hand a worker slot to a new incarnation of its worker: on the agent's thread, first run {@code redirect} (which
     * points the slot's replies at the new worker), then {@link ShardState#admitIncarnation}, so no message is
     * answered in between with the old address or accepted under the old sequence base. Thread-safe.
     *
     * @param workerId the slot.
     * @param base     the new incarnation's sequence base.
     * @param redirect run on the agent's thread before the slot is handed over.
     * @param result   completed on the agent's thread with the pushes taken from the earlier incarnation;
     *                 exceptionally if the state refused the base.
     * @return true if queued, false if the command queue was full (counted).
     */
    public boolean admitIncarnation(
        final int workerId, final long base, final Runnable redirect, final CompletableFuture<Long> result)
    {
        return enqueue(new AdmitCommand(workerId, base, redirect, result));
    }

    /**
     * Give the shard a backup copy before it takes its first push ({@link ShardState#attachBackup}). Thread-safe.
     *
     * @param forward where applied pushes go: the backup's stream.
     * @param result  completed on the agent's thread; exceptionally if the state refused.
     * @return true if queued, false if the command queue was full (counted).
     */
    public boolean attachBackup(final ReplySender forward, final CompletableFuture<Void> result)
    {
        return enqueue(new AttachBackupCommand(forward, result));
    }

    /**
     * Go on without the backup copy, releasing the acknowledgements held for it ({@link ShardState#detachBackup}).
     * Thread-safe.
     *
     * @param result completed on the agent's thread.
     * @return true if queued, false if the command queue was full (counted).
     */
    public boolean detachBackup(final CompletableFuture<Void> result)
    {
        return enqueue(new DetachBackupCommand(result));
    }

    /**
     * Stop polling and hand the live state over, for a backup copy that takes its lost primary's place on this node:
     * after this command the agent never touches the state again. Thread-safe.
     *
     * @param result completed on the agent's thread with the state.
     * @return true if queued, false if the command queue was full (counted).
     */
    public boolean handOver(final CompletableFuture<ShardState> result)
    {
        return enqueue(new HandOverCommand(result));
    }

    /**
     * Has the agent stopped polling?
     *
     * @return true after a stop command was served or the agent closed.
     */
    public boolean isStopped()
    {
        return stopped;
    }

    /**
     * Get the number of commands refused because the queue was full.
     *
     * @return the count.
     */
    public long refusedCommandCount()
    {
        return refusedCommands.get();
    }

    ShardState state()
    {
        return state;
    }

    private boolean enqueue(final Command command)
    {
        if (commands.offer(command))
        {
            return true;
        }
        refusedCommands.incrementAndGet();
        return false;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        state.onMessage(buffer, offset, length, replies);
    }

    private void onCommand(final Command command)
    {
        if (command instanceof SnapshotCommand snapshot)
        {
            snapshot.result().complete(state.snapshot());
        }
        else if (command instanceof StatisticsCommand statistics)
        {
            statistics.result().complete(state.statistics());
        }
        else if (command instanceof AdmitCommand admit)
        {
            try
            {
                admit.redirect().run();
                admit.result().complete(state.admitIncarnation(admit.workerId(), admit.base()));
            }
            catch (final RuntimeException ex)
            {
                admit.result().completeExceptionally(ex);
            }
        }
        else if (command instanceof StopCommand stop)
        {
            stopped = true;
            stop.result().complete(state.snapshot());
        }
        else if (command instanceof AttachBackupCommand attach)
        {
            try
            {
                state.attachBackup(attach.forward());
                attach.result().complete(null);
            }
            catch (final RuntimeException ex)
            {
                attach.result().completeExceptionally(ex);
            }
        }
        else if (command instanceof DetachBackupCommand detach)
        {
            state.detachBackup(replies);
            detach.result().complete(null);
        }
        else if (command instanceof HandOverCommand handOver)
        {
            stopped = true;
            handOver.result().complete(state);
        }
    }

    private static void failClosed(final Command command)
    {
        command.result().completeExceptionally(new IllegalStateException("shard agent closed before the command ran"));
    }

    private interface Command
    {
        CompletableFuture<?> result();
    }

    private record SnapshotCommand(CompletableFuture<ShardSnapshot> result) implements Command
    {
    }

    private record StatisticsCommand(CompletableFuture<ShardStatistics> result) implements Command
    {
    }

    private record AdmitCommand(int workerId, long base, Runnable redirect, CompletableFuture<Long> result)
        implements Command
    {
    }

    private record StopCommand(CompletableFuture<ShardSnapshot> result) implements Command
    {
    }

    private record AttachBackupCommand(ReplySender forward, CompletableFuture<Void> result) implements Command
    {
    }

    private record DetachBackupCommand(CompletableFuture<Void> result) implements Command
    {
    }

    private record HandOverCommand(CompletableFuture<ShardState> result) implements Command
    {
    }
}
