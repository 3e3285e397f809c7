package dev.parasol.actors.worker;

/**
 * The sequence space of a worker slot, cut by incarnation: when a worker is lost and a replacement takes its slot,
 * the replacement's sequences start above every sequence its predecessors could have used, and the shards refuse
 * anything at or below that base from then on. So a predecessor that comes back (a paused process resumed, a healed
 * partition) can neither apply a push twice nor interleave with the replacement's sequences.
 * <p>
 * Incarnation {@code i} uses sequences from {@code i * 2^40 + 1}: about 10^12 messages per incarnation, more than a
 * worker sends in years, and room for 2^23 incarnations in a positive {@code long}.
 */
public final class Incarnations
{
    /**
     * Bits of the sequence below the incarnation.
     */
    public static final int SEQUENCE_BITS = 40;

    private Incarnations()
    {
    }

    /**
     * Get the sequence base of an incarnation: its first message carries {@code base + 1}.
     *
     * @param incarnation 0 for the first worker of a slot, then 1, 2, ... for its replacements.
     * @return the base.
     * @throws IllegalArgumentException if the incarnation is negative or too large.
     */
    public static long sequenceBase(final int incarnation)
    {
        if (incarnation < 0 || incarnation >= 1 << (Long.SIZE - 1 - SEQUENCE_BITS))
        {
            throw new IllegalArgumentException("incarnation=" + incarnation + ", expected 0.." +
                ((1 << (Long.SIZE - 1 - SEQUENCE_BITS)) - 1));
        }
        return (long)incarnation << SEQUENCE_BITS;
    }
}
