package dev.parasol.actors.jobapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of a running job, sent by its runner to the {@link JobManager} and from there to every subscriber.
 * Counts are cumulative since the job started; rates cover the last interval. Build one with {@link #builder(String)}.
 *
 * @param jobId            the job.
 * @param elapsedSeconds   wall time since the job started running.
 * @param steps            optimiser steps completed, summed over the workers.
 * @param samples          training samples that went into gradients.
 * @param epoch            samples / training-set size.
 * @param samplesPerSecond training throughput over the last interval.
 * @param trainLoss        mean training loss over the last interval, NaN if none yet.
 * @param lastTestAccuracy accuracy of the latest evaluation, NaN if none yet.
 * @param bytesUp          bytes offered to Aeron from workers to shards.
 * @param bytesDown        bytes offered to Aeron from shards to workers.
 * @param stalenessP50     median staleness of applied updates, in versions.
 * @param stalenessP99     99th percentile staleness.
 * @param stalenessMax     largest staleness.
 * @param shards           per-shard compression telemetry, in shard order; may be empty.
 * @param warnings         warnings raised since the previous event, e.g. the divergence watchdog; may be empty.
 * @param counters         other named counters (e.g. {@code updates_sent}, {@code updates_applied},
 *                         {@code updates_dropped_stale}, {@code messages_rejected}); may be empty.
 */
public record ProgressEvent(
    String jobId,
    double elapsedSeconds,
    long steps,
    long samples,
    double epoch,
    double samplesPerSecond,
    double trainLoss,
    double lastTestAccuracy,
    long bytesUp,
    long bytesDown,
    long stalenessP50,
    long stalenessP99,
    long stalenessMax,
    List<ShardTelemetry> shards,
    List<String> warnings,
    Map<String, Long> counters) implements JobManager.JobEvent
{
    /**
     * Copy the collections; null collections become empty.
     *
     * @param jobId            the job.
     * @param elapsedSeconds   wall time since the job started running.
     * @param steps            optimiser steps completed.
     * @param samples          training samples used.
     * @param epoch            epochs completed.
     * @param samplesPerSecond training throughput.
     * @param trainLoss        mean training loss.
     * @param lastTestAccuracy latest test accuracy.
     * @param bytesUp          uplink bytes.
     * @param bytesDown        downlink bytes.
     * @param stalenessP50     median staleness.
     * @param stalenessP99     99th percentile staleness.
     * @param stalenessMax     largest staleness.
     * @param shards           per-shard telemetry.
     * @param warnings         warnings.
     * @param counters         other counters.
     */
    public ProgressEvent
    {
        shards = shards == null ? List.of() : List.copyOf(shards);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        counters = counters == null ? Map.of() : Map.copyOf(counters);
    }

    /**
     * Start an event of a job; every number starts at 0 and the loss and accuracy at NaN.
     *
     * @param jobId the job.
     * @return a new builder.
     */
    public static Builder builder(final String jobId)
    {
        return new Builder(jobId);
    }

    /**
     * Builds a {@link ProgressEvent}.
     */
    public static final class Builder
    {
        private final String jobId;
        private double elapsedSeconds;
        private long steps;
        private long samples;
        private double epoch;
        private double samplesPerSecond;
        private double trainLoss = Double.NaN;
        private double lastTestAccuracy = Double.NaN;
        private long bytesUp;
        private long bytesDown;
        private long stalenessP50;
        private long stalenessP99;
        private long stalenessMax;
        private List<ShardTelemetry> shards = List.of();
        private List<String> warnings = List.of();
        private final Map<String, Long> counters = new LinkedHashMap<>();

        private Builder(final String jobId)
        {
            this.jobId = jobId;
        }

        /**
         * Set the wall time since the job started running.
         *
         * @param elapsedSeconds seconds.
         * @return this for a fluent API.
         */
        public Builder elapsedSeconds(final double elapsedSeconds)
        {
            this.elapsedSeconds = elapsedSeconds;
            return this;
        }

        /**
         * Set the progress counters.
         *
         * @param steps   optimiser steps completed.
         * @param samples training samples used.
         * @param epoch   epochs completed.
         * @return this for a fluent API.
         */
        public Builder progress(final long steps, final long samples, final double epoch)
        {
            this.steps = steps;
            this.samples = samples;
            this.epoch = epoch;
            return this;
        }

        /**
         * Set the training throughput.
         *
         * @param samplesPerSecond samples per second over the last interval.
         * @return this for a fluent API.
         */
        public Builder samplesPerSecond(final double samplesPerSecond)
        {
            this.samplesPerSecond = samplesPerSecond;
            return this;
        }

        /**
         * Set the mean training loss over the last interval.
         *
         * @param trainLoss the loss.
         * @return this for a fluent API.
         */
        public Builder trainLoss(final double trainLoss)
        {
            this.trainLoss = trainLoss;
            return this;
        }

        /**
         * Set the accuracy of the latest evaluation.
         *
         * @param lastTestAccuracy the accuracy.
         * @return this for a fluent API.
         */
        public Builder lastTestAccuracy(final double lastTestAccuracy)
        {
            this.lastTestAccuracy = lastTestAccuracy;
            return this;
        }

        /**
         * Set the bytes offered to Aeron in each direction.
         *
         * @param bytesUp   workers to shards.
         * @param bytesDown shards to workers.
         * @return this for a fluent API.
         */
        public Builder bytes(final long bytesUp, final long bytesDown)
        {
            this.bytesUp = bytesUp;
            this.bytesDown = bytesDown;
            return this;
        }

        /**
         * Set the staleness percentiles.
         *
         * @param p50 median.
         * @param p99 99th percentile.
         * @param max largest.
         * @return this for a fluent API.
         */
        public Builder staleness(final long p50, final long p99, final long max)
        {
            this.stalenessP50 = p50;
            this.stalenessP99 = p99;
            this.stalenessMax = max;
            return this;
        }

        /**
         * Set the per-shard telemetry.
         *
         * @param shards one entry per shard.
         * @return this for a fluent API.
         */
        public Builder shards(final List<ShardTelemetry> shards)
        {
            this.shards = shards;
            return this;
        }

        /**
         * Set the warnings raised since the previous event.
         *
         * @param warnings the warnings.
         * @return this for a fluent API.
         */
        public Builder warnings(final List<String> warnings)
        {
            this.warnings = warnings;
            return this;
        }

        /**
         * Add a named counter.
         *
         * @param name  e.g. {@code updates_applied}.
         * @param value the count.
         * @return this for a fluent API.
         */
        public Builder counter(final String name, final long value)
        {
            counters.put(name, value);
            return this;
        }

        /**
         * Build the event.
         *
         * @return the event.
         */
        public ProgressEvent build()
        {
            return new ProgressEvent(jobId, elapsedSeconds, steps, samples, epoch, samplesPerSecond, trainLoss,
                lastTestAccuracy, bytesUp, bytesDown, stalenessP50, stalenessP99, stalenessMax, shards, warnings,
                counters);
        }
    }
}
