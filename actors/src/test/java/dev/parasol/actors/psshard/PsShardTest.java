package dev.parasol.actors.psshard;

import com.typesafe.config.ConfigFactory;
import dev.parasol.actors.dataplane.AgentThreadingMode;
import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.dataplane.DynamicAgentRunner;
import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.dataplane.MessageSender;
import dev.parasol.actors.dataplane.TrainingCounters;
import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.model.Model;
import dev.parasol.engine.model.Workload;
import dev.parasol.engine.optim.OptimiserConfig;
import dev.parasol.wire.DenseDecoder;
import dev.parasol.wire.Encoding;
import dev.parasol.wire.JobKey;
import dev.parasol.wire.MessageAuthenticator;
import dev.parasol.wire.MessageHeaderDecoder;
import dev.parasol.wire.MessageHeaderEncoder;
import dev.parasol.wire.MessageType;
import dev.parasol.wire.RejectReason;
import dev.parasol.wire.SparseEncoder;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shard actor's protocol over a real data plane: it listens, connects back to a worker, applies a push that
 * arrives over Aeron UDP, answers statistics, and hands back its final state when stopped.
 */
@Timeout(60)
class PsShardTest
{
    private static final long JOB = 42L;
    private static final JobKey KEY = JobKey.generate(new SecureRandom());
    private static ActorTestKit testKit;
    private static DataPlane dataPlane;
    private static DynamicAgentRunner runner;

    @BeforeAll
    static void start()
    {
        testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local"));
        dataPlane = DataPlane.launch(new DataPlaneContext());
        runner = DynamicAgentRunner.start("test-shards", AgentThreadingMode.SHARED,
            dataPlane.context()::newAgentIdleStrategy, Throwable::printStackTrace, null);
    }

    @AfterAll
    static void stop()
    {
        testKit.shutdownTestKit();
        runner.close();
        dataPlane.close();
    }

    @Test
    void shouldApplyAPushFromAeronCheckpointItAndReturnItInTheFinalSnapshotWhenStopped(@TempDir final Path directory)
        throws Exception
    {
        final Path checkpoint = ShardCheckpointFile.path(directory, 1);
        final KeyRange range = Workload.W1.create(1).layout().split(2)[1];
        final TrainingCounters counters = dataPlane.newTrainingCounters("test");
        final TestProbe<PsShard.Ready> ready = testKit.createTestProbe();
        final ConnectedShard connectedShard = startConnected(range, counters, 77,
            new CheckpointPlan(checkpoint, Duration.ofMillis(100), null), ready);
        final ActorRef<PsShard.Command> shard = connectedShard.shard();
        assertEquals(1, connectedShard.listening().shard());
        final Subscription workerReplies = connectedShard.workerReplies();
        final ExclusivePublication toShard = connectedShard.toShard();
        final MessageSender sender = connectedShard.sender();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final MessageHeaderEncoder header = pushHeader(range);
        final int length = SparseEncoder.encode(buffer, 0, header, Encoding.SPARSE_F32, new int[] {3, 10},
            new float[] {2.0f, -4.0f}, 2);
        // Replayed on purpose: the shard must apply sequence 1 once.
        assertEquals(true, sender.send(buffer, 0, length) > 0);
        assertEquals(true, sender.send(buffer, 0, length) > 0);
        // Forged: the same push under sequence 5, signed with another key, and unsigned; neither may change a thing.
        header.sequence(5).authenticator(new MessageAuthenticator(JobKey.generate(new SecureRandom())));
        final int forged = SparseEncoder.encode(buffer, 0, header, Encoding.SPARSE_F32, new int[] {3, 10},
            new float[] {100.0f, 100.0f}, 2);
        assertEquals(true, sender.send(buffer, 0, forged) > 0);
        header.authenticator(null);
        final int unsigned = SparseEncoder.encode(buffer, 0, header, Encoding.SPARSE_F32, new int[] {3, 10},
            new float[] {100.0f, 100.0f}, 2);
        assertEquals(true, sender.send(buffer, 0, unsigned) > 0);

        final ShardStatistics seen = awaitStatistics(shard, (s) -> s.applied() + s.duplicates() + s.rejected() >= 4);
        assertEquals(1, seen.applied());
        assertEquals(1, seen.duplicates());
        assertEquals(2, seen.rejected());

        // The checkpoint catches up with the push within a few intervals, written whole (its CRC checks).
        ShardSnapshot written = null;
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((written == null || written.version() < 1) && System.nanoTime() < deadline)
        {
            written = Files.exists(checkpoint) ? ShardCheckpointFile.read(checkpoint) : null;
            Thread.sleep(50);
        }
        assertNotNull(written);
        assertEquals(1, written.version());
        assertEquals(1, written.lastAppliedSequences()[0]);

        final float[] values = pullOverAeron(sender, buffer, range, workerReplies);
        assertEquals(values[3], written.parameters()[3], 0.0f);
        final Model model = Workload.W1.create(1);
        final float[] initial = new float[model.layout().size()];
        model.initialiseInPlace(initial, new SplittableRandom(5L));
        assertEquals(initial[range.start() + 3] - 0.5f * 2.0f, values[3], 0.0f);
        assertEquals(initial[range.start() + 10] + 0.5f * 4.0f, values[10], 0.0f);
        assertEquals(initial[range.start() + 4], values[4], 0.0f);

        final TestProbe<PsShard.Stopped> stopped = testKit.createTestProbe();
        shard.tell(new PsShard.Stop(stopped.getRef()));
        final PsShard.Stopped last = stopped.receiveMessage(Duration.ofSeconds(10));
        assertEquals(1, last.statistics().version());
        assertEquals(1, last.statistics().applied());
        assertTrue(last.statistics().checkpoints() >= 1);
        assertEquals(1, last.statistics().checkpointVersion());
        assertFalse(Files.exists(checkpoint), "a shard stopped in order deletes its checkpoint");
        toShard.close();
        workerReplies.close();
    }

