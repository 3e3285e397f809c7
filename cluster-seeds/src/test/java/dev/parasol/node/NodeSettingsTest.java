package dev.parasol.node;

import com.typesafe.config.Config;
import dev.parasol.actors.dataplane.DataPlaneConfiguration;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.dataplane.MediaDriverMode;
import dev.parasol.actors.exceptions.ConfigurationException;
import io.aeron.driver.ThreadingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeSettingsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldUseReferenceDefaultsWhenNothingIsGiven()
    {
        final NodeSettings settings = NodeSettings.load(null, Map.of());

        assertEquals("parasol", settings.clusterName());
        assertEquals(EnumSet.allOf(NodeRole.class), settings.roles());
        assertEquals(new HostPort("127.0.0.1", 17355), settings.bind());
        assertEquals(List.of(new HostPort("127.0.0.1", 17355)), settings.seeds());
        assertEquals(new HostPort("127.0.0.1", 0), settings.dataBind());
        assertEquals(MediaDriverMode.EMBEDDED, settings.mediaDriver());
        assertNull(settings.aeronDir());
        assertEquals(Runtime.getRuntime().availableProcessors(), settings.workerSlots());
        assertNull(settings.dataDir());
        assertFalse(settings.joinsItself());
    }

    @Test
    void shouldMirrorDataPlaneConfigurationDefaultsWhenReferenceIsUnchanged()
    {
        final DataPlaneSettings dataPlane = NodeSettings.load(null, Map.of()).dataPlane();

        assertEquals(DataPlaneConfiguration.AERON_DIRECTORY_PARENT_DEFAULT, dataPlane.aeronDirParent());
        assertEquals(DataPlaneConfiguration.DRIVER_THREADING_MODE_DEFAULT, dataPlane.threadingMode());
        assertEquals(DataPlaneConfiguration.DRIVER_IDLE_STRATEGY_DEFAULT, dataPlane.driverIdleStrategy());
        assertEquals(DataPlaneConfiguration.AGENT_IDLE_STRATEGY_DEFAULT, dataPlane.agentIdleStrategy());
        assertEquals(DataPlaneConfiguration.TERM_LENGTH_DEFAULT, dataPlane.termLength());
        assertEquals(1408, dataPlane.mtuLength(), "nodes default to an MTU every Ethernet path carries");
        assertEquals(DataPlaneContext.AUTO, dataPlane.socketSndbufLength());
        assertEquals(DataPlaneContext.AUTO, dataPlane.socketRcvbufLength());
        assertEquals(DataPlaneContext.AUTO, dataPlane.receiverWindowLength());
        assertEquals(DataPlaneConfiguration.MAX_PUBLICATIONS_DEFAULT, dataPlane.maxPublications());
        assertEquals(DataPlaneConfiguration.SEND_TIMEOUT_DEFAULT_NS, dataPlane.sendTimeout().toNanos());
        assertEquals(DataPlaneConfiguration.DRIVER_TIMEOUT_DEFAULT_MS, dataPlane.driverTimeout().toMillis());
        assertEquals(DataPlaneConfiguration.CLIENT_LIVENESS_TIMEOUT_DEFAULT_NS,
            dataPlane.clientLivenessTimeout().toNanos());
        assertEquals(DataPlaneConfiguration.KEEPALIVE_INTERVAL_DEFAULT_NS, dataPlane.keepAliveInterval().toNanos());
        assertEquals(DataPlaneConfiguration.TIMER_INTERVAL_DEFAULT_NS, dataPlane.timerInterval().toNanos());
        assertEquals(DataPlaneConfiguration.PUBLICATION_CONNECTION_TIMEOUT_DEFAULT_NS,
            dataPlane.publicationConnectionTimeout().toNanos());
        assertEquals(DataPlaneConfiguration.PUBLICATION_LINGER_TIMEOUT_DEFAULT_NS,
            dataPlane.publicationLingerTimeout().toNanos());
        assertEquals(DataPlaneConfiguration.PUBLICATION_UNBLOCK_TIMEOUT_DEFAULT_NS,
            dataPlane.publicationUnblockTimeout().toNanos());
        assertEquals(DataPlaneConfiguration.STATUS_MESSAGE_TIMEOUT_DEFAULT_NS,
            dataPlane.statusMessageTimeout().toNanos());
        assertEquals(DataPlaneConfiguration.IMAGE_LIVENESS_TIMEOUT_DEFAULT_NS,
            dataPlane.imageLivenessTimeout().toNanos());
    }

    @Test
    void shouldLetFlagsWinOverTheFileWhenBothSetAValue() throws IOException
    {
        final Path file = write("""
            parasol.node {
              roles = [ps, worker]
              bind = "10.0.0.12:17355"
              seeds = ["10.0.0.11:17355", "10.0.0.12:17355"]
              data-bind = "10.0.0.12:17356"
              worker-slots = 6
            }
            parasol.data-plane.mtu = 8960
            """);

        final NodeSettings settings = NodeSettings.load(file, Map.of(
            NodeSettings.BIND_KEY, "10.0.0.13:17400",
            NodeSettings.ROLES_KEY, "worker",
            NodeSettings.WORKER_SLOTS_KEY, "3",
            NodeSettings.MEDIA_DRIVER_KEY, "EXTERNAL",
            NodeSettings.AERON_DIR_KEY, "/dev/shm/parasol-driver"));

        assertEquals(new HostPort("10.0.0.13", 17400), settings.bind());
        assertEquals(EnumSet.of(NodeRole.WORKER), settings.roles());
        assertEquals(3, settings.workerSlots());
        assertEquals(MediaDriverMode.EXTERNAL, settings.mediaDriver());
        assertEquals("/dev/shm/parasol-driver", settings.aeronDir());
        assertEquals(List.of(new HostPort("10.0.0.11", 17355), new HostPort("10.0.0.12", 17355)), settings.seeds());
        assertEquals(new HostPort("10.0.0.12", 17356), settings.dataBind());
        assertEquals(8960, settings.dataPlane().mtuLength());
    }

    @Test
    void shouldReadCommaSeparatedListsAsFlagsGiveThem()
    {
        final NodeSettings settings = NodeSettings.load(null, Map.of(
            NodeSettings.ROLES_KEY, " Coordinator , ps ",
            NodeSettings.BIND_KEY, "10.0.0.11:17355",
            NodeSettings.SEEDS_KEY, "10.0.0.11:17355, [fd00::12]:17355,"));

        assertEquals(EnumSet.of(NodeRole.COORDINATOR, NodeRole.PS), settings.roles());
        assertEquals(List.of(new HostPort("10.0.0.11", 17355), new HostPort("fd00::12", 17355)), settings.seeds());
        assertEquals(new HostPort("10.0.0.11", 0), settings.dataBind());
    }

    @Test
    void shouldNameEveryBadSettingWhenSeveralAreWrong() throws IOException
    {
        final Path file = write("""
            parasol.node.cluster-name = "my cluster"
            parasol.data-plane {
              term-length = 3MiB
              mtu = 1000
              threading-mode = INVOKER
              driver-idle-strategy = nap
              socket-rcvbuf = lots
              send-timeout = -1s
              max-publications = 0
            }
            """);
        final Map<String, Object> flags = new HashMap<>();
        flags.put(NodeSettings.ROLES_KEY, "coordinator,chef");
        flags.put(NodeSettings.BIND_KEY, "10.0.0.11");
        flags.put(NodeSettings.SEEDS_KEY, "10.0.0.11:99999,10.0.0.12:17355");
        flags.put(NodeSettings.DATA_BIND_KEY, "0.0.0.0:17356");
        flags.put(NodeSettings.MEDIA_DRIVER_KEY, "kernel");
        flags.put(NodeSettings.WORKER_SLOTS_KEY, "0");
        flags.put(NodeSettings.DATA_DIR_KEY, dir.resolve("absent").toString());

        final NodeSettingsException ex =
            assertThrows(NodeSettingsException.class, () -> NodeSettings.load(file, flags));

        final String message = ex.getMessage();
        for (final String name : List.of("--roles='coordinator,chef'", "--bind='10.0.0.11'", "--seeds=",
            "--data-bind='0.0.0.0:17356'", "--media-driver='kernel'", "--worker-slots='0'", "--data-dir=",
            "parasol.node.cluster-name", "parasol.data-plane.term-length", "parasol.data-plane.mtu",
            "parasol.data-plane.threading-mode", "parasol.data-plane.driver-idle-strategy",
            "parasol.data-plane.socket-rcvbuf", "parasol.data-plane.send-timeout",
            "parasol.data-plane.max-publications"))
        {
            assertTrue(message.contains(name), () -> "no " + name + " in:\n" + message);
        }
        assertEquals(15, ex.problems().size(), message);
        assertTrue(message.contains("unknown role [chef]"), message);
        assertTrue(message.contains("10.0.0.11:99999"), message);
        assertTrue(message.contains("(set in " + file.getFileName()) || message.contains(file.toString()), message);
    }

    @Test
    void shouldRefuseASeedWithoutFixedPortUnlessItIsTheNodeItself()
    {
        final NodeSettingsException ex = assertThrows(NodeSettingsException.class, () -> NodeSettings.load(null,
            Map.of(NodeSettings.BIND_KEY, "127.0.0.1:0", NodeSettings.SEEDS_KEY, "127.0.0.1:0,127.0.0.1:17355")));
        assertTrue(ex.getMessage().startsWith("--seeds="), ex.getMessage());

        final NodeSettings alone = NodeSettings.load(null,
            Map.of(NodeSettings.BIND_KEY, "127.0.0.1:0", NodeSettings.SEEDS_KEY, "127.0.0.1:0"));
        assertTrue(alone.joinsItself());
    }

    @Test
    void shouldAdvertiseNoOtherDataAddressWhenDataAdvertiseIsEmpty()
    {
        final NodeSettings settings = NodeSettings.load(null, Map.of(NodeSettings.DATA_BIND_KEY, "127.0.0.1:27751"));
        final DataPlaneContext ctx = settings.dataPlaneContext();

        assertNull(settings.dataAdvertise());
        assertNull(ctx.advertisedHost());
        assertEquals(0, ctx.advertisedPort());
        assertEquals(new Endpoint("127.0.0.1", 27751, 1001), ctx.advertisedEndpoint(27751, 1001));
    }

    @Test
    void shouldAdvertiseTheRelayAndBindDataBindWhenDataAdvertiseIsGiven() throws IOException
    {
        final Path file = write("parasol.node.data-advertise = \"10.214.0.1:27756\"\n");
        final NodeSettings settings = NodeSettings.load(file, Map.of(
            NodeSettings.BIND_KEY, "10.214.0.1:27750",
            NodeSettings.SEEDS_KEY, "10.214.0.1:27750",
            NodeSettings.DATA_BIND_KEY, "127.0.0.1:27751"));
        final DataPlaneContext ctx = settings.dataPlaneContext();

        assertEquals(new HostPort("10.214.0.1", 27756), settings.dataAdvertise());
        assertEquals("127.0.0.1", ctx.bindHost());
        assertEquals(27751, ctx.dataPort());
        assertEquals("10.214.0.1", ctx.advertisedHost());
        assertEquals(27756, ctx.advertisedPort());
        assertEquals(new Endpoint("10.214.0.1", 27756, 1002), ctx.advertisedEndpoint(27751, 1002));
        assertTrue(settings.describe().contains("data-bind 127.0.0.1:27751 advertised as 10.214.0.1:27756"),
            settings.describe());
    }

    @Test
    void shouldRefuseDataAdvertiseWhenDataBindPortIsEphemeral()
    {
        final NodeSettingsException ex = assertThrows(NodeSettingsException.class, () -> NodeSettings.load(null,
            Map.of(NodeSettings.DATA_BIND_KEY, "127.0.0.1:0", NodeSettings.DATA_ADVERTISE_KEY, "127.0.0.1:27756")));

        assertEquals(1, ex.problems().size(), ex.getMessage());
        assertTrue(ex.getMessage().startsWith("--data-advertise='127.0.0.1:27756': needs a fixed data-bind port"),
            ex.getMessage());
        assertTrue(ex.getMessage().contains("127.0.0.1:0"), ex.getMessage());
    }

    @Test
    void shouldRefuseDataAdvertiseWhenDataBindIsLeftEmpty()
    {
        final NodeSettingsException ex = assertThrows(NodeSettingsException.class, () -> NodeSettings.load(null,
            Map.of(NodeSettings.DATA_ADVERTISE_KEY, "127.0.0.1:27756")));

        assertTrue(ex.getMessage().contains("needs a fixed data-bind port"), ex.getMessage());
    }

    @Test
    void shouldRefuseDataAdvertiseWithoutFixedPortOrWithWildcardOrMalformed()
    {
        for (final String bad : List.of("10.214.0.1:0", "0.0.0.0:27756", "10.214.0.1", "::1:27756"))
        {
            final NodeSettingsException ex = assertThrows(NodeSettingsException.class, () -> NodeSettings.load(null,
                Map.of(NodeSettings.DATA_BIND_KEY, "127.0.0.1:27751", NodeSettings.DATA_ADVERTISE_KEY, bad)), bad);

            assertEquals(1, ex.problems().size(), ex.getMessage());
            assertTrue(ex.getMessage().startsWith("--data-advertise='" + bad + "': "), ex.getMessage());
        }
    }

    @Test
    void shouldNameTheFileWhenItIsMissingOrNotHocon() throws IOException
    {
        final Path absent = dir.resolve("absent.conf");
        final NodeSettingsException missing =
            assertThrows(NodeSettingsException.class, () -> NodeSettings.load(absent, Map.of()));
        assertTrue(missing.getMessage().startsWith("--config=" + absent + ": no such file"), missing.getMessage());

        final Path broken = write("parasol { node { roles = [ }");
        final NodeSettingsException unparsable =
            assertThrows(NodeSettingsException.class, () -> NodeSettings.load(broken, Map.of()));
        assertTrue(unparsable.getMessage().startsWith("--config=" + broken), unparsable.getMessage());
    }

    @Test
    void shouldProducePekkoConfigWithRolesSeedsCanonicalAddressAndSplitBrainResolver() throws IOException
    {
        final Path file = write("""
            pekko.cluster.roles = [ignored]
            pekko.cluster.split-brain-resolver.stable-after = 7s
            """);
        final NodeSettings settings = NodeSettings.load(file, Map.of(
            NodeSettings.ROLES_KEY, "coordinator,ps",
            NodeSettings.BIND_KEY, "10.0.0.11:17355",
            NodeSettings.SEEDS_KEY, "10.0.0.11:17355,10.0.0.12:17355"));

        final Config pekko = settings.pekkoConfig();

        assertEquals("cluster", pekko.getString("pekko.actor.provider"));
        assertEquals("10.0.0.11", pekko.getString("pekko.remote.artery.canonical.hostname"));
        assertEquals(17355, pekko.getInt("pekko.remote.artery.canonical.port"));
        assertEquals("", pekko.getString("pekko.remote.artery.bind.hostname"));
        assertEquals("tcp", pekko.getString("pekko.remote.artery.transport"));
        assertEquals(List.of("coordinator", "ps"), pekko.getStringList("pekko.cluster.roles"));
        assertEquals(List.of("pekko://parasol@10.0.0.11:17355", "pekko://parasol@10.0.0.12:17355"),
            pekko.getStringList("pekko.cluster.seed-nodes"));
        assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
            pekko.getString("pekko.cluster.downing-provider-class"));
        assertEquals("keep-majority", pekko.getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertEquals(Duration.ofSeconds(7), pekko.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
        assertEquals("on", pekko.getString("pekko.cluster.split-brain-resolver.down-all-when-unstable"));
        assertEquals(8.0, pekko.getDouble("pekko.cluster.failure-detector.threshold"));
        assertEquals(Duration.ofSeconds(5),
            pekko.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause"));
        assertEquals(1024 * 1024, pekko.getBytes("pekko.remote.artery.advanced.maximum-frame-size"));
        assertEquals("off", pekko.getString("pekko.coordinated-shutdown.exit-jvm"));
    }

    @Test
    void shouldLeaveSeedNodesToTheNodeWhenItFoundsAClusterOnAnEphemeralPort()
    {
        final NodeSettings settings = NodeSettings.load(null, Map.of(
            NodeSettings.BIND_KEY, "127.0.0.1:0", NodeSettings.SEEDS_KEY, "127.0.0.1:0"));

        final Config pekko = settings.pekkoConfig();

        assertEquals(0, pekko.getInt("pekko.remote.artery.canonical.port"));
        assertTrue(pekko.getStringList("pekko.cluster.seed-nodes").isEmpty());
    }

    @Test
    void shouldMapEveryNodeSettingOntoTheDataPlaneContext() throws IOException
    {
        final Path file = write("""
            parasol.data-plane {
              aeron-dir-parent = "/tmp"
              threading-mode = shared
              driver-idle-strategy = yield
              agent-idle-strategy = sleep-ms
              term-length = 16MiB
              mtu = 1408
              socket-sndbuf = 1MiB
              socket-rcvbuf = 2MiB
              receiver-window = 512KiB
              max-publications = 40
              send-timeout = 3s
              driver-timeout = 20s
              client-liveness-timeout = 15s
              keepalive-interval = 400ms
              timer-interval = 500ms
              publication-connection-timeout = 6s
              publication-linger-timeout = 0s
              publication-unblock-timeout = 30s
              status-message-timeout = 100ms
              image-liveness-timeout = 12s
            }
            """);
        final NodeSettings settings = NodeSettings.load(file, Map.of(
            NodeSettings.DATA_BIND_KEY, "127.0.0.1:17356",
            NodeSettings.MEDIA_DRIVER_KEY, "external",
            NodeSettings.AERON_DIR_KEY, "/dev/shm/driver"));

        final DataPlaneContext ctx = settings.dataPlaneContext();

        assertEquals("127.0.0.1", ctx.bindHost());
        assertEquals(17356, ctx.dataPort());
        assertEquals(MediaDriverMode.EXTERNAL, ctx.mediaDriverMode());
        assertEquals("/dev/shm/driver", ctx.aeronDirectoryName());
        assertEquals("/tmp", ctx.aeronDirectoryParent());
        assertEquals(ThreadingMode.SHARED, ctx.driverThreadingMode());
        assertEquals("yield", ctx.driverIdleStrategy());
        assertEquals("sleep-ms", ctx.agentIdleStrategy());
        assertEquals(16 * 1024 * 1024, ctx.termLength());
        assertEquals(1408, ctx.mtuLength());
        assertEquals(1024 * 1024, ctx.socketSndbufLength());
        assertEquals(2 * 1024 * 1024, ctx.socketRcvbufLength());
        assertEquals(512 * 1024, ctx.receiverWindowLength());
        assertEquals(40, ctx.maxPublications());
        assertEquals(TimeUnit.SECONDS.toNanos(3), ctx.sendTimeoutNs());
        assertEquals(20_000, ctx.driverTimeoutMs());
        assertEquals(TimeUnit.SECONDS.toNanos(15), ctx.clientLivenessTimeoutNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(400), ctx.keepAliveIntervalNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), ctx.timerIntervalNs());
        assertEquals(TimeUnit.SECONDS.toNanos(6), ctx.publicationConnectionTimeoutNs());
        assertEquals(0, ctx.publicationLingerTimeoutNs());
        assertEquals(TimeUnit.SECONDS.toNanos(30), ctx.publicationUnblockTimeoutNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(100), ctx.statusMessageTimeoutNs());
        assertEquals(TimeUnit.SECONDS.toNanos(12), ctx.imageLivenessTimeoutNs());
        assertFalse(ctx.isConcluded());
    }

    @Test
    void shouldNameTheNodeSettingWhenTheDataPlaneRefusesAValue()
    {
        final ConfigurationException refused = new ConfigurationException("mtuLength=8960: exceeds socketSndbufLength");
        assertTrue(DataPlaneSettings.withSettingName(refused).getMessage()
            .endsWith("[set by parasol.data-plane.mtu]"));
        final ConfigurationException advertised = new ConfigurationException("advertisedHost=10.0.0.1: needs a port");
        assertTrue(DataPlaneSettings.withSettingName(advertised).getMessage()
            .endsWith("[set by parasol.node.data-advertise or --data-advertise]"));

        final ConfigurationException unrelated = new ConfigurationException("something else");
        assertSame(unrelated, DataPlaneSettings.withSettingName(unrelated));
    }

    private Path write(final String hocon) throws IOException
    {
        final Path file = Files.createTempFile(dir, "node", ".conf");
        Files.writeString(file, hocon);
        return file;
    }
}
