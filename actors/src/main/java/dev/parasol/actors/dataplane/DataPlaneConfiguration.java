package dev.parasol.actors.dataplane;

import dev.parasol.actors.exceptions.ConfigurationException;
import io.aeron.driver.Configuration;
import io.aeron.driver.ThreadingMode;
import org.agrona.SystemUtil;
import org.agrona.concurrent.IdleStrategy;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The settings of the data plane as {@code X_PROP_NAME} / {@code X_DEFAULT} pairs, read from system properties when a
 * {@link DataPlaneContext} is created. Sizes accept Agrona's suffixes ({@code 64k}, {@code 4m}), durations its units
 * ({@code 500ms}, {@code 10s}). The defaults are the ones measured on loopback in {@code docs/data-plane.md}.
 * <p>
 * Timeouts whose defaults equal Aeron's reuse Aeron's constants, so that the checks in
 * {@link DataPlaneContext#conclude()} compare the values the driver will really use.
 */
public final class DataPlaneConfiguration
{
    /**
     * Name of the property for the host the data plane binds its receiving endpoints to and advertises to peers.
     */
    public static final String BIND_HOST_PROP_NAME = "parasol.dataplane.bind.host";

    /**
     * Default bind host: loopback, for local mode.
     */
    public static final String BIND_HOST_DEFAULT = "127.0.0.1";

    /**
     * Name of the property for the UDP port that subscriptions added without a channel bind to.
     */
    public static final String DATA_PORT_PROP_NAME = "parasol.dataplane.data.port";

    /**
     * Default data port: 0, every subscription gets an ephemeral port chosen by the driver and read back.
     */
    public static final int DATA_PORT_DEFAULT = 0;

    /**
     * Name of the property for where the media driver runs: {@code EMBEDDED} or {@code EXTERNAL}.
     */
    public static final String MEDIA_DRIVER_MODE_PROP_NAME = "parasol.dataplane.media.driver.mode";

    /**
     * Default media driver mode.
     */
    public static final MediaDriverMode MEDIA_DRIVER_MODE_DEFAULT = MediaDriverMode.EMBEDDED;

    /**
     * Name of the property for the Aeron directory. Unset means a fresh per-process directory for an embedded
     * driver, and Aeron's default directory for an external one.
     */
    public static final String AERON_DIRECTORY_PROP_NAME = "parasol.dataplane.aeron.dir";

    /**
     * Name of the property for the parent of generated per-process Aeron directories.
     */
    public static final String AERON_DIRECTORY_PARENT_PROP_NAME = "parasol.dataplane.aeron.dir.parent";

    /**
     * Default parent of generated Aeron directories: the shared-memory file system, so the log buffers are in RAM.
     */
    public static final String AERON_DIRECTORY_PARENT_DEFAULT = "/dev/shm";

    /**
     * Name of the property for the threading mode of the embedded media driver.
     */
    public static final String DRIVER_THREADING_MODE_PROP_NAME = "parasol.dataplane.driver.threading.mode";

    /**
     * Default driver threading mode: conductor on one thread, sender and receiver on another. On 2 cores it halved
     * the round trip of small messages against SHARED when a core was free, and was no worse when both computed;
     * DEDICATED (three threads) was worst under load. See {@code docs/data-plane.md}.
     */
    public static final ThreadingMode DRIVER_THREADING_MODE_DEFAULT = ThreadingMode.SHARED_NETWORK;

    /**
     * Name of the property for the idle strategy of the media driver's agents.
     */
    public static final String DRIVER_IDLE_STRATEGY_PROP_NAME = "parasol.dataplane.driver.idle.strategy";

    /**
     * Default driver idle strategy: spin, then yield, then park up to 1 ms; 0.05 cores when idle. Yielding burnt both
     * cores while idle, busy spinning was 10 to 100 times slower on 2 cores.
     */
    public static final String DRIVER_IDLE_STRATEGY_DEFAULT = "backoff";

    /**
     * Name of the property for the idle strategy of Parasol's own agents and of back-pressure retries.
     */
    public static final String AGENT_IDLE_STRATEGY_PROP_NAME = "parasol.dataplane.agent.idle.strategy";

    /**
     * Default agent idle strategy.
     */
    public static final String AGENT_IDLE_STRATEGY_DEFAULT = "backoff";

    /**
     * Name of the property for the term length of publications, a power of two in [64 KiB, 1 GiB].
     */
    public static final String TERM_LENGTH_PROP_NAME = "parasol.dataplane.term.length";

    /**
     * Default term length: 4 MiB, so the largest message is 512 KiB (a W2 dense half-range message is 470 KB).
     * Jobs with larger messages set {@link DataPlaneContext#termLengthFor(int)} of their largest message.
     */
    public static final int TERM_LENGTH_DEFAULT = 4 * 1024 * 1024;

    /**
     * Name of the property for the MTU: the largest datagram payload, a multiple of 32 in (32, 65504].
     */
    public static final String MTU_LENGTH_PROP_NAME = "parasol.dataplane.mtu.length";

    /**
     * Default MTU: the largest UDP payload, which loopback (MTU 65536) carries without IP fragmentation; 9 to 14
     * times the throughput of 1408 for W2's messages. Across real hosts use the NIC's MTU minus the IP and UDP headers,
     * rounded down to 32 (1408 fits a 1500-byte Ethernet MTU with room for IPv6, 8960 a 9000-byte jumbo frame).
     */
    public static final int MTU_LENGTH_DEFAULT = Configuration.MAX_UDP_PAYLOAD_LENGTH;

    /**
     * Name of the property for SO_SNDBUF of the UDP sockets.
     */
    public static final String SOCKET_SNDBUF_LENGTH_PROP_NAME = "parasol.dataplane.socket.sndbuf.length";

    /**
     * Name of the property for SO_RCVBUF of the UDP sockets.
     */
    public static final String SOCKET_RCVBUF_LENGTH_PROP_NAME = "parasol.dataplane.socket.rcvbuf.length";

    /**
     * Default socket buffer length, lowered to what the OS allows when not set explicitly.
     */
    public static final int SOCKET_BUFFER_LENGTH_DEFAULT = 4 * 1024 * 1024;

    /**
     * Name of the property for the receiver window: how many bytes a sender may have in flight to a receiver.
     */
    public static final String RECEIVER_WINDOW_LENGTH_PROP_NAME = "parasol.dataplane.receiver.window.length";

    /**
     * Default receiver window, lowered to SO_RCVBUF and half the term length when not set explicitly: 2 MiB moved
     * 470 KB messages 1.3 to 1.4 times faster than 256 KiB.
     */
    public static final int RECEIVER_WINDOW_LENGTH_DEFAULT = 2 * 1024 * 1024;

    /**
     * Name of the property for how long the client waits for the driver's heartbeat before it gives up on it.
     */
    public static final String DRIVER_TIMEOUT_PROP_NAME = "parasol.dataplane.driver.timeout";

    /**
     * Default driver timeout in milliseconds, Aeron's.
     */
    public static final long DRIVER_TIMEOUT_DEFAULT_MS = 10_000L;

    /**
     * Name of the property for how long the driver waits for a client's keepalive before it closes the client.
     */
    public static final String CLIENT_LIVENESS_TIMEOUT_PROP_NAME = "parasol.dataplane.client.liveness.timeout";

    /**
     * Default client liveness timeout in nanoseconds, Aeron's.
     */
    public static final long CLIENT_LIVENESS_TIMEOUT_DEFAULT_NS = Configuration.CLIENT_LIVENESS_TIMEOUT_DEFAULT_NS;

    /**
     * Name of the property for the interval at which the client sends keepalives to the driver.
     */
    public static final String KEEPALIVE_INTERVAL_PROP_NAME = "parasol.dataplane.keepalive.interval";

    /**
     * Default keepalive interval in nanoseconds, Aeron's.
     */
    public static final long KEEPALIVE_INTERVAL_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(500);

    /**
     * Name of the property for the interval at which the driver's conductor checks its timers and heartbeats.
     */
    public static final String TIMER_INTERVAL_PROP_NAME = "parasol.dataplane.timer.interval";

    /**
     * Default timer interval in nanoseconds, Aeron's.
     */
    public static final long TIMER_INTERVAL_DEFAULT_NS = Configuration.DEFAULT_TIMER_INTERVAL_NS;

    /**
     * Name of the property for how long a publication stays connected without a status message from a receiver.
     */
    public static final String PUBLICATION_CONNECTION_TIMEOUT_PROP_NAME =
        "parasol.dataplane.publication.connection.timeout";

    /**
     * Default publication connection timeout in nanoseconds, Aeron's.
     */
    public static final long PUBLICATION_CONNECTION_TIMEOUT_DEFAULT_NS =
        Configuration.PUBLICATION_CONNECTION_TIMEOUT_DEFAULT_NS;

    /**
     * Name of the property for how long a closed publication lingers to serve retransmits before it is freed.
     */
    public static final String PUBLICATION_LINGER_TIMEOUT_PROP_NAME = "parasol.dataplane.publication.linger.timeout";

    /**
     * Default publication linger timeout in nanoseconds, Aeron's.
     */
    public static final long PUBLICATION_LINGER_TIMEOUT_DEFAULT_NS = Configuration.PUBLICATION_LINGER_DEFAULT_NS;

    /**
     * Name of the property for how long the driver waits before it unblocks a publication a dead client left
     * half written.
     */
    public static final String PUBLICATION_UNBLOCK_TIMEOUT_PROP_NAME = "parasol.dataplane.publication.unblock.timeout";

    /**
     * Default publication unblock timeout in nanoseconds, Aeron's.
     */
    public static final long PUBLICATION_UNBLOCK_TIMEOUT_DEFAULT_NS =
        Configuration.PUBLICATION_UNBLOCK_TIMEOUT_DEFAULT_NS;

    /**
     * Name of the property for the longest interval between status messages from a receiver.
     */
    public static final String STATUS_MESSAGE_TIMEOUT_PROP_NAME = "parasol.dataplane.status.message.timeout";

    /**
     * Default status message timeout in nanoseconds, Aeron's.
     */
    public static final long STATUS_MESSAGE_TIMEOUT_DEFAULT_NS = Configuration.STATUS_MESSAGE_TIMEOUT_DEFAULT_NS;

    /**
     * Name of the property for how long an image stays alive without data or heartbeats from its publication.
     */
    public static final String IMAGE_LIVENESS_TIMEOUT_PROP_NAME = "parasol.dataplane.image.liveness.timeout";

    /**
     * Default image liveness timeout in nanoseconds, Aeron's.
     */
    public static final long IMAGE_LIVENESS_TIMEOUT_DEFAULT_NS = Configuration.IMAGE_LIVENESS_TIMEOUT_DEFAULT_NS;

    /**
     * Name of the property for the largest number of publications this node adds, used by the free-space check.
     */
    public static final String MAX_PUBLICATIONS_PROP_NAME = "parasol.dataplane.max.publications";

    /**
     * Default number of publications planned for: 2 workers x 2 shards, both directions, twice over.
     */
    public static final int MAX_PUBLICATIONS_DEFAULT = 16;

    /**
     * Name of the property for how long {@link MessageSender#send} retries a back-pressured offer before it gives up.
     */
    public static final String SEND_TIMEOUT_PROP_NAME = "parasol.dataplane.send.timeout";

    /**
     * Default send timeout in nanoseconds.
     */
    public static final long SEND_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);

    private DataPlaneConfiguration()
    {
    }

    /**
     * Get the bind host from its property or the default.
     *
     * @return the bind host.
     */
    public static String bindHost()
    {
        return System.getProperty(BIND_HOST_PROP_NAME, BIND_HOST_DEFAULT);
    }

    /**
     * Get the data port from its property or the default.
     *
     * @return the data port, 0 for ephemeral ports.
     */
    public static int dataPort()
    {
        return Integer.getInteger(DATA_PORT_PROP_NAME, DATA_PORT_DEFAULT);
    }

    /**
     * Get the media driver mode from its property or the default.
     *
     * @return the mode.
     * @throws ConfigurationException if the property names no mode.
     */
    public static MediaDriverMode mediaDriverMode()
    {
        final String value = System.getProperty(MEDIA_DRIVER_MODE_PROP_NAME);
        if (null == value)
        {
            return MEDIA_DRIVER_MODE_DEFAULT;
        }

        try
        {
            return MediaDriverMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigurationException(
                MEDIA_DRIVER_MODE_PROP_NAME + "=" + value + ": expected EMBEDDED or EXTERNAL", ex);
        }
    }

    /**
     * Get the Aeron directory from its property.
     *
     * @return the directory, or null to let {@link DataPlaneContext#conclude()} choose.
     */
    public static String aeronDirectoryName()
    {
        return System.getProperty(AERON_DIRECTORY_PROP_NAME);
    }

    /**
     * Get the parent of generated Aeron directories from its property or the default.
     *
     * @return the parent directory.
     */
    public static String aeronDirectoryParent()
    {
        return System.getProperty(AERON_DIRECTORY_PARENT_PROP_NAME, AERON_DIRECTORY_PARENT_DEFAULT);
    }

    /**
     * Get the driver threading mode from its property or the default.
     *
     * @return the threading mode.
     * @throws ConfigurationException if the property names no mode.
     */
    public static ThreadingMode driverThreadingMode()
    {
        final String value = System.getProperty(DRIVER_THREADING_MODE_PROP_NAME);
        if (null == value)
        {
            return DRIVER_THREADING_MODE_DEFAULT;
        }

        try
        {
            return ThreadingMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigurationException(
                DRIVER_THREADING_MODE_PROP_NAME + "=" + value + ": expected SHARED, SHARED_NETWORK or DEDICATED", ex);
        }
    }

    /**
     * Get the driver idle strategy name from its property or the default.
     *
     * @return the name.
     */
    public static String driverIdleStrategy()
    {
        return System.getProperty(DRIVER_IDLE_STRATEGY_PROP_NAME, DRIVER_IDLE_STRATEGY_DEFAULT);
    }

    /**
     * Get the agent idle strategy name from its property or the default.
     *
     * @return the name.
     */
    public static String agentIdleStrategy()
    {
        return System.getProperty(AGENT_IDLE_STRATEGY_PROP_NAME, AGENT_IDLE_STRATEGY_DEFAULT);
    }

    /**
     * Get the term length from its property or the default.
     *
     * @return the term length in bytes.
     */
    public static int termLength()
    {
        return SystemUtil.getSizeAsInt(TERM_LENGTH_PROP_NAME, TERM_LENGTH_DEFAULT);
    }

    /**
     * Get the MTU from its property or the default.
     *
     * @return the MTU in bytes.
     */
    public static int mtuLength()
    {
        return SystemUtil.getSizeAsInt(MTU_LENGTH_PROP_NAME, MTU_LENGTH_DEFAULT);
    }

    /**
     * Get SO_SNDBUF from its property.
     *
     * @return the length in bytes, or {@link DataPlaneContext#AUTO} when unset.
     */
    public static int socketSndbufLength()
    {
        return SystemUtil.getSizeAsInt(SOCKET_SNDBUF_LENGTH_PROP_NAME, DataPlaneContext.AUTO);
    }

    /**
     * Get SO_RCVBUF from its property.
     *
     * @return the length in bytes, or {@link DataPlaneContext#AUTO} when unset.
     */
    public static int socketRcvbufLength()
    {
        return SystemUtil.getSizeAsInt(SOCKET_RCVBUF_LENGTH_PROP_NAME, DataPlaneContext.AUTO);
    }

    /**
     * Get the receiver window from its property.
     *
     * @return the length in bytes, or {@link DataPlaneContext#AUTO} when unset.
     */
    public static int receiverWindowLength()
    {
        return SystemUtil.getSizeAsInt(RECEIVER_WINDOW_LENGTH_PROP_NAME, DataPlaneContext.AUTO);
    }

    /**
     * Get the driver timeout from its property or the default.
     *
     * @return the timeout in milliseconds.
     */
    public static long driverTimeoutMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(
            SystemUtil.getDurationInNanos(
                DRIVER_TIMEOUT_PROP_NAME, TimeUnit.MILLISECONDS.toNanos(DRIVER_TIMEOUT_DEFAULT_MS)));
    }

    /**
     * Get the client liveness timeout from its property or the default.
     *
     * @return the timeout in nanoseconds.
     */
    public static long clientLivenessTimeoutNs()
    {
        return SystemUtil.getDurationInNanos(CLIENT_LIVENESS_TIMEOUT_PROP_NAME, CLIENT_LIVENESS_TIMEOUT_DEFAULT_NS);
    }

    /**
     * Get the keepalive interval from its property or the default.
     *
     * @return the interval in nanoseconds.
     */
    public static long keepAliveIntervalNs()
    {
        return SystemUtil.getDurationInNanos(KEEPALIVE_INTERVAL_PROP_NAME, KEEPALIVE_INTERVAL_DEFAULT_NS);
    }

    /**
     * Get the driver's timer interval from its property or the default.
     *
     * @return the interval in nanoseconds.
     */
    public static long timerIntervalNs()
    {
        return SystemUtil.getDurationInNanos(TIMER_INTERVAL_PROP_NAME, TIMER_INTERVAL_DEFAULT_NS);
    }

    /**
     * Get the publication connection timeout from its property or the default.
     *
     * @return the timeout in nanoseconds.
     */
    public static long publicationConnectionTimeoutNs()
    {
        return SystemUtil.getDurationInNanos(
            PUBLICATION_CONNECTION_TIMEOUT_PROP_NAME, PUBLICATION_CONNECTION_TIMEOUT_DEFAULT_NS);
    }

    /**
     * Get the publication linger timeout from its property or the default.
     *
     * @return the timeout in nanoseconds.
     */
    public static long publicationLingerTimeoutNs()
    {
        return SystemUtil.getDurationInNanos(
            PUBLICATION_LINGER_TIMEOUT_PROP_NAME, PUBLICATION_LINGER_TIMEOUT_DEFAULT_NS);
    }

    /**
     * Get the publication unblock timeout from its property or the default.
     *
     * @return the timeout in nanoseconds.
     */
    public static long publicationUnblockTimeoutNs()
    {
        return SystemUtil.getDurationInNanos(
            PUBLICATION_UNBLOCK_TIMEOUT_PROP_NAME, PUBLICATION_UNBLOCK_TIMEOUT_DEFAULT_NS);
    }

    /**
     * Get the status message timeout from its property or the default.
     *
     * @return the timeout in nanoseconds.
     */
    public static long statusMessageTimeoutNs()
    {
        return SystemUtil.getDurationInNanos(STATUS_MESSAGE_TIMEOUT_PROP_NAME, STATUS_MESSAGE_TIMEOUT_DEFAULT_NS);
    }

    /**
     * Get the image liveness timeout from its property or the default.
     *
     * @return the timeout in nanoseconds.
     */
    public static long imageLivenessTimeoutNs()
    {
        return SystemUtil.getDurationInNanos(IMAGE_LIVENESS_TIMEOUT_PROP_NAME, IMAGE_LIVENESS_TIMEOUT_DEFAULT_NS);
    }

    /**
     * Get the planned number of publications from its property or the default.
     *
     * @return the number of publications.
     */
    public static int maxPublications()
    {
        return Integer.getInteger(MAX_PUBLICATIONS_PROP_NAME, MAX_PUBLICATIONS_DEFAULT);
    }

    /**
     * Get the send timeout from its property or the default.
     *
     * @return the timeout in nanoseconds.
     */
    public static long sendTimeoutNs()
    {
        return SystemUtil.getDurationInNanos(SEND_TIMEOUT_PROP_NAME, SEND_TIMEOUT_DEFAULT_NS);
    }

    /**
     * Create a new idle strategy from a name: one of Agrona's aliases ({@code backoff}, {@code yield},
     * {@code spin}, {@code noop}, {@code sleep-ns}, {@code sleep-ms}) or the class name of an {@link IdleStrategy}
     * with a public no-argument constructor. Each agent needs its own instance: idle strategies keep state.
     *
     * @param settingName the setting the name came from, for the error message.
     * @param name        the alias or class name.
     * @return a new idle strategy.
     * @throws ConfigurationException if the name is neither an alias nor a loadable idle strategy class.
     */
    public static IdleStrategy newIdleStrategy(final String settingName, final String name)
    {
        if (null == name || name.isBlank())
        {
            throw new ConfigurationException(settingName + "=" + name + ": expected an idle strategy name");
        }

        try
        {
            // Aeron's own parser, so the names mean exactly what they mean to the media driver.
            return Configuration.agentIdleStrategy(name.trim(), null);
        }
        catch (final Exception | LinkageError ex)
        {
            throw new ConfigurationException(settingName + "=" + name +
                ": expected backoff, yield, spin, noop, sleep-ns, sleep-ms or an IdleStrategy class name", ex);
        }
    }
}
