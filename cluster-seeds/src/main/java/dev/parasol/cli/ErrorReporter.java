package dev.parasol.cli;

import dev.parasol.engine.exceptions.EngineException;
import picocli.CommandLine;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

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
        // Answers from the job manager arrive through futures: report the cause, not its wrapper.
        Throwable cause = ex;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException) &&
            cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        if (cause instanceof EngineException || cause instanceof IllegalArgumentException)
        {
            commandLine.getErr().println("parasol: " + cause.getMessage());
            return 2;
        }
        if (cause instanceof TimeoutException)
        {
            commandLine.getErr().println("parasol: no answer in time (" + cause.getMessage() + "); is the cluster " +
                "up and reachable at --contact?");
            return 2;
        }
        commandLine.getErr().println("parasol: unexpected failure, please report it with this trace:");
        ex.printStackTrace(commandLine.getErr());
        return 1;
    }
}
