/**
 * The runtime of a cluster node: the job manager as a cluster singleton on the coordinator nodes, the node host on
 * the ps and worker nodes, and the client side that finds the job manager from any member.
 */
package dev.parasol.actors.cluster;
