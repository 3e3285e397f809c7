package dev.parasol.engine.exceptions;

/**
 * Root of every exception the engine raises on purpose. The {@link Category} tells a caller what to do with it:
 * a FATAL error stops the component, an ERROR fails the operation at hand, a WARN is reported and work goes on.
 */
public class EngineException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * How serious an {@link EngineException} is.
     */
    public enum Category
    {
        /**
         * The component cannot continue.
         */
        FATAL,

        /**
         * The operation failed; the component can go on.
         */
        ERROR,

        /**
         * Worth reporting, nothing failed.
         */
        WARN
    }

    private final Category category;

    /**
     * Construct an exception of category {@link Category#ERROR}.
     *
     * @param message what went wrong, naming the offending value.
     */
    public EngineException(final String message)
    {
        this(message, Category.ERROR, null);
    }

    /**
     * Construct an exception with a category and a cause.
     *
     * @param message  what went wrong, naming the offending value.
     * @param category how serious it is.
     * @param cause    the underlying failure, or null.
     */
    public EngineException(final String message, final Category category, final Throwable cause)
    {
        super(message, cause);
        this.category = category;
    }

    /**
     * Get the category of this exception.
     *
     * @return the category.
     */
    public Category category()
    {
        return category;
    }

    /**
     * Is the throwable an {@link EngineException} of category {@link Category#FATAL}?
     *
     * @param t the throwable to test.
     * @return true if it is fatal.
     */
    public static boolean isFatal(final Throwable t)
    {
        return t instanceof EngineException && ((EngineException)t).category == Category.FATAL;
    }
}
