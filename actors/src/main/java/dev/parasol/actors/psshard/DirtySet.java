package dev.parasol.actors.psshard;

import java.util.Arrays;

/**
 * The coordinates of a shard's range that changed since the last update sent to one worker: a bitset over the range
 * plus a count, and an "all" flag that takes over once the count passes the dense threshold (a dense update is then
 * smaller than a sparse one, so the individual coordinates no longer matter). Starts as "all", so that a worker's
 * first update is the whole range.
 * <p>
 * Draining walks the bitset word by word, so the indices come out sorted without a sort and the bits are cleared on
 * the same pass. Nothing is allocated after construction. Single-threaded.
 */
final class DirtySet
{
    private final long[] words;
    private final int threshold;
    private int count;
    private boolean all = true;

    /**
     * Construct a set over a range.
     *
     * @param length    coordinates in the range.
     * @param threshold most coordinates tracked one by one; one more and the set becomes "all".
     */
    DirtySet(final int length, final int threshold)
    {
        this.words = new long[(length + 63) >>> 6];
        this.threshold = threshold;
    }

    /**
     * Mark coordinates as changed.
     *
     * @param indices strictly increasing indices relative to the range start, inside the range.
     * @param n       number of indices used.
     */
    void mark(final int[] indices, final int n)
    {
        if (all)
        {
            return;
        }
        final long[] words = this.words;
        int count = this.count;
        for (int i = 0; i < n; i++)
        {
            final int index = indices[i];
            final int w = index >>> 6;
            final long bit = 1L << index;
            final long word = words[w];
            if ((word & bit) == 0)
            {
                words[w] = word | bit;
                if (++count > threshold)
                {
                    all = true;
                    break;
                }
            }
        }
        this.count = count;
    }

    /**
     * Mark the whole range as changed.
     */
    void markAll()
    {
        all = true;
    }

    /**
     * Is the whole range to be sent?
     *
     * @return true after {@link #markAll()}, when the count passed the threshold, and before the first drain.
     */
    boolean isAll()
    {
        return all;
    }

    /**
     * Get the number of coordinates tracked one by one; meaningless when {@link #isAll()}.
     *
     * @return the count.
     */
    int count()
    {
        return count;
    }

    /**
     * Copy the changed indices in increasing order and clear them. Only when not {@link #isAll()}.
     *
     * @param destination at least {@link #count()} long.
     * @return the number of indices written.
     */
    int drainInto(final int[] destination)
    {
        final long[] words = this.words;
        int n = 0;
        int remaining = count;
        for (int w = 0; w < words.length && remaining > 0; w++)
        {
            long word = words[w];
            if (word != 0)
            {
                words[w] = 0;
                final int base = w << 6;
                while (word != 0)
                {
                    destination[n++] = base + Long.numberOfTrailingZeros(word);
                    word &= word - 1;
                    remaining--;
                }
            }
        }
        count = 0;
        return n;
    }

    /**
     * Forget every change, after the whole range was sent.
     */
    void clearAll()
    {
        Arrays.fill(words, 0L);
        count = 0;
        all = false;
    }
}
