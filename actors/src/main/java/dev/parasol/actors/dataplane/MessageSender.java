package dev.parasol.actors.dataplane;

import dev.parasol.actors.exceptions.ConfigurationException;
import io.aeron.Publication;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.time.Duration;

/**
 * Sends whole messages on one {@link Publication} for one sending thread, with back pressure handled as a value
 * (Aeron's {@code BasicPublisher} pattern): {@link #send} offers, and while the offer returns
 * {@link Publication#BACK_PRESSURED} or {@link Publication#ADMIN_ACTION} it idles with its {@link IdleStrategy} and
 * retries, counting one back-pressure event per retry, until the offer succeeds or the send timeout has passed.
 * <p>
 * Nothing is dropped silently: a send that gives up returns a negative code and counts a send failure; the caller
 * decides what to do (retry later, report, stop). Messages and bytes are counted only when the publication accepted
 * them, so the byte counters are what was actually offered to Aeron.
 * <p>
 * Messages longer than the MTU are fragmented by the publication and must be reassembled on the receiving side with
 * a {@link io.aeron.FragmentAssembler} (see {@link MessageReceiver}). {@link Publication#tryClaim} is not used because
 * it only takes messages up to one MTU, and Parasol's parameter messages are larger.
 * <p>
 * Not thread safe: one sender per sending thread. Allocates nothing per send.
 */
public final class MessageSender
{
    /**
     * What a sender carries, which decides the counters its messages and bytes go to.
     */
    public enum Traffic
    {
        /**
         * Gradient pushes, worker to shard.
         */
        GRADIENT(TrainingCounterDescriptor.GRADIENTS_SENT, TrainingCounterDescriptor.GRADIENT_BYTES_SENT),

        /**
         * Parameter updates, shard to worker.
         */
        PARAMETER(TrainingCounterDescriptor.PARAMETER_UPDATES_SENT, TrainingCounterDescriptor.PARAMETER_BYTES_SENT),

        /**
         * Parameter requests, worker to shard.
         */
        REQUEST(TrainingCounterDescriptor.PARAMETER_REQUESTS_SENT,
            TrainingCounterDescriptor.PARAMETER_REQUEST_BYTES_SENT),

        /**
         * A shard's backup traffic: pushes forwarded by a primary, confirmations sent back by its backup.
         */
        REPLICATION(TrainingCounterDescriptor.REPLICATION_MESSAGES_SENT,
            TrainingCounterDescriptor.REPLICATION_BYTES_SENT);

        private final TrainingCounterDescriptor messages;
        private final TrainingCounterDescriptor bytes;

        Traffic(final TrainingCounterDescriptor messages, final TrainingCounterDescriptor bytes)
        {
            this.messages = messages;
            this.bytes = bytes;
        }

        /**
         * Get the counter of messages sent.
         *
         * @return the descriptor.
         */
        public TrainingCounterDescriptor messages()
        {
            return messages;
        }

        /**
         * Get the counter of bytes sent.
         *
         * @return the descriptor.
         */
        public TrainingCounterDescriptor bytes()
        {
            return bytes;
        }
    }

    private final Publication publication;
    private final AtomicCounter messagesSent;
    private final AtomicCounter bytesSent;
    private final AtomicCounter backPressureEvents;
    private final AtomicCounter sendFailures;
    private final IdleStrategy idleStrategy;
    private final NanoClock nanoClock;
    private final long sendTimeoutNs;
    private final int maxMessageLength;
    private final ReceiverWakeup wakeup;

    /**
     * Construct a sender counting into a job's counters.
     *
     * @param publication   to offer on.
     * @param counters      the job's counters.
     * @param traffic       what the messages are, which picks the message and byte counters.
     * @param idleStrategy  to idle between retries; this sender's own instance.
     * @param sendTimeoutNs how long to retry a back-pressured offer before giving up, positive.
     */
    public MessageSender(
        final Publication publication,
        final TrainingCounters counters,
        final Traffic traffic,
        final IdleStrategy idleStrategy,
        final long sendTimeoutNs)
    {
        this(publication, counters, traffic, idleStrategy, sendTimeoutNs, ReceiverWakeup.NONE);
    }

