package dev.parasol.node;

import dev.parasol.actors.cluster.ActorSystems;
import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.exceptions.ConfigurationException;
import org.agrona.CloseHelper;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One Parasol cluster node: an Aeron data plane (embedded or external media driver) and a Pekko actor system that
 * joins the cluster through the seed nodes with the node's roles, logs membership changes, and starts the
 * {@link NodeRuntime}.
 * <p>
 * Stopping goes through Pekko's coordinated shutdown, whatever starts it: SIGTERM (the JVM shutdown hook),
 * {@link #close()}, or the cluster removing the node (downed by the Split Brain Resolver). The node first leaves
 * the cluster gracefully (shards hand off, singletons move), then in phase {@code before-actor-system-terminate}
 * closes what the runtime returned and the data plane, whose embedded driver deletes its Aeron directory.
 */
public final class ParasolNode implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ParasolNode.class);
    private static final Duration TERMINATION_TIMEOUT = Duration.ofSeconds(60);

    private final NodeSettings settings;
    private final DataPlane dataPlane;
    private final ActorSystem<Void> system;
    private final CompletableFuture<Done> up = new CompletableFuture<>();
    private final AtomicReference<AutoCloseable> runtimeResources = new AtomicReference<>();
    private final AtomicBoolean isReleased = new AtomicBoolean();

    private ParasolNode(final NodeSettings settings, final DataPlane dataPlane, final ActorSystem<Void> system)
    {
        this.settings = settings;
        this.dataPlane = dataPlane;
        this.system = system;
    }

    /**
     * Start a node: check that its control-plane address can be bound, launch the data plane, start the actor
     * system (which joins the seeds), then the runtime.
     *
     * @param settings the node's settings.
     * @param runtime  what the node runs; {@link TrainingRuntime} for a training node.
     * @return the running node.
     * @throws ConfigurationException naming the setting if an address cannot be bound or the data plane cannot
     *                                start with these settings.
     */
    public static ParasolNode start(final NodeSettings settings, final NodeRuntime runtime)
    {
        checkBindAddress(settings.bind());
        final DataPlane dataPlane = launchDataPlane(settings);
        ActorSystem<Void> system = null;
        try
        {
            system = ActorSystem.create(guardian(), settings.clusterName(), settings.pekkoConfig());
            final ParasolNode node = new ParasolNode(settings, dataPlane, system);
            node.registerShutdown();
            node.startRuntime(runtime);
            if (settings.joinsItself())
            {
                final Cluster cluster = Cluster.get(system);
                cluster.manager().tell(Join.create(cluster.selfMember().address()));
            }
            return node;
        }
        catch (final RuntimeException | Error ex)
        {
            if (null != system)
            {
                terminate(system);
            }
            CloseHelper.quietClose(dataPlane);
            throw ex;
        }
    }

    /**
     * Get the settings the node runs with.
     *
     * @return the settings.
     */
    public NodeSettings settings()
    {
        return settings;
    }

    /**
     * Get the node's actor system.
     *
     * @return the actor system.
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
     * Get the node's address in the cluster, with the port actually bound.
     *
     * @return {@code pekko://CLUSTER-NAME@HOST:PORT}.
     */
    public String selfAddress()
    {
        return Cluster.get(system).selfMember().address().toString();
    }

    /**
     * Get a stage completed when this node is Up in the cluster.
     *
     * @return the stage; never completed if the node never gets Up.
     */
    public CompletionStage<Done> whenUp()
    {
        return up;
    }

    /**
     * Get a stage completed when the actor system has terminated, after the data plane was closed.
     *
     * @return the stage.
     */
    public CompletionStage<Done> whenTerminated()
    {
        return system.getWhenTerminated();
    }

    /**
     * Get why the node is stopping, once coordinated shutdown has started.
     *
     * @return the reason (e.g. {@link CoordinatedShutdown#clusterDowningReason()}), or empty while running.
     */
    public Optional<CoordinatedShutdown.Reason> shutdownReason()
    {
        return CoordinatedShutdown.get(system).getShutdownReason();
    }

    /**
     * Stop the node as SIGTERM does: leave the cluster, close the runtime and the data plane, terminate the actor
     * system; waits up to a minute. Idempotent.
     */
    @Override
    public void close()
    {
        terminate(system);
        releaseResources();
    }

    private static Behavior<Void> guardian()
    {
        return Behaviors.setup((context) ->
        {
            context.spawn(MembershipListener.create(), "membership");
            return Behaviors.empty();
        });
    }

    private static DataPlane launchDataPlane(final NodeSettings settings)
    {
        try
        {
            return DataPlane.launch(settings.dataPlaneContext()
                .errorHandler((throwable) -> LOG.error("data plane error", throwable)));
        }
        catch (final ConfigurationException ex)
        {
            throw DataPlaneSettings.withSettingName(ex);
        }
    }

    private void registerShutdown()
    {
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "parasol-close-runtime-and-data-plane", () ->
            {
                releaseResources();
                return CompletableFuture.completedFuture(Done.getInstance());
            });
        // Coordinated shutdown always runs on termination; this only covers a system stopped some other way.
        system.getWhenTerminated().thenRun(this::releaseResources);
        org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system))
            .registerOnMemberUp(() -> up.complete(Done.getInstance()));
    }

    private void startRuntime(final NodeRuntime runtime)
    {
        try
        {
            runtimeResources.set(runtime.start(new NodeContext(settings, system, dataPlane)));
        }
        catch (final RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("the node runtime " + runtime.getClass().getName() +
                " failed to start: " + ex.getMessage(), ex);
        }
    }

    private void releaseResources()
    {
        if (isReleased.compareAndSet(false, true))
        {
            final AutoCloseable resources = runtimeResources.getAndSet(null);
            try
            {
                if (null != resources)
                {
                    resources.close();
                }
            }
            catch (final Exception ex)
            {
                LOG.error("closing the node runtime failed; closing the data plane anyway", ex);
            }
            finally
            {
                dataPlane.close();
                LOG.info("data plane closed, Aeron directory {} released", dataPlane.aeronDirectoryName());
            }
        }
    }

    private static void terminate(final ActorSystem<?> system)
    {
        system.terminate();
        if (!ActorSystems.awaitTermination(system, TERMINATION_TIMEOUT))
        {
            LOG.warn("the actor system did not terminate within {}; releasing the data plane anyway",
                TERMINATION_TIMEOUT);
        }
    }

    /**
     * Check before Pekko tries that the control-plane address belongs to this machine and its port is free, so that
     * a mistake is one message naming the setting rather than a stack trace from Artery.
     */
    private static void checkBindAddress(final HostPort bind)
    {
        final String name = "bind=" + bind + " (--bind or " + NodeSettings.BIND_KEY + ")";
        final InetAddress address;
        try
        {
            address = InetAddress.getByName(bind.host());
            if (!address.isLoopbackAddress() && null == NetworkInterface.getByInetAddress(address))
            {
                throw new ConfigurationException(name + ": " + address.getHostAddress() +
                    " is not an address of this machine");
            }
        }
        catch (final UnknownHostException | SocketException ex)
        {
            throw new ConfigurationException(name + ": cannot be resolved to an address of this machine", ex);
        }

        if (0 != bind.port())
        {
            try (ServerSocket socket = new ServerSocket())
            {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(address, bind.port()));
            }
            catch (final IOException ex)
            {
                throw new ConfigurationException(name + ": TCP port " + bind.port() + " cannot be bound (" +
                    ex.getMessage() + "); another node or process uses it, choose another port", ex);
            }
        }
    }
}
