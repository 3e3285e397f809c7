package dev.parasol.actors.dataplane;

import dev.parasol.actors.exceptions.ConfigurationException;
import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FrameDescriptor;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.IdleStrategy;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;

/**
 * The configuration of a {@link DataPlane}: a mutable context with fluent setters, defaults from
 * {@link DataPlaneConfiguration}, and a {@link #conclude()} that fills in what was left unset, validates every value
 * and checks the machine before anything starts. A problem is reported as a {@link ConfigurationException} whose
 * message names the setting and its value, never as a failure deep inside Aeron.
 * <p>
 * What {@link #conclude()} checks, and why:
 * <ul>
 *     <li>term length a power of two in [64 KiB, 1 GiB], MTU a multiple of 32 in (32, 65504] and no larger than the
 *     largest message (term length / 8), SO_SNDBUF or the receiver window: Aeron's own rules, checked early;</li>
 *     <li>socket buffers no larger than the OS allows: Linux silently caps them at {@code net.core.rmem_max} and
 *     {@code wmem_max}, and a receiver window above the real SO_RCVBUF loses datagrams;</li>
 *     <li>timeouts consistent with each other (see {@link #conclude()});</li>
 *     <li>a fixed data port not already bound on the bind host;</li>
 *     <li>an advertised address only with a fixed data port, since one address cannot stand for many ephemeral
 *     ones;</li>
 *     <li>for an embedded driver, no live driver already in the directory; for an external one, a live driver;</li>
 *     <li>enough free space where the Aeron directory lives for the log buffers the publications will map.</li>
 * </ul>
 */
public final class DataPlaneContext
{
    private static final long CLOSE_LINGER_NS = TimeUnit.MILLISECONDS.toNanos(200);

    /**
     * Value of a length setting left for {@link #conclude()} to choose.
     */
    public static final int AUTO = -1;

    /**
     * Aeron's page size for log buffer files, which rounds their length up.
     */
    static final int FILE_PAGE_SIZE = io.aeron.driver.Configuration.FILE_PAGE_SIZE_DEFAULT;

    private static final AtomicInteger DIRECTORY_SEQUENCE = new AtomicInteger();

    private boolean isConcluded;
    private String bindHost = DataPlaneConfiguration.bindHost();
    private int dataPort = DataPlaneConfiguration.dataPort();
    private String advertisedHost;
    private int advertisedPort;
    private MediaDriverMode mediaDriverMode = DataPlaneConfiguration.mediaDriverMode();
    private String aeronDirectoryName = DataPlaneConfiguration.aeronDirectoryName();
    private String aeronDirectoryParent = DataPlaneConfiguration.aeronDirectoryParent();
    private ThreadingMode driverThreadingMode = DataPlaneConfiguration.driverThreadingMode();
    private String driverIdleStrategy = DataPlaneConfiguration.driverIdleStrategy();
    private String agentIdleStrategy = DataPlaneConfiguration.agentIdleStrategy();
    private int termLength = DataPlaneConfiguration.termLength();
    private Transport transport = Transport.UDP;
    private int mtuLength = DataPlaneConfiguration.mtuLength();
    private int socketSndbufLength = DataPlaneConfiguration.socketSndbufLength();
    private int socketRcvbufLength = DataPlaneConfiguration.socketRcvbufLength();
    private int receiverWindowLength = DataPlaneConfiguration.receiverWindowLength();
    private long driverTimeoutMs = DataPlaneConfiguration.driverTimeoutMs();
    private long clientLivenessTimeoutNs = DataPlaneConfiguration.clientLivenessTimeoutNs();
    private long keepAliveIntervalNs = DataPlaneConfiguration.keepAliveIntervalNs();
    private long timerIntervalNs = DataPlaneConfiguration.timerIntervalNs();
    private long publicationConnectionTimeoutNs = DataPlaneConfiguration.publicationConnectionTimeoutNs();
    private long publicationLingerTimeoutNs = DataPlaneConfiguration.publicationLingerTimeoutNs();
    private long publicationUnblockTimeoutNs = DataPlaneConfiguration.publicationUnblockTimeoutNs();
    private long statusMessageTimeoutNs = DataPlaneConfiguration.statusMessageTimeoutNs();
    private long imageLivenessTimeoutNs = DataPlaneConfiguration.imageLivenessTimeoutNs();
    private int maxPublications = DataPlaneConfiguration.maxPublications();
    private long sendTimeoutNs = DataPlaneConfiguration.sendTimeoutNs();
    private ToLongFunction<Path> freeSpaceProbe = Preflight::usableSpace;
    private ErrorHandler errorHandler;

