package dev.parasol.bench.e2e;

import com.typesafe.config.ConfigFactory;
import dev.parasol.actors.dataplane.DataPlaneConfiguration;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.dataplane.Transport;
import dev.parasol.actors.jobapi.JobResult;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.jobapi.JobStatus;
import dev.parasol.actors.jobapi.ParasolClient;
import dev.parasol.actors.local.LocalParasol;
import dev.parasol.engine.data.FashionMnist;
import dev.parasol.engine.linalg.MatrixKernels;
import dev.parasol.engine.model.Workload;
import dev.parasol.engine.optim.OptimiserConfig;
import dev.parasol.engine.train.BaselineConfig;
import dev.parasol.engine.train.BaselineReport;
import dev.parasol.engine.train.BaselineResult;
import dev.parasol.engine.train.BaselineTrainer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a {@link BenchSuite} in one JVM: one local Parasol node (a one-node cluster, an embedded media driver, data over
 * Aeron IPC, or UDP on 127.0.0.1 with {@link #transport}) for the whole run, the suite's jobs submitted one after
 * another through its {@link ParasolClient} and never side by side, and beside them the single-process
 * {@link BaselineTrainer} with as many threads as a row has workers, so that each row's efficiency is a ratio of two
 * figures taken minutes apart on the same machine.
 * <p>
 * Each repetition runs every baseline, then every row, in suite order. A row's efficiency divides its samples per
 * second by those of its baseline's fastest run in the whole suite: on a shared machine a run can only be slowed down
 * by what else runs, so the fastest is the least disturbed, and a disturbed baseline never flatters a row (2026-11-26:
 * the first repetition's W2 baseline ran at 95,689 samples/s, the second's at 148,987). Before the first measurement an
 * unreported warm-up (a few hundred steps of each workload, in the trainer and in a job) lets the JIT compile the hot
 * paths, so that the first row does not pay for it. Jobs write their {@code report.json} under
 * {@code OUT/jobs/ROW-rN/}; their models are deleted, a benchmark does not need them.
 */
public final class BenchRunner
{
    /**
     * Default limit on one job's run, after which it is cancelled and its row marked {@code TIMED_OUT}.
     */
    public static final Duration JOB_TIMEOUT_DEFAULT = Duration.ofHours(1);

    private static final long SUBMIT_TIMEOUT_S = 60;
    private static final long CANCEL_TIMEOUT_S = 60;
    private static final long WARM_UP_STEPS = 200;
    private static final double WARM_UP_BASELINE_EPOCHS = 0.05;

    private final Path outDirectory;
    private final PrintWriter log;
    private Path dataDirectory;
    private long seed = JobSpec.DEFAULT_SEED;
    private Duration jobTimeout = JOB_TIMEOUT_DEFAULT;
    private boolean warmUp = true;
    private Transport transport = Transport.IPC;
    private int done;
    private int total;

    /**
     * Construct a runner.
     *
     * @param outDirectory where the jobs' reports go (under {@code jobs/}); the caller writes the report there.
     * @param log          receives one line per run and the BLAS in use.
     */
    public BenchRunner(final Path outDirectory, final PrintWriter log)
    {
        this.outDirectory = Objects.requireNonNull(outDirectory, "outDirectory").toAbsolutePath();
        this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * Set the directory of the Fashion-MNIST files.
     *
     * @param dataDirectory the directory, or null (the default) to search the standard locations.
     * @return this for a fluent API.
     */
    public BenchRunner dataDirectory(final Path dataDirectory)
    {
        this.dataDirectory = dataDirectory;
        return this;
    }

    /**
     * Set the seed of every job and baseline.
     *
     * @param seed the seed; {@link JobSpec#DEFAULT_SEED} by default.
     * @return this for a fluent API.
     */
    public BenchRunner seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    /**
     * Set how long one job may run before it is cancelled.
     *
     * @param jobTimeout positive; {@link #JOB_TIMEOUT_DEFAULT} by default.
     * @return this for a fluent API.
     */
    public BenchRunner jobTimeout(final Duration jobTimeout)
    {
        if (jobTimeout == null || jobTimeout.isNegative() || jobTimeout.isZero())
        {
            throw new IllegalArgumentException("job timeout=" + jobTimeout + ": expected a positive duration");
        }
        this.jobTimeout = jobTimeout;
        return this;
    }

    /**
     * Choose whether to warm the JIT up before the first measurement.
     *
     * @param warmUp true (the default) to run a short unreported job and baseline of each workload first.
     * @return this for a fluent API.
     */
    public BenchRunner warmUp(final boolean warmUp)
    {
        this.warmUp = warmUp;
        return this;
    }

    /**
     * Choose how each job's parts reach each other in the local node.
     *
     * @param transport {@link Transport#IPC} (the default, as {@code parasol train} does) or {@link Transport#UDP}.
     * @return this for a fluent API.
     */
    public BenchRunner transport(final Transport transport)
    {
        this.transport = transport;
        return this;
    }

    /**
     * Run every baseline and every row of a suite, as many times as it says.
     *
     * @param suite the matrix.
     * @return the figures, with each row's median run, efficiency and compression ratio.
     */
    public BenchResult run(final BenchSuite suite)
    {
        final Instant startedAt = Instant.now();
        final long startNs = System.nanoTime();
        final MatrixKernels kernels = MatrixKernels.defaultKernels();
        log.println("BLAS: " + kernels.describe());
        if (kernels.isSlowFallback())
        {
            log.println("WARNING: matrix products run on a slow fallback (" + kernels.tier() + "); every figure " +
                "will be low. Install OpenBLAS: sudo apt-get install -y libopenblas0");
        }
        final FashionMnist data = FashionMnist.load(dataDirectory);
        final Map<String, Object> machine = MachineInfo.describe(kernels);
        machine.put("data_plane", Transport.IPC == transport ? "Aeron IPC" : "Aeron UDP on 127.0.0.1");
        final List<BaselineCase> baselineCases = suite.baselines();
        final List<List<RunRecord>> baselineRuns = emptyLists(baselineCases.size());
        final List<List<RunRecord>> caseRuns = emptyLists(suite.cases().size());
        done = 0;
        total = (baselineCases.size() + suite.cases().size()) * suite.repetitions();
        log.printf(Locale.ROOT, "Suite %s: %d rows x %d run(s), %d baseline(s), data %s, seed %d%n",
            suite.name(), suite.cases().size(), suite.repetitions(), baselineCases.size(), data.directory(), seed);

        final DataPlaneContext dataPlane = new DataPlaneContext().transport(transport).termLength(Math.max(
            DataPlaneConfiguration.TERM_LENGTH_DEFAULT, DataPlaneContext.termLengthFor(largestDenseMessage(suite))));
        try (LocalParasol parasol = LocalParasol.start(dataPlane, suite.maxWorkers(),
            ConfigFactory.parseString("pekko.loglevel = WARNING")))
        {
            if (warmUp)
            {
                warmUp(suite, parasol.client(), data, kernels);
            }
            for (int rep = 1; rep <= suite.repetitions(); rep++)
            {
                for (int b = 0; b < baselineCases.size(); b++)
                {
                    baselineRuns.get(b).add(runBaseline(baselineCases.get(b), rep, data, kernels));
                }
                for (int c = 0; c < suite.cases().size(); c++)
                {
                    caseRuns.get(c).add(runJob(parasol.client(), suite.cases().get(c), rep, data.directory()));
                }
            }
        }

        final List<Map<String, Object>> baselines = new ArrayList<>();
        for (int b = 0; b < baselineCases.size(); b++)
        {
            baselines.add(BenchRows.baseline(baselineCases.get(b), baselineRuns.get(b), machine));
        }
        final List<Map<String, Object>> rows = new ArrayList<>();
        for (int c = 0; c < suite.cases().size(); c++)
        {
            final BenchCase benchCase = suite.cases().get(c);
            final List<RunRecord> matching = baselineRuns.get(baselineIndex(baselineCases, benchCase));
            rows.add(BenchRows.row(benchCase, seed, caseRuns.get(c), matching, machine));
        }
        return new BenchResult(suite.name(), suite.repetitions(), seed, startedAt,
            (System.nanoTime() - startNs) / 1e9, machine, baselines, rows);
    }

    private void warmUp(
        final BenchSuite suite, final ParasolClient client, final FashionMnist data, final MatrixKernels kernels)
    {
        final long startNs = System.nanoTime();
        final List<Workload> workloads = new ArrayList<>();
        for (final BenchCase c : suite.cases())
        {
            if (!workloads.contains(c.workload()))
            {
                workloads.add(c.workload());
                final BaselineConfig config = baselineConfig(
                    new BaselineCase(c.workload(), 1, WARM_UP_BASELINE_EPOCHS), kernels, 1.0);
                new BaselineTrainer(config, kernels.describe()).train(data.train(), data.test(), (e) -> {});
                final String name = "warm-up-" + c.workload();
                final JobSpec spec = c.toSpec(data.directory(), outDirectory.resolve("jobs").resolve(name), seed)
                    .toBuilder().name(name).steps(WARM_UP_STEPS).targetAccuracy(1.0).build();
                final RunRecord run = submitAndWait(client, spec, 0);
                if (!RunRecord.SUCCEEDED.equals(run.state()))
                {
                    log.println("WARNING: the warm-up job of " + c.workload() + " ended " + run.state() + ": " +
                        run.error());
                }
            }
        }
        log.printf(Locale.ROOT, "Warm-up (%s) took %.1f s%n", workloads, (System.nanoTime() - startNs) / 1e9);
    }

    private RunRecord runBaseline(
        final BaselineCase baseline, final int rep, final FashionMnist data, final MatrixKernels kernels)
    {
        final long startNs = System.nanoTime();
        RunRecord run;
        try
        {
            final BaselineConfig config = baselineConfig(baseline, kernels, baseline.workload().targetAccuracy());
            final BaselineResult result = new BaselineTrainer(config, kernels.describe())
                .train(data.train(), data.test(), (e) -> {});
            run = new RunRecord(rep, result.diverged() ? "DIVERGED" : RunRecord.SUCCEEDED, null,
                BaselineReport.fields(result, config), result.wallSeconds());
        }
        catch (final RuntimeException ex)
        {
            run = RunRecord.failed(rep, RunRecord.FAILED, ex.toString(), (System.nanoTime() - startNs) / 1e9);
        }
        logRun(baseline.id(), rep, run, null);
        return run;
    }

    private BaselineConfig baselineConfig(
        final BaselineCase baseline, final MatrixKernels kernels, final double targetAccuracy)
    {
        final Workload w = baseline.workload();
        // The rows' optimiser exactly: the job spec's defaults for this workload.
        final OptimiserConfig optimiser = JobSpec.builder().workload(w).build().optimiserConfig();
        return new BaselineConfig(w.name(), (maxBatch) -> w.create(maxBatch, kernels), optimiser,
            JobSpec.DEFAULT_BATCH_SIZE, baseline.maxEpochs(), targetAccuracy, baseline.threads(), seed,
            (int)Math.round(1.0 / JobSpec.DEFAULT_EVAL_INTERVAL));
    }

    private RunRecord runJob(final ParasolClient client, final BenchCase benchCase, final int rep, final Path data)
    {
        final Path checkpoint = outDirectory.resolve("jobs").resolve(benchCase.id() + "-r" + rep);
        final RunRecord run = submitAndWait(client, benchCase.toSpec(data, checkpoint, seed), rep);
        logRun(benchCase.id(), rep, run, benchCase);
        return run;
    }

    private RunRecord submitAndWait(final ParasolClient client, final JobSpec spec, final int rep)
    {
        final long startNs = System.nanoTime();
        String jobId = null;
        try
        {
            jobId = client.submit(spec).toCompletableFuture().get(SUBMIT_TIMEOUT_S, TimeUnit.SECONDS);
            final JobStatus status = client.followProgress(jobId, (event) -> {})
                .toCompletableFuture().get(jobTimeout.toMillis(), TimeUnit.MILLISECONDS);
            final double wall = (System.nanoTime() - startNs) / 1e9;
            final JobResult result = status.result();
            if (result == null)
            {
                return RunRecord.failed(rep, status.state().name(), status.error(), wall);
            }
            deleteQuietly(result.modelPath());
            final Map<String, Object> metrics = new LinkedHashMap<>(result.metrics());
            metrics.remove("model_path");
            if (result.reportPath() != null)
            {
                metrics.put("report_path", result.reportPath().toString());
            }
            return new RunRecord(rep, status.state().name(), status.error(), metrics, wall);
        }
        catch (final TimeoutException ex)
        {
            if (jobId != null)
            {
                cancelAndWait(client, jobId);
            }
            return RunRecord.failed(rep, RunRecord.TIMED_OUT, "no result within " + jobTimeout.toSeconds() +
                " s (job " + jobId + ", cancelled)", (System.nanoTime() - startNs) / 1e9);
        }
        catch (final ExecutionException ex)
        {
            return RunRecord.failed(rep, RunRecord.FAILED, String.valueOf(ex.getCause()),
                (System.nanoTime() - startNs) / 1e9);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for job " + jobId, ex);
        }
    }

    private static void cancelAndWait(final ParasolClient client, final String jobId)
    {
        try
        {
            client.cancel(jobId).toCompletableFuture().get(CANCEL_TIMEOUT_S, TimeUnit.SECONDS);
            client.followProgress(jobId, (event) -> {}).toCompletableFuture().get(CANCEL_TIMEOUT_S, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            // The next job still runs: the node has slots for it even if this one is slow to let go.
        }
    }

    private void logRun(final String id, final int rep, final RunRecord run, final BenchCase benchCase)
    {
        done++;
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "[%3d/%d] %-28s run %d: ",
            done, total, id, rep));
        if (!run.hasMetrics())
        {
            line.append(run.state()).append(": ").append(run.error());
        }
        else
        {
            final Double ttt = run.timeToTarget();
            line.append(ttt == null ? "target NOT reached" : String.format(Locale.ROOT, "target in %.1f s", ttt))
                .append(String.format(Locale.ROOT, ", accuracy %.4f, %,.0f samples/s",
                    run.number("final_test_accuracy"), run.number("samples_per_s")));
            if (benchCase != null)
            {
                final Double ratio = BenchFigures.compressionRatio(
                    run.number("dense_bytes_per_step"), run.number("bytes_up_per_step"));
                line.append(ratio == null ? "" : String.format(Locale.ROOT, ", compression %.1fx", ratio));
            }
            if (!RunRecord.SUCCEEDED.equals(run.state()))
            {
                line.append(" (").append(run.state()).append(')');
            }
        }
        line.append(String.format(Locale.ROOT, " [wall %.1f s]", run.wallSeconds()));
        log.println(line);
        log.flush();
    }

    private static int baselineIndex(final List<BaselineCase> baselines, final BenchCase benchCase)
    {
        for (int b = 0; b < baselines.size(); b++)
        {
            if (baselines.get(b).matches(benchCase))
            {
                return b;
            }
        }
        throw new IllegalStateException("no baseline for " + benchCase.id() + " among " + baselines);
    }

    private static int largestDenseMessage(final BenchSuite suite)
    {
        int largest = 0;
        for (final BenchCase c : suite.cases())
        {
            largest = Math.max(largest, JobSpec.largestDenseMessageBytes(c.workload(), c.shards()));
        }
        return largest;
    }

    private static List<List<RunRecord>> emptyLists(final int count)
    {
        final List<List<RunRecord>> lists = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            lists.add(new ArrayList<>());
        }
        return lists;
    }

    private static void deleteQuietly(final Path file)
    {
        if (file != null)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ex)
            {
                // A model left behind costs disk space, not correctness.
            }
        }
    }
}
