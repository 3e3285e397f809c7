package dev.parasol.actors.jobapi;

import java.time.Instant;

/**
 * Where a job stands, as the {@link JobManager} sees it.
 * <p>
 * A job moves QUEUED -&gt; RUNNING -&gt; SUCCEEDED | FAILED | CANCELLED, or QUEUED -&gt; CANCELLED when cancelled
 * before it started (or FAILED if the launcher could not start it). The last three states are terminal.
 *
 * @param jobId           the id the manager gave the job.
 * @param summary         one-line summary of the spec ({@link JobSpec#summary()}).
 * @param spec            the spec as submitted.
 * @param state           the state.
 * @param submittedAt     when the manager accepted the job.
 * @param startedAt       when its runner was started, or null while queued.
 * @param endedAt         when it reached a terminal state, or null.
 * @param latestProgress  the latest progress event, or null if none yet.
 * @param result          the result once SUCCEEDED (or CANCELLED, if the runner reported one), else null.
 * @param error           why it FAILED, else null.
 * @param cancelRequested true once a cancel was asked for, while the runner stops.
 * @param queuePosition   0 for the next job to start, 1 for the one after, ...; -1 unless QUEUED.
 */
public record JobStatus(
    String jobId,
    String summary,
    JobSpec spec,
    State state,
    Instant submittedAt,
    Instant startedAt,
    Instant endedAt,
    ProgressEvent latestProgress,
    JobResult result,
    String error,
    boolean cancelRequested,
    int queuePosition) implements JobManager.StatusResponse
{
    /**
     * The states of a job.
     */
    public enum State
    {
        /**
         * Waiting for free worker slots.
         */
        QUEUED,

        /**
         * Its runner is running.
         */
        RUNNING,

        /**
         * Finished with a result.
         */
        SUCCEEDED,

        /**
         * Failed; {@link JobStatus#error()} says why.
         */
        FAILED,

        /**
         * Cancelled before or while it ran.
         */
        CANCELLED;

        /**
         * Is this state final?
         *
         * @return true for SUCCEEDED, FAILED and CANCELLED.
         */
        public boolean isTerminal()
        {
            return this == SUCCEEDED || this == FAILED || this == CANCELLED;
        }
    }

    /**
     * Has the job reached a terminal state?
     *
     * @return true once SUCCEEDED, FAILED or CANCELLED.
     */
    public boolean ended()
    {
        return state.isTerminal();
    }
}
