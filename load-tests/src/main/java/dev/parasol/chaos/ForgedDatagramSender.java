package dev.parasol.chaos;

import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.wire.DenseEncoder;
import dev.parasol.wire.MessageHeaderEncoder;
import dev.parasol.wire.MessageType;
import io.aeron.ExclusivePublication;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Floods a node's data port with forged traffic for the forged-datagrams scenario, and says what it sent in a
 * history line ({@code forged_sent}):
 * <ul>
 *     <li>raw UDP datagrams, half of random bytes and half starting with an Aeron data-frame header for a random
 *     session and stream: the media driver must drop them (they never reach the job);</li>
 *     <li>through Aeron publications of its own (an embedded driver) to the job's stream ids on that port, Parasol
 *     messages a receiver must reject: well-formed with a random job id and a valid checksum (the job's id is a
 *     random 64-bit number the forger does not know), the same with a corrupted checksum, a bad magic number, and
 *     random bytes.</li>
 * </ul>
 * Before and during the flood it reads the target nodes' Aeron counters (the CnC file of each node's embedded
 * driver) and reports their change, so the rejects are counted by reason from the engine itself. With
 * {@code --go-file} it starts up first and sends only once the file exists, so that the injector picks the moment. Randomness comes
 * from a {@link SplittableRandom} seeded with {@code --seed}.
 */
@Command(name = "forged-datagram-sender", mixinStandardHelpOptions = true,
    description = "Send forged UDP datagrams and forged Parasol messages to data ports; report in a history line.")
public final class ForgedDatagramSender implements Callable<Integer>
{
    private static final int FORGED_RANGE_LENGTH = 16;
    private static final int KINDS = 4;
    private static final String[] KIND_NAMES = {"wrong_job", "bad_checksum", "bad_magic", "random_bytes"};

    @Option(names = "--target", required = true, arity = "1..*", paramLabel = "HOST:PORT",
        description = "Data ports (a node's --data-bind) to flood.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--streams", split = ",", defaultValue = "1001,1002", paramLabel = "ID,...",
        description = "Aeron stream ids to try: a node gives each part its own, counted up from 1001. " +
            "Default: ${DEFAULT-VALUE}.")
    List<Integer> streams = new ArrayList<>();

    @Option(names = "--seconds", defaultValue = "5", paramLabel = "S", description = "How long. Default: 5.")
    double seconds;

    @Option(names = "--rate", defaultValue = "100", paramLabel = "N",
        description = "Per second, per target: raw datagrams, and forged messages per connected stream. Default: 100.")
    int rate;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed. Default: 1.")
    long seed;

    @Option(names = "--node-pid", arity = "0..*", paramLabel = "PID",
        description = "Pids of nodes whose driver counters (/dev/shm/parasol-PID-*) are read before and after.")
    List<Long> nodePids = new ArrayList<>();

    @Option(names = "--history", paramLabel = "FILE", description = "Append the forged_sent line here.")
    Path history;

    @Option(names = "--go-file", paramLabel = "FILE",
        description = "Start up, then wait until this file exists before sending (so that the JVM's start-up does " +
            "not delay the injection point).")
    Path goFile;

    @Option(names = "--go-timeout", defaultValue = "600", paramLabel = "SECONDS",
        description = "Give up waiting for --go-file after this long. Default: ${DEFAULT-VALUE}.")
    long goTimeoutSeconds;

    private final long[] accepted = new long[KINDS];
    private final Map<Long, Map<String, Long>> latest = new LinkedHashMap<>();
    private long raw;
    private long lastSnapshotNs;

