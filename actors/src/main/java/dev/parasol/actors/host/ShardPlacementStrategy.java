package dev.parasol.actors.host;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.dispatch.Futures;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * Where Cluster Sharding places parameter-server shards: on the {@code ps} node that holds the fewest, ties going to
 * the node with the lowest address so placement is repeatable; and never anywhere else afterwards.
 * <p>
 * Pekko's default strategy rebalances: when a node joins it moves shards to it, which stops an entity on one node
 * and starts it on the next message on another. A running parameter-server shard holds its key range and
 * optimiser state in memory; moved without that state, its job would silently restart from initial parameters.
 * So a shard moves only when its node leaves or dies, and a node that joins serves the next jobs.
 * <p>
 * The count per node includes Cluster Sharding shards of jobs that have ended (they stay allocated, empty), so the
 * balance is over every shard a node has hosted since it joined, which spreads the load of a long-running cluster
 * well enough and keeps the strategy free of any state of its own.
 * <p>
 * Backup copies ({@link ShardEntity#backupEntityId}) go to the least loaded node that does not hold their shard,
 * so one node's loss never takes both; with a single {@code ps} node there is no such node and the copy lands next
 * to its shard, which the job runner notices and undoes. A shard allocated while its copy is allocated, which
 * happens only when the shard's node was lost, goes to the copy's node, where it takes the copy's state over.
 */
final class ShardPlacementStrategy extends ShardCoordinator.AbstractShardAllocationStrategy
{
    @Override
    public Future<ActorRef> allocateShard(
        final ActorRef requester, final String shardId, final Map<ActorRef, IndexedSeq<String>> currentShardAllocations)
    {
        final ActorRef copyNode = holderOf(shardId + ShardEntity.BACKUP_SUFFIX, currentShardAllocations);
        if (copyNode != null)
        {
            return Futures.successful(copyNode);
        }
        final ActorRef avoid = shardId.endsWith(ShardEntity.BACKUP_SUFFIX) ? holderOf(
            shardId.substring(0, shardId.length() - ShardEntity.BACKUP_SUFFIX.length()), currentShardAllocations) :
            null;
        ActorRef best = null;
        int bestCount = Integer.MAX_VALUE;
        for (final Map.Entry<ActorRef, IndexedSeq<String>> entry : currentShardAllocations.entrySet())
        {
            if (entry.getKey().equals(avoid) && currentShardAllocations.size() > 1)
            {
                continue;
            }
            final int count = entry.getValue().size();
            if (best == null || count < bestCount || count == bestCount &&
                entry.getKey().path().address().toString().compareTo(best.path().address().toString()) < 0)
            {
                best = entry.getKey();
                bestCount = count;
            }
        }
        return Futures.successful(best != null ? best : requester);
    }

    private static ActorRef holderOf(
        final String shardId, final Map<ActorRef, IndexedSeq<String>> currentShardAllocations)
    {
        for (final Map.Entry<ActorRef, IndexedSeq<String>> entry : currentShardAllocations.entrySet())
        {
            if (entry.getValue().contains(shardId))
            {
                return entry.getKey();
            }
        }
        return null;
    }

    @Override
    public Future<Set<String>> rebalance(
        final Map<ActorRef, IndexedSeq<String>> currentShardAllocations, final Set<String> rebalanceInProgress)
    {
        return Futures.successful(Collections.emptySet());
    }
}
