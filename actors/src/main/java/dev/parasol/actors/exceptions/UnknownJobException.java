package dev.parasol.actors.exceptions;

import dev.parasol.engine.exceptions.EngineException;

/**
 * A job id that the job manager does not know: never submitted, mistyped, or forgotten after it ended long ago.
 */
public class UnknownJobException extends EngineException
{
    private static final long serialVersionUID = 1L;

    /**
     * The id asked for.
     */
    private final String jobId;

    /**
     * Construct for the id asked for.
     *
     * @param jobId the unknown id.
     */
    public UnknownJobException(final String jobId)
    {
        super("unknown job id '" + jobId + "' (list the jobs to see the known ids)");
        this.jobId = jobId;
    }

    /**
     * Get the id asked for.
     *
     * @return the unknown id.
     */
    public String jobId()
    {
        return jobId;
    }
}
