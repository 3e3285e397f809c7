package dev.parasol.bench.channel;

import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.Endpoint;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.Publication;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts what a receiving thread handled, for the sending thread to read, and the set-up and drain steps shared by
 * both streams. One writer: the receiving thread publishes each count with a release store, no atomic add.
 */
final class Delivery
{
    /**
     * How long the messages still in flight at the end of a window may take to arrive.
     */
    static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private static final long DRAIN_PARK_NS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    /**
     * Count one message; called by the receiving thread only.
     */
    void onMessage(final int length)
    {
        bytes.setRelease(bytes.getPlain() + length);
        messages.setRelease(messages.getPlain() + 1);
    }

    long messages()
    {
        return messages.get();
    }

    long bytes()
    {
        return bytes.get();
    }

    /**
     * Wait until the count reaches a total.
     *
     * @return the time the count was seen complete, {@link System#nanoTime()}.
     * @throws IllegalStateException if it did not within {@link #DRAIN_TIMEOUT_NS}.
     */
    long awaitMessages(final long expected, final String what)
    {
        final long deadlineNs = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (true)
        {
            // Read the count before the clock: a count seen complete was complete at the time returned.
            final long seen = messages.get();
            final long nowNs = System.nanoTime();
            if (seen >= expected)
            {
                return nowNs;
            }
            if (nowNs - deadlineNs >= 0)
            {
                throw new IllegalStateException(what + ": " + seen + " of " + expected + " messages delivered after " +
                    TimeUnit.NANOSECONDS.toSeconds(DRAIN_TIMEOUT_NS) + " s; expected all");
            }
            LockSupport.parkNanos(DRAIN_PARK_NS);
        }
    }

    /**
     * Build the publication channel to an endpoint: Parasol's tuned UDP channel with the term length the job would
     * use.
     */
    static String channel(final DataPlane dataPlane, final Endpoint endpoint, final int termLength)
    {
        final ChannelUri uri = ChannelUri.parse(dataPlane.udpChannel(endpoint));
        uri.put(CommonContext.TERM_LENGTH_PARAM_NAME, Integer.toString(termLength));
        return uri.toString();
    }

    /**
     * Wait until a publication has its subscriber: a set-up step.
     */
    static void awaitConnected(final Publication publication)
    {
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (!publication.isConnected())
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new IllegalStateException("publication to " + publication.channel() + " stream " +
                    publication.streamId() + " not connected within 5 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
