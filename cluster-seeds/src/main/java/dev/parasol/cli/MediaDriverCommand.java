package dev.parasol.cli;

import com.typesafe.config.Config;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.node.DataPlaneSettings;
import dev.parasol.node.NodeSettings;
import dev.parasol.node.StandaloneMediaDriver;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code parasol media-driver}: a standalone Aeron media driver with the {@code parasol.data-plane} settings, for
 * production hosts whose nodes run with {@code --media-driver external}. Runs until SIGTERM, then deletes its
 * directory.
 */
@Command(
    name = "media-driver",
    mixinStandardHelpOptions = true,
    description = {
        "Run a standalone Aeron media driver with the parasol.data-plane settings (threading mode, idle " +
            "strategies, term length, MTU, socket buffers, timeouts) until SIGTERM. Start nodes on this host with " +
            "--media-driver external --aeron-dir DIR to use it."},
    footer = {"", "Exit status: 0 stopped by SIGTERM; 2 bad settings (each named)."})
final class MediaDriverCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
        description = "HOCON file with parasol.data-plane settings (and parasol.node.aeron-dir); flags win.")
    Path config;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
        description = "Directory of the driver (CnC file, log buffers), on a RAM file system. Default: Aeron's, " +
            "/dev/shm/aeron-USER, which is where nodes with --media-driver external look by default.")
    String aeronDir;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final Map<String, Object> flags = new HashMap<>();
        if (null != aeronDir)
        {
            flags.put(NodeSettings.AERON_DIR_KEY, aeronDir);
        }
        final Config resolved = NodeSettings.loadConfig(config, flags);
        final DataPlaneSettings settings = DataPlaneSettings.from(resolved);
        final String directory = NodeSettings.aeronDirOf(resolved);

        // The barrier's shutdown hook waits until it is closed, after the driver: SIGTERM deletes the directory.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            StandaloneMediaDriver driver = StandaloneMediaDriver.launch(settings, directory))
        {
            final DataPlaneContext ctx = driver.context();
            out.println("parasol media-driver: running in " + driver.aeronDirectoryName());
            out.println("parasol media-driver: threading " + ctx.driverThreadingMode() + ", idle " +
                ctx.driverIdleStrategy() + ", term length " + ctx.termLength() + ", MTU " + ctx.mtuLength() +
                ", SO_SNDBUF " + ctx.socketSndbufLength() + ", SO_RCVBUF " + ctx.socketRcvbufLength() +
                ", receiver window " + ctx.receiverWindowLength());
            out.println("parasol media-driver: start nodes on this host with --media-driver external --aeron-dir " +
                driver.aeronDirectoryName() + "; stop with SIGTERM");
            out.flush();
            barrier.await();
        }
        out.println("parasol media-driver: stopped, directory deleted");
        out.flush();
        return 0;
    }
}
