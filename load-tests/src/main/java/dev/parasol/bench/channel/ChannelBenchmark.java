package dev.parasol.bench.channel;

import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.dataplane.TrainingCounters;
import dev.parasol.actors.psshard.ShardAgent;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parasol's gradient channel against raw Aeron, at the sizes Parasol sends, in one JVM through one embedded media
 * driver on 127.0.0.1 with Parasol's data-plane settings ({@link DataPlaneContext} defaults: {@code SHARED_NETWORK}
 * driver threads, backoff idle strategies, MTU 65504, receiver window and socket buffers as concluded; the term length
 * of each push's publication is the one {@code parasol train} picks for its workload and shard count).
 * <p>
 * For each push of {@link PushCase#standard()} (W2 top-k 1% over the whole model and over one shard of two, W2 dense
 * over one shard of two and over the whole model, W1 and W3 top-k 1%), two streams run on the same driver:
 * <ul>
 *     <li><b>raw</b> ({@link RawStream}): a plain publication offers a pre-filled buffer of the push's size, a
 *     subscription polled through a {@code FragmentAssembler} counts the messages;</li>
 *     <li><b>channel</b> ({@link GradientChannel}): the sender encodes every push (the engine's compressor output,
 *     the wire encoders, CRC32C) and sends it with {@code MessageSender}; the receiver is the production
 *     {@link ShardAgent}, whose {@code ShardState} validates, decodes and applies each push to its key range.</li>
 * </ul>
 * Sender and receiver are separate threads, as in production. A window sends for a fixed time, then waits until every
 * message sent has been delivered (and, on the channel, applied): the rate is messages over the time from the first
 * offer to the last message handled. After a warm-up window of each stream, the two alternate for several rounds
 * (raw first, then channel first) so that drift from other load on the machine falls on both; the ratio is channel
 * messages per second over raw messages per second across all rounds, with the spread of the per-round ratios.
 * <p>
 * Where the time goes, two ways: during the run, the CPU time of the sending thread, of the receiving thread and of
 * the rest of the process (the media driver's two threads, mostly) per message of each stream, read at the edges of
 * each window; after it, {@link CostBreakdown} times encode, validate, decode, the optimiser step and the shard's whole
 * handling of a push on one thread. Three Markdown tables are printed: throughput and ratio, CPU per message, stages.
 * <p>
 * <b>Why a main class and not JMH.</b> The quantity is a steady-state rate of a stream between two threads that must
 * end with every message delivered and applied, and the ratio must come from one JVM and one media driver. JMH measures
 * invocations of a method: an asymmetric {@code @Group} would score polls rather than messages, cannot drain the
 * stream at the end of an iteration (a sender blocked under back pressure when the receiver's iteration ends stalls
 * the group), and each benchmark method forks its own JVM, hence its own driver, so raw and channel would not share
 * one. Here each window is long (seconds) against the microseconds of a message, the JIT is warmed by a whole window
 * of each stream before anything is measured, and the alternating rounds give the run-to-run spread.
 * <p>
 * Run (from {@code /work/main}, after {@code ./mvnw -o -pl load-tests package}; it takes the machine for about two
 * minutes, so under the build lock on a shared machine):
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp load-tests/target/benchmarks.jar \
 *     dev.parasol.bench.channel.ChannelBenchmark
 * </pre>
 * Options: {@code --cases} (comma separated, such as {@code W2-topk-1,W2-dense-2}, default {@code all}),
 * {@code --seconds} (per measured window, default 1.5), {@code --warmup} (seconds of the warm-up window of each
 * stream, default 1), {@code --rounds} (default 3), {@code --breakdown} (seconds per stage of the cost breakdown, 0 to
 * skip, default 0.5).
 */
public final class ChannelBenchmark
{
    /**
     * Most fragments one poll reads, on both streams: the shard agent's default.
     */
    static final int FRAGMENT_LIMIT = ShardAgent.FRAGMENT_LIMIT_DEFAULT;

    private static final int FIRST_STREAM_ID = 7100;

    private ChannelBenchmark()
    {
    }

    /**
     * The measured figures of one push.
     *
     * @param pushCase     the push.
     * @param raw          raw Aeron over all rounds.
     * @param channel      the gradient channel over all rounds.
     * @param minRatio     lowest per-round ratio.
     * @param maxRatio     highest per-round ratio.
     * @param channelSent  pushes sent on the channel, warm-up included.
     * @param applied      pushes the shard applied, warm-up included.
     * @param breakdown    the cost of each stage, or null if skipped.
     */
    record Result(
        PushCase pushCase,
        Rate raw,
        Rate channel,
        double minRatio,
        double maxRatio,
        long channelSent,
        long applied,
        CostBreakdown breakdown)
    {
        double ratio()
        {
            return channel.messagesPerSecond() / raw.messagesPerSecond();
        }
    }

    /**
     * How long to measure.
     *
     * @param measureNs   each measured window.
     * @param warmupNs    the warm-up window of each stream.
     * @param rounds      measured windows of each stream.
     * @param breakdownNs each stage of the cost breakdown, 0 to skip it.
     */
    record Settings(long measureNs, long warmupNs, int rounds, long breakdownNs)
    {
    }

    /**
     * Run the comparison and print the tables.
     *
     * @param args the options described in the class Javadoc.
     */
    public static void main(final String[] args)
    {
        final Settings settings = new Settings(
            seconds(option(args, "--seconds", "1.5")),
            seconds(option(args, "--warmup", "1")),
            Integer.parseInt(option(args, "--rounds", "3")),
            seconds(option(args, "--breakdown", "0.5")));
        final List<PushCase> cases = PushCase.select(option(args, "--cases", "all"));
        final List<Result> results = run(cases, settings, System.out);
        printTables(results, System.out);
    }

    /**
     * Launch a data plane with Parasol's defaults and measure each case on it.
     */
    static List<Result> run(final List<PushCase> cases, final Settings settings, final PrintStream out)
    {
        int termLength = 0;
        for (final PushCase pushCase : cases)
        {
            termLength = Math.max(termLength, pushCase.termLength());
        }
        final DataPlaneContext ctx = new DataPlaneContext()
            .termLength(termLength)
            .maxPublications(2 * cases.size());

        final List<Result> results = new ArrayList<>();
        try (DataPlane dataPlane = DataPlane.launch(ctx);
            TrainingCounters counters = dataPlane.newTrainingCounters("job=channel-benchmark"))
        {
            out.printf(Locale.ROOT, "# %s, %d cores, Java %s %s, %s %s%n",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("java.vm.name"), System.getProperty("os.name"),
                System.getProperty("os.version"));
            out.printf(Locale.ROOT, "# data plane: embedded driver %s, driver idle %s, agent idle %s, MTU %d, " +
                "receiver window %d, SO_SNDBUF %d, SO_RCVBUF %d, UDP on %s; fragment limit %d%n",
                ctx.driverThreadingMode(), ctx.driverIdleStrategy(), ctx.agentIdleStrategy(), ctx.mtuLength(),
                ctx.receiverWindowLength(), ctx.socketSndbufLength(), ctx.socketRcvbufLength(), ctx.bindHost(),
                FRAGMENT_LIMIT);
            out.printf(Locale.ROOT, "# warm-up %.1f s per stream, then %d rounds of %.1f s per stream, alternating%n",
                settings.warmupNs() / 1e9, settings.rounds(), settings.measureNs() / 1e9);

            int streamId = FIRST_STREAM_ID;
            for (final PushCase pushCase : cases)
            {
                results.add(runCase(dataPlane, counters, pushCase, streamId, settings, out));
                streamId += 2;
            }
        }
        return results;
    }

    private static Result runCase(
        final DataPlane dataPlane,
        final TrainingCounters counters,
        final PushCase pushCase,
        final int streamId,
        final Settings settings,
        final PrintStream out)
    {
        final int length = pushCase.messageLength();
        final UnsafeBuffer content = new UnsafeBuffer(new byte[pushCase.maxLength()]);
        new PushSource(pushCase, content).encodeNext();
        out.printf(Locale.ROOT, "# %s: %s, %d %s, %d bytes (%d to %d over a cycle of %d pushes), term length %d%n",
            pushCase.name(), pushCase.label(), pushCase.entries(), pushCase.isSparse() ? "entries" : "coordinates",
            length, pushCase.minLength(), pushCase.maxLength(), pushCase.ringSize(), pushCase.termLength());

        try (RawStream raw = new RawStream(
                dataPlane, streamId, pushCase.termLength(), content, length, FRAGMENT_LIMIT);
            GradientChannel channel = new GradientChannel(dataPlane, counters, streamId + 1, pushCase, FRAGMENT_LIMIT))
        {
            raw.run(settings.warmupNs());
            channel.run(settings.warmupNs());

            Rate rawTotal = Rate.ZERO;
            Rate channelTotal = Rate.ZERO;
            double minRatio = Double.POSITIVE_INFINITY;
            double maxRatio = Double.NEGATIVE_INFINITY;
            for (int round = 0; round < settings.rounds(); round++)
            {
                final Rate rawRate;
                final Rate channelRate;
                if (round % 2 == 0)
                {
                    rawRate = raw.run(settings.measureNs());
                    channelRate = channel.run(settings.measureNs());
                }
                else
                {
                    channelRate = channel.run(settings.measureNs());
                    rawRate = raw.run(settings.measureNs());
                }
                final double ratio = channelRate.messagesPerSecond() / rawRate.messagesPerSecond();
                minRatio = Math.min(minRatio, ratio);
                maxRatio = Math.max(maxRatio, ratio);
                rawTotal = rawTotal.plus(rawRate);
                channelTotal = channelTotal.plus(channelRate);
                out.printf(Locale.ROOT, "  round %d: raw %,.0f msgs/s %,.0f MB/s | channel %,.0f msgs/s %,.0f MB/s | " +
                    "ratio %.3f%n", round + 1, rawRate.messagesPerSecond(), rawRate.megabytesPerSecond(),
                    channelRate.messagesPerSecond(), channelRate.megabytesPerSecond(), ratio);
            }
            channel.verify();

            final CostBreakdown breakdown = settings.breakdownNs() > 0 ? CostBreakdown.measure(
                pushCase, dataPlane.context().mtuLength() - DataHeaderFlyweight.HEADER_LENGTH,
                settings.breakdownNs() / 2, settings.breakdownNs()) : null;
            return new Result(pushCase, rawTotal, channelTotal, minRatio, maxRatio, channel.sentMessages(),
                channel.appliedCount(), breakdown);
        }
    }

    /**
     * Print, as Markdown, the throughput table, the CPU each stream spent per message (measured during the run) and,
     * if measured, the cost of each stage on one thread.
     */
    static void printTables(final List<Result> results, final PrintStream out)
    {
        out.println();
        out.println("| push | bytes | raw msgs/s | raw MB/s | channel msgs/s | channel MB/s | channel/raw " +
            "| per round |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---|");
        for (final Result result : results)
        {
            out.printf(Locale.ROOT, "| %s | %,d | %,.0f | %,.0f | %,.0f | %,.0f | %.2f | %.2f-%.2f |%n",
                result.pushCase().label(), result.pushCase().messageLength(), result.raw().messagesPerSecond(),
                result.raw().megabytesPerSecond(), result.channel().messagesPerSecond(),
                result.channel().megabytesPerSecond(), result.ratio(), result.minRatio(), result.maxRatio());
        }

        out.println();
        out.println("| push | stream | wall us/msg | sender CPU us/msg | receiver CPU us/msg " +
            "| driver+other CPU us/msg | total CPU us/msg | cores busy |");
        out.println("|---|---|---:|---:|---:|---:|---:|---:|");
        for (final Result result : results)
        {
            printCpuRow(out, result.pushCase().label(), "raw", result.raw());
            printCpuRow(out, result.pushCase().label(), "channel", result.channel());
        }

        out.println();
        out.println("| push | encode us | validate (CRC32C) us | payload decode us | optimiser step us " +
            "| shard onMessage us | compress us (worker, not in channel) | pushes applied / sent |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---|");
        for (final Result result : results)
        {
            final CostBreakdown cost = result.breakdown();
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %,d / %,d |%n",
                result.pushCase().label(),
                micros(null == cost ? Double.NaN : cost.encodeNs()),
                micros(null == cost ? Double.NaN : cost.validateNs()),
                micros(null == cost ? Double.NaN : cost.payloadNs()),
                micros(null == cost ? Double.NaN : cost.stepNs()),
                micros(null == cost ? Double.NaN : cost.shardNs()),
                micros(null == cost ? Double.NaN : cost.compressNs()),
                result.applied(), result.channelSent());
        }
    }

    private static void printCpuRow(final PrintStream out, final String label, final String stream, final Rate rate)
    {
        out.printf(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n", label, stream,
            rate.microsPerMessage(), rate.senderCpuMicrosPerMessage(), rate.receiverCpuMicrosPerMessage(),
            rate.otherCpuMicrosPerMessage(), rate.processCpuMicrosPerMessage(), rate.coresBusy());
    }

    private static String micros(final double nanos)
    {
        return Double.isNaN(nanos) ? "-" : String.format(Locale.ROOT, "%.2f", nanos / 1e3);
    }

    private static long seconds(final String value)
    {
        return (long)(Double.parseDouble(value) * 1e9);
    }

    private static String option(final String[] args, final String name, final String defaultValue)
    {
        String value = defaultValue;
        for (int i = 0; i < args.length; i++)
        {
            if (name.equals(args[i]))
            {
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException(name + ": missing value");
                }
                value = args[i + 1];
            }
            else if (args[i].startsWith("--") && !isKnown(args[i]))
            {
                throw new IllegalArgumentException("unknown option " + args[i] +
                    "; expected --cases, --seconds, --warmup, --rounds, --breakdown");
            }
        }
        return value;
    }

    private static boolean isKnown(final String arg)
    {
        return "--cases".equals(arg) || "--seconds".equals(arg) || "--warmup".equals(arg) ||
            "--rounds".equals(arg) || "--breakdown".equals(arg);
    }
}