    /**
     * Compute the smallest term length whose largest message (term length / 8) holds a message of the given size.
     *
     * @param maxMessageBytes the largest message the job will send, in bytes.
     * @return a power of two, at least 64 KiB.
     * @throws ConfigurationException if the message exceeds Aeron's 16 MiB limit on a message.
     */
    public static int termLengthFor(final int maxMessageBytes)
    {
        if (maxMessageBytes < 0 || maxMessageBytes > FrameDescriptor.MAX_MESSAGE_LENGTH)
        {
            throw new ConfigurationException("maxMessageBytes=" + maxMessageBytes + ": expected 0 to " +
                FrameDescriptor.MAX_MESSAGE_LENGTH + ", Aeron's largest message; split the model into more shards");
        }

        final long needed = Math.max(io.aeron.logbuffer.LogBufferDescriptor.TERM_MIN_LENGTH, 8L * maxMessageBytes);
        return (int)Long.highestOneBit(needed - 1) << 1;
    }

    /**
     * Fill in defaults, validate every setting and check the machine: see the class Javadoc. The checks, in order:
     * ranges, then timeouts, then the data port, the Aeron directory and its free space. Timeouts must satisfy:
     * <ul>
     *     <li>{@code clientLivenessTimeoutNs > keepAliveIntervalNs}: the driver must hear a keepalive before it
     *     declares the client dead (the Aeron client refuses to start otherwise);</li>
     *     <li>{@code clientLivenessTimeoutNs > timerIntervalNs}: the driver checks liveness once per timer
     *     interval;</li>
     *     <li>{@code publicationUnblockTimeoutNs > clientLivenessTimeoutNs}: a publication is unblocked only after
     *     the client that blocked it is known dead (the media driver refuses to start otherwise);</li>
     *     <li>{@code driverTimeoutMs} above both {@code timerIntervalNs} and {@code keepAliveIntervalNs}: the driver
     *     heartbeats once per timer interval and the client checks it once per keepalive interval, so a shorter
     *     timeout declares a healthy driver dead;</li>
     *     <li>{@code publicationConnectionTimeoutNs > statusMessageTimeoutNs}: a receiver may stay silent that long,
     *     so a shorter timeout makes connected publications flap to not connected;</li>
     *     <li>{@code imageLivenessTimeoutNs} above the 100 ms heartbeat of an idle publication.</li>
     * </ul>
     *
     * @return this for a fluent API.
     * @throws ConfigurationException naming the first bad setting.
     * @throws IllegalStateException if the context was already concluded.
     */
    public DataPlaneContext conclude()
    {
        if (isConcluded)
        {
            throw new IllegalStateException("DataPlaneContext already concluded");
        }
        isConcluded = true;

        concludeAeronDirectory();
        Preflight.validateHostAndModes(this);
        Preflight.validateLengths(this);
        Preflight.validateTimeouts(this);
        Preflight.checkDataPort(this);
        Preflight.checkAeronDirectory(this);
        Preflight.checkFreeSpace(this);
        return this;
    }

    /**
     * Has {@link #conclude()} been called?
     *
     * @return true once concluded.
     */
    public boolean isConcluded()
    {
        return isConcluded;
    }

