package dev.parasol.bench.channel;

import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.dataplane.MessageSender;
import dev.parasol.actors.dataplane.ReceiverWakeup;
import dev.parasol.actors.dataplane.TrainingCounters;
import dev.parasol.actors.psshard.ReplySender;
import dev.parasol.actors.psshard.ShardAgent;
import dev.parasol.actors.psshard.ShardState;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Parasol's gradient channel on the same transport as {@link RawStream}: the sending thread encodes each push
 * ({@link PushSource}, as the worker's {@code PushEncoder}) into a direct buffer and sends it with Parasol's
 * {@link MessageSender}; the receiving thread runs the production {@link ShardAgent}, whose {@link ShardState}
 * validates each message (frame, CRC32C, header, recipient), decodes the payload into scratch arrays, applies it with
 * the workload's optimiser (sparse or dense step), records its staleness and encodes the acknowledgement.
 * <p>
 * The acknowledgement goes to a {@link ReplySender} that counts it instead of offering it to a worker's publication:
 * the uplink alone is measured, as on the raw stream. Every push applied is acknowledged once, so the count of
 * acknowledgements is the count of pushes delivered and applied; {@link #verify()} checks that against the shard's
 * own counters.
 */
final class GradientChannel implements MeasuredStream
{
    private final Subscription subscription;
    private final ExclusivePublication publication;
    private final MessageSender sender;
    private final PushSource source;
    private final ShardState state;
    private final ShardAgent agent;
    private final Delivery acknowledgements = new Delivery();
    private final Poller poller;
    private long sentMessages;
    private long sentBytes;

    GradientChannel(
        final DataPlane dataPlane,
        final TrainingCounters counters,
        final int streamId,
        final PushCase pushCase,
        final int fragmentLimit)
    {
        subscription = dataPlane.addSubscription(streamId);
        final Endpoint endpoint = dataPlane.resolveEndpoint(subscription, Duration.ofSeconds(5));
        publication = dataPlane.addExclusivePublication(
            Delivery.channel(dataPlane, endpoint, pushCase.termLength()), streamId);
        sender = dataPlane.newSender(publication, counters, MessageSender.Traffic.GRADIENT);
        source = new PushSource(pushCase, new UnsafeBuffer(ByteBuffer.allocateDirect(pushCase.maxLength())));

        state = pushCase.newShardState();
        final ReplySender acknowledge = this::onAcknowledgement;
        agent = new ShardAgent(state, subscription, acknowledge, fragmentLimit,
            ShardAgent.CONFIRMATION_TIMEOUT_NS_DEFAULT, ReceiverWakeup.NONE);
        poller = new Poller("shard-receiver", agent::doWork, dataPlane.context().newAgentIdleStrategy());
        Delivery.awaitConnected(publication);
    }

    @Override
    public Rate run(final long durationNs)
    {
        final long baseMessages = acknowledgements.messages();
        long sent = 0;
        long bytes = 0;
        final long startNs;
        final long endNs;
        final long senderCpuNs;
        final long processStartCpuNs = CpuTime.processNs();
        final long senderStartCpuNs = CpuTime.currentThreadNs();
        poller.start();
        try
        {
            final MessageSender sender = this.sender;
            final PushSource source = this.source;
            final DirectBuffer buffer = source.buffer();
            startNs = System.nanoTime();
            final long deadlineNs = startNs + durationNs;
            do
            {
                final int length = source.encodeNext();
                final long result = sender.send(buffer, 0, length);
                if (result < 0)
                {
                    throw new IllegalStateException("channel: send failed with " + MessageSender.resultName(result) +
                        " after " + sent + " messages");
                }
                sent++;
                bytes += length;
            }
            while (System.nanoTime() - deadlineNs < 0);
            endNs = acknowledgements.awaitMessages(baseMessages + sent, "channel");
            senderCpuNs = CpuTime.currentThreadNs() - senderStartCpuNs;
        }
        finally
        {
            poller.stop();
            sentMessages += sent;
            sentBytes += bytes;
        }

        return new Rate(sent, bytes, endNs - startNs, senderCpuNs, poller.lastRunCpuNs(),
            CpuTime.processNs() - processStartCpuNs);
    }

    /**
     * Check that the shard applied every push sent, once, and rejected, dropped or duplicated none. Call between
     * windows, when the receiving thread is stopped.
     *
     * @throws IllegalStateException naming the counts that differ.
     */
    void verify()
    {
        final long applied = state.appliedCount();
        if (applied != sentMessages || source.sequence() != sentMessages || state.version() != sentMessages ||
            acknowledgements.messages() != sentMessages || state.bytesIn() != sentBytes ||
            state.rejectedCount() != 0 || state.duplicateCount() != 0 || state.droppedStaleCount() != 0)
        {
            throw new IllegalStateException("channel: sent " + sentMessages + " pushes (" + sentBytes +
                " bytes) but the shard applied " + applied + " (version " + state.version() + ", " + state.bytesIn() +
                " bytes in, " + acknowledgements.messages() + " acknowledged), rejected " + state.rejectedCount() +
                ", duplicates " + state.duplicateCount() + ", dropped " + state.droppedStaleCount() +
                "; expected every push applied exactly once");
        }
    }

    long sentMessages()
    {
        return sentMessages;
    }

    long appliedCount()
    {
        return state.appliedCount();
    }

    @Override
    public void close()
    {
        agent.onClose();
        publication.close();
    }

    private long onAcknowledgement(final int workerId, final DirectBuffer buffer, final int offset, final int length)
    {
        acknowledgements.onMessage(length);
        return length;
    }
}
