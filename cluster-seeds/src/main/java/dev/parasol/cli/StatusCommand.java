package dev.parasol.cli;

import dev.parasol.actors.jobapi.JobStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code parasol status JOB}: one job's state, latest progress, and result or error.
 */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a job's status.")
final class StatusCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    ContactOptions contact;

    @Parameters(index = "0", paramLabel = "JOB", description = "The job id.")
    String jobId;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        try (ClusterConnection connection = contact.connect())
        {
            final JobStatus status = connection.client().status(jobId).toCompletableFuture().get(30, TimeUnit.SECONDS);
            JobListing.printStatus(out, status);
            return 0;
        }
    }
}
