package dev.parasol.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * The short table printed when a job ends: the three figures every run must show (time to accuracy, final accuracy,
 * bytes on the wire) and what explains them.
 */
final class SummaryTable
{
    private SummaryTable()
    {
    }

    static void print(final PrintWriter out, final Map<String, Object> m)
    {
        out.println();
        row(out, "job", m.get("job_id") + " (" + m.get("workload") + ", " + m.get("workers") + " workers, " +
            m.get("shards") + " shards, " + m.get("sync") + ", " + m.get("compression") +
            (Boolean.TRUE.equals(m.get("error_feedback")) ? " + error feedback" : "") +
            (Boolean.TRUE.equals(m.get("overlap")) ? ", overlapped steps" : "") + ")");
        final Object ttt = m.get("time_to_target_s");
        row(out, "time to target", ttt == null ? "not reached (target " + m.get("target_accuracy") + ")" :
            String.format(Locale.ROOT, "%.1f s (target %s)", ((Number)ttt).doubleValue(), m.get("target_accuracy")));
        row(out, "final test accuracy", format("%.4f", m.get("final_test_accuracy")));
        row(out, "epochs, steps", format("%.2f", m.get("epochs")) + ", " + m.get("steps"));
        row(out, "samples/s", format("%.0f", m.get("samples_per_s")));
        final double up = ((Number)m.get("bytes_up_per_step")).doubleValue();
        final double down = ((Number)m.get("bytes_down_per_step")).doubleValue();
        final double dense = ((Number)m.get("dense_bytes_per_step")).doubleValue();
        row(out, "bytes up per step", ProgressPrinter.bytes(up) +
            (up > 0 ? String.format(Locale.ROOT, "  (dense: %s, %.1fx less)", ProgressPrinter.bytes(dense),
            dense / up) : ""));
        row(out, "bytes down per step", ProgressPrinter.bytes(down));
        row(out, "staleness p50/p99/max", String.valueOf(m.get("staleness")));
        row(out, "updates sent/applied/stale", m.get("updates_sent") + " / " + m.get("updates_applied") + " / " +
            m.get("updates_dropped_stale"));
        row(out, "messages rejected", String.valueOf(m.get("messages_rejected")));
        row(out, "blas", String.valueOf(m.get("blas")));
        row(out, "stopped because", String.valueOf(m.get("stop_reason")));
    }

    private static String format(final String pattern, final Object value)
    {
        return value instanceof Number number ? String.format(Locale.ROOT, pattern, number.doubleValue()) :
            String.valueOf(value);
    }

    private static void row(final PrintWriter out, final String name, final String value)
    {
        out.printf(Locale.ROOT, "  %-28s %s%n", name, value);
    }
}
