package dev.parasol.cli;

import dev.parasol.engine.exceptions.EngineException;
import picocli.CommandLine;

/**
 * Turns the errors a user can fix (a missing data set, a bad value) into one clear message and exit code 2, and
 * keeps the stack trace for everything else, which is a bug worth reporting.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler
{
    @Override
    public int handleExecutionException(
        final Exception ex, final CommandLine commandLine, final CommandLine.ParseResult parseResult)
    {
        if (ex instanceof EngineException || ex instanceof IllegalArgumentException)
        {
            commandLine.getErr().println("parasol: " + ex.getMessage());
            return 2;
        }
        commandLine.getErr().println("parasol: unexpected failure, please report it with this trace:");
        ex.printStackTrace(commandLine.getErr());
        return 1;
    }
}
