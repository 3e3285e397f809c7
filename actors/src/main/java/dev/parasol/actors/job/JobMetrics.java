package dev.parasol.actors.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.parasol.actors.jobapi.JobResult;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.jobapi.ProgressEvent;
import dev.parasol.actors.jobapi.ShardTelemetry;
import dev.parasol.actors.psshard.ShardStatistics;
import dev.parasol.actors.scheduler.Scheduler;
import dev.parasol.actors.worker.Worker;
import dev.parasol.actors.worker.WorkerTelemetry;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.wire.DenseEncoder;
import dev.parasol.wire.MessageAuthenticator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * What a job measured, gathered by its runner from the scheduler, the shards and the workers' telemetry, and turned
 * into progress events and the final report. Every byte figure is what was offered to Aeron and accepted, counted at
 * the sender; {@code dense_bytes_per_step} alone is a reference, the exact length of the dense pushes of one worker
 * step as the codec encodes them, so that compression ratios divide two figures of the same kind.
 * <p>
 * Owned by the runner actor: not thread-safe, except for the workers' telemetry it reads, which is.
 */
final class JobMetrics
{
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String jobId;
    private final JobSpec spec;
    private final int trainSize;
    private final KeyRange[] ranges;
    private final String blas;
    private final Map<String, String> placement;
    /**
     * The latest telemetry of every worker incarnation, by {@link #incarnationKey}: a lost worker's last snapshot
     * stays counted beside its replacement's, so the job's totals cover both.
     */
    private final Map<Long, WorkerTelemetry.Snapshot> workers = new LinkedHashMap<>();
    private final ShardStatistics[] shardStatistics;
    /**
     * The last statistics of shards that were lost and restarted: counters restart with each life of a shard, and
     * the job's totals add up every life (a lost life's counts as of its last report, up to a second old).
     */
    private final List<ShardStatistics> lostShardLives = new ArrayList<>();
    private final List<ShardStatistics> earlierRunShards = new ArrayList<>();
    /**
     * The last statistics of a lost shard while it restarts: added to the totals if it restarts from its checkpoint,
     * dropped if its backup copy takes over, whose counters already count everything the lost shard took.
     */
    private final ShardStatistics[] restartingLives;
    private int shardRestartCount;
    private int shardPromotions;
    private int backupCopies;
    private int coordinatorFailovers;
    private long updatesRolledBack;
    private final Map<Long, Long> retiredPushes = new HashMap<>();
    private final List<Map<String, Object>> evaluations = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<String> unreportedWarnings = new ArrayList<>();
    private Scheduler.Statistics schedulerStatistics;
    private long startNs;
    private long endNs;
    private double lastAccuracy = Double.NaN;
    private double lastLoss = Double.NaN;
    private Double timeToTargetSeconds;
    private long lastProgressSamples;
    private long lastProgressNs;

    JobMetrics(
        final String jobId,
        final JobSpec spec,
        final int trainSize,
        final KeyRange[] ranges,
        final String blas,
        final Map<String, String> placement)
    {
        // The runner's own map, read when the report is written: a replacement's node is known only later.
        this.placement = placement;
        this.jobId = jobId;
        this.spec = spec;
        this.trainSize = trainSize;
        this.ranges = ranges.clone();
        this.blas = blas;
        this.shardStatistics = new ShardStatistics[ranges.length];
        this.restartingLives = new ShardStatistics[ranges.length];
    }

    void onWorkerTelemetry(final int workerId, final WorkerTelemetry.Snapshot telemetry)
    {
        final long key = incarnationKey(workerId, telemetry.incarnation());
        final WorkerTelemetry.Snapshot previous = workers.get(key);
        // Replies may overtake each other; keep the latest by steps.
        if (previous == null || telemetry.steps() >= previous.steps())
        {
            workers.put(key, telemetry);
        }
    }

    private static long incarnationKey(final int workerId, final int incarnation)
    {
        return (long)workerId << Integer.SIZE | incarnation;
    }

