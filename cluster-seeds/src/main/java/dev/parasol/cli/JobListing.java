package dev.parasol.cli;

import dev.parasol.actors.jobapi.JobStatus;
import dev.parasol.actors.jobapi.ProgressEvent;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Prints job statuses for people: one table row per job, or one job in detail.
 */
final class JobListing
{
    private JobListing()
    {
    }

    static void printTable(final PrintWriter out, final List<JobStatus> jobs)
    {
        out.printf(Locale.ROOT, "%-16s %-10s %8s %9s  %s%n", "job", "state", "epoch", "accuracy", "spec");
        for (final JobStatus status : jobs)
        {
            final ProgressEvent progress = status.latestProgress();
            out.printf(Locale.ROOT, "%-16s %-10s %8s %9s  %s%n", status.jobId(), status.state(),
                progress == null ? "-" : String.format(Locale.ROOT, "%.2f", progress.epoch()),
                progress == null || Double.isNaN(progress.lastTestAccuracy()) ? "-" :
                String.format(Locale.ROOT, "%.4f", progress.lastTestAccuracy()), status.summary());
        }
    }

    static void printStatus(final PrintWriter out, final JobStatus status)
    {
        out.println("job:       " + status.jobId());
        out.println("state:     " + status.state() + (status.queuePosition() >= 0 ?
            " (queue position " + status.queuePosition() + ")" : ""));
        out.println("spec:      " + status.summary());
        out.println("submitted: " + status.submittedAt());
        if (status.startedAt() != null)
        {
            out.println("started:   " + status.startedAt());
        }
        if (status.endedAt() != null)
        {
            out.println("ended:     " + status.endedAt());
        }
        if (status.latestProgress() != null)
        {
            final ProgressEvent p = status.latestProgress();
            out.printf(Locale.ROOT, "progress:  epoch %.2f, %d steps, test accuracy %.4f%n", p.epoch(), p.steps(),
                p.lastTestAccuracy());
        }
        if (status.error() != null)
        {
            out.println("error:     " + status.error());
        }
        if (status.result() != null)
        {
            SummaryTable.print(out, status.result().metrics());
        }
    }
}
