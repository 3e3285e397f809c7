package dev.parasol.actors.jobapi;

import com.typesafe.config.ConfigFactory;
import dev.parasol.actors.CborSerializable;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job manager's protocol with {@code pekko.actor.serialize-messages = on}: every message between the client,
 * the manager and a runner is written to bytes and read back before delivery, as it would be between nodes, and
 * Java serialization is off, so a message that only works in one JVM is dropped and the flow stops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JobManagerSerializationTest
{
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private static ActorTestKit testKit;

    record Started(String jobId, JobSpec spec, ActorRef<JobRunnerCommand> runner) implements CborSerializable
    {
    }

    record StopReceived(String jobId) implements CborSerializable
    {
    }

    record Emit(double accuracy) implements JobRunnerCommand
    {
    }

    enum Finish implements JobRunnerCommand
    {
        INSTANCE
    }

    record NotBound(String text)
    {
    }

    @BeforeAll
    static void start()
    {
        testKit = ActorTestKit.create("serialize-messages", ConfigFactory.parseString(
            "pekko.actor.serialize-messages = on\n" +
            "pekko.actor.provider = cluster\n" +
            "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"\n" +
            "pekko.remote.artery.canonical.port = 0\n" +
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"));
    }

    @AfterAll
    static void stop()
    {
        testKit.shutdownTestKit();
    }

    @Test
    void shouldRunJobToItsResultWhenEveryMessageIsSerialised()
    {
        final Fixture f = new Fixture();
        final JobSpec spec = JobSpec.builder().name("over-the-wire").workers(2).dataDir(Path.of("data")).build();

        final String jobId = f.submit(spec);
        final Started started = f.events.expectMessageClass(Started.class);
        assertEquals(jobId, started.jobId());
        assertEquals(spec, started.spec());
        assertNotSame(spec, started.spec(), "the spec reached the runner as a copy read from bytes");

        final TestProbe<JobManager.JobEvent> follower = testKit.createTestProbe();
        f.manager.tell(new JobManager.SubscribeProgress(jobId, follower.ref()));
        assertEquals(JobStatus.State.RUNNING, f.status(jobId).state());
        started.runner().tell(new Emit(0.75));

        final ProgressEvent progress = follower.expectMessageClass(ProgressEvent.class);
        assertEquals(jobId, progress.jobId());
        assertEquals(0.75, progress.lastTestAccuracy());
        assertEquals(List.of(new ShardTelemetry(0, 10, Double.NaN, 0.01, 1.5, 100, 200)), progress.shards());
        assertEquals(Map.of("updates_applied", 10L), progress.counters());
        assertEquals(progress, f.status(jobId).latestProgress());

        final TestProbe<JobManager.JobList> list = testKit.createTestProbe();
        f.manager.tell(new JobManager.ListJobs(list.ref()));
        assertEquals(List.of(jobId), list.receiveMessage().jobs().stream().map(JobStatus::jobId).toList());

        started.runner().tell(Finish.INSTANCE);
        final JobManager.JobEnded ended = follower.expectMessageClass(JobManager.JobEnded.class);
        assertEquals(JobStatus.State.SUCCEEDED, ended.status().state());
        assertEquals(spec, ended.status().spec());
        assertNotNull(ended.status().endedAt());
        final JobResult result = ended.status().result();
        assertEquals(0.75, result.finalTestAccuracy());
        assertEquals(12_345L, ((Number)result.metric(JobResult.STEPS)).longValue());
        assertTrue(result.metrics().containsKey(JobResult.TIME_TO_TARGET_S));
        assertEquals(Path.of("parasol-jobs", jobId, "model.safetensors"), result.modelPath());

        final TestProbe<StatusReply<JobResult>> resultReply = testKit.createTestProbe();
        f.manager.tell(new JobManager.GetResult(jobId, resultReply.ref()));
        assertEquals(0.75, resultReply.receiveMessage().getValue().finalTestAccuracy());
    }

    @Test
    void shouldStopRunnerWhenCancelCrossesSerialisation()
    {
        final Fixture f = new Fixture();
        final String jobId = f.submit(JobSpec.builder().workers(1).build());
        f.events.expectMessageClass(Started.class);

        final TestProbe<StatusReply<Done>> reply = testKit.createTestProbe();
        f.manager.tell(new JobManager.CancelJob(jobId, reply.ref()));

        assertTrue(reply.receiveMessage().isSuccess());
        assertEquals(new StopReceived(jobId), f.events.expectMessageClass(StopReceived.class));
        final TestProbe<JobManager.StatusResponse> status = testKit.createTestProbe();
        status.awaitAssert(AWAIT, () ->
        {
            f.manager.tell(new JobManager.GetJobStatus(jobId, status.ref()));
            final JobStatus current = (JobStatus)status.receiveMessage();
            assertEquals(JobStatus.State.CANCELLED, current.state());
            assertTrue(current.cancelRequested());
            return current;
        });
    }

    @Test
    void shouldRejectAndReportUnknownJobsWhenRepliesAreSerialised()
    {
        final Fixture f = new Fixture();
        final TestProbe<JobManager.SubmitResponse> submit = testKit.createTestProbe();

        f.manager.tell(new JobManager.SubmitJob(JobSpec.builder().workers(9).build(), submit.ref()));

        final JobManager.Rejected rejected = submit.expectMessageClass(JobManager.Rejected.class);
        assertEquals(1, rejected.errors().size(), rejected.toString());
        assertTrue(rejected.errors().get(0).startsWith("workers=9"), rejected.toString());
        final TestProbe<JobManager.StatusResponse> status = testKit.createTestProbe();
        f.manager.tell(new JobManager.GetJobStatus("job-9-dead", status.ref()));
        assertEquals(new JobManager.UnknownJob("job-9-dead"), status.receiveMessage());
        final TestProbe<JobManager.JobEvent> follower = testKit.createTestProbe();
        f.manager.tell(new JobManager.SubscribeProgress("job-9-dead", follower.ref()));
        assertEquals(new JobManager.UnknownJob("job-9-dead"), follower.receiveMessage());
        final TestProbe<StatusReply<Done>> cancel = testKit.createTestProbe();
        f.manager.tell(new JobManager.CancelJob("job-9-dead", cancel.ref()));
        final StatusReply<Done> refused = cancel.receiveMessage();
        assertTrue(refused.isError());
        assertTrue(refused.getError().getMessage().contains("job-9-dead"), refused.getError().getMessage());
        f.events.expectNoMessage(QUIET);
    }

    @Test
    void shouldDropMessageWhenItWouldNeedJavaSerialization()
    {
        final TestProbe<Object> probe = testKit.createTestProbe();

        probe.ref().tell(new NotBound("only in one JVM"));
        probe.ref().tell(new JobManager.UnknownJob("control"));

        final Object received = probe.receiveMessage();
        assertInstanceOf(JobManager.UnknownJob.class, received, "NotBound must have been dropped: " + received);
        probe.expectNoMessage(QUIET);
    }

    static JobResult result(final String jobId, final double accuracy)
    {
        final Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put(JobResult.WORKLOAD, "W2");
        metrics.put(JobResult.FINAL_TEST_ACCURACY, accuracy);
        metrics.put(JobResult.TIME_TO_TARGET_S, null);
        metrics.put(JobResult.STEPS, 12_345L);
        return new JobResult(metrics, Path.of("parasol-jobs", jobId, "model.safetensors"), null);
    }

    private static final class Fixture
    {
        private final TestProbe<CborSerializable> events = testKit.createTestProbe();
        private final ActorRef<JobManager.Command> manager = testKit.spawn(
            JobManager.create(4, (id, jobSpec, jobManager) -> Runner.create(id, jobSpec, jobManager, events.ref())));

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
    }

    /**
     * A runner that trains nothing: it announces itself, reports what the test tells it, and stops on Stop.
     */
    private static final class Runner extends AbstractBehavior<JobRunnerCommand>
    {
        private final String jobId;
        private final ActorRef<JobManager.Command> manager;
        private final ActorRef<CborSerializable> events;
        private double accuracy = Double.NaN;

        private Runner(
            final ActorContext<JobRunnerCommand> context,
            final String jobId,
            final ActorRef<JobManager.Command> manager,
            final ActorRef<CborSerializable> events)
        {
            super(context);
            this.jobId = jobId;
            this.manager = manager;
            this.events = events;
        }

        static Behavior<JobRunnerCommand> create(
            final String jobId,
            final JobSpec spec,
            final ActorRef<JobManager.Command> manager,
            final ActorRef<CborSerializable> events)
        {
            return Behaviors.setup((context) ->
            {
                events.tell(new Started(jobId, spec, context.getSelf()));
                return new Runner(context, jobId, manager, events);
            });
        }

        @Override
        public Receive<JobRunnerCommand> createReceive()
        {
            return newReceiveBuilder()
                .onMessage(Emit.class, this::onEmit)
                .onMessage(Finish.class, this::onFinish)
                .onMessage(JobRunnerCommand.Stop.class, this::onStop)
                .build();
        }

        private Behavior<JobRunnerCommand> onEmit(final Emit message)
        {
            accuracy = message.accuracy();
            manager.tell(new JobManager.JobProgress(jobId, ProgressEvent.builder(jobId)
                .elapsedSeconds(1.5)
                .progress(10, 640, 0.01)
                .lastTestAccuracy(accuracy)
                .bytes(1_000, 500)
                .staleness(0, 1, 2)
                .shards(List.of(new ShardTelemetry(0, 10, Double.NaN, 0.01, 1.5, 100, 200)))
                .counter("updates_applied", 10)
                .build()));
            return this;
        }

        private Behavior<JobRunnerCommand> onFinish(final Finish message)
        {
            manager.tell(new JobManager.JobFinished(jobId, result(jobId, accuracy)));
            return Behaviors.stopped();
        }

        private Behavior<JobRunnerCommand> onStop(final JobRunnerCommand.Stop message)
        {
            events.tell(new StopReceived(jobId));
            return Behaviors.stopped();
        }
    }
}
