package dev.parasol.bench.psshard;

import dev.parasol.actors.psshard.ReplySender;
import dev.parasol.actors.psshard.ShardState;
import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.optim.Optimiser;
import dev.parasol.engine.optim.OptimiserConfig;
import dev.parasol.wire.DenseEncoder;
import dev.parasol.wire.Encoding;
import dev.parasol.wire.MessageHeaderEncoder;
import dev.parasol.wire.MessageType;
import dev.parasol.wire.SparseEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * One shard of workload W2 split in two (117,573 coordinates) receiving pushes from two workers in turn: a sparse 1%
 * push (2,351 coordinates, top-k's size) and a dense one, with SGD and with momentum. Scores are coordinates per
 * second ({@link OperationsPerInvocation} is the coordinates of one push).
 * <ul>
 *     <li>{@code sparsePush} / {@code densePush}: the whole shard path, {@link ShardState#onMessage}: validation
 *     (CRC32C included), payload decode, optimiser step, dirty marking for every worker, and the reply (the changes
 *     since the pusher's last update, encoded with its checksum).</li>
 *     <li>{@code sparseStep} / {@code denseStep}: the optimiser step alone, the floor of the above.</li>
 * </ul>
 * Each push needs a fresh sequence (the shard never applies one twice), so the benchmark rewrites the sequence and
 * the CRC32C of a pre-encoded message before each call: one extra checksum pass over the message, the same cost as
 * the receiver's own check, included in the {@code *Push} scores.
 * <p>
 * Agrona bounds checks stay on, as in the shard agent. Run:
 * {@code java -jar load-tests/target/benchmarks.jar ShardApplyBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class ShardApplyBenchmark
{
    /**
     * Coordinates in half of W2's 235,146 parameters.
     */
    public static final int LENGTH = 117_573;

    /**
     * Coordinates of a 1% top-k push over the half range (1% of W2's whole vector).
     */
    public static final int SPARSE_ENTRIES = 2_351;

    private static final int SEQUENCE_OFFSET = 16;
    private static final int CHECKSUM_OFFSET = 68;
    private static final int HEADER_LENGTH = 72;

    /**
     * The shard, two workers' messages and the bare optimiser.
     */
    @State(Scope.Thread)
    public static class Shard
    {
        @Param({"SGD", "MOMENTUM"})
        public String optimiser;

        ShardState state;
        final ReplySender replies = (workerId, buffer, offset, length) -> length;
        final UnsafeBuffer[] sparse = new UnsafeBuffer[2];
        final int[] sparseLength = new int[2];
        final UnsafeBuffer[] dense = new UnsafeBuffer[2];
        final int[] denseLength = new int[2];
        final long[] sequences = new long[2];
        final CRC32C crc = new CRC32C();
        int next;

        Optimiser bare;
        float[] params;
        int[] indices;
        float[] values;
        float[] gradient;

        @Setup(Level.Trial)
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(42);
            final OptimiserConfig config = OptimiserConfig.of(OptimiserConfig.Kind.valueOf(optimiser), 0.01f);
            params = new float[LENGTH];
            for (int i = 0; i < LENGTH; i++)
            {
                params[i] = (float)(random.nextGaussian() * 0.05);
            }
            state = new ShardState(
                1, new KeyRange(1, LENGTH, 2 * LENGTH), params, 0, config, StalenessPolicy.CONSTANT, 2);

            final TreeSet<Integer> set = new TreeSet<>();
            while (set.size() < SPARSE_ENTRIES)
            {
                set.add(random.nextInt(LENGTH));
            }
            indices = set.stream().mapToInt(Integer::intValue).toArray();
            values = new float[SPARSE_ENTRIES];
            for (int i = 0; i < SPARSE_ENTRIES; i++)
            {
                values[i] = (float)(random.nextGaussian() * 1e-4);
            }
            gradient = new float[LENGTH];
            for (int i = 0; i < LENGTH; i++)
            {
                gradient[i] = (float)(random.nextGaussian() * 1e-6);
            }

            final MessageHeaderEncoder header = new MessageHeaderEncoder()
                .messageType(MessageType.GRADIENT_PUSH).jobId(1).shardId(1).keyRange(LENGTH, LENGTH);
            for (int worker = 0; worker < 2; worker++)
            {
                header.workerId(worker).sequence(0).baseVersion(0);
                sparse[worker] = new UnsafeBuffer(
                    new byte[SparseEncoder.length(Encoding.SPARSE_F32, indices, SPARSE_ENTRIES)]);
                sparseLength[worker] = SparseEncoder.encode(
                    sparse[worker], 0, header, Encoding.SPARSE_F32, indices, values, SPARSE_ENTRIES);
                dense[worker] = new UnsafeBuffer(new byte[DenseEncoder.length(LENGTH)]);
                denseLength[worker] = DenseEncoder.encode(dense[worker], 0, header, gradient, 0, LENGTH);
            }

            bare = config.newOptimiser();
            bare.initialise(LENGTH);
        }

        int push(final UnsafeBuffer[] messages, final int[] lengths)
        {
            final int worker = next;
            next ^= 1;
            final UnsafeBuffer buffer = messages[worker];
            final int length = lengths[worker];
            final byte[] bytes = buffer.byteArray();
            buffer.putLong(SEQUENCE_OFFSET, ++sequences[worker], ByteOrder.LITTLE_ENDIAN);
            crc.reset();
            crc.update(bytes, 0, CHECKSUM_OFFSET);
            crc.update(bytes, HEADER_LENGTH, length - HEADER_LENGTH);
            buffer.putInt(CHECKSUM_OFFSET, (int)crc.getValue(), ByteOrder.LITTLE_ENDIAN);
            return state.onMessage(buffer, 0, length, replies);
        }
    }

    /**
     * Decode, apply and reply to a 1% sparse push.
     *
     * @param shard the state.
     * @return the outcome, to keep the work alive.
     */
    @Benchmark
    @OperationsPerInvocation(SPARSE_ENTRIES)
    public int sparsePush(final Shard shard)
    {
        return shard.push(shard.sparse, shard.sparseLength);
    }

    /**
     * Decode, apply and reply to a dense push.
     *
     * @param shard the state.
     * @return the outcome, to keep the work alive.
     */
    @Benchmark
    @OperationsPerInvocation(LENGTH)
    public int densePush(final Shard shard)
    {
        return shard.push(shard.dense, shard.denseLength);
    }

    /**
     * The optimiser's sparse step alone.
     *
     * @param shard the state.
     * @return the parameters, to keep the work alive.
     */
    @Benchmark
    @OperationsPerInvocation(SPARSE_ENTRIES)
    public float[] sparseStep(final Shard shard)
    {
        shard.bare.stepSparseInPlace(shard.params, 0, shard.indices, shard.values, SPARSE_ENTRIES, 1.0f);
        return shard.params;
    }

    /**
     * The optimiser's dense step alone.
     *
     * @param shard the state.
     * @return the parameters, to keep the work alive.
     */
    @Benchmark
    @OperationsPerInvocation(LENGTH)
    public float[] denseStep(final Shard shard)
    {
        shard.bare.stepDenseInPlace(shard.params, 0, shard.gradient, 0, LENGTH, 1.0f);
        return shard.params;
    }
}
