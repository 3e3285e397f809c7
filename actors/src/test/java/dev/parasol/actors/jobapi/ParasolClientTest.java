package dev.parasol.actors.jobapi;

import com.typesafe.config.ConfigFactory;
import dev.parasol.actors.exceptions.JobRejectedException;
import dev.parasol.actors.exceptions.UnknownJobException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ParasolClientTest
{
    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit()
    {
        testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local"));
    }

    @AfterAll
    static void stopTestKit()
    {
        testKit.shutdownTestKit();
    }

    @Test
    void shouldDriveAJobFromSubmitToResult() throws Exception
    {
        final TestProbe<FakeLauncher.Started> started = testKit.createTestProbe();
        final ParasolClient client = client(started, 4, true);

        final String jobId = get(client.submit(JobManagerTest.spec(2)));
        final FakeLauncher.Started runner = started.receiveMessage();
        assertEquals(JobStatus.State.RUNNING, get(client.status(jobId)).state());
        final List<ProgressEvent> seen = new CopyOnWriteArrayList<>();
        final CompletionStage<JobStatus> ended = client.followProgress(jobId, seen::add);
        awaitSubscribed(client, jobId);

        runner.runner().tell(new FakeLauncher.Emit(0.7));
        runner.runner().tell(new FakeLauncher.Emit(0.9));
        runner.runner().tell(FakeLauncher.Finish.INSTANCE);

        final JobStatus last = get(ended);
        assertEquals(JobStatus.State.SUCCEEDED, last.state());
        assertEquals(List.of(0.7, 0.9), seen.stream().map(ProgressEvent::lastTestAccuracy).toList());
        assertEquals(0.9, get(client.result(jobId)).finalTestAccuracy());
        assertEquals(List.of(jobId), get(client.list()).stream().map(JobStatus::jobId).toList());
    }

    @Test
    void shouldFailWithEveryReasonWhenSubmissionIsRejected()
    {
        final ParasolClient client = client(testKit.createTestProbe(), 2, true);
        final JobSpec bad = JobSpec.builder().workers(3).batchSize(0).buildUnvalidated();

        final ExecutionException ex = assertThrows(ExecutionException.class, () -> get(client.submit(bad)));

        final JobRejectedException rejected = assertInstanceOf(JobRejectedException.class, ex.getCause());
        assertEquals(2, rejected.errors().size(), rejected.errors().toString());
        assertTrue(rejected.errors().stream().anyMatch((e) -> e.startsWith("batch-size=0")));
        assertTrue(rejected.errors().stream().anyMatch((e) -> e.startsWith("workers=3")));
    }

    @Test
    void shouldFailWithUnknownJobWhenIdIsNotKnown()
    {
        final ParasolClient client = client(testKit.createTestProbe(), 2, true);

        final ExecutionException status = assertThrows(ExecutionException.class, () -> get(client.status("job-0")));
        final ExecutionException follow = assertThrows(ExecutionException.class,
            () -> get(client.followProgress("job-0", ParasolClientTest::ignore)));
        final ExecutionException result = assertThrows(ExecutionException.class, () -> get(client.result("job-0")));

        assertEquals("job-0", assertInstanceOf(UnknownJobException.class, status.getCause()).jobId());
        assertInstanceOf(UnknownJobException.class, follow.getCause());
        assertInstanceOf(StatusReply.ErrorMessage.class, result.getCause());
    }

    @Test
    void shouldCancelRunningJobWhenAsked() throws Exception
    {
        final TestProbe<FakeLauncher.Started> started = testKit.createTestProbe();
        final ParasolClient client = client(started, 2, true);
        final String jobId = get(client.submit(JobManagerTest.spec(2)));
        started.receiveMessage();
        final CompletionStage<JobStatus> ended = client.followProgress(jobId, ParasolClientTest::ignore);
        awaitSubscribed(client, jobId);

        assertEquals(Done.getInstance(), get(client.cancel(jobId)));

        assertEquals(JobStatus.State.CANCELLED, get(ended).state());
        final ExecutionException again = assertThrows(ExecutionException.class, () -> get(client.cancel(jobId)));
        assertTrue(again.getCause().getMessage().contains("already ended"), again.getCause().getMessage());
    }

    @Test
    void shouldStopFollowingWhenConsumerThrows() throws Exception
    {
        final TestProbe<FakeLauncher.Started> started = testKit.createTestProbe();
        final ParasolClient client = client(started, 2, true);
        final String jobId = get(client.submit(JobManagerTest.spec(2)));
        final FakeLauncher.Started runner = started.receiveMessage();
        final CompletionStage<JobStatus> ended = client.followProgress(jobId, (e) ->
        {
            throw new IllegalArgumentException("display closed");
        });
        awaitSubscribed(client, jobId);

        runner.runner().tell(new FakeLauncher.Emit(0.1));

        final ExecutionException ex = assertThrows(ExecutionException.class, () -> get(ended));
        assertEquals("display closed", ex.getCause().getMessage());
    }

    private static ParasolClient client(
        final TestProbe<FakeLauncher.Started> started, final int slots, final boolean honourStop)
    {
        final ActorRef<JobManager.Command> manager =
            testKit.spawn(JobManager.create(slots, new FakeLauncher(started.ref(), honourStop)));
        return new ParasolClient(testKit.system(), manager);
    }

    private static void ignore(final ProgressEvent event)
    {
    }

    private static void awaitSubscribed(final ParasolClient client, final String jobId)
    {
        // followProgress sent the subscription before returning: a status round trip proves the manager has it
        client.status(jobId).toCompletableFuture().join();
    }

    private static <T> T get(final CompletionStage<T> stage) throws ExecutionException, InterruptedException
    {
        final CompletableFuture<T> future = stage.toCompletableFuture();
        try
        {
            return future.get(10, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            throw new AssertionError("no answer within 10 s", ex);
        }
    }
}
