package dev.parasol.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the distribution's launcher, src/main/dist/bin/parasol, in the layout the tarball unpacks to (bin/, lib/ of
 * jars) with nothing but a Java runtime: no Maven, no target/classes. The tarball itself is built in package, after
 * the tests; this checks the script and the layout it expects.
 */
@Timeout(120)
class DistributionLauncherTest
{
    @TempDir
    Path home;

    @Test
    void shouldRunTheCommandLineFromLibJarsWhenLaidOutAsTheDistribution() throws Exception
    {
        layOutDistribution();

        final String help = run(home.resolve("bin/parasol"), "--help");
        assertTrue(help.contains("node") && help.contains("media-driver") && help.contains("train"), help);

        // Through a symbolic link, as when the launcher is linked into /usr/local/bin.
        final Path link = Files.createDirectories(home.resolve("elsewhere")).resolve("parasol");
        Files.createSymbolicLink(link, home.resolve("bin/parasol"));
        final String nodeHelp = run(link, "node", "--help");
        assertTrue(nodeHelp.contains("--seeds") && nodeHelp.contains("--data-bind"), nodeHelp);
    }

    private void layOutDistribution() throws IOException
    {
        final Path bin = Files.createDirectories(home.resolve("bin"));
        final Path lib = Files.createDirectories(home.resolve("lib"));
        Files.copy(Path.of("src/main/dist/bin/parasol"), bin.resolve("parasol"));
        Files.setPosixFilePermissions(bin.resolve("parasol"), PosixFilePermissions.fromString("rwxr-xr-x"));

        final String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (final String entry : classPath.split(File.pathSeparator))
        {
            final Path path = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(path))
            {
                Files.createSymbolicLink(lib.resolve(path.getFileName()), path.toAbsolutePath());
            }
            else if (path.endsWith(Path.of("target", "classes")) && Files.isDirectory(path))
            {
                jar(path, lib.resolve("parasol-cluster-seeds-test.jar"));
            }
        }
        assertTrue(Files.exists(lib.resolve("parasol-cluster-seeds-test.jar")), "target/classes not on " + classPath);
    }

    private static void jar(final Path classes, final Path jar) throws IOException
    {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
            Stream<Path> files = Files.walk(classes))
        {
            for (final Path file : (Iterable<Path>)files.filter(Files::isRegularFile)::iterator)
            {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace(File.separatorChar, '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
    }

    private String run(final Path launcher, final String... args) throws Exception
    {
        final Path output = Files.createTempFile(home, "out", ".txt");
        final ProcessBuilder builder = new ProcessBuilder(
            Stream.concat(Stream.of("bash", launcher.toString()), Stream.of(args)).toList());
        builder.environment().clear();
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.redirectErrorStream(true);
        builder.redirectOutput(output.toFile());
        final Process process = builder.start();
        try
        {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        }
        finally
        {
            process.destroyForcibly();
        }
        final String text = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), () -> List.of(args) + ":\n" + text);
        return text;
    }
}
