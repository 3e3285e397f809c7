package dev.parasol.actors.host;

import dev.parasol.actors.CborSerializable;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.psshard.PsShard;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The cluster-wide identity of one parameter-server shard: a Cluster Sharding entity per job and key range
 * ({@link #entityId(String, int)}), living on a node with the {@code ps} role. Cluster Sharding decides which
 * {@code ps} node hosts it ({@link ShardPlacementStrategy}: the least loaded, and never moved while it runs) and
 * routes every message addressed to it, from any node, to wherever it is.
 * <p>
 * The entity is deliberately thin: on {@link Start} it asks its node's {@link NodeHost} to build the
 * {@link PsShard} with what is local to that node (data plane, shard thread, counters), then forwards the shard's
 * protocol to it and stops when it stops. So a node still stops its shards in the order that keeps its data plane
 * safe, whichever way they were placed. A message other than {@link Start} that reaches an entity that never
 * started, e.g. a late statistics request for a job that has ended, stops it again at once.
 */
public final class ShardEntity
{
    /**
     * The entity type of parameter-server shards.
     */
    public static final EntityTypeKey<PsShard.Command> TYPE_KEY =
        EntityTypeKey.create(PsShard.Command.class, "parasol-ps-shard");

    /**
     * What {@link #backupEntityId} appends to the shard's entity id.
     */
    public static final String BACKUP_SUFFIX = "/backup";

    private static final int STASH_CAPACITY = 64;

    /**
     * Start the shard: build it on this node and report {@link PsShard.Ready} (or a placement failure).
     *
     * @param jobId     the job.
     * @param wireJobId the job id of its data-plane messages.
     * @param authKey   the job's key, which signs every data-plane message.
     * @param spec      the job's spec.
     * @param shard     the shard's index.
     * @param restore   whether it replaces a lost shard, from its backup copy or its checkpoint.
     * @param backup    whether this entity is the shard's backup copy ({@link #backupEntityId}).
     * @param readyTo   told when the shard listens.
     * @param failedTo  told if it cannot start here.
     */
    public record Start(
        String jobId, long wireJobId, byte[] authKey, JobSpec spec, int shard, boolean restore, boolean backup,
        ActorRef<PsShard.Ready> readyTo, ActorRef<NodeHost.PlacementFailed> failedTo)
        implements PsShard.Command, CborSerializable
    {
    }

    private record Built(PsShard.Ready ready) implements PsShard.Command
    {
    }

    private record NotBuilt(NodeHost.PlacementFailed failed) implements PsShard.Command
    {
    }

    private record ShardEnded() implements PsShard.Command
    {
    }

    private ShardEntity()
    {
    }

    /**
     * Get the entity id of a job's shard.
     *
     * @param jobId the job.
     * @param shard the shard's index.
     * @return the id, unique in the cluster.
     */
    public static String entityId(final String jobId, final int shard)
    {
        return jobId + "/shard-" + shard;
    }

    /**
     * Get the entity id of the backup copy of a job's shard: the shard's id with {@value #BACKUP_SUFFIX}, which
     * {@link ShardPlacementStrategy} places away from the shard, and next to which it places the shard again when
     * the shard's node is lost.
     *
     * @param jobId the job.
     * @param shard the shard's index.
     * @return the id, unique in the cluster.
     */
    public static String backupEntityId(final String jobId, final int shard)
    {
        return entityId(jobId, shard) + BACKUP_SUFFIX;
    }

    /**
     * Get a reference to the backup copy of a job's shard, valid from any node on which {@link #init} ran.
     *
     * @param system a cluster member.
     * @param jobId  the job.
     * @param shard  the shard's index.
     * @return the reference.
     */
    public static EntityRef<PsShard.Command> backupRef(
        final ActorSystem<?> system, final String jobId, final int shard)
    {
        return ClusterSharding.get(system).entityRefFor(TYPE_KEY, backupEntityId(jobId, shard));
    }

    /**
     * Register the shard entities with Cluster Sharding on this node: as hosts where the node has the {@code ps}
     * role, as a proxy elsewhere (where {@code host} may be null).
     *
     * @param system a cluster member.
     * @param host   this node's host when it has the {@code ps} role, else null.
     */
    public static void init(final ActorSystem<?> system, final ActorRef<NodeHost.Command> host)
    {
        final ClusterShardingSettings settings = ClusterShardingSettings.create(system)
            // A shard is busy on the data plane and silent on the control plane for minutes: idleness on the
            // control plane is no reason to stop it.
            .withNoPassivationStrategy();
        ClusterSharding.get(system).init(Entity.of(TYPE_KEY, (context) -> create(requireHost(host)))
            .withRole(NodeHost.PS_ROLE)
            .withSettings(settings)
            .withMessageExtractor(new OneEntityPerShardExtractor())
            .withAllocationStrategy(new ShardPlacementStrategy()));
    }

    /**
     * Get a reference to a job's shard, valid from any node on which {@link #init} ran.
     *
     * @param system a cluster member.
     * @param jobId  the job.
     * @param shard  the shard's index.
     * @return the reference; messages reach the shard wherever it lives.
     */
    public static EntityRef<PsShard.Command> ref(final ActorSystem<?> system, final String jobId, final int shard)
    {
        return ClusterSharding.get(system).entityRefFor(TYPE_KEY, entityId(jobId, shard));
    }

    private static ActorRef<NodeHost.Command> requireHost(final ActorRef<NodeHost.Command> host)
    {
        if (host == null)
        {
            throw new IllegalStateException("a parameter-server shard was allocated to a node without a host");
        }
        return host;
    }

    static Behavior<PsShard.Command> create(final ActorRef<NodeHost.Command> host)
    {
        return Behaviors.withStash(STASH_CAPACITY, (stash) -> Behaviors.receive(PsShard.Command.class)
            .onMessage(Start.class, (start) -> starting(host, start, stash))
            .onMessage(PsShard.Suspend.class, (suspend) ->
            {
                // A runner that takes a job over asks every shard; this one is not running (its node was lost).
                suspend.replyTo().tell(new PsShard.Stopped(suspend.shard(), null, "not running"));
                return Behaviors.stopped();
            })
            .onAnyMessage((message) -> Behaviors.stopped())
            .build());
    }

    private static Behavior<PsShard.Command> starting(
        final ActorRef<NodeHost.Command> host, final Start start, final StashBuffer<PsShard.Command> stash)
    {
        return Behaviors.setup((context) ->
        {
            host.tell(new NodeHost.HostShard(start.jobId(), start.wireJobId(), start.authKey(), start.spec(),
                start.shard(), start.restore(), start.backup(),
                context.messageAdapter(PsShard.Ready.class, Built::new),
                context.messageAdapter(NodeHost.PlacementFailed.class, NotBuilt::new)));
            return Behaviors.receive(PsShard.Command.class)
                .onMessage(Built.class, (built) -> serving(context, host, start, built.ready(), stash))
                .onMessage(NotBuilt.class, (failed) ->
                {
                    start.failedTo().tell(failed.failed());
                    return Behaviors.stopped();
                })
                .onMessage(Start.class, (again) -> Behaviors.same())
                .onAnyMessage((message) ->
                {
                    if (!stash.isFull())
                    {
                        stash.stash(message);
                    }
                    return Behaviors.same();
                })
                .build();
        });
    }

    private static Behavior<PsShard.Command> serving(
        final ActorContext<PsShard.Command> context,
        final ActorRef<NodeHost.Command> host,
        final Start start,
        final PsShard.Ready ready,
        final StashBuffer<PsShard.Command> stash)
    {
        final ActorRef<PsShard.Command> shard = ready.shardRef();
        context.watchWith(shard, new ShardEnded());
        // The runner talks to the entity, and watches the shard itself to learn of its end.
        start.readyTo().tell(ready);
        // Once the shard is told to stop, a Start is for its next life (a runner that took the job over restarts it
        // from the checkpoint it just wrote) and may arrive before the shard has ended: kept, and served after.
        // Before that, a Start is a repeat of this life's.
        final boolean[] ending = {false};
        final Start[] nextLife = {null};
        final Behavior<PsShard.Command> forwarding = Behaviors.receive(PsShard.Command.class)
            .onMessage(ShardEnded.class, (ended) ->
                nextLife[0] == null ? Behaviors.stopped() : starting(host, nextLife[0], stash))
            .onMessage(Start.class, (again) ->
            {
                if (ending[0])
                {
                    nextLife[0] = again;
                }
                return Behaviors.same();
            })
            .onAnyMessage((message) ->
            {
                if (message instanceof PsShard.Suspend || message instanceof PsShard.Stop)
                {
                    ending[0] = true;
                }
                if (nextLife[0] != null)
                {
                    if (!stash.isFull())
                    {
                        stash.stash(message);
                    }
                    return Behaviors.same();
                }
                shard.tell(message);
                return Behaviors.same();
            })
            .build();
        return stash.unstashAll(forwarding);
    }

    /**
     * One Cluster Sharding shard per entity, so that the placement strategy places each parameter-server shard on
     * its own rather than a hash bucket of them.
     */
    static final class OneEntityPerShardExtractor
        extends ShardingMessageExtractor<ShardingEnvelope<PsShard.Command>, PsShard.Command>
    {
        @Override
        public String entityId(final ShardingEnvelope<PsShard.Command> envelope)
        {
            return envelope.entityId();
        }

        @Override
        public String shardId(final String entityId)
        {
            return entityId;
        }

        @Override
        public PsShard.Command unwrapMessage(final ShardingEnvelope<PsShard.Command> envelope)
        {
            return envelope.message();
        }
    }
}
