package dev.parasol.actors.job;

import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.psshard.PsShard;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.Arrays;

/**
 * The books a job runner keeps on the backup copies of its shards: per shard, where its copy stands (asked for,
 * connecting to its primary, being attached, attached, taking over, or none), the copy's actor and endpoint, and how
 * many times its primary has gone on without it. Training starts once every copy is settled: attached, or given up
 * with a warning. Owned by the runner actor; not thread-safe.
 */
final class ShardBackups
{
    /**
     * Where one shard's copy stands.
     */
    enum Stage
    {
        /**
         * No copy: never asked for, given up, lost, or used up by a promotion.
         */
        NONE,

        /**
         * Asked Cluster Sharding for the copy; waiting for it to listen.
         */
        STARTING,

        /**
         * The copy listens and connects to its primary.
         */
        CONNECTING,

        /**
         * The primary connects to the copy and starts forwarding.
         */
        ATTACHING,

        /**
         * The primary forwards every push and holds acknowledgements until the copy confirms them.
         */
        ATTACHED,

        /**
         * The primary was lost; its restart takes the copy's state over.
         */
        PROMOTING
    }

    private final Stage[] stage;
    private final ActorRef<PsShard.Command>[] copies;
    private final Endpoint[] endpoints;
    private final long[] detaches;
    private int attachedAtStart;

    @SuppressWarnings("unchecked")
    ShardBackups(final int shards)
    {
        this.stage = new Stage[shards];
        Arrays.fill(stage, Stage.NONE);
        this.copies = new ActorRef[shards];
        this.endpoints = new Endpoint[shards];
        this.detaches = new long[shards];
    }

    Stage stage(final int shard)
    {
        return stage[shard];
    }

    ActorRef<PsShard.Command> copy(final int shard)
    {
        return copies[shard];
    }

    Endpoint endpoint(final int shard)
    {
        return endpoints[shard];
    }

    void starting(final int shard)
    {
        stage[shard] = Stage.STARTING;
    }

    void connecting(final int shard, final ActorRef<PsShard.Command> copy, final Endpoint endpoint)
    {
        stage[shard] = Stage.CONNECTING;
        copies[shard] = copy;
        endpoints[shard] = endpoint;
    }

    void attaching(final int shard)
    {
        stage[shard] = Stage.ATTACHING;
    }

    void attached(final int shard)
    {
        stage[shard] = Stage.ATTACHED;
        attachedAtStart++;
    }

    void promoting(final int shard)
    {
        stage[shard] = Stage.PROMOTING;
    }

    /**
     * The shard has no copy from now on.
     *
     * @return the copy's actor if one was running, to be stopped; else null.
     */
    ActorRef<PsShard.Command> none(final int shard)
    {
        final ActorRef<PsShard.Command> copy = copies[shard];
        stage[shard] = Stage.NONE;
        copies[shard] = null;
        endpoints[shard] = null;
        return copy;
    }

    /**
     * Is every copy attached or given up, so that training may start?
     *
     * @return true when none is on its way.
     */
    boolean settled()
    {
        for (final Stage s : stage)
        {
            if (s == Stage.STARTING || s == Stage.CONNECTING || s == Stage.ATTACHING)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The shard's statistics report how many times it went on without its copy.
     *
     * @return true if that count grew: the copy is stale and must be stopped.
     */
    boolean detachedSince(final int shard, final long reportedDetaches)
    {
        final boolean grew = reportedDetaches > detaches[shard];
        detaches[shard] = Math.max(detaches[shard], reportedDetaches);
        return grew;
    }

    /**
     * A restarted primary starts with its own counters: forget what the lost one reported.
     */
    void resetDetaches(final int shard)
    {
        detaches[shard] = 0;
    }

    int attachedAtStart()
    {
        return attachedAtStart;
    }
}