    /**
     * Construct a sender counting into a job's counters that wakes the receiver of an IPC stream after each message.
     *
     * @param publication   to offer on.
     * @param counters      the job's counters.
     * @param traffic       what the messages are, which picks the message and byte counters.
     * @param idleStrategy  to idle between retries; this sender's own instance.
     * @param sendTimeoutNs how long to retry a back-pressured offer before giving up, positive.
     * @param wakeup        the receiver to wake, or {@link ReceiverWakeup#NONE}.
     */
    public MessageSender(
        final Publication publication,
        final TrainingCounters counters,
        final Traffic traffic,
        final IdleStrategy idleStrategy,
        final long sendTimeoutNs,
        final ReceiverWakeup wakeup)
    {
        this(
            publication,
            counters.counter(traffic.messages()),
            counters.counter(traffic.bytes()),
            counters.counter(TrainingCounterDescriptor.BACK_PRESSURE_EVENTS),
            counters.counter(TrainingCounterDescriptor.SEND_FAILURES),
            idleStrategy,
            SystemNanoClock.INSTANCE,
            sendTimeoutNs,
            wakeup);
    }

    /**
     * Construct a sender counting into the given counters.
     *
     * @param publication        to offer on.
     * @param messagesSent       counts messages the publication accepted.
     * @param bytesSent          counts bytes of the messages the publication accepted.
     * @param backPressureEvents counts retries after back pressure or admin action.
     * @param sendFailures       counts sends that gave up.
     * @param idleStrategy       to idle between retries; this sender's own instance.
     * @param nanoClock          to measure the send timeout.
     * @param sendTimeoutNs      how long to retry a back-pressured offer before giving up, positive.
     * @param wakeup             the receiver to wake after each message, or {@link ReceiverWakeup#NONE}.
     */
    public MessageSender(
        final Publication publication,
        final AtomicCounter messagesSent,
        final AtomicCounter bytesSent,
        final AtomicCounter backPressureEvents,
        final AtomicCounter sendFailures,
        final IdleStrategy idleStrategy,
        final NanoClock nanoClock,
        final long sendTimeoutNs,
        final ReceiverWakeup wakeup)
    {
        if (sendTimeoutNs <= 0)
        {
            throw new ConfigurationException("sendTimeoutNs=" + sendTimeoutNs + ": expected a positive timeout");
        }

        this.publication = publication;
        this.messagesSent = messagesSent;
        this.bytesSent = bytesSent;
        this.backPressureEvents = backPressureEvents;
        this.sendFailures = sendFailures;
        this.idleStrategy = idleStrategy;
        this.nanoClock = nanoClock;
        this.sendTimeoutNs = sendTimeoutNs;
        this.maxMessageLength = publication.maxMessageLength();
        this.wakeup = null == wakeup ? ReceiverWakeup.NONE : wakeup;
    }

    /**
     * Offer one whole message, retrying while back pressured for at most the send timeout.
     *
     * @param buffer holding the message.
     * @param offset of the message in the buffer.
     * @param length of the message in bytes, at most {@link #maxMessageLength()}.
     * @return the new stream position (positive) if the message was accepted; otherwise a negative code of
     * {@link Publication}: {@code NOT_CONNECTED}, {@code CLOSED} or {@code MAX_POSITION_EXCEEDED} at once, or
     * {@code BACK_PRESSURED} / {@code ADMIN_ACTION} once the send timeout has passed. A negative result has been
     * counted as a send failure.
     * @throws ConfigurationException if the message is longer than the term length allows: a set-up fault.
     */
    public long send(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > maxMessageLength)
        {
            sendFailures.increment();
            throw new ConfigurationException("message length=" + length + ": exceeds maxMessageLength=" +
                maxMessageLength + " of the publication's term length " + publication.termBufferLength() +
                "; raise termLength (see DataPlaneContext.termLengthFor)");
        }

