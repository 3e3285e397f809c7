package dev.parasol.actors.job;

import dev.parasol.actors.psshard.ShardSnapshot;
import dev.parasol.engine.model.ParameterLayout;

/**
 * The final snapshots of a job's shards, put back together into the flat parameter vector of the model.
 */
final class ShardSnapshotSet
{
    private final ParameterLayout layout;
    private final ShardSnapshot[] snapshots;

    ShardSnapshotSet(final ParameterLayout layout, final int shards)
    {
        this.layout = layout;
        this.snapshots = new ShardSnapshot[shards];
    }

    void add(final ShardSnapshot snapshot)
    {
        snapshots[snapshot.shard()] = snapshot;
    }

    boolean isComplete()
    {
        for (final ShardSnapshot snapshot : snapshots)
        {
            if (snapshot == null)
            {
                return false;
            }
        }
        return true;
    }

    ShardSnapshot get(final int shard)
    {
        return snapshots[shard];
    }

    ParameterLayout layout()
    {
        return layout;
    }

    /**
     * Assemble the model from every shard's range.
     *
     * @return the flat parameter vector.
     * @throws IllegalStateException if a shard's snapshot is missing.
     */
    float[] assemble()
    {
        final float[] params = new float[layout.size()];
        for (int s = 0; s < snapshots.length; s++)
        {
            final ShardSnapshot snapshot = snapshots[s];
            if (snapshot == null)
            {
                throw new IllegalStateException("no final snapshot from shard " + s);
            }
            System.arraycopy(snapshot.parameters(), 0, params, snapshot.rangeStart(), snapshot.parameters().length);
        }
        return params;
    }

    long totalVersions()
    {
        long total = 0;
        for (final ShardSnapshot snapshot : snapshots)
        {
            total += snapshot == null ? 0 : snapshot.version();
        }
        return total;
    }
}
