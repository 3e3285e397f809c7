package dev.parasol.actors.jobapi;

import com.typesafe.config.Config;
import dev.parasol.actors.CborSerializable;
import dev.parasol.actors.exceptions.JobSpecException;
import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.actors.scheduler.SyncPolicy;
import dev.parasol.engine.compress.CompressorSpec;
import dev.parasol.engine.model.Workload;
import dev.parasol.engine.optim.OptimiserConfig;
import dev.parasol.wire.DenseEncoder;
import dev.parasol.wire.MessageAuthenticator;
import dev.parasol.wire.HeaderDescriptor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One training job: what to train, on which data, with how many workers and shards, under which synchronisation,
 * staleness and compression policies, and when to stop. Immutable.
 * <p>
 * Three ways to get one:
 * <ul>
 *     <li>{@link #builder()} in Java: every setter has a default, {@link Builder#build()} checks every field and
 *     throws one {@link JobSpecException} naming all bad ones;</li>
 *     <li>{@link #parse(String)} or {@link #load(Path)} of a HOCON file, whose keys (kebab case) all live in one
 *     {@code job { ... }} block, e.g.
 *     <pre>
 *     job {
 *       workload = W2
 *       workers = 2
 *       shards = 2
 *       sync = "ssp:3"          # values holding ':' must be quoted in HOCON
 *       compress = "topk:0.01"
 *       epochs = 10
 *     }
 *     </pre>
 *     An unknown key, inside the block or next to it, is an error naming the key;</li>
 *     <li>{@link #fromConfig(Config)} of a loaded configuration, which reads only its {@code job} block.</li>
 * </ul>
 * {@code docs/job-spec.md} lists every key with its default and accepted values. Errors name the key and the value
 * and say what is expected: {@code workers=0: expected an integer in [1, 1024]}.
 * <p>
 * A spec built through the canonical constructor is not checked beyond null-ness of its policies: call
 * {@link #validate()}, as the {@link JobManager} does before it accepts a job.
 *
 * @param name                    optional label, or null.
 * @param workload                the model and its defaults (W1, W2, W3).
 * @param dataDir                 directory of the Fashion-MNIST files, or null for the default location.
 * @param partition               how the training set is split over the workers.
 * @param workers                 number of workers, at least 1.
 * @param shards                  number of parameter-server shards, in [1, parameters].
 * @param sync                    synchronisation policy (bsp, ssp:N, asp).
 * @param staleness               staleness policy (constant, inverse, drop:N).
 * @param compress                gradient compressor of the uplink.
 * @param errorFeedback           true to keep an error-feedback residual per worker and shard.
 * @param optimizer               optimiser of the shards.
 * @param learningRate            learning rate, finite and &gt; 0.
 * @param batchSize               batch per worker and step.
 * @param epochs                  epochs to train, or 0 when {@code steps} bounds the run.
 * @param steps                   optimiser steps summed over workers, or 0 when {@code epochs} bounds the run.
 * @param targetAccuracy          test accuracy at which the job stops early, in (0, 1].
 * @param evalInterval            evaluation interval as a fraction of an epoch, &gt; 0.
 * @param checkpointDir           where the final model and the report go, or null for
 *                                {@code ./parasol-jobs/<job-id>/}.
 * @param seed                    seed of every random choice of the job.
 * @param warmupSteps             steps at the start during which workers push dense gradients, &gt;= 0.
 * @param watchdogFallbackToDense true to switch to dense pushes when the divergence watchdog fires.
 * @param overlap                 true to let workers compute a step's gradient while the previous step's pushes are
 *                                in flight (never under BSP; see {@code WorkerAgent}).
 */
public record JobSpec(
    String name,
    Workload workload,
    Path dataDir,
    PartitionSpec partition,
    int workers,
    int shards,
    SyncPolicy sync,
    StalenessPolicy staleness,
    CompressorSpec compress,
    boolean errorFeedback,
    OptimiserConfig.Kind optimizer,
    float learningRate,
    int batchSize,
    double epochs,
    long steps,
    double targetAccuracy,
    double evalInterval,
    Path checkpointDir,
    long seed,
    long warmupSteps,
    boolean watchdogFallbackToDense,
    boolean overlap) implements CborSerializable
{
    /**
     * Default workload.
     */
    public static final Workload DEFAULT_WORKLOAD = Workload.W2;

    /**
     * Default partition.
     */
    public static final String DEFAULT_PARTITION = "iid";

    /**
     * Default number of workers.
     */
    public static final int DEFAULT_WORKERS = 2;

    /**
     * Default number of shards.
     */
    public static final int DEFAULT_SHARDS = 2;

    /**
     * Default synchronisation policy.
     */
    public static final String DEFAULT_SYNC = "ssp:3";

    /**
     * Default staleness policy.
     */
    public static final String DEFAULT_STALENESS = "constant";

    /**
     * Default compressor.
     */
    public static final String DEFAULT_COMPRESS = "dense";

    /**
     * Default batch size per worker.
     */
    public static final int DEFAULT_BATCH_SIZE = Workload.BATCH_SIZE;

    /**
     * Default number of epochs when neither epochs nor steps is given.
     */
    public static final double DEFAULT_EPOCHS = 30.0;

    /**
     * Default evaluation interval, in epochs.
     */
    public static final double DEFAULT_EVAL_INTERVAL = 0.25;

    /**
     * Default seed.
     */
    public static final long DEFAULT_SEED = 1L;

    /**
     * Largest number of workers a spec may ask for.
     */
    public static final int MAX_WORKERS = 1024;

    /**
     * Largest batch size a spec may ask for.
     */
    public static final int MAX_BATCH_SIZE = 65_536;

    /**
     * Longest label.
     */
    public static final int MAX_NAME_LENGTH = 100;

    /**
     * Largest Aeron message a shard's dense range may need: header plus 4 bytes per parameter.
     */
    public static final long MAX_DENSE_MESSAGE_BYTES = 16L * 1024 * 1024;

    /**
     * Directory under which a job without a checkpoint directory writes, one sub-directory per job id.
     */
    public static final String DEFAULT_JOBS_DIR = "parasol-jobs";

    /**
     * Check the policies are present.
     *
     * @param name                    optional label, or null.
     * @param workload                the model and its defaults.
     * @param dataDir                 directory of the data set, or null.
     * @param partition               how the training set is split.
     * @param workers                 number of workers.
     * @param shards                  number of shards.
     * @param sync                    synchronisation policy.
     * @param staleness               staleness policy.
     * @param compress                gradient compressor.
     * @param errorFeedback           error feedback on or off.
     * @param optimizer               optimiser.
     * @param learningRate            learning rate.
     * @param batchSize               batch per worker.
     * @param epochs                  epochs, or 0.
     * @param steps                   steps, or 0.
     * @param targetAccuracy          target accuracy.
     * @param evalInterval            evaluation interval in epochs.
     * @param checkpointDir           output directory, or null.
     * @param seed                    seed.
     * @param warmupSteps             dense warm-up steps.
     * @param watchdogFallbackToDense fall back to dense on divergence.
     * @param overlap                 overlap gradients with round trips.
     */
    public JobSpec
    {
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(sync, "sync");
        Objects.requireNonNull(staleness, "staleness");
        Objects.requireNonNull(compress, "compress");
        Objects.requireNonNull(optimizer, "optimizer");
    }

    /**
     * Start a spec with every default.
     *
     * @return a new builder.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Read the {@code job { ... }} block of a configuration. Keys outside the block are not looked at, so the
     * configuration may carry other settings; an unknown key inside the block is an error.
     *
     * @param config a configuration with a {@code job} object.
     * @return the validated spec.
     * @throws JobSpecException naming every bad, unknown or mistyped key.
     */
    public static JobSpec fromConfig(final Config config)
    {
        return JobSpecHocon.fromConfig(config, false);
    }

    /**
     * Parse a HOCON text whose only top-level key is {@code job}.
     *
     * @param hocon the text.
     * @return the validated spec.
     * @throws JobSpecException naming every bad, unknown or mistyped key, or the syntax error.
     */
    public static JobSpec parse(final String hocon)
    {
        return JobSpecHocon.parse(hocon);
    }

    /**
     * Load a HOCON file whose only top-level key is {@code job}.
     *
     * @param file the file, e.g. {@code job.conf}.
     * @return the validated spec.
     * @throws JobSpecException naming every bad, unknown or mistyped key, or why the file cannot be read.
     */
    public static JobSpec load(final Path file)
    {
        return JobSpecHocon.load(file);
    }

    /**
     * Get a builder holding every field of this spec, to change a few of them.
     *
     * @return a new builder.
     */
    public Builder toBuilder()
    {
        final Builder b = new Builder()
            .name(name)
            .workload(workload)
            .dataDir(dataDir)
            .partition(partition)
            .workers(workers)
            .shards(shards)
            .sync(sync)
            .staleness(staleness)
            .compress(compress)
            .errorFeedback(errorFeedback)
            .optimizer(optimizer)
            .learningRate(learningRate)
            .batchSize(batchSize)
            .targetAccuracy(targetAccuracy)
            .evalInterval(evalInterval)
            .checkpointDir(checkpointDir)
            .seed(seed)
            .warmupSteps(warmupSteps)
            .watchdogFallbackToDense(watchdogFallbackToDense)
            .overlap(overlap);
        return steps > 0 ? b.steps(steps) : b.epochs(epochs);
    }

    /**
     * Check every field and return every problem, one per bad field, in the form
     * {@code key=value: expected ...} with the HOCON key names.
     *
     * @return the problems; empty when the spec is valid.
     */
    public List<String> validate()
    {
        final List<String> errors = new ArrayList<>();
        validateInto(errors, true);
        return errors;
    }

    /**
     * Does this job stop after a number of epochs rather than steps?
     *
     * @return true if {@link #epochs()} bounds the run.
     */
    public boolean byEpochs()
    {
        return steps == 0;
    }

    /**
     * Get the size of the largest message a job of this workload and shard count can send: a dense update of its
     * longest key range. A data plane carrying the job needs a term length whose largest message holds it.
     *
     * @param workload the model.
     * @param shards   how many key ranges it is cut into.
     * @return the message length in bytes.
     */
    public static int largestDenseMessageBytes(final Workload workload, final int shards)
    {
        // ParameterLayout.split gives the first (parameters % shards) ranges one key more: the longest is the ceiling.
        final int longestRange = (workload.parameterCount() + shards - 1) / shards;
        return DenseEncoder.length(longestRange) + MessageAuthenticator.TAG_LENGTH;
    }

    /**
     * Get the optimiser configuration of the shards: this spec's method and learning rate, the engine's defaults
     * for the rest.
     *
     * @return the configuration.
     */
    public OptimiserConfig optimiserConfig()
    {
        return OptimiserConfig.of(optimizer, learningRate);
    }

    /**
     * Get the directory the job writes its model and report into.
     *
     * @param jobId the id the job manager gave the job.
     * @return {@link #checkpointDir()}, or {@code parasol-jobs/<jobId>} relative to the working directory.
     */
    public Path checkpointDirFor(final String jobId)
    {
        return checkpointDir != null ? checkpointDir : Path.of(DEFAULT_JOBS_DIR, jobId);
    }

    /**
     * Get this spec as a configuration with one {@code job} block, which {@link #fromConfig(Config)} reads back
     * into an equal spec.
     *
     * @return the configuration.
     */
    public Config toConfig()
    {
        return JobSpecHocon.toConfig(this);
    }

    /**
     * Get this spec as HOCON text, which {@link #parse(String)} reads back into an equal spec.
     *
     * @return the text.
     */
    public String toHocon()
    {
        return JobSpecHocon.render(this);
    }

    /**
     * Get the fields for a report, with the report's snake-case names ({@code sync}, {@code compression},
     * {@code workers}, {@code shards}, ...).
     *
     * @return an ordered map of plain values (strings, numbers, booleans); absent optional fields are left out.
     */
    public Map<String, Object> describe()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        if (name != null)
        {
            m.put("name", name);
        }
        m.put("workload", workload.name());
        if (dataDir != null)
        {
            m.put("data_dir", dataDir.toString());
        }
        m.put("partition", partition.toString());
        m.put("workers", workers);
        m.put("shards", shards);
        m.put("sync", sync.toString());
        m.put("staleness_policy", staleness.toString());
        m.put("compression", compress.toString());
        m.put("error_feedback", errorFeedback);
        m.put("optimizer", optimizer.name().toLowerCase(Locale.ROOT));
        m.put("learning_rate", learningRate);
        m.put("batch_size", batchSize);
        if (byEpochs())
        {
            m.put("max_epochs", epochs);
        }
        else
        {
            m.put("max_steps", steps);
        }
        m.put("target_accuracy", targetAccuracy);
        m.put("eval_interval", evalInterval);
        if (checkpointDir != null)
        {
            m.put("checkpoint_dir", checkpointDir.toString());
        }
        m.put("seed", seed);
        m.put("warmup_steps", warmupSteps);
        m.put("watchdog_fallback_to_dense", watchdogFallbackToDense);
        m.put("overlap", overlap);
        return m;
    }

    /**
     * Get a one-line summary for status listings.
     *
     * @return e.g. {@code W2 workers=2 shards=2 sync=ssp:3 staleness=constant compress=topk:0.01 ef=on ...}.
     */
    public String summary()
    {
        return (name != null ? name + ": " : "") + workload.name() +
            " workers=" + workers +
            " shards=" + shards +
            " sync=" + sync +
            " staleness=" + staleness +
            " compress=" + compress +
            " ef=" + (errorFeedback ? "on" : "off") +
            " " + optimizer.name().toLowerCase(Locale.ROOT) + "(lr=" + learningRate + ")" +
            (overlap ? " overlap" : "") +
            (byEpochs() ? " epochs=" + epochs : " steps=" + steps) +
            " target=" + targetAccuracy;
    }

    void validateInto(final List<String> errors, final boolean workloadKnown)
    {
        if (name != null && (name.isBlank() || name.length() > MAX_NAME_LENGTH))
        {
            errors.add(JobSpecHocon.NAME + "='" + name + "': expected a non-blank label of at most " +
                MAX_NAME_LENGTH + " characters");
        }
        if (workers < 1 || workers > MAX_WORKERS)
        {
            errors.add(JobSpecHocon.WORKERS + "=" + workers + ": expected an integer in [1, " + MAX_WORKERS + "]");
        }
        validateShards(errors, workloadKnown);
        if (!(learningRate > 0.0f) || !Float.isFinite(learningRate))
        {
            errors.add(JobSpecHocon.LR + "=" + learningRate + ": expected a finite number > 0");
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE)
        {
            errors.add(JobSpecHocon.BATCH_SIZE + "=" + batchSize + ": expected an integer in [1, " +
                MAX_BATCH_SIZE + "]");
        }
        validateDuration(errors);
        if (!(targetAccuracy > 0.0 && targetAccuracy <= 1.0))
        {
            errors.add(JobSpecHocon.TARGET + "=" + targetAccuracy + ": expected a test accuracy in (0, 1]");
        }
        if (!(evalInterval > 0.0) || !Double.isFinite(evalInterval))
        {
            errors.add(JobSpecHocon.EVAL_INTERVAL + "=" + evalInterval +
                ": expected a finite fraction of an epoch > 0, e.g. 0.25");
        }
        if (warmupSteps < 0)
        {
            errors.add(JobSpecHocon.WARMUP_STEPS + "=" + warmupSteps + ": expected an integer >= 0");
        }
        if (overlap && !sync.isUnbounded() && sync.bound() == 0)
        {
            errors.add(JobSpecHocon.OVERLAP + "=true with " + JobSpecHocon.SYNC + "=" + sync +
                ": expected ssp:N with N >= 1, or asp (an overlapped step misses the worker's own last push, and " +
                "under BSP every step must see the one before it)");
        }
    }

    private void validateShards(final List<String> errors, final boolean workloadKnown)
    {
        final int parameters = workload.parameterCount();
        if (!workloadKnown)
        {
            if (shards < 1)
            {
                errors.add(JobSpecHocon.SHARDS + "=" + shards + ": expected an integer >= 1");
            }
            return;
        }
        if (shards < 1 || shards > parameters)
        {
            errors.add(JobSpecHocon.SHARDS + "=" + shards + ": expected an integer in [1, " + parameters +
                "] (the parameter count of " + workload.name() + ")");
            return;
        }
        final long longestRange = (parameters + (long)shards - 1) / shards;
        final long messageBytes = largestDenseMessageBytes(workload, shards);
        if (messageBytes > MAX_DENSE_MESSAGE_BYTES)
        {
            final long perShard = (MAX_DENSE_MESSAGE_BYTES - HeaderDescriptor.HEADER_LENGTH) / 4;
            final long minShards = (parameters + perShard - 1) / perShard;
            errors.add(JobSpecHocon.SHARDS + "=" + shards + ": a shard of " + longestRange + " parameters needs " +
                messageBytes + "-byte dense messages, above the " + MAX_DENSE_MESSAGE_BYTES +
                "-byte limit; expected at least " + minShards + " shards");
        }
    }

    private void validateDuration(final List<String> errors)
    {
        if (epochs != 0.0 && steps != 0)
        {
            errors.add(JobSpecHocon.EPOCHS + "=" + epochs + " and " + JobSpecHocon.STEPS + "=" + steps +
                ": expected only one of epochs or steps");
        }
        else if (epochs == 0.0 && steps == 0)
        {
            errors.add(JobSpecHocon.EPOCHS + "=0 and " + JobSpecHocon.STEPS +
                "=0: expected epochs > 0 or steps > 0");
        }
        else if (steps == 0 && (!(epochs > 0.0) || !Double.isFinite(epochs)))
        {
            errors.add(JobSpecHocon.EPOCHS + "=" + epochs + ": expected a finite number > 0");
        }
        else if (epochs == 0.0 && steps < 0)
        {
            errors.add(JobSpecHocon.STEPS + "=" + steps + ": expected an integer > 0");
        }
    }

    /**
     * Builds a {@link JobSpec}. Every field starts at its default; the textual policies (workload, partition, sync,
     * staleness, compress, optimizer) may be given as text and are parsed by {@link #build()}, so that one call
     * reports every bad field.
     */
    public static final class Builder
    {
        private String name;
        private String workload = DEFAULT_WORKLOAD.name();
        private Path dataDir;
        private String partition = DEFAULT_PARTITION;
        private int workers = DEFAULT_WORKERS;
        private int shards = DEFAULT_SHARDS;
        private String sync = DEFAULT_SYNC;
        private String staleness = DEFAULT_STALENESS;
        private String compress = DEFAULT_COMPRESS;
        private boolean errorFeedback = true;
        private String optimizer;
        private Double learningRate;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Double epochs;
        private Long steps;
        private Double targetAccuracy;
        private double evalInterval = DEFAULT_EVAL_INTERVAL;
        private Path checkpointDir;
        private long seed = DEFAULT_SEED;
        private long warmupSteps;
        private boolean watchdogFallbackToDense;
        private boolean overlap;

        private Builder()
        {
        }

        /**
         * Set the optional label.
         *
         * @param name the label, or null for none.
         * @return this for a fluent API.
         */
        public Builder name(final String name)
        {
            this.name = name;
            return this;
        }

        /**
         * Set the workload; its optimiser, learning rate and target are the defaults of those fields.
         *
         * @param workload the workload.
         * @return this for a fluent API.
         */
        public Builder workload(final Workload workload)
        {
            this.workload = workload == null ? null : workload.name();
            return this;
        }

        /**
         * Set the workload by id: {@code W1}, {@code W2} or {@code W3}, in any case.
         *
         * @param workload the id, parsed by {@link #build()}.
         * @return this for a fluent API.
         */
        public Builder workload(final String workload)
        {
            this.workload = workload;
            return this;
        }

        /**
         * Set the directory of the data set.
         *
         * @param dataDir the directory, or null for the default location.
         * @return this for a fluent API.
         */
        public Builder dataDir(final Path dataDir)
        {
            this.dataDir = dataDir;
            return this;
        }

        /**
         * Set the partition of the training set over the workers.
         *
         * @param partition the partition.
         * @return this for a fluent API.
         */
        public Builder partition(final PartitionSpec partition)
        {
            this.partition = partition == null ? null : partition.toString();
            return this;
        }

        /**
         * Set the partition by text: {@code iid} or {@code dirichlet:ALPHA}.
         *
         * @param partition the text, parsed by {@link #build()}.
         * @return this for a fluent API.
         */
        public Builder partition(final String partition)
        {
            this.partition = partition;
            return this;
        }

        /**
         * Set the number of workers.
         *
         * @param workers at least 1.
         * @return this for a fluent API.
         */
        public Builder workers(final int workers)
        {
            this.workers = workers;
            return this;
        }

        /**
         * Set the number of parameter-server shards.
         *
         * @param shards at least 1 and at most the parameter count.
         * @return this for a fluent API.
         */
        public Builder shards(final int shards)
        {
            this.shards = shards;
            return this;
        }

        /**
         * Set the synchronisation policy.
         *
         * @param sync the policy.
         * @return this for a fluent API.
         */
        public Builder sync(final SyncPolicy sync)
        {
            this.sync = sync == null ? null : sync.toString();
            return this;
        }

        /**
         * Set the synchronisation policy by text: {@code bsp}, {@code ssp:N} or {@code asp}.
         *
         * @param sync the text, parsed by {@link #build()}.
         * @return this for a fluent API.
         */
        public Builder sync(final String sync)
        {
            this.sync = sync;
            return this;
        }

        /**
         * Set the staleness policy.
         *
         * @param staleness the policy.
         * @return this for a fluent API.
         */
        public Builder staleness(final StalenessPolicy staleness)
        {
            this.staleness = staleness == null ? null : staleness.toString();
            return this;
        }

        /**
         * Set the staleness policy by text: {@code constant}, {@code inverse} or {@code drop:N}.
         *
         * @param staleness the text, parsed by {@link #build()}.
         * @return this for a fluent API.
         */
        public Builder staleness(final String staleness)
        {
            this.staleness = staleness;
            return this;
        }

        /**
         * Set the gradient compressor.
         *
         * @param compress the compressor spec.
         * @return this for a fluent API.
         */
        public Builder compress(final CompressorSpec compress)
        {
            this.compress = compress == null ? null : compress.toString();
            return this;
        }

        /**
         * Set the gradient compressor by text, e.g. {@code dense} or {@code topk:0.01}
         * ({@link CompressorSpec#parse(String)}).
         *
         * @param compress the text, parsed by {@link #build()}.
         * @return this for a fluent API.
         */
        public Builder compress(final String compress)
        {
            this.compress = compress;
            return this;
        }

        /**
         * Turn error feedback on or off; on by default.
         *
         * @param errorFeedback true to keep a residual per worker and shard.
         * @return this for a fluent API.
         */
        public Builder errorFeedback(final boolean errorFeedback)
        {
            this.errorFeedback = errorFeedback;
            return this;
        }

        /**
         * Set the optimiser; the workload's by default.
         *
         * @param optimizer the method.
         * @return this for a fluent API.
         */
        public Builder optimizer(final OptimiserConfig.Kind optimizer)
        {
            this.optimizer = optimizer == null ? null : optimizer.name().toLowerCase(Locale.ROOT);
            return this;
        }

        /**
         * Set the optimiser by name: {@code sgd}, {@code momentum} or {@code adam}; null for the workload's.
         *
         * @param optimizer the name, parsed by {@link #build()}.
         * @return this for a fluent API.
         */
        public Builder optimizer(final String optimizer)
        {
            this.optimizer = optimizer;
            return this;
        }

        /**
         * Set the learning rate; the workload's by default.
         *
         * @param learningRate finite and &gt; 0.
         * @return this for a fluent API.
         */
        public Builder learningRate(final double learningRate)
        {
            this.learningRate = learningRate;
            return this;
        }

        /**
         * Set the batch size per worker and step.
         *
         * @param batchSize at least 1.
         * @return this for a fluent API.
         */
        public Builder batchSize(final int batchSize)
        {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Bound the run by epochs (the default, 30); replaces a step bound set before.
         *
         * @param epochs finite and &gt; 0; fractions allowed.
         * @return this for a fluent API.
         */
        public Builder epochs(final double epochs)
        {
            this.epochs = epochs;
            this.steps = null;
            return this;
        }

        /**
         * Bound the run by optimiser steps summed over the workers; replaces an epoch bound set before.
         *
         * @param steps &gt; 0.
         * @return this for a fluent API.
         */
        public Builder steps(final long steps)
        {
            this.steps = steps;
            this.epochs = null;
            return this;
        }

        /**
         * Set the test accuracy at which the job stops; the workload's by default.
         *
         * @param targetAccuracy in (0, 1].
         * @return this for a fluent API.
         */
        public Builder targetAccuracy(final double targetAccuracy)
        {
            this.targetAccuracy = targetAccuracy;
            return this;
        }

        /**
         * Set the evaluation interval as a fraction of an epoch.
         *
         * @param evalInterval finite and &gt; 0; 0.25 by default.
         * @return this for a fluent API.
         */
        public Builder evalInterval(final double evalInterval)
        {
            this.evalInterval = evalInterval;
            return this;
        }

        /**
         * Set where the final model and the report go.
         *
         * @param checkpointDir the directory, or null for {@code ./parasol-jobs/<job-id>/}.
         * @return this for a fluent API.
         */
        public Builder checkpointDir(final Path checkpointDir)
        {
            this.checkpointDir = checkpointDir;
            return this;
        }

        /**
         * Set the seed of every random choice of the job.
         *
         * @param seed the seed; 1 by default.
         * @return this for a fluent API.
         */
        public Builder seed(final long seed)
        {
            this.seed = seed;
            return this;
        }

        /**
         * Set the number of steps at the start during which workers push dense gradients.
         *
         * @param warmupSteps &gt;= 0; 0 by default.
         * @return this for a fluent API.
         */
        public Builder warmupSteps(final long warmupSteps)
        {
            this.warmupSteps = warmupSteps;
            return this;
        }

        /**
         * Choose whether the divergence watchdog switches the job to dense pushes when it fires; it only reports
         * by default.
         *
         * @param watchdogFallbackToDense true to fall back to dense.
         * @return this for a fluent API.
         */
        public Builder watchdogFallbackToDense(final boolean watchdogFallbackToDense)
        {
            this.watchdogFallbackToDense = watchdogFallbackToDense;
            return this;
        }

        /**
         * Choose whether workers compute each step's gradient while the previous step's pushes and the read after
         * them are in flight, instead of waiting for that round trip; off by default. It needs ssp:N or asp: the
         * gradient misses the worker's own last push (the SSP bound on the other workers still holds exactly).
         *
         * @param overlap true to overlap.
         * @return this for a fluent API.
         */
        public Builder overlap(final boolean overlap)
        {
            this.overlap = overlap;
            return this;
        }

        /**
         * Parse and check every field.
         *
         * @return the spec.
         * @throws JobSpecException naming every bad field.
         */
        public JobSpec build()
        {
            final List<String> errors = new ArrayList<>();
            final JobSpec spec = resolve(errors, true);
            if (!errors.isEmpty())
            {
                throw new JobSpecException(errors);
            }
            return spec;
        }

        /**
         * Parse the textual fields but leave the range checks to {@link JobSpec#validate()}, e.g. to let a remote
         * {@link JobManager} name the bad fields.
         *
         * @return the spec, possibly invalid.
         * @throws JobSpecException naming every textual field that does not parse.
         */
        public JobSpec buildUnvalidated()
        {
            final List<String> errors = new ArrayList<>();
            final JobSpec spec = resolve(errors, false);
            if (!errors.isEmpty())
            {
                throw new JobSpecException(errors);
            }
            return spec;
        }

        JobSpec resolve(final List<String> errors, final boolean check)
        {
            final Workload parsedWorkload = parse(errors, JobSpecHocon.WORKLOAD, workload, Workload::parse);
            final Workload w = parsedWorkload != null ? parsedWorkload : DEFAULT_WORKLOAD;
            final PartitionSpec p = parse(errors, JobSpecHocon.PARTITION, partition, PartitionSpec::parse);
            final SyncPolicy sp = parse(errors, JobSpecHocon.SYNC, sync, SyncPolicy::parse);
            final StalenessPolicy st = parse(errors, JobSpecHocon.STALENESS, staleness, StalenessPolicy::parse);
            final CompressorSpec c = parse(errors, JobSpecHocon.COMPRESS, compress, CompressorSpec::parse);
            final OptimiserConfig.Kind o = parse(
                errors, JobSpecHocon.OPTIMIZER, optimizer != null ? optimizer : w.optimiserName(),
                OptimiserConfig::parseKind);
            final float lr = learningRate != null ? learningRate.floatValue() : w.learningRate();
            final double e = epochs != null ? epochs : (steps != null ? 0.0 : DEFAULT_EPOCHS);
            final long s = steps != null ? steps : 0L;
            final double target = targetAccuracy != null ? targetAccuracy : w.targetAccuracy();

            final JobSpec spec = new JobSpec(
                name, w, dataDir,
                p != null ? p : PartitionSpec.IID,
                workers, shards,
                sp != null ? sp : SyncPolicy.BSP,
                st != null ? st : StalenessPolicy.CONSTANT,
                c != null ? c : CompressorSpec.parse(DEFAULT_COMPRESS),
                errorFeedback,
                o != null ? o : OptimiserConfig.Kind.SGD,
                lr, batchSize, e, s, target, evalInterval, checkpointDir, seed, warmupSteps,
                watchdogFallbackToDense, overlap);
            if (check)
            {
                spec.validateInto(errors, parsedWorkload != null);
            }
            return spec;
        }

        private static <T> T parse(
            final List<String> errors, final String key, final String text, final Function<String, T> parser)
        {
            try
            {
                return parser.apply(text);
            }
            catch (final RuntimeException ex)
            {
                errors.add(key + "=" + text + ": " + ex.getMessage());
                return null;
            }
        }
    }
}
