package dev.parasol.bench.e2e;

import dev.parasol.actors.dataplane.Transport;
import dev.parasol.engine.exceptions.EngineException;
import dev.parasol.engine.model.Workload;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code parasol bench}: runs the end-to-end benchmark suite in local mode and writes {@code bench.json} and
 * {@code bench.md}. {@code bin/parasol} dispatches {@code bench} here, with the class path of {@code load-tests}.
 */
@Command(
    name = "parasol bench",
    description = {
        "Run the end-to-end benchmark suite in local mode: a matrix of training jobs (workload x sync x compressor x " +
            "workers), one after another on one local node, beside the single-process baseline with as many " +
            "threads as each row has workers, and write DIR/bench.json and DIR/bench.md.",
        "quick: 16 rows, once each, in under 10 minutes on 2 cores (--list shows them).",
        "full: workloads W1 and W2 (W3 with --with-w3); sync bsp, ssp:3 and asp; compressors dense, topk:0.01 " +
            "with error feedback, qsgd:8 and sign with error feedback; 2 and 4 workers: 48 rows, and 8 W2 rows " +
            "with overlapped steps, each twice, the median run by time to target reported. It takes half an " +
            "hour or more without W3."},
    footer = "efficiency = samples/s of the row / samples/s of the fastest run of the baseline with threads = " +
        "workers, same suite.")
public final class BenchCommand implements Callable<Integer>
{
    // The reference is kept because java.util.logging holds loggers weakly.
    private static final Logger NETLIB_LOGGER = Logger.getLogger("dev.ludovic.netlib");
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--suite", defaultValue = BenchSuite.QUICK, paramLabel = "quick|full",
        description = "Which matrix to run. Default: ${DEFAULT-VALUE}.")
    String suite;

    @Option(names = "--out", paramLabel = "DIR",
        description = "Directory for bench.json, bench.md and the jobs' reports. Default: bench-results/TIMESTAMP.")
    Path out;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Directory holding the Fashion-MNIST IDX files. Default: search the standard locations, as " +
            "parasol train does.")
    Path dataDirectory;

    @Option(names = "--with-w3", description = "Add W3 (the CNN) to the suite; slow on 2 cores.")
    boolean withW3;

    @Option(names = "--workloads", split = ",", paramLabel = "W1,W2,W3",
        description = "Run only the suite's rows of these workloads, with their baselines; naming W3 adds it as " +
            "--with-w3 does (--suite full --workloads W3: the full matrix's W3 rows alone).")
    List<String> workloads;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
        description = "Seed of every job and baseline. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--job-timeout", defaultValue = "3600", paramLabel = "SECONDS",
        description = "Cancel a job that runs longer than this and mark its row TIMED_OUT. Default: ${DEFAULT-VALUE}.")
    long jobTimeoutSeconds;

    @Option(names = "--no-warm-up", negatable = false,
        description = "Skip the short unreported warm-up job and baseline before the first measurement.")
    boolean noWarmUp;

    @Option(names = "--transport", defaultValue = "ipc", paramLabel = "ipc|udp",
        description = "How each job's parts reach each other in the one local node: Aeron IPC, as parasol train " +
            "does, or Aeron UDP on 127.0.0.1, the path a cluster uses. Default: ${DEFAULT-VALUE}.")
    String transport;

    @Option(names = "--list", description = "Print the suite's rows and baselines, run nothing.")
    boolean list;

    /**
     * Run the command line.
     *
     * @param args the arguments after {@code bench}.
     */
    public static void main(final String[] args)
    {
        NETLIB_LOGGER.setLevel(Level.WARNING);
        // Initialise logging on this thread, before Pekko's and Aeron's threads log at once and SLF4J replays them.
        LoggerFactory.getILoggerFactory();
        System.exit(commandLine().execute(args));
    }

    /**
     * Build the command line, turning user errors into one message and exit code 2.
     *
     * @return the configured command line.
     */
    public static CommandLine commandLine()
    {
        return new CommandLine(new BenchCommand()).setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            if (ex instanceof EngineException || ex instanceof IllegalArgumentException)
            {
                commandLine.getErr().println("parasol bench: " + ex.getMessage());
                return 2;
            }
            commandLine.getErr().println("parasol bench: unexpected failure, please report it with this trace:");
            ex.printStackTrace(commandLine.getErr());
            return 1;
        });
    }

    /**
     * Run the suite, or list it.
     *
     * @return 0 when every row ran, 3 when a row failed or timed out (the report is written either way).
     */
    @Override
    public Integer call()
    {
        final PrintWriter stdout = spec.commandLine().getOut();
        final BenchSuite benchSuite = suite();
        if (jobTimeoutSeconds < 1)
        {
            throw new IllegalArgumentException("--job-timeout=" + jobTimeoutSeconds + ": expected seconds >= 1");
        }
        final Transport parts = Transport.parse(transport);
        if (list)
        {
            printSuite(stdout, benchSuite);
            return 0;
        }
        final Path directory = out != null ? out :
            Path.of("bench-results", LocalDateTime.now().format(TIMESTAMP));
        final BenchResult result = new BenchRunner(directory, stdout)
            .dataDirectory(dataDirectory)
            .seed(seed)
            .jobTimeout(Duration.ofSeconds(jobTimeoutSeconds))
            .warmUp(!noWarmUp)
            .transport(parts)
            .run(benchSuite);
        BenchReport.write(result, directory);
        stdout.println();
        stdout.print(BenchReport.markdown(result));
        stdout.printf(Locale.ROOT, "%nSuite %s took %.1f min. Reports: %s, %s%n", result.suite(),
            result.wallSeconds() / 60.0, directory.resolve(BenchReport.JSON_FILE).toAbsolutePath(),
            directory.resolve(BenchReport.MARKDOWN_FILE).toAbsolutePath());
        for (final Map<String, Object> row : result.rows())
        {
            if (!RunRecord.SUCCEEDED.equals(row.get("state")))
            {
                return 3;
            }
        }
        return 0;
    }

    private BenchSuite suite()
    {
        if (workloads == null || workloads.isEmpty())
        {
            return BenchSuite.named(suite, withW3);
        }
        final Set<Workload> kept = EnumSet.noneOf(Workload.class);
        for (final String name : workloads)
        {
            kept.add(Workload.parse(name));
        }
        return BenchSuite.named(suite, withW3 || kept.contains(Workload.W3)).only(kept);
    }

    private static void printSuite(final PrintWriter out, final BenchSuite suite)
    {
        out.printf(Locale.ROOT, "Suite %s: %d rows, each run %d time(s)%n", suite.name(), suite.cases().size(),
            suite.repetitions());
        for (final BenchCase c : suite.cases())
        {
            out.printf(Locale.ROOT, "  %-30s %s, %d workers, %d shards, %s, %s, at most %.0f epochs%n", c.id(),
                c.workload(), c.workers(), c.shards(), c.syncLabel(), c.compressionLabel(), c.maxEpochs());
        }
        for (final BaselineCase b : suite.baselines())
        {
            out.printf(Locale.ROOT, "  %-30s %s, %d threads, at most %.0f epochs%n", b.id(), b.workload(),
                b.threads(), b.maxEpochs());
        }
    }
}
