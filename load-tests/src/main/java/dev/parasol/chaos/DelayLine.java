package dev.parasol.chaos;

import java.nio.ByteBuffer;

/**
 * The queue of a {@link UdpDelayRelay}: datagrams waiting for their delivery time, first in first out. Every datagram
 * waits the same delay, so arrival order is also delivery order and a ring does what a priority queue would. Bounded
 * twice, by datagrams and by bytes: the payloads live in one preallocated byte ring (a datagram that does not fit
 * before its end starts again at 0, the skipped tail counted as used until it leaves), so a burst can fill it but
 * never grow the heap. Not thread safe: the relay's one thread owns it.
 */
final class DelayLine
{
    private final byte[] data;
    private final long[] dueNs;
    private final int[] offsets;
    private final int[] lengths;
    private final int[] skipped;
    private final int[] routes;
    private int head;
    private int count;
    private int writePosition;
    private int usedBytes;
    private int maxCount;

    /**
     * A line holding at most {@code capacity} datagrams and {@code capacityBytes} bytes of payload.
     *
     * @param capacity      the most datagrams queued at once.
     * @param capacityBytes the most payload bytes queued at once.
     */
    DelayLine(final int capacity, final int capacityBytes)
    {
        if (capacity < 1 || capacityBytes < 1)
        {
            throw new IllegalArgumentException("capacity=" + capacity + ", capacityBytes=" + capacityBytes +
                ": expected both at least 1");
        }
        this.data = new byte[capacityBytes];
        this.dueNs = new long[capacity];
        this.offsets = new int[capacity];
        this.lengths = new int[capacity];
        this.skipped = new int[capacity];
        this.routes = new int[capacity];
    }

    /**
     * Queue the remaining bytes of a buffer, unless the line is full.
     *
     * @param due   when to deliver, in {@link System#nanoTime()} time; not before the last one queued.
     * @param route where it goes, for the caller.
     * @param src   the payload, from its position to its limit; consumed only when queued.
     * @return true if queued, false if the line has no room for it (the caller counts a drop).
     */
    boolean offer(final long due, final int route, final ByteBuffer src)
    {
        final int length = src.remaining();
        if (count == dueNs.length || length > data.length)
        {
            return false;
        }
        int start = writePosition;
        int skip = 0;
        if (start + length > data.length)
        {
            skip = data.length - start;
            start = 0;
        }
        if (usedBytes + skip + length > data.length)
        {
            return false;
        }
        src.get(data, start, length);
        final int slot = (head + count) % dueNs.length;
        dueNs[slot] = due;
        offsets[slot] = start;
        lengths[slot] = length;
        skipped[slot] = skip;
        routes[slot] = route;
        usedBytes += skip + length;
        writePosition = start + length;
        count++;
        maxCount = Math.max(maxCount, count);
        return true;
    }

    /**
     * Get the delivery time of the oldest datagram.
     *
     * @return its due time, or {@link Long#MAX_VALUE} when the line is empty.
     */
    long headDueNs()
    {
        return 0 == count ? Long.MAX_VALUE : dueNs[head];
    }

    /**
     * Get the route of the oldest datagram; only when not empty.
     *
     * @return the route given to {@link #offer}.
     */
    int headRoute()
    {
        return routes[head];
    }

    /**
     * Copy the oldest datagram into a buffer, cleared first and flipped after; only when not empty.
     *
     * @param dst a buffer with room for the datagram.
     */
    void copyHead(final ByteBuffer dst)
    {
        dst.clear();
        dst.put(data, offsets[head], lengths[head]);
        dst.flip();
    }

    /**
     * Remove the oldest datagram; only when not empty.
     */
    void removeHead()
    {
        usedBytes -= skipped[head] + lengths[head];
        head = (head + 1) % dueNs.length;
        count--;
        if (0 == count)
        {
            head = 0;
            writePosition = 0;
            usedBytes = 0;
        }
    }

    /**
     * Get the number of datagrams queued.
     *
     * @return the count.
     */
    int size()
    {
        return count;
    }

    /**
     * Get the most datagrams ever queued at once.
     *
     * @return the high-water mark.
     */
    int maxSize()
    {
        return maxCount;
    }
}