    /**
     * Build the channel URI of a UDP endpoint with this context's tuned settings: MTU, term length, socket buffers
     * and receiver window. Used for both publications (to a peer's endpoint) and subscriptions (on the bind host).
     *
     * @param host the IP address or host name.
     * @param port the UDP port, 0 for an ephemeral one on a subscription.
     * @return the channel URI.
     */
    public String udpChannel(final String host, final int port)
    {
        return new ChannelUriStringBuilder()
            .media(CommonContext.UDP_MEDIA)
            .endpoint(Endpoint.format(host, port))
            .mtu(mtuLength)
            .termLength(termLength)
            .socketSndbufLength(socketSndbufLength)
            .socketRcvbufLength(socketRcvbufLength)
            .receiverWindowLength(receiverWindowLength)
            .build();
    }

    /**
     * Build the channel URI of the driver's IPC channel with this context's term length, for both the publications
     * to an {@link Endpoint#ipc IPC endpoint} and the subscriptions of a node whose transport is IPC.
     *
     * @return the channel URI.
     */
    public String ipcChannel()
    {
        return new ChannelUriStringBuilder()
            .media(CommonContext.IPC_MEDIA)
            .termLength(termLength)
            .build();
    }

    /**
     * Get the largest message a publication with this term length carries: {@code min(termLength / 8, 16 MiB)}.
     *
     * @return the length in bytes.
     */
    public int maxMessageLength()
    {
        return FrameDescriptor.computeMaxMessageLength(termLength);
    }

    /**
     * Get the bytes of the Aeron directory's file system the planned publications need: each maps a log of
     * 3 x term length plus metadata, and over UDP the receiving driver maps the same again for its image (on one host
     * both are in this directory), plus the driver's CnC and loss report files for an embedded driver.
     *
     * @return the bytes needed.
     */
    public long requiredStorageBytes()
    {
        return Preflight.requiredStorageBytes(this);
    }

    /**
     * Create a new idle strategy for a Parasol agent or a back-pressure retry loop.
     *
     * @return a new instance of the agent idle strategy.
     */
    public IdleStrategy newAgentIdleStrategy()
    {
        return DataPlaneConfiguration.newIdleStrategy("agentIdleStrategy", agentIdleStrategy);
    }

    /**
     * Create a new idle strategy for one of the media driver's agents.
     *
     * @return a new instance of the driver idle strategy.
     */
    public IdleStrategy newDriverIdleStrategy()
    {
        return DataPlaneConfiguration.newIdleStrategy("driverIdleStrategy", driverIdleStrategy);
    }

    /**
     * Set the host the data plane binds its subscriptions to, and advertises in {@link Endpoint}s unless an
     * {@link #advertisedHost(String) advertised address} is set.
     *
     * @param bindHost an IP address of this machine.
     * @return this for a fluent API.
     */
    public DataPlaneContext bindHost(final String bindHost)
    {
        this.bindHost = bindHost;
        return this;
    }

    /**
     * Get the host the data plane binds its subscriptions to.
     *
     * @return the bind host.
     */
    public String bindHost()
    {
        return bindHost;
    }

    /**
     * Set the UDP port of subscriptions added without a channel; 0 gives each one an ephemeral port.
     *
     * @param dataPort the port, 0 to 65535.
     * @return this for a fluent API.
     */
    public DataPlaneContext dataPort(final int dataPort)
    {
        this.dataPort = dataPort;
        return this;
    }

    /**
     * Get the UDP port of subscriptions added without a channel.
     *
     * @return the port, 0 for ephemeral ports.
     */
    public int dataPort()
    {
        return dataPort;
    }

    /**
     * Set the host peers are told to send to instead of the bind host: the public side of a NAT, or a relay in front
     * of this node (such as the delay relay of the chaos tests). Needs a fixed {@link #dataPort(int)} and an
     * {@link #advertisedPort(int)}.
     *
     * @param advertisedHost an address peers can reach, or null to advertise the bind host.
     * @return this for a fluent API.
     */
    public DataPlaneContext advertisedHost(final String advertisedHost)
    {
        this.advertisedHost = advertisedHost;
        return this;
    }

    /**
     * Get the host peers are told to send to instead of the bind host.
     *
     * @return the advertised host, or null to advertise the bind host.
     */
    public String advertisedHost()
    {
        return advertisedHost;
    }

