package dev.parasol.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code parasol cancel JOB}: removes a queued job, or stops a running one (its workers drain, its model is saved).
 */
@Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a queued or running job.")
final class CancelCommand implements Callable<Integer>
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
        try (ClusterConnection connection = contact.connect())
        {
            connection.client().cancel(jobId).toCompletableFuture().get(30, TimeUnit.SECONDS);
            spec.commandLine().getOut().println("Cancel requested for " + jobId);
            return 0;
        }
    }
}
