package dev.parasol.actors.dataplane;

import java.util.concurrent.locks.LockSupport;

/**
 * The thread that polls one IPC stream, so that a sender in the same process can wake it as soon as a message is
 * in the log instead of letting it sleep out its idle strategy's park (up to a millisecond with {@code backoff}, which
 * on a busy machine is most of a round trip's latency). Over UDP a datagram reaches the receiver through the media
 * driver's threads, which the sender cannot reach, so UDP streams get {@link #NONE}.
 * <p>
 * The receiving agent binds its own thread in {@code onStart}; senders call {@link #wake()} after each message the
 * publication accepted. Waking a thread that is not parked only leaves it a permit, so its next park returns at once
 * and it polls once more: never a lost message, at worst one extra duty cycle. Allocates nothing per wake.
 */
public final class ReceiverWakeup
{
    /**
     * A wakeup that wakes nobody: for UDP streams, and receivers that do not park on their stream alone.
     */
    public static final ReceiverWakeup NONE = new ReceiverWakeup(ReceiverWakeup::keepNothing);

    private final Runnable onUnbind;
    private volatile Thread receiver;

    /**
     * Construct a wakeup nobody is bound to yet.
     *
     * @param onUnbind run once the receiver unbinds: its owner forgets the stream.
     */
    public ReceiverWakeup(final Runnable onUnbind)
    {
        this.onUnbind = onUnbind;
    }

    /**
     * Bind the calling thread as the stream's receiver; called by the receiving agent on its own thread.
     */
    public void bindCurrentThread()
    {
        if (this != NONE)
        {
            receiver = Thread.currentThread();
        }
    }

    /**
     * Forget the receiver if it is the calling thread; called by the receiving agent when it closes. Senders that
     * still hold this wakeup then wake nobody.
     */
    public void unbindCurrentThread()
    {
        if (receiver == Thread.currentThread())
        {
            receiver = null;
            onUnbind.run();
        }
    }

    /**
     * Wake the receiver, if one is bound, from its park.
     */
    public void wake()
    {
        final Thread thread = receiver;
        if (null != thread)
        {
            LockSupport.unpark(thread);
        }
    }

    private static void keepNothing()
    {
    }

    /**
     * Get the bound receiver.
     *
     * @return the thread, or null before one binds.
     */
    public Thread receiver()
    {
        return receiver;
    }
}
