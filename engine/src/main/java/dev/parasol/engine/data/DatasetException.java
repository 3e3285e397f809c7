package dev.parasol.engine.data;

import dev.parasol.engine.exceptions.EngineException;

/**
 * A data set could not be found, read, verified or split. The message names the file or directory, what was
 * expected, what was found, and what to do about it.
 */
public final class DatasetException extends EngineException
{
    private static final long serialVersionUID = 1L;

    /**
     * Construct an exception of category {@link EngineException.Category#ERROR}.
     *
     * @param message what went wrong, what was expected, what was found and what to do.
     */
    public DatasetException(final String message)
    {
        super(message, Category.ERROR, null);
    }

    /**
     * Construct an exception of category {@link EngineException.Category#ERROR} with a cause.
     *
     * @param message what went wrong, what was expected, what was found and what to do.
     * @param cause   the underlying failure.
     */
    public DatasetException(final String message, final Throwable cause)
    {
        super(message, Category.ERROR, cause);
    }
}
