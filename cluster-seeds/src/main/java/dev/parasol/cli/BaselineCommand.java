package dev.parasol.cli;

import dev.parasol.engine.data.FashionMnist;
import dev.parasol.engine.linalg.MatrixKernels;
import dev.parasol.engine.model.Workload;
import dev.parasol.engine.optim.OptimiserConfig;
import dev.parasol.engine.train.BaselineConfig;
import dev.parasol.engine.train.BaselineReport;
import dev.parasol.engine.train.BaselineResult;
import dev.parasol.engine.train.BaselineTrainer;
import dev.parasol.engine.train.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code parasol baseline}: trains a workload with the engine alone (no actors, no network) and reports time to
 * target, final accuracy and samples per second. Every distributed figure is divided by this one.
 */
@Command(
    name = "baseline",
    mixinStandardHelpOptions = true,
    description = "Train a reference workload in this process with the engine alone: the compute baseline.")
final class BaselineCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--workload", defaultValue = "W2", paramLabel = "W1|W2|W3",
        description = "Reference workload (WORKLOADS.md). Default: ${DEFAULT-VALUE}.")
    String workload;

    @Option(names = "--epochs", defaultValue = "30", paramLabel = "N",
        description = "Stop after this many epochs if the target is not reached. Default: ${DEFAULT-VALUE}.")
    double epochs;

    @Option(names = "--target", paramLabel = "ACC",
        description = "Stop at this test accuracy. Default: the workload's (W1 0.840, W2 0.880, W3 0.900).")
    Double target;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "T",
        description = "Compute threads, each on its own IID slice; gradients applied as BSP. " +
            "Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
        description = "Seed of initialisation, partition and batch order. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = {"--optimiser", "--optimizer"}, paramLabel = "sgd|momentum|adam",
        description = "Optimiser. Default: the workload's (W1 sgd, W2 momentum).")
    String optimiser;

    @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate. Default: the workload's.")
    Float learningRate;

    @Option(names = "--batch", paramLabel = "B", description = "Batch size per thread. Default: the workload's (64).")
    Integer batch;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the JSON report to this file.")
    Path report;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final Workload w = Workload.parse(workload);
        final MatrixKernels kernels = MatrixKernels.defaultKernels();
        announceBlas(out, kernels);

        final FashionMnist dataset = data.load(out);
        final OptimiserConfig optimiserConfig = optimiserConfig(w);
        final BaselineConfig config = new BaselineConfig(
            w.name(),
            (maxBatch) -> w.create(maxBatch, kernels),
            optimiserConfig,
            batch == null ? w.batchSize() : batch,
            epochs,
            target == null ? w.targetAccuracy() : target,
            threads,
            seed,
            4);
        out.printf(Locale.ROOT, "Baseline %s (%s), %,d parameters, %s, batch %d, %d thread(s), seed %d, data %s%n",
            w.name(), w.description(), w.parameterCount(), optimiserConfig, config.batchSize(), threads, seed,
            dataset.directory());
        out.printf(Locale.ROOT, "%8s %8s %10s %10s %9s %12s %9s%n",
            "epoch", "step", "train-loss", "test-loss", "accuracy", "samples/s", "elapsed");

        final BaselineResult result = new BaselineTrainer(config, kernels.describe())
            .train(dataset.train(), dataset.test(), (e) -> printEvaluation(out, e));
        printSummary(out, result);
        if (report != null)
        {
            final Map<String, Object> fields = BaselineReport.fields(result, config);
            fields.put("java", Runtime.version().toString());
            JsonReport.write(report, fields);
            out.println("Report written to " + report.toAbsolutePath());
        }
        return result.diverged() ? 3 : 0;
    }

    private OptimiserConfig optimiserConfig(final Workload w)
    {
        final OptimiserConfig.Kind kind = OptimiserConfig.parseKind(optimiser == null ? w.optimiserName() : optimiser);
        final float rate = learningRate == null ? w.learningRate() : learningRate;
        final OptimiserConfig defaults = OptimiserConfig.of(kind, rate);
        return kind == OptimiserConfig.Kind.MOMENTUM ? new OptimiserConfig(kind, defaults.learningRate(),
            w.momentum(), defaults.beta1(), defaults.beta2(), defaults.epsilon()) : defaults;
    }

    private static void announceBlas(final PrintWriter out, final MatrixKernels kernels)
    {
        out.println("BLAS: " + kernels.describe());
        if (kernels.isSlowFallback())
        {
            out.println("WARNING: matrix products run on a slow fallback (" + kernels.tier() + ", about " +
                String.format(Locale.ROOT, "%.1f", kernels.calibratedGflops()) + " GFLOP/s); training will be " +
                "several times slower. Install OpenBLAS for native speed: sudo apt-get install -y libopenblas0");
        }
    }

    private static void printEvaluation(final PrintWriter out, final Evaluation e)
    {
        out.printf(Locale.ROOT, "%8.2f %8d %10.4f %10.4f %9.4f %12.0f %8.1fs%n",
            e.epoch(), e.steps(), e.trainLoss(), e.testLoss(), e.testAccuracy(), e.samplesPerSecond(),
            e.elapsedSeconds());
    }

    private static void printSummary(final PrintWriter out, final BaselineResult r)
    {
        if (r.diverged())
        {
            out.println("DIVERGED: the training loss became NaN or infinite; lower the learning rate (--lr).");
        }
        out.printf(Locale.ROOT, "Final test accuracy %.4f after %.2f epochs; target %.3f %s; %.0f samples/s; " +
            "wall %.1fs%n",
            r.finalTestAccuracy(), r.epochs(), r.targetAccuracy(),
            r.targetReached() ? String.format(Locale.ROOT, "reached in %.1fs", r.timeToTargetSeconds()) :
            "NOT reached", r.samplesPerSecond(), r.wallSeconds());
    }
}
