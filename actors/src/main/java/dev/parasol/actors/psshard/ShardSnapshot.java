package dev.parasol.actors.psshard;

/**
 * A copy of a shard's model state taken on the shard's thread: what a checkpoint or the final model needs. The arrays
 * are copies owned by the snapshot; as a record with array components, {@code equals} compares them by identity.
 *
 * @param jobId                the job.
 * @param shard                the shard index.
 * @param rangeStart           first key of the shard's range in the flat parameter vector.
 * @param version              the shard's version when the copy was taken.
 * @param parameters           the parameters of the range, {@code parameters[i]} for key {@code rangeStart + i}.
 * @param optimiserState       copies of the optimiser's per-coordinate state arrays (none for SGD).
 * @param optimiserSteps       the optimiser's step count (Adam's bias correction depends on it).
 * @param lastAppliedSequences last sequence applied (or dropped) per worker slot, the evaluator's last.
 * @param sequenceBases        the sequence base of each slot's current incarnation ({@code Long.MIN_VALUE} before
 *                             the first replacement).
 * @param statistics           the counters at the same instant.
 */
public record ShardSnapshot(
    long jobId,
    int shard,
    int rangeStart,
    long version,
    float[] parameters,
    float[][] optimiserState,
    long optimiserSteps,
    long[] lastAppliedSequences,
    long[] sequenceBases,
    ShardStatistics statistics)
{
}