    @Test
    void shouldWriteItsFinalStateToItsCheckpointAndRestartFromItWhenSuspended(@TempDir final Path directory)
    {
        final Path checkpoint = ShardCheckpointFile.path(directory, 1);
        final KeyRange range = Workload.W1.create(1).layout().split(2)[1];
        final TrainingCounters counters = dataPlane.newTrainingCounters("suspend");
        // No periodic checkpoint within the test: whatever the file holds, the suspend wrote.
        final CheckpointPlan plan = new CheckpointPlan(checkpoint, Duration.ofHours(1), null);
        final ConnectedShard connectedShard = startConnected(range, counters, 81, plan, testKit.createTestProbe());
        final ActorRef<PsShard.Command> shard = connectedShard.shard();
        final MessageSender sender = connectedShard.sender();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final MessageHeaderEncoder header = pushHeader(range);
        final int length = SparseEncoder.encode(
            buffer, 0, header, Encoding.SPARSE_F32, new int[] {3}, new float[] {2.0f}, 1);
        assertEquals(true, sender.send(buffer, 0, length) > 0);
        awaitStatistics(shard, (s) -> s.applied() >= 1);

        final TestProbe<PsShard.Stopped> stopped = testKit.createTestProbe();
        shard.tell(new PsShard.Suspend(1, stopped.getRef()));
        final PsShard.Stopped last = stopped.receiveMessage(Duration.ofSeconds(10));
        connectedShard.toShard().close();
        connectedShard.workerReplies().close();

        assertNull(last.error(), last.toString());
        assertEquals(1, last.statistics().applied());
        assertEquals(1, last.statistics().checkpointVersion());
        final ShardSnapshot written = assertDoesNotThrow(() -> ShardCheckpointFile.read(checkpoint));
        assertEquals(1, written.version(), "the acknowledged push is in the checkpoint");
        assertEquals(1, written.lastAppliedSequences()[0]);
        // The next life starts where this one stopped.
        final TestProbe<PsShard.Ready> restored = testKit.createTestProbe();
        final ActorRef<PsShard.Command> next = testKit.spawn(PsShard.create(setup(range, counters, 83,
            new CheckpointPlan(checkpoint, Duration.ofHours(1), written), restored)));
        assertEquals(1, restored.receiveMessage(Duration.ofSeconds(10)).version());
        next.tell(new PsShard.Stop(testKit.<PsShard.Stopped>createTestProbe().getRef()));
    }

