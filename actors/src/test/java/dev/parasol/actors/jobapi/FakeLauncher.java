package dev.parasol.actors.jobapi;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A launcher whose runners train nothing: each announces itself to a probe and then does what the test tells it.
 */
final class FakeLauncher implements JobLauncher
{
    record Started(String jobId, JobSpec spec, ActorRef<JobRunnerCommand> runner, JobResume resume)
    {
    }

    interface Control extends JobRunnerCommand
    {
    }

    record Emit(double accuracy) implements Control
    {
    }

    enum Finish implements Control
    {
        INSTANCE
    }

    record Fail(String error) implements Control
    {
    }

    enum Crash implements Control
    {
        INSTANCE
    }

    enum Vanish implements Control
    {
        INSTANCE
    }

    private final ActorRef<Started> started;
    private final boolean honourStop;
    private final AtomicBoolean throwOnLaunch = new AtomicBoolean();

    FakeLauncher(final ActorRef<Started> started, final boolean honourStop)
    {
        this.started = started;
        this.honourStop = honourStop;
    }

    void throwOnNextLaunch()
    {
        throwOnLaunch.set(true);
    }

    @Override
    public Behavior<JobRunnerCommand> runnerFor(
        final String jobId, final JobSpec spec, final ActorRef<JobManager.Command> manager)
    {
        return runner(jobId, spec, manager, null);
    }

    @Override
    public Behavior<JobRunnerCommand> resumeRunnerFor(
        final String jobId, final JobSpec spec, final ActorRef<JobManager.Command> manager, final JobResume resume)
    {
        return runner(jobId, spec, manager, resume);
    }

    private Behavior<JobRunnerCommand> runner(
        final String jobId, final JobSpec spec, final ActorRef<JobManager.Command> manager, final JobResume resume)
    {
        if (throwOnLaunch.getAndSet(false))
        {
            throw new IllegalStateException("no data directory");
        }
        return Behaviors.setup((context) ->
        {
            started.tell(new Started(jobId, spec, context.getSelf(), resume));
            return new FakeRunner(context, jobId, manager, honourStop);
        });
    }

    static JobResult result(final double accuracy)
    {
        final Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put(JobResult.WORKLOAD, "W2");
        metrics.put(JobResult.FINAL_TEST_ACCURACY, accuracy);
        metrics.put(JobResult.TIME_TO_TARGET_S, null);
        return new JobResult(metrics, Path.of("model.safetensors"), Path.of("report.json"));
    }

    private static final class FakeRunner extends AbstractBehavior<JobRunnerCommand>
    {
        private final String jobId;
        private final ActorRef<JobManager.Command> manager;
        private final boolean honourStop;
        private long steps;
        private double accuracy = Double.NaN;

        private FakeRunner(
            final ActorContext<JobRunnerCommand> context,
            final String jobId,
            final ActorRef<JobManager.Command> manager,
            final boolean honourStop)
        {
            super(context);
            this.jobId = jobId;
            this.manager = manager;
            this.honourStop = honourStop;
        }

        @Override
        public Receive<JobRunnerCommand> createReceive()
        {
            return newReceiveBuilder()
                .onMessage(Emit.class, this::onEmit)
                .onMessage(Finish.class, this::onFinish)
                .onMessage(Fail.class, this::onFail)
                .onMessage(Crash.class, this::onCrash)
                .onMessage(Vanish.class, this::onVanish)
                .onMessage(JobRunnerCommand.Stop.class, this::onStop)
                .build();
        }

        private Behavior<JobRunnerCommand> onEmit(final Emit message)
        {
            steps += 10;
            accuracy = message.accuracy();
            manager.tell(new JobManager.JobProgress(jobId, ProgressEvent.builder(jobId)
                .elapsedSeconds(steps / 10.0)
                .progress(steps, steps * 64, steps * 64 / 60_000.0)
                .lastTestAccuracy(accuracy)
                .bytes(steps * 100, steps * 50)
                .staleness(1, 2, 3)
                .counter("updates_applied", steps)
                .build()));
            return this;
        }

        private Behavior<JobRunnerCommand> onFinish(final Finish message)
        {
            manager.tell(new JobManager.JobFinished(jobId, result(accuracy)));
            return Behaviors.stopped();
        }

        private Behavior<JobRunnerCommand> onFail(final Fail message)
        {
            manager.tell(new JobManager.JobFailed(jobId, message.error()));
            return this;
        }

        private Behavior<JobRunnerCommand> onCrash(final Crash message)
        {
            throw new IllegalStateException("worker 1 lost its replica");
        }

        private Behavior<JobRunnerCommand> onVanish(final Vanish message)
        {
            return Behaviors.stopped();
        }

        private Behavior<JobRunnerCommand> onStop(final JobRunnerCommand.Stop message)
        {
            return honourStop ? Behaviors.stopped() : this;
        }
    }
}
