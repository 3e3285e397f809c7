package dev.parasol.bench.channel;

/**
 * A sender and a receiver over one Aeron stream, measured one window at a time: the receiving thread runs only
 * during a window, the sending thread is the caller's.
 */
interface MeasuredStream extends AutoCloseable
{
    /**
     * Send for a while on the calling thread, then wait until the receiving thread has handled every message sent.
     *
     * @param durationNs how long to keep sending.
     * @return what was delivered, timed from the first offer to the last message handled.
     */
    Rate run(long durationNs);

    /**
     * Close the publication and the subscription.
     */
    @Override
    void close();
}
