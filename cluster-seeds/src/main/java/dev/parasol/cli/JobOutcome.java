package dev.parasol.cli;

import dev.parasol.actors.jobapi.JobResult;
import dev.parasol.actors.jobapi.JobStatus;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Prints how a job ended, the same way for {@code train} and {@code submit --follow}, and gives the exit code.
 */
final class JobOutcome
{
    private JobOutcome()
    {
    }

    /**
     * Print the outcome.
     *
     * @param out    where to print.
     * @param status the job's final status.
     * @param report where to copy the JSON report, or null.
     * @return 0 succeeded, 3 failed or ended without a result, 4 cancelled.
     */
    static int print(final PrintWriter out, final JobStatus status, final Path report)
    {
        final JobResult result = status.result();
        if (result == null)
        {
            out.println("Job " + status.jobId() + " ended " + status.state() +
                (status.error() == null ? "" : ": " + status.error()));
            return status.state() == JobStatus.State.CANCELLED ? 4 : 3;
        }
        SummaryTable.print(out, result.metrics());
        out.println("Model:  " + result.modelPath());
        out.println("Report: " + result.reportPath());
        if (report != null)
        {
            JsonReport.write(report, result.metrics());
            out.println("Report also written to " + report.toAbsolutePath());
        }
        return status.state() == JobStatus.State.SUCCEEDED ? 0 : 3;
    }
}
