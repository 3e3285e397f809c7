package dev.parasol.actors.dataplane;

import dev.parasol.actors.exceptions.ConfigurationException;
import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.ConcurrentPublication;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.RegistrationException;
import io.aeron.status.ChannelEndpointStatus;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One node's Aeron data plane: a media driver (embedded by default, or an external one) and an Aeron client, owned
 * together and closed together. Gradients and parameters travel on UDP channels built by {@link #udpChannel} with the
 * tuned settings of the {@link DataPlaneContext}; receivers advertise {@link Endpoint}s over the control plane.
 * <p>
 * Launching concludes the context first, so a bad setting fails with a {@link ConfigurationException} naming it
 * before any thread starts. Closing closes the client (and with it every publication, subscription and counter it
 * added), then the embedded driver, then deletes the embedded driver's directory.
 * <p>
 * Thread safe: the Aeron client serialises its commands. Publications and subscriptions themselves follow Aeron's
 * rules (an {@link ExclusivePublication} and a {@link Subscription} belong to one thread).
 */
public final class DataPlane implements AutoCloseable
{
    private final DataPlaneContext ctx;
    private final MediaDriver mediaDriver;
    private static final Logger LOG = LoggerFactory.getLogger(DataPlane.class);

    private final Aeron aeron;
    private final ConcurrentHashMap<Integer, ReceiverWakeup> receiverWakeups = new ConcurrentHashMap<>();
    private volatile boolean isClosed;

    private DataPlane(final DataPlaneContext ctx, final MediaDriver mediaDriver, final Aeron aeron)
    {
        this.ctx = ctx;
        this.mediaDriver = mediaDriver;
        this.aeron = aeron;
    }

    /**
     * Conclude the context if needed, launch the embedded media driver (or find the external one) and connect a
     * client to it.
     *
     * @param ctx the settings; concluded here unless already concluded.
     * @return the running data plane.
     * @throws ConfigurationException if a setting is bad or the driver cannot be started or reached.
     */
    public static DataPlane launch(final DataPlaneContext ctx)
    {
        if (!ctx.isConcluded())
        {
            ctx.conclude();
        }

        MediaDriver mediaDriver = null;
        Aeron aeron = null;
        try
        {
            if (MediaDriverMode.EMBEDDED == ctx.mediaDriverMode())
            {
                mediaDriver = MediaDriver.launch(ctx.newMediaDriverContext());
            }
            final DataPlane[] plane = new DataPlane[1];
            aeron = Aeron.connect(ctx.newAeronContext().closeHandler(() -> onClientClosed(plane[0])));
            plane[0] = new DataPlane(ctx, mediaDriver, aeron);
            return plane[0];
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(aeron, mediaDriver);
            deleteEmbeddedDirectory(ctx);
            throw new ConfigurationException("aeronDirectoryName=" + ctx.aeronDirectoryName() + ": could not start " +
                "the data plane with mediaDriverMode=" + ctx.mediaDriverMode() + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Get the concluded context.
     *
     * @return the context.
     */
    public DataPlaneContext context()
    {
        return ctx;
    }

    /**
     * Get the Aeron client, for anything this class does not wrap.
     *
     * @return the client.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * Get the Aeron directory in use.
     *
     * @return the directory.
     */
    public String aeronDirectoryName()
    {
        return ctx.aeronDirectoryName();
    }

    /**
     * Get the host subscriptions bind to, which endpoints advertise unless the context advertises another address
     * ({@link DataPlaneContext#advertisedHost(String)}).
     *
     * @return the bind host.
     */
    public String bindHost()
    {
        return ctx.bindHost();
    }

    /**
     * Build a UDP channel to a host and port with the tuned settings, see {@link DataPlaneContext#udpChannel}.
     *
     * @param host the IP address or host name.
     * @param port the UDP port, 0 for an ephemeral port on a subscription.
     * @return the channel URI.
     */
    public String udpChannel(final String host, final int port)
    {
        return ctx.udpChannel(host, port);
    }

    /**
     * Build the UDP channel of an endpoint with the tuned settings.
     *
     * @param endpoint a receiver's endpoint.
     * @return the channel URI.
     */
    public String udpChannel(final Endpoint endpoint)
    {
        return ctx.udpChannel(endpoint.host(), endpoint.port());
    }

    /**
     * Add a publication that several threads may offer on.
     *
     * @param channel  the channel URI.
     * @param streamId the stream id.
     * @return the publication, owned by this data plane's client.
     */
    public ConcurrentPublication addPublication(final String channel, final int streamId)
    {
        return aeron.addPublication(channel, streamId);
    }

    /**
     * Add a publication for a single offering thread; cheaper per offer than a concurrent one.
     *
     * @param channel  the channel URI.
     * @param streamId the stream id.
     * @return the publication, owned by this data plane's client.
     */
    public ExclusivePublication addExclusivePublication(final String channel, final int streamId)
    {
        return aeron.addExclusivePublication(channel, streamId);
    }

    /**
     * Add an exclusive publication to a receiver's endpoint.
     *
     * @param endpoint the receiver's endpoint, host, port and stream id.
     * @return the publication, owned by this data plane's client.
     */
    public ExclusivePublication addExclusivePublication(final Endpoint endpoint)
    {
        return aeron.addExclusivePublication(
            endpoint.isIpc() ? ctx.ipcChannel() : udpChannel(endpoint), endpoint.streamId());
    }

    /**
     * Add a subscription on a channel.
     *
     * @param channel  the channel URI.
     * @param streamId the stream id.
     * @return the subscription, owned by this data plane's client.
     */
    public Subscription addSubscription(final String channel, final int streamId)
    {
        return aeron.addSubscription(channel, streamId);
    }

    /**
     * Add a subscription on the bind host and the context's data port. With data port 0 each subscription gets an
     * ephemeral port of its own, chosen by the driver without a race; read it with {@link #resolveEndpoint}. With a
     * fixed data port every such subscription shares the port, told apart by stream id. With the IPC
     * {@link Transport} the subscription is on the driver's IPC channel instead, told apart by stream id.
     *
     * @param streamId the stream id.
     * @return the subscription, owned by this data plane's client.
     * @throws ConfigurationException if the port cannot be bound.
     */
    public Subscription addSubscription(final int streamId)
    {
        if (Transport.IPC == ctx.transport())
        {
            return aeron.addSubscription(ctx.ipcChannel(), streamId);
        }
        final String channel = udpChannel(ctx.bindHost(), ctx.dataPort());
        try
        {
            return aeron.addSubscription(channel, streamId);
        }
        catch (final RegistrationException ex)
        {
            throw new ConfigurationException("dataPort=" + ctx.dataPort() + ": cannot subscribe on bindHost=" +
                ctx.bindHost() + " (" + ex.getMessage() + ")", ex);
        }
    }

    /**
     * Wait until a UDP subscription's endpoint is bound and return it as an {@link Endpoint} to advertise: the
     * context's bind host, the port actually bound (the resolved ephemeral port for port 0) and the stream id; or,
     * for a subscription on the data port of a context that advertises another address (a NAT's, a relay's), that
     * address with the stream id, see {@link DataPlaneContext#advertisedEndpoint(int, int)}.
     *
     * @param subscription a UDP subscription added by this data plane.
     * @param timeout      how long to wait for the driver to bind.
     * @return the endpoint.
     * @throws IllegalStateException if the channel errored or the timeout passed.
     */
    public Endpoint resolveEndpoint(final Subscription subscription, final Duration timeout)
    {
        if (Transport.IPC == Transport.ofChannel(subscription.channel()))
        {
            return Endpoint.ipc(subscription.streamId());
        }
        final SleepingMillisIdleStrategy idle = new SleepingMillisIdleStrategy(1);
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            if (ChannelEndpointStatus.ERRORED == subscription.channelStatus())
            {
                throw new IllegalStateException("channel errored: " + subscription.channel());
            }

            final String resolved = subscription.resolvedEndpoint();
            if (null != resolved)
            {
                final int port = Integer.parseInt(resolved.substring(resolved.lastIndexOf(':') + 1));
                return ctx.advertisedEndpoint(port, subscription.streamId());
            }

            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new IllegalStateException("endpoint not resolved within " + timeout + ": " +
                    subscription.channel());
            }
            idle.idle();
        }
    }

    /**
     * Find a free UDP port on the bind host by binding port 0 and releasing it. Racy: another process may take the
     * port before it is used. Prefer {@link #addSubscription(int)} with data port 0 and {@link #resolveEndpoint},
     * which has no race; use this only when a port must be known before anything binds it.
     *
     * @return a port that was free a moment ago.
     * @throws ConfigurationException if no port can be bound on the bind host.
     */
    public int allocatePort()
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(ctx.bindHost(), 0)))
        {
            return socket.getLocalPort();
        }
        catch (final SocketException ex)
        {
            throw new ConfigurationException("bindHost=" + ctx.bindHost() + ": cannot bind a UDP port (" +
                ex.getMessage() + ")", ex);
        }
    }

    /**
     * Allocate a job's counters from this data plane's client, so AeronStat shows them.
     *
     * @param scope appended to every label, such as {@code job=42}.
     * @return the counters, freed by their {@link TrainingCounters#close()} or with this data plane.
     */
    public TrainingCounters newTrainingCounters(final String scope)
    {
        return TrainingCounters.allocate(aeron, scope);
    }

    /**
     * Create a sender on a publication with the context's agent idle strategy and send timeout.
     *
     * @param publication to offer on.
     * @param counters    the job's counters.
     * @param traffic     what the messages are.
     * @return a sender for one thread.
     */
    public MessageSender newSender(
        final Publication publication, final TrainingCounters counters, final MessageSender.Traffic traffic)
    {
        final ReceiverWakeup wakeup = Transport.IPC == Transport.ofChannel(publication.channel()) ?
            receiverWakeup(publication.streamId()) : ReceiverWakeup.NONE;
        return new MessageSender(
            publication, counters, traffic, ctx.newAgentIdleStrategy(), ctx.sendTimeoutNs(), wakeup);
    }

    /**
     * Get the wakeup of the receiver of one of this node's streams: the one its IPC senders wake after each message
     * and its receiving agent binds. Over UDP nobody can wake the receiver: {@link ReceiverWakeup#NONE}.
     *
     * @param streamId the stream id of the receiver's subscription.
     * @return the stream's wakeup, the same instance for every call with the same stream id.
     */
    public ReceiverWakeup receiverWakeup(final int streamId)
    {
        return Transport.IPC == ctx.transport() ?
            receiverWakeups.computeIfAbsent(streamId, (id) -> new ReceiverWakeup(() -> receiverWakeups.remove(id))) :
            ReceiverWakeup.NONE;
    }

    /**
     * Get the endpoint part ({@code host:port}) of a channel URI.
     *
     * @param channel a UDP channel URI.
     * @return the endpoint parameter, or null if absent.
     */
    public static String endpointOf(final String channel)
    {
        return ChannelUri.parse(channel).get(CommonContext.ENDPOINT_PARAM_NAME);
    }

    /**
     * Has this data plane been closed?
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return isClosed;
    }

    /**
     * Called by the Aeron client's conductor as it closes, before it unmaps its memory (the client lingers
     * {@code closeLingerDurationNs} first, so that a part's thread that is sending sees CLOSED, not freed memory).
     */
    private static void onClientClosed(final DataPlane plane)
    {
        if (plane != null && !plane.isClosed)
        {
            LOG.error("the Aeron client of this node's data plane closed on its own (a driver or client timeout: was " +
                "the process paused longer than parasol.data-plane.driver-timeout, or did the media driver stop?); " +
                "the node's parts can no longer send: restart the node");
        }
    }

    /**
     * Close the client, then the embedded driver, then delete the embedded driver's directory. Idempotent.
     */
    public synchronized void close()
    {
        if (isClosed)
        {
            return;
        }
        isClosed = true;

        try
        {
            CloseHelper.closeAll(aeron, mediaDriver);
        }
        finally
        {
            deleteEmbeddedDirectory(ctx);
        }
    }

    private static void deleteEmbeddedDirectory(final DataPlaneContext ctx)
    {
        if (MediaDriverMode.EMBEDDED == ctx.mediaDriverMode() && null != ctx.aeronDirectoryName())
        {
            // The driver deletes it on shutdown too; this covers a driver that failed half way through starting.
            IoUtil.delete(new File(ctx.aeronDirectoryName()), true);
        }
    }
}
