package dev.parasol.chaos;

import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Gathers the rows of the scenarios {@code run-all.sh} ran ({@code DIR/NAME/row.json}) into {@code DIR/chaos.json}
 * and {@code DIR/chaos.md}, and prints the table: scenario, fault, outcome, overhead, lost updates. A scenario whose
 * script ended without writing its row gets a failed row saying so: a missing verdict is never a pass.
 */
@Command(name = "chaos-summary", mixinStandardHelpOptions = true,
    description = "Gather the chaos scenarios' rows into DIR/chaos.json and DIR/chaos.md and print the table.")
public final class ChaosSummary implements Callable<Integer>
{
    private static final int FAULT_WIDTH = 90;
    private static final int OUTCOME_WIDTH = 110;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The run-all output directory.")
    Path out;

    @Option(names = "--scenarios", required = true, split = ",", paramLabel = "NAME,...",
        description = "The scenarios that ran, in order.")
    List<String> scenarios = new ArrayList<>();

    @Option(names = "--exit-status", split = ",", paramLabel = "NAME=STATUS,...",
        description = "Each scenario script's exit status.")
    Map<String, Integer> exitStatus = new LinkedHashMap<>();

    /**
     * Run the summary.
     *
     * @param args the arguments.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new ChaosSummary()).execute(args));
    }

    @Override
    public Integer call() throws IOException
    {
        final List<Map<String, Object>> rows = new ArrayList<>();
        for (final String name : scenarios)
        {
            rows.add(rowOf(name));
        }
        final Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("generated", Instant.now().toString());
        summary.put("passed", rows.stream().filter((r) -> Boolean.TRUE.equals(r.get("passed"))).count());
        summary.put("failed", rows.stream().filter((r) -> !Boolean.TRUE.equals(r.get("passed"))).count());
        summary.put("scenarios", rows);
        Files.createDirectories(out);
        History.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(
            out.resolve("chaos.json").toFile(), summary);
        final String table = table(rows);
        Files.writeString(out.resolve("chaos.md"), table, StandardCharsets.UTF_8);
        final PrintStream console = System.out;
        console.print(table);
        return 0;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> rowOf(final String name) throws IOException
    {
        final Path file = out.resolve(name).resolve("row.json");
        final Integer status = exitStatus.get(name);
        if (Files.isRegularFile(file))
        {
            final Map<String, Object> row = History.JSON.readValue(file.toFile(), LinkedHashMap.class);
            row.put("script_exit_status", status);
            return row;
        }
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("scenario", name);
        row.put("fault", "?");
        row.put("seed", null);
        row.put("passed", false);
        row.put("outcome", "FAIL: the scenario script ended (exit status " + status + ") without a verdict; see " +
            out.resolve(name).resolve(name + ".log"));
        row.put("target_reached", false);
        row.put("overhead", null);
        row.put("lost_updates", null);
        row.put("double_applied", null);
        row.put("rejected_forged", null);
        row.put("script_exit_status", status);
        return row;
    }

    static String table(final List<Map<String, Object>> rows)
    {
        final StringBuilder md = new StringBuilder();
        md.append("| scenario | fault | outcome | overhead | lost updates |\n");
        md.append("|---|---|---|---:|---:|\n");
        for (final Map<String, Object> row : rows)
        {
            md.append("| ").append(row.get("scenario"))
                .append(" | ").append(cell(String.valueOf(row.get("fault")), FAULT_WIDTH))
                .append(" | ").append(cell(String.valueOf(row.get("outcome")), OUTCOME_WIDTH))
                .append(" | ").append(overhead(row.get("overhead")))
                .append(" | ").append(lost(row)).append(" |\n");
        }
        return md.toString();
    }

    private static String overhead(final Object overhead)
    {
        return overhead instanceof Number n ? String.format(Locale.ROOT, "%.2fx", n.doubleValue()) : "-";
    }

    private static String lost(final Map<String, Object> row)
    {
        final Object lost = row.get("lost_updates");
        if (!(lost instanceof Number))
        {
            return "-";
        }
        final Object source = row.get("counters_source");
        return source != null && source.toString().startsWith("last") ? lost + " (last progress)" : lost.toString();
    }

    private static String cell(final String text, final int width)
    {
        final String clean = text.replace('|', '/').replace('\n', ' ');
        return clean.length() <= width ? clean : clean.substring(0, width - 3) + "...";
    }
}
