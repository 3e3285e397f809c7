package dev.parasol.node;

import dev.parasol.actors.dataplane.DataPlane;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * What a {@link NodeRuntime} gets from the node it starts on.
 *
 * @param settings  the node's settings: roles, worker slots, data directory, the whole configuration.
 * @param system    the node's actor system, a member of the cluster (or joining it).
 * @param dataPlane the node's Aeron data plane, shared by every job on the node; the node closes it.
 */
public record NodeContext(NodeSettings settings, ActorSystem<Void> system, DataPlane dataPlane)
{
}
