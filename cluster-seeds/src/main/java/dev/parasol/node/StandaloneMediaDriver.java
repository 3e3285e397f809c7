package dev.parasol.node;

import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.dataplane.MediaDriverMode;
import dev.parasol.actors.exceptions.ConfigurationException;
import io.aeron.CommonContext;

/**
 * An Aeron media driver that runs on its own, for nodes started with {@code --media-driver external}: the same
 * driver a node embeds, with the same {@code parasol.data-plane} settings and checks (threading mode, idle
 * strategies, term length, MTU, socket buffers, timeouts, free space), in a directory of its own that it deletes on
 * start and on close.
 * <p>
 * It is launched as an embedded {@link DataPlane}, so the settings reach the driver exactly as they reach a node's
 * driver; the data plane's one Aeron client costs a thread that sleeps between keepalives.
 */
public final class StandaloneMediaDriver implements AutoCloseable
{
    private final DataPlane dataPlane;

    private StandaloneMediaDriver(final DataPlane dataPlane)
    {
        this.dataPlane = dataPlane;
    }

    /**
     * Launch the driver.
     *
     * @param settings  the data-plane settings.
     * @param aeronDir  the Aeron directory, or null for Aeron's default ({@code /dev/shm/aeron-USER} on Linux), which
     *                  is also where a node with {@code --media-driver external} and no {@code --aeron-dir} looks.
     * @return the running driver.
     * @throws ConfigurationException naming the setting if the driver cannot start with these settings, e.g. when
     *                                a driver already runs in the directory.
     */
    public static StandaloneMediaDriver launch(final DataPlaneSettings settings, final String aeronDir)
    {
        final String directory = null == aeronDir ? CommonContext.getAeronDirectoryName() : aeronDir;
        final DataPlaneContext ctx = settings.applyTo(new DataPlaneContext())
            .mediaDriverMode(MediaDriverMode.EMBEDDED)
            .aeronDirectoryName(directory);
        try
        {
            return new StandaloneMediaDriver(DataPlane.launch(ctx));
        }
        catch (final ConfigurationException ex)
        {
            throw DataPlaneSettings.withSettingName(ex);
        }
    }

    /**
     * Get the Aeron directory the driver runs in.
     *
     * @return the directory to give nodes as {@code --aeron-dir}.
     */
    public String aeronDirectoryName()
    {
        return dataPlane.aeronDirectoryName();
    }

    /**
     * Get the concluded settings the driver runs with.
     *
     * @return the context.
     */
    public DataPlaneContext context()
    {
        return dataPlane.context();
    }

    /**
     * Stop the driver and delete its directory. Clients still connected lose their driver. Idempotent.
     */
    @Override
    public void close()
    {
        dataPlane.close();
    }
}
