package dev.parasol.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The processes of a multi-process test: {@code parasol node} and client JVMs forked on loopback with the test's
 * class path, each logging to a file of the test's directory. {@link #stopAll()} stops every one, by SIGTERM and
 * then forcibly, and fails if one did not stop, exited badly or left its Aeron directory; a JVM shutdown hook kills
 * whatever a killed test run could not stop.
 */
final class ClusterProcesses
{
    static final Duration UP_TIMEOUT = Duration.ofSeconds(60);

    private static final String UP_LINE = "is Up in the cluster";
    private static final Pattern AERON_DIRECTORY = Pattern.compile("\\(Aeron directory (\\S+)\\)");
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    // Last resort when the test JVM itself is stopped (Ctrl-C, surefire's timeout): no node outlives it.
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
            "multi-process-cluster-test-reaper"));
    }

    private final Path dir;
    private final List<Started> started = new ArrayList<>();

    record Started(String name, Process process, Path log)
    {
    }

    ClusterProcesses(final Path dir)
    {
        this.dir = dir;
    }

    Started startNode(
        final String name,
        final String roles,
        final int controlPort,
        final int dataPort,
        final String seed,
        final String... jvmOptions)
        throws IOException
    {
        return startNode(name, roles, controlPort, dataPort, seed, List.of(jvmOptions), Map.of(), List.of());
    }

    Started startNode(
        final String name,
        final String roles,
        final int controlPort,
        final int dataPort,
        final String seed,
        final List<String> jvmOptions,
        final Map<String, String> environment,
        final List<String> moreArgs)
        throws IOException
    {
        // Worker slots are fixed so that the job fits the coordinator's job manager on a machine of any size.
        final List<String> args = new ArrayList<>(List.of("node", "--roles", roles,
            "--bind", "127.0.0.1:" + controlPort, "--seeds", seed, "--data-bind", "127.0.0.1:" + dataPort,
            "--worker-slots", "4"));
        args.addAll(moreArgs);
        return start(name, "-Xmx1g", jvmOptions, environment, args.toArray(new String[0]));
    }

    Started start(final String name, final String heap, final List<String> jvmOptions, final String... args)
        throws IOException
    {
        return start(name, heap, jvmOptions, Map.of(), args);
    }

    Started start(
        final String name,
        final String heap,
        final List<String> jvmOptions,
        final Map<String, String> environment,
        final String... args)
        throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-modules", "jdk.incubator.vector",
            "-XX:+UseParallelGC", heap));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ParasolCommand.class.getName()));
        command.addAll(List.of(args));
        final Path log = dir.resolve(name + ".log");
        final ProcessBuilder builder = new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
        builder.environment().put("OPENBLAS_NUM_THREADS", "1");
        builder.environment().putAll(environment);
        final Process process = builder.start();
        LIVE.add(process);
        final Started s = new Started(name, process, log);
        started.add(s);
        return s;
    }

    void awaitUp(final Started node) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + UP_TIMEOUT.toNanos();
        while (!Files.readString(node.log(), StandardCharsets.UTF_8).contains(UP_LINE))
        {
            if (!node.process().isAlive())
            {
                fail(node.name() + " exited " + node.process().exitValue() + " before it was Up:\n" + tail(node));
            }
            if (System.nanoTime() > deadline)
            {
                fail(node.name() + " was not Up within " + UP_TIMEOUT + ":\n" + tail(node));
            }
            Thread.sleep(100);
        }
    }

    void awaitLine(final Started node, final String text) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + UP_TIMEOUT.toNanos();
        while (!Files.readString(node.log(), StandardCharsets.UTF_8).contains(text))
        {
            if (System.nanoTime() > deadline)
            {
                fail(node.name() + " did not log '" + text + "' within " + UP_TIMEOUT + ":\n" + describeAll());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Kill a node by SIGKILL, as a crash would, and delete the Aeron directory it could not delete itself.
     */
    void kill(final Started node) throws IOException, InterruptedException
    {
        node.process().destroyForcibly();
        assertTrue(node.process().waitFor(10, TimeUnit.SECONDS), node.name() + " did not die on SIGKILL");
        started.remove(node);
        LIVE.remove(node.process());
        final Matcher aeron = AERON_DIRECTORY.matcher(Files.readString(node.log(), StandardCharsets.UTF_8));
        if (aeron.find())
        {
            deleteRecursively(Path.of(aeron.group(1)));
        }
    }

    /**
     * Stop every process still running, in reverse order of start: the clients and the other nodes, then the seed,
     * so that each leave is seen by a member that stays. Fails naming every process that did not stop by SIGTERM,
     * a node that exited badly, or a node that left its Aeron directory.
     */
    void stopAll() throws IOException, InterruptedException
    {
        final List<String> problems = new ArrayList<>();
        final List<Started> order = new ArrayList<>(started);
        Collections.reverse(order);
        for (final Started s : order)
        {
            s.process().destroy();
        }
        for (final Started s : order)
        {
            final Process process = s.process();
            if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS))
            {
                problems.add(s.name() + " did not stop within " + STOP_GRACE + " of SIGTERM");
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS);
            }
            if (process.isAlive())
            {
                problems.add(s.name() + " (pid " + process.pid() + ") is still alive");
                continue;
            }
            LIVE.remove(process);
            final int exit = process.exitValue();
            // A node stopped by SIGTERM leaves the cluster and exits 143 (128 + SIGTERM), or 0 if it had left.
            if (s.name().startsWith("node-") && exit != 143 && exit != 0)
            {
                problems.add(s.name() + " exited " + exit + " on SIGTERM");
            }
            releaseAeronDirectory(s, problems);
        }
        started.clear();
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    }

    String describeAll()
    {
        final StringBuilder text = new StringBuilder();
        for (final Started s : started)
        {
            text.append("--- ").append(s.name()).append(" (pid ").append(s.process().pid()).append(") ---\n")
                .append(tail(s));
        }
        return text.toString();
    }

    static String tail(final Started s)
    {
        try
        {
            final List<String> lines = Files.readAllLines(s.log(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())) + "\n";
        }
        catch (final IOException ex)
        {
            return "(cannot read " + s.log() + ": " + ex.getMessage() + ")\n";
        }
    }

    static int[] freeTcpPorts(final int count) throws IOException
    {
        // All held open at once, so the ports differ; released just before the nodes bind them.
        final List<ServerSocket> sockets = new ArrayList<>();
        try
        {
            final int[] ports = new int[count];
            for (int i = 0; i < count; i++)
            {
                final ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ports[i] = socket.getLocalPort();
            }
            return ports;
        }
        finally
        {
            for (final ServerSocket socket : sockets)
            {
                socket.close();
            }
        }
    }

    static int[] freeUdpPorts(final int count) throws IOException
    {
        final List<DatagramSocket> sockets = new ArrayList<>();
        try
        {
            final int[] ports = new int[count];
            for (int i = 0; i < count; i++)
            {
                final DatagramSocket socket = new DatagramSocket(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        }
        finally
        {
            for (final DatagramSocket socket : sockets)
            {
                socket.close();
            }
        }
    }

    static void deleteRecursively(final Path root) throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach((path) ->
            {
                try
                {
                    Files.deleteIfExists(path);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
    }

    private static void releaseAeronDirectory(final Started node, final List<String> problems) throws IOException
    {
        if (!Files.isRegularFile(node.log()))
        {
            return;
        }
        final Matcher matcher = AERON_DIRECTORY.matcher(Files.readString(node.log(), StandardCharsets.UTF_8));
        if (matcher.find())
        {
            final Path aeronDirectory = Path.of(matcher.group(1));
            if (Files.exists(aeronDirectory))
            {
                problems.add(node.name() + " left its Aeron directory " + aeronDirectory);
                deleteRecursively(aeronDirectory);
            }
        }
    }
}
