package dev.parasol.actors.psshard;

/**
 * The acknowledgements a primary shard holds back until its backup confirms the push: a first-in first-out queue
 * of (worker slot, sequence), in the order the pushes were forwarded, which is the order the backup confirms them.
 * <p>
 * A worker has at most one push in flight per shard, so the queue rarely holds more than one entry per slot; it
 * grows by doubling when it must (allocating then, never in the steady state). Not thread-safe: owned by the shard's
 * thread.
 */
final class HeldAcknowledgements
{
    private int[] workers;
    private long[] sequences;
    private int head;
    private int size;

    /**
     * Construct an empty queue.
     *
     * @param initialCapacity entries held before the first growth, at least 1.
     */
    HeldAcknowledgements(final int initialCapacity)
    {
        final int capacity = Math.max(1, initialCapacity);
        this.workers = new int[capacity];
        this.sequences = new long[capacity];
    }

    /**
     * Hold the acknowledgement of a push.
     *
     * @param workerId the slot that pushed.
     * @param sequence the push's sequence.
     */
    void add(final int workerId, final long sequence)
    {
        if (size == workers.length)
        {
            grow();
        }
        final int tail = (head + size) % workers.length;
        workers[tail] = workerId;
        sequences[tail] = sequence;
        size++;
    }

    /**
     * Is nothing held?
     *
     * @return true when empty.
     */
    boolean isEmpty()
    {
        return size == 0;
    }

    /**
     * Get the number held.
     *
     * @return the count.
     */
    int size()
    {
        return size;
    }

    /**
     * Get the slot of the oldest held acknowledgement.
     *
     * @return the worker id; the queue must not be empty.
     */
    int headWorker()
    {
        return workers[head];
    }

    /**
     * Get the sequence of the oldest held acknowledgement.
     *
     * @return the sequence; the queue must not be empty.
     */
    long headSequence()
    {
        return sequences[head];
    }

    /**
     * Drop the oldest held acknowledgement; read it first with {@link #headWorker()} and {@link #headSequence()}.
     */
    void removeHead()
    {
        head = (head + 1) % workers.length;
        size--;
    }

    private void grow()
    {
        final int capacity = workers.length * 2;
        final int[] newWorkers = new int[capacity];
        final long[] newSequences = new long[capacity];
        for (int i = 0; i < size; i++)
        {
            final int from = (head + i) % workers.length;
            newWorkers[i] = workers[from];
            newSequences[i] = sequences[from];
        }
        workers = newWorkers;
        sequences = newSequences;
        head = 0;
    }
}
