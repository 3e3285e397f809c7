package dev.parasol.chaos;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A user-space UDP relay that delays every datagram by a fixed time in both directions: the network delay of the
 * chaos tests on a kernel without {@code netem}. It works like a NAT: a datagram arriving on the listen socket from
 * a source S goes to the target from a back socket dedicated to S, so the target's replies (Aeron's status messages
 * and NAKs, sent back to the source address of the data) arrive on that back socket, and go back to S from the listen
 * socket, where S's Aeron sent its data. A node that advertises the relay's address as its data endpoint
 * ({@code parasol node --data-advertise}) thus has every datagram to it and every reply from it delayed.
 * <p>
 * Each datagram is delivered {@code delay} after it was read (a one-way delay; a round trip through the relay takes
 * twice that), in arrival order, from one {@link DelayLine} bounded in datagrams and bytes: a burst beyond it is
 * dropped and counted, as a router's queue would. Sources whose address is in {@code undelayed} (nodes on the
 * relay's own host, which share no link with it) are relayed at once. Sources are capped at {@link #MAX_SOURCES},
 * each holding a socket; datagrams reaching a back socket from anyone but the target are ignored and counted.
 * <p>
 * One thread runs everything over a {@link Selector}. The counters are written by that thread and may be read from
 * any other through {@link #stats()}.
 */
public final class UdpDelayRelay implements AutoCloseable, Runnable
{
    /**
     * Default of the most datagrams queued at once.
     */
    public static final int DEFAULT_QUEUE_DATAGRAMS = 65_536;

    /**
     * Default of the most payload bytes queued at once: 32 MiB, 1.6 s of a saturated 160 Mbit/s link.
     */
    public static final int DEFAULT_QUEUE_BYTES = 32 * 1024 * 1024;

    /**
     * The most sources relayed at once; each has a socket of its own.
     */
    public static final int MAX_SOURCES = 1024;

    private static final int MAX_DATAGRAM = 65_536;
    private static final int SOCKET_BUFFER = 4 * 1024 * 1024;
    private static final int RECEIVES_PER_KEY = 64;
    private static final long IDLE_WAIT_MS = 100;

    private final InetSocketAddress target;
    private final long delayNs;
    private final Set<InetAddress> undelayed;
    private final Selector selector;
    private final DatagramChannel listen;
    private final InetSocketAddress listenAddress;
    private final DelayLine line;
    private final Map<SocketAddress, Source> sourcesByAddress = new HashMap<>();
    private final List<Source> sources = new ArrayList<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean started;
    private volatile long toTargetDatagrams;
    private volatile long toTargetBytes;
    private volatile long toSourceDatagrams;
    private volatile long toSourceBytes;
    private volatile long undelayedDatagrams;
    private volatile long droppedQueueFull;
    private volatile long droppedSendFailed;
    private volatile long droppedNoSourceSlot;
    private volatile long ignoredForeign;
    private volatile long pendingAtClose;
    private volatile IOException failure;

    /**
     * One relayed source: its address, its back socket to the target, and whether its traffic is delayed.
     */
    private record Source(int index, SocketAddress address, DatagramChannel back, boolean delayed)
    {
    }

    /**
     * The counters of a relay at one moment.
     *
     * @param toTargetDatagrams   datagrams forwarded from sources to the target.
     * @param toTargetBytes       their payload bytes.
     * @param toSourceDatagrams   datagrams forwarded from the target back to sources.
     * @param toSourceBytes       their payload bytes.
     * @param undelayedDatagrams  datagrams of either way relayed at once (sources on the relay's own host).
     * @param droppedQueueFull    datagrams dropped because the delay line was full.
     * @param droppedSendFailed   datagrams dropped because the send failed or the socket buffer was full.
     * @param droppedNoSourceSlot datagrams dropped because {@link #MAX_SOURCES} sources were already relayed.
     * @param ignoredForeign      datagrams reaching a back socket from another address than the target.
     * @param pendingAtClose      datagrams still queued when the relay closed, never delivered.
     * @param sources             sources relayed so far.
     * @param maxQueued           the most datagrams queued at once.
     */
    public record Stats(
        long toTargetDatagrams,
        long toTargetBytes,
        long toSourceDatagrams,
        long toSourceBytes,
        long undelayedDatagrams,
        long droppedQueueFull,
        long droppedSendFailed,
        long droppedNoSourceSlot,
        long ignoredForeign,
        long pendingAtClose,
        int sources,
        int maxQueued)
    {
        /**
         * Get the counters as the fields of a history line, in snake case.
         *
         * @return the fields, in a stable order.
         */
        public Map<String, Object> toFields()
        {
            final Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("to_target_datagrams", toTargetDatagrams);
            fields.put("to_target_bytes", toTargetBytes);
            fields.put("to_source_datagrams", toSourceDatagrams);
            fields.put("to_source_bytes", toSourceBytes);
            fields.put("undelayed_datagrams", undelayedDatagrams);
            fields.put("dropped_queue_full", droppedQueueFull);
            fields.put("dropped_send_failed", droppedSendFailed);
            fields.put("dropped_no_source_slot", droppedNoSourceSlot);
            fields.put("ignored_foreign", ignoredForeign);
            fields.put("pending_at_close", pendingAtClose);
            fields.put("sources", sources);
            fields.put("max_queued", maxQueued);
            return fields;
        }
    }

    private UdpDelayRelay(
        final InetSocketAddress listenAt,
        final InetSocketAddress target,
        final long delayMs,
        final Set<InetAddress> undelayed,
        final int queueDatagrams,
        final int queueBytes) throws IOException
    {
        if (delayMs < 0)
        {
            throw new IllegalArgumentException("delayMs=" + delayMs + ": expected 0 or more");
        }
        if (target.isUnresolved() || listenAt.isUnresolved())
        {
            throw new IllegalArgumentException("listen=" + listenAt + ", target=" + target +
                ": expected resolvable addresses");
        }
        this.target = target;
        this.delayNs = TimeUnit.MILLISECONDS.toNanos(delayMs);
        this.undelayed = Set.copyOf(undelayed);
        this.line = new DelayLine(queueDatagrams, queueBytes);
        this.selector = Selector.open();
        DatagramChannel channel = null;
        try
        {
            channel = openChannel(listenAt);
            channel.register(selector, SelectionKey.OP_READ);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (null != channel)
            {
                channel.close();
            }
            selector.close();
            throw ex;
        }
        this.listen = channel;
        this.listenAddress = (InetSocketAddress)channel.getLocalAddress();
    }

    /**
     * Open a relay with the default queue bounds and every source delayed.
     *
     * @param listenAt where sources send to; port 0 for an ephemeral port.
     * @param target   where datagrams are forwarded to.
     * @param delayMs  the one-way delay in milliseconds, 0 or more.
     * @return the relay, bound and not yet running: call {@link #start()} or {@link #run()}.
     * @throws IOException if a socket cannot be opened or bound.
     */
    public static UdpDelayRelay open(final InetSocketAddress listenAt, final InetSocketAddress target,
        final long delayMs) throws IOException
    {
        return open(listenAt, target, delayMs, Set.of(), DEFAULT_QUEUE_DATAGRAMS, DEFAULT_QUEUE_BYTES);
    }

    /**
     * Open a relay.
     *
     * @param listenAt       where sources send to; port 0 for an ephemeral port.
     * @param target         where datagrams are forwarded to.
     * @param delayMs        the one-way delay in milliseconds, 0 or more.
     * @param undelayed      source addresses relayed without delay, both ways.
     * @param queueDatagrams the most datagrams queued at once.
     * @param queueBytes     the most payload bytes queued at once.
     * @return the relay, bound and not yet running: call {@link #start()} or {@link #run()}.
     * @throws IOException if a socket cannot be opened or bound.
     */
    public static UdpDelayRelay open(
        final InetSocketAddress listenAt,
        final InetSocketAddress target,
        final long delayMs,
        final Set<InetAddress> undelayed,
        final int queueDatagrams,
        final int queueBytes) throws IOException
    {
        return new UdpDelayRelay(listenAt, target, delayMs, undelayed, queueDatagrams, queueBytes);
    }

    /**
     * Get the address sources send to, with the port actually bound.
     *
     * @return the listen address.
     */
    public InetSocketAddress listenAddress()
    {
        return listenAddress;
    }

    /**
     * Get the address datagrams are forwarded to.
     *
     * @return the target.
     */
    public InetSocketAddress target()
    {
        return target;
    }

    /**
     * Run the relay on a new daemon thread.
     *
     * @return the thread.
     */
    public Thread start()
    {
        final Thread thread = new Thread(this, "udp-delay-relay-" + listenAddress.getPort());
        thread.setDaemon(true);
        started = true;
        thread.start();
        return thread;
    }

    /**
     * Relay until {@link #close()}, on the calling thread; closes every socket on the way out.
     *
     * @throws UncheckedIOException if the selector or the listen socket fails.
     */
    @Override
    public void run()
    {
        started = true;
        try
        {
            while (running)
            {
                deliverDue(System.nanoTime());
                final long waitNs = line.headDueNs() == Long.MAX_VALUE ?
                    TimeUnit.MILLISECONDS.toNanos(IDLE_WAIT_MS) : line.headDueNs() - System.nanoTime();
                if (waitNs <= 0)
                {
                    selector.selectNow();
                }
                else
                {
                    // Rounded up: a datagram is never delivered before its time.
                    selector.select(Math.max(1, (waitNs + 999_999) / 1_000_000));
                }
                for (final SelectionKey key : selector.selectedKeys())
                {
                    final Object source = key.attachment();
                    if (source instanceof Source s)
                    {
                        receiveFromTarget(s);
                    }
                    else
                    {
                        receiveFromSources();
                    }
                }
                selector.selectedKeys().clear();
            }
        }
        catch (final IOException ex)
        {
            failure = ex;
            throw new UncheckedIOException("relay " + listenAddress + " -> " + target + " failed", ex);
        }
        finally
        {
            pendingAtClose = line.size();
            closeChannels();
            stopped.countDown();
        }
    }

    /**
     * Get the counters now.
     *
     * @return a snapshot.
     */
    public Stats stats()
    {
        return new Stats(toTargetDatagrams, toTargetBytes, toSourceDatagrams, toSourceBytes, undelayedDatagrams,
            droppedQueueFull, droppedSendFailed, droppedNoSourceSlot, ignoredForeign, pendingAtClose,
            sourcesCount(), line.maxSize());
    }

    /**
     * Get the error that stopped the relay, if any.
     *
     * @return the failure, or null.
     */
    public IOException failure()
    {
        return failure;
    }

    /**
     * Stop relaying, wait for the relay's thread to close its sockets (up to 5 s), and drop what is still queued.
     * Idempotent.
     */
    @Override
    public void close()
    {
        running = false;
        selector.wakeup();
        if (!started)
        {
            closeChannels();
            return;
        }
        try
        {
            stopped.await(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private int sourcesCount()
    {
        synchronized (sources)
        {
            return sources.size();
        }
    }

    private void receiveFromSources() throws IOException
    {
        for (int i = 0; i < RECEIVES_PER_KEY; i++)
        {
            buffer.clear();
            final SocketAddress from = listen.receive(buffer);
            if (null == from)
            {
                return;
            }
            final long now = System.nanoTime();
            buffer.flip();
            final Source source = sourceOf(from);
            if (null == source)
            {
                droppedNoSourceSlot++;
                continue;
            }
            forward(source, true, now);
        }
    }

    private void receiveFromTarget(final Source source) throws IOException
    {
        for (int i = 0; i < RECEIVES_PER_KEY; i++)
        {
            buffer.clear();
            final SocketAddress from = source.back().receive(buffer);
            if (null == from)
            {
                return;
            }
            final long now = System.nanoTime();
            buffer.flip();
            if (!target.equals(from))
            {
                ignoredForeign++;
                continue;
            }
            forward(source, false, now);
        }
    }

    private void forward(final Source source, final boolean toTarget, final long now)
    {
        if (!source.delayed())
        {
            undelayedDatagrams++;
            send(source, toTarget);
            return;
        }
        if (0 == delayNs && 0 == line.size())
        {
            send(source, toTarget);
            return;
        }
        if (!line.offer(now + delayNs, source.index() * 2 + (toTarget ? 0 : 1), buffer))
        {
            droppedQueueFull++;
        }
    }

    private void deliverDue(final long now)
    {
        while (line.size() > 0 && line.headDueNs() - now <= 0)
        {
            final int route = line.headRoute();
            line.copyHead(buffer);
            line.removeHead();
            final Source source;
            synchronized (sources)
            {
                source = sources.get(route / 2);
            }
            send(source, 0 == route % 2);
        }
    }

    private void send(final Source source, final boolean toTarget)
    {
        final int length = buffer.remaining();
        try
        {
            final int sent = toTarget ? source.back().send(buffer, target) : listen.send(buffer, source.address());
            if (sent < length)
            {
                droppedSendFailed++;
                return;
            }
        }
        catch (final IOException ex)
        {
            // UDP semantics: a datagram the kernel refuses (no route, ICMP error reported) is lost, not fatal.
            droppedSendFailed++;
            return;
        }
        if (toTarget)
        {
            toTargetDatagrams++;
            toTargetBytes += length;
        }
        else
        {
            toSourceDatagrams++;
            toSourceBytes += length;
        }
    }

    private Source sourceOf(final SocketAddress from) throws IOException
    {
        final Source known = sourcesByAddress.get(from);
        if (null != known)
        {
            return known;
        }
        if (sources.size() >= MAX_SOURCES)
        {
            return null;
        }
        final DatagramChannel back = openChannel(new InetSocketAddress(0));
        final boolean delayed =
            !(from instanceof InetSocketAddress address && undelayed.contains(address.getAddress()));
        final Source source;
        synchronized (sources)
        {
            source = new Source(sources.size(), from, back, delayed);
            sources.add(source);
        }
        back.register(selector, SelectionKey.OP_READ, source);
        sourcesByAddress.put(from, source);
        return source;
    }

    private static DatagramChannel openChannel(final InetSocketAddress bindTo) throws IOException
    {
        final DatagramChannel channel = DatagramChannel.open();
        try
        {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
            channel.bind(bindTo);
            channel.configureBlocking(false);
            return channel;
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    private void closeChannels()
    {
        final List<DatagramChannel> channels = new ArrayList<>();
        channels.add(listen);
        synchronized (sources)
        {
            for (final Source source : sources)
            {
                channels.add(source.back());
            }
        }
        for (final DatagramChannel channel : channels)
        {
            try
            {
                if (null != channel)
                {
                    channel.close();
                }
            }
            catch (final IOException ex)
            {
                // Closing on the way out: nothing more to do with it.
            }
        }
        try
        {
            selector.close();
        }
        catch (final IOException ex)
        {
            // As above.
        }
    }

    /**
     * Parse {@code HOST:PORT} or {@code [IPV6]:PORT} into a resolved address.
     *
     * @param option the option's name, for the message.
     * @param text   the text.
     * @return the address.
     * @throws IllegalArgumentException naming the option and the text.
     */
    static InetSocketAddress parseAddress(final String option, final String text)
    {
        final int colon = null == text ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
        {
            throw new IllegalArgumentException(option + " '" + text + "': expected HOST:PORT");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " '" + text + "': the port is not a number", ex);
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException(option + " '" + text + "': expected a port from 0 to 65535");
        }
        final InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved())
        {
            throw new IllegalArgumentException(option + " '" + text + "': cannot resolve '" + host + "'");
        }
        return address;
    }

    /**
     * Format an address as {@code HOST:PORT} without the host name lookup's leading slash.
     */
    static String text(final InetSocketAddress address)
    {
        final String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * Run a relay until SIGTERM or SIGINT; print its counters at exit (and append them to the history).
     *
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new Cli()).execute(args));
    }

    /**
     * The command line of {@link #main}.
     */
    @Command(name = "udp-delay-relay", mixinStandardHelpOptions = true,
        description = {"Relay UDP between sources and one target like a NAT, delaying every datagram both ways.",
            "Runs until SIGTERM or SIGINT; prints the counters at exit and appends them to --history."})
    static final class Cli implements Callable<Integer>
    {
        @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
            description = "Where sources send (the address a node gives as --data-advertise).")
        String listenAt;

        @Option(names = "--target", required = true, paramLabel = "HOST:PORT",
            description = "Where datagrams go (the node's --data-bind).")
        String targetAt;

        @Option(names = "--delay-ms", required = true, paramLabel = "D",
            description = "One-way delay of every datagram, in milliseconds (a round trip takes 2 D).")
        long delayMs;

        @Option(names = "--no-delay-from", split = ",", paramLabel = "HOST[,HOST...]",
            description = "Sources at these addresses are relayed without delay (nodes on the relay's own host).")
        List<String> undelayedHosts = new ArrayList<>();

        @Option(names = "--queue-datagrams", defaultValue = "" + DEFAULT_QUEUE_DATAGRAMS, paramLabel = "N",
            description = "Most datagrams queued at once; more are dropped and counted. Default: ${DEFAULT-VALUE}.")
        int queueDatagrams;

        @Option(names = "--queue-bytes", defaultValue = "" + DEFAULT_QUEUE_BYTES, paramLabel = "N",
            description = "Most payload bytes queued at once. Default: ${DEFAULT-VALUE}.")
        int queueBytes;

        @Option(names = "--name", defaultValue = "relay", paramLabel = "NAME",
            description = "Name in the history lines (e.g. the node's). Default: ${DEFAULT-VALUE}.")
        String name;

        @Option(names = "--history", paramLabel = "FILE",
            description = "Append relay_started and relay_stopped (with the counters) JSON lines here.")
        Path history;

        @Override
        public Integer call() throws IOException, InterruptedException
        {
            final InetSocketAddress listenAddress = parseAddress("--listen", listenAt);
            final InetSocketAddress targetAddress = parseAddress("--target", targetAt);
            final List<InetAddress> undelayed = new ArrayList<>();
            for (final String host : undelayedHosts)
            {
                undelayed.add(InetAddress.getByName(host.trim()));
            }
            final UdpDelayRelay relay = open(listenAddress, targetAddress, delayMs, Set.copyOf(undelayed),
                queueDatagrams, queueBytes);
            final Map<String, Object> start = describe("relay_started", relay);
            HistoryWriter.append(history, start);
            final PrintStream out = System.out;
            out.println("udp-delay-relay " + name + ": " + text(relay.listenAddress()) + " -> " +
                text(targetAddress) + ", delay " + delayMs + " ms each way" +
                (undelayed.isEmpty() ? "" : ", none from " + String.join(",", undelayedHosts)));
            out.flush();

            final CountDownLatch reported = new CountDownLatch(1);
            final Thread hook = new Thread(() ->
            {
                relay.close();
                report(relay, out);
                reported.countDown();
            }, "udp-delay-relay-exit");
            Runtime.getRuntime().addShutdownHook(hook);
            try
            {
                relay.run();
            }
            catch (final UncheckedIOException ex)
            {
                out.println("udp-delay-relay " + name + ": stopped: " + ex.getCause());
                Runtime.getRuntime().removeShutdownHook(hook);
                report(relay, out);
                return 1;
            }
            // Stopped by the hook: let it finish writing before the JVM halts.
            reported.await(10, TimeUnit.SECONDS);
            return 0;
        }

        private Map<String, Object> describe(final String event, final UdpDelayRelay relay)
        {
            final Map<String, Object> line = new LinkedHashMap<>();
            line.put("event", event);
            line.put("source", "relay");
            line.put("name", name);
            line.put("listen", text(relay.listenAddress()));
            line.put("target", text(relay.target()));
            line.put("delay_ms", delayMs);
            line.put("no_delay_from", undelayedHosts);
            line.put("queue_datagrams", queueDatagrams);
            line.put("queue_bytes", queueBytes);
            return line;
        }

        private void report(final UdpDelayRelay relay, final PrintStream out)
        {
            final Stats stats = relay.stats();
            out.println("udp-delay-relay " + name + ": forwarded to target " + stats.toTargetDatagrams() +
                " datagrams, " + stats.toTargetBytes() + " bytes; back to sources " + stats.toSourceDatagrams() +
                " datagrams, " + stats.toSourceBytes() + " bytes; undelayed " + stats.undelayedDatagrams() +
                "; dropped: queue full " + stats.droppedQueueFull() + ", send failed " + stats.droppedSendFailed() +
                ", no source slot " + stats.droppedNoSourceSlot() + ", pending at close " + stats.pendingAtClose() +
                "; ignored foreign " + stats.ignoredForeign() + "; sources " + stats.sources() + ", max queued " +
                stats.maxQueued());
            out.flush();
            final Map<String, Object> line = describe("relay_stopped", relay);
            line.putAll(stats.toFields());
            try
            {
                HistoryWriter.append(history, line);
            }
            catch (final IOException ex)
            {
                out.println("udp-delay-relay " + name + ": cannot append to " + history + ": " + ex.getMessage());
            }
        }
    }
}
