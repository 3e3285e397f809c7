package dev.parasol.cli;

import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldExitTwoNamingEachBadFlagWhenSettingsAreInvalid()
    {
        final int exit = run("node", "--roles", "coordinator,gardener", "--bind", "10.0.0.11:70000",
            "--seeds", "10.0.0.11:17355", "--worker-slots", "many");

        assertEquals(2, exit, () -> out + "\n" + err);
        final String message = err.toString();
        assertTrue(message.contains("--roles='coordinator,gardener'"), message);
        assertTrue(message.contains("--bind='10.0.0.11:70000'"), message);
        assertTrue(message.contains("--worker-slots='many'"), message);
        assertFalse(message.contains("at dev.parasol"), "no stack trace expected:\n" + message);
        assertEquals("", out.toString(), "nothing starts with bad settings");
    }

    @Test
    void shouldExitTwoNamingTheFileWhenConfigIsMissing()
    {
        final Path absent = dir.resolve("absent.conf");

        final int exit = run("node", "--config", absent.toString());

        assertEquals(2, exit, () -> out + "\n" + err);
        assertTrue(err.toString().contains("--config=" + absent + ": no such file"), err::toString);
    }

    @Test
    void shouldExitTwoNamingTheSettingWhenMediaDriverSettingsAreInvalid()
    {
        final int exit = run("media-driver", "--aeron-dir", dir.resolve("driver").toString(), "--config",
            write("parasol.data-plane.mtu = 65536\n").toString());

        assertEquals(2, exit, () -> out + "\n" + err);
        assertTrue(err.toString().contains("parasol.data-plane.mtu=65536"), err::toString);
    }

    @Test
    void shouldListEveryNodeFlagInHelp()
    {
        final int exit = run("node", "--help");

        assertEquals(0, exit, err::toString);
        for (final String flag : new String[] {"--roles", "--bind", "--seeds", "--data-bind", "--media-driver",
            "--aeron-dir", "--config", "--worker-slots", "--data-dir"})
        {
            assertTrue(out.toString().contains(flag), () -> flag + " missing from:\n" + out);
        }
    }

    @Test
    void shouldExitThreeOnlyWhenRemovedFromTheClusterWithoutAsking()
    {
        assertEquals(0, NodeCommand.exitStatusFor(Optional.empty()));
        assertEquals(0, NodeCommand.exitStatusFor(Optional.of(CoordinatedShutdown.jvmExitReason())));
        assertEquals(0, NodeCommand.exitStatusFor(Optional.of(CoordinatedShutdown.clusterLeavingReason())));
        assertEquals(0, NodeCommand.exitStatusFor(Optional.of(CoordinatedShutdown.actorSystemTerminateReason())));
        assertEquals(3, NodeCommand.exitStatusFor(Optional.of(CoordinatedShutdown.clusterDowningReason())));
        assertEquals(3, NodeCommand.exitStatusFor(Optional.of(CoordinatedShutdown.clusterJoinUnsuccessfulReason())));
    }

    private Path write(final String hocon)
    {
        try
        {
            final Path file = dir.resolve("settings.conf");
            Files.writeString(file, hocon);
            return file;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private int run(final String... args)
    {
        final CommandLine commandLine = ParasolCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
