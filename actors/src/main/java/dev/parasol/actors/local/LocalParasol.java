package dev.parasol.actors.local;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.parasol.actors.cluster.ActorSystems;
import dev.parasol.actors.cluster.ClusterRuntime;
import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.host.NodeHost;
import dev.parasol.actors.jobapi.ParasolClient;
import org.agrona.CloseHelper;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

import java.time.Duration;
import java.util.Set;

/**
 * Parasol in one JVM: an embedded media driver and an actor system that joins itself as a one-node cluster with the
 * roles {@code coordinator}, {@code ps} and {@code worker}, running exactly what a cluster node with those roles runs
 * ({@link ClusterRuntime}): the job manager singleton and the node host. Jobs are submitted through
 * {@link #client()}; data travels over Aeron UDP on 127.0.0.1, the same path a cluster uses. Close it to stop
 * everything and delete the Aeron directory.
 */
public final class LocalParasol implements AutoCloseable
{
    /**
     * Worker slots of a local node unless told otherwise: two jobs of two workers at once.
     */
    public static final int WORKER_SLOTS_DEFAULT = 4;

    private static final Duration TERMINATION_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> ROLES =
        Set.of(ClusterRuntime.COORDINATOR_ROLE, NodeHost.PS_ROLE, NodeHost.WORKER_ROLE);

    private final DataPlane dataPlane;
    private final ActorSystem<Void> system;
    private final ClusterRuntime runtime;
    private final ParasolClient client;

    private LocalParasol(final DataPlane dataPlane, final ActorSystem<Void> system, final ClusterRuntime runtime)
    {
        this.dataPlane = dataPlane;
        this.system = system;
        this.runtime = runtime;
        this.client = runtime.client();
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
        ActorSystem<Void> system = null;
        try
        {
            final Config config = overrides.withFallback(ConfigFactory.parseResources("parasol-local.conf"))
                .withFallback(ConfigFactory.load());
            system = ActorSystem.create(Behaviors.empty(), "parasol", config);
            final ClusterRuntime runtime = ClusterRuntime.start(system, ROLES, dataPlane, workerSlots, null);
            final Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            return new LocalParasol(dataPlane, system, runtime);
        }
        catch (final RuntimeException | Error ex)
        {
            if (system != null)
            {
                system.terminate();
            }
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
     * Get the actor system.
     *
     * @return the system.
     */
    public ActorSystem<Void> system()
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
        runtime.close();
        system.terminate();
        // Aeron is released even if the system is stuck: it must not leave the media driver's files behind.
        ActorSystems.awaitTermination(system, TERMINATION_TIMEOUT);
        CloseHelper.quietClose(dataPlane);
    }
}
