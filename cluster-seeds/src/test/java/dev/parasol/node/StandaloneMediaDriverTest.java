package dev.parasol.node;

import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.dataplane.MediaDriverMode;
import dev.parasol.actors.exceptions.ConfigurationException;
import io.aeron.Subscription;
import io.aeron.driver.ThreadingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class StandaloneMediaDriverTest
{
    @TempDir
    Path dir;

    @Test
    void shouldServeNodesInExternalModeAndDeleteItsDirectoryWhenClosed()
    {
        final String aeronDir = dir.resolve("driver").toString();
        final NodeSettings node = NodeSettings.load(null, Map.of(
            NodeSettings.MEDIA_DRIVER_KEY, "external",
            NodeSettings.AERON_DIR_KEY, aeronDir,
            "parasol.data-plane.threading-mode", "SHARED"));

        try (StandaloneMediaDriver driver = StandaloneMediaDriver.launch(node.dataPlane(), node.aeronDir()))
        {
            assertEquals(aeronDir, driver.aeronDirectoryName());
            assertEquals(ThreadingMode.SHARED, driver.context().driverThreadingMode());
            assertTrue(new File(aeronDir, "cnc.dat").exists());

            final DataPlaneContext ctx = node.dataPlaneContext();
            assertEquals(MediaDriverMode.EXTERNAL, ctx.mediaDriverMode());
            try (DataPlane dataPlane = DataPlane.launch(ctx))
            {
                final Subscription subscription = dataPlane.addSubscription(1001);
                assertTrue(subscription.registrationId() > 0);
            }
            assertTrue(new File(aeronDir, "cnc.dat").exists(), "a node must leave an external driver alone");
        }

        assertFalse(new File(aeronDir).exists(), () -> aeronDir + " left behind");
    }

    @Test
    void shouldNameTheAeronDirWhenADriverAlreadyRunsThere()
    {
        final String aeronDir = dir.resolve("busy").toString();
        final DataPlaneSettings settings = NodeSettings.load(null, Map.of()).dataPlane();

        try (StandaloneMediaDriver driver = StandaloneMediaDriver.launch(settings, aeronDir))
        {
            final ConfigurationException ex = assertThrows(ConfigurationException.class,
                () -> StandaloneMediaDriver.launch(settings, aeronDir));
            assertTrue(ex.getMessage().contains("already running") && ex.getMessage().contains("--aeron-dir"),
                ex.getMessage());
            assertTrue(new File(driver.aeronDirectoryName(), "cnc.dat").exists());
        }
    }
}
