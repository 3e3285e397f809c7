package dev.parasol.actors.dataplane;

import dev.parasol.actors.exceptions.ConfigurationException;
import io.aeron.driver.ThreadingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks of {@link DataPlaneContext#conclude()}: every failure is a {@link ConfigurationException} naming the
 * setting and its value. Nothing here starts a media driver.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DataPlaneContextTest
{
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path tempDir;

    private DataPlaneContext context()
    {
        return new DataPlaneContext().aeronDirectoryParent(tempDir.toString());
    }

    private static String failure(final DataPlaneContext ctx)
    {
        return assertThrows(ConfigurationException.class, ctx::conclude).getMessage();
    }

    @Test
    void shouldConcludeDefaultsWhenNothingIsSet()
    {
        final DataPlaneContext ctx = context().conclude();

        assertTrue(ctx.isConcluded());
        assertTrue(ctx.aeronDirectoryName().startsWith(tempDir.resolve("parasol-").toString()));
        assertEquals(DataPlaneConfiguration.TERM_LENGTH_DEFAULT, ctx.termLength());
        assertTrue(ctx.socketRcvbufLength() > 0 && ctx.socketSndbufLength() > 0);
        assertTrue(ctx.receiverWindowLength() >= ctx.mtuLength());
        assertTrue(ctx.receiverWindowLength() <= ctx.socketRcvbufLength());
        assertTrue(ctx.receiverWindowLength() <= ctx.termLength() / 2);
    }

    @Test
    void shouldNameTransportChoicesAndKeepIpcEndpointsApartFromUdpOnes()
    {
        assertEquals(Transport.IPC, Transport.parse(" IPC "));
        assertEquals(Transport.UDP, Transport.parse("udp"));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Transport.parse("tcp"));
        assertTrue(ex.getMessage().contains("'tcp'") && ex.getMessage().contains("ipc or udp"), ex.getMessage());
        assertEquals(Transport.UDP, new DataPlaneContext().transport(), "a node's parts default to UDP");

        assertTrue(Endpoint.ipc(5).isIpc());
        assertEquals("aeron:ipc", Endpoint.ipc(5).hostAndPort());
        assertFalse(new Endpoint("127.0.0.1", 4000, 5).isIpc());
        assertThrows(IllegalArgumentException.class, () -> new Endpoint(Endpoint.IPC_HOST, 4000, 5));
        assertThrows(IllegalArgumentException.class, () -> new Endpoint("127.0.0.1", 0, 5));
        assertTrue(new DataPlaneContext().ipcChannel().startsWith("aeron:ipc?"));
    }

    @Test
    void shouldGenerateDistinctDirectoriesWhenTwoContextsConclude()
    {
        assertNotEquals(context().conclude().aeronDirectoryName(), context().conclude().aeronDirectoryName());
    }

    @Test
    void shouldRefuseToConcludeTwice()
    {
        final DataPlaneContext ctx = context().conclude();

        assertThrows(IllegalStateException.class, ctx::conclude);
    }

    @Test
    void shouldNamePortAndSettingWhenDataPortInUse() throws Exception
    {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)))
        {
            final int port = taken.getLocalPort();

            final String message = failure(context().dataPort(port));

            assertTrue(message.startsWith("dataPort=" + port + ":"), message);
            assertTrue(message.contains("127.0.0.1"), message);
        }
    }

    @Test
    void shouldAcceptDataPortWhenFree() throws Exception
    {
        final int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)))
        {
            port = probe.getLocalPort();
        }

        assertEquals(port, context().dataPort(port).conclude().dataPort());
    }

    @Test
    void shouldRefuseAdvertisedAddressWhenDataPortIsEphemeral()
    {
        final String message = failure(context().dataPort(0).advertisedHost("127.0.0.1").advertisedPort(27756));

        assertTrue(message.startsWith("advertisedHost=127.0.0.1:"), message);
        assertTrue(message.contains("fixed dataPort"), message);
    }

    @Test
    void shouldRefuseAdvertisedPortWhenOutOfRangeOrWithoutHost() throws Exception
    {
        final int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)))
        {
            port = probe.getLocalPort();
        }

        final String noPort = failure(context().dataPort(port).advertisedHost("10.0.0.1"));
        final String noHost = failure(context().dataPort(port).advertisedPort(40_000));

        assertTrue(noPort.startsWith("advertisedPort=0:"), noPort);
        assertTrue(noHost.startsWith("advertisedPort=40000: set without an advertisedHost"), noHost);
    }

    @Test
    void shouldAdvertiseOtherAddressOnlyForSubscriptionsOnTheDataPort()
    {
        final DataPlaneContext ctx = context().bindHost("127.0.0.1").dataPort(27751)
            .advertisedHost("10.214.0.1").advertisedPort(27756);

        assertEquals(new Endpoint("10.214.0.1", 27756, 1001), ctx.advertisedEndpoint(27751, 1001));
        assertEquals(new Endpoint("10.214.0.1", 27756, 1002), ctx.advertisedEndpoint(27751, 1002));
        // A subscription on a channel of its own (another port) is reached directly.
        assertEquals(new Endpoint("127.0.0.1", 40_001, 7), ctx.advertisedEndpoint(40_001, 7));
    }

    @Test
    void shouldAdvertiseTheBoundAddressWhenNoOtherIsSet()
    {
        final DataPlaneContext ctx = context().bindHost("127.0.0.1").dataPort(27751);

        assertEquals(new Endpoint("127.0.0.1", 27751, 3), ctx.advertisedEndpoint(27751, 3));
    }

    @Test
    void shouldRejectTermLengthWhenNotPowerOfTwo()
    {
        final String message = failure(context().termLength(100_000));

        assertTrue(message.startsWith("termLength=100000:"), message);
    }

    @Test
    void shouldRejectTermLengthWhenBelowMinimum()
    {
        final String message = failure(context().termLength(32 * 1024).mtuLength(1408));

        assertTrue(message.startsWith("termLength=32768:"), message);
    }

    @Test
    void shouldRejectMtuWhenNotMultipleOf32()
    {
        final String message = failure(context().mtuLength(1500));

        assertTrue(message.startsWith("mtuLength=1500:"), message);
    }

    @Test
    void shouldRejectMtuWhenAboveLargestMessageOfTerm()
    {
        final String message = failure(context().termLength(64 * 1024).mtuLength(65504));

        assertTrue(message.startsWith("mtuLength=65504:") && message.contains("termLength=65536"), message);
    }

    @Test
    void shouldRejectReceiverWindowWhenSmallerThanMtu()
    {
        final String message = failure(context().mtuLength(8192).receiverWindowLength(4096));

        assertTrue(message.startsWith("receiverWindowLength=4096:"), message);
    }

    @Test
    void shouldFailWithSettingsNamedWhenNotEnoughSpace()
    {
        final DataPlaneContext ctx = context().maxPublications(8).freeSpaceProbe((path) -> 10 * MIB);

        final String message = failure(ctx);

        assertTrue(message.startsWith("aeronDirectoryName=" + ctx.aeronDirectoryName() + ":"), message);
        assertTrue(message.contains("10485760 bytes free"), message);
        assertTrue(message.contains("maxPublications=8") && message.contains("termLength="), message);
    }

    @Test
    void shouldCountBothLogsOfEveryPublicationWhenComputingSpace()
    {
        final DataPlaneContext ctx = context().termLength(1024 * 1024).maxPublications(10);

        final long perLog = 3 * MIB + 4096;
        assertTrue(ctx.requiredStorageBytes() >= 10 * 2 * perLog);
        assertTrue(ctx.requiredStorageBytes() < 10 * 2 * perLog + 64 * MIB);
    }

    @Test
    void shouldPassSpaceCheckWhenJustEnoughSpace()
    {
        final DataPlaneContext sizing = context().maxPublications(4);
        final long required = sizing.requiredStorageBytes();

        context().maxPublications(4).freeSpaceProbe((path) -> required).conclude();
        assertThrows(ConfigurationException.class,
            context().maxPublications(4).freeSpaceProbe((path) -> required - 1)::conclude);
    }

    @Test
    void shouldRejectClientLivenessWhenNotAboveKeepalive()
    {
        final String message = failure(context()
            .keepAliveIntervalNs(TimeUnit.SECONDS.toNanos(2))
            .clientLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(2))
            .timerIntervalNs(TimeUnit.MILLISECONDS.toNanos(100)));

        assertTrue(message.startsWith("clientLivenessTimeoutNs=2000000000:"), message);
        assertTrue(message.contains("keepAliveIntervalNs=2000000000"), message);
    }

    @Test
    void shouldRejectUnblockTimeoutWhenNotAboveClientLiveness()
    {
        final String message = failure(context()
            .clientLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(20))
            .publicationUnblockTimeoutNs(TimeUnit.SECONDS.toNanos(15)));

        assertTrue(message.startsWith("publicationUnblockTimeoutNs=15000000000:"), message);
        assertTrue(message.contains("clientLivenessTimeoutNs=20000000000"), message);
    }

    @Test
    void shouldRejectDriverTimeoutWhenNotAboveTimerInterval()
    {
        final String message = failure(context().driverTimeoutMs(800));

        assertTrue(message.startsWith("driverTimeoutMs=800:"), message);
        assertTrue(message.contains("timerIntervalNs="), message);
    }

    @Test
    void shouldRejectConnectionTimeoutWhenNotAboveStatusMessageTimeout()
    {
        final String message = failure(context()
            .publicationConnectionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100))
            .statusMessageTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200)));

        assertTrue(message.startsWith("publicationConnectionTimeoutNs=100000000:"), message);
    }

    @Test
    void shouldRejectUnknownIdleStrategy()
    {
        final String message = failure(context().driverIdleStrategy("sleepy"));

        assertTrue(message.startsWith("driverIdleStrategy=sleepy:"), message);
    }

    @Test
    void shouldRejectInvokerDriverThreadingMode()
    {
        final String message = failure(context().driverThreadingMode(ThreadingMode.INVOKER));

        assertTrue(message.startsWith("driverThreadingMode=INVOKER:"), message);
    }

    @Test
    void shouldRejectBindHostWhenNotLocal()
    {
        // 192.0.2.0/24 is TEST-NET-1, never assigned to a machine.
        final String message = failure(context().bindHost("192.0.2.1"));

        assertTrue(message.startsWith("bindHost=192.0.2.1:"), message);
    }

    @Test
    void shouldRejectSocketBufferWhenAboveOsLimit()
    {
        final String message = failure(context().socketRcvbufLength(Integer.MAX_VALUE));

        assertTrue(message.startsWith("socketRcvbufLength=" + Integer.MAX_VALUE + ":"), message);
    }

    @Test
    void shouldFailWhenExternalDriverIsNotRunning()
    {
        final String directory = tempDir.resolve("no-driver").toString();

        final String message = failure(context()
            .mediaDriverMode(MediaDriverMode.EXTERNAL)
            .aeronDirectoryName(directory));

        assertTrue(message.startsWith("aeronDirectoryName=" + directory + ":"), message);
        assertTrue(message.contains("EXTERNAL"), message);
    }

    @Test
    void shouldChooseTermLengthWhoseLargestMessageHoldsTheMessage()
    {
        assertEquals(64 * 1024, DataPlaneContext.termLengthFor(0));
        assertEquals(64 * 1024, DataPlaneContext.termLengthFor(8 * 1024));
        assertEquals(128 * 1024, DataPlaneContext.termLengthFor(8 * 1024 + 1));
        assertEquals(128 * 1024, DataPlaneContext.termLengthFor(12_000));
        assertEquals(4 * 1024 * 1024, DataPlaneContext.termLengthFor(470_000));
        assertEquals(128 * 1024 * 1024, DataPlaneContext.termLengthFor(16 * 1024 * 1024));
        for (int bytes = 1; bytes < 20_000_000; bytes = bytes * 3 + 7)
        {
            final int termLength = DataPlaneContext.termLengthFor(Math.min(bytes, 16 * 1024 * 1024));
            assertEquals(1, Integer.bitCount(termLength));
            assertTrue(termLength / 8 >= Math.min(bytes, 16 * 1024 * 1024));
            assertFalse(termLength > 64 * 1024 && termLength / 16 >= Math.min(bytes, 16 * 1024 * 1024));
        }
    }

    @Test
    void shouldRejectMessageAboveAeronLimitWhenChoosingTermLength()
    {
        final ConfigurationException ex = assertThrows(
            ConfigurationException.class, () -> DataPlaneContext.termLengthFor(16 * 1024 * 1024 + 1));

        assertTrue(ex.getMessage().startsWith("maxMessageBytes=16777217:"), ex.getMessage());
    }

    @Test
    void shouldBuildUdpChannelWithTunedSettings()
    {
        final DataPlaneContext ctx = context().mtuLength(8192).termLength(1024 * 1024).conclude();

        final String channel = ctx.udpChannel("127.0.0.1", 40123);

        assertTrue(channel.startsWith("aeron:udp?endpoint=127.0.0.1:40123"), channel);
        assertTrue(channel.contains("mtu=8192") || channel.contains("mtu=8k"), channel);
        assertTrue(channel.contains("term-length="), channel);
        assertTrue(channel.contains("so-sndbuf=") && channel.contains("so-rcvbuf="), channel);
        assertTrue(channel.contains("rcv-wnd="), channel);
        assertEquals("[::1]:7", new Endpoint("::1", 7, 1).hostAndPort());
    }

    @Test
    void shouldRemoveAeronDirectoriesOfDeadProcessesAndKeepLiveOnesWhenConcluding() throws Exception
    {
        // A pid above the kernel's maximum (4194304 on Linux) belongs to no process.
        final File dead = tempDir.resolve("parasol-99999999-1-abc").toFile();
        final File live = tempDir.resolve("parasol-" + ProcessHandle.current().pid() + "-1-def").toFile();
        final File foreign = tempDir.resolve("parasol-notapid-1").toFile();
        assertTrue(dead.mkdirs() && new File(dead, "cnc.dat").createNewFile());
        assertTrue(live.mkdirs());
        assertTrue(foreign.mkdirs());

        context().conclude();

        assertFalse(dead.exists(), "a killed process's directory is removed");
        assertTrue(live.exists(), "a running process's directory is kept");
        assertTrue(foreign.exists(), "a directory that is not ours is kept");
    }
}
