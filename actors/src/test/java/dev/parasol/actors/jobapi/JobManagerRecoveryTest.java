package dev.parasol.actors.jobapi;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A job manager that replaces a lost one (same journal) knows every job the lost one accepted: queued jobs queue
 * again, ended ones keep their results, running ones are resumed from their latest resume point; and job ids go on
 * from where the lost manager left them. Pekko's in-memory journal outlives the manager actor within one actor system,
 * which is what a restart needs here; the JDBC journals are tested in cluster-seeds (JobJournalJdbcTest).
 */
@Timeout(60)
class JobManagerRecoveryTest
{
    private static final Duration AWAIT = Duration.ofSeconds(10);
    private static final AtomicInteger IDS = new AtomicInteger();

    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit()
    {
        testKit = ActorTestKit.create(ConfigFactory.parseString(
            "pekko.actor.provider = local\n" +
            "pekko.persistence.journal.plugin = \"pekko.persistence.journal.inmem\"\n" +
            "pekko.persistence.snapshot-store.plugin = \"\"\n"));
    }

    @AfterAll
    static void stopTestKit()
    {
        testKit.shutdownTestKit();
    }

    @Test
    void shouldRecoverEveryJobAndResumeTheRunningOneWhenAManagerReplacesALostOne()
    {
        final String persistenceId = "recovery-" + IDS.incrementAndGet();
        final TestProbe<FakeLauncher.Started> started = testKit.createTestProbe();
        final FakeLauncher launcher = new FakeLauncher(started.ref(), true);
        final ActorRef<JobManager.Command> first = spawn(launcher, persistenceId);

        final String finished = submit(first, 1);
        started.expectMessageClass(FakeLauncher.Started.class).runner().tell(FakeLauncher.Finish.INSTANCE);
        awaitState(first, finished, JobStatus.State.SUCCEEDED);
        final String running = submit(first, 1);
        final FakeLauncher.Started runningStarted = started.expectMessageClass(FakeLauncher.Started.class);
        assertNull(runningStarted.resume());
        final ResumePoint point = new ResumePoint(42L, Instant.parse("2026-11-26T10:00:00Z"), Map.of(0, 17L), 1088, 17);
        first.tell(new JobManager.ResumePointReached(running, point));
        final String queued = submit(first, 2);
        assertEquals(JobStatus.State.QUEUED, status(first, queued).state());

        // The coordinator is lost: its manager and the runners, its children, die with it.
        testKit.stop(first, AWAIT);
        final ActorRef<JobManager.Command> second = spawn(launcher, persistenceId);

        final FakeLauncher.Started resumed = started.expectMessageClass(FakeLauncher.Started.class, AWAIT);
        assertEquals(running, resumed.jobId());
        assertNotNull(resumed.resume(), "a running job is resumed, not started afresh");
        assertEquals(1, resumed.resume().attempt());
        assertEquals(point, resumed.resume().point());
        final JobStatus done = status(second, finished);
        assertEquals(JobStatus.State.SUCCEEDED, done.state());
        assertNotNull(done.result(), "an ended job keeps its result");
        assertEquals(JobStatus.State.RUNNING, status(second, running).state());
        assertEquals(JobStatus.State.QUEUED, status(second, queued).state());

        // The queue is served again, in order, once the resumed job frees its slot.
        resumed.runner().tell(FakeLauncher.Finish.INSTANCE);
        final FakeLauncher.Started next = started.expectMessageClass(FakeLauncher.Started.class, AWAIT);
        assertEquals(queued, next.jobId());
        assertNull(next.resume());
        final String later = submit(second, 1);
        assertTrue(later.startsWith("job-4-"), "ids go on from the lost manager's: " + later);
        testKit.stop(second, AWAIT);
    }

    @Test
    void shouldResumeACancelledRunningJobOnlyToStopItWhenItsManagerIsReplaced()
    {
        final String persistenceId = "recovery-" + IDS.incrementAndGet();
        final TestProbe<FakeLauncher.Started> started = testKit.createTestProbe();
        // Runners that ignore Stop: the cancel is still pending when the manager is lost.
        final FakeLauncher launcher = new FakeLauncher(started.ref(), false);
        final ActorRef<JobManager.Command> first = spawn(launcher, persistenceId);
        final String job = submit(first, 1);
        started.expectMessageClass(FakeLauncher.Started.class);
        final TestProbe<StatusReply<Done>> ack = testKit.createTestProbe();
        first.tell(new JobManager.CancelJob(job, ack.ref()));
        assertTrue(ack.receiveMessage().isSuccess());

        testKit.stop(first, AWAIT);
        final ActorRef<JobManager.Command> second = spawn(new FakeLauncher(started.ref(), true), persistenceId);

        final FakeLauncher.Started resumed = started.expectMessageClass(FakeLauncher.Started.class, AWAIT);
        assertEquals(job, resumed.jobId());
        final JobStatus status = awaitState(second, job, JobStatus.State.CANCELLED);
        assertTrue(status.cancelRequested());
        testKit.stop(second, AWAIT);
    }

    @Test
    void shouldForgetTheOldestEndedJobsWhenTheJournalHoldsMoreThanItKeeps()
    {
        JobTable table = JobTable.EMPTY;
        for (int i = 1; i <= 5; i++)
        {
            final String id = "job-" + i;
            table = JobJournal.applyEvent(
                table, new JobJournal.Submitted(id, JobManagerTest.spec(1), Instant.now(), i), 2);
            if (i != 3)
            {
                table = JobJournal.applyEvent(table,
                    new JobJournal.Ended(id, JobStatus.State.FAILED, Instant.now(), null, "x"), 2);
            }
        }

        assertEquals(5, table.sequence());
        assertEquals(List.of("job-3", "job-4", "job-5"), List.copyOf(table.jobs().keySet()));
    }

    private static ActorRef<JobManager.Command> spawn(final FakeLauncher launcher, final String persistenceId)
    {
        final Behavior<JobManager.Command> manager =
            JobManager.create(2, launcher, JobManager.CANCEL_GRACE, JobJournal.persistent(persistenceId));
        return testKit.spawn(manager);
    }

    private static String submit(final ActorRef<JobManager.Command> manager, final int workers)
    {
        final TestProbe<JobManager.SubmitResponse> reply = testKit.createTestProbe();
        manager.tell(new JobManager.SubmitJob(JobManagerTest.spec(workers), reply.ref()));
        return assertInstanceOf(JobManager.Accepted.class, reply.receiveMessage(AWAIT)).jobId();
    }

    private static JobStatus status(final ActorRef<JobManager.Command> manager, final String jobId)
    {
        final TestProbe<JobManager.StatusResponse> reply = testKit.createTestProbe();
        manager.tell(new JobManager.GetJobStatus(jobId, reply.ref()));
        return assertInstanceOf(JobStatus.class, reply.receiveMessage(AWAIT));
    }

    private static JobStatus awaitState(
        final ActorRef<JobManager.Command> manager, final String jobId, final JobStatus.State state)
    {
        final long deadline = System.nanoTime() + AWAIT.toNanos();
        JobStatus status = status(manager, jobId);
        while (status.state() != state && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
            status = status(manager, jobId);
        }
        assertEquals(state, status.state(), status.toString());
        return status;
    }
}
