package dev.parasol.actors.jobapi;

import dev.parasol.actors.CborSerializable;

import java.time.Instant;
import java.util.Map;

/**
 * What a running job needs to go on after its coordinator is lost, recorded in the job journal at an interval: the
 * job's data-plane id (its shards' checkpoints carry it), when training began (so time to target counts the
 * fail-over too), and the clock of every worker (so the resumed workers carry on from their steps and the job does
 * not spend its step budget twice).
 *
 * @param wireJobId         the job id of its data-plane messages and shard checkpoints.
 * @param trainingStartedAt when the job's first training step was permitted.
 * @param clocks            each active worker's clock (steps completed), by worker id.
 * @param samples           training samples used so far, for status displays.
 * @param steps             optimiser steps completed so far, for status displays.
 */
public record ResumePoint(long wireJobId, Instant trainingStartedAt, Map<Integer, Long> clocks, long samples,
    long steps) implements CborSerializable
{
    /**
     * Copy the clocks.
     *
     * @param wireJobId         the job id of its data-plane messages and shard checkpoints.
     * @param trainingStartedAt when the job's first training step was permitted.
     * @param clocks            each active worker's clock, by worker id.
     * @param samples           training samples used so far.
     * @param steps             optimiser steps completed so far.
     */
    public ResumePoint
    {
        clocks = clocks == null ? Map.of() : Map.copyOf(clocks);
    }

    /**
     * Get the clock a worker resumes at.
     *
     * @param workerId the worker.
     * @return its recorded clock, or the smallest recorded one when it has none (a worker lost at the time).
     */
    public long clockOf(final int workerId)
    {
        final Long clock = clocks.get(workerId);
        if (clock != null)
        {
            return clock;
        }
        long min = Long.MAX_VALUE;
        for (final long c : clocks.values())
        {
            min = Math.min(min, c);
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }
}
