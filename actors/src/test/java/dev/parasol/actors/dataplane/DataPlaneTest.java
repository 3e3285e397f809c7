package dev.parasol.actors.dataplane;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real embedded media driver and client over UDP on 127.0.0.1 (and over IPC): large messages arrive intact, the
 * directory goes away on close, two data planes in one JVM do not see each other's streams.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DataPlaneTest
{
    private static final int MESSAGE_LENGTH = 500 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception
    {
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            toClose.get(i).close();
        }
    }

    private DataPlane launch(final DataPlaneContext ctx)
    {
        final DataPlane dataPlane = DataPlane.launch(ctx);
        toClose.add(dataPlane);
        return dataPlane;
    }

    private static DataPlaneContext smallContext()
    {
        return new DataPlaneContext()
            .termLength(DataPlaneContext.termLengthFor(MESSAGE_LENGTH))
            .maxPublications(4)
            .publicationLingerTimeoutNs(0);
    }

    private static UnsafeBuffer randomMessage(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }

        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        buffer.putBytes(0, bytes);
        return buffer;
    }

    private static void await(final BooleanSupplier condition, final Runnable work)
    {
        final long deadlineNs = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "condition not met within " + WAIT);
            work.run();
            Thread.onSpinWait();
        }
    }

    /**
     * Collects whole messages as byte arrays.
     */
    private static final class Collector implements FragmentHandler
    {
        final List<byte[]> messages = new ArrayList<>();

        public void onFragment(
            final DirectBuffer buffer, final int offset, final int length, final io.aeron.logbuffer.Header header)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            messages.add(copy);
        }
    }

    @Test
    void shouldDeliverLargeMessageIntactWhenFragmentedOverUdp()
    {
        final DataPlane dataPlane = launch(smallContext().mtuLength(8192));
        final TrainingCounters counters = dataPlane.newTrainingCounters("job=test-large");
        final Subscription subscription = dataPlane.addSubscription(7);
        final Endpoint endpoint = dataPlane.resolveEndpoint(subscription, WAIT);
        final ExclusivePublication publication = dataPlane.addExclusivePublication(endpoint);
        final MessageSender sender = dataPlane.newSender(publication, counters, MessageSender.Traffic.GRADIENT);
        final Collector collector = new Collector();
        final MessageReceiver receiver = new MessageReceiver(subscription, collector, 16, MESSAGE_LENGTH);
        final UnsafeBuffer message = randomMessage(MESSAGE_LENGTH, 42);

        assertTrue(sender.awaitConnected(WAIT));
        final long position = sender.send(message, 0, MESSAGE_LENGTH);
        await(() -> !collector.messages.isEmpty(), receiver::poll);

        assertTrue(position > 0, MessageSender.resultName(position));
        assertEquals(1, collector.messages.size());
        final byte[] expected = new byte[MESSAGE_LENGTH];
        message.getBytes(0, expected);
        assertArrayEquals(expected, collector.messages.get(0));
        assertEquals(1, counters.get(TrainingCounterDescriptor.GRADIENTS_SENT));
        assertEquals(MESSAGE_LENGTH, counters.get(TrainingCounterDescriptor.GRADIENT_BYTES_SENT));
        assertEquals(0, counters.get(TrainingCounterDescriptor.SEND_FAILURES));
        assertEquals("127.0.0.1", endpoint.host());
        assertEquals(7, endpoint.streamId());
    }

    @Test
    void shouldDeliverLargeMessageIntactOverIpcWhenTransportIsIpc()
    {
        final DataPlane dataPlane = launch(smallContext().transport(Transport.IPC));
        final TrainingCounters counters = dataPlane.newTrainingCounters("job=test-ipc");
        final Subscription subscription = dataPlane.addSubscription(9);
        final Subscription otherStream = dataPlane.addSubscription(10);
        final Endpoint endpoint = dataPlane.resolveEndpoint(subscription, WAIT);
        final ExclusivePublication publication = dataPlane.addExclusivePublication(endpoint);
        final MessageSender sender = dataPlane.newSender(publication, counters, MessageSender.Traffic.GRADIENT);
        final Collector collector = new Collector();
        final Collector otherCollector = new Collector();
        final MessageReceiver receiver = new MessageReceiver(subscription, collector, 16, MESSAGE_LENGTH);
        final MessageReceiver otherReceiver = new MessageReceiver(otherStream, otherCollector, 16, MESSAGE_LENGTH);
        final UnsafeBuffer message = randomMessage(MESSAGE_LENGTH, 43);

        assertEquals(Endpoint.ipc(9), endpoint);
        assertTrue(publication.channel().startsWith("aeron:ipc"), publication.channel());
        assertTrue(sender.awaitConnected(WAIT));
        final long position = sender.send(message, 0, MESSAGE_LENGTH);
        await(() -> !collector.messages.isEmpty(), () ->
        {
            receiver.poll();
            otherReceiver.poll();
        });

        assertTrue(position > 0, MessageSender.resultName(position));
        final byte[] expected = new byte[MESSAGE_LENGTH];
        message.getBytes(0, expected);
        assertArrayEquals(expected, collector.messages.get(0));
        assertTrue(otherCollector.messages.isEmpty(), "another stream id is another receiver");
        assertEquals(MESSAGE_LENGTH, counters.get(TrainingCounterDescriptor.GRADIENT_BYTES_SENT));
    }

    @Test
    void shouldShowTrainingCountersToAeronToolsWhenAllocatedFromClient()
    {
        final DataPlane dataPlane = launch(smallContext());
        final TrainingCounters counters = dataPlane.newTrainingCounters("job=visible");
        counters.add(TrainingCounterDescriptor.UPDATES_APPLIED, 5);

        final CountersReader reader = dataPlane.aeron().countersReader();
        final int id = counters.counter(TrainingCounterDescriptor.UPDATES_APPLIED).id();

        assertEquals(TrainingCounterDescriptor.UPDATES_APPLIED.typeId(), reader.getCounterTypeId(id));
        assertEquals("parasol updates applied: job=visible", reader.getCounterLabel(id));
        assertEquals(5, reader.getCounterValue(id));

        dataPlane.close();
        counters.close();
        assertTrue(counters.counter(TrainingCounterDescriptor.UPDATES_APPLIED).isClosed());
    }

    @Test
    void shouldDeleteAeronDirectoryWhenClosed()
    {
        final DataPlane dataPlane = DataPlane.launch(smallContext());
        final File directory = new File(dataPlane.aeronDirectoryName());
        assertTrue(directory.isDirectory());
        assertTrue(directory.getPath().contains("parasol-" + ProcessHandle.current().pid() + "-"));

        dataPlane.close();

        assertFalse(directory.exists());
        assertTrue(dataPlane.isClosed());
        dataPlane.close();
    }

    @Test
    void shouldKeepStreamsApartWhenTwoDataPlanesShareJvm()
    {
        final DataPlane first = launch(smallContext());
        final DataPlane second = launch(smallContext());
        assertFalse(first.aeronDirectoryName().equals(second.aeronDirectoryName()));

        final int streamId = 1001;
        final Subscription firstSubscription = first.addSubscription(streamId);
        final Subscription secondSubscription = second.addSubscription(streamId);
        final Endpoint firstEndpoint = first.resolveEndpoint(firstSubscription, WAIT);
        final Endpoint secondEndpoint = second.resolveEndpoint(secondSubscription, WAIT);
        assertFalse(firstEndpoint.port() == secondEndpoint.port());

        final TrainingCounters counters = TrainingCounters.standalone("job=apart");
        final MessageSender toFirst = first.newSender(
            first.addExclusivePublication(firstEndpoint), counters, MessageSender.Traffic.PARAMETER);
        final MessageSender toSecond = second.newSender(
            second.addExclusivePublication(secondEndpoint), counters, MessageSender.Traffic.PARAMETER);
        final Collector firstCollector = new Collector();
        final Collector secondCollector = new Collector();
        final MessageReceiver firstReceiver = new MessageReceiver(firstSubscription, firstCollector, 16, 1024);
        final MessageReceiver secondReceiver = new MessageReceiver(secondSubscription, secondCollector, 16, 1024);
        assertTrue(toFirst.awaitConnected(WAIT) && toSecond.awaitConnected(WAIT));

        assertTrue(toFirst.send(randomMessage(100, 1), 0, 100) > 0);
        assertTrue(toSecond.send(randomMessage(200, 2), 0, 200) > 0);
        await(() -> firstCollector.messages.size() == 1 && secondCollector.messages.size() == 1,
            () ->
            {
                firstReceiver.poll();
                secondReceiver.poll();
            });

        assertEquals(100, firstCollector.messages.get(0).length);
        assertEquals(200, secondCollector.messages.get(0).length);
        assertEquals(1, firstSubscription.imageCount());
        assertEquals(1, secondSubscription.imageCount());

        first.close();
        assertTrue(toSecond.send(randomMessage(300, 3), 0, 300) > 0);
        await(() -> secondCollector.messages.size() == 2, secondReceiver::poll);
        assertEquals(300, secondCollector.messages.get(1).length);
        assertEquals(1, firstCollector.messages.size());
    }

    @Test
    void shouldShareFixedDataPortAcrossStreamsWhenConfigured() throws Exception
    {
        final int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)))
        {
            port = probe.getLocalPort();
        }
        final DataPlane dataPlane = launch(smallContext().dataPort(port));

        final Endpoint one = dataPlane.resolveEndpoint(dataPlane.addSubscription(1), WAIT);
        final Endpoint two = dataPlane.resolveEndpoint(dataPlane.addSubscription(2), WAIT);

        assertEquals(new Endpoint("127.0.0.1", port, 1), one);
        assertEquals(new Endpoint("127.0.0.1", port, 2), two);
    }

    @Test
    void shouldAdvertiseOtherAddressButBindDataPortWhenAdvertisedAddressIsSet() throws Exception
    {
        final int port;
        final int relayPort;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            DatagramSocket relayProbe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)))
        {
            port = probe.getLocalPort();
            relayPort = relayProbe.getLocalPort();
        }
        final DataPlane dataPlane = launch(smallContext().dataPort(port)
            .advertisedHost("127.0.0.2").advertisedPort(relayPort));
        final Subscription subscription = dataPlane.addSubscription(9);

        final Endpoint endpoint = dataPlane.resolveEndpoint(subscription, WAIT);

        assertEquals(new Endpoint("127.0.0.2", relayPort, 9), endpoint);
        assertTrue(subscription.channel().contains("endpoint=127.0.0.1:" + port), subscription.channel());
        // Sent to the bound address directly, a message still arrives: the subscription is bound to data-bind.
        final MessageSender sender = dataPlane.newSender(
            dataPlane.addExclusivePublication(new Endpoint("127.0.0.1", port, 9)),
            TrainingCounters.standalone("job=advertised"), MessageSender.Traffic.REQUEST);
        final Collector collector = new Collector();
        final MessageReceiver receiver = new MessageReceiver(subscription, collector, 16, 1024);
        assertTrue(sender.awaitConnected(WAIT));
        assertTrue(sender.send(randomMessage(64, 9), 0, 64) > 0);
        await(() -> collector.messages.size() == 1, receiver::poll);
    }

    @Test
    void shouldUseExternalDriverAndLeaveItsDirectoryWhenClosed(@TempDir final Path tempDir)
    {
        final String directory = tempDir.resolve("external-aeron").toString();
        try (MediaDriver external = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)))
        {
            final DataPlane dataPlane = DataPlane.launch(smallContext()
                .mediaDriverMode(MediaDriverMode.EXTERNAL)
                .aeronDirectoryName(directory));
            final Subscription subscription = dataPlane.addSubscription(5);
            final Endpoint endpoint = dataPlane.resolveEndpoint(subscription, WAIT);
            final MessageSender sender = dataPlane.newSender(dataPlane.addExclusivePublication(endpoint),
                TrainingCounters.standalone("job=external"), MessageSender.Traffic.REQUEST);
            final Collector collector = new Collector();
            final MessageReceiver receiver = new MessageReceiver(subscription, collector, 16, 1024);
            assertTrue(sender.awaitConnected(WAIT));

            assertTrue(sender.send(randomMessage(72, 5), 0, 72) > 0);
            await(() -> collector.messages.size() == 1, receiver::poll);
            dataPlane.close();

            assertTrue(new File(directory, "cnc.dat").exists());
            assertEquals(directory, external.aeronDirectoryName());
        }
    }

    @Test
    void shouldAllocateFreePortOnBindHost()
    {
        final DataPlane dataPlane = launch(smallContext());

        final int port = dataPlane.allocatePort();

        assertTrue(port > 0 && port <= 65535);
        assertEquals("127.0.0.1:" + port, DataPlane.endpointOf(dataPlane.udpChannel("127.0.0.1", port)));
    }
}