    void start()
    {
        startNs = System.nanoTime();
        lastProgressNs = startNs;
    }

    /**
     * Start the clock of a job taken over after its coordinator was lost: its time runs from its first start, so
     * the time to target includes the fail-over.
     */
    void startedAt(final Instant trainingStartedAt)
    {
        final long sinceNs = Math.max(0, Duration.between(trainingStartedAt, Instant.now()).toNanos());
        startNs = System.nanoTime() - sinceNs;
        lastProgressNs = System.nanoTime();
    }

    /**
     * Count the run a lost coordinator left behind, as its parts reported when they were reclaimed: the final
     * telemetry of its workers and the final statistics of its shards.
     */
    void onEarlierRun(
        final int failovers, final List<Worker.Stopped> workersStopped, final List<ShardStatistics> shards)
    {
        coordinatorFailovers = failovers;
        for (final Worker.Stopped stopped : workersStopped)
        {
            if (stopped.telemetry() != null)
            {
                onWorkerTelemetry(stopped.workerId(), stopped.telemetry());
            }
        }
        earlierRunShards.addAll(shards);
        lastProgressSamples = samples();
    }

    void stop()
    {
        endNs = System.nanoTime();
    }

    void warn(final String warning)
    {
        if (!warnings.contains(warning))
        {
            warnings.add(warning);
            unreportedWarnings.add(warning);
        }
    }

    void onSchedulerStatistics(final Scheduler.Statistics statistics)
    {
        if (schedulerStatistics == null || statistics.totalSamples() >= schedulerStatistics.totalSamples())
        {
            schedulerStatistics = statistics;
        }
    }

    /**
     * A shard was lost: its last statistics wait for its restart to say whether they count.
     */
    void onShardLost(final int shard)
    {
        if (shardStatistics[shard] != null)
        {
            restartingLives[shard] = shardStatistics[shard];
            shardStatistics[shard] = null;
        }
    }

    /**
     * The lost shard restarted from its checkpoint: its new life counts from zero, so the lost life's last
     * statistics stay in the totals.
     */
    void onShardRestoredFromCheckpoint(final int shard)
    {
        if (restartingLives[shard] != null)
        {
            lostShardLives.add(restartingLives[shard]);
            restartingLives[shard] = null;
        }
        shardRestartCount++;
    }

    /**
     * The lost shard continues from its backup copy, whose counters include every push the lost life took and
     * acknowledged: the lost life's statistics would count them twice.
     */
    void onShardPromoted(final int shard)
    {
        restartingLives[shard] = null;
        shardRestartCount++;
        shardPromotions++;
    }

    /**
     * The job trains with this many shards backed up by a copy on another node.
     */
    void onBackupCopies(final int copies)
    {
        backupCopies = copies;
    }

    /**
     * A lost worker incarnation was replaced, and the shards counted the pushes they took from it.
     */
    void onIncarnationRetired(final int workerId, final int incarnation, final long pushesTaken)
    {
        retiredPushes.put(incarnationKey(workerId, incarnation), pushesTaken);
    }

    void rolledBack(final long updates)
    {
        updatesRolledBack += updates;
    }

    void onShardStatistics(final ShardStatistics statistics)
    {
        shardStatistics[statistics.shard()] = statistics;
    }

    void onEvaluation(final double accuracy, final double loss)
    {
        final double elapsed = elapsedSeconds();
        lastAccuracy = accuracy;
        lastLoss = loss;
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("epoch", epoch());
        row.put("steps", steps());
        row.put("test_accuracy", accuracy);
        row.put("test_loss", loss);
        row.put("elapsed_s", elapsed);
        evaluations.add(row);
        if (timeToTargetSeconds == null && accuracy >= spec.targetAccuracy())
        {
            timeToTargetSeconds = elapsed;
        }
    }

    boolean targetReached()
    {
        return timeToTargetSeconds != null;
    }

