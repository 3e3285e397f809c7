package dev.parasol.actors.local;

import dev.parasol.actors.dataplane.AgentThreadingMode;
import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.dataplane.DynamicAgentRunner;
import dev.parasol.actors.host.NodeHost;
import dev.parasol.actors.job.JobRunnerLauncher;
import dev.parasol.actors.job.NodeResources;
import dev.parasol.actors.jobapi.JobManager;
import dev.parasol.actors.jobapi.ParasolClient;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.agrona.CloseHelper;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Parasol in one JVM: an embedded media driver, one shard thread, and an actor system that joins itself as a
 * one-node cluster with the roles {@code coordinator}, {@code ps} and {@code worker}, whose guardian is the job
 * manager. Jobs are submitted through {@link #client()}; data travels over Aeron UDP on 127.0.0.1, the same path a
 * cluster uses. Close it to stop everything and delete the Aeron directory.
 */
public final class LocalParasol implements AutoCloseable
{
    /**
     * Worker slots of a local node unless told otherwise: two jobs of two workers at once.
     */
    public static final int WORKER_SLOTS_DEFAULT = 4;

    private static final Duration TERMINATION_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(LocalParasol.class);

    private final DataPlane dataPlane;
    private final DynamicAgentRunner shardRunner;
    private final ActorSystem<JobManager.Command> system;
    private final ParasolClient client;

    private LocalParasol(
        final DataPlane dataPlane,
        final DynamicAgentRunner shardRunner,
        final ActorSystem<JobManager.Command> system)
    {
        this.dataPlane = dataPlane;
        this.shardRunner = shardRunner;
        this.system = system;
        this.client = new ParasolClient(system, system);
    }

    /**
     * Start a local node.
     *
     * @param dataPlaneContext settings of the data plane, not yet concluded.
     * @param workerSlots      how many workers may run at once, over all jobs.
     * @param overrides        Pekko settings laid over the local defaults (e.g. log level); may be empty.
     * @return the running node.
     */
    public static LocalParasol start(
        final DataPlaneContext dataPlaneContext, final int workerSlots, final Config overrides)
    {
        final DataPlane dataPlane = DataPlane.launch(dataPlaneContext);
        DynamicAgentRunner shardRunner = null;
        try
        {
            shardRunner = DynamicAgentRunner.start("parasol-shards", AgentThreadingMode.SHARED,
                dataPlane.context()::newAgentIdleStrategy,
                (throwable) -> LOG.error("a parameter-server shard failed", throwable), null);
            final NodeResources node = new NodeResources(dataPlane, shardRunner);
            final Config config = overrides.withFallback(ConfigFactory.parseResources("parasol-local.conf"))
                .withFallback(ConfigFactory.load());
            final ActorSystem<JobManager.Command> system = ActorSystem.create(
                JobManager.create(workerSlots, new JobRunnerLauncher()), "parasol", config);
            system.systemActorOf(NodeHost.create(node, Set.of(NodeHost.PS_ROLE, NodeHost.WORKER_ROLE)), "node-host",
                Props.empty());
            final Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            return new LocalParasol(dataPlane, shardRunner, system);
        }
        catch (final RuntimeException | Error ex)
        {
            CloseHelper.quietClose(shardRunner);
            CloseHelper.quietClose(dataPlane);
            throw ex;
        }
    }

    /**
     * Get a client of this node's job manager.
     *
     * @return the client.
     */
    public ParasolClient client()
    {
        return client;
    }

    /**
     * Get the actor system, whose guardian is the job manager.
     *
     * @return the system.
     */
    public ActorSystem<JobManager.Command> system()
    {
        return system;
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
     * Stop the actor system, then the shard thread and the data plane.
     */
    @Override
    public void close()
    {
        system.terminate();
        try
        {
            system.getWhenTerminated().toCompletableFuture()
                .get(TERMINATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            // Still release Aeron: a stuck actor system must not leave the media driver's files behind.
        }
        CloseHelper.quietClose(shardRunner);
        CloseHelper.quietClose(dataPlane);
    }
}
