package dev.parasol.cli;

import dev.parasol.actors.jobapi.ProgressEvent;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows a running job's progress: one line rewritten in place on a terminal, or a line every few seconds when the
 * output is a file or a pipe. Warnings always get a line of their own.
 */
final class ProgressPrinter
{
    private static final double PLAIN_INTERVAL_SECONDS = 5.0;

    private final PrintWriter out;
    private final boolean terminal;
    private double lastPrintedAt = -PLAIN_INTERVAL_SECONDS;
    private boolean lineOpen;

    ProgressPrinter(final PrintWriter out, final boolean terminal)
    {
        this.out = out;
        this.terminal = terminal;
    }

    /**
     * Show one progress event; called on a client thread, one event at a time.
     *
     * @param event the event.
     */
    synchronized void onEvent(final ProgressEvent event)
    {
        for (final String warning : event.warnings())
        {
            endLine();
            out.println("WARNING: " + warning);
        }
        final double steps = Math.max(1, event.steps());
        final String line = String.format(Locale.ROOT,
            "[%6.1fs] epoch %5.2f  steps %7d  %8.0f samples/s  loss %.4f  test acc %s  up %s/step  down %s/step" +
            "  staleness p50/p99/max %d/%d/%d",
            event.elapsedSeconds(), event.epoch(), event.steps(), event.samplesPerSecond(), event.trainLoss(),
            Double.isNaN(event.lastTestAccuracy()) ? "  -   " : String.format(Locale.ROOT, "%.4f",
            event.lastTestAccuracy()), bytes(event.bytesUp() / steps), bytes(event.bytesDown() / steps),
            event.stalenessP50(), event.stalenessP99(), event.stalenessMax());
        if (terminal)
        {
            out.print("\r" + line);
            out.flush();
            lineOpen = true;
        }
        else if (event.elapsedSeconds() - lastPrintedAt >= PLAIN_INTERVAL_SECONDS)
        {
            out.println(line);
            lastPrintedAt = event.elapsedSeconds();
        }
    }

    synchronized void finish()
    {
        endLine();
    }

    private void endLine()
    {
        if (lineOpen)
        {
            out.println();
            lineOpen = false;
        }
    }

    static String bytes(final double value)
    {
        if (value >= 1 << 20)
        {
            return String.format(Locale.ROOT, "%.1f MiB", value / (1 << 20));
        }
        if (value >= 1 << 10)
        {
            return String.format(Locale.ROOT, "%.1f KiB", value / (1 << 10));
        }
        return String.format(Locale.ROOT, "%.0f B", value);
    }
}
