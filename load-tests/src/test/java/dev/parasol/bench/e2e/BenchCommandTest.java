package dev.parasol.bench.e2e;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldListTheRowsAndBaselinesWithoutRunningWhenListIsGiven()
    {
        final int exit = run("--suite", "full", "--list");

        assertEquals(0, exit, err::toString);
        assertTrue(out.toString().contains("Suite full: 56 rows, each run 2 time(s)"), out::toString);
        assertTrue(out.toString().contains("W2-4w-asp-sign-ef"), out::toString);
        assertTrue(out.toString().contains("W2-4w-asp-topk0.01-ef-overlap"), out::toString);
        assertTrue(out.toString().contains("asp +overlap"), out::toString);
        assertTrue(out.toString().contains("W1-baseline-4t"), out::toString);
    }

    @Test
    void shouldRunOnlyTheRowsAndBaselinesOfTheWorkloadsGivenWhenWorkloadsIsGiven()
    {
        final int exit = run("--suite", "full", "--workloads", "w3", "--list");

        assertEquals(0, exit, err::toString);
        assertTrue(out.toString().contains("Suite full: 24 rows, each run 2 time(s)"), out::toString);
        assertTrue(out.toString().contains("W3-4w-asp-sign-ef"), out::toString);
        assertTrue(out.toString().contains("W3-baseline-2t") && out.toString().contains("W3-baseline-4t"),
            out::toString);
        assertFalse(out.toString().contains("W1-") || out.toString().contains("W2-"), out::toString);
    }

    @Test
    void shouldExitWithOneMessageWhenAWorkloadIsUnknown()
    {
        final int exit = run("--suite", "quick", "--workloads", "W2,W9", "--list");

        assertEquals(2, exit);
        assertTrue(err.toString().contains("W9"), err::toString);
        assertFalse(err.toString().contains("\tat "), "no stack trace for a user error: " + err);
    }

    @Test
    void shouldExitWithOneMessageWhenSuiteIsUnknown()
    {
        final int exit = run("--suite", "medium");

        assertEquals(2, exit);
        assertTrue(err.toString().contains("medium"), err::toString);
        assertFalse(err.toString().contains("\tat "), "no stack trace for a user error: " + err);
    }

    @Test
    void shouldExitWithOneMessageWhenTransportIsUnknown()
    {
        final int exit = run("--suite", "quick", "--transport", "tcp", "--list");

        assertEquals(2, exit);
        assertTrue(err.toString().contains("'tcp'") && err.toString().contains("ipc or udp"), err::toString);
    }

    @Test
    void shouldDescribeEveryOptionInHelp()
    {
        final int exit = run("--help");

        assertEquals(0, exit);
        for (final String option : new String[] {"--suite", "--out", "--data-dir", "--with-w3", "--seed",
            "--transport", "--workloads"})
        {
            assertTrue(out.toString().contains(option), out::toString);
        }
    }

    private int run(final String... args)
    {
        final CommandLine commandLine = BenchCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
