package dev.parasol.cli;

import dev.parasol.actors.exceptions.UnknownJobException;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.jobapi.JobStatus;
import dev.parasol.engine.exceptions.EngineException;
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
import java.util.function.Supplier;

/**
 * {@code parasol submit}: submits a job to a running cluster from a separate JVM, prints its id, and with
 * {@code --follow} shows its progress and summary as {@code parasol train} does.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = "Submit a job to a running cluster; the same job flags as train, alone or over a job file.")
final class SubmitCommand implements Callable<Integer>
{
    private static final long CHECK_INTERVAL_SECONDS = 10;
    // About two minutes of silence: longer than a coordinator fail-over (downing, singleton hand-over, recovery).
    private static final int MISSED_CHECKS = 6;

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

    @Option(names = "--history", paramLabel = "FILE",
        description = "Append one JSON line per event (submitted or rejected; with --follow each progress event " +
            "and the end) to this file, for checkers.")
    Path history;

    @Option(names = "--timeout", defaultValue = "7200", paramLabel = "SECONDS",
        description = "With --follow, give up waiting after this long. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    /**
     * Wait for the job's end, checking every interval that the job manager still answers: a follower cannot tell a
     * quiet job from a manager that went away with its node, so silence is checked, not assumed. When the manager
     * answers again after silence (a coordinator fail-over: the singleton moved and recovered its jobs from its
     * journal), the follower subscribes again, since its subscription died with the old manager.
     *
     * @return the final status, or null when the manager stopped answering or no longer knows the job.
     */
    private JobStatus awaitEnd(
        final ClusterConnection connection, final String jobId, final Supplier<CompletableFuture<JobStatus>> follow)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        CompletableFuture<JobStatus> ended = follow.get();
        int missed = 0;
        while (true)
        {
            try
            {
                return ended.get(CHECK_INTERVAL_SECONDS, TimeUnit.SECONDS);
            }
            catch (final ExecutionException ex)
            {
                if (!(ex.getCause() instanceof IllegalStateException))
                {
                    throw ex;
                }
                // The follower's manager stopped: checked below like silence.
                ended = new CompletableFuture<>();
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
                final JobStatus status = connection.client().status(jobId).toCompletableFuture()
                    .get(CHECK_INTERVAL_SECONDS, TimeUnit.SECONDS);
                if (status.state().isTerminal())
                {
                    return status;
                }
                if (missed > 0 || ended.isDone())
                {
                    ended = follow.get();
                }
                missed = 0;
            }
            catch (final ExecutionException ex)
            {
                if (ex.getCause() instanceof UnknownJobException)
                {
                    // A manager that answers but does not know the job: it was lost with its coordinator.
                    return null;
                }
                if (++missed >= MISSED_CHECKS)
                {
                    return null;
                }
            }
            catch (final TimeoutException ex)
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
        final SubmitHistory events = SubmitHistory.open(history);
        final JobSpec jobSpec;
        try
        {
            jobSpec = job.toSpec(dataDirectory);
        }
        catch (final RuntimeException ex)
        {
            events.rejected(ex.getMessage());
            throw ex;
        }
        final ClusterConnection connection;
        try
        {
            connection = contact.connect();
        }
        catch (final RuntimeException ex)
        {
            events.error(null, "cannot join the cluster through --contact " + contact.contact + ": " +
                ex.getMessage());
            throw ex;
        }
        try (connection)
        {
            final String jobId = submit(connection, jobSpec, events);
            out.println(jobId);
            if (!follow)
            {
                return 0;
            }
            return follow(out, connection, jobId, events);
        }
    }

    private static String submit(final ClusterConnection connection, final JobSpec jobSpec, final SubmitHistory events)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        final String jobId;
        try
        {
            jobId = connection.client().submit(jobSpec).toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause() == null ? ex : ex.getCause();
            if (cause instanceof EngineException)
            {
                events.rejected(cause.getMessage());
            }
            else
            {
                events.error(null, String.valueOf(cause));
            }
            throw ex;
        }
        catch (final TimeoutException ex)
        {
            events.error(null, "no answer to the submission within 60 s");
            throw ex;
        }
        events.submitted(jobId, jobSpec);
        return jobId;
    }

    private int follow(
        final PrintWriter out, final ClusterConnection connection, final String jobId, final SubmitHistory events)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        final ProgressPrinter progress = new ProgressPrinter(out, System.console() != null);
        final Supplier<CompletableFuture<JobStatus>> follow = () -> connection.client().followProgress(jobId,
            (event) ->
            {
                events.progress(event);
                progress.onEvent(event);
            }).toCompletableFuture();
        final JobStatus status;
        try
        {
            status = awaitEnd(connection, jobId, follow);
        }
        catch (final TimeoutException ex)
        {
            events.timedOut(jobId, ex.getMessage());
            throw ex;
        }
        catch (final ExecutionException ex)
        {
            events.error(jobId, String.valueOf(ex.getCause()));
            throw ex;
        }
        progress.finish();
        if (status == null)
        {
            final String reason = "Lost contact with the job manager while following " + jobId + " (its " +
                "coordinator node may have left without a journal the next one could recover the job from, or this " +
                "client was removed from the cluster)";
            events.lostContact(jobId, reason);
            out.println(reason + "; giving up on following it");
            return 3;
        }
        events.ended(status);
        return JobOutcome.print(out, status, report);
    }
}
