package dev.parasol.actors.worker;

import dev.parasol.actors.CborSerializable;
import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.dataplane.MessageSender;
import dev.parasol.actors.dataplane.TrainingCounters;
import dev.parasol.engine.data.InMemoryDataset;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.model.Workload;
import dev.parasol.engine.train.TestSetEvaluator;
import dev.parasol.wire.JobKey;
import dev.parasol.wire.MessageAuthenticator;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Evaluates a job's model on the full test set: it keeps its own replica, pulled from the shards like a worker that
 * never pushes (it takes the evaluator slot, worker id {@code workers}), so evaluation reads exactly what the shards
 * hold, over the same data plane. Each {@link Evaluate} pulls what changed since the last one and evaluates. It
 * blocks while it waits for the shards and computes, so spawn it on a blocking dispatcher.
 */
public final class Evaluator extends AbstractBehavior<Evaluator.Command>
{
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PULL_TIMEOUT = Duration.ofSeconds(30);
    private static final long RESEND_INTERVAL_NS = Duration.ofSeconds(2).toNanos();
    private static final int FRAGMENT_LIMIT = 64;
    private static final int EVALUATION_CHUNK = 500;
    // 32 Ki floats are 128 KiB of values, well inside Artery's default 256 KiB frame once encoded.
    private static final int MODEL_CHUNK_FLOATS = 32 * 1024;

    /**
     * Messages the evaluator accepts.
     */
    public interface Command
    {
    }

    /**
     * Pull the latest parameters and evaluate them.
     *
     * @param replyTo where the {@link Result} goes.
     */
    public record Evaluate(ActorRef<Result> replyTo) implements Command, CborSerializable
    {
    }

    /**
     * A shard was lost and restarted elsewhere: request from it at its new address from now on.
     *
     * @param shard    the shard's index.
     * @param endpoint where it listens now.
     */
    public record ShardMoved(int shard, Endpoint endpoint) implements Command, CborSerializable
    {
    }

    /**
     * Send the parameters of the last evaluation, in chunks small enough for the control plane.
     *
     * @param replyTo where the chunks go, in order.
     */
    public record SendModel(ActorRef<ModelChunk> replyTo) implements Command, CborSerializable
    {
    }

    /**
     * A piece of the evaluated model.
     *
     * @param offset index of the first value in the flat parameter vector.
     * @param total  length of the whole vector.
     * @param values the values.
     */
    public record ModelChunk(int offset, int total, float[] values) implements CborSerializable
    {
    }

    /**
     * Release the evaluator's publications and subscription.
     */
    public enum Stop implements Command, CborSerializable
    {
        /**
         * The only instance.
         */
        INSTANCE
    }

    /**
     * The evaluator listens and is connected to every shard.
     *
     * @param endpoint  where shards send it parameter updates.
     * @param evaluator the evaluator itself.
     */
    public record Ready(Endpoint endpoint, ActorRef<Command> evaluator) implements CborSerializable
    {
    }

    /**
     * One evaluation.
     *
     * @param accuracy fraction of the test set classified correctly, NaN if the pull failed.
     * @param loss     mean test loss.
     * @param versions the shard versions evaluated.
     * @param error    why the evaluation failed, or null.
     */
    public record Result(double accuracy, double loss, long[] versions, String error) implements CborSerializable
    {
    }

    private final Subscription replies;
    private final List<ExclusivePublication> publications = new ArrayList<>();
    private final MessageSender[] senders;
    private final DataPlane dataPlane;
    private final TrainingCounters counters;
    private final KeyRange[] ranges;
    private final float[] replica;
    private final ReplicaUpdater updater;
    private final PushEncoder encoder;
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private final TestSetEvaluator testSet;
    private final boolean[] awaiting;
    private final long[] sequences;
    private final IdleStrategy idle = new BackoffIdleStrategy();
    private int awaitingCount;

    private Evaluator(
        final ActorContext<Command> context,
        final long wireJobId,
        final int evaluatorId,
        final Workload workload,
        final List<KeyRange> ranges,
        final List<Endpoint> shardEndpoints,
        final InMemoryDataset test,
        final DataPlane dataPlane,
        final TrainingCounters counters,
        final int streamId,
        final int incarnation,
        final JobKey key,
        final ActorRef<Ready> readyTo)
    {
        super(context);
        // The actor's own: evaluations run on its thread.
        final MessageAuthenticator authenticator = new MessageAuthenticator(key);
        this.ranges = ranges.toArray(new KeyRange[0]);
        this.replica = new float[workload.parameterCount()];
        this.updater = new ReplicaUpdater(wireJobId, replica, this.ranges, authenticator);
        this.encoder = new PushEncoder(wireJobId, evaluatorId, 1, authenticator);
        this.testSet = new TestSetEvaluator(test, workload.create(EVALUATION_CHUNK));
        this.awaiting = new boolean[ranges.size()];
        this.sequences = new long[ranges.size()];
        // A replacement evaluator continues above its predecessor's sequences, which the shards refuse from now on.
        Arrays.fill(sequences, Incarnations.sequenceBase(incarnation));
        this.replies = dataPlane.addSubscription(streamId);
        final Endpoint endpoint = dataPlane.resolveEndpoint(replies, CONNECT_TIMEOUT);
        this.dataPlane = dataPlane;
        this.counters = counters;
        this.senders = new MessageSender[ranges.size()];
        for (int s = 0; s < senders.length; s++)
        {
            senders[s] = connectTo(s, shardEndpoints.get(s));
        }
        readyTo.tell(new Ready(endpoint, context.getSelf()));
    }

