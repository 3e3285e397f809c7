package dev.parasol.bench.channel;

import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.Endpoint;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Aeron alone: a plain exclusive publication offers the same pre-filled buffer again and again, and a subscription
 * polled through a {@link FragmentAssembler} counts whole messages and bytes. No codec, no counters, nothing applied.
 * The channel, the driver and the idle strategies are Parasol's, so the only difference from {@link GradientChannel}
 * is the work Parasol does per message.
 * <p>
 * A back-pressured offer idles with the agent idle strategy and retries, as {@code MessageSender} does; the fragment
 * limit and the reassembly buffer (heap, sized for the message) are the shard agent's.
 */
final class RawStream implements MeasuredStream
{
    private final Subscription subscription;
    private final ExclusivePublication publication;
    private final UnsafeBuffer message;
    private final int length;
    private final IdleStrategy offerIdle;
    private final Delivery delivery = new Delivery();
    private final Poller poller;

    RawStream(
        final DataPlane dataPlane,
        final int streamId,
        final int termLength,
        final DirectBuffer content,
        final int length,
        final int fragmentLimit)
    {
        this.length = length;
        subscription = dataPlane.addSubscription(streamId);
        final Endpoint endpoint = dataPlane.resolveEndpoint(subscription, Duration.ofSeconds(5));
        publication = dataPlane.addExclusivePublication(Delivery.channel(dataPlane, endpoint, termLength), streamId);
        message = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        message.putBytes(0, content, 0, length);
        offerIdle = dataPlane.context().newAgentIdleStrategy();

        final FragmentHandler counting = (buffer, offset, messageLength, header) -> delivery.onMessage(messageLength);
        final FragmentAssembler assembler = new FragmentAssembler(counting, length);
        poller = new Poller("raw-receiver", () -> subscription.poll(assembler, fragmentLimit),
            dataPlane.context().newAgentIdleStrategy());
        Delivery.awaitConnected(publication);
    }

    @Override
    public Rate run(final long durationNs)
    {
        final long baseMessages = delivery.messages();
        final long baseBytes = delivery.bytes();
        long sent = 0;
        final long startNs;
        final long endNs;
        final long senderCpuNs;
        final long processStartCpuNs = CpuTime.processNs();
        final long senderStartCpuNs = CpuTime.currentThreadNs();
        poller.start();
        try
        {
            startNs = System.nanoTime();
            final long deadlineNs = startNs + durationNs;
            do
            {
                offer();
                sent++;
            }
            while (System.nanoTime() - deadlineNs < 0);
            endNs = delivery.awaitMessages(baseMessages + sent, "raw");
            senderCpuNs = CpuTime.currentThreadNs() - senderStartCpuNs;
        }
        finally
        {
            poller.stop();
        }

        final long bytes = delivery.bytes() - baseBytes;
        if (bytes != sent * length)
        {
            throw new IllegalStateException("raw: received " + bytes + " bytes in " + sent + " messages of " +
                length + " bytes; expected whole messages");
        }
        return new Rate(sent, bytes, endNs - startNs, senderCpuNs, poller.lastRunCpuNs(),
            CpuTime.processNs() - processStartCpuNs);
    }

    @Override
    public void close()
    {
        publication.close();
        subscription.close();
    }

    private void offer()
    {
        long result = publication.offer(message, 0, length);
        if (result > 0)
        {
            return;
        }

        offerIdle.reset();
        while (result < 0)
        {
            if (Publication.BACK_PRESSURED != result && Publication.ADMIN_ACTION != result)
            {
                throw new IllegalStateException("raw: offer failed with " + result + " on " + publication.channel());
            }
            offerIdle.idle();
            result = publication.offer(message, 0, length);
        }
    }
}
