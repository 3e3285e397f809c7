package dev.parasol.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code parasol} command: the entry point of {@code bin/parasol}, dispatching to its subcommands.
 */
@Command(
    name = "parasol",
    mixinStandardHelpOptions = true,
    versionProvider = ParasolCommand.Version.class,
    description = "Parasol: asynchronous, distributed training on the JVM.",
    subcommands = {
        TrainCommand.class, BaselineCommand.class, NodeCommand.class, MediaDriverCommand.class, SubmitCommand.class,
        StatusCommand.class, ListCommand.class, CancelCommand.class, CommandLine.HelpCommand.class},
    footer = "%nBenchmarks: bin/parasol bench --help (runs from the load-tests module).")
public final class ParasolCommand
{
    // netlib announces its BLAS choice through java.util.logging at INFO; Parasol prints its own, fuller line.
    // The reference is kept because java.util.logging holds loggers weakly.
    private static final Logger NETLIB_LOGGER = Logger.getLogger("dev.ludovic.netlib");

    /**
     * Run the command line.
     *
     * @param args the arguments.
     */
    public static void main(final String[] args)
    {
        NETLIB_LOGGER.setLevel(Level.WARNING);
        System.exit(commandLine().execute(args));
    }

    /**
     * Build the command line with Parasol's error handling, for {@link #main(String[])} and for tests.
     *
     * @return the configured command line.
     */
    public static CommandLine commandLine()
    {
        return new CommandLine(new ParasolCommand()).setExecutionExceptionHandler(new ErrorReporter());
    }

    /**
     * Prints the version of the build.
     */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = ParasolCommand.class.getPackage().getImplementationVersion();
            final String name = version == null ? "development build" : version;
            return new String[] {"parasol " + name + " on Java " + Runtime.version()};
        }
    }
}
