package dev.parasol.actors.exceptions;

import dev.parasol.engine.exceptions.EngineException;

import java.util.List;

/**
 * A job spec is invalid. The exception carries every problem found, not only the first, one entry per bad field in
 * the form {@code key=value: expected ...}, so a user fixes them all in one go.
 */
public class JobSpecException extends EngineException
{
    private static final long serialVersionUID = 1L;

    /**
     * Every problem found, in the order the fields were checked.
     */
    private final List<String> errors;

    /**
     * Construct from the list of problems.
     *
     * @param errors every problem found, at least one.
     */
    public JobSpecException(final List<String> errors)
    {
        super("invalid job spec: " + String.join("; ", errors));
        this.errors = List.copyOf(errors);
    }

    /**
     * Get every problem found.
     *
     * @return an unmodifiable list, one entry per bad field.
     */
    public List<String> errors()
    {
        return errors;
    }
}
