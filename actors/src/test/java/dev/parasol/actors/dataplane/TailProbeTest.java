package dev.parasol.actors.dataplane;

import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tail probe over a real embedded driver: one empty message per quiet period after a message, none before the
 * first message or while the stream keeps moving, and the receiver sees it as a message of length 0 after the real
 * one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TailProbeTest
{
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long IDLE_NS = TailProbe.QUIET_NS_DEFAULT;

    @Test
    void shouldOfferOneEmptyMessagePerQuietPeriodAfterAMessage()
    {
        try (DataPlane dataPlane = DataPlane.launch(new DataPlaneContext().publicationLingerTimeoutNs(0)))
        {
            final Subscription subscription = dataPlane.addSubscription(17);
            final Endpoint endpoint = dataPlane.resolveEndpoint(subscription, WAIT);
            final ExclusivePublication publication = dataPlane.addExclusivePublication(endpoint);
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (!publication.isConnected() && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            final TailProbe probe = new TailProbe(publication);
            final long start = System.nanoTime();

            assertFalse(probe.probeIfIdle(start + 10 * IDLE_NS, IDLE_NS), "nothing sent yet: nothing to probe");
            final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
            message.putLong(0, 42L);
            offer(publication, message);
            assertFalse(probe.probeIfIdle(start, IDLE_NS), "the first look at a new position starts the quiet time");
            assertFalse(probe.probeIfIdle(start + IDLE_NS / 2, IDLE_NS), "not quiet long enough");
            assertTrue(probe.probeIfIdle(start + IDLE_NS, IDLE_NS));
            assertFalse(probe.probeIfIdle(start + 5 * IDLE_NS, IDLE_NS), "one probe per quiet period");
            offer(publication, message);
            assertFalse(probe.probeIfIdle(start + 6 * IDLE_NS, IDLE_NS));
            assertTrue(probe.probeIfIdle(start + 7 * IDLE_NS, IDLE_NS), "a new message, a new quiet period");
            assertEquals(2, probe.probeCount());

            final List<Integer> lengths = new ArrayList<>();
            final FragmentAssembler assembler =
                new FragmentAssembler((buffer, offset, length, header) -> lengths.add(length));
            final long readDeadline = System.nanoTime() + WAIT.toNanos();
            while (lengths.size() < 4 && System.nanoTime() < readDeadline)
            {
                subscription.poll(assembler, 10);
            }
            assertEquals(List.of(64, 0, 64, 0), lengths);
        }
    }

    @Test
    void shouldNeverOfferOnAnIpcStreamWhichLosesNothing()
    {
        try (DataPlane dataPlane = DataPlane.launch(
            new DataPlaneContext().transport(Transport.IPC).publicationLingerTimeoutNs(0)))
        {
            final Subscription subscription = dataPlane.addSubscription(18);
            final ExclusivePublication publication =
                dataPlane.addExclusivePublication(dataPlane.resolveEndpoint(subscription, WAIT));
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (!publication.isConnected() && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            final TailProbe probe = new TailProbe(publication);
            final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
            offer(publication, message);
            final long positionAfterMessage = publication.position();
            final long start = System.nanoTime();

            assertFalse(probe.probeIfIdle(start, IDLE_NS));
            assertFalse(probe.probeIfIdle(start + 10 * IDLE_NS, IDLE_NS), "a quiet IPC stream needs no probe");
            assertEquals(positionAfterMessage, publication.position(), "nothing was offered");
            assertEquals(0, probe.probeCount());
        }
    }

    /**
     * Offer until accepted: a publication that has just connected may refuse the first offers until the receiver's
     * first status message opens its window.
     */
    private static void offer(final ExclusivePublication publication, final UnsafeBuffer message)
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        long result = publication.offer(message, 0, message.capacity());
        while (result < 0 && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
            result = publication.offer(message, 0, message.capacity());
        }
        assertTrue(result > 0, "offer refused: " + MessageSender.resultName(result));
    }
}