    boolean budgetSpent()
    {
        if (spec.byEpochs())
        {
            return samples() >= spec.epochs() * trainSize;
        }
        return schedulerStatistics != null && schedulerStatistics.minClock() >= spec.steps();
    }

    long samples()
    {
        long samples = 0;
        for (final WorkerTelemetry.Snapshot telemetry : workers.values())
        {
            samples += telemetry.samples();
        }
        return Math.max(samples, schedulerStatistics == null ? 0 : schedulerStatistics.totalSamples());
    }

    long steps()
    {
        long steps = 0;
        for (final WorkerTelemetry.Snapshot telemetry : workers.values())
        {
            steps += telemetry.steps();
        }
        return steps;
    }

    double epoch()
    {
        return (double)samples() / trainSize;
    }

    double elapsedSeconds()
    {
        return ((endNs != 0 ? endNs : System.nanoTime()) - startNs) / 1e9;
    }

    ProgressEvent progressEvent()
    {
        final long now = System.nanoTime();
        final long samples = samples();
        final double intervalSeconds = (now - lastProgressNs) / 1e9;
        final double rate = intervalSeconds > 0 ? (samples - lastProgressSamples) / intervalSeconds : 0.0;
        lastProgressNs = now;
        lastProgressSamples = samples;
        final long[] staleness = staleness();
        final ProgressEvent.Builder builder = ProgressEvent.builder(jobId)
            .elapsedSeconds(elapsedSeconds())
            .progress(steps(), samples, epoch())
            .samplesPerSecond(rate)
            .trainLoss(schedulerStatistics == null ? Double.NaN : schedulerStatistics.meanRecentLoss())
            .lastTestAccuracy(lastAccuracy)
            .bytes(bytesUpFromWorkers(), bytesDownFromShards())
            .staleness(staleness[0], staleness[1], staleness[2])
            .shards(shardTelemetry())
            .warnings(List.copyOf(unreportedWarnings));
        unreportedWarnings.clear();
        builder.counter("updates_sent", updatesSent());
        builder.counter("updates_applied", sum(ShardStatistics::applied));
        builder.counter("updates_dropped_stale", sum(ShardStatistics::droppedStale));
        builder.counter("messages_rejected", messagesRejected());
        return builder.build();
    }

    private long bytesUpFromWorkers()
    {
        long bytes = 0;
        for (final WorkerTelemetry.Snapshot telemetry : workers.values())
        {
            bytes += telemetry.bytesUp();
        }
        return bytes;
    }

    private long bytesDownFromShards()
    {
        long bytes = 0;
        for (final ShardStatistics statistics : shardStatistics)
        {
            bytes += statistics == null ? 0 : statistics.bytesOut();
        }
        return bytes;
    }

    private List<ShardTelemetry> shardTelemetry()
    {
        final List<ShardTelemetry> shards = new ArrayList<>();
        for (int s = 0; s < ranges.length; s++)
        {
            long k = 0;
            double threshold = 0;
            double density = 0;
            double residual = 0;
            long bytesUp = 0;
            for (final WorkerTelemetry.Snapshot telemetry : workers.values())
            {
                k += telemetry.lastEntries()[s];
                threshold += telemetry.lastThreshold()[s];
                density += telemetry.lastDensity()[s];
                residual += telemetry.lastResidualNorm()[s];
                bytesUp += telemetry.lastPushBytes()[s];
            }
            final int n = Math.max(1, workers.size());
            final ShardStatistics statistics = shardStatistics[s];
            shards.add(new ShardTelemetry(s, k / n, threshold / n, density / n, residual / n, bytesUp / n,
                statistics == null ? 0 : statistics.bytesOut()));
        }
        return shards;
    }

    private long[] staleness()
    {
        final long[] result = new long[3];
        for (final ShardStatistics statistics : shardStatistics)
        {
            if (statistics != null)
            {
                result[0] = Math.max(result[0], statistics.stalenessP50());
                result[1] = Math.max(result[1], statistics.stalenessP99());
                result[2] = Math.max(result[2], statistics.stalenessMax());
            }
        }
        return result;
    }

