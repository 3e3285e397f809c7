package dev.parasol.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The checker of one chaos scenario: reads the scenario's histories (the client's {@code submit --history}, the
 * fault injector's, the forger's), the faulted job's report and the clean run's report, decides the verdict (target
 * reached, time overhead, updates reconciled, fault injected while the job ran, forged datagrams rejected, bad specs
 * refused, nothing left behind) and writes the scenario's row of {@code chaos.json}.
 * <p>
 * Run as {@code java -cp load-tests/target/parasol-load-tests-*.jar:load-tests/target/lib/* dev.parasol.chaos.ChaosCheck
 * --scenario NAME --fault TEXT --seed S --history FILE... --report FILE --clean-report FILE --out ROW.json}.
 * Exit status 0 when the scenario passed, 1 when it failed, 2 for a usage error.
 */
@Command(name = "chaos-check", mixinStandardHelpOptions = true,
    description = "Decide a chaos scenario's verdict from its histories and reports; write its row.")
public final class ChaosCheck implements Callable<Integer>
{
    @Option(names = "--scenario", required = true, paramLabel = "NAME", description = "The scenario's name.")
    String scenario;

    @Option(names = "--fault", required = true, paramLabel = "TEXT", description = "What was injected, in words.")
    String fault;

    @Option(names = "--seed", required = true, paramLabel = "S", description = "The run's seed.")
    long seed;

    @Option(names = "--mode", defaultValue = "STANDARD", paramLabel = "STANDARD|FORGED|BAD_SPECS",
        description = "Extra checks. Default: ${DEFAULT-VALUE}.")
    CheckSettings.Mode mode;

    @Option(names = "--history", required = true, arity = "1..*", paramLabel = "FILE",
        description = "History files (JSON lines): the client's, the injector's, the forger's.")
    List<Path> histories = new ArrayList<>();

    @Option(names = "--report", paramLabel = "FILE", description = "The faulted job's report; may not exist.")
    Path report;

    @Option(names = "--clean-report", paramLabel = "FILE", description = "The clean run's report.")
    Path cleanReport;

    @Option(names = "--lost-must-be-zero", defaultValue = "true", arity = "1", paramLabel = "true|false",
        description = "Whether the design promises no lost update under this fault. Default: ${DEFAULT-VALUE}.")
    boolean lostMustBeZero;

    @Option(names = "--max-overhead", paramLabel = "X",
        description = "Fail when time to target exceeds X times the clean run's. Default: no bound.")
    Double maxOverhead;

    @Option(names = "--checkpoint-interval-s", paramLabel = "SECONDS",
        description = "Accept a shard rollback bounded by this checkpoint interval. Default: no rollback accepted.")
    Double checkpointIntervalSeconds;

    @Option(names = "--no-fault-required", negatable = false,
        description = "Do not require a fault_injected line (for scenarios whose fault is the bad specs).")
    boolean noFaultRequired;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the row (JSON).")
    Path out;

    /**
     * Run the checker.
     *
     * @param args the arguments.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new ChaosCheck()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws IOException
    {
        final CheckSettings settings = new CheckSettings(scenario, fault, seed, mode, lostMustBeZero, maxOverhead,
            !noFaultRequired, checkpointIntervalSeconds);
        final History history = History.read(histories);
        final Map<String, Object> row = ChaosVerdict.evaluate(settings, history, readJson(report),
            readJson(cleanReport));
        if (report != null && !Files.isRegularFile(report))
        {
            @SuppressWarnings("unchecked")
            final List<String> notes = new ArrayList<>((List<String>)row.get("notes"));
            notes.add(0, "no report at " + report + " (a failed job writes none)");
            row.put("notes", notes);
        }
        writeRow(out, row);
        System.out.println(scenario + ": " + row.get("outcome"));
        return Boolean.TRUE.equals(row.get("passed")) ? 0 : 1;
    }

    static JsonNode readJson(final Path file) throws IOException
    {
        if (file == null || !Files.isRegularFile(file))
        {
            return null;
        }
        return History.JSON.readTree(file.toFile());
    }

    static void writeRow(final Path file, final Map<String, Object> row) throws IOException
    {
        final Path absolute = file.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        History.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(absolute.toFile(), row);
    }
}
