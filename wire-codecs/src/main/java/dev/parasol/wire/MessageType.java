package dev.parasol.wire;

/**
 * What a data-plane message asks of its receiver. The code is the byte written on the wire; it never changes once
 * released, and codes 5 to 255 are free for new types. The meaning of the header's version fields depends on the
 * type, as documented on each constant.
 */
public enum MessageType
{
    /**
     * Worker to shard: a gradient over the shard's key range. {@code workerId} is the sender, {@code shardId} the
     * receiver, {@code sequence} increases per worker and shard (so a shard never applies a message twice),
     * {@code baseVersion} is the shard's model version the gradient was computed against (for staleness), and
     * {@code targetVersion} is the worker's clock, its count of completed steps.
     */
    GRADIENT_PUSH(1),

    /**
     * Shard to worker: the coordinates of the shard's key range that changed since {@code baseVersion}, the version
     * the worker holds, with their <em>absolute</em> values at {@code targetVersion} (sparse, or dense when most
     * changed). Writing them over the worker's copy gives the parameters at {@code targetVersion}; absolute values
     * make a repeated update harmless and keep replicas bit-identical to the shard. A reply to a push carries the
     * push's {@code sequence}, which acknowledges it; Parasol's shards send it empty, with both versions equal to
     * the version the worker holds, and let the worker's next request carry the changes.
     */
    PARAMETER_UPDATE(2),

    /**
     * Shard to worker: the absolute parameters of the key range at {@code targetVersion}; {@code baseVersion} is
     * zero. Sent when a worker holds no usable version, for example after it joins or falls too far behind.
     */
    PARAMETER_SNAPSHOT(3),

    /**
     * Worker to shard: ask for a {@link #PARAMETER_UPDATE} of the changes since {@code baseVersion}, the version the
     * worker holds. Encoded as {@link Encoding#SPARSE_F32} with no entries over the shard's key range: a header
     * and an empty payload.
     */
    PARAMETER_REQUEST(4);

    private static final MessageType[] BY_CODE = new MessageType[5];

    static
    {
        for (final MessageType type : values())
        {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;

    MessageType(final int code)
    {
        this.code = code;
    }

    /**
     * Get the byte written on the wire for this type.
     *
     * @return the wire code.
     */
    public int code()
    {
        return code;
    }

    /**
     * Get the type for a wire code, or null when the code names none: callers decoding untrusted bytes treat null
     * as a rejection, never as a default.
     *
     * @param code the byte read from the wire.
     * @return the type, or null if the code is unknown.
     */
    public static MessageType fromCode(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