    private long updatesSent()
    {
        long sent = 0;
        for (final Map.Entry<Long, WorkerTelemetry.Snapshot> entry : workers.entrySet())
        {
            // A lost incarnation's last telemetry may predate its last pushes; the shards' count of them does not.
            sent += Math.max(entry.getValue().updatesSent(), retiredPushes.getOrDefault(entry.getKey(), 0L));
        }
        for (final Map.Entry<Long, Long> retired : retiredPushes.entrySet())
        {
            if (!workers.containsKey(retired.getKey()))
            {
                // Lost before its first telemetry report.
                sent += retired.getValue();
            }
        }
        return sent;
    }

    private long messagesRejected()
    {
        long rejected = sum(ShardStatistics::rejected);
        for (final WorkerTelemetry.Snapshot telemetry : workers.values())
        {
            rejected += telemetry.messagesRejected();
        }
        return rejected;
    }

    private long sum(final ToLongFunction<ShardStatistics> field)
    {
        long total = 0;
        for (final ShardStatistics statistics : earlierRunShards)
        {
            total += field.applyAsLong(statistics);
        }
        for (final ShardStatistics statistics : lostShardLives)
        {
            total += field.applyAsLong(statistics);
        }
        for (final ShardStatistics statistics : restartingLives)
        {
            total += statistics == null ? 0 : field.applyAsLong(statistics);
        }
        for (final ShardStatistics statistics : shardStatistics)
        {
            total += statistics == null ? 0 : field.applyAsLong(statistics);
        }
        return total;
    }

    /**
     * Save the model and the report, and describe them as the job's result.
     */
    JobResult writeResult(final String stopReason, final ModelAssembly model)
    {
        final Path directory = spec.checkpointDirFor(jobId).toAbsolutePath();
        final Path modelFile = directory.resolve("model.safetensors");
        final Path report = directory.resolve("report.json");
        final Map<String, Object> fields = reportFields(stopReason);
        try
        {
            Files.createDirectories(directory);
            final Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("parasol_job", jobId);
            metadata.put("workload", spec.workload().name());
            metadata.put("final_test_accuracy", String.valueOf(lastAccuracy));
            SafeTensorsWriter.write(modelFile, model.layout(), model.parameters(), metadata);
            fields.put("model_path", modelFile.toString());
            final Path temp = report.resolveSibling("report.json.tmp");
            JSON.writeValue(temp.toFile(), fields);
            Files.move(temp, report, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the result of " + jobId + " to " + directory + ": " +
                ex.getMessage(), ex);
        }
        return new JobResult(fields, modelFile, report);
    }