    /**
     * Set the port peers are told to send to instead of the data port; see {@link #advertisedHost(String)}.
     *
     * @param advertisedPort 1 to 65535, or 0 when no address is advertised.
     * @return this for a fluent API.
     */
    public DataPlaneContext advertisedPort(final int advertisedPort)
    {
        this.advertisedPort = advertisedPort;
        return this;
    }

    /**
     * Get the port peers are told to send to instead of the data port.
     *
     * @return the advertised port, or 0 when no address is advertised.
     */
    public int advertisedPort()
    {
        return advertisedPort;
    }

    /**
     * Get the {@link Endpoint} to advertise for a subscription bound on the bind host: the advertised address when
     * one is set and the subscription is on the data port (where everything sent to the advertised address ends
     * up), else the bind host and the bound port.
     *
     * @param boundPort the port the subscription is bound to.
     * @param streamId  the subscription's stream id.
     * @return the endpoint peers send to.
     */
    public Endpoint advertisedEndpoint(final int boundPort, final int streamId)
    {
        if (null != advertisedHost && boundPort == dataPort)
        {
            return new Endpoint(advertisedHost, advertisedPort, streamId);
        }
        return new Endpoint(bindHost, boundPort, streamId);
    }

    /**
     * Set where the media driver runs.
     *
     * @param mediaDriverMode embedded or external.
     * @return this for a fluent API.
     */
    public DataPlaneContext mediaDriverMode(final MediaDriverMode mediaDriverMode)
    {
        this.mediaDriverMode = mediaDriverMode;
        return this;
    }

    /**
     * Get where the media driver runs.
     *
     * @return embedded or external.
     */
    public MediaDriverMode mediaDriverMode()
    {
        return mediaDriverMode;
    }

    /**
     * Set the Aeron directory. For an embedded driver it is deleted on start and on close, so it must belong to this
     * process; unset, {@link #conclude()} creates a fresh name under {@link #aeronDirectoryParent()}.
     *
     * @param aeronDirectoryName the directory, or null to generate one.
     * @return this for a fluent API.
     */
    public DataPlaneContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /**
     * Get the Aeron directory.
     *
     * @return the directory, null before {@link #conclude()} if left to generate.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * Set the parent of a generated Aeron directory.
     *
     * @param aeronDirectoryParent an existing directory, ideally on a RAM file system.
     * @return this for a fluent API.
     */
    public DataPlaneContext aeronDirectoryParent(final String aeronDirectoryParent)
    {
        this.aeronDirectoryParent = aeronDirectoryParent;
        return this;
    }

    /**
     * Get the parent of a generated Aeron directory.
     *
     * @return the parent directory.
     */
    public String aeronDirectoryParent()
    {
        return aeronDirectoryParent;
    }

    /**
     * Set the threading mode of the embedded media driver.
     *
     * @param driverThreadingMode SHARED, SHARED_NETWORK or DEDICATED.
     * @return this for a fluent API.
     */
    public DataPlaneContext driverThreadingMode(final ThreadingMode driverThreadingMode)
    {
        this.driverThreadingMode = driverThreadingMode;
        return this;
    }

    /**
     * Get the threading mode of the embedded media driver.
     *
     * @return the threading mode.
     */
    public ThreadingMode driverThreadingMode()
    {
        return driverThreadingMode;
    }

    /**
     * Set the idle strategy of the media driver's agents by name.
     *
     * @param driverIdleStrategy an alias or class name, see {@link DataPlaneConfiguration#newIdleStrategy}.
     * @return this for a fluent API.
     */
    public DataPlaneContext driverIdleStrategy(final String driverIdleStrategy)
    {
        this.driverIdleStrategy = driverIdleStrategy;
        return this;
    }

    /**
     * Get the name of the idle strategy of the media driver's agents.
     *
     * @return the alias or class name.
     */
    public String driverIdleStrategy()
    {
        return driverIdleStrategy;
    }

