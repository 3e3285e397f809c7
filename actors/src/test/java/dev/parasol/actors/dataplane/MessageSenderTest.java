package dev.parasol.actors.dataplane;

import dev.parasol.actors.exceptions.ConfigurationException;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Back pressure as a value: a subscriber that never polls fills the window, the sender retries and counts, then gives
 * up with a negative code after its bounded time; other failures return at once and are counted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageSenderTest
{
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long SEND_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int MESSAGE_LENGTH = 4096;

    private static DataPlane dataPlane;

    @BeforeAll
    static void launch()
    {
        dataPlane = DataPlane.launch(new DataPlaneContext()
            .termLength(64 * 1024)
            .mtuLength(4096)
            .maxPublications(4)
            .sendTimeoutNs(SEND_TIMEOUT_NS)
            .publicationLingerTimeoutNs(0));
    }

    @AfterAll
    static void close()
    {
        dataPlane.close();
    }

    private static UnsafeBuffer message()
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE_LENGTH));
    }

    @Test
    void shouldCountBackPressureAndGiveUpWhenSubscriberDoesNotPoll()
    {
        final TrainingCounters counters = TrainingCounters.standalone("job=back-pressure");
        final Subscription idleSubscriber = dataPlane.addSubscription(21);
        final Endpoint endpoint = dataPlane.resolveEndpoint(idleSubscriber, WAIT);
        final ExclusivePublication publication = dataPlane.addExclusivePublication(endpoint);
        final MessageSender sender = dataPlane.newSender(publication, counters, MessageSender.Traffic.GRADIENT);
        final UnsafeBuffer message = message();
        assertTrue(sender.awaitConnected(WAIT));

        long sent = 0;
        long result;
        long failedSendNs = 0;
        do
        {
            final long startNs = System.nanoTime();
            result = sender.send(message, 0, MESSAGE_LENGTH);
            if (result > 0)
            {
                sent++;
            }
            else
            {
                failedSendNs = System.nanoTime() - startNs;
            }
        }
        while (result > 0 && sent < 10_000);

        assertTrue(Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result,
            MessageSender.resultName(result));
        assertTrue(sent > 0 && sent < 10_000, "sent=" + sent);
        assertTrue(failedSendNs >= SEND_TIMEOUT_NS, "gave up after " + failedSendNs + " ns");
        assertTrue(failedSendNs < SEND_TIMEOUT_NS + TimeUnit.SECONDS.toNanos(5), "gave up after " + failedSendNs);
        assertTrue(counters.get(TrainingCounterDescriptor.BACK_PRESSURE_EVENTS) > 0);
        assertEquals(1, counters.get(TrainingCounterDescriptor.SEND_FAILURES));
        assertEquals(sent, counters.get(TrainingCounterDescriptor.GRADIENTS_SENT));
        assertEquals(sent * MESSAGE_LENGTH, counters.get(TrainingCounterDescriptor.GRADIENT_BYTES_SENT));

        idleSubscriber.close();
        publication.close();
    }

    @Test
    void shouldResumeSendingWhenSubscriberCatchesUp()
    {
        final TrainingCounters counters = TrainingCounters.standalone("job=catch-up");
        final Subscription subscriber = dataPlane.addSubscription(22);
        final Endpoint endpoint = dataPlane.resolveEndpoint(subscriber, WAIT);
        final ExclusivePublication publication = dataPlane.addExclusivePublication(endpoint);
        // A generous timeout: this test is about resuming, not giving up, on a busy 2-core machine.
        final MessageSender sender = new MessageSender(publication, counters, MessageSender.Traffic.PARAMETER,
            new BackoffIdleStrategy(), TimeUnit.SECONDS.toNanos(10));
        final UnsafeBuffer message = message();
        final long[] received = new long[1];
        final MessageReceiver receiver = new MessageReceiver(
            subscriber, (buffer, offset, length, header) -> received[0] += length, 64, MESSAGE_LENGTH);
        assertTrue(sender.awaitConnected(WAIT));

        final Thread consumer = new Thread(() ->
        {
            final long deadlineNs = System.nanoTime() + WAIT.toNanos();
            while (received[0] < 200L * MESSAGE_LENGTH && System.nanoTime() - deadlineNs < 0)
            {
                if (0 == receiver.poll())
                {
                    Thread.yield();
                }
            }
        });
        consumer.start();
        for (int i = 0; i < 200; i++)
        {
            assertTrue(sender.send(message, 0, MESSAGE_LENGTH) > 0);
        }
        assertTrue(joined(consumer));

        assertEquals(200L * MESSAGE_LENGTH, received[0]);
        assertEquals(200, counters.get(TrainingCounterDescriptor.PARAMETER_UPDATES_SENT));
        assertEquals(200L * MESSAGE_LENGTH, counters.get(TrainingCounterDescriptor.PARAMETER_BYTES_SENT));
        assertEquals(0, counters.get(TrainingCounterDescriptor.SEND_FAILURES));

        subscriber.close();
        publication.close();
    }

    @Test
    void shouldReturnNotConnectedAtOnceAndCountItWhenNobodyListens()
    {
        final TrainingCounters counters = TrainingCounters.standalone("job=nobody");
        final int port = dataPlane.allocatePort();
        final ExclusivePublication publication = dataPlane.addExclusivePublication(
            new Endpoint("127.0.0.1", port, 23));
        final MessageSender sender = dataPlane.newSender(publication, counters, MessageSender.Traffic.REQUEST);

        final long startNs = System.nanoTime();
        final long result = sender.send(message(), 0, MESSAGE_LENGTH);

        assertEquals(Publication.NOT_CONNECTED, result);
        assertTrue(System.nanoTime() - startNs < SEND_TIMEOUT_NS);
        assertEquals(1, counters.get(TrainingCounterDescriptor.SEND_FAILURES));
        assertEquals(0, counters.get(TrainingCounterDescriptor.PARAMETER_REQUESTS_SENT));
        assertEquals(0, counters.get(TrainingCounterDescriptor.PARAMETER_REQUEST_BYTES_SENT));
        assertFalse(sender.awaitConnected(Duration.ofMillis(50)));

        publication.close();
    }

    @Test
    void shouldReturnClosedWhenPublicationIsClosed()
    {
        final TrainingCounters counters = TrainingCounters.standalone("job=closed");
        final ExclusivePublication publication = dataPlane.addExclusivePublication(
            new Endpoint("127.0.0.1", dataPlane.allocatePort(), 24));
        final MessageSender sender = dataPlane.newSender(publication, counters, MessageSender.Traffic.GRADIENT);
        publication.close();

        assertEquals(Publication.CLOSED, sender.send(message(), 0, MESSAGE_LENGTH));
        assertEquals(1, counters.get(TrainingCounterDescriptor.SEND_FAILURES));
        assertEquals("CLOSED", MessageSender.resultName(Publication.CLOSED));
    }

    @Test
    void shouldRefuseMessageLongerThanTermAllows()
    {
        final TrainingCounters counters = TrainingCounters.standalone("job=too-long");
        final ExclusivePublication publication = dataPlane.addExclusivePublication(
            new Endpoint("127.0.0.1", dataPlane.allocatePort(), 25));
        final MessageSender sender = dataPlane.newSender(publication, counters, MessageSender.Traffic.GRADIENT);
        final int tooLong = sender.maxMessageLength() + 1;

        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> sender.send(new UnsafeBuffer(new byte[tooLong]), 0, tooLong));

        assertTrue(ex.getMessage().startsWith("message length=" + tooLong + ":"), ex.getMessage());
        assertEquals(1, counters.get(TrainingCounterDescriptor.SEND_FAILURES));
        publication.close();
    }

    private static boolean joined(final Thread thread)
    {
        try
        {
            thread.join(WAIT.toMillis());
            return !thread.isAlive();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