    @Test
    void shouldAcknowledgeOnlyWhatItsBackupCopyConfirmedAndHandTheCopyOverToItsSuccessor()
    {
        final KeyRange range = Workload.W1.create(1).layout().split(2)[1];
        final TrainingCounters counters = dataPlane.newTrainingCounters("copy");
        final TestProbe<PsShard.Ready> copyReady = testKit.createTestProbe();
        final ActorRef<PsShard.Command> copy =
            testKit.spawn(PsShard.create(setup(range, counters, 91, null, copyReady, true, null)));
        final PsShard.Ready copyListening = copyReady.receiveMessage(Duration.ofSeconds(10));
        assertTrue(copyListening.isCopy());
        final TestProbe<PsShard.Ready> ready = testKit.createTestProbe();
        final ActorRef<PsShard.Command> primary = testKit.spawn(PsShard.create(setup(range, counters, 93,
            new CheckpointPlan(ShardCheckpointFile.path(Path.of("unused"), 1), Duration.ZERO, null), ready, false,
            null)));
        final PsShard.Ready listening = ready.receiveMessage(Duration.ofSeconds(10));
        final TestProbe<PsShard.Connected> connected = testKit.createTestProbe();
        copy.tell(new PsShard.Connect(List.of(listening.endpoint()), connected.getRef()));
        connected.expectMessage(Duration.ofSeconds(10), new PsShard.Connected(1, true));
        // Before the primary serves: attached as it connects, before it reads a message.
        final TestProbe<PsShard.BackupAttached> attached = testKit.createTestProbe();
        primary.tell(new PsShard.AttachBackup(copyListening.endpoint(), attached.getRef()));
        final Subscription workerReplies = dataPlane.addSubscription(94);
        final Endpoint workerEndpoint = dataPlane.resolveEndpoint(workerReplies, Duration.ofSeconds(5));
        primary.tell(new PsShard.Connect(List.of(workerEndpoint, workerEndpoint), connected.getRef()));
        connected.expectMessage(Duration.ofSeconds(10), new PsShard.Connected(1, false));
        assertNull(attached.receiveMessage(Duration.ofSeconds(10)).error());
        final ExclusivePublication toShard = dataPlane.addExclusivePublication(listening.endpoint());
        final MessageSender sender = dataPlane.newSender(toShard, counters, MessageSender.Traffic.GRADIENT);
        sender.awaitConnected(Duration.ofSeconds(5));

        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final MessageHeaderEncoder header = pushHeader(range);
        final int length = SparseEncoder.encode(
            buffer, 0, header, Encoding.SPARSE_F32, new int[] {3}, new float[] {2.0f}, 1);
        assertTrue(sender.send(buffer, 0, length) > 0);
        awaitAcknowledgement(workerReplies, 1);

        final ShardStatistics primaryStatistics = awaitStatistics(primary, (s) -> s.applied() >= 1);
        assertTrue(primaryStatistics.replicationBytes() >= length, primaryStatistics.toString());
        assertEquals(0, primaryStatistics.backupDetaches());
        final float[] served = pullOverAeron(sender, buffer, range, workerReplies);
        // The primary's node is lost: its successor takes the copy's state, which holds the acknowledged push.
        final TestProbe<PsShard.HandedOver> handedOver = testKit.createTestProbe();
        copy.tell(new PsShard.HandOver(handedOver.getRef()));
        final PsShard.HandedOver handed = handedOver.receiveMessage(Duration.ofSeconds(10));
        assertNull(handed.error());
        assertEquals(1, handed.state().version());
        assertEquals(1, handed.state().lastAppliedSequence(0));
        final float[] copied = new float[range.length()];
        handed.state().snapshotInto(copied);
        assertArrayEquals(served, copied);
        final TestProbe<PsShard.Ready> successorReady = testKit.createTestProbe();
        final ActorRef<PsShard.Command> successor = testKit.spawn(PsShard.create(
            setup(range, counters, 95, null, successorReady, false, handed.state())));
        final PsShard.Ready promoted = successorReady.receiveMessage(Duration.ofSeconds(10));
        assertTrue(promoted.fromBackup());
        assertEquals(1, promoted.version());

        final TestProbe<PsShard.Stopped> stopped = testKit.createTestProbe();
        primary.tell(new PsShard.Stop(stopped.getRef()));
        stopped.receiveMessage(Duration.ofSeconds(10));
        successor.tell(new PsShard.Stop(stopped.getRef()));
        toShard.close();
        workerReplies.close();
    }

    /**
     * The header of worker 0's first push to shard 1, signed with the job's key.
     */
    private static MessageHeaderEncoder pushHeader(final KeyRange range)
    {
        return new MessageHeaderEncoder().messageType(MessageType.GRADIENT_PUSH)
            .jobId(JOB).workerId(0).shardId(1).sequence(1).baseVersion(0).targetVersion(0)
            .keyRange(range.start(), range.length()).authenticator(new MessageAuthenticator(KEY));
    }