    /**
     * Set the idle strategy of Parasol's agents and of back-pressure retries by name.
     *
     * @param agentIdleStrategy an alias or class name, see {@link DataPlaneConfiguration#newIdleStrategy}.
     * @return this for a fluent API.
     */
    public DataPlaneContext agentIdleStrategy(final String agentIdleStrategy)
    {
        this.agentIdleStrategy = agentIdleStrategy;
        return this;
    }

    /**
     * Get the name of the idle strategy of Parasol's agents.
     *
     * @return the alias or class name.
     */
    public String agentIdleStrategy()
    {
        return agentIdleStrategy;
    }

    /**
     * Set how the parts of this node reach each other: {@link Transport#UDP} (the default, and what a cluster node
     * needs) or {@link Transport#IPC} (one process: local mode).
     *
     * @param transport the transport.
     * @return this for a fluent API.
     */
    public DataPlaneContext transport(final Transport transport)
    {
        this.transport = transport;
        return this;
    }

    /**
     * Get how the parts of this node reach each other.
     *
     * @return the transport.
     */
    public Transport transport()
    {
        return transport;
    }

    /**
     * Set the term length of publications; see {@link #termLengthFor(int)}.
     *
     * @param termLength a power of two in [64 KiB, 1 GiB].
     * @return this for a fluent API.
     */
    public DataPlaneContext termLength(final int termLength)
    {
        this.termLength = termLength;
        return this;
    }

    /**
     * Get the term length of publications.
     *
     * @return the term length in bytes.
     */
    public int termLength()
    {
        return termLength;
    }

    /**
     * Set the MTU, the largest datagram payload.
     *
     * @param mtuLength a multiple of 32 in (32, 65504].
     * @return this for a fluent API.
     */
    public DataPlaneContext mtuLength(final int mtuLength)
    {
        this.mtuLength = mtuLength;
        return this;
    }

    /**
     * Get the MTU.
     *
     * @return the MTU in bytes.
     */
    public int mtuLength()
    {
        return mtuLength;
    }

    /**
     * Set SO_SNDBUF of the UDP sockets.
     *
     * @param socketSndbufLength the length in bytes, or {@link #AUTO}.
     * @return this for a fluent API.
     */
    public DataPlaneContext socketSndbufLength(final int socketSndbufLength)
    {
        this.socketSndbufLength = socketSndbufLength;
        return this;
    }

    /**
     * Get SO_SNDBUF of the UDP sockets.
     *
     * @return the length in bytes, {@link #AUTO} before {@link #conclude()} if left to choose.
     */
    public int socketSndbufLength()
    {
        return socketSndbufLength;
    }

    /**
     * Set SO_RCVBUF of the UDP sockets.
     *
     * @param socketRcvbufLength the length in bytes, or {@link #AUTO}.
     * @return this for a fluent API.
     */
    public DataPlaneContext socketRcvbufLength(final int socketRcvbufLength)
    {
        this.socketRcvbufLength = socketRcvbufLength;
        return this;
    }

    /**
     * Get SO_RCVBUF of the UDP sockets.
     *
     * @return the length in bytes, {@link #AUTO} before {@link #conclude()} if left to choose.
     */
    public int socketRcvbufLength()
    {
        return socketRcvbufLength;
    }

    /**
     * Set the receiver window, the bytes a sender may have in flight to one receiver.
     *
     * @param receiverWindowLength the length in bytes, or {@link #AUTO}.
     * @return this for a fluent API.
     */
    public DataPlaneContext receiverWindowLength(final int receiverWindowLength)
    {
        this.receiverWindowLength = receiverWindowLength;
        return this;
    }

    /**
     * Get the receiver window.
     *
     * @return the length in bytes, {@link #AUTO} before {@link #conclude()} if left to choose.
     */
    public int receiverWindowLength()
    {
        return receiverWindowLength;
    }

    /**
     * Set how long the client waits for the driver's heartbeat before it declares the driver dead.
     *
     * @param driverTimeoutMs the timeout in milliseconds.
     * @return this for a fluent API.
     */
    public DataPlaneContext driverTimeoutMs(final long driverTimeoutMs)
    {
        this.driverTimeoutMs = driverTimeoutMs;
        return this;
    }

