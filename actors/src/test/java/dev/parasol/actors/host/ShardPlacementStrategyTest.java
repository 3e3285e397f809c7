package dev.parasol.actors.host;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Await;
import scala.concurrent.duration.Duration;
import scala.jdk.javaapi.CollectionConverters;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardPlacementStrategyTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();
    private static final Duration WAIT = Duration.create(5, "s");

    @AfterAll
    static void stop()
    {
        TEST_KIT.shutdownTestKit();
    }

    private static ActorRef region()
    {
        return Adapter.toClassic(TEST_KIT.createTestProbe().ref());
    }

    private static IndexedSeq<String> shards(final String... ids)
    {
        return CollectionConverters.asScala(List.of(ids)).toIndexedSeq();
    }

    @Test
    void shouldPlaceOnTheNodeWithFewestShards() throws Exception
    {
        final ActorRef busy = region();
        final ActorRef idle = region();
        final Map<ActorRef, IndexedSeq<String>> allocations = new HashMap<>();
        allocations.put(busy, shards("job-1/shard-0", "job-1/shard-1"));
        allocations.put(idle, shards("job-2/shard-0"));

        final ActorRef chosen = Await.result(
            new ShardPlacementStrategy().allocateShard(busy, "job-3/shard-0", allocations), WAIT);

        assertEquals(idle, chosen);
    }

    @Test
    void shouldSpreadTheShardsOfOneJobOverEmptyNodes() throws Exception
    {
        final ActorRef first = region();
        final ActorRef second = region();
        final Map<ActorRef, IndexedSeq<String>> allocations = new HashMap<>();
        allocations.put(first, shards());
        allocations.put(second, shards());
        final ShardPlacementStrategy strategy = new ShardPlacementStrategy();

        final ActorRef one = Await.result(strategy.allocateShard(first, "job-1/shard-0", allocations), WAIT);
        allocations.put(one, shards("job-1/shard-0"));
        final ActorRef two = Await.result(strategy.allocateShard(first, "job-1/shard-1", allocations), WAIT);

        assertNotEquals(one, two, "both shards of the job went to the same node");
    }

    @Test
    void shouldPlaceABackupCopyAwayFromItsShardEvenOnABusierNode() throws Exception
    {
        final ActorRef shardNode = region();
        final ActorRef busy = region();
        final Map<ActorRef, IndexedSeq<String>> allocations = new HashMap<>();
        allocations.put(shardNode, shards("job-1/shard-0"));
        allocations.put(busy, shards("job-1/shard-1", "job-2/shard-0", "job-2/shard-1"));

        final ActorRef chosen = Await.result(new ShardPlacementStrategy().allocateShard(
            shardNode, ShardEntity.backupEntityId("job-1", 0), allocations), WAIT);

        assertEquals(busy, chosen);
    }

    @Test
    void shouldPlaceALostShardAgainWhereItsBackupCopyLives() throws Exception
    {
        final ActorRef idle = region();
        final ActorRef copyNode = region();
        final Map<ActorRef, IndexedSeq<String>> allocations = new HashMap<>();
        // The shard's own node is gone from the allocations: it died.
        allocations.put(idle, shards());
        allocations.put(copyNode, shards("job-1/shard-1", ShardEntity.backupEntityId("job-1", 0)));

        final ActorRef chosen = Await.result(
            new ShardPlacementStrategy().allocateShard(idle, ShardEntity.entityId("job-1", 0), allocations), WAIT);

        assertEquals(copyNode, chosen);
    }

    @Test
    void shouldPlaceACopyNextToItsShardOnlyWhenThereIsNoOtherNode() throws Exception
    {
        final ActorRef only = region();
        final Map<ActorRef, IndexedSeq<String>> allocations = new HashMap<>();
        allocations.put(only, shards("job-1/shard-0"));

        final ActorRef chosen = Await.result(new ShardPlacementStrategy().allocateShard(
            only, ShardEntity.backupEntityId("job-1", 0), allocations), WAIT);

        assertEquals(only, chosen, "the runner sees the copy next to its shard and stops it");
    }

    @Test
    void shouldNeverMoveARunningShardWhenANodeJoins() throws Exception
    {
        final Map<ActorRef, IndexedSeq<String>> allocations = new HashMap<>();
        allocations.put(region(), shards("a", "b", "c", "d", "e", "f"));
        allocations.put(region(), shards());

        final Set<String> moved = Await.result(new ShardPlacementStrategy().rebalance(allocations, Set.of()), WAIT);

        assertTrue(moved.isEmpty(), () -> "rebalance moved " + moved);
    }
}