    /**
     * Run the sender.
     *
     * @param args the arguments.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new ForgedDatagramSender()).execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException
    {
        final SplittableRandom random = new SplittableRandom(seed);
        if (!awaitGo())
        {
            final Map<String, Object> line = new LinkedHashMap<>();
            line.put("event", "forger_not_triggered");
            line.put("source", "forger");
            line.put("reason", goFile + " did not appear within " + goTimeoutSeconds + " s");
            HistoryWriter.append(history, line);
            return 1;
        }
        final Map<Long, Map<String, Long>> before = counters();
        final List<String> connected = new ArrayList<>();
        final Map<String, Object> started = new LinkedHashMap<>();
        started.put("event", "forger_started");
        started.put("source", "forger");
        started.put("targets", targets);
        started.put("streams", streams);
        HistoryWriter.append(history, started);
        try (DataPlane dataPlane = DataPlane.launch(new DataPlaneContext().bindHost("127.0.0.1").dataPort(0)
            .termLength(64 * 1024).mtuLength(1408).maxPublications(targets.size() * streams.size() + 1));
            DatagramChannel channel = DatagramChannel.open())
        {
            final List<ExclusivePublication> publications = connect(dataPlane, connected);
            flood(channel, publications, random);
            // Give the receivers time to take what was accepted before the counters are read for the last time.
            final long drainEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (System.nanoTime() < drainEnd)
            {
                snapshotNow();
                TimeUnit.MILLISECONDS.sleep(100);
            }
            for (final ExclusivePublication publication : publications)
            {
                publication.close();
            }
        }
        final Map<String, Object> line = new LinkedHashMap<>();
        line.put("event", "forged_sent");
        line.put("source", "forger");
        line.put("seed", seed);
        line.put("raw_datagrams", raw);
        long total = 0;
        final Map<String, Long> byKind = new LinkedHashMap<>();
        for (int k = 0; k < KINDS; k++)
        {
            byKind.put(KIND_NAMES[k], accepted[k]);
            total += accepted[k];
        }
        line.put("aeron_messages_accepted", total);
        line.put("aeron_messages_by_kind", byKind);
        line.put("connected_streams", connected);
        line.put("counter_deltas", counterDeltas(before, latest));
        HistoryWriter.append(history, line);
        System.out.println("forger: " + raw + " raw datagrams, " + total + " forged messages " + byKind +
            " accepted by Aeron on " + connected);
        return 0;
    }

    private boolean awaitGo() throws InterruptedException
    {
        if (goFile == null)
        {
            return true;
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(goTimeoutSeconds);
        while (!Files.exists(goFile))
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return true;
    }

    /**
     * Keep the latest value of every tracked counter: a job's counters vanish from the CnC file when it ends, which
     * may be before the flood does, so the last value seen stands for it.
     */
    private void snapshotNow() throws IOException
    {
        lastSnapshotNs = System.nanoTime();
        for (final Map.Entry<Long, Map<String, Long>> node : counters().entrySet())
        {
            latest.computeIfAbsent(node.getKey(), (k) -> new LinkedHashMap<>()).putAll(node.getValue());
        }
    }

