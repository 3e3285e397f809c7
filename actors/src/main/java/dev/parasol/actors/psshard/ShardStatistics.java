package dev.parasol.actors.psshard;

import dev.parasol.actors.CborSerializable;

import java.util.Map;

/**
 * A point-in-time copy of a shard's counters and staleness percentiles, taken on the shard's thread (see
 * {@link ShardState#statistics()} and {@link ShardAgent#statistics(java.util.concurrent.CompletableFuture)}) so that
 * other threads can read it safely.
 * <p>
 * Every push that is not rejected ends up in exactly one of {@code applied}, {@code droppedStale} or
 * {@code duplicates}; the worker-side count of pushes sent therefore equals {@code applied + droppedStale} when no
 * message was replayed.
 *
 * @param jobId              the job.
 * @param shard              the shard index.
 * @param version            the shard's version: updates applied since it started.
 * @param applied            pushes applied.
 * @param droppedStale       pushes dropped by the staleness policy (acknowledged, not applied).
 * @param duplicates         pushes whose sequence was already seen (acknowledged, not applied).
 * @param requests           parameter requests served.
 * @param repliesSent        parameter updates handed to the reply sender successfully.
 * @param replyFailures      replies the sender refused (negative result) or that could not be encoded (a
 *                           parameter no longer finite); the changes stay pending for the next reply.
 * @param rejected           messages rejected, wire and protocol reasons together.
 * @param bytesIn            bytes of every message given to the shard, rejected ones included.
 * @param bytesOut           bytes of the replies sent to workers.
 * @param evaluationBytesOut bytes of the replies sent to the evaluator, kept out of the training figures.
 * @param futureBaseVersions pushes whose base version was ahead of the shard's, applied as fresh (staleness 0).
 * @param stalenessCount     pushes whose staleness was recorded (applied and dropped ones).
 * @param stalenessP50       median staleness.
 * @param stalenessP99       99th percentile of staleness.
 * @param stalenessMax       largest staleness.
 * @param rejectsByReason    rejection counts by reason name, only the reasons seen; wire and protocol reasons.
 * @param checkpoints        checkpoints written by the shard's node, 0 when checkpoints are off.
 * @param checkpointFailures checkpoints that could not be written (the previous one stays).
 * @param checkpointVersion  the version of the latest checkpoint written, -1 before the first.
 * @param replicationBytes   bytes sent for the shard's backup copy: pushes a primary forwarded, confirmations a
 *                           backup sent back.
 * @param backupDetaches     times the shard went on without its backup (lost, refusing, or silent).
 */
public record ShardStatistics(
    long jobId,
    int shard,
    long version,
    long applied,
    long droppedStale,
    long duplicates,
    long requests,
    long repliesSent,
    long replyFailures,
    long rejected,
    long bytesIn,
    long bytesOut,
    long evaluationBytesOut,
    long futureBaseVersions,
    long stalenessCount,
    long stalenessP50,
    long stalenessP99,
    long stalenessMax,
    Map<String, Long> rejectsByReason,
    long checkpoints,
    long checkpointFailures,
    long checkpointVersion,
    long replicationBytes,
    long backupDetaches) implements CborSerializable
{
    /**
     * Copy the map so the record stays immutable.
     *
     * @param jobId              the job.
     * @param shard              the shard index.
     * @param version            the shard's version.
     * @param applied            pushes applied.
     * @param droppedStale       pushes dropped as stale.
     * @param duplicates         pushes seen before.
     * @param requests           requests served.
     * @param repliesSent        replies sent.
     * @param replyFailures      replies not sent.
     * @param rejected           messages rejected.
     * @param bytesIn            bytes received.
     * @param bytesOut           bytes of replies sent to workers.
     * @param evaluationBytesOut bytes of replies sent to the evaluator.
     * @param futureBaseVersions pushes with a base version ahead of the shard.
     * @param stalenessCount     staleness samples.
     * @param stalenessP50       median staleness.
     * @param stalenessP99       99th percentile of staleness.
     * @param stalenessMax       largest staleness.
     * @param rejectsByReason    rejection counts by reason name.
     * @param checkpoints        checkpoints written.
     * @param checkpointFailures checkpoints not written.
     * @param checkpointVersion  version of the latest checkpoint, -1 before the first.
     * @param replicationBytes   bytes sent for the backup copy.
     * @param backupDetaches     times the shard went on without its backup.
     */
    public ShardStatistics
    {
        rejectsByReason = Map.copyOf(rejectsByReason);
    }

    /**
     * Get a copy with the checkpoint figures, which the shard's actor keeps (the state does not write files).
     *
     * @param written  checkpoints written.
     * @param failures checkpoints not written.
     * @param latest   version of the latest checkpoint, -1 before the first.
     * @return the copy.
     */
    public ShardStatistics withCheckpoints(final long written, final long failures, final long latest)
    {
        return new ShardStatistics(jobId, shard, version, applied, droppedStale, duplicates, requests, repliesSent,
            replyFailures, rejected, bytesIn, bytesOut, evaluationBytesOut, futureBaseVersions, stalenessCount,
            stalenessP50, stalenessP99, stalenessMax, rejectsByReason, written, failures, latest, replicationBytes,
            backupDetaches);
    }
}
