package dev.parasol.bench.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a benchmark run as {@code bench.json} (every field, for programs) and {@code bench.md} (one table a person
 * reads: workload, workers, sync, compression, time to target, final accuracy, samples/s, efficiency, bytes up and
 * down per step, compression ratio, staleness p50/p99), each atomically.
 */
public final class BenchReport
{
    /**
     * File name of the JSON report.
     */
    public static final String JSON_FILE = "bench.json";

    /**
     * File name of the Markdown report.
     */
    public static final String MARKDOWN_FILE = "bench.md";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final double KIB = 1024.0;

    private BenchReport()
    {
    }

    /**
     * Write both files into a directory, creating it.
     *
     * @param result    the run.
     * @param directory where {@value #JSON_FILE} and {@value #MARKDOWN_FILE} go.
     */
    public static void write(final BenchResult result, final Path directory)
    {
        try
        {
            Files.createDirectories(directory);
            final Path json = directory.resolve(JSON_FILE);
            final Path jsonTemp = directory.resolve(JSON_FILE + ".tmp");
            MAPPER.writeValue(jsonTemp.toFile(), result.toJson());
            Files.move(jsonTemp, json, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            final Path markdown = directory.resolve(MARKDOWN_FILE);
            final Path markdownTemp = directory.resolve(MARKDOWN_FILE + ".tmp");
            Files.writeString(markdownTemp, markdown(result), StandardCharsets.UTF_8);
            Files.move(markdownTemp, markdown, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the benchmark report to " + directory + ": " +
                ex.getMessage(), ex);
        }
    }

    /**
     * Render the Markdown report: a header naming the machine, the baselines, the rows' table and the definitions.
     *
     * @param result the run.
     * @return the text of {@value #MARKDOWN_FILE}.
     */
    public static String markdown(final BenchResult result)
    {
        final StringBuilder md = new StringBuilder();
        final Map<String, Object> machine = result.machine();
        md.append("# Parasol benchmark: ").append(result.suite()).append(" suite\n\n");
        md.append(String.format(Locale.ROOT, "Started %s, wall %.1f min, seed %d, %d run(s) per row. ",
            result.startedAt().truncatedTo(ChronoUnit.SECONDS), result.wallSeconds() / 60.0, result.seed(),
            result.repetitions()));
        md.append("Machine: ").append(machine.get("cores")).append(" cores (").append(machine.get("cpu"))
            .append("), Java ").append(machine.get("java")).append(", ").append(machine.get("os"))
            .append(", BLAS ").append(machine.get("blas_tier")).append(" (").append(machine.get("blas_library"))
            .append(", OPENBLAS_NUM_THREADS=").append(machine.get("openblas_num_threads")).append("). Data plane: ")
            .append(machine.get("data_plane")).append(".\n\n");
        md.append(rowsTable(result)).append('\n');
        md.append("Baselines (the engine alone in one process, `parasol baseline`, threads = the rows' workers):\n\n");
        md.append(baselinesTable(result)).append('\n');
        md.append("- ").append(BenchResult.EFFICIENCY_DEFINITION).append(".\n");
        md.append("- ").append(BenchResult.COMPRESSION_RATIO_DEFINITION).append(".\n");
        md.append("- Time to target: wall time of the job to the first evaluation (every quarter epoch, full test " +
            "set) at or above the workload's target; `not reached` when the epoch budget ran out first.\n");
        md.append("- Bytes per step: what each worker step put on the wire, summed over the shards, counted at the " +
            "sender (up: gradient pushes; down: parameter updates).\n");
        if (result.repetitions() > 1)
        {
            md.append("- ").append(BenchResult.SELECTION_DEFINITION).append(".\n");
        }
        return md.toString();
    }

    private static String rowsTable(final BenchResult result)
    {
        final boolean repeated = result.repetitions() > 1;
        final StringBuilder md = new StringBuilder();
        md.append("| workload | workers | sync | compression | time to target | final accuracy | samples/s | " +
            "efficiency | up/step | down/step | compression ratio | staleness p50/p99 |");
        md.append(repeated ? " runs (time to target) |\n" : "\n");
        md.append("|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        md.append(repeated ? "---:|\n" : "\n");
        for (final Map<String, Object> row : result.rows())
        {
            md.append("| ").append(row.get("workload"))
                .append(" | ").append(row.get("workers"))
                .append(" | ").append(row.get("sync"))
                .append(Boolean.TRUE.equals(row.get("overlap")) ? " +overlap" : "")
                .append(" | ").append(row.get("compression"))
                .append(Boolean.TRUE.equals(row.get("error_feedback")) ? " +ef" : "")
                .append(" | ").append(timeToTarget(row))
                .append(" | ").append(format(row.get("final_test_accuracy"), "%.4f"))
                .append(" | ").append(format(row.get("samples_per_s"), "%,.0f"))
                .append(" | ").append(format(row.get("efficiency"), "%.2f"))
                .append(" | ").append(kib(row.get("bytes_up_per_step")))
                .append(" | ").append(kib(row.get("bytes_down_per_step")))
                .append(" | ").append(format(row.get("compression_ratio"), "%.1fx"))
                .append(" | ").append(staleness(row.get("staleness")))
                .append(" |");
            if (repeated)
            {
                md.append(' ').append(runs(row.get("runs"))).append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static String baselinesTable(final BenchResult result)
    {
        final StringBuilder md = new StringBuilder();
        md.append("| workload | threads | time to target | final accuracy | samples/s |\n");
        md.append("|---|---:|---:|---:|---:|\n");
        for (final Map<String, Object> baseline : result.baselines())
        {
            md.append("| ").append(baseline.get("workload"))
                .append(" | ").append(baseline.get("threads"))
                .append(" | ").append(timeToTarget(baseline))
                .append(" | ").append(format(baseline.get("final_test_accuracy"), "%.4f"))
                .append(" | ").append(format(baseline.get("samples_per_s"), "%,.0f"))
                .append(" |\n");
        }
        return md.toString();
    }

    private static String timeToTarget(final Map<String, Object> entry)
    {
        final Object seconds = entry.get("time_to_target_s");
        if (seconds instanceof Number n)
        {
            return String.format(Locale.ROOT, "%.1f s", n.doubleValue());
        }
        final Object state = entry.get("state");
        return RunRecord.SUCCEEDED.equals(state) ? "not reached" : String.valueOf(state).toLowerCase(Locale.ROOT);
    }

    private static String runs(final Object runs)
    {
        final StringBuilder text = new StringBuilder();
        if (runs instanceof List<?> list)
        {
            for (final Object run : list)
            {
                if (text.length() > 0)
                {
                    text.append(" / ");
                }
                final Object seconds = run instanceof Map<?, ?> map ? map.get("time_to_target_s") : null;
                text.append(seconds instanceof Number n ? String.format(Locale.ROOT, "%.1f s", n.doubleValue()) :
                    "-");
            }
        }
        return text.toString();
    }

    private static String staleness(final Object staleness)
    {
        if (staleness instanceof Map<?, ?> map)
        {
            return map.get("p50") + " / " + map.get("p99");
        }
        return "-";
    }

    private static String kib(final Object bytes)
    {
        return bytes instanceof Number n && Double.isFinite(n.doubleValue()) ?
            String.format(Locale.ROOT, "%,.1f KiB", n.doubleValue() / KIB) : "-";
    }

    private static String format(final Object value, final String pattern)
    {
        return value instanceof Number n && Double.isFinite(n.doubleValue()) ?
            String.format(Locale.ROOT, pattern, n.doubleValue()) : "-";
    }
}
