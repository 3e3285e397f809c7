package dev.parasol.actors.exceptions;

import dev.parasol.engine.exceptions.EngineException;

import java.util.List;

/**
 * The job manager refused a submitted job: the spec has bad fields, or the job needs more workers than the manager
 * has slots. The exception carries every reason the manager gave.
 */
public class JobRejectedException extends EngineException
{
    private static final long serialVersionUID = 1L;

    /**
     * Every reason given, one per bad field.
     */
    private final List<String> errors;

    /**
     * Construct from the reasons the job manager gave.
     *
     * @param errors every reason, at least one.
     */
    public JobRejectedException(final List<String> errors)
    {
        super("job rejected: " + String.join("; ", errors));
        this.errors = List.copyOf(errors);
    }

    /**
     * Get every reason the job manager gave.
     *
     * @return an unmodifiable list, one entry per bad field.
     */
    public List<String> errors()
    {
        return errors;
    }
}
