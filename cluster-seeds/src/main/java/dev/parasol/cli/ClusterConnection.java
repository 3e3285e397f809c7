package dev.parasol.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.parasol.actors.cluster.ActorSystems;
import dev.parasol.actors.cluster.ClusterRuntime;
import dev.parasol.actors.jobapi.ParasolClient;
import dev.parasol.node.HostPort;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

import java.time.Duration;
import java.util.List;

/**
 * A command-line client's link to a running cluster: a short-lived member with the {@code client} role that joins
 * through a contact node and talks to the job manager singleton through its proxy. Joining (rather than a
 * receptionist-only client from outside) lets the client use the same singleton proxy, death watch and progress
 * subscription as any member; the role keeps job parts and the manager off it, and it leaves the cluster when closed.
 */
final class ClusterConnection implements AutoCloseable
{
    /**
     * The actor system name every Parasol node and client shares; members of a cluster must agree on it.
     */
    static final String SYSTEM_NAME = "parasol";

    private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * How long a client waits to be let into the cluster: a join takes a second or two, and before this wait a client
     * that could not join failed after its first ask's timeout, 10 s for a submission.
     */
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

    private final ActorSystem<Void> system;
    private final ParasolClient client;

    private ClusterConnection(final ActorSystem<Void> system)
    {
        this.system = system;
        // A client never hosts the manager (it lacks the coordinator role); the slot count only satisfies its factory.
        this.client = new ParasolClient(system, ClusterRuntime.jobManagerProxy(system, 1));
    }

    /**
     * Join the cluster through a contact node, and wait until a member lets this client in.
     *
     * @param contact  a member's cluster address (its --bind), usually a seed node.
     * @param bindHost the address this client listens on; other members must reach it.
     * @return the connection.
     * @throws IllegalArgumentException if no member let the client in within {@link #JOIN_TIMEOUT}.
     */
    static ClusterConnection connect(final HostPort contact, final String bindHost)
    {
        final Config config = ConfigFactory.empty()
            .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster"))
            .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(bindHost))
            .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(0))
            .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(List.of(ClusterRuntime.CLIENT_ROLE)))
            .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(List.of(
                "pekko://" + SYSTEM_NAME + "@" + contact.host() + ":" + contact.port())))
            .withValue("pekko.loglevel", ConfigValueFactory.fromAnyRef("WARNING"))
            .withValue("pekko.coordinated-shutdown.exit-jvm", ConfigValueFactory.fromAnyRef("off"))
            .withFallback(ConfigFactory.load());
        final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config);
        if (!awaitJoined(system))
        {
            system.terminate();
            ActorSystems.awaitTermination(system, LEAVE_TIMEOUT);
            // Without this wait the client only learnt that its first ask timed out, which says nothing of why.
            throw new IllegalArgumentException("--contact " + contact + ": no member let this client into the " +
                "cluster within " + JOIN_TIMEOUT.toSeconds() + " s; check that a node runs there and that this " +
                "client has the cluster's control-plane settings (-Dconfig.file=FILE): the same " +
                "pekko.remote.artery.transport and, for tls-tcp, a key store signed by the cluster's certificate " +
                "authority for this client's address, " + bindHost + " (see docs/deployment.md, section 13)");
        }
        return new ClusterConnection(system);
    }

    /**
     * Wait until a member welcomed this client (Joining, then Up): from then on the singleton proxy can find the job
     * manager. A client that cannot talk to the contact (down, another transport, a certificate the cluster does not
     * trust) is never welcomed.
     */
    private static boolean awaitJoined(final ActorSystem<Void> system)
    {
        final Cluster cluster = Cluster.get(system);
        final long deadlineNs = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        while (System.nanoTime() - deadlineNs < 0)
        {
            final MemberStatus status = cluster.selfMember().status();
            if (MemberStatus.joining().equals(status) || MemberStatus.weaklyUp().equals(status) ||
                MemberStatus.up().equals(status))
            {
                return true;
            }
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * Get the client of the cluster's job manager.
     *
     * @return the client.
     */
    ParasolClient client()
    {
        return client;
    }

    /**
     * Leave the cluster and stop the client's actor system.
     */
    @Override
    public void close()
    {
        // Coordinated shutdown leaves the cluster and waits until the others saw it go, then stops the system, so
        // the members do not log a dropped connection for every client that came and went.
        CoordinatedShutdown.get(system).run(CoordinatedShutdown.clusterLeavingReason());
        // If it takes longer, the process ends anyway; the cluster's failure detector removes a client that did not
        // leave.
        ActorSystems.awaitTermination(system, LEAVE_TIMEOUT);
    }
}