    private Map<String, Object> reportFields(final String stopReason)
    {
        final long steps = steps();
        final long bytesUp = bytesUpFromWorkers();
        final long bytesDown = bytesDownFromShards();
        long denseBytesPerStep = 0;
        for (final KeyRange range : ranges)
        {
            denseBytesPerStep += DenseEncoder.length(range.length()) + MessageAuthenticator.TAG_LENGTH;
        }
        final long[] staleness = staleness();
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("job_id", jobId);
        // Local when every part ran on one node (local mode, or a one-node cluster), else cluster.
        fields.put("mode", new HashSet<>(placement.values()).size() <= 1 ? "local" : "cluster");
        fields.put("placement", new TreeMap<>(placement));
        fields.put("workload", spec.workload().name());
        fields.put("epochs", epoch());
        fields.put("final_test_accuracy", lastAccuracy);
        fields.put("final_test_loss", lastLoss);
        fields.put("time_to_target_s", timeToTargetSeconds);
        fields.put("target_accuracy", spec.targetAccuracy());
        fields.put("target_reached", timeToTargetSeconds != null);
        fields.put("samples_per_s", samples() / Math.max(1e-9, elapsedSeconds()));
        fields.put("wall_s", elapsedSeconds());
        fields.put("parameters", spec.workload().parameterCount());
        fields.put("sync", spec.sync().toString());
        fields.put("staleness_policy", spec.staleness().toString());
        fields.put("compression", spec.compress().toString());
        fields.put("error_feedback", spec.errorFeedback());
        fields.put("overlap", spec.overlap());
        fields.put("optimizer", spec.optimiserConfig().toString());
        fields.put("workers", spec.workers());
        fields.put("shards", spec.shards());
        fields.put("batch_size", spec.batchSize());
        fields.put("seed", spec.seed());
        fields.put("steps", steps);
        fields.put("samples", samples());
        fields.put("bytes_up", bytesUp);
        fields.put("bytes_down", bytesDown);
        fields.put("bytes_up_per_step", steps == 0 ? 0.0 : (double)bytesUp / steps);
        fields.put("bytes_down_per_step", steps == 0 ? 0.0 : (double)bytesDown / steps);
        fields.put("dense_bytes_per_step", denseBytesPerStep);
        final Map<String, Object> stalenessFields = new LinkedHashMap<>();
        stalenessFields.put("p50", staleness[0]);
        stalenessFields.put("p99", staleness[1]);
        stalenessFields.put("max", staleness[2]);
        fields.put("staleness", stalenessFields);
        if (schedulerStatistics != null)
        {
            fields.put("clock_skew_p99", schedulerStatistics.stalenessP99());
            fields.put("permit_waits", schedulerStatistics.permitWaits());
        }
        fields.put("updates_sent", updatesSent());
        fields.put("updates_applied", sum(ShardStatistics::applied));
        fields.put("updates_dropped_stale", sum(ShardStatistics::droppedStale));
        fields.put("updates_duplicate", sum(ShardStatistics::duplicates));
        fields.put("updates_rolled_back", updatesRolledBack);
        fields.put("shard_restarts", shardRestartCount);
        fields.put("backup_copies", backupCopies);
        fields.put("shard_promotions", shardPromotions);
        fields.put("backup_detaches", sum(ShardStatistics::backupDetaches));
        fields.put("replication_bytes", sum(ShardStatistics::replicationBytes));
        fields.put("coordinator_failovers", coordinatorFailovers);
        fields.put("checkpoints_written", sum(ShardStatistics::checkpoints));
        fields.put("checkpoint_failures", sum(ShardStatistics::checkpointFailures));
        fields.put("messages_rejected", messagesRejected());
        long backPressure = 0;
        long sendFailures = 0;
        for (final WorkerTelemetry.Snapshot telemetry : workers.values())
        {
            backPressure += telemetry.backPressureEvents();
            sendFailures += telemetry.sendFailures();
        }
        fields.put("back_pressure_events", backPressure);
        fields.put("send_failures", sendFailures);
        fields.put("evaluation_bytes_down", sum(ShardStatistics::evaluationBytesOut));
        fields.put("blas", blas);
        fields.put("stop_reason", stopReason);
        fields.put("warnings", List.copyOf(warnings));
        fields.put("worker_time", workerTime());
        fields.put("evaluations", List.copyOf(evaluations));
        return fields;
    }

    private Map<String, Object> workerTime()
    {
        long compute = 0;
        long permit = 0;
        long parameters = 0;
        long acknowledgements = 0;
        for (final WorkerTelemetry.Snapshot telemetry : workers.values())
        {
            compute += telemetry.computeNs();
            permit += telemetry.permitWaitNs();
            parameters += telemetry.parameterWaitNs();
            acknowledgements += telemetry.acknowledgementWaitNs();
        }
        final Map<String, Object> time = new LinkedHashMap<>();
        time.put("compute_s", compute / 1e9);
        time.put("permit_wait_s", permit / 1e9);
        time.put("parameter_wait_s", parameters / 1e9);
        time.put("acknowledgement_wait_s", acknowledgements / 1e9);
        return time;
    }
}
