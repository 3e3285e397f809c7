package dev.parasol.bench.dataplane;

import com.sun.management.OperatingSystemMXBean;
import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.dataplane.MessageSender;
import dev.parasol.actors.dataplane.TrainingCounterDescriptor;
import dev.parasol.actors.dataplane.TrainingCounters;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Round-trip latency and one-way throughput of whole messages over UDP on 127.0.0.1 through one embedded media
 * driver, as a Parasol node in local mode uses it: a worker's push travels to a shard's subscription and the reply
 * comes back. It sweeps the driver threading mode, the idle strategy (of the driver and of the polling threads alike)
 * and the MTU, at the two message sizes of workload W2: 12,000 bytes (a 1% top-k push) and 470,000 bytes (a dense
 * half-range parameter update).
 * <p>
 * A plain main rather than JMH: each configuration needs its own media driver, and the figures wanted are
 * percentiles and steady-state rates, not a mean per invocation. Run (under the build lock, it takes the machine):
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp load-tests/target/benchmarks.jar \
 *     dev.parasol.bench.dataplane.DataPlaneBenchmark --modes SHARED,SHARED_NETWORK,DEDICATED \
 *     --idles backoff,yield,spin --mtus 65504 --seconds 1.5
 * </pre>
 * Options: {@code --modes}, {@code --idles}, {@code --mtus}, {@code --sizes} (comma separated), {@code --seconds}
 * (measurement per test), {@code --warmup} (seconds per test), {@code --window} (receiver window bytes, 0 = auto),
 * {@code --hogs} (threads that only compute during the run, as training workers do; the idle column then includes
 * them and is not meaningful).
 */
