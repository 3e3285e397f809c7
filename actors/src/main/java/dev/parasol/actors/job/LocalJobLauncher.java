package dev.parasol.actors.job;

import dev.parasol.actors.jobapi.JobLauncher;
import dev.parasol.actors.jobapi.JobManager;
import dev.parasol.actors.jobapi.JobRunnerCommand;
import dev.parasol.actors.jobapi.JobSpec;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;

/**
 * Starts every part of a job on this node: the {@link JobRunner} and, through it, the scheduler, the shards, the
 * workers and the evaluator. Runners block while they load data and set up Aeron, so they run on Pekko's
 * blocking-I/O dispatcher, never the default one.
 */
public final class LocalJobLauncher implements JobLauncher
{
    private final NodeResources node;

    /**
     * Construct a launcher over a node's resources.
     *
     * @param node the data plane, shard runner and data sets of this node.
     */
    public LocalJobLauncher(final NodeResources node)
    {
        this.node = node;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Behavior<JobRunnerCommand> runnerFor(
        final String jobId, final JobSpec spec, final ActorRef<JobManager.Command> manager)
    {
        return JobRunner.create(jobId, spec, manager, node);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Props props(final JobSpec spec)
    {
        return DispatcherSelector.blocking();
    }
}
