package dev.parasol.actors.jobapi;

/**
 * How a job that was running when its coordinator was lost goes on under a new job manager.
 *
 * @param attempt how many times the job has been resumed, this one included: 1 after the first fail-over.
 * @param point   the latest {@link ResumePoint} the journal holds, or null when the job was lost before its first
 *                one (it then starts over, its parts on the surviving nodes stopped first).
 */
public record JobResume(int attempt, ResumePoint point)
{
}
