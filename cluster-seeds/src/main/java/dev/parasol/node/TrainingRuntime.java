package dev.parasol.node;

import dev.parasol.actors.cluster.ClusterRuntime;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a Parasol node runs: the {@link ClusterRuntime} for its roles, i.e. the job manager singleton where the node
 * is a coordinator (its {@code worker-slots} then bound the workers of all jobs at once) and the node host where it
 * is a ps or worker node, over the node's data plane.
 */
public final class TrainingRuntime implements NodeRuntime
{
    /**
     * Start the cluster runtime for the node's roles.
     *
     * @param node the node.
     * @return the runtime, closed when the node shuts down.
     */
    @Override
    public AutoCloseable start(final NodeContext node)
    {
        final Set<String> roles = new LinkedHashSet<>();
        for (final NodeRole role : node.settings().roles())
        {
            roles.add(role.roleName());
        }
        final JournalSettings journal = node.settings().journal();
        if (node.settings().hasRole(NodeRole.COORDINATOR) && journal.persistent())
        {
            JournalSchema.ensure(node.system(), journal);
        }
        return ClusterRuntime.start(node.system(), roles, node.dataPlane(), node.settings().workerSlots(),
            node.settings().dataDir());
    }
}
