package dev.parasol.cli;

import dev.parasol.node.NodeRuntime;
import dev.parasol.node.NodeSettings;
import dev.parasol.node.ParasolNode;
import dev.parasol.node.TrainingRuntime;
import org.apache.pekko.actor.CoordinatedShutdown;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code parasol node}: starts a cluster node with its roles, joins the seeds, logs membership changes and runs until
 * SIGTERM, when it leaves the cluster gracefully and closes its data plane. Every flag can also be set in the
 * {@code --config} file (or {@code application.conf}); flags win. Bad settings exit with status 2 and one message
 * naming each of them.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
        "Start a Parasol cluster node: an Aeron data plane and a Pekko cluster member with the given roles, " +
            "joining the seed nodes. Runs until SIGTERM (or Ctrl-C), then leaves the cluster gracefully.",
        "Every flag can also be set under parasol.node in the --config file (see conf/application.conf.example); " +
            "flags given here win."},
    footer = {
        "",
        "Exit status: 0 stopped by SIGTERM or after leaving the cluster; 2 bad settings (each named); 3 removed from " +
            "the cluster without asking (downed by the Split Brain Resolver): restart it.",
        "See docs/deployment.md for the layout of a bare-metal cluster."})
final class NodeCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
        description = "HOCON file with parasol.node, parasol.data-plane and pekko settings; flags win.")
    Path config;

    @Option(names = "--roles", paramLabel = "ROLE[,ROLE...]",
        description = "What this node hosts: coordinator, ps, worker (several allowed). Default: all three.")
    String roles;

    @Option(names = "--bind", paramLabel = "HOST:PORT",
        description = "Control-plane address (Pekko over TCP), bound and advertised to the other nodes. " +
            "Default: 127.0.0.1:17355.")
    String bind;

    @Option(names = "--seeds", paramLabel = "HOST:PORT[,HOST:PORT...]",
        description = "Seed nodes to join through (their --bind); the same list on every node. " +
            "Default: 127.0.0.1:17355.")
    String seeds;

    @Option(names = "--data-bind", paramLabel = "HOST:PORT",
        description = "Data-plane address (Aeron UDP) where this node receives gradients and parameters. " +
            "Default: the host of --bind, ephemeral ports.")
    String dataBind;

    @Option(names = "--data-advertise", paramLabel = "HOST:PORT",
        description = "Data-plane address the other nodes are told to send to instead of --data-bind: a NAT's or " +
            "a relay's that forwards to --data-bind. Needs a fixed --data-bind port. Default: --data-bind itself.")
    String dataAdvertise;

    @Option(names = "--media-driver", paramLabel = "embedded|external",
        description = "Run the Aeron media driver inside the node, or use one already running on this host " +
            "(parasol media-driver). Default: embedded.")
    String mediaDriver;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
        description = "Aeron directory: of the external driver, or for the embedded one. Default: a fresh " +
            "directory under /dev/shm (embedded), Aeron's default (external).")
    String aeronDir;

    @Option(names = "--worker-slots", paramLabel = "N|auto",
        description = "On a coordinator: workers the job manager runs at once over all jobs and nodes. " +
            "Default: auto (one per core of this node).")
    String workerSlots;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "This node's copy of the data set. Default: the usual search (see README, Data).")
    String dataDir;

    /**
     * Choose what the node runs. The cluster runtime (job manager singleton, shard region, worker host) replaces
     * this with its implementation of {@link NodeRuntime}; until then the node only joins and logs membership.
     */
    static NodeRuntime newRuntime(final NodeSettings settings)
    {
        return new TrainingRuntime();
    }

    /**
     * The exit status for why the node stopped: 0 for a stop it was asked for (SIGTERM, leaving), 3 for a removal
     * it did not ask for, so that systemd's Restart=on-failure brings it back as a fresh member.
     */
    static int exitStatusFor(final Optional<CoordinatedShutdown.Reason> reason)
    {
        if (reason.isEmpty())
        {
            return 0;
        }
        final CoordinatedShutdown.Reason why = reason.get();
        if (why.equals(CoordinatedShutdown.clusterDowningReason()) ||
            why.equals(CoordinatedShutdown.clusterJoinUnsuccessfulReason()) ||
            why.equals(CoordinatedShutdown.incompatibleConfigurationDetectedReason()) ||
            why.equals(CoordinatedShutdown.unknownReason()))
        {
            return 3;
        }
        return 0;
    }

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final NodeSettings settings = NodeSettings.load(config, flags());
        out.println("parasol node: " + settings.describe());
        out.flush();

        final ParasolNode node = ParasolNode.start(settings, newRuntime(settings));
        out.println("parasol node: " + node.selfAddress() + " started, data plane on " +
            node.dataPlane().bindHost() + (null == settings.dataAdvertise() ? "" : ", advertised as " +
            settings.dataAdvertise()) + " (Aeron directory " + node.dataPlane().aeronDirectoryName() +
            "); joining " + (settings.joinsItself() ? "itself" : settings.seeds()) + "; stop with SIGTERM");
        out.flush();
        node.whenUp().thenRun(() ->
        {
            out.println("parasol node: " + node.selfAddress() + " is Up in the cluster");
            out.flush();
        });

        node.whenTerminated().toCompletableFuture().join();
        final Optional<CoordinatedShutdown.Reason> reason = node.shutdownReason();
        final int status = exitStatusFor(reason);
        out.println("parasol node: stopped (" + reason.map(Object::toString).orElse("actor system terminated") +
            ")" + (0 == status ? "" : "; it was removed from the cluster and should be restarted"));
        out.flush();
        return status;
    }

    private Map<String, Object> flags()
    {
        final Map<String, Object> flags = new HashMap<>();
        putIfGiven(flags, NodeSettings.ROLES_KEY, roles);
        putIfGiven(flags, NodeSettings.BIND_KEY, bind);
        putIfGiven(flags, NodeSettings.SEEDS_KEY, seeds);
        putIfGiven(flags, NodeSettings.DATA_BIND_KEY, dataBind);
        putIfGiven(flags, NodeSettings.DATA_ADVERTISE_KEY, dataAdvertise);
        putIfGiven(flags, NodeSettings.MEDIA_DRIVER_KEY, mediaDriver);
        putIfGiven(flags, NodeSettings.AERON_DIR_KEY, aeronDir);
        putIfGiven(flags, NodeSettings.WORKER_SLOTS_KEY, workerSlots);
        putIfGiven(flags, NodeSettings.DATA_DIR_KEY, dataDir);
        return flags;
    }

    private static void putIfGiven(final Map<String, Object> flags, final String key, final String value)
    {
        if (null != value)
        {
            flags.put(key, value);
        }
    }
}
