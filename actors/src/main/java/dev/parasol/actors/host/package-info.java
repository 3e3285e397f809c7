/**
 * The node host: the actor on every node that starts a job's shards, workers and evaluator on that node, from
 * placements that carry only serializable descriptions, with the node's own data plane and data set.
 */
package dev.parasol.actors.host;
