package dev.parasol.actors.psshard;

import dev.parasol.actors.dataplane.ReceiverWakeup;
import dev.parasol.actors.psshard.ShardMessages.CapturingSender;
import dev.parasol.actors.psshard.ShardMessages.Message;
import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.optim.OptimiserConfig;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives a {@link ShardAgent} by hand over an embedded media driver on IPC: messages larger than the MTU are
 * reassembled, applied and answered; commands are served on the agent's thread.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ShardAgentTest
{
    private static final String CHANNEL = "aeron:ipc?term-length=64k";
    private static final int STREAM_ID = 1001;
    private static final long JOB = 11;
    private static final int LENGTH = 2_000;

    @TempDir
    Path tempDir;

    private MediaDriver driver;
    private Aeron aeron;

    @BeforeEach
    void setUp()
    {
        final String directory = tempDir.resolve("aeron").toString();
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory));
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(aeron, driver);
    }

    @Test
    void shouldApplyReassembledPushesAndServeCommandsWhenPolled() throws Exception
    {
        final KeyRange range = new KeyRange(0, 0, LENGTH);
        final ShardState state = new ShardState(JOB, range, new float[LENGTH], 0,
            OptimiserConfig.of(OptimiserConfig.Kind.SGD, 0.5f), StalenessPolicy.CONSTANT, 1);
        final Subscription subscription = aeron.addSubscription(CHANNEL, STREAM_ID);
        final Publication publication = aeron.addPublication(CHANNEL, STREAM_ID);
        final CapturingSender replies = new CapturingSender();
        final ShardAgent agent =
            new ShardAgent(state, subscription, replies, 8, ShardAgent.CONFIRMATION_TIMEOUT_NS_DEFAULT,
                ReceiverWakeup.NONE);
        assertEquals("ps-shard-11-0", agent.roleName());
        awaitTrue(publication::isConnected, agent);

        final ShardMessages messages = new ShardMessages(JOB, 0, 0, LENGTH);
        final float[] gradient = ShardMessages.gaussian(new SplittableRandom(1), LENGTH);
        final Message dense = messages.densePush(0, 1, 0, gradient);
        assertTrue(dense.length() > publication.maxPayloadLength(), "the dense push must be fragmented");
        offer(publication, dense);
        offer(publication, messages.sparsePush(0, 2, 1, new int[]{5, 1999}, new float[]{1.0f, 2.0f}));
        offer(publication, messages.sparsePush(0, 2, 1, new int[]{5, 1999}, new float[]{1.0f, 2.0f}));

        awaitTrue(() -> replies.count() == 3, agent);
        assertEquals(2, state.version());
        assertEquals(1, state.duplicateCount());
        // Pushes are acknowledged with empty updates; the changes travel with the worker's next request.
        assertEquals(0, replies.replies.get(0).indices().length);
        assertEquals(1, replies.replies.get(0).sequence());
        assertEquals(2, replies.replies.get(1).sequence());
        assertEquals(2, replies.replies.get(2).sequence(), "a replayed push is acknowledged again");

        final float[] expected = new float[LENGTH];
        for (int i = 0; i < LENGTH; i++)
        {
            expected[i] -= 0.5f * gradient[i];
        }
        expected[5] -= 0.5f * 1.0f;
        expected[1999] -= 0.5f * 2.0f;

        final CompletableFuture<ShardSnapshot> snapshot = new CompletableFuture<>();
        assertTrue(agent.snapshot(snapshot));
        assertFalse(snapshot.isDone(), "commands run on the agent's thread, in doWork");
        agent.doWork();
        assertArrayEquals(expected, snapshot.get().parameters());
        assertEquals(2, snapshot.get().version());

        final CompletableFuture<ShardStatistics> statistics = new CompletableFuture<>();
        assertTrue(agent.statistics(statistics));
        final CompletableFuture<ShardSnapshot> stopped = new CompletableFuture<>();
        assertTrue(agent.stop(stopped));
        agent.doWork();
        assertEquals(2, statistics.get().applied());
        assertEquals(2, stopped.get().version());
        assertTrue(agent.isStopped());

        offer(publication, messages.sparsePush(0, 3, 2, new int[]{7}, new float[]{1.0f}));
        for (int i = 0; i < 20; i++)
        {
            agent.doWork();
        }
        assertEquals(2, state.version(), "a stopped agent no longer polls");

        final CompletableFuture<ShardSnapshot> late = new CompletableFuture<>();
        assertTrue(agent.snapshot(late));
        agent.onClose();
        assertTrue(subscription.isClosed());
        assertThrows(ExecutionException.class, late::get);
    }

    private static void offer(final Publication publication, final Message message)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (publication.offer(message.buffer(), 0, message.length()) < 0)
        {
            assertTrue(System.nanoTime() < deadline, "offer timed out");
            Thread.onSpinWait();
        }
    }

    private static void awaitTrue(final BooleanSupplier condition, final ShardAgent agent) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "condition not met in time");
            if (agent.doWork() == 0)
            {
                Thread.sleep(1);
            }
        }
    }
}
