package dev.parasol.chaos;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The delay relay on loopback with plain datagram sockets: the delay each way, replies back to the sender through
 * the relay (the NAT behaviour Aeron's status messages need), order, the bounded queue, undelayed sources, and the
 * delay line's byte ring.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpDelayRelayTest
{
    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    private static final long WAIT_MS = 5_000;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception
    {
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            toClose.get(i).close();
        }
    }

    private DatagramChannel channel() throws IOException
    {
        final DatagramChannel channel = DatagramChannel.open().bind(LOOPBACK_ANY_PORT);
        channel.configureBlocking(false);
        toClose.add(channel);
        return channel;
    }

    private UdpDelayRelay relay(final DatagramChannel target, final long delayMs, final Set<InetAddress> undelayed,
        final int queueDatagrams) throws IOException
    {
        final UdpDelayRelay relay = UdpDelayRelay.open(LOOPBACK_ANY_PORT,
            (InetSocketAddress)target.getLocalAddress(), delayMs, undelayed, queueDatagrams, 1024 * 1024);
        toClose.add(relay);
        relay.start();
        return relay;
    }

    private static void send(final DatagramChannel from, final String text, final SocketAddress to) throws IOException
    {
        assertEquals(text.length(), from.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), to));
    }

    /**
     * A received datagram and where it came from.
     */
    private record Received(String text, SocketAddress from, long atNs)
    {
    }

    private static Received receive(final DatagramChannel channel, final long timeoutMs) throws Exception
    {
        final ByteBuffer buffer = ByteBuffer.allocate(2048);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() - deadline < 0)
        {
            buffer.clear();
            final SocketAddress from = channel.receive(buffer);
            if (null != from)
            {
                final long now = System.nanoTime();
                buffer.flip();
                return new Received(StandardCharsets.US_ASCII.decode(buffer).toString(), from, now);
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
        return null;
    }

    private static long elapsedMs(final long fromNs, final long toNs)
    {
        return TimeUnit.NANOSECONDS.toMillis(toNs - fromNs);
    }

    @Test
    void shouldDelayEachWayAndReturnRepliesToTheSenderWhenRelayed() throws Exception
    {
        final long delayMs = 80;
        final DatagramChannel target = channel();
        final DatagramChannel sender = channel();
        final UdpDelayRelay relay = relay(target, delayMs, Set.of(), 1024);

        final long sentNs = System.nanoTime();
        send(sender, "ping", relay.listenAddress());
        final Received atTarget = receive(target, WAIT_MS);
        assertNotNull(atTarget);
        send(target, "pong", atTarget.from());
        final Received atSender = receive(sender, WAIT_MS);

        assertEquals("ping", atTarget.text());
        assertTrue(elapsedMs(sentNs, atTarget.atNs()) >= delayMs, () -> elapsedMs(sentNs, atTarget.atNs()) + " ms");
        // Like a NAT: the target sees the relay's back socket, not the sender.
        assertNotEquals(sender.getLocalAddress(), atTarget.from());
        assertNotNull(atSender);
        assertEquals("pong", atSender.text());
        assertEquals(relay.listenAddress(), atSender.from());
        assertTrue(elapsedMs(sentNs, atSender.atNs()) >= 2 * delayMs, () -> elapsedMs(sentNs, atSender.atNs()) + " ms");
        final UdpDelayRelay.Stats stats = relay.stats();
        assertEquals(1, stats.toTargetDatagrams());
        assertEquals(4, stats.toTargetBytes());
        assertEquals(1, stats.toSourceDatagrams());
        assertEquals(4, stats.toSourceBytes());
        assertEquals(1, stats.sources());
        assertEquals(0, stats.droppedQueueFull());
    }

    @Test
    void shouldGiveEachSourceItsOwnBackSocketWhenSeveralSend() throws Exception
    {
        final DatagramChannel target = channel();
        final DatagramChannel first = channel();
        final DatagramChannel second = channel();
        final UdpDelayRelay relay = relay(target, 20, Set.of(), 1024);

        send(first, "a", relay.listenAddress());
        final Received fromFirst = receive(target, WAIT_MS);
        send(second, "b", relay.listenAddress());
        final Received fromSecond = receive(target, WAIT_MS);
        assertNotNull(fromFirst);
        assertNotNull(fromSecond);
        send(target, "to-b", fromSecond.from());
        send(target, "to-a", fromFirst.from());

        assertNotEquals(fromFirst.from(), fromSecond.from());
        assertEquals("to-b", receive(second, WAIT_MS).text());
        assertEquals("to-a", receive(first, WAIT_MS).text());
        assertEquals(2, relay.stats().sources());
    }

    @Test
    void shouldPreserveOrderWhenManyDatagramsAreQueued() throws Exception
    {
        final DatagramChannel target = channel();
        final DatagramChannel sender = channel();
        final UdpDelayRelay relay = relay(target, 30, Set.of(), 4096);
        // Fewer than a default socket buffer holds: with rmem_max at its default (212992 bytes) Linux keeps about
        // 256 small datagrams per socket (each costs a kernel buffer of ~800 bytes), and drops the rest of a burst.
        final int count = 200;

        for (int i = 0; i < count; i++)
        {
            send(sender, Integer.toString(i), relay.listenAddress());
        }
        final List<Integer> received = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final Received r = receive(target, WAIT_MS);
            assertNotNull(r, "datagram " + i + " never arrived");
            received.add(Integer.parseInt(r.text()));
        }

        for (int i = 0; i < count; i++)
        {
            assertEquals(i, received.get(i));
        }
        assertEquals(count, relay.stats().toTargetDatagrams());
    }

    @Test
    void shouldDropAndCountABurstBeyondTheQueueWhenItOverflows() throws Exception
    {
        final DatagramChannel target = channel();
        final DatagramChannel sender = channel();
        final UdpDelayRelay relay = relay(target, 300, Set.of(), 10);

        for (int i = 0; i < 50; i++)
        {
            send(sender, Integer.toString(i), relay.listenAddress());
        }
        final List<String> received = new ArrayList<>();
        Received r;
        while ((r = receive(target, 1_000)) != null)
        {
            received.add(r.text());
        }

        final UdpDelayRelay.Stats stats = relay.stats();
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), received);
        assertEquals(40, stats.droppedQueueFull());
        assertEquals(10, stats.toTargetDatagrams());
        assertEquals(10, stats.maxQueued());
    }

    @Test
    void shouldRelayAtOnceWhenTheSourceIsUndelayed() throws Exception
    {
        final DatagramChannel target = channel();
        final DatagramChannel sender = channel();
        final UdpDelayRelay relay = relay(target, 10_000, Set.of(InetAddress.getByName("127.0.0.1")), 1024);

        send(sender, "local", relay.listenAddress());
        final Received atTarget = receive(target, WAIT_MS);
        assertNotNull(atTarget);
        send(target, "reply", atTarget.from());
        final Received atSender = receive(sender, WAIT_MS);

        assertEquals("local", atTarget.text());
        assertNotNull(atSender);
        assertEquals("reply", atSender.text());
        assertEquals(2, relay.stats().undelayedDatagrams());
    }

    @Test
    void shouldIgnoreDatagramsToABackSocketFromAnyoneButTheTarget() throws Exception
    {
        final DatagramChannel target = channel();
        final DatagramChannel sender = channel();
        final DatagramChannel stranger = channel();
        final UdpDelayRelay relay = relay(target, 10, Set.of(), 1024);

        send(sender, "hello", relay.listenAddress());
        final Received atTarget = receive(target, WAIT_MS);
        assertNotNull(atTarget);
        send(stranger, "intruder", atTarget.from());
        send(target, "reply", atTarget.from());

        assertEquals("reply", receive(sender, WAIT_MS).text());
        assertNull(receive(sender, 200));
        assertEquals(1, relay.stats().ignoredForeign());
    }

    @Test
    void shouldStopAndCountWhatWasPendingWhenClosed() throws Exception
    {
        final DatagramChannel target = channel();
        final DatagramChannel sender = channel();
        final UdpDelayRelay relay = relay(target, 10_000, Set.of(), 1024);
        send(sender, "late", relay.listenAddress());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (relay.stats().maxQueued() == 0 && System.nanoTime() - deadline < 0)
        {
            TimeUnit.MILLISECONDS.sleep(1);
        }

        relay.close();

        assertEquals(1, relay.stats().pendingAtClose());
        assertEquals(0, relay.stats().toTargetDatagrams());
        // Its sockets are closed: the listen port can be bound again.
        try (DatagramChannel again = DatagramChannel.open().bind(relay.listenAddress()))
        {
            assertEquals(relay.listenAddress(), again.getLocalAddress());
        }
    }

    @Test
    void shouldKeepOrderAndContentWhenTheDelayLineWraps()
    {
        final DelayLine line = new DelayLine(8, 100);
        final ByteBuffer out = ByteBuffer.allocate(100);
        int next = 0;
        int expected = 0;
        for (int round = 0; round < 50; round++)
        {
            while (line.offer(round, next, ByteBuffer.wrap(payload(next))))
            {
                next++;
            }
            assertTrue(line.size() >= 1 && line.size() <= 3, "size " + line.size());
            line.copyHead(out);
            assertEquals(expected, line.headRoute());
            assertEquals(ByteBuffer.wrap(payload(expected)), out);
            line.removeHead();
            expected++;
        }
        assertTrue(next > 50, "about 17 times round the ring: " + next);
        assertFalse(line.offer(0, 0, ByteBuffer.wrap(new byte[101])));
    }

    private static byte[] payload(final int id)
    {
        final byte[] bytes = new byte[30 + id % 7];
        Arrays.fill(bytes, (byte)id);
        return bytes;
    }

    @Test
    void shouldBoundTheDelayLineByDatagramsAndReportItsHighWaterMark()
    {
        final DelayLine line = new DelayLine(3, 1000);

        assertTrue(line.offer(5, 0, ByteBuffer.wrap(new byte[1])));
        assertTrue(line.offer(6, 1, ByteBuffer.wrap(new byte[1])));
        assertTrue(line.offer(7, 2, ByteBuffer.wrap(new byte[1])));
        assertFalse(line.offer(8, 3, ByteBuffer.wrap(new byte[1])));

        assertEquals(5, line.headDueNs());
        line.removeHead();
        line.removeHead();
        line.removeHead();
        assertEquals(Long.MAX_VALUE, line.headDueNs());
        assertEquals(3, line.maxSize());
    }

    @Test
    void shouldNameTheOptionWhenAnAddressIsMalformed()
    {
        assertEquals(new InetSocketAddress("127.0.0.1", 27756),
            UdpDelayRelay.parseAddress("--listen", "127.0.0.1:27756"));
        assertEquals(new InetSocketAddress("::1", 9), UdpDelayRelay.parseAddress("--target", "[::1]:9"));
        for (final String bad : List.of("127.0.0.1", "127.0.0.1:", ":80", "127.0.0.1:x", "127.0.0.1:70000"))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> UdpDelayRelay.parseAddress("--listen", bad));
            assertTrue(ex.getMessage().startsWith("--listen '" + bad + "': "), ex.getMessage());
        }
    }
}