    private List<ExclusivePublication> connect(final DataPlane dataPlane, final List<String> connected)
        throws InterruptedException
    {
        final List<ExclusivePublication> all = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        for (final String target : targets)
        {
            final int colon = target.lastIndexOf(':');
            for (final int stream : streams)
            {
                all.add(dataPlane.addExclusivePublication(
                    dataPlane.udpChannel(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1))),
                    stream));
                names.add(target + "/" + stream);
            }
        }
        // A receiver answers a publication's setup only when something subscribes to its stream on that port, so
        // the publications that connect are exactly the job's streams there.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < deadline && all.stream().anyMatch((p) -> !p.isConnected()))
        {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        final List<ExclusivePublication> live = new ArrayList<>();
        for (int i = 0; i < all.size(); i++)
        {
            if (all.get(i).isConnected())
            {
                live.add(all.get(i));
                connected.add(names.get(i));
            }
            else
            {
                all.get(i).close();
            }
        }
        return live;
    }

    private void flood(final DatagramChannel channel, final List<ExclusivePublication> publications,
        final SplittableRandom random) throws IOException, InterruptedException
    {
        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final ByteBuffer datagram = ByteBuffer.allocate(1400).order(ByteOrder.LITTLE_ENDIAN);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final float[] values = new float[FORGED_RANGE_LENGTH];
        final long tickNs = TimeUnit.MILLISECONDS.toNanos(10);
        final int perTick = Math.max(1, rate / 100);
        final long end = System.nanoTime() + (long)(seconds * 1e9);
        long sequence = 1;
        while (System.nanoTime() < end)
        {
            for (int n = 0; n < perTick; n++)
            {
                for (final String target : targets)
                {
                    sendRaw(channel, datagram, target, random);
                }
                for (final ExclusivePublication publication : publications)
                {
                    final int kind = (int)(sequence % KINDS);
                    final int length = forge(message, header, values, kind, sequence, publication.streamId(), random);
                    if (publication.offer(message, 0, length) > 0)
                    {
                        accepted[kind]++;
                    }
                    sequence++;
                }
            }
            if (System.nanoTime() - lastSnapshotNs > TimeUnit.MILLISECONDS.toNanos(250))
            {
                snapshotNow();
            }
            TimeUnit.NANOSECONDS.sleep(tickNs);
        }
    }

    private void sendRaw(final DatagramChannel channel, final ByteBuffer datagram, final String target,
        final SplittableRandom random) throws IOException
    {
        final int colon = target.lastIndexOf(':');
        final int length = 1 + random.nextInt(datagram.capacity());
        datagram.clear();
        for (int i = 0; i < length; i++)
        {
            datagram.put((byte)random.nextInt(256));
        }
        if (raw % 2 == 0 && length >= DataHeaderFlyweight.HEADER_LENGTH)
        {
            // Looks like an Aeron data frame of an unknown session.
            datagram.putInt(0, length);
            datagram.put(4, (byte)0);
            datagram.put(5, (byte)0xC0);
            datagram.putShort(6, (short)DataHeaderFlyweight.HDR_TYPE_DATA);
            datagram.putInt(8, 0);
        }
        datagram.flip();
        channel.send(datagram, new InetSocketAddress(target.substring(0, colon),
            Integer.parseInt(target.substring(colon + 1))));
        raw++;
    }

    /**
     * Write one forged message: kind 0 well formed with a random job id, 1 the same with a corrupted checksum, 2 a
     * bad magic, 3 random bytes.
     */
    static int forge(final UnsafeBuffer buffer, final MessageHeaderEncoder header, final float[] values,
        final int kind, final long sequence, final int streamId, final SplittableRandom random)
    {
        if (kind == 3)
        {
            final int length = 8 + random.nextInt(512);
            for (int i = 0; i < length; i++)
            {
                buffer.putByte(i, (byte)random.nextInt(256));
            }
            return length;
        }
        for (int i = 0; i < values.length; i++)
        {
            values[i] = (float)random.nextGaussian();
        }
        header.messageType(streamId == 1002 ? MessageType.PARAMETER_SNAPSHOT : MessageType.GRADIENT_PUSH)
            .jobId(random.nextLong()).sequence(sequence).baseVersion(0).targetVersion(0).shardId(0).workerId(0)
            .keyRange(0, FORGED_RANGE_LENGTH);
        final int length = DenseEncoder.encode(buffer, 0, header, values, 0, FORGED_RANGE_LENGTH);
        if (kind == 1)
        {
            buffer.putByte(length - 1, (byte)(buffer.getByte(length - 1) ^ 0x5A));
        }
        else if (kind == 2)
        {
            buffer.putInt(0, 0xDEADBEEF);
        }
        return length;
    }

    private Map<Long, Map<String, Long>> counters() throws IOException
    {
        final Map<Long, Map<String, Long>> byNode = new LinkedHashMap<>();
        for (final long pid : nodePids)
        {
            final Path directory = AeronCounters.driverDirectoryOf(Path.of("/dev/shm"), pid);
            byNode.put(pid, directory == null ? Map.of() : AeronCounters.snapshot(directory));
        }
        return byNode;
    }

    private static Map<String, Long> counterDeltas(
        final Map<Long, Map<String, Long>> before, final Map<Long, Map<String, Long>> after)
    {
        final Map<String, Long> deltas = new LinkedHashMap<>();
        for (final Map.Entry<Long, Map<String, Long>> node : after.entrySet())
        {
            AeronCounters.deltas(before.getOrDefault(node.getKey(), Map.of()), node.getValue()).forEach(
                (label, delta) -> deltas.merge("pid " + node.getKey() + ": " + label, delta, Long::sum));
        }
        return deltas;
    }
}
