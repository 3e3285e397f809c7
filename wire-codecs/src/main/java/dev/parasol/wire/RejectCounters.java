package dev.parasol.wire;

import java.util.Arrays;

/**
 * Counts decode outcomes per {@link RejectReason}, in a plain {@code long[]} indexed by code so that recording
 * neither boxes nor allocates. Accepted messages are counted under {@link RejectReason#NONE}.
 * <p>
 * Owned by the one thread that decodes (a receiver agent). Other threads may read it for monitoring, with no
 * guarantee of seeing the latest values; publish to Agrona {@code AtomicCounter}s when exact cross-thread values
 * are needed.
 */
public final class RejectCounters
{
    private final long[] counts = new long[RejectReason.count()];

    /**
     * Count one decode outcome.
     *
     * @param reason the outcome returned by a decoder.
     * @return true if the message was accepted ({@link RejectReason#NONE}), false if rejected.
     */
    public boolean record(final RejectReason reason)
    {
        counts[reason.code()]++;
        return reason == RejectReason.NONE;
    }

    /**
     * Get the count of one outcome.
     *
     * @param reason the outcome.
     * @return how many times it was recorded since construction or the last {@link #reset()}.
     */
    public long get(final RejectReason reason)
    {
        return counts[reason.code()];
    }

    /**
     * Get the count of rejected messages, every reason but {@link RejectReason#NONE}.
     *
     * @return the sum of the counts of all rejection reasons.
     */
    public long totalRejected()
    {
        long total = 0;
        for (int i = 1; i < counts.length; i++)
        {
            total += counts[i];
        }
        return total;
    }

    /**
     * Set every count back to zero.
     */
    public void reset()
    {
        Arrays.fill(counts, 0L);
    }
}
