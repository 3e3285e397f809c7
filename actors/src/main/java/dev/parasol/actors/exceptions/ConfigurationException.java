package dev.parasol.actors.exceptions;

import dev.parasol.engine.exceptions.EngineException;

/**
 * A setting has a value that cannot work: out of range, inconsistent with another setting, or refused by the machine
 * (a port already in use, too little free space for the Aeron directory). The message starts with the setting and its
 * value as {@code name=value}, then says what was expected, so that a user can fix it without reading a stack trace.
 */
public class ConfigurationException extends EngineException
{
    private static final long serialVersionUID = 1L;

    /**
     * Construct an exception of category {@link Category#ERROR}.
     *
     * @param message naming the setting, its value and what was expected.
     */
    public ConfigurationException(final String message)
    {
        super(message);
    }

    /**
     * Construct an exception of category {@link Category#ERROR} with the failure that revealed the problem.
     *
     * @param message naming the setting, its value and what was expected.
     * @param cause   the underlying failure, or null.
     */
    public ConfigurationException(final String message, final Throwable cause)
    {
        super(message, Category.ERROR, cause);
    }
}
