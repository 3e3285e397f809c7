package dev.parasol.cli;

import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.jobapi.JobStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code parasol submit}: submits a job to a running cluster from a separate JVM, prints its id, and with
 * {@code --follow} shows its progress and summary as {@code parasol train} does.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = "Submit a job to a running cluster; the same job flags as train, alone or over a job file.")
final class SubmitCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    ContactOptions contact;

    @Mixin
    JobOptions job;

    @Parameters(index = "0", arity = "0..1", paramLabel = "job.conf", description = "A job spec in HOCON.")
    Path jobFile;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Where the data set is on the worker nodes. Default: their default locations.")
    Path dataDirectory;

    @Option(names = "--follow", description = "Show progress until the job ends, then the summary.")
    boolean follow;

    @Option(names = "--report", paramLabel = "FILE", description = "With --follow, write the JSON report here.")
    Path report;

    @Option(names = "--timeout", defaultValue = "7200", paramLabel = "SECONDS",
        description = "With --follow, give up waiting after this long. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (jobFile != null)
        {
            job.config = jobFile;
        }
        final JobSpec jobSpec = job.toSpec(dataDirectory);
        try (ClusterConnection connection = contact.connect())
        {
            final String jobId = connection.client().submit(jobSpec).toCompletableFuture().get(60, TimeUnit.SECONDS);
            out.println(jobId);
            if (!follow)
            {
                return 0;
            }
            final ProgressPrinter progress = new ProgressPrinter(out, System.console() != null);
            final JobStatus status = connection.client().followProgress(jobId, progress::onEvent)
                .toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
            progress.finish();
            return JobOutcome.print(out, status, report);
        }
    }
}
