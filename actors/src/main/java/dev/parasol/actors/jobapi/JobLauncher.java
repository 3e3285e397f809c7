package dev.parasol.actors.jobapi;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;

/**
 * The seam through which the {@link JobManager} starts a job without knowing how to train: it spawns the behaviour
 * this returns as a child, watches it, and forwards {@link JobRunnerCommand.Stop} to it on cancellation. The runner
 * reports to {@code manager} with {@link JobManager.JobProgress}, {@link JobManager.JobFinished} and
 * {@link JobManager.JobFailed}, each carrying the job id it was given. A runner that fails (throws) or stops without
 * reporting turns its job FAILED.
 */
@FunctionalInterface
public interface JobLauncher
{
    /**
     * Get the behaviour of the runner of one job.
     *
     * @param jobId   the id the manager gave the job.
     * @param spec    the validated spec.
     * @param manager where to report progress and the outcome.
     * @return the runner's behaviour, spawned once.
     */
    Behavior<JobRunnerCommand> runnerFor(String jobId, JobSpec spec, ActorRef<JobManager.Command> manager);

    /**
     * Get the behaviour of a runner that takes over a job whose runner was lost with its coordinator. By default the
     * job starts again from the beginning under the same id; a launcher that can reclaim the job's surviving parts
     * and carry on from {@link JobResume#point()} overrides this.
     *
     * @param jobId   the job's id.
     * @param spec    its spec.
     * @param manager where to report progress and the outcome.
     * @param resume  which resume this is and where the job stood.
     * @return the runner's behaviour, spawned once.
     */
    default Behavior<JobRunnerCommand> resumeRunnerFor(
        final String jobId, final JobSpec spec, final ActorRef<JobManager.Command> manager, final JobResume resume)
    {
        return runnerFor(jobId, spec, manager);
    }

    /**
     * Get the props to spawn the runner with, e.g. a blocking-I/O dispatcher.
     *
     * @param spec the validated spec.
     * @return {@link Props#empty()} by default.
     */
    default Props props(final JobSpec spec)
    {
        return Props.empty();
    }
}
