package dev.parasol.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.parasol.actors.jobapi.JobJournal;
import dev.parasol.actors.jobapi.JobLauncher;
import dev.parasol.actors.jobapi.JobManager;
import dev.parasol.actors.jobapi.JobResume;
import dev.parasol.actors.jobapi.JobRunnerCommand;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.jobapi.JobStatus;
import dev.parasol.actors.jobapi.ResumePoint;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The job journal on the JDBC plugin, through a real database, across a restart of the whole actor system: what a
 * coordinator node that dies and a new one that takes over see. H2 in file mode always; PostgreSQL when
 * {@code -Dparasol.test.postgres-url=jdbc:postgresql://...} names a server (load-tests/journal/postgres-test.sh
 * starts one from Debian's postgresql package and runs this test against it).
 */
@Timeout(120)
class JobJournalJdbcTest
{
    private static final Duration AWAIT = Duration.ofSeconds(20);
    private static final String POSTGRES_URL_PROPERTY = "parasol.test.postgres-url";

    @TempDir
    Path directory;

    @Test
    void shouldRecoverJobsAndResumePointFromH2FileAfterTheSystemRestarts()
    {
        shouldRecoverAfterRestart(new JournalSettings("persistent",
            "jdbc:h2:file:" + directory.resolve("journal") + ";AUTO_SERVER=TRUE", "", ""));
    }

    @Test
    void shouldRecoverJobsAndResumePointFromPostgresqlAfterTheSystemRestarts()
    {
        final String url = System.getProperty(POSTGRES_URL_PROPERTY, "");
        assumeTrue(!url.isEmpty(), "no PostgreSQL server named by -D" + POSTGRES_URL_PROPERTY +
            " (load-tests/journal/postgres-test.sh runs this test against one)");
        shouldRecoverAfterRestart(new JournalSettings("persistent", url,
            System.getProperty("parasol.test.postgres-user", "parasol"),
            System.getProperty("parasol.test.postgres-password", "")));
    }

    @Test
    void shouldNameTheDatabaseWhenItCannotBeReached()
    {
        final JournalSettings unreachable =
            new JournalSettings("persistent", "jdbc:postgresql://127.0.0.1:1/parasol", "parasol", "secret");
        final ActorTestKit kit = ActorTestKit.create("journal-unreachable", config(unreachable));
        try
        {
            final IllegalStateException error = assertThrows(
                IllegalStateException.class, () -> JournalSchema.ensure(kit.system(), unreachable));
            assertTrue(error.getMessage().contains("jdbc:postgresql://127.0.0.1:1/parasol as parasol"),
                error.getMessage());
            assertTrue(!error.getMessage().contains("secret"), "the password is never printed");
        }
        finally
        {
            kit.shutdownTestKit();
        }
    }

    private void shouldRecoverAfterRestart(final JournalSettings journal)
    {
        final String persistenceId = "jdbc-test-" + System.nanoTime();
        final ResumePoint point =
            new ResumePoint(7L, Instant.parse("2026-11-26T10:00:00Z"), Map.of(0, 40L), 2560, 40);
        final String running;
        final String queued;

        final ActorTestKit before = ActorTestKit.create("journal-before", config(journal));
        try
        {
            JournalSchema.ensure(before.system(), journal);
            final TestProbe<Launched> launched = before.createTestProbe();
            final ActorRef<JobManager.Command> manager = before.spawn(manager(launched.ref(), persistenceId));
            running = submit(before, manager, 1);
            assertEquals(running, launched.receiveMessage(AWAIT).jobId());
            manager.tell(new JobManager.ResumePointReached(running, point));
            queued = submit(before, manager, 2);
            // A status answered after the resume point was sent: the manager has handed it to the journal.
            assertEquals(JobStatus.State.QUEUED, status(before, manager, queued).state());
        }
        finally
        {
            // The whole node goes: actor system, connection pool, and (for H2) the embedded database server.
            before.shutdownTestKit();
        }

        final ActorTestKit after = ActorTestKit.create("journal-after", config(journal));
        try
        {
            JournalSchema.ensure(after.system(), journal);
            final TestProbe<Launched> launched = after.createTestProbe();
            final ActorRef<JobManager.Command> manager = after.spawn(manager(launched.ref(), persistenceId));

            final Launched resumed = launched.receiveMessage(AWAIT);
            assertEquals(running, resumed.jobId());
            assertNotNull(resumed.resume(), "the running job is resumed");
            assertEquals(point, resumed.resume().point());
            assertEquals(JobStatus.State.RUNNING, status(after, manager, running).state());
            assertEquals(JobStatus.State.QUEUED, status(after, manager, queued).state());
        }
        finally
        {
            after.shutdownTestKit();
        }
    }

    private static Config config(final JournalSettings journal)
    {
        final Map<String, Object> settings = new HashMap<>(journal.pekkoSettings());
        settings.put("pekko.actor.provider", "local");
        return ConfigFactory.parseMap(settings).withFallback(ConfigFactory.load());
    }

    private record Launched(String jobId, JobResume resume)
    {
    }

    private static Behavior<JobManager.Command> manager(final ActorRef<Launched> launched, final String persistenceId)
    {
        final JobLauncher launcher = new JobLauncher()
        {
            @Override
            public Behavior<JobRunnerCommand> runnerFor(
                final String jobId, final JobSpec spec, final ActorRef<JobManager.Command> manager)
            {
                return resumeRunnerFor(jobId, spec, manager, null);
            }

            @Override
            public Behavior<JobRunnerCommand> resumeRunnerFor(
                final String jobId, final JobSpec spec, final ActorRef<JobManager.Command> manager,
                final JobResume resume)
            {
                launched.tell(new Launched(jobId, resume));
                // A runner that trains nothing and keeps its job running.
                return Behaviors.ignore();
            }
        };
        return JobManager.create(2, launcher, JobManager.CANCEL_GRACE, JobJournal.persistent(persistenceId));
    }

    private static String submit(
        final ActorTestKit kit, final ActorRef<JobManager.Command> manager, final int workers)
    {
        final TestProbe<JobManager.SubmitResponse> reply = kit.createTestProbe();
        manager.tell(new JobManager.SubmitJob(JobSpec.builder().workers(workers).build(), reply.ref()));
        return assertInstanceOf(JobManager.Accepted.class, reply.receiveMessage(AWAIT)).jobId();
    }

    private static JobStatus status(
        final ActorTestKit kit, final ActorRef<JobManager.Command> manager, final String jobId)
    {
        final TestProbe<JobManager.StatusResponse> reply = kit.createTestProbe();
        manager.tell(new JobManager.GetJobStatus(jobId, reply.ref()));
        return assertInstanceOf(JobStatus.class, reply.receiveMessage(AWAIT));
    }
}
