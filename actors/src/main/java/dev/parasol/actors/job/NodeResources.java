package dev.parasol.actors.job;

import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.DynamicAgentRunner;
import dev.parasol.engine.data.FashionMnist;
import dev.parasol.engine.linalg.MatrixKernels;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one node lends to the jobs that run on it: the data plane (one media driver and Aeron client per node), the
 * thread its parameter-server shards share, and the data sets it has loaded. Each job still gets its own streams,
 * counters, residuals and keys; only these node-level resources are shared, and the data sets read-only.
 */
public final class NodeResources
{
    private final DataPlane dataPlane;
    private final DynamicAgentRunner shardRunner;
    private final Map<String, FashionMnist> datasets = new ConcurrentHashMap<>();
    private final Path defaultDataDirectory;

    /**
     * Construct the resources of a node.
     *
     * @param dataPlane            the node's data plane.
     * @param shardRunner          the runner of the node's shard agents.
     * @param defaultDataDirectory this node's copy of the data set, for jobs that name no directory; null for the
     *                             usual search.
     */
    public NodeResources(
        final DataPlane dataPlane, final DynamicAgentRunner shardRunner, final Path defaultDataDirectory)
    {
        this.dataPlane = Objects.requireNonNull(dataPlane, "dataPlane");
        this.shardRunner = Objects.requireNonNull(shardRunner, "shardRunner");
        this.defaultDataDirectory = defaultDataDirectory;
    }

    /**
     * Get the node's data plane.
     *
     * @return the data plane.
     */
    public DataPlane dataPlane()
    {
        return dataPlane;
    }

    /**
     * Get the runner the node's shard agents share.
     *
     * @return the runner.
     */
    public DynamicAgentRunner shardRunner()
    {
        return shardRunner;
    }

    /**
     * Get Fashion-MNIST, loading it on first use from a directory or the default locations.
     *
     * @param jobDirectory the job's data directory, or null for this node's default.
     * @return both splits, shared read-only by every job of the node.
     */
    public FashionMnist fashionMnist(final Path jobDirectory)
    {
        final Path directory = jobDirectory != null ? jobDirectory : defaultDataDirectory;
        final String key = directory == null ? "" : directory.toAbsolutePath().normalize().toString();
        return datasets.computeIfAbsent(key, (k) -> FashionMnist.load(directory));
    }

    /**
     * Get a description of the matrix implementation this node's workers use.
     *
     * @return e.g. {@code JNIBLAS NATIVE_OPTIMISED [...]}.
     */
    public String blas()
    {
        return MatrixKernels.defaultKernels().describe();
    }
}
