package dev.parasol.actors.dataplane;

/**
 * The counters of one training job, with fixed ids and labels in the manner of Aeron's
 * {@code SystemCounterDescriptor}. Ids never change once released: they are the offset of the Aeron counter type id
 * ({@link #typeId()}), so that tools reading the CnC file (AeronStat) can recognise them.
 * <p>
 * Bytes are counted from what was actually offered to Aeron and accepted, never from what was meant to be sent.
 * {@code UPDATES_APPLIED + UPDATES_DROPPED_STALE} equals the number of distinct gradient pushes shards accepted.
 */
public enum TrainingCounterDescriptor
{
    /**
     * Gradient pushes a worker's publication accepted.
     */
    GRADIENTS_SENT(0, "gradients sent"),

    /**
     * Bytes of gradient pushes a worker's publication accepted: the uplink.
     */
    GRADIENT_BYTES_SENT(1, "gradient bytes sent"),

    /**
     * Parameter updates (replies to requests and pushes) a shard's publication accepted.
     */
    PARAMETER_UPDATES_SENT(2, "parameter updates sent"),

    /**
     * Bytes of parameter updates a shard's publication accepted: the downlink.
     */
    PARAMETER_BYTES_SENT(3, "parameter bytes sent"),

    /**
     * Parameter requests a worker's publication accepted.
     */
    PARAMETER_REQUESTS_SENT(4, "parameter requests sent"),

    /**
     * Bytes of parameter requests a worker's publication accepted, part of the uplink.
     */
    PARAMETER_REQUEST_BYTES_SENT(5, "parameter request bytes sent"),

    /**
     * Gradient pushes a shard applied to its parameters.
     */
    UPDATES_APPLIED(6, "updates applied"),

    /**
     * Gradient pushes a shard dropped because their staleness exceeded the policy's bound (still acknowledged).
     */
    UPDATES_DROPPED_STALE(7, "updates dropped stale"),

    /**
     * Gradient pushes a shard had already applied (a sequence at or below the last one of the worker), acknowledged
     * and never applied twice.
     */
    UPDATES_DUPLICATE(8, "updates duplicate"),

    /**
     * Messages that passed the codecs' validation.
     */
    MESSAGES_ACCEPTED(9, "messages accepted"),

    /**
     * Messages the codecs' validation rejected, for any reason; per-reason counts sit beside.
     */
    MESSAGES_REJECTED(10, "messages rejected"),

    /**
     * Offers that returned back pressured or admin action and were retried, one per retry.
     */
    BACK_PRESSURE_EVENTS(11, "back pressure events"),

    /**
     * Sends that gave up: not connected, closed, max position exceeded, or back pressured past the send timeout.
     */
    SEND_FAILURES(12, "send failures"),

    /**
     * Errors caught in the job's agents' duty cycles.
     */
    ERRORS(13, "agent errors"),

    /**
     * The longest time a shard took to apply one update, in nanoseconds.
     */
    SHARD_APPLY_NS_MAX(14, "shard apply max ns"),

    /**
     * The largest staleness (shard version minus the push's base version) seen.
     */
    STALENESS_MAX(15, "staleness max"),

    /**
     * Messages a shard sent for its backup copy: pushes a primary forwarded, confirmations a backup sent back.
     */
    REPLICATION_MESSAGES_SENT(16, "replication messages sent"),

    /**
     * Bytes of the messages counted by {@link #REPLICATION_MESSAGES_SENT}.
     */
    REPLICATION_BYTES_SENT(17, "replication bytes sent");

    /**
     * Aeron type id of {@link #GRADIENTS_SENT}; type ids below 1000 are Aeron's own.
     */
    public static final int TYPE_ID_BASE = 4100;

    /**
     * Aeron type id of the per-reason reject counter of reason code 0; reason {@code r} has
     * {@code REJECT_TYPE_ID_BASE + r.code()}.
     */
    public static final int REJECT_TYPE_ID_BASE = 4200;

    private static final TrainingCounterDescriptor[] BY_ID = values();

    static
    {
        for (int i = 0; i < BY_ID.length; i++)
        {
            if (BY_ID[i].id != i)
            {
                throw new IllegalStateException("training counter ids must equal ordinals: " + BY_ID[i]);
            }
        }
    }

    private final int id;
    private final String label;

    TrainingCounterDescriptor(final int id, final String label)
    {
        this.id = id;
        this.label = label;
    }

    /**
     * Get the fixed id of the counter.
     *
     * @return the id, equal to the ordinal.
     */
    public int id()
    {
        return id;
    }

    /**
     * Get the human-readable label of the counter.
     *
     * @return the label.
     */
    public String label()
    {
        return label;
    }

    /**
     * Get the Aeron counter type id of the counter.
     *
     * @return {@link #TYPE_ID_BASE} plus the id.
     */
    public int typeId()
    {
        return TYPE_ID_BASE + id;
    }

    /**
     * Get the descriptor of an id.
     *
     * @param id a fixed id.
     * @return the descriptor, or null if the id names none.
     */
    public static TrainingCounterDescriptor get(final int id)
    {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
