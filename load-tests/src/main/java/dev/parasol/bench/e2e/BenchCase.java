package dev.parasol.bench.e2e;

import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.scheduler.SyncPolicy;
import dev.parasol.engine.compress.CompressorSpec;
import dev.parasol.engine.model.Workload;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One row of a benchmark matrix: a local-mode training job whose figures are reported side by side with the others,
 * and whose samples per second are divided by those of the baseline with as many threads as it has workers.
 *
 * @param workload      the reference workload.
 * @param workers       number of workers, which is also the thread count of the baseline it is divided by.
 * @param shards        number of parameter-server shards.
 * @param sync          synchronisation policy, e.g. {@code ssp:3}.
 * @param compression   compressor of the uplink, e.g. {@code topk:0.01}.
 * @param errorFeedback whether the workers keep an error-feedback residual.
 * @param maxEpochs     epoch budget when the target is not reached.
 */
public record BenchCase(
    Workload workload,
    int workers,
    int shards,
    String sync,
    String compression,
    boolean errorFeedback,
    double maxEpochs,
    boolean overlap)
{
    /**
     * Check the fields and put the policies in their canonical form ({@code topk:0.01}, {@code ssp:3}).
     *
     * @param workload      the reference workload.
     * @param workers       number of workers, at least 1.
     * @param shards        number of shards, at least 1.
     * @param sync          synchronisation policy.
     * @param compression   compressor.
     * @param errorFeedback error feedback on or off.
     * @param maxEpochs     epoch budget, &gt; 0.
     * @param overlap       workers compute each gradient while the previous step's round trip is in flight.
     */
    public BenchCase
    {
        Objects.requireNonNull(workload, "workload");
        if (workers < 1 || shards < 1 || !(maxEpochs > 0.0))
        {
            throw new IllegalArgumentException("invalid bench case: workers=" + workers + " shards=" + shards +
                " maxEpochs=" + maxEpochs + " (expected workers >= 1, shards >= 1, maxEpochs > 0)");
        }
        if (overlap && !SyncPolicy.parse(sync).isUnbounded() && SyncPolicy.parse(sync).bound() == 0)
        {
            throw new IllegalArgumentException(
                "invalid bench case: overlap under " + sync + " (expected ssp:N or asp)");
        }
        sync = SyncPolicy.parse(sync).toString();
        compression = CompressorSpec.parse(compression).toString();
    }

    /**
     * A case with error feedback chosen as the suite does: on for the biased compressors (top-k, sign), whose
     * dropped mass must be carried over, off for dense and for QSGD, which is unbiased.
     *
     * @param workload    the reference workload.
     * @param workers     number of workers.
     * @param shards      number of shards.
     * @param sync        synchronisation policy.
     * @param compression compressor.
     * @param maxEpochs   epoch budget.
     * @return the case.
     */
    public static BenchCase of(
        final Workload workload,
        final int workers,
        final int shards,
        final String sync,
        final String compression,
        final double maxEpochs)
    {
        return new BenchCase(
            workload, workers, shards, sync, compression, errorFeedbackFor(compression), maxEpochs, false);
    }

    /**
     * Get the same case with overlapped steps.
     *
     * @return the case, its workers computing each gradient while the previous step's round trip is in flight.
     */
    public BenchCase overlapped()
    {
        return new BenchCase(workload, workers, shards, sync, compression, errorFeedback, maxEpochs, true);
    }

    /**
     * Get whether the suite runs a compressor with error feedback.
     *
     * @param compression a compressor spec.
     * @return true for top-k, random-k and sign.
     */
    public static boolean errorFeedbackFor(final String compression)
    {
        final CompressorSpec.Kind kind = CompressorSpec.parse(compression).kind();
        return kind == CompressorSpec.Kind.TOP_K || kind == CompressorSpec.Kind.RANDOM_K ||
            kind == CompressorSpec.Kind.SIGN;
    }

    /**
     * Get a name unique within a suite, usable as a directory name.
     *
     * @return e.g. {@code W2-2w-ssp3-topk0.01-ef}, {@code W2-2w-ssp3-topk0.01-ef-overlap}.
     */
    public String id()
    {
        return workload.name() + "-" + workers + "w-" + (shards == 2 ? "" : shards + "s-") +
            sync.replace(":", "") + "-" + compression.replace(":", "") + (errorFeedback ? "-ef" : "") +
            (overlap ? "-overlap" : "");
    }

    /**
     * Get the synchronisation as the report's table shows it.
     *
     * @return e.g. {@code ssp:3}, {@code ssp:3 +overlap}.
     */
    public String syncLabel()
    {
        return sync + (overlap ? " +overlap" : "");
    }

    /**
     * Get the compression as the report's table shows it.
     *
     * @return e.g. {@code topk:0.01 +ef}.
     */
    public String compressionLabel()
    {
        return compression + (errorFeedback ? " +ef" : "");
    }

    /**
     * Get the job this case runs.
     *
     * @param dataDir       directory of the data set.
     * @param checkpointDir where the job writes its report.
     * @param seed          seed of every random choice of the job.
     * @return the validated spec.
     */
    public JobSpec toSpec(final Path dataDir, final Path checkpointDir, final long seed)
    {
        return JobSpec.builder()
            .name(id())
            .workload(workload.name())
            .dataDir(dataDir)
            .workers(workers)
            .shards(shards)
            .sync(sync)
            .compress(compression)
            .errorFeedback(errorFeedback)
            .overlap(overlap)
            .epochs(maxEpochs)
            .checkpointDir(checkpointDir)
            .seed(seed)
            .build();
    }
}
