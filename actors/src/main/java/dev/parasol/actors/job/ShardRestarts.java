package dev.parasol.actors.job;

import java.util.Arrays;

/**
 * The books a job runner keeps on restarting lost shards: per shard, its incarnation (how many times it was
 * restarted), where a restart stands (asked for, waiting for the shard to listen, connecting it to the workers), the
 * version the lost shard had last reported, and the restarts used against the job's limit. Owned by the runner
 * actor; not thread-safe.
 */
final class ShardRestarts
{
    private enum Stage
    {
        NONE, RESTARTING, CONNECTING
    }

    private final int[] incarnation;
    private final long[] lostAtVersion;
    private final long[] sinceNs;
    private final Stage[] stage;
    private final int limit;
    private int used;

    ShardRestarts(final int shards, final int limit)
    {
        this.incarnation = new int[shards];
        this.lostAtVersion = new long[shards];
        this.sinceNs = new long[shards];
        this.stage = new Stage[shards];
        Arrays.fill(stage, Stage.NONE);
        this.limit = limit;
    }

    boolean mayRestart()
    {
        return used < limit;
    }

    int used()
    {
        return used;
    }

    int incarnation(final int shard)
    {
        return incarnation[shard];
    }

    long lostAtVersion(final int shard)
    {
        return lostAtVersion[shard];
    }

    boolean isRestarting(final int shard)
    {
        return stage[shard] == Stage.RESTARTING;
    }

    boolean inProgress(final int shard)
    {
        return stage[shard] != Stage.NONE;
    }

    void begin(final int shard, final long versionWhenLost)
    {
        used++;
        incarnation[shard]++;
        lostAtVersion[shard] = versionWhenLost;
        stage[shard] = Stage.RESTARTING;
        sinceNs[shard] = System.nanoTime();
    }

    /**
     * The restarted shard listens.
     *
     * @return true if it was being restarted (not a duplicate answer).
     */
    boolean ready(final int shard)
    {
        if (stage[shard] != Stage.RESTARTING)
        {
            return false;
        }
        stage[shard] = Stage.CONNECTING;
        return true;
    }

    /**
     * The restarted shard serves the workers.
     *
     * @return true if it was connecting.
     */
    boolean connected(final int shard)
    {
        if (stage[shard] != Stage.CONNECTING)
        {
            return false;
        }
        stage[shard] = Stage.NONE;
        return true;
    }

    /**
     * Get a shard whose restart has taken longer than allowed, if any.
     *
     * @return the shard, or -1.
     */
    int overdue(final long nowNs, final long timeoutNs)
    {
        for (int shard = 0; shard < stage.length; shard++)
        {
            if (stage[shard] != Stage.NONE && nowNs - sinceNs[shard] > timeoutNs)
            {
                return shard;
            }
        }
        return -1;
    }
}
