package dev.parasol.actors.jobapi;

import dev.parasol.actors.CborSerializable;

/**
 * What the {@link JobManager} tells a job's runner. A runner reports back with {@link JobManager.JobProgress},
 * then exactly one of {@link JobManager.JobFinished} or {@link JobManager.JobFailed}; it may stop itself afterwards
 * and the manager stops it if it does not.
 * <p>
 * A runner's own message type extends this interface, so the manager can hold it as a
 * {@code Behavior<JobRunnerCommand>} and the runner keeps its private messages private.
 */
public interface JobRunnerCommand extends CborSerializable
{
    /**
     * Cancel the job: the runner stops its workers, may report {@link JobManager.JobFinished} with what it has, and
     * stops. The manager marks the job CANCELLED when the runner has stopped or reported, and stops the runner
     * itself after {@link JobManager#CANCEL_GRACE}.
     */
    enum Stop implements JobRunnerCommand
    {
        /**
         * The only instance.
         */
        INSTANCE
    }
}
