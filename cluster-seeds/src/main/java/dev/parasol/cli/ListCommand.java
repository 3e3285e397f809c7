package dev.parasol.cli;

import dev.parasol.actors.jobapi.JobStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code parasol list}: every job the cluster's job manager knows, in submission order.
 */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the cluster's jobs.")
final class ListCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    ContactOptions contact;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        try (ClusterConnection connection = contact.connect())
        {
            final List<JobStatus> jobs = connection.client().list().toCompletableFuture().get(30, TimeUnit.SECONDS);
            JobListing.printTable(out, jobs);
            return 0;
        }
    }
}
