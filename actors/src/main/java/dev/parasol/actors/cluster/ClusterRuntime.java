package dev.parasol.actors.cluster;

import dev.parasol.actors.dataplane.AgentThreadingMode;
import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.DynamicAgentRunner;
import dev.parasol.actors.host.NodeHost;
import dev.parasol.actors.host.ShardEntity;
import dev.parasol.actors.job.JobRunnerLauncher;
import dev.parasol.actors.job.NodeResources;
import dev.parasol.actors.jobapi.JobJournal;
import dev.parasol.actors.jobapi.JobManager;
import dev.parasol.actors.jobapi.ParasolClient;
import org.agrona.CloseHelper;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What a cluster node runs, by role: {@code coordinator} nodes may host the job manager, a cluster singleton (so it
 * moves when its node leaves), and every node gets a proxy to it; {@code ps} and {@code worker} nodes run a
 * {@link NodeHost} with the node's data plane and shard thread, which builds the job parts placed on the node;
 * {@code ps} nodes also host the Cluster Sharding entities of parameter-server shards ({@link ShardEntity}), which
 * every other member reaches through a proxy. A node with neither ps nor worker needs no data plane. Local mode is
 * this with every role on one node.
 */
public final class ClusterRuntime implements AutoCloseable
{
    /**
     * The role of nodes that may host the job manager.
     */
    public static final String COORDINATOR_ROLE = "coordinator";

    /**
     * The role of client processes that only submit and follow jobs.
     */
    public static final String CLIENT_ROLE = "client";

    private static final Logger LOG = LoggerFactory.getLogger(ClusterRuntime.class);

    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final String JOURNAL_STORE_SETTING = "parasol.jobs.journal.store";

    private final ActorRef<JobManager.Command> jobManager;
    private final DynamicAgentRunner shardRunner;
    private final ActorRef<NodeHost.Command> nodeHost;
    private final ActorSystem<?> system;

    private ClusterRuntime(
        final ActorSystem<?> system,
        final ActorRef<JobManager.Command> jobManager,
        final DynamicAgentRunner shardRunner,
        final ActorRef<NodeHost.Command> nodeHost)
    {
        this.system = system;
        this.jobManager = jobManager;
        this.shardRunner = shardRunner;
        this.nodeHost = nodeHost;
    }

    /**
     * Start what this node's roles call for on an actor system that is, or will be, a cluster member.
     *
     * @param system      the node's actor system (cluster provider).
     * @param roles       the node's roles.
     * @param dataPlane   the node's data plane; required with the ps or worker role, else may be null.
     * @param workerSlots workers the job manager may run at once over the cluster, if this node hosts it.
     * @param dataDir     where this node's copy of the data set is, for jobs that name none; null for the usual
     *                    search.
     * @return the running runtime; close it before the data plane.
     */
    public static ClusterRuntime start(
        final ActorSystem<?> system,
        final Set<String> roles,
        final DataPlane dataPlane,
        final int workerSlots,
        final Path dataDir)
    {
        final ActorRef<JobManager.Command> manager = jobManagerProxy(system, workerSlots);
        DynamicAgentRunner shardRunner = null;
        ActorRef<NodeHost.Command> host = null;
        if (roles.contains(NodeHost.PS_ROLE) || roles.contains(NodeHost.WORKER_ROLE))
        {
            Objects.requireNonNull(dataPlane, "a ps or worker node needs a data plane");
            shardRunner = DynamicAgentRunner.start("parasol-shards", AgentThreadingMode.SHARED,
                dataPlane.context()::newAgentIdleStrategy,
                (throwable) -> LOG.error("a parameter-server shard failed", throwable), null);
            host = system.systemActorOf(
                NodeHost.create(new NodeResources(dataPlane, shardRunner, dataDir), roles), "node-host",
                Props.empty());
        }
        // Every member registers the shard entities: ps nodes as their hosts, the others as proxies, through which
        // a job runner on a coordinator reaches the shards of its job.
        ShardEntity.init(system, roles.contains(NodeHost.PS_ROLE) ? host : null);
        return new ClusterRuntime(system, manager, shardRunner, host);
    }

    /**
     * Get a reference to the job manager singleton from any member: it runs on the oldest coordinator node, and
     * this proxy follows it when it moves. Members without the coordinator role only ever get the proxy.
     *
     * @param system      a cluster member's actor system.
     * @param workerSlots workers the manager may run at once, if this member ends up hosting it.
     * @return the proxy.
     */
    public static ActorRef<JobManager.Command> jobManagerProxy(final ActorSystem<?> system, final int workerSlots)
    {
        return ClusterSingleton.get(system).init(
            SingletonActor.of(JobManager.create(workerSlots, new JobRunnerLauncher(), JobManager.CANCEL_GRACE,
                    journal(system)), "job-manager")
                .withSettings(ClusterSingletonSettings.create(system).withRole(COORDINATOR_ROLE)));
    }

    /**
     * Get the job manager's journal as the configuration asks ({@value #JOURNAL_STORE_SETTING}): {@code persistent}
     * through the configured Pekko Persistence journal, so that the jobs survive the loss of the coordinator node,
     * or {@code in-memory} (local mode).
     */
    private static Behavior<JobJournal.Command> journal(final ActorSystem<?> system)
    {
        final String store = system.settings().config().getString(JOURNAL_STORE_SETTING);
        switch (store)
        {
            case "persistent":
                return JobJournal.persistent(JobJournal.JOB_MANAGER_PERSISTENCE_ID);
            case "in-memory":
                return JobJournal.inMemory();
            default:
                throw new IllegalArgumentException(JOURNAL_STORE_SETTING + "=" + store +
                    ": expected persistent or in-memory");
        }
    }

    /**
     * Get the job manager, through the singleton proxy.
     *
     * @return the proxy.
     */
    public ActorRef<JobManager.Command> jobManager()
    {
        return jobManager;
    }

    /**
     * Get a client of the job manager.
     *
     * @return the client.
     */
    public ParasolClient client()
    {
        return new ParasolClient(system, jobManager);
    }

    /**
     * Stop this node's job parts and wait for them (so none touches the data plane after this returns), then the
     * shard thread; the actor system and the data plane belong to the caller, who closes them after this.
     */
    @Override
    public void close()
    {
        if (nodeHost != null)
        {
            try
            {
                AskPattern.<NodeHost.Command, Done>ask(nodeHost, NodeHost.Shutdown::new, SHUTDOWN_TIMEOUT,
                    system.scheduler()).toCompletableFuture().get(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            catch (final ExecutionException | TimeoutException ex)
            {
                LOG.warn("the node's job parts did not all stop within {}: {}", SHUTDOWN_TIMEOUT, ex.toString());
            }
        }
        CloseHelper.quietClose(shardRunner);
    }
}