    /**
     * Create an evaluator; it connects to the shards at once and reports {@link Ready}.
     *
     * @param wireJobId      the job id of data-plane messages.
     * @param evaluatorId    its slot at the shards: the number of workers.
     * @param workload       the model.
     * @param ranges         the shards' key ranges, in shard order.
     * @param shardEndpoints where each shard listens.
     * @param test           the test set.
     * @param dataPlane      the node's data plane.
     * @param counters       counters for the evaluation traffic, apart from training's.
     * @param streamId       the stream id of its subscription.
     * @param incarnation    0, or 1, 2, ... for a replacement evaluator ({@link Incarnations}).
     * @param key            the job's key: every message to and from the evaluator is signed with it.
     * @param readyTo        told when connected.
     * @return the behavior.
     */
    public static Behavior<Command> create(
        final long wireJobId,
        final int evaluatorId,
        final Workload workload,
        final List<KeyRange> ranges,
        final List<Endpoint> shardEndpoints,
        final InMemoryDataset test,
        final DataPlane dataPlane,
        final TrainingCounters counters,
        final int streamId,
        final int incarnation,
        final JobKey key,
        final ActorRef<Ready> readyTo)
    {
        return Behaviors.setup((context) -> new Evaluator(
            context, wireJobId, evaluatorId, workload, ranges, shardEndpoints, test, dataPlane, counters, streamId,
            incarnation, key, readyTo));
    }

    @Override
    public Receive<Command> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(Evaluate.class, this::onEvaluate)
            .onMessage(SendModel.class, this::onSendModel)
            .onMessage(ShardMoved.class, this::onShardMoved)
            .onMessage(Stop.class, (stop) -> Behaviors.stopped())
            .onSignal(PostStop.class, (signal) -> onPostStop())
            .build();
    }

    private Behavior<Command> onEvaluate(final Evaluate evaluate)
    {
        final String error = pull();
        final long[] versions = new long[ranges.length];
        for (int s = 0; s < ranges.length; s++)
        {
            versions[s] = updater.heldVersion(s);
        }
        if (error != null)
        {
            evaluate.replyTo().tell(new Result(Double.NaN, Double.NaN, versions, error));
            return this;
        }
        final double accuracy = testSet.accuracy(replica);
        evaluate.replyTo().tell(new Result(accuracy, testSet.lastLoss(), versions, null));
        return this;
    }

    private Behavior<Command> onSendModel(final SendModel send)
    {
        for (int offset = 0; offset < replica.length; offset += MODEL_CHUNK_FLOATS)
        {
            final int length = Math.min(MODEL_CHUNK_FLOATS, replica.length - offset);
            send.replyTo().tell(new ModelChunk(offset, replica.length,
                Arrays.copyOfRange(replica, offset, offset + length)));
        }
        return this;
    }

    private String pull()
    {
        final FragmentAssembler assembler = new FragmentAssembler((buffer, offset, length, header) ->
        {
            final int shard = updater.onMessage(buffer, offset, length);
            if (shard >= 0 && awaiting[shard] && updater.lastSequence() == sequences[shard])
            {
                awaiting[shard] = false;
                awaitingCount--;
            }
        });
        awaitingCount = ranges.length;
        for (int s = 0; s < ranges.length; s++)
        {
            sequences[s]++;
            awaiting[s] = true;
        }
        final long deadlineNs = System.nanoTime() + PULL_TIMEOUT.toNanos();
        long nextSendNs = System.nanoTime();
        while (awaitingCount > 0)
        {
            final long now = System.nanoTime();
            if (now - deadlineNs > 0)
            {
                return "no parameters from the shards within " + PULL_TIMEOUT;
            }
            if (now - nextSendNs >= 0)
            {
                for (int s = 0; s < ranges.length; s++)
                {
                    if (awaiting[s])
                    {
                        final int length = encoder.encodeRequest(sendBuffer, ranges[s], sequences[s],
                            updater.heldVersion(s));
                        senders[s].send(sendBuffer, 0, length);
                    }
                }
                nextSendNs = now + RESEND_INTERVAL_NS;
            }
            idle.idle(replies.poll(assembler, FRAGMENT_LIMIT));
        }
        idle.reset();
        return null;
    }

    private MessageSender connectTo(final int shard, final Endpoint shardEndpoint)
    {
        final ExclusivePublication publication = dataPlane.addExclusivePublication(shardEndpoint);
        publications.add(publication);
        final MessageSender sender = dataPlane.newSender(publication, counters, MessageSender.Traffic.REQUEST);
        if (!sender.awaitConnected(CONNECT_TIMEOUT))
        {
            throw new IllegalStateException("the evaluator could not connect to shard " + shard + " at " +
                shardEndpoint);
        }
        return sender;
    }

    private Behavior<Command> onShardMoved(final ShardMoved moved)
    {
        senders[moved.shard()] = connectTo(moved.shard(), moved.endpoint());
        return this;
    }

    private Behavior<Command> onPostStop()
    {
        for (final ExclusivePublication publication : publications)
        {
            CloseHelper.quietClose(publication);
        }
        CloseHelper.quietClose(replies);
        return this;
    }
}