        final long result = publication.offer(buffer, offset, length);
        if (result > 0)
        {
            onSent(length);
            return result;
        }
        if (Publication.CLOSED == result)
        {
            countFailure();
            return result;
        }

        return retry(buffer, offset, length, result);
    }

    /**
     * Wait until the publication has a connected subscriber, sleeping a millisecond between checks: a control-path
     * call, made before the first send.
     *
     * @param timeout how long to wait at most.
     * @return true if connected, false if the timeout passed first or the publication is closed.
     */
    public boolean awaitConnected(final Duration timeout)
    {
        final IdleStrategy waiting = new SleepingMillisIdleStrategy(1);
        final long deadlineNs = nanoClock.nanoTime() + timeout.toNanos();
        while (!publication.isConnected())
        {
            if (publication.isClosed() || nanoClock.nanoTime() - deadlineNs >= 0)
            {
                return false;
            }
            waiting.idle();
        }

        return true;
    }

    /**
     * Is a subscriber connected to the publication?
     *
     * @return true if connected.
     */
    public boolean isConnected()
    {
        return publication.isConnected();
    }

    /**
     * Get the publication this sender offers on.
     *
     * @return the publication.
     */
    public Publication publication()
    {
        return publication;
    }

    /**
     * Get the longest message the publication takes.
     *
     * @return the length in bytes.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * Get how long a back-pressured send retries.
     *
     * @return the timeout in nanoseconds.
     */
    public long sendTimeoutNs()
    {
        return sendTimeoutNs;
    }

    /**
     * Get the name of a result of {@link #send}, for logs and error messages.
     *
     * @param result a position or a negative code.
     * @return {@code "OK"} for a position, else the name of the {@link Publication} code.
     */
    public static String resultName(final long result)
    {
        if (result > 0)
        {
            return "OK";
        }
        else if (Publication.NOT_CONNECTED == result)
        {
            return "NOT_CONNECTED";
        }
        else if (Publication.BACK_PRESSURED == result)
        {
            return "BACK_PRESSURED";
        }
        else if (Publication.ADMIN_ACTION == result)
        {
            return "ADMIN_ACTION";
        }
        else if (Publication.CLOSED == result)
        {
            return "CLOSED";
        }
        else if (Publication.MAX_POSITION_EXCEEDED == result)
        {
            return "MAX_POSITION_EXCEEDED";
        }

        return "UNKNOWN(" + result + ")";
    }

    private long retry(final DirectBuffer buffer, final int offset, final int length, final long firstResult)
    {
        long result = firstResult;
        long deadlineNs = 0;
        boolean hasDeadline = false;
        idleStrategy.reset();

        while (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
        {
            // The clock is read only once back pressured: the fast path above costs one offer.
            final long nowNs = nanoClock.nanoTime();
            if (!hasDeadline)
            {
                deadlineNs = nowNs + sendTimeoutNs;
                hasDeadline = true;
            }
            else if (nowNs - deadlineNs >= 0)
            {
                break;
            }

            backPressureEvents.increment();
            idleStrategy.idle();
            result = publication.offer(buffer, offset, length);
            if (result > 0)
            {
                onSent(length);
                return result;
            }
            if (Publication.CLOSED == result)
            {
                break;
            }
        }

        countFailure();
        return result;
    }

    private void countFailure()
    {
        // A publication closed with the whole Aeron client (a driver or client timeout, e.g. after the process was
        // paused) has its counters closed too, just before the client unmaps their memory: touch them no more.
        if (!sendFailures.isClosed())
        {
            sendFailures.increment();
        }
    }

    private void onSent(final int length)
    {
        messagesSent.increment();
        bytesSent.getAndAdd(length);
        wakeup.wake();
    }
}
