package dev.parasol.actors.jobapi;

import dev.parasol.actors.CborSerializable;

import java.time.Instant;

/**
 * What the job journal keeps of one job: enough to list it, report it, and resume it on another coordinator.
 *
 * @param id              the job id.
 * @param spec            the accepted spec.
 * @param submittedAt     when it was accepted.
 * @param state           its state when last recorded.
 * @param startedAt       when it first started, or null.
 * @param endedAt         when it ended, or null.
 * @param result          its result, once ended with one.
 * @param error           why it failed, or null.
 * @param cancelRequested whether a cancel was asked for.
 * @param resumes         how many times it was resumed after its coordinator was lost.
 * @param resumePoint     the latest point it can resume from, or null.
 */
public record JobRecord(
    String id,
    JobSpec spec,
    Instant submittedAt,
    JobStatus.State state,
    Instant startedAt,
    Instant endedAt,
    JobResult result,
    String error,
    boolean cancelRequested,
    int resumes,
    ResumePoint resumePoint) implements CborSerializable
{
    /**
     * A job just accepted.
     *
     * @param id          the job id.
     * @param spec        the spec.
     * @param submittedAt when it was accepted.
     * @return the record, QUEUED.
     */
    public static JobRecord queued(final String id, final JobSpec spec, final Instant submittedAt)
    {
        return new JobRecord(id, spec, submittedAt, JobStatus.State.QUEUED, null, null, null, null, false, 0, null);
    }

    JobRecord withStarted(final Instant at)
    {
        return new JobRecord(id, spec, submittedAt, JobStatus.State.RUNNING, startedAt == null ? at : startedAt,
            null, null, null, cancelRequested, resumes, resumePoint);
    }

    JobRecord withResume()
    {
        return new JobRecord(id, spec, submittedAt, state, startedAt, endedAt, result, error, cancelRequested,
            resumes + 1, resumePoint);
    }

    JobRecord withCancelRequested()
    {
        return new JobRecord(id, spec, submittedAt, state, startedAt, endedAt, result, error, true, resumes,
            resumePoint);
    }

    JobRecord withResumePoint(final ResumePoint point)
    {
        return new JobRecord(id, spec, submittedAt, state, startedAt, endedAt, result, error, cancelRequested,
            resumes, point);
    }

    JobRecord withEnd(final JobStatus.State endState, final Instant at, final JobResult endResult, final String why)
    {
        // The resume point has served its purpose: an ended job is never resumed.
        return new JobRecord(id, spec, submittedAt, endState, startedAt, at, endResult, why, cancelRequested,
            resumes, null);
    }
}