    /**
     * Get how long the client waits for the driver's heartbeat.
     *
     * @return the timeout in milliseconds.
     */
    public long driverTimeoutMs()
    {
        return driverTimeoutMs;
    }

    /**
     * Set how long the driver waits for a client's keepalive before it closes the client's resources.
     *
     * @param clientLivenessTimeoutNs the timeout in nanoseconds.
     * @return this for a fluent API.
     */
    public DataPlaneContext clientLivenessTimeoutNs(final long clientLivenessTimeoutNs)
    {
        this.clientLivenessTimeoutNs = clientLivenessTimeoutNs;
        return this;
    }

    /**
     * Get how long the driver waits for a client's keepalive.
     *
     * @return the timeout in nanoseconds.
     */
    public long clientLivenessTimeoutNs()
    {
        return clientLivenessTimeoutNs;
    }

    /**
     * Set the interval at which the client sends keepalives to the driver.
     *
     * @param keepAliveIntervalNs the interval in nanoseconds.
     * @return this for a fluent API.
     */
    public DataPlaneContext keepAliveIntervalNs(final long keepAliveIntervalNs)
    {
        this.keepAliveIntervalNs = keepAliveIntervalNs;
        return this;
    }

    /**
     * Get the interval at which the client sends keepalives.
     *
     * @return the interval in nanoseconds.
     */
    public long keepAliveIntervalNs()
    {
        return keepAliveIntervalNs;
    }

    /**
     * Set the interval at which the driver's conductor checks timeouts and heartbeats.
     *
     * @param timerIntervalNs the interval in nanoseconds.
     * @return this for a fluent API.
     */
    public DataPlaneContext timerIntervalNs(final long timerIntervalNs)
    {
        this.timerIntervalNs = timerIntervalNs;
        return this;
    }

    /**
     * Get the interval at which the driver's conductor checks timeouts.
     *
     * @return the interval in nanoseconds.
     */
    public long timerIntervalNs()
    {
        return timerIntervalNs;
    }

    /**
     * Set how long a publication stays connected without a status message from a receiver.
     *
     * @param publicationConnectionTimeoutNs the timeout in nanoseconds.
     * @return this for a fluent API.
     */
    public DataPlaneContext publicationConnectionTimeoutNs(final long publicationConnectionTimeoutNs)
    {
        this.publicationConnectionTimeoutNs = publicationConnectionTimeoutNs;
        return this;
    }

    /**
     * Get how long a publication stays connected without a status message.
     *
     * @return the timeout in nanoseconds.
     */
    public long publicationConnectionTimeoutNs()
    {
        return publicationConnectionTimeoutNs;
    }

    /**
     * Set how long a closed publication lingers to serve retransmits before its log is freed.
     *
     * @param publicationLingerTimeoutNs the timeout in nanoseconds.
     * @return this for a fluent API.
     */
    public DataPlaneContext publicationLingerTimeoutNs(final long publicationLingerTimeoutNs)
    {
        this.publicationLingerTimeoutNs = publicationLingerTimeoutNs;
        return this;
    }

    /**
     * Get how long a closed publication lingers.
     *
     * @return the timeout in nanoseconds.
     */
    public long publicationLingerTimeoutNs()
    {
        return publicationLingerTimeoutNs;
    }

    /**
     * Set how long the driver waits before it unblocks a publication left half written by a dead client.
     *
     * @param publicationUnblockTimeoutNs the timeout in nanoseconds.
     * @return this for a fluent API.
     */
    public DataPlaneContext publicationUnblockTimeoutNs(final long publicationUnblockTimeoutNs)
    {
        this.publicationUnblockTimeoutNs = publicationUnblockTimeoutNs;
        return this;
    }

    /**
     * Get how long the driver waits before it unblocks a publication.
     *
     * @return the timeout in nanoseconds.
     */
    public long publicationUnblockTimeoutNs()
    {
        return publicationUnblockTimeoutNs;
    }

