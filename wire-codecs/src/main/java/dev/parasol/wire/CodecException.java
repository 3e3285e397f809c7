package dev.parasol.wire;

/**
 * The one exception of this module, carrying a {@link RejectReason}. Encoders throw it when their input breaks a
 * rule of the format (the message would be rejected by the receiver); decoders never throw it and return the reason
 * instead, and callers that prefer exceptions turn a reason into one with {@link #throwIfRejected(RejectReason)}.
 */
public final class CodecException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final RejectReason reason;

    /**
     * Construct an exception for a broken rule.
     *
     * @param reason the rule broken, never {@link RejectReason#NONE}.
     * @param detail the offending value and what was expected.
     */
    public CodecException(final RejectReason reason, final String detail)
    {
        super(reason.name() + ": " + detail);
        this.reason = reason;
    }

    /**
     * Get the rule that was broken.
     *
     * @return the reason.
     */
    public RejectReason reason()
    {
        return reason;
    }

    /**
     * Throw when a decode outcome is a rejection.
     *
     * @param reason the outcome returned by a decoder.
     * @throws CodecException if reason is not {@link RejectReason#NONE}.
     */
    public static void throwIfRejected(final RejectReason reason)
    {
        if (reason != RejectReason.NONE)
        {
            throw new CodecException(reason, reason.description());
        }
    }
}
