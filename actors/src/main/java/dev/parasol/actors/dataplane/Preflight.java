package dev.parasol.actors.dataplane;

import dev.parasol.actors.exceptions.ConfigurationException;
import io.aeron.CommonContext;
import io.aeron.driver.Configuration;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.LogBufferDescriptor;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.BitUtil;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checks of {@link DataPlaneContext#conclude()}: each throws a {@link ConfigurationException} that starts with
 * {@code setting=value}. Kept apart from the context so that the context stays a plain bag of settings.
 */
final class Preflight
{
    /**
     * An idle publication heartbeats its receivers at this interval (Aeron's {@code PUBLICATION_HEARTBEAT_TIMEOUT_NS}).
     */
    static final long PUBLICATION_HEARTBEAT_INTERVAL_NS = Configuration.PUBLICATION_HEARTBEAT_TIMEOUT_NS;

    private Preflight()
    {
    }

    static void validateHostAndModes(final DataPlaneContext ctx)
    {
        final String host = ctx.bindHost();
        final InetAddress address;
        try
        {
            address = InetAddress.getByName(host);
        }
        catch (final UnknownHostException | RuntimeException ex)
        {
            throw new ConfigurationException("bindHost=" + host + ": cannot be resolved to an address", ex);
        }

        if (!isLocal(address))
        {
            throw new ConfigurationException("bindHost=" + host + ": not an address of this machine");
        }

        if (ctx.dataPort() < 0 || ctx.dataPort() > 65535)
        {
            throw new ConfigurationException("dataPort=" + ctx.dataPort() + ": expected 0 (ephemeral) to 65535");
        }

        validateAdvertised(ctx);

        if (null == ctx.mediaDriverMode())
        {
            throw new ConfigurationException("mediaDriverMode=null: expected EMBEDDED or EXTERNAL");
        }

        final ThreadingMode threadingMode = ctx.driverThreadingMode();
        if (null == threadingMode || ThreadingMode.INVOKER == threadingMode)
        {
            throw new ConfigurationException("driverThreadingMode=" + threadingMode +
                ": expected SHARED, SHARED_NETWORK or DEDICATED (nothing in Parasol invokes the driver's agents)");
        }

        ctx.newDriverIdleStrategy();
        ctx.newAgentIdleStrategy();

        if (ctx.maxPublications() < 1)
        {
            throw new ConfigurationException("maxPublications=" + ctx.maxPublications() + ": expected at least 1");
        }

        if (ctx.sendTimeoutNs() <= 0)
        {
            throw new ConfigurationException("sendTimeoutNs=" + ctx.sendTimeoutNs() + ": expected a positive timeout");
        }
    }

    static void validateLengths(final DataPlaneContext ctx)
    {
        final int termLength = ctx.termLength();
        if (termLength < LogBufferDescriptor.TERM_MIN_LENGTH || termLength > LogBufferDescriptor.TERM_MAX_LENGTH ||
            !BitUtil.isPowerOfTwo(termLength))
        {
            throw new ConfigurationException("termLength=" + termLength + ": expected a power of two in [" +
                LogBufferDescriptor.TERM_MIN_LENGTH + ", " + LogBufferDescriptor.TERM_MAX_LENGTH + "]");
        }

        final int mtu = ctx.mtuLength();
        if (mtu <= DataHeaderFlyweight.HEADER_LENGTH || mtu > Configuration.MAX_UDP_PAYLOAD_LENGTH ||
            (mtu & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0)
        {
            throw new ConfigurationException("mtuLength=" + mtu + ": expected a multiple of " +
                FrameDescriptor.FRAME_ALIGNMENT + " in (" + DataHeaderFlyweight.HEADER_LENGTH + ", " +
                Configuration.MAX_UDP_PAYLOAD_LENGTH + "]");
        }

        if (mtu > ctx.maxMessageLength())
        {
            throw new ConfigurationException("mtuLength=" + mtu + ": exceeds the largest message " +
                ctx.maxMessageLength() + " of termLength=" + termLength + " (termLength / 8); raise termLength");
        }

        final int sndbuf = socketBuffer("socketSndbufLength", ctx.socketSndbufLength(),
            StandardSocketOptions.SO_SNDBUF, "net.core.wmem_max");
        final int rcvbuf = socketBuffer("socketRcvbufLength", ctx.socketRcvbufLength(),
            StandardSocketOptions.SO_RCVBUF, "net.core.rmem_max");
        final int window = DataPlaneContext.AUTO == ctx.receiverWindowLength() ?
            Math.min(DataPlaneConfiguration.RECEIVER_WINDOW_LENGTH_DEFAULT, Math.min(rcvbuf, termLength / 2)) :
            ctx.receiverWindowLength();

        if (mtu > sndbuf)
        {
            throw new ConfigurationException("mtuLength=" + mtu + ": exceeds socketSndbufLength=" + sndbuf +
                "; a datagram must fit the send buffer");
        }

        if (window < mtu || window > rcvbuf || window > termLength / 2)
        {
            throw new ConfigurationException("receiverWindowLength=" + window + ": expected at least mtuLength=" +
                mtu + " and at most socketRcvbufLength=" + rcvbuf + " and termLength / 2=" + (termLength / 2));
        }

        ctx.concludeSocketLengths(sndbuf, rcvbuf, window);
    }

    static void validateTimeouts(final DataPlaneContext ctx)
    {
        requirePositive("driverTimeoutMs", ctx.driverTimeoutMs());
        requirePositive("clientLivenessTimeoutNs", ctx.clientLivenessTimeoutNs());
        requirePositive("keepAliveIntervalNs", ctx.keepAliveIntervalNs());
        requirePositive("timerIntervalNs", ctx.timerIntervalNs());
        requirePositive("publicationConnectionTimeoutNs", ctx.publicationConnectionTimeoutNs());
        requirePositive("publicationUnblockTimeoutNs", ctx.publicationUnblockTimeoutNs());
        requirePositive("statusMessageTimeoutNs", ctx.statusMessageTimeoutNs());
        requirePositive("imageLivenessTimeoutNs", ctx.imageLivenessTimeoutNs());
        if (ctx.publicationLingerTimeoutNs() < 0)
        {
            throw new ConfigurationException(
                "publicationLingerTimeoutNs=" + ctx.publicationLingerTimeoutNs() + ": expected 0 or more");
        }

        requireAbove("clientLivenessTimeoutNs", ctx.clientLivenessTimeoutNs(),
            "keepAliveIntervalNs", ctx.keepAliveIntervalNs());
        requireAbove("clientLivenessTimeoutNs", ctx.clientLivenessTimeoutNs(),
            "timerIntervalNs", ctx.timerIntervalNs());
        requireAbove("publicationUnblockTimeoutNs", ctx.publicationUnblockTimeoutNs(),
            "clientLivenessTimeoutNs", ctx.clientLivenessTimeoutNs());

        final long driverTimeoutNs = DataPlaneContext.msToNs(ctx.driverTimeoutMs());
        final long driverHeartbeatNs = Math.max(ctx.timerIntervalNs(), ctx.keepAliveIntervalNs());
        if (driverTimeoutNs <= driverHeartbeatNs)
        {
            throw new ConfigurationException("driverTimeoutMs=" + ctx.driverTimeoutMs() + ": must be greater than " +
                "timerIntervalNs=" + ctx.timerIntervalNs() + " and keepAliveIntervalNs=" + ctx.keepAliveIntervalNs() +
                " (the driver heartbeats once per timer interval, the client checks once per keepalive interval)");
        }

        requireAbove("publicationConnectionTimeoutNs", ctx.publicationConnectionTimeoutNs(),
            "statusMessageTimeoutNs", ctx.statusMessageTimeoutNs());
        requireAbove("imageLivenessTimeoutNs", ctx.imageLivenessTimeoutNs(),
            "the publication heartbeat interval (ns)", PUBLICATION_HEARTBEAT_INTERVAL_NS);
    }

    private static void validateAdvertised(final DataPlaneContext ctx)
    {
        final String host = ctx.advertisedHost();
        final int port = ctx.advertisedPort();
        if (null == host)
        {
            if (0 != port)
            {
                throw new ConfigurationException("advertisedPort=" + port + ": set without an advertisedHost");
            }
            return;
        }

        if (host.isBlank())
        {
            throw new ConfigurationException("advertisedHost='" + host + "': expected an address peers can reach");
        }

        if (port < 1 || port > 65535)
        {
            throw new ConfigurationException("advertisedPort=" + port + ": expected 1 to 65535 with advertisedHost=" +
                host);
        }

        if (0 == ctx.dataPort())
        {
            // With port 0 each receiver binds an ephemeral port of its own: one address cannot stand for them all.
            throw new ConfigurationException("advertisedHost=" + host + ": an advertised address needs a fixed " +
                "dataPort (0 gives each receiver its own ephemeral port, which one HOST:PORT cannot stand for)");
        }
    }

    static void checkDataPort(final DataPlaneContext ctx)
    {
        if (0 == ctx.dataPort())
        {
            return;
        }

        try (DatagramSocket socket = new DatagramSocket(null))
        {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(ctx.bindHost(), ctx.dataPort()));
        }
        catch (final SocketException ex)
        {
            throw new ConfigurationException("dataPort=" + ctx.dataPort() + ": already in use on bindHost=" +
                ctx.bindHost() + " (" + ex.getMessage() + "); choose another port or 0 for an ephemeral one", ex);
        }
    }

    static void checkAeronDirectory(final DataPlaneContext ctx)
    {
        final File directory = new File(ctx.aeronDirectoryName());
        final boolean isDriverActive = isDriverActive(directory, ctx.driverTimeoutMs());
        if (MediaDriverMode.EMBEDDED == ctx.mediaDriverMode() && isDriverActive)
        {
            throw new ConfigurationException("aeronDirectoryName=" + directory + ": a media driver is already " +
                "running there; an embedded driver needs a directory of its own (leave aeronDirectoryName unset)");
        }

        if (MediaDriverMode.EXTERNAL == ctx.mediaDriverMode() && !isDriverActive)
        {
            throw new ConfigurationException("aeronDirectoryName=" + directory + ": no running media driver found " +
                "with mediaDriverMode=EXTERNAL; start the driver first or use EMBEDDED");
        }
    }

    static void checkFreeSpace(final DataPlaneContext ctx)
    {
        final Path directory = Path.of(ctx.aeronDirectoryName());
        final long usable = ctx.freeSpaceProbe().applyAsLong(directory);
        final long required = requiredStorageBytes(ctx);
        if (usable < required)
        {
            final long logLength = logLength(ctx);
            throw new ConfigurationException("aeronDirectoryName=" + directory + ": its file system has " + usable +
                " bytes free but maxPublications=" + ctx.maxPublications() + " x 2 logs (publication and image) x " +
                logLength + " bytes (termLength=" + ctx.termLength() + ") + " + driverFilesLength(ctx) +
                " bytes of driver files need " + required +
                "; lower maxPublications or termLength, or enlarge the file system (for /dev/shm: " +
                "mount -o remount,size=...)");
        }
    }

    static long requiredStorageBytes(final DataPlaneContext ctx)
    {
        return ctx.maxPublications() * 2L * logLength(ctx) + driverFilesLength(ctx);
    }

    private static long logLength(final DataPlaneContext ctx)
    {
        return LogBufferDescriptor.computeLogLength(ctx.termLength(), DataPlaneContext.FILE_PAGE_SIZE);
    }

    static long usableSpace(final Path path)
    {
        Path existing = path.toAbsolutePath();
        while (null != existing && !Files.exists(existing))
        {
            existing = existing.getParent();
        }

        if (null == existing)
        {
            return Long.MAX_VALUE;
        }

        try
        {
            return Files.getFileStore(existing).getUsableSpace();
        }
        catch (final IOException ex)
        {
            // Cannot tell: let the media driver's own storage check decide when it maps each log.
            return Long.MAX_VALUE;
        }
    }

    private static long driverFilesLength(final DataPlaneContext ctx)
    {
        if (MediaDriverMode.EXTERNAL == ctx.mediaDriverMode())
        {
            return 0;
        }

        final int counterValues = Configuration.counterValuesBufferLength();
        return (long)Configuration.conductorBufferLength() + Configuration.toClientsBufferLength() + counterValues +
            Configuration.countersMetadataBufferLength(counterValues) + Configuration.errorBufferLength() +
            Configuration.lossReportBufferLength() + 2L * DataPlaneContext.FILE_PAGE_SIZE;
    }

    private static int socketBuffer(
        final String name, final int requested, final SocketOption<Integer> option, final String sysctl)
    {
        final int osMax = osMaxSocketBufferLength(option);
        if (DataPlaneContext.AUTO == requested)
        {
            return Math.min(DataPlaneConfiguration.SOCKET_BUFFER_LENGTH_DEFAULT, osMax);
        }

        if (requested <= 0)
        {
            throw new ConfigurationException(name + "=" + requested + ": expected a positive length");
        }

        if (requested > osMax)
        {
            throw new ConfigurationException(name + "=" + requested + ": exceeds what the OS grants, " + osMax +
                " (raise " + sysctl + " or lower the setting); the kernel would silently cap it");
        }

        return requested;
    }

    private static int osMaxSocketBufferLength(final SocketOption<Integer> option)
    {
        // Same probe as Aeron's MediaDriver.Context: ask for everything, read back what the kernel granted.
        try (DatagramChannel channel = DatagramChannel.open())
        {
            channel.setOption(option, Integer.MAX_VALUE);
            return channel.getOption(option);
        }
        catch (final IOException ex)
        {
            return Integer.MAX_VALUE;
        }
    }

    private static boolean isLocal(final InetAddress address)
    {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress())
        {
            return true;
        }

        try
        {
            return null != NetworkInterface.getByInetAddress(address);
        }
        catch (final SocketException ex)
        {
            return false;
        }
    }

    private static boolean isDriverActive(final File directory, final long driverTimeoutMs)
    {
        if (!new File(directory, "cnc.dat").exists())
        {
            return false;
        }

        try
        {
            return CommonContext.isDriverActive(directory, driverTimeoutMs, (message) -> {});
        }
        catch (final RuntimeException ex)
        {
            // A CnC file left half written by a dead driver: not active.
            return false;
        }
    }

    private static void requirePositive(final String name, final long value)
    {
        if (value <= 0)
        {
            throw new ConfigurationException(name + "=" + value + ": expected a positive duration");
        }
    }

    private static void requireAbove(final String name, final long value, final String otherName, final long other)
    {
        if (value <= other)
        {
            throw new ConfigurationException(name + "=" + value + ": must be greater than " + otherName + "=" + other);
        }
    }
}
