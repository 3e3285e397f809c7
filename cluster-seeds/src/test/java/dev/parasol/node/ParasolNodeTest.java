package dev.parasol.node;

import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.exceptions.ConfigurationException;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParasolNodeTest
{
    private static final Map<String, Object> ALONE_ON_EPHEMERAL_PORTS = Map.of(
        NodeSettings.BIND_KEY, "127.0.0.1:0",
        NodeSettings.SEEDS_KEY, "127.0.0.1:0",
        NodeSettings.DATA_BIND_KEY, "127.0.0.1:0",
        "pekko.loglevel", "WARNING",
        "pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");

    @Test
    @Timeout(60)
    void shouldFormOneNodeClusterAndReleaseEverythingWhenClosed() throws Exception
    {
        final NodeSettings settings = NodeSettings.load(null, ALONE_ON_EPHEMERAL_PORTS);
        final AtomicReference<NodeContext> started = new AtomicReference<>();
        final AtomicBoolean dataPlaneOpenAtRuntimeClose = new AtomicBoolean();
        final NodeRuntime runtime = (node) ->
        {
            started.set(node);
            return () -> dataPlaneOpenAtRuntimeClose.set(!node.dataPlane().isClosed());
        };

        final ParasolNode node = ParasolNode.start(settings, runtime);
        final DataPlane dataPlane = node.dataPlane();
        final File aeronDir = new File(dataPlane.aeronDirectoryName());
        try
        {
            node.whenUp().toCompletableFuture().get(45, TimeUnit.SECONDS);
            // The cluster's read view follows membership events a little later, and shows a member it has not yet
            // seen as Removed: wait for it to catch up.
            final Cluster cluster = Cluster.get(Adapter.toClassic(node.system()));
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (MemberStatus.up() != cluster.selfMember().status() && System.nanoTime() < deadlineNs)
            {
                Thread.sleep(10);
            }
            final Member self = cluster.selfMember();
            assertEquals(MemberStatus.up(), self.status());
            assertTrue(self.getRoles().containsAll(Set.of("coordinator", "ps", "worker")), self.getRoles()::toString);
            assertTrue(node.selfAddress().startsWith("pekko://parasol@127.0.0.1:"), node.selfAddress());
            assertFalse(node.selfAddress().endsWith(":0"), node.selfAddress());
            assertSame(dataPlane, started.get().dataPlane());
            assertSame(node.system(), started.get().system());
            assertTrue(new File(aeronDir, "cnc.dat").exists(), aeronDir::toString);
        }
        finally
        {
            node.close();
        }

        assertTrue(node.whenTerminated().toCompletableFuture().isDone());
        assertEquals(CoordinatedShutdown.actorSystemTerminateReason(), node.shutdownReason().orElseThrow());
        assertTrue(dataPlane.isClosed());
        assertTrue(dataPlaneOpenAtRuntimeClose.get(), "the runtime must close before the data plane");
        assertFalse(aeronDir.exists(), () -> aeronDir + " left behind");
    }

    @Test
    void shouldNameTheBindSettingWhenItsPortIsTaken() throws IOException
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final NodeSettings settings = NodeSettings.load(null, Map.of(
                NodeSettings.BIND_KEY, "127.0.0.1:" + taken.getLocalPort(),
                NodeSettings.SEEDS_KEY, "127.0.0.1:" + taken.getLocalPort()));

            final ConfigurationException ex = assertThrows(ConfigurationException.class,
                () -> ParasolNode.start(settings, new TrainingRuntime()));

            assertTrue(ex.getMessage().startsWith("bind=127.0.0.1:" + taken.getLocalPort()), ex.getMessage());
            assertTrue(ex.getMessage().contains("--bind"), ex.getMessage());
        }
    }

    @Test
    void shouldNameTheBindSettingWhenTheHostIsNotThisMachine()
    {
        final NodeSettings settings = NodeSettings.load(null, Map.of(
            NodeSettings.BIND_KEY, "192.0.2.1:17355", NodeSettings.SEEDS_KEY, "192.0.2.1:17355"));

        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> ParasolNode.start(settings, new TrainingRuntime()));

        assertTrue(ex.getMessage().contains("not an address of this machine"), ex.getMessage());
    }
}