    /**
     * Set the longest interval between status messages a receiver sends to a publication.
     *
     * @param statusMessageTimeoutNs the interval in nanoseconds.
     * @return this for a fluent API.
     */
    public DataPlaneContext statusMessageTimeoutNs(final long statusMessageTimeoutNs)
    {
        this.statusMessageTimeoutNs = statusMessageTimeoutNs;
        return this;
    }

    /**
     * Get the longest interval between status messages.
     *
     * @return the interval in nanoseconds.
     */
    public long statusMessageTimeoutNs()
    {
        return statusMessageTimeoutNs;
    }

    /**
     * Set how long an image stays alive without data or heartbeats from its publication.
     *
     * @param imageLivenessTimeoutNs the timeout in nanoseconds.
     * @return this for a fluent API.
     */
    public DataPlaneContext imageLivenessTimeoutNs(final long imageLivenessTimeoutNs)
    {
        this.imageLivenessTimeoutNs = imageLivenessTimeoutNs;
        return this;
    }

    /**
     * Get how long an image stays alive without data or heartbeats.
     *
     * @return the timeout in nanoseconds.
     */
    public long imageLivenessTimeoutNs()
    {
        return imageLivenessTimeoutNs;
    }

    /**
     * Set the largest number of publications this node will add, for the free-space check.
     *
     * @param maxPublications at least 1.
     * @return this for a fluent API.
     */
    public DataPlaneContext maxPublications(final int maxPublications)
    {
        this.maxPublications = maxPublications;
        return this;
    }

    /**
     * Get the largest number of publications this node will add.
     *
     * @return the number of publications.
     */
    public int maxPublications()
    {
        return maxPublications;
    }

    /**
     * Set how long a {@link MessageSender} retries a back-pressured offer before it gives up.
     *
     * @param sendTimeoutNs the timeout in nanoseconds, positive.
     * @return this for a fluent API.
     */
    public DataPlaneContext sendTimeoutNs(final long sendTimeoutNs)
    {
        this.sendTimeoutNs = sendTimeoutNs;
        return this;
    }

    /**
     * Get how long a {@link MessageSender} retries a back-pressured offer.
     *
     * @return the timeout in nanoseconds.
     */
    public long sendTimeoutNs()
    {
        return sendTimeoutNs;
    }

    /**
     * Set the function that tells the usable bytes of the file system holding a path (which may not exist yet).
     * Tests replace it to simulate a full {@code /dev/shm}.
     *
     * @param freeSpaceProbe from the Aeron directory to its file system's usable bytes.
     * @return this for a fluent API.
     */
    public DataPlaneContext freeSpaceProbe(final ToLongFunction<Path> freeSpaceProbe)
    {
        this.freeSpaceProbe = freeSpaceProbe;
        return this;
    }

    /**
     * Get the function that tells the usable bytes of the file system holding a path.
     *
     * @return the probe.
     */
    public ToLongFunction<Path> freeSpaceProbe()
    {
        return freeSpaceProbe;
    }

    /**
     * Set the handler of errors raised in the media driver's and the client's threads.
     *
     * @param errorHandler the handler, or null for Aeron's default (print to standard error).
     * @return this for a fluent API.
     */
    public DataPlaneContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * Get the handler of errors raised in the media driver's and the client's threads.
     *
     * @return the handler, or null for Aeron's default.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * Build the embedded media driver's context from this concluded context.
     */
    MediaDriver.Context newMediaDriverContext()
    {
        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(aeronDirectoryName)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .threadingMode(driverThreadingMode)
            .sharedIdleStrategy(newDriverIdleStrategy())
            .sharedNetworkIdleStrategy(newDriverIdleStrategy())
            .conductorIdleStrategy(newDriverIdleStrategy())
            .senderIdleStrategy(newDriverIdleStrategy())
            .receiverIdleStrategy(newDriverIdleStrategy())
            .mtuLength(mtuLength)
            .publicationTermBufferLength(termLength)
            .socketSndbufLength(socketSndbufLength)
            .socketRcvbufLength(socketRcvbufLength)
            .initialWindowLength(receiverWindowLength)
            .driverTimeoutMs(driverTimeoutMs)
            .clientLivenessTimeoutNs(clientLivenessTimeoutNs)
            .timerIntervalNs(timerIntervalNs)
            .publicationConnectionTimeoutNs(publicationConnectionTimeoutNs)
            .publicationLingerTimeoutNs(publicationLingerTimeoutNs)
            .publicationUnblockTimeoutNs(publicationUnblockTimeoutNs)
            .statusMessageTimeoutNs(statusMessageTimeoutNs)
            .imageLivenessTimeoutNs(imageLivenessTimeoutNs);

        if (null != errorHandler)
        {
            driverContext.errorHandler(errorHandler);
        }

        return driverContext;
    }

