package dev.parasol.node;

import com.typesafe.config.Config;
import dev.parasol.actors.dataplane.DataPlaneConfiguration;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.exceptions.ConfigurationException;
import io.aeron.driver.Configuration;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.LogBufferDescriptor;
import org.agrona.BitUtil;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code parasol.data-plane} block of a node's configuration: the settings of its Aeron data plane (and of a
 * standalone media driver), one per setting of {@link DataPlaneContext}. Reading checks each value on its own (range,
 * type, known names); {@link DataPlaneContext#conclude()} checks them again together and against the machine when the
 * data plane launches.
 *
 * @param aeronDirParent               parent of an embedded driver's generated directory.
 * @param threadingMode                threading of the media driver: SHARED, SHARED_NETWORK or DEDICATED.
 * @param driverIdleStrategy           idle strategy name of the driver's threads.
 * @param agentIdleStrategy            idle strategy name of Parasol's agents.
 * @param termLength                   term length of publications, in bytes.
 * @param mtuLength                    largest datagram payload, in bytes.
 * @param socketSndbufLength           SO_SNDBUF in bytes, or {@link DataPlaneContext#AUTO}.
 * @param socketRcvbufLength           SO_RCVBUF in bytes, or {@link DataPlaneContext#AUTO}.
 * @param receiverWindowLength         receiver window in bytes, or {@link DataPlaneContext#AUTO}.
 * @param maxPublications              publications planned for by the free-space check.
 * @param sendTimeout                  how long a sender retries a back-pressured message.
 * @param driverTimeout                how long a client waits for the driver's heartbeat.
 * @param clientLivenessTimeout        how long the driver waits for a client's keepalive.
 * @param keepAliveInterval            how often a client sends keepalives.
 * @param timerInterval                how often the driver checks its timers.
 * @param publicationConnectionTimeout how long a publication stays connected without status messages.
 * @param publicationLingerTimeout     how long a closed publication lingers.
 * @param publicationUnblockTimeout    how long before the driver unblocks a publication of a dead client.
 * @param statusMessageTimeout         longest interval between a receiver's status messages.
 * @param imageLivenessTimeout         how long an image lives without data or heartbeats.
 */
public record DataPlaneSettings(
    String aeronDirParent,
    ThreadingMode threadingMode,
    String driverIdleStrategy,
    String agentIdleStrategy,
    int termLength,
    int mtuLength,
    int socketSndbufLength,
    int socketRcvbufLength,
    int receiverWindowLength,
    int maxPublications,
    Duration sendTimeout,
    Duration driverTimeout,
    Duration clientLivenessTimeout,
    Duration keepAliveInterval,
    Duration timerInterval,
    Duration publicationConnectionTimeout,
    Duration publicationLingerTimeout,
    Duration publicationUnblockTimeout,
    Duration statusMessageTimeout,
    Duration imageLivenessTimeout)
{
    /**
     * Path of the data-plane block in the configuration.
     */
    public static final String PREFIX = "parasol.data-plane.";

    /**
     * For each setting of {@link DataPlaneContext} (as its errors name it), the key or flag that sets it on a node.
     */
    private static final Map<String, String> CONTEXT_NAMES = contextNames();

    /**
     * Check that nothing is missing.
     */
    public DataPlaneSettings
    {
        Objects.requireNonNull(aeronDirParent, "aeronDirParent");
        Objects.requireNonNull(threadingMode, "threadingMode");
        Objects.requireNonNull(driverIdleStrategy, "driverIdleStrategy");
        Objects.requireNonNull(agentIdleStrategy, "agentIdleStrategy");
        Objects.requireNonNull(sendTimeout, "sendTimeout");
        Objects.requireNonNull(driverTimeout, "driverTimeout");
        Objects.requireNonNull(clientLivenessTimeout, "clientLivenessTimeout");
        Objects.requireNonNull(keepAliveInterval, "keepAliveInterval");
        Objects.requireNonNull(timerInterval, "timerInterval");
        Objects.requireNonNull(publicationConnectionTimeout, "publicationConnectionTimeout");
        Objects.requireNonNull(publicationLingerTimeout, "publicationLingerTimeout");
        Objects.requireNonNull(publicationUnblockTimeout, "publicationUnblockTimeout");
        Objects.requireNonNull(statusMessageTimeout, "statusMessageTimeout");
        Objects.requireNonNull(imageLivenessTimeout, "imageLivenessTimeout");
    }

    /**
     * Read the {@code parasol.data-plane} block of a resolved configuration (see
     * {@link NodeSettings#loadConfig(java.nio.file.Path, Map)}).
     *
     * @param config the resolved configuration.
     * @return the settings.
     * @throws NodeSettingsException naming every bad setting.
     */
    public static DataPlaneSettings from(final Config config)
    {
        final SettingsReader reader = new SettingsReader(config, NodeSettings.FLAG_NAMES);
        final DataPlaneSettings settings = read(reader);
        reader.throwIfProblems();
        return settings;
    }

    /**
     * Read the block, recording a problem for each bad value.
     *
     * @return the settings, or null if any value was bad.
     */
    static DataPlaneSettings read(final SettingsReader reader)
    {
        final String parent = reader.string(PREFIX + "aeron-dir-parent");
        if (null != parent && parent.isEmpty())
        {
            reader.problem(PREFIX + "aeron-dir-parent", "expected a directory");
        }
        final ThreadingMode threadingMode = threadingMode(reader);
        final String driverIdle = idleStrategy(reader, PREFIX + "driver-idle-strategy");
        final String agentIdle = idleStrategy(reader, PREFIX + "agent-idle-strategy");
        final Integer termLength = termLength(reader);
        final Integer mtu = mtu(reader, termLength);
        final Integer sndbuf = reader.bytes(PREFIX + "socket-sndbuf", true, DataPlaneContext.AUTO);
        final Integer rcvbuf = reader.bytes(PREFIX + "socket-rcvbuf", true, DataPlaneContext.AUTO);
        final Integer window = reader.bytes(PREFIX + "receiver-window", true, DataPlaneContext.AUTO);
        final Integer maxPublications = reader.intValue(PREFIX + "max-publications", 1, 1 << 16);
        final Duration sendTimeout = reader.duration(PREFIX + "send-timeout", false);
        final Duration driverTimeout = reader.duration(PREFIX + "driver-timeout", false);
        final Duration clientLiveness = reader.duration(PREFIX + "client-liveness-timeout", false);
        final Duration keepAlive = reader.duration(PREFIX + "keepalive-interval", false);
        final Duration timer = reader.duration(PREFIX + "timer-interval", false);
        final Duration connection = reader.duration(PREFIX + "publication-connection-timeout", false);
        final Duration linger = reader.duration(PREFIX + "publication-linger-timeout", true);
        final Duration unblock = reader.duration(PREFIX + "publication-unblock-timeout", false);
        final Duration statusMessage = reader.duration(PREFIX + "status-message-timeout", false);
        final Duration imageLiveness = reader.duration(PREFIX + "image-liveness-timeout", false);

        if (reader.hasProblems())
        {
            return null;
        }

        return new DataPlaneSettings(parent, threadingMode, driverIdle, agentIdle, termLength, mtu, sndbuf, rcvbuf,
            window, maxPublications, sendTimeout, driverTimeout, clientLiveness, keepAlive, timer, connection, linger,
            unblock, statusMessage, imageLiveness);
    }

    /**
     * Set every data-plane setting of a context to these values; the node's own settings (bind host, data port,
     * media driver mode, Aeron directory) are left for the caller.
     *
     * @param ctx the context to set, not yet concluded.
     * @return the same context for a fluent API.
     */
    public DataPlaneContext applyTo(final DataPlaneContext ctx)
    {
        return ctx
            .aeronDirectoryParent(aeronDirParent)
            .driverThreadingMode(threadingMode)
            .driverIdleStrategy(driverIdleStrategy)
            .agentIdleStrategy(agentIdleStrategy)
            .termLength(termLength)
            .mtuLength(mtuLength)
            .socketSndbufLength(socketSndbufLength)
            .socketRcvbufLength(socketRcvbufLength)
            .receiverWindowLength(receiverWindowLength)
            .maxPublications(maxPublications)
            .sendTimeoutNs(sendTimeout.toNanos())
            .driverTimeoutMs(driverTimeout.toMillis())
            .clientLivenessTimeoutNs(clientLivenessTimeout.toNanos())
            .keepAliveIntervalNs(keepAliveInterval.toNanos())
            .timerIntervalNs(timerInterval.toNanos())
            .publicationConnectionTimeoutNs(publicationConnectionTimeout.toNanos())
            .publicationLingerTimeoutNs(publicationLingerTimeout.toNanos())
            .publicationUnblockTimeoutNs(publicationUnblockTimeout.toNanos())
            .statusMessageTimeoutNs(statusMessageTimeout.toNanos())
            .imageLivenessTimeoutNs(imageLivenessTimeout.toNanos());
    }

    /**
     * Add the key or flag that sets the offending value to a {@link ConfigurationException} of
     * {@link DataPlaneContext#conclude()}, whose message starts with the context's own name for it
     * ({@code mtuLength=...}).
     *
     * @param ex the exception from the data plane.
     * @return an exception whose message also names the node setting, or {@code ex} if it names none.
     */
    public static ConfigurationException withSettingName(final ConfigurationException ex)
    {
        final String message = null == ex.getMessage() ? "" : ex.getMessage();
        final int equals = message.indexOf('=');
        final String setting = equals > 0 ? CONTEXT_NAMES.get(message.substring(0, equals)) : null;
        if (null == setting)
        {
            return ex;
        }
        return new ConfigurationException(message + " [set by " + setting + "]", ex);
    }

    private static ThreadingMode threadingMode(final SettingsReader reader)
    {
        final String path = PREFIX + "threading-mode";
        final String value = reader.string(path);
        if (null == value)
        {
            return null;
        }
        try
        {
            final ThreadingMode mode = ThreadingMode.valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
            if (ThreadingMode.INVOKER != mode)
            {
                return mode;
            }
        }
        catch (final IllegalArgumentException ex)
        {
            // Reported below with the names that are accepted.
        }
        reader.problem(path, "expected SHARED, SHARED_NETWORK or DEDICATED");
        return null;
    }

    private static String idleStrategy(final SettingsReader reader, final String path)
    {
        final String value = reader.string(path);
        if (null == value)
        {
            return null;
        }
        try
        {
            DataPlaneConfiguration.newIdleStrategy(path, value);
            return value;
        }
        catch (final ConfigurationException ex)
        {
            reader.problem(path, "expected backoff, yield, spin, noop, sleep-ns, sleep-ms or an IdleStrategy class");
            return null;
        }
    }

    private static Integer termLength(final SettingsReader reader)
    {
        final String path = PREFIX + "term-length";
        final Integer value = reader.bytes(path, false, 0);
        if (null != value && (value < LogBufferDescriptor.TERM_MIN_LENGTH ||
            value > LogBufferDescriptor.TERM_MAX_LENGTH || !BitUtil.isPowerOfTwo(value)))
        {
            reader.problem(path, "expected a power of two from 64KiB to 1GiB");
            return null;
        }
        return value;
    }

    private static Integer mtu(final SettingsReader reader, final Integer termLength)
    {
        final String path = PREFIX + "mtu";
        final Integer value = reader.bytes(path, false, 0);
        if (null == value)
        {
            return null;
        }
        if (value <= FrameDescriptor.FRAME_ALIGNMENT || value > Configuration.MAX_UDP_PAYLOAD_LENGTH ||
            0 != value % FrameDescriptor.FRAME_ALIGNMENT)
        {
            reader.problem(path, "expected a multiple of 32 from 64 to 65504 (1408 for 1500-byte Ethernet, 8960 " +
                "for 9000-byte jumbo frames)");
            return null;
        }
        if (null != termLength && value > FrameDescriptor.computeMaxMessageLength(termLength))
        {
            reader.problem(path, "exceeds the largest message of term-length " + termLength + " (term-length / 8)");
            return null;
        }
        return value;
    }

    private static Map<String, String> contextNames()
    {
        final Map<String, String> names = new HashMap<>();
        names.put("bindHost", NodeSettings.DATA_BIND_KEY + " or --data-bind");
        names.put("dataPort", NodeSettings.DATA_BIND_KEY + " or --data-bind");
        names.put("advertisedHost", NodeSettings.DATA_ADVERTISE_KEY + " or --data-advertise");
        names.put("advertisedPort", NodeSettings.DATA_ADVERTISE_KEY + " or --data-advertise");
        names.put("mediaDriverMode", NodeSettings.MEDIA_DRIVER_KEY + " or --media-driver");
        names.put("aeronDirectoryName", NodeSettings.AERON_DIR_KEY + " or --aeron-dir");
        names.put("aeronDirectoryParent", PREFIX + "aeron-dir-parent");
        names.put("driverThreadingMode", PREFIX + "threading-mode");
        names.put("driverIdleStrategy", PREFIX + "driver-idle-strategy");
        names.put("agentIdleStrategy", PREFIX + "agent-idle-strategy");
        names.put("termLength", PREFIX + "term-length");
        names.put("mtuLength", PREFIX + "mtu");
        names.put("socketSndbufLength", PREFIX + "socket-sndbuf");
        names.put("socketRcvbufLength", PREFIX + "socket-rcvbuf");
        names.put("receiverWindowLength", PREFIX + "receiver-window");
        names.put("maxPublications", PREFIX + "max-publications");
        names.put("sendTimeoutNs", PREFIX + "send-timeout");
        names.put("driverTimeoutMs", PREFIX + "driver-timeout");
        names.put("clientLivenessTimeoutNs", PREFIX + "client-liveness-timeout");
        names.put("keepAliveIntervalNs", PREFIX + "keepalive-interval");
        names.put("timerIntervalNs", PREFIX + "timer-interval");
        names.put("publicationConnectionTimeoutNs", PREFIX + "publication-connection-timeout");
        names.put("publicationLingerTimeoutNs", PREFIX + "publication-linger-timeout");
        names.put("publicationUnblockTimeoutNs", PREFIX + "publication-unblock-timeout");
        names.put("statusMessageTimeoutNs", PREFIX + "status-message-timeout");
        names.put("imageLivenessTimeoutNs", PREFIX + "image-liveness-timeout");
        return Map.copyOf(names);
    }
}
