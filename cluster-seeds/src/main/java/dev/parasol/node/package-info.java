/**
 * A Parasol cluster node: its settings read from HOCON and flags ({@link dev.parasol.node.NodeSettings}), the node
 * itself (an Aeron data plane and a Pekko cluster member, {@link dev.parasol.node.ParasolNode}), the hook where the
 * job runtime starts ({@link dev.parasol.node.NodeRuntime}), and a standalone Aeron media driver.
 */
package dev.parasol.node;
