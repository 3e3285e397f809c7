package dev.parasol.cli;

import com.typesafe.config.ConfigFactory;
import dev.parasol.actors.dataplane.DataPlaneConfiguration;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.dataplane.Transport;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.jobapi.JobStatus;
import dev.parasol.actors.local.LocalParasol;
import dev.parasol.engine.data.FashionMnist;
import dev.parasol.engine.linalg.MatrixKernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code parasol train}: runs one job in local mode (one JVM, a one-node cluster with every role, an embedded media
 * driver, data over Aeron IPC, or UDP on 127.0.0.1 with {@code --transport udp}), shows live progress, and prints a
 * summary and writes a JSON report at the end. Flags mirror the job spec; {@code --config} reads one from HOCON and
 * flags given beside it win.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Train a job in local mode: workers and parameter-server shards on Pekko actors, gradients over " +
        "Aeron IPC in one process (or UDP on 127.0.0.1).")
final class TrainCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Mixin
    JobOptions job;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON report to this file.")
    Path report;

    @Option(names = "--worker-slots", defaultValue = "" + LocalParasol.WORKER_SLOTS_DEFAULT, paramLabel = "N",
        description = "Workers this local node runs at once, over all jobs. Default: ${DEFAULT-VALUE}.")
    int workerSlots;

    @Option(names = "--transport", defaultValue = "ipc", paramLabel = "ipc|udp",
        description = "How the job's parts reach each other in this one process: Aeron IPC (shared memory, no " +
            "datagrams) or Aeron UDP on 127.0.0.1, the path a cluster uses. Default: ${DEFAULT-VALUE}.")
    String transport;

    @Option(names = "--timeout", defaultValue = "7200", paramLabel = "SECONDS",
        description = "Give up waiting for the job after this long. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final Transport parts = Transport.parse(transport);
        final FashionMnist dataset = data.load(out);
        final JobSpec jobSpec = job.toSpec(dataset.directory());
        final MatrixKernels kernels = MatrixKernels.defaultKernels();
        out.println("BLAS: " + kernels.describe());
        if (kernels.isSlowFallback())
        {
            out.println("WARNING: matrix products run on a slow fallback (" + kernels.tier() + "); install OpenBLAS " +
                "for native speed: sudo apt-get install -y libopenblas0");
        }
        out.println("Job: " + jobSpec.summary());

        // The term must hold the largest message (a dense range) and, as Aeron requires, at least one MTU per eighth.
        final DataPlaneContext dataPlane = new DataPlaneContext().transport(parts).termLength(Math.max(
            DataPlaneConfiguration.TERM_LENGTH_DEFAULT, DataPlaneContext.termLengthFor(
                JobSpec.largestDenseMessageBytes(jobSpec.workload(), jobSpec.shards()))));
        out.println("Data plane: Aeron " + (Transport.IPC == parts ? "IPC (one process, shared memory)" :
            "UDP on 127.0.0.1"));
        try (LocalParasol parasol = LocalParasol.start(dataPlane, Math.max(workerSlots, jobSpec.workers()),
            ConfigFactory.parseString("pekko.loglevel = WARNING")))
        {
            final String jobId = parasol.client().submit(jobSpec).toCompletableFuture().get(60, TimeUnit.SECONDS);
            out.println("Submitted " + jobId + "; model and report go to " +
                jobSpec.checkpointDirFor(jobId).toAbsolutePath());
            final ProgressPrinter progress = new ProgressPrinter(out, System.console() != null);
            final JobStatus status = parasol.client().followProgress(jobId, progress::onEvent)
                .toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
            progress.finish();
            return JobOutcome.print(out, status, report);
        }
    }
}
