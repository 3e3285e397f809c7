/**
 * The parameter-server shard of a job: {@link dev.parasol.actors.psshard.ShardState}, the pure single-threaded state
 * of one key range (parameters, optimiser, version, last sequence applied per worker, what changed since each worker's
 * last update, staleness statistics), and {@link dev.parasol.actors.psshard.ShardAgent}, the Agrona agent that polls
 * gradient pushes and parameter requests from Aeron, applies them to the state and replies with parameter updates.
 */
package dev.parasol.actors.psshard;
