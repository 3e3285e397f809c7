package dev.parasol.actors.jobapi;

import com.typesafe.config.ConfigFactory;
import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.actors.scheduler.SyncPolicy;
import dev.parasol.engine.compress.CompressorSpec;
import dev.parasol.engine.model.Workload;
import dev.parasol.engine.optim.OptimiserConfig;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JobManagerTest
{
    private static final Duration QUIET = Duration.ofMillis(200);
    private static final Duration AWAIT = Duration.ofSeconds(5);

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
    void shouldAcceptAndStartJobWhenSpecIsValid()
    {
        final Fixture f = new Fixture(4, true);

        final String jobId = f.submit(spec(2));
        final FakeLauncher.Started started = f.started.receiveMessage();

        assertTrue(jobId.matches("job-1-[0-9a-f]{4}"), jobId);
        assertEquals(jobId, started.jobId());
        final JobStatus status = f.awaitState(jobId, JobStatus.State.RUNNING);
        assertNotNull(status.submittedAt());
        assertNotNull(status.startedAt());
        assertNull(status.endedAt());
        assertEquals(-1, status.queuePosition());
        assertTrue(status.summary().contains("workers=2"), status.summary());
    }

    @Test
    void shouldGiveUniqueIdsWhenManyJobsAreSubmitted()
    {
        final Fixture f = new Fixture(1, true);

        final String first = f.submit(spec(1));
        final String second = f.submit(spec(1));

        assertNotEquals(first, second);
        assertTrue(second.startsWith("job-2-"), second);
    }

    @Test
    void shouldRejectNamingEveryBadFieldWhenSpecHasSix()
    {
        final Fixture f = new Fixture(4, true);
        final JobSpec bad = new JobSpec(null, Workload.W2, null, PartitionSpec.IID, 0, 0, SyncPolicy.BSP,
            StalenessPolicy.CONSTANT, CompressorSpec.parse("dense"), true, OptimiserConfig.Kind.SGD, -1.0f, 0, 1.0,
            0L, 2.0, 0.0, null, 1L, 0L, false, false);
        final TestProbe<JobManager.SubmitResponse> reply = testKit.createTestProbe();

        f.manager.tell(new JobManager.SubmitJob(bad, reply.ref()));

        final JobManager.Rejected rejected = reply.expectMessageClass(JobManager.Rejected.class);
        assertEquals(6, rejected.errors().size(), rejected.errors().toString());
        for (final String key : List.of("workers=", "shards=", "lr=", "batch-size=", "target=", "eval-interval="))
        {
            assertTrue(rejected.errors().stream().anyMatch((e) -> e.startsWith(key)), key + " in " + rejected);
        }
        f.started.expectNoMessage(QUIET);
    }

    @Test
    void shouldRejectWhenJobNeedsMoreWorkersThanSlots()
    {
        final Fixture f = new Fixture(4, true);
        final TestProbe<JobManager.SubmitResponse> reply = testKit.createTestProbe();

        f.manager.tell(new JobManager.SubmitJob(spec(5), reply.ref()));

        final JobManager.Rejected rejected = reply.expectMessageClass(JobManager.Rejected.class);
        assertEquals(1, rejected.errors().size());
        assertTrue(rejected.errors().get(0).startsWith("workers=5: expected at most 4"), rejected.toString());
    }

    @Test
    void shouldSucceedWithResultWhenRunnerFinishes()
    {
        final Fixture f = new Fixture(4, true);
        final String jobId = f.submit(spec(2));
        final FakeLauncher.Started started = f.started.receiveMessage();

        started.runner().tell(new FakeLauncher.Emit(0.5));
        started.runner().tell(FakeLauncher.Finish.INSTANCE);

        final JobStatus status = f.awaitState(jobId, JobStatus.State.SUCCEEDED);
        assertNotNull(status.endedAt());
        assertEquals(0.5, status.latestProgress().lastTestAccuracy());
        assertEquals(0.5, status.result().finalTestAccuracy());
        assertNull(status.error());
        final TestProbe<StatusReply<JobResult>> result = testKit.createTestProbe();
        f.manager.tell(new JobManager.GetResult(jobId, result.ref()));
        assertEquals(FakeLauncher.result(0.5), result.receiveMessage().getValue());
    }

    @Test
    void shouldRefuseResultWhenJobIsRunningOrUnknown()
    {
        final Fixture f = new Fixture(4, true);
        final String jobId = f.submit(spec(2));
        f.started.receiveMessage();
        final TestProbe<StatusReply<JobResult>> result = testKit.createTestProbe();

        f.manager.tell(new JobManager.GetResult(jobId, result.ref()));
        final StatusReply<JobResult> running = result.receiveMessage();
        f.manager.tell(new JobManager.GetResult("job-99-ffff", result.ref()));
        final StatusReply<JobResult> unknown = result.receiveMessage();

        assertTrue(running.isError());
        assertTrue(running.getError().getMessage().contains("RUNNING"), running.getError().getMessage());
        assertTrue(unknown.isError());
        assertTrue(unknown.getError().getMessage().contains("job-99-ffff"));
    }

    @Test
    void shouldFailWithRunnerMessageWhenRunnerReportsFailure()
    {
        final Fixture f = new Fixture(4, true);
        final String jobId = f.submit(spec(2));
        final FakeLauncher.Started started = f.started.receiveMessage();
        final TestProbe<Object> runnerWatch = testKit.createTestProbe();

        started.runner().tell(new FakeLauncher.Fail("aeron.dir=/dev/shm/aeron: 10 MiB free, expected 64 MiB"));

        final JobStatus status = f.awaitState(jobId, JobStatus.State.FAILED);
        assertEquals("aeron.dir=/dev/shm/aeron: 10 MiB free, expected 64 MiB", status.error());
        runnerWatch.expectTerminated(started.runner(), AWAIT);
    }

    @Test
    void shouldAnswerUnknownJobWhenIdIsNotKnown()
    {
        final Fixture f = new Fixture(4, true);
        final TestProbe<JobManager.StatusResponse> reply = testKit.createTestProbe();

        f.manager.tell(new JobManager.GetJobStatus("job-1-0000", reply.ref()));

        assertEquals(new JobManager.UnknownJob("job-1-0000"), reply.receiveMessage());
    }

    @Test
    void shouldListJobsInSubmissionOrder()
    {
        final Fixture f = new Fixture(2, true);
        final String first = f.submit(spec(2));
        final String second = f.submit(spec(1));
        final String third = f.submit(spec(1));
        final TestProbe<JobManager.JobList> reply = testKit.createTestProbe();

        f.manager.tell(new JobManager.ListJobs(reply.ref()));

        final List<JobStatus> jobs = reply.receiveMessage().jobs();
        assertEquals(List.of(first, second, third), jobs.stream().map(JobStatus::jobId).toList());
        assertEquals(JobStatus.State.RUNNING, jobs.get(0).state());
        assertEquals(JobStatus.State.QUEUED, jobs.get(1).state());
        assertEquals(0, jobs.get(1).queuePosition());
        assertEquals(1, jobs.get(2).queuePosition());
    }

    @Test
    void shouldRunTwoJobsTogetherAndQueueThirdWhenSlotsAreFull()
    {
        final Fixture f = new Fixture(4, true);
        final String first = f.submit(spec(2));
        final String second = f.submit(spec(2));
        final String third = f.submit(spec(2));

        final Map<String, FakeLauncher.Started> runners = new HashMap<>();
        for (final FakeLauncher.Started started : f.started.receiveSeveralMessages(2))
        {
            runners.put(started.jobId(), started);
        }
        f.started.expectNoMessage(QUIET);
        assertEquals(Set.of(first, second), runners.keySet());
        assertEquals(JobStatus.State.QUEUED, f.status(third).state());

        runners.get(second).runner().tell(FakeLauncher.Finish.INSTANCE);

        final FakeLauncher.Started c = f.started.receiveMessage();
        assertEquals(third, c.jobId());
        assertEquals(JobStatus.State.RUNNING, f.status(first).state());
        assertEquals(JobStatus.State.SUCCEEDED, f.status(second).state());
        assertEquals(JobStatus.State.RUNNING, f.status(third).state());
    }

    @Test
    void shouldKeepFifoOrderWhenHeadOfQueueDoesNotFit()
    {
        final Fixture f = new Fixture(4, true);
        f.submit(spec(3));
        final String big = f.submit(spec(4));
        final String small = f.submit(spec(1));
        final FakeLauncher.Started running = f.started.receiveMessage();

        f.started.expectNoMessage(QUIET);
        running.runner().tell(FakeLauncher.Finish.INSTANCE);

        assertEquals(big, f.started.receiveMessage().jobId());
        assertEquals(JobStatus.State.QUEUED, f.status(small).state());
    }

    @Test
    void shouldRemoveQueuedJobWhenCancelled()
    {
        final Fixture f = new Fixture(2, true);
        final String running = f.submit(spec(2));
        final String queued = f.submit(spec(2));
        final FakeLauncher.Started started = f.started.receiveMessage();
        final TestProbe<JobManager.JobEvent> events = testKit.createTestProbe();
        f.manager.tell(new JobManager.SubscribeProgress(queued, events.ref()));

        assertTrue(f.cancel(queued).isSuccess());

        final JobStatus cancelled = events.expectMessageClass(JobManager.JobEnded.class).status();
        assertEquals(JobStatus.State.CANCELLED, cancelled.state());
        assertNull(cancelled.startedAt());
        started.runner().tell(FakeLauncher.Finish.INSTANCE);
        f.awaitState(running, JobStatus.State.SUCCEEDED);
        f.started.expectNoMessage(QUIET);
        assertEquals(JobStatus.State.CANCELLED, f.status(queued).state());
    }

    @Test
    void shouldCancelRunningJobWhenRunnerConfirms()
    {
        final Fixture f = new Fixture(2, true);
        final String jobId = f.submit(spec(2));
        final String next = f.submit(spec(2));
        final FakeLauncher.Started started = f.started.receiveMessage();
        final TestProbe<Object> runnerWatch = testKit.createTestProbe();

        assertTrue(f.cancel(jobId).isSuccess());

        runnerWatch.expectTerminated(started.runner(), AWAIT);
        final JobStatus status = f.awaitState(jobId, JobStatus.State.CANCELLED);
        assertTrue(status.cancelRequested());
        assertNull(status.error());
        assertEquals(next, f.started.receiveMessage().jobId());
    }

    @Test
    void shouldStopRunnerAfterGraceWhenItIgnoresCancel()
    {
        final Fixture f = new Fixture(2, false, Duration.ofMillis(300));
        final String jobId = f.submit(spec(2));
        final FakeLauncher.Started started = f.started.receiveMessage();
        final TestProbe<Object> runnerWatch = testKit.createTestProbe();

        assertTrue(f.cancel(jobId).isSuccess());
        assertEquals(JobStatus.State.RUNNING, f.status(jobId).state());
        assertTrue(f.status(jobId).cancelRequested());

        runnerWatch.expectTerminated(started.runner(), AWAIT);
        f.awaitState(jobId, JobStatus.State.CANCELLED);
    }

    @Test
    void shouldRefuseCancelWhenJobEndedOrUnknown()
    {
        final Fixture f = new Fixture(2, true);
        final String jobId = f.submit(spec(2));
        f.started.receiveMessage().runner().tell(FakeLauncher.Finish.INSTANCE);
        f.awaitState(jobId, JobStatus.State.SUCCEEDED);

        final StatusReply<Done> ended = f.cancel(jobId);
        final StatusReply<Done> unknown = f.cancel("job-42-0000");

        assertTrue(ended.isError());
        assertTrue(ended.getError().getMessage().contains("already ended"), ended.getError().getMessage());
        assertTrue(unknown.isError());
        assertTrue(unknown.getError().getMessage().contains("job-42-0000"), unknown.getError().getMessage());
    }

    @Test
    void shouldStreamProgressThenJobEndedThenNothingWhenSubscribed()
    {
        final Fixture f = new Fixture(2, true);
        final String jobId = f.submit(spec(2));
        final FakeLauncher.Started started = f.started.receiveMessage();
        final TestProbe<JobManager.JobEvent> events = testKit.createTestProbe();
        f.manager.tell(new JobManager.SubscribeProgress(jobId, events.ref()));
        f.status(jobId);

        started.runner().tell(new FakeLauncher.Emit(0.3));
        started.runner().tell(new FakeLauncher.Emit(0.6));
        started.runner().tell(FakeLauncher.Finish.INSTANCE);

        final ProgressEvent first = events.expectMessageClass(ProgressEvent.class);
        final ProgressEvent second = events.expectMessageClass(ProgressEvent.class);
        final JobManager.JobEnded ended = events.expectMessageClass(JobManager.JobEnded.class);
        events.expectNoMessage(QUIET);
        assertEquals(jobId, first.jobId());
        assertEquals(10L, first.steps());
        assertEquals(0.3, first.lastTestAccuracy());
        assertEquals(20L, second.steps());
        assertEquals(1000L, first.bytesUp());
        assertEquals(3L, first.stalenessMax());
        assertEquals(10L, first.counters().get("updates_applied"));
        assertEquals(JobStatus.State.SUCCEEDED, ended.status().state());
        assertEquals(second, ended.status().latestProgress());
    }

    @Test
    void shouldSendJobEndedAtOnceWhenJobAlreadyEnded()
    {
        final Fixture f = new Fixture(2, true);
        final String jobId = f.submit(spec(2));
        f.started.receiveMessage().runner().tell(FakeLauncher.Finish.INSTANCE);
        f.awaitState(jobId, JobStatus.State.SUCCEEDED);
        final TestProbe<JobManager.JobEvent> events = testKit.createTestProbe();

        f.manager.tell(new JobManager.SubscribeProgress(jobId, events.ref()));
        f.manager.tell(new JobManager.SubscribeProgress("job-9-9999", events.ref()));

        assertEquals(JobStatus.State.SUCCEEDED,
            events.expectMessageClass(JobManager.JobEnded.class).status().state());
        assertEquals(new JobManager.UnknownJob("job-9-9999"), events.receiveMessage());
        events.expectNoMessage(QUIET);
    }

    @Test
    void shouldFailJobAndFreeSlotsWhenRunnerCrashes()
    {
        final Fixture f = new Fixture(2, true);
        final String jobId = f.submit(spec(2));
        final String next = f.submit(spec(2));
        final FakeLauncher.Started started = f.started.receiveMessage();
        final TestProbe<JobManager.JobEvent> events = testKit.createTestProbe();
        f.manager.tell(new JobManager.SubscribeProgress(jobId, events.ref()));
        f.status(jobId);

        started.runner().tell(FakeLauncher.Crash.INSTANCE);

        final JobStatus failed = events.expectMessageClass(JobManager.JobEnded.class).status();
        assertEquals(JobStatus.State.FAILED, failed.state());
        assertTrue(failed.error().contains("crashed"), failed.error());
        assertTrue(failed.error().contains("worker 1 lost its replica"), failed.error());
        assertEquals(next, f.started.receiveMessage().jobId());
    }

    @Test
    void shouldFailJobWhenRunnerStopsWithoutReporting()
    {
        final Fixture f = new Fixture(2, true);
        final String jobId = f.submit(spec(2));
        f.started.receiveMessage().runner().tell(FakeLauncher.Vanish.INSTANCE);

        final JobStatus failed = f.awaitState(jobId, JobStatus.State.FAILED);

        assertTrue(failed.error().contains("without reporting"), failed.error());
    }

    @Test
    void shouldFailJobAndGoOnWhenLauncherThrows()
    {
        final Fixture f = new Fixture(2, true);
        f.launcher.throwOnNextLaunch();
        final String broken = f.submit(spec(2));
        final String fine = f.submit(spec(2));

        assertEquals(fine, f.started.receiveMessage().jobId());
        final JobStatus failed = f.status(broken);
        assertEquals(JobStatus.State.FAILED, failed.state());
        assertTrue(failed.error().contains("no data directory"), failed.error());
        assertFalse(f.status(fine).ended());
    }

    @Test
    void shouldNotifyEverySubscriberWhenSeveralFollowOneJob()
    {
        final Fixture f = new Fixture(2, true);
        final String jobId = f.submit(spec(2));
        final FakeLauncher.Started started = f.started.receiveMessage();
        final TestProbe<JobManager.JobEvent> one = testKit.createTestProbe();
        final TestProbe<JobManager.JobEvent> two = testKit.createTestProbe();
        f.manager.tell(new JobManager.SubscribeProgress(jobId, one.ref()));
        f.manager.tell(new JobManager.SubscribeProgress(jobId, two.ref()));
        f.manager.tell(new JobManager.SubscribeProgress(jobId, two.ref()));
        f.status(jobId);

        started.runner().tell(new FakeLauncher.Emit(0.1));

        assertInstanceOf(ProgressEvent.class, one.receiveMessage());
        assertInstanceOf(ProgressEvent.class, two.receiveMessage());
        two.expectNoMessage(QUIET);
    }

    static JobSpec spec(final int workers)
    {
        return JobSpec.builder().workers(workers).build();
    }

    private static final class Fixture
    {
        private final TestProbe<FakeLauncher.Started> started = testKit.createTestProbe();
        private final FakeLauncher launcher;
        private final ActorRef<JobManager.Command> manager;

        Fixture(final int slots, final boolean honourStop)
        {
            this(slots, honourStop, JobManager.CANCEL_GRACE);
        }

        Fixture(final int slots, final boolean honourStop, final Duration cancelGrace)
        {
            launcher = new FakeLauncher(started.ref(), honourStop);
            manager = testKit.spawn(JobManager.create(slots, launcher, cancelGrace));
        }

        String submit(final JobSpec spec)
        {
            final TestProbe<JobManager.SubmitResponse> reply = testKit.createTestProbe();
            manager.tell(new JobManager.SubmitJob(spec, reply.ref()));
            return reply.expectMessageClass(JobManager.Accepted.class).jobId();
        }

        JobStatus status(final String jobId)
        {
            final TestProbe<JobManager.StatusResponse> reply = testKit.createTestProbe();
            manager.tell(new JobManager.GetJobStatus(jobId, reply.ref()));
            return (JobStatus)reply.receiveMessage();
        }

        JobStatus awaitState(final String jobId, final JobStatus.State state)
        {
            final TestProbe<JobManager.StatusResponse> reply = testKit.createTestProbe();
            return reply.awaitAssert(AWAIT, () ->
            {
                manager.tell(new JobManager.GetJobStatus(jobId, reply.ref()));
                final JobStatus status = (JobStatus)reply.receiveMessage();
                assertEquals(state, status.state(), status.toString());
                return status;
            });
        }

        StatusReply<Done> cancel(final String jobId)
        {
            final TestProbe<StatusReply<Done>> reply = testKit.createTestProbe();
            manager.tell(new JobManager.CancelJob(jobId, reply.ref()));
            return reply.receiveMessage();
        }
    }
}
