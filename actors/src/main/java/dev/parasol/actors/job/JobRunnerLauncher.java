package dev.parasol.actors.job;

import dev.parasol.actors.jobapi.JobLauncher;
import dev.parasol.actors.jobapi.JobManager;
import dev.parasol.actors.jobapi.JobResume;
import dev.parasol.actors.jobapi.JobRunnerCommand;
import dev.parasol.actors.jobapi.JobSpec;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;

/**
 * Starts a {@link JobRunner} for each job the manager runs. The runner places the job's parts on the node hosts it
 * finds through the receptionist, on this node or others, so the same launcher serves local mode and a cluster.
 */
public final class JobRunnerLauncher implements JobLauncher
{
    /**
     * {@inheritDoc}
     */
    @Override
    public Behavior<JobRunnerCommand> runnerFor(
        final String jobId, final JobSpec spec, final ActorRef<JobManager.Command> manager)
    {
        return JobRunner.create(jobId, spec, manager, null);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Behavior<JobRunnerCommand> resumeRunnerFor(
        final String jobId, final JobSpec spec, final ActorRef<JobManager.Command> manager, final JobResume resume)
    {
        return JobRunner.create(jobId, spec, manager, resume);
    }
}
