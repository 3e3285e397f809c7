package dev.parasol.chaos;

import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.dataplane.Endpoint;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Aeron through the delay relay, as a node uses it: a data plane with a fixed data port that advertises the relay's
 * address, a publication to the advertised endpoint, an embedded media driver on loopback. The publication connects
 * (the receiver's status messages come back through the relay's back socket) and every message takes at least the
 * relay's delay.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpDelayRelayAeronTest
{
    private static final long DELAY_MS = 50;
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(20);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception
    {
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            toClose.get(i).close();
        }
    }

    private static int freePort() throws Exception
    {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)))
        {
            return probe.getLocalPort();
        }
    }

    @Test
    void shouldDeliverAeronMessagesNoSoonerThanTheDelayWhenTheEndpointAdvertisesTheRelay() throws Exception
    {
        final int dataPort = freePort();
        final int relayPort = freePort();
        final UdpDelayRelay relay = UdpDelayRelay.open(new InetSocketAddress("127.0.0.1", relayPort),
            new InetSocketAddress("127.0.0.1", dataPort), DELAY_MS);
        toClose.add(relay);
        relay.start();
        final DataPlane dataPlane = DataPlane.launch(new DataPlaneContext()
            .dataPort(dataPort)
            .advertisedHost("127.0.0.1")
            .advertisedPort(relayPort)
            .termLength(64 * 1024)
            .mtuLength(1408)
            .maxPublications(2)
            .publicationLingerTimeoutNs(0));
        toClose.add(dataPlane);
        final Subscription subscription = dataPlane.addSubscription(1001);
        final Endpoint endpoint = dataPlane.resolveEndpoint(subscription, Duration.ofSeconds(10));
        assertEquals(new Endpoint("127.0.0.1", relayPort, 1001), endpoint);

        final ExclusivePublication publication = dataPlane.addExclusivePublication(endpoint);
        final long connectStartNs = System.nanoTime();
        while (!publication.isConnected())
        {
            assertTrue(System.nanoTime() - connectStartNs < WAIT_NS, "not connected through the relay");
            TimeUnit.MILLISECONDS.sleep(1);
        }
        // Set-up frame one way, status message the other: a round trip through the relay.
        final long connectMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStartNs);
        assertTrue(connectMs >= 2 * DELAY_MS, "connected in " + connectMs + " ms");

        final long[] arrivedNs = new long[1];
        final long[] sentNsSeen = new long[1];
        final FragmentHandler handler = (buffer, offset, length, header) ->
        {
            arrivedNs[0] = System.nanoTime();
            sentNsSeen[0] = buffer.getLong(offset);
        };
        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        final List<Long> latenciesMs = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final long sentNs = System.nanoTime();
            message.putLong(0, sentNs);
            final long offerDeadline = System.nanoTime() + WAIT_NS;
            while (publication.offer(message, 0, 64) < 0)
            {
                assertTrue(System.nanoTime() - offerDeadline < 0, "offer never accepted");
                Thread.onSpinWait();
            }
            arrivedNs[0] = 0;
            final long pollDeadline = System.nanoTime() + WAIT_NS;
            while (0 == arrivedNs[0])
            {
                assertTrue(System.nanoTime() - pollDeadline < 0, "message " + i + " never arrived");
                if (0 == subscription.poll(handler, 1))
                {
                    TimeUnit.MICROSECONDS.sleep(100);
                }
            }
            assertEquals(sentNs, sentNsSeen[0]);
            latenciesMs.add(TimeUnit.NANOSECONDS.toMillis(arrivedNs[0] - sentNs));
        }

        for (final long latencyMs : latenciesMs)
        {
            assertTrue(latencyMs >= DELAY_MS, "latencies " + latenciesMs + " ms");
        }
        final UdpDelayRelay.Stats stats = relay.stats();
        assertTrue(stats.toTargetDatagrams() >= 4, stats::toString);
        assertTrue(stats.toSourceDatagrams() >= 1, stats::toString);
        assertEquals(1, stats.sources(), stats::toString);
        assertEquals(0, stats.droppedQueueFull() + stats.droppedSendFailed(), stats::toString);
    }
}
