package dev.parasol.engine.model;

/**
 * A contiguous range {@code [start, end)} of a flat parameter vector: what one parameter-server shard owns.
 *
 * @param shard index of the range in its split, from 0.
 * @param start first key, inclusive.
 * @param end   last key, exclusive.
 */
public record KeyRange(int shard, int start, int end)
{
    /**
     * Validate the bounds.
     *
     * @param shard index of the range in its split.
     * @param start first key, inclusive.
     * @param end   last key, exclusive.
     */
    public KeyRange
    {
        if (shard < 0 || start < 0 || end < start)
        {
            throw new IllegalArgumentException("invalid key range: shard=" + shard + " start=" + start + " end=" + end);
        }
    }

    /**
     * Get the number of keys in the range.
     *
     * @return end - start.
     */
    public int length()
    {
        return end - start;
    }

    /**
     * Does the range hold this key?
     *
     * @param key a key of the flat vector.
     * @return true if start &lt;= key &lt; end.
     */
    public boolean contains(final int key)
    {
        return key >= start && key < end;
    }
}
