package dev.parasol.actors.worker;

import dev.parasol.actors.dataplane.MessageSender;
import dev.parasol.actors.dataplane.TailProbe;
import org.agrona.DirectBuffer;

/**
 * A worker's way to one shard, which can be pointed at a new address while the worker's loop runs: when a shard is
 * lost and restarts on another node, the worker actor moves the route there and the loop's next send (its resend of
 * an unacknowledged message, at the latest) goes to the new shard. The senders are read with volatile semantics on
 * every send, which costs nothing next to an Aeron offer.
 */
final class ShardRoute
{
    private volatile MessageSender pushes;
    private volatile MessageSender requests;
    private volatile TailProbe probe;

    ShardRoute(final MessageSender pushes, final MessageSender requests)
    {
        moveTo(pushes, requests);
    }

    /**
     * Send from now on through these senders; safe from any thread.
     *
     * @param pushes   for gradient pushes.
     * @param requests for parameter requests.
     */
    void moveTo(final MessageSender pushes, final MessageSender requests)
    {
        // Pushes and requests share one publication; its probe is read by the loop's thread only.
        this.probe = new TailProbe(requests.publication());
        this.pushes = pushes;
        this.requests = requests;
    }

    MessageSender pushesSender()
    {
        return pushes;
    }

    MessageSender requestsSender()
    {
        return requests;
    }

    long push(final DirectBuffer buffer, final int offset, final int length)
    {
        return pushes.send(buffer, offset, length);
    }

    long request(final DirectBuffer buffer, final int offset, final int length)
    {
        return requests.send(buffer, offset, length);
    }

    void probeIfIdle(final long nowNs, final long idleNs)
    {
        probe.probeIfIdle(nowNs, idleNs);
    }

    /**
     * Get a link that sends requests, and probes the stream when it has been quiet.
     *
     * @return the link.
     */
    ShardLink requestLink()
    {
        return new ShardLink()
        {
            @Override
            public long send(final DirectBuffer buffer, final int offset, final int length)
            {
                return request(buffer, offset, length);
            }

            @Override
            public void probeIfIdle(final long nowNs, final long idleNs)
            {
                ShardRoute.this.probeIfIdle(nowNs, idleNs);
            }
        };
    }
}
