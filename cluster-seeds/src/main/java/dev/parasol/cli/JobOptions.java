package dev.parasol.cli;

import dev.parasol.actors.exceptions.JobSpecException;
import dev.parasol.actors.jobapi.JobSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/**
 * The flags of a job, mirroring the job spec's keys (docs/job-spec.md). Every flag is optional: a flag not given
 * keeps the value of {@code --config}'s file, or the spec's default.
 */
final class JobOptions
{
    @Option(names = "--config", paramLabel = "job.conf", description = "Read the job from a HOCON file; flags win.")
    Path config;

    @Option(names = "--workload", paramLabel = "W1|W2|W3", description = "Reference workload. Default: W2.")
    String workload;

    @Option(names = "--workers", paramLabel = "N", description = "Workers. Default: 2.")
    Integer workers;

    @Option(names = "--shards", paramLabel = "N", description = "Parameter-server shards. Default: 2.")
    Integer shards;

    @Option(names = "--sync", paramLabel = "bsp|ssp:N|asp", description = "Synchronisation policy. Default: ssp:3.")
    String sync;

    @Option(names = "--staleness", paramLabel = "constant|inverse|drop:N",
        description = "How shards scale stale updates. Default: constant.")
    String staleness;

    @Option(names = "--compress", paramLabel = "SPEC",
        description = "dense, topk:RATIO, randk:RATIO, qsgd:BITS or sign. Default: dense.")
    String compress;

    @Option(names = "--error-feedback", paramLabel = "true|false", arity = "1",
        description = "Keep what compression did not send in a residual. Default: true.")
    Boolean errorFeedback;

    @Option(names = "--partition", paramLabel = "iid|dirichlet:ALPHA",
        description = "Data partition. Default: iid.")
    String partition;

    @Option(names = {"--optimiser", "--optimizer"}, paramLabel = "sgd|momentum|adam",
        description = "Optimiser on the shards. Default: the workload's.")
    String optimiser;

    @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate. Default: the workload's.")
    Double learningRate;

    @Option(names = "--batch", paramLabel = "B", description = "Batch size per worker. Default: 64.")
    Integer batch;

    @Option(names = "--epochs", paramLabel = "N", description = "Epoch budget. Default: 30.")
    Double epochs;

    @Option(names = "--steps", paramLabel = "N", description = "Step budget per worker, instead of epochs.")
    Long steps;

    @Option(names = "--target", paramLabel = "ACC",
        description = "Stop at this test accuracy. Default: the workload's.")
    Double target;

    @Option(names = "--eval-interval", paramLabel = "EPOCHS", description = "Evaluate every this many epochs. " +
        "Default: 0.25.")
    Double evalInterval;

    @Option(names = "--warmup-steps", paramLabel = "N", description = "Steps pushed dense before compressing.")
    Long warmupSteps;

    @Option(names = "--watchdog-fallback", paramLabel = "true|false", arity = "1",
        description = "Fall back to dense pushes when the divergence watchdog fires. Default: false.")
    Boolean watchdogFallback;

    @Option(names = "--overlap", paramLabel = "true|false", arity = "1",
        description = "Compute each step's gradient while the previous step's pushes are in flight (ssp:N or asp; " +
            "the gradient misses the worker's own last push). Default: false.")
    Boolean overlap;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
        description = "Where the model and report go. Default: parasol-jobs/JOB-ID.")
    Path checkpointDir;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of every random choice. Default: 1.")
    Long seed;

    @Option(names = "--name", paramLabel = "NAME", description = "A label for the job.")
    String name;

    /**
     * Build the job spec: the file's (or the defaults), with every given flag laid over it.
     *
     * @param dataDirectory where the data set was found.
     * @return the validated spec.
     */
    JobSpec toSpec(final Path dataDirectory)
    {
        final JobSpec.Builder builder = config == null ? JobSpec.builder() : JobSpec.load(config).toBuilder();
        builder.dataDir(dataDirectory);
        if (workload != null)
        {
            builder.workload(workload);
        }
        if (workers != null)
        {
            builder.workers(workers);
        }
        if (shards != null)
        {
            builder.shards(shards);
        }
        if (sync != null)
        {
            builder.sync(sync);
        }
        if (staleness != null)
        {
            builder.staleness(staleness);
        }
        if (compress != null)
        {
            builder.compress(compress);
        }
        if (errorFeedback != null)
        {
            builder.errorFeedback(errorFeedback);
        }
        applyTraining(builder);
        return builder.build();
    }

    private void applyTraining(final JobSpec.Builder builder)
    {
        if (partition != null)
        {
            builder.partition(partition);
        }
        if (optimiser != null)
        {
            builder.optimizer(optimiser);
        }
        if (learningRate != null)
        {
            builder.learningRate(learningRate);
        }
        if (batch != null)
        {
            builder.batchSize(batch);
        }
        if (epochs != null && steps != null)
        {
            // The builder keeps the last bound it is given; on a command line both are a mistake to name.
            throw new JobSpecException(List.of("--epochs=" + epochs + " and --steps=" + steps +
                ": expected only one of epochs or steps"));
        }
        if (epochs != null)
        {
            builder.epochs(epochs);
        }
        if (steps != null)
        {
            builder.steps(steps);
        }
        if (target != null)
        {
            builder.targetAccuracy(target);
        }
        applyRun(builder);
    }

    private void applyRun(final JobSpec.Builder builder)
    {
        if (evalInterval != null)
        {
            builder.evalInterval(evalInterval);
        }
        if (warmupSteps != null)
        {
            builder.warmupSteps(warmupSteps);
        }
        if (watchdogFallback != null)
        {
            builder.watchdogFallbackToDense(watchdogFallback);
        }
        if (overlap != null)
        {
            builder.overlap(overlap);
        }
        if (checkpointDir != null)
        {
            builder.checkpointDir(checkpointDir);
        }
        if (seed != null)
        {
            builder.seed(seed);
        }
        if (name != null)
        {
            builder.name(name);
        }
    }
}
