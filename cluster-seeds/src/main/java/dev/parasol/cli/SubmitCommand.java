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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code parasol submit}: submits a job to a running cluster from a separate JVM, prints its id, and with
 * {@code --follow} shows its progress and summary as {@code parasol train} does.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = "Submit a job to a running cluster; the same job flags as train, alone or over a job file.")
final class SubmitCommand implements Callable<Integer>
{
    private static final long CHECK_INTERVAL_SECONDS = 10;
    private static final int MISSED_CHECKS = 3;

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

    /**
     * Wait for the job's end, checking every interval that the job manager still answers: a follower cannot tell a
     * quiet job from a manager that went away with its node, so silence is checked, not assumed.
     *
     * @return the final status, or null when the manager stopped answering.
     */
    private JobStatus awaitEnd(
        final ClusterConnection connection, final String jobId, final CompletableFuture<JobStatus> ended)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        int missed = 0;
        while (true)
        {
            try
            {
                return ended.get(CHECK_INTERVAL_SECONDS, TimeUnit.SECONDS);
            }
            catch (final ExecutionException ex)
            {
                if (ex.getCause() instanceof IllegalStateException)
                {
                    // The follower's manager stopped, or this client was removed from the cluster.
                    return null;
                }
                throw ex;
            }
            catch (final TimeoutException ex)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new TimeoutException(jobId + " did not end within --timeout " + timeoutSeconds + " s");
                }
            }
            try
            {
                connection.client().status(jobId).toCompletableFuture().get(CHECK_INTERVAL_SECONDS, TimeUnit.SECONDS);
                missed = 0;
            }
            catch (final TimeoutException | ExecutionException ex)
            {
                if (++missed >= MISSED_CHECKS)
                {
                    return null;
                }
            }
        }
    }

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
            final CompletableFuture<JobStatus> ended = connection.client().followProgress(jobId, progress::onEvent)
                .toCompletableFuture();
            final JobStatus status = awaitEnd(connection, jobId, ended);
            progress.finish();
            if (status == null)
            {
                out.println("Lost contact with the job manager while following " + jobId + " (its coordinator " +
                    "node may have left, or this client was removed from the cluster); giving up on following it");
                return 3;
            }
            return JobOutcome.print(out, status, report);
        }
    }
}
