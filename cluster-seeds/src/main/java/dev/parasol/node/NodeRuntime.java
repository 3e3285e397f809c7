package dev.parasol.node;

/**
 * The hook where a node's job runtime starts: the job manager and schedulers as cluster singletons on coordinator
 * nodes, the parameter-server shard region on ps nodes, the worker host on worker nodes, each according to
 * {@link NodeSettings#roles()}. {@link ParasolNode} calls it once the data plane and the actor system are up;
 * {@code parasol node} picks the implementation in {@code dev.parasol.cli.NodeCommand#newRuntime}.
 * <p>
 * A training node runs {@link TrainingRuntime}; tests may plug in others.
 */
@FunctionalInterface
public interface NodeRuntime
{
    /**
     * Start this node's part of the runtime. Called once, after the data plane launched and the actor system
     * started, possibly before the node is Up: Cluster Singleton and Cluster Sharding initialise here and wait for
     * membership themselves. Spawn top-level actors with {@code node.system().systemActorOf(...)}; add tasks to the
     * node's {@code CoordinatedShutdown} for anything that must happen in an earlier phase (e.g. draining work before
     * {@code cluster-sharding-shutdown-region}).
     *
     * @param node the node's settings, actor system and data plane.
     * @return what to close when the node stops (agent runners, node-local resources): closed in coordinated
     *         shutdown phase {@code before-actor-system-terminate}, after the node has left the cluster and before
     *         the data plane closes.
     * @throws Exception if the runtime cannot start; the node then stops and the failure is reported.
     */
    AutoCloseable start(NodeContext node) throws Exception;
}
