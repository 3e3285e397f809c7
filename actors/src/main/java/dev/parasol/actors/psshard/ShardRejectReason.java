package dev.parasol.actors.psshard;

/**
 * Why a shard rejected a message that the wire codecs accepted: the bytes are well formed, but the protocol state of
 * this shard says no. Wire-level rejections are counted per {@link dev.parasol.wire.RejectReason}; these are counted
 * beside them. Like a wire rejection, a protocol rejection changes nothing in the shard and sends no reply.
 */
public enum ShardRejectReason
{
    /**
     * The worker id is negative or not below the shard's number of slots (workers plus the evaluator).
     */
    UNKNOWN_WORKER,

    /**
     * The shard id in the header is not this shard's.
     */
    WRONG_SHARD,

    /**
     * The key range is inside the shard's but not equal to it: the protocol sends one message per shard and step,
     * never a sub-range, so sequences stay one per logical push.
     */
    RANGE_MISMATCH,

    /**
     * The message type is not one a shard receives: {@code PARAMETER_SNAPSHOT}, or a request sent to a backup copy.
     */
    UNEXPECTED_TYPE,

    /**
     * A {@code PARAMETER_REQUEST} that is not {@code SPARSE_F32} with no entries.
     */
    MALFORMED_REQUEST,

    /**
     * A {@code GRADIENT_PUSH} whose base version is negative: no shard ever had such a version.
     */
    NEGATIVE_BASE_VERSION,

    /**
     * A message from an earlier incarnation of a worker slot: its sequence is at or below the base of the slot's
     * current incarnation ({@link ShardState#admitIncarnation}). A worker that was declared lost and replaced, and
     * then resumed (a paused process, a healed partition), must not change the shard or be answered.
     */
    STALE_INCARNATION,

    /**
     * A {@code PARAMETER_REQUEST} older than the newest message of its slot: a worker's sequences grow with every
     * message and it only ever resends its newest, so an older one is a replay. Answering it could cost a dense reply
     * of the whole range for a request of under a hundred bytes.
     */
    REPLAYED_REQUEST,

    /**
     * A {@code PARAMETER_UPDATE} sent to a shard that is not the next confirmation its backup owes: the shard has
     * no backup, holds no acknowledgement, or holds another push's first. Backups confirm in the order pushes were
     * forwarded, so this is a replay or a forgery by a holder of the job's key.
     */
    UNEXPECTED_CONFIRMATION;

    private static final ShardRejectReason[] VALUES = values();

    /**
     * Get the number of reasons, the length of a counter array indexed by {@link #ordinal()}.
     *
     * @return the number of reasons.
     */
    public static int count()
    {
        return VALUES.length;
    }

    /**
     * Get the reason of an ordinal.
     *
     * @param ordinal from 0 to {@link #count()} - 1.
     * @return the reason.
     */
    public static ShardRejectReason fromOrdinal(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