    private static void awaitAcknowledgement(final Subscription replies, final long sequence)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().authenticator(new MessageAuthenticator(KEY));
        final boolean[] received = new boolean[1];
        final FragmentAssembler assembler = new FragmentAssembler((b, offset, len, h) ->
        {
            if (header.wrap(b, offset, len) == RejectReason.NONE && header.sequence() == sequence)
            {
                received[0] = true;
            }
        });
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!received[0] && System.nanoTime() < deadline)
        {
            replies.poll(assembler, 16);
            Thread.onSpinWait();
        }
        assertTrue(received[0], "no acknowledgement of sequence " + sequence);
    }

    private record ConnectedShard(ActorRef<PsShard.Command> shard, PsShard.Ready listening,
        Subscription workerReplies, ExclusivePublication toShard, MessageSender sender)
    {
    }

    /**
     * Start a shard of W1 (range 1 of 2) and connect it to a worker subscription here, as both of its slots.
     */
    private static ConnectedShard startConnected(final KeyRange range, final TrainingCounters counters,
        final int streamId, final CheckpointPlan plan, final TestProbe<PsShard.Ready> ready)
    {
        final ActorRef<PsShard.Command> shard =
            testKit.spawn(PsShard.create(setup(range, counters, streamId, plan, ready)));
        final PsShard.Ready listening = ready.receiveMessage(Duration.ofSeconds(10));
        final Subscription workerReplies = dataPlane.addSubscription(streamId + 1);
        final Endpoint workerEndpoint = dataPlane.resolveEndpoint(workerReplies, Duration.ofSeconds(5));
        final TestProbe<PsShard.Connected> connected = testKit.createTestProbe();
        shard.tell(new PsShard.Connect(List.of(workerEndpoint, workerEndpoint), connected.getRef()));
        connected.expectMessage(Duration.ofSeconds(10), new PsShard.Connected(1, false));
        final ExclusivePublication toShard = dataPlane.addExclusivePublication(listening.endpoint());
        final MessageSender sender = dataPlane.newSender(toShard, counters, MessageSender.Traffic.GRADIENT);
        sender.awaitConnected(Duration.ofSeconds(5));
        return new ConnectedShard(shard, listening, workerReplies, toShard, sender);
    }

    private static PsShardSetup setup(final KeyRange range, final TrainingCounters counters, final int streamId,
        final CheckpointPlan plan, final TestProbe<PsShard.Ready> ready)
    {
        return setup(range, counters, streamId, plan, ready, false, null);
    }

    private static PsShardSetup setup(final KeyRange range, final TrainingCounters counters, final int streamId,
        final CheckpointPlan plan, final TestProbe<PsShard.Ready> ready, final boolean backup,
        final ShardState promoted)
    {
        return new PsShardSetup("job", JOB, range, Workload.W1, 5L,
            OptimiserConfig.of(OptimiserConfig.Kind.SGD, 0.5f), StalenessPolicy.CONSTANT, 1, dataPlane, counters,
            counters, runner, streamId, KEY, plan, backup, promoted, ready.getRef());
    }

    private static ShardStatistics awaitStatistics(
        final ActorRef<PsShard.Command> shard, final Predicate<ShardStatistics> until)
    {
        final TestProbe<ShardStatistics> statistics = testKit.createTestProbe();
        ShardStatistics seen = null;
        // A deadline, not a number of attempts: a statistics round trip takes a millisecond, a first datagram over a
        // new Aeron connection on a busy machine can take far longer.
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((seen == null || !until.test(seen)) && System.nanoTime() < deadline)
        {
            if (seen != null)
            {
                LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            }
            shard.tell(new PsShard.GetStatistics(statistics.getRef()));
            seen = statistics.receiveMessage(Duration.ofSeconds(5));
        }
        assertNotNull(seen);
        assertTrue(until.test(seen), "statistics never reached the expected state: " + seen);
        return seen;
    }

    private static float[] pullOverAeron(
        final MessageSender sender, final UnsafeBuffer buffer, final KeyRange range, final Subscription replies)
    {
        final MessageHeaderEncoder request = new MessageHeaderEncoder().messageType(MessageType.PARAMETER_REQUEST)
            .jobId(JOB).workerId(0).shardId(1).sequence(2).baseVersion(0).targetVersion(0)
            .keyRange(range.start(), range.length()).authenticator(new MessageAuthenticator(KEY));
        final int length = SparseEncoder.encode(buffer, 0, request, Encoding.SPARSE_F32, new int[0], new float[0], 0);
        assertEquals(true, sender.send(buffer, 0, length) > 0);
        final float[] values = new float[range.length()];
        final MessageHeaderDecoder header = new MessageHeaderDecoder().authenticator(new MessageAuthenticator(KEY));
        final boolean[] received = new boolean[1];
        final FragmentAssembler assembler = new FragmentAssembler((b, offset, len, h) ->
        {
            if (header.wrap(b, offset, len) == RejectReason.NONE && header.sequence() == 2)
            {
                assertEquals(Encoding.DENSE_F32, header.encoding(), "a first update is the whole range");
                assertEquals(RejectReason.NONE, DenseDecoder.decode(header, values));
                received[0] = true;
            }
        });
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!received[0] && System.nanoTime() < deadline)
        {
            replies.poll(assembler, 16);
            Thread.onSpinWait();
        }
        assertEquals(true, received[0], "no parameter update from the shard");
        return values;
    }
}