public final class DataPlaneBenchmark
{
    private static final int FRAGMENT_LIMIT = 64;
    private static final long REPLY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);

    private DataPlaneBenchmark()
    {
    }

    /**
     * Run the sweep and print one row per configuration and size.
     *
     * @param args the options described in the class Javadoc.
     */
    public static void main(final String[] args)
    {
        final List<String> modes = option(args, "--modes", "SHARED,SHARED_NETWORK,DEDICATED");
        final List<String> idles = option(args, "--idles", "backoff,yield,spin");
        final List<String> mtus = option(args, "--mtus", "1408,8192,65504");
        final List<String> sizes = option(args, "--sizes", "12000,470000");
        final long measureNs = seconds(option(args, "--seconds", "1.5").get(0));
        final long warmupNs = seconds(option(args, "--warmup", "0.5").get(0));
        final int window = Integer.parseInt(option(args, "--window", "0").get(0));
        final int hogs = Integer.parseInt(option(args, "--hogs", "0").get(0));
        final AtomicBoolean hogging = new AtomicBoolean(true);
        final List<Thread> hogThreads = startHogs(hogs, hogging);

        System.out.printf(Locale.ROOT,
            "# %s, %d cores, Java %s, %s; warm-up %.1f s, measure %.1f s per test, %d CPU hog thread(s)%n",
            LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
            System.getProperty("os.name") + " " + System.getProperty("os.arch"), warmupNs / 1e9, measureNs / 1e9,
            hogs);
        System.out.printf(Locale.ROOT, "%-14s %-7s %6s %7s | %7s %9s %9s %9s | %9s %9s %8s | %6s%n",
            "mode", "idle", "mtu", "bytes", "rtts", "p50 us", "p90 us", "p99 us", "MB/s", "msgs/s", "bp/msg", "idle");

        int maxSize = 0;
        for (final String size : sizes)
        {
            maxSize = Math.max(maxSize, Integer.parseInt(size));
        }

        for (final String mode : modes)
        {
            for (final String idle : idles)
            {
                for (final String mtu : mtus)
                {
                    final DataPlaneContext ctx = new DataPlaneContext()
                        .driverThreadingMode(ThreadingMode.valueOf(mode))
                        .driverIdleStrategy(idle)
                        .agentIdleStrategy(idle)
                        .mtuLength(Integer.parseInt(mtu))
                        .termLength(DataPlaneContext.termLengthFor(maxSize))
                        .maxPublications(8)
                        .publicationLingerTimeoutNs(0);
                    if (window > 0)
                    {
                        ctx.receiverWindowLength(window);
                    }
                    runConfiguration(ctx, sizes, warmupNs, measureNs);
                }
            }
        }

        hogging.set(false);
        hogThreads.forEach(DataPlaneBenchmark::join);
    }

    /**
     * Start threads that only compute, standing for workers busy with their gradients, so the data plane competes
     * for the cores as it does during training.
     */
    private static List<Thread> startHogs(final int count, final AtomicBoolean hogging)
    {
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final Thread hog = new Thread(() ->
            {
                double x = 1.0;
                while (hogging.get())
                {
                    for (int j = 0; j < 100_000; j++)
                    {
                        x = x * 1.000001 + 1e-9;
                    }
                }
                if (x < 0)
                {
                    System.out.println(x);
                }
            }, "hog-" + i);
            hog.setDaemon(true);
            hog.start();
            threads.add(hog);
        }

        return threads;
    }

    private static void runConfiguration(
        final DataPlaneContext ctx, final List<String> sizes, final long warmupNs, final long measureNs)
    {
        try (DataPlane dataPlane = DataPlane.launch(ctx))
        {
            final double idleCores = idleCores(dataPlane);
            int streamId = 100;
            for (final String size : sizes)
            {
                final int length = Integer.parseInt(size);
                final long[] rtts = roundTrips(dataPlane, streamId, length, warmupNs, measureNs);
                final double[] rate = throughput(dataPlane, streamId + 2, length, warmupNs, measureNs);
                streamId += 3;
                System.out.printf(Locale.ROOT,
                    "%-14s %-7s %6d %7d | %7d %9.1f %9.1f %9.1f | %9.1f %9.0f %8.2f | %6.2f%n",
                    ctx.driverThreadingMode(), ctx.driverIdleStrategy(), ctx.mtuLength(), length, rtts.length,
                    percentileUs(rtts, 0.50), percentileUs(rtts, 0.90), percentileUs(rtts, 0.99),
                    rate[0] / 1e6, rate[1], rate[2], idleCores);
            }
        }
    }

    private static long[] roundTrips(
        final DataPlane dataPlane, final int streamId, final int length, final long warmupNs, final long measureNs)
    {
        final Subscription pingSubscription = dataPlane.addSubscription(streamId);
        final Subscription pongSubscription = dataPlane.addSubscription(streamId + 1);
        final Endpoint pingEndpoint = dataPlane.resolveEndpoint(pingSubscription, Duration.ofSeconds(5));
        final Endpoint pongEndpoint = dataPlane.resolveEndpoint(pongSubscription, Duration.ofSeconds(5));
        final TrainingCounters counters = TrainingCounters.standalone("bench");
        final MessageSender ping = dataPlane.newSender(
            dataPlane.addExclusivePublication(pingEndpoint), counters, MessageSender.Traffic.GRADIENT);
        final MessageSender pong = dataPlane.newSender(
            dataPlane.addExclusivePublication(pongEndpoint), counters, MessageSender.Traffic.PARAMETER);
        awaitConnected(ping, pong);

        final AtomicBoolean running = new AtomicBoolean(true);
        final FragmentAssembler echo = new FragmentAssembler(
            (buffer, offset, messageLength, header) -> pong.send(buffer, offset, messageLength), length, true);
        final Thread ponger = new Thread(() ->
        {
            final IdleStrategy idle = dataPlane.context().newAgentIdleStrategy();
            while (running.get())
            {
                idle.idle(pingSubscription.poll(echo, FRAGMENT_LIMIT));
            }
        }, "pong");
        ponger.start();

        final long[] replies = new long[1];
        final FragmentAssembler reply = new FragmentAssembler(
            (buffer, offset, messageLength, header) -> replies[0]++, length, true);
        final IdleStrategy idle = dataPlane.context().newAgentIdleStrategy();
        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        long[] samples = new long[1 << 16];
        int count = 0;
        final long startNs = System.nanoTime();
        final long endNs = startNs + warmupNs + measureNs;
        long nowNs = startNs;
        while (nowNs - endNs < 0)
        {
            final long expected = replies[0] + 1;
            final long sendNs = System.nanoTime();
            if (ping.send(message, 0, length) < 0)
            {
                break;
            }
            while (replies[0] < expected && System.nanoTime() - sendNs < REPLY_TIMEOUT_NS)
            {
                idle.idle(pongSubscription.poll(reply, FRAGMENT_LIMIT));
            }
            nowNs = System.nanoTime();
            if (replies[0] < expected)
            {
                break;
            }
            if (sendNs - startNs >= warmupNs)
            {
                if (count == samples.length)
                {
                    samples = Arrays.copyOf(samples, count * 2);
                }
                samples[count++] = nowNs - sendNs;
            }
        }

        running.set(false);
        join(ponger);
        pingSubscription.close();
        pongSubscription.close();
        ping.publication().close();
        pong.publication().close();
        final long[] result = Arrays.copyOf(samples, count);
        Arrays.sort(result);
        return result;
    }

    private static double[] throughput(
        final DataPlane dataPlane, final int streamId, final int length, final long warmupNs, final long measureNs)
    {
        final Subscription subscription = dataPlane.addSubscription(streamId);
        final Endpoint endpoint = dataPlane.resolveEndpoint(subscription, Duration.ofSeconds(5));
        final TrainingCounters counters = TrainingCounters.standalone("bench");
        final MessageSender sender = dataPlane.newSender(
            dataPlane.addExclusivePublication(endpoint), counters, MessageSender.Traffic.GRADIENT);
        awaitConnected(sender, sender);

        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong receivedBytes = new AtomicLong();
        final AtomicLong receivedMessages = new AtomicLong();
        final FragmentAssembler counting = new FragmentAssembler((buffer, offset, messageLength, header) ->
        {
            receivedBytes.lazySet(receivedBytes.get() + messageLength);
            receivedMessages.lazySet(receivedMessages.get() + 1);
        }, length, true);
        final Thread receiver = new Thread(() ->
        {
            final IdleStrategy idle = dataPlane.context().newAgentIdleStrategy();
            while (running.get())
            {
                idle.idle(subscription.poll(counting, FRAGMENT_LIMIT));
            }
        }, "receiver");
        receiver.start();

        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        final long startNs = System.nanoTime();
        long markNs = 0;
        long markBytes = 0;
        long markMessages = 0;
        long markBackPressure = 0;
        boolean measuring = false;
        long nowNs = startNs;
        while (nowNs - startNs < warmupNs + measureNs)
        {
            if (sender.send(message, 0, length) < 0)
            {
                break;
            }
            nowNs = System.nanoTime();
            if (!measuring && nowNs - startNs >= warmupNs)
            {
                measuring = true;
                markNs = nowNs;
                markBytes = receivedBytes.get();
                markMessages = receivedMessages.get();
                markBackPressure = counters.get(TrainingCounterDescriptor.BACK_PRESSURE_EVENTS);
            }
        }
        final long elapsedNs = System.nanoTime() - markNs;
        final double bytesPerSecond = (receivedBytes.get() - markBytes) * 1e9 / elapsedNs;
        final long messages = receivedMessages.get() - markMessages;
        final double messagesPerSecond = messages * 1e9 / elapsedNs;
        final double backPressurePerMessage = messages > 0 ?
            (counters.get(TrainingCounterDescriptor.BACK_PRESSURE_EVENTS) - markBackPressure) / (double)messages : 0;

        running.set(false);
        join(receiver);
        subscription.close();
        sender.publication().close();
        return new double[]{ bytesPerSecond, messagesPerSecond, backPressurePerMessage };
    }

    /**
     * Measure the cores the process burns while nothing is sent: the driver, the client and two polling threads (a
     * shard's and a worker's agent) idling with the configured strategy. Every core burnt idle is taken from the
     * gradient computation on a 2-core machine.
     */
    private static double idleCores(final DataPlane dataPlane)
    {
        final Subscription first = dataPlane.addSubscription(90);
        final Subscription second = dataPlane.addSubscription(91);
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Thread> pollers = new ArrayList<>();
        for (final Subscription subscription : List.of(first, second))
        {
            final Thread poller = new Thread(() ->
            {
                final IdleStrategy idle = dataPlane.context().newAgentIdleStrategy();
                final FragmentAssembler ignore = new FragmentAssembler((buffer, offset, length, header) -> {});
                while (running.get())
                {
                    idle.idle(subscription.poll(ignore, FRAGMENT_LIMIT));
                }
            }, "idle-poller");
            poller.start();
            pollers.add(poller);
        }

        sleep(300);
        final OperatingSystemMXBean os = (OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
        final long cpuStartNs = os.getProcessCpuTime();
        final long wallStartNs = System.nanoTime();
        sleep(1000);
        final double cores = (os.getProcessCpuTime() - cpuStartNs) / (double)(System.nanoTime() - wallStartNs);

        running.set(false);
        pollers.forEach(DataPlaneBenchmark::join);
        first.close();
        second.close();
        return cores;
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitConnected(final MessageSender first, final MessageSender second)
    {
        if (!first.awaitConnected(Duration.ofSeconds(5)) || !second.awaitConnected(Duration.ofSeconds(5)))
        {
            throw new IllegalStateException("publications did not connect");
        }
    }

    private static double percentileUs(final long[] sorted, final double quantile)
    {
        if (0 == sorted.length)
        {
            return Double.NaN;
        }

        return sorted[Math.min(sorted.length - 1, (int)(quantile * sorted.length))] / 1e3;
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static long seconds(final String value)
    {
        return (long)(Double.parseDouble(value) * 1e9);
    }

    private static List<String> option(final String[] args, final String name, final String defaultValue)
    {
        String value = defaultValue;
        for (int i = 0; i < args.length - 1; i++)
        {
            if (name.equals(args[i]))
            {
                value = args[i + 1];
            }
        }

        return new ArrayList<>(Arrays.asList(value.split(",")));
    }
}
