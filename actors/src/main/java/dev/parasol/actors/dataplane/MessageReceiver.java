package dev.parasol.actors.dataplane;

import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;

/**
 * Polls one {@link Subscription} and hands whole messages to a handler: a message longer than the MTU arrives as
 * several fragments, which a {@link FragmentAssembler} joins (one buffer per publishing session, grown on demand
 * and then reused) before the handler sees it. A poll reads at most {@code fragmentLimit} fragments so that an agent's
 * duty cycle stays bounded; a 470 KB message at an MTU of 8 KiB is 58 fragments, so the limit bounds work per cycle,
 * not message size.
 * <p>
 * The buffer given to the handler is valid only during the call. Call {@link #onUnavailableImage(Image)} from the
 * subscription's unavailable-image handler to free a departed publisher's reassembly buffer.
 * <p>
 * Owned by the polling thread. Allocates nothing per message once each session's buffer has grown to the largest
 * message; size {@code initialBufferLength} for it to avoid even that.
 */
public final class MessageReceiver
{
    private final Subscription subscription;
    private final FragmentAssembler assembler;
    private final int fragmentLimit;

    /**
     * Construct a receiver.
     *
     * @param subscription        to poll.
     * @param messageHandler      called once per whole message.
     * @param fragmentLimit       the most fragments one {@link #poll()} reads, positive.
     * @param initialBufferLength the initial reassembly buffer per session, ideally the largest message.
     */
    public MessageReceiver(
        final Subscription subscription,
        final FragmentHandler messageHandler,
        final int fragmentLimit,
        final int initialBufferLength)
    {
        if (fragmentLimit <= 0)
        {
            throw new IllegalArgumentException("fragmentLimit=" + fragmentLimit + ": expected a positive limit");
        }

        this.subscription = subscription;
        this.assembler = new FragmentAssembler(messageHandler, initialBufferLength, true);
        this.fragmentLimit = fragmentLimit;
    }

    /**
     * Poll for fragments and deliver every message completed by them.
     *
     * @return the number of fragments read, the work count for an agent's duty cycle.
     */
    public int poll()
    {
        return subscription.poll(assembler, fragmentLimit);
    }

    /**
     * Free the reassembly buffer of a publisher that went away.
     *
     * @param image the image that became unavailable.
     */
    public void onUnavailableImage(final Image image)
    {
        assembler.freeSessionBuffer(image.sessionId());
    }

    /**
     * Get the subscription polled.
     *
     * @return the subscription.
     */
    public Subscription subscription()
    {
        return subscription;
    }

    /**
     * Get the most fragments one poll reads.
     *
     * @return the fragment limit.
     */
    public int fragmentLimit()
    {
        return fragmentLimit;
    }
}
