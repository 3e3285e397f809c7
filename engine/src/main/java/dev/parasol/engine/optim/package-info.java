/**
 * Optimisers that a parameter-server shard runs over its key range: SGD, momentum and Adam, each applying a dense
 * update or a sparse one (indices and values) in place, scaled by a factor the staleness policy chooses.
 */
package dev.parasol.engine.optim;