    /**
     * Build the Aeron client's context from this concluded context.
     */
    Aeron.Context newAeronContext()
    {
        final Aeron.Context aeronContext = new Aeron.Context()
            .aeronDirectoryName(aeronDirectoryName)
            .clientName("parasol-data-plane")
            .keepAliveIntervalNs(keepAliveIntervalNs)
            // On a forced close (a timeout after a long pause) the client unmaps its memory, counters included:
            // a linger lets the parts' threads, which may be mid-send, see CLOSED before it goes.
            .closeLingerDurationNs(CLOSE_LINGER_NS);
        aeronContext.driverTimeoutMs(driverTimeoutMs);

        if (null != errorHandler)
        {
            aeronContext.errorHandler(errorHandler);
        }

        return aeronContext;
    }

    private void concludeAeronDirectory()
    {
        if (null != aeronDirectoryName)
        {
            return;
        }

        if (MediaDriverMode.EXTERNAL == mediaDriverMode)
        {
            aeronDirectoryName = CommonContext.getAeronDirectoryName();
            return;
        }

        String parent = aeronDirectoryParent;
        if (DataPlaneConfiguration.AERON_DIRECTORY_PARENT_DEFAULT.equals(parent) && !new File(parent).isDirectory())
        {
            // Not Linux: no shared-memory file system, the temporary directory is the next best place.
            parent = System.getProperty("java.io.tmpdir");
        }

        removeDirectoriesOfDeadProcesses(new File(parent));
        // Unique per process and per data plane without randomness: pid, a sequence and the clock.
        aeronDirectoryName = new File(parent, "parasol-" + ProcessHandle.current().pid() + "-" +
            DIRECTORY_SEQUENCE.incrementAndGet() + "-" + Long.toHexString(System.nanoTime())).getPath();
    }

    /**
     * A process killed with SIGKILL cannot delete its Aeron directory, and each holds three term buffers per
     * publication in shared memory: remove the {@code parasol-PID-...} directories whose process is gone, so a
     * host that restarts nodes after crashes does not fill /dev/shm. Processes in other PID namespaces (containers)
     * that share the parent directory look dead from here: give each such namespace its own aeron-dir parent.
     */
    private static void removeDirectoriesOfDeadProcesses(final File parent)
    {
        final File[] children = parent.listFiles((dir, name) -> name.startsWith("parasol-"));
        if (null == children)
        {
            return;
        }
        for (final File child : children)
        {
            final String[] parts = child.getName().split("-", 3);
            if (parts.length < 3 || !child.isDirectory())
            {
                continue;
            }
            try
            {
                final long pid = Long.parseLong(parts[1]);
                if (ProcessHandle.of(pid).isEmpty())
                {
                    IoUtil.delete(child, true);
                }
            }
            catch (final NumberFormatException ex)
            {
                // Not one of ours: leave it.
            }
        }
    }

    /**
     * Set the socket buffers and receiver window chosen by {@link Preflight}, when they were left to choose.
     */
    void concludeSocketLengths(final int sndbuf, final int rcvbuf, final int window)
    {
        socketSndbufLength = sndbuf;
        socketRcvbufLength = rcvbuf;
        receiverWindowLength = window;
    }

    /**
     * Convert milliseconds to nanoseconds for comparisons between timeouts.
     */
    static long msToNs(final long ms)
    {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
