package dev.parasol.bench.codec;

import dev.parasol.wire.DenseDecoder;
import dev.parasol.wire.DenseEncoder;
import dev.parasol.wire.MessageHeaderDecoder;
import dev.parasol.wire.MessageHeaderEncoder;
import dev.parasol.wire.MessageType;
import dev.parasol.wire.RejectReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Encode and decode throughput of a dense f32 message, the baseline for {@link SparseCodecBenchmark}: 235,146 floats
 * (workload W2, 940,656 bytes) and 10^7 floats (40,000,072 bytes). A 10^7-float message exceeds Aeron's largest
 * message and would be split by key range on the wire; here it measures the codec over one big buffer.
 * <p>
 * Throughput is in messages per second; the {@code messageBytes} auxiliary counter gives the bytes per second.
 * Agrona's bounds checks are off in the forked JVM, as on a production receiver: the decoder checks every bound
 * itself.
 * <p>
 * Run: {@code java -jar load-tests/target/benchmarks.jar DenseCodecBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {
    "-Dagrona.disable.bounds.checks=true", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DenseCodecBenchmark
{
    @Param({"235146", "10000000"})
    public int parameters;

    @Param({"DIRECT", "HEAP"})
    public String buffer;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private float[] values;
    private UnsafeBuffer encodeBuffer;
    private UnsafeBuffer message;
    private int messageLength;
    private float[] decoded;

    @Setup(Level.Trial)
    public void setUp()
    {
        values = BenchmarkBuffers.gaussian(new SplittableRandom(parameters), parameters);
        headerEncoder.messageType(MessageType.GRADIENT_PUSH).jobId(BenchmarkBuffers.JOB_ID).keyRange(0, parameters);
        messageLength = DenseEncoder.length(parameters);
        encodeBuffer = BenchmarkBuffers.allocate(buffer, messageLength);
        message = BenchmarkBuffers.allocate(buffer, messageLength);
        DenseEncoder.encode(message, 0, headerEncoder, values, 0, parameters);
        decoded = new float[parameters];
        if (decode(new MessageBytes()) != RejectReason.NONE)
        {
            throw new IllegalStateException("benchmark message does not decode");
        }
        System.err.printf("%nDenseCodecBenchmark parameters=%d messageBytes=%d%n", parameters, messageLength);
    }

    @Benchmark
    public int encode(final MessageBytes bytes)
    {
        final int length = DenseEncoder.encode(encodeBuffer, 0, headerEncoder, values, 0, parameters);
        bytes.messageBytes += length;
        return length;
    }

    @Benchmark
    public RejectReason decode(final MessageBytes bytes)
    {
        RejectReason reason = headerDecoder.wrap(message, 0, messageLength, BenchmarkBuffers.JOB_ID, 0, parameters);
        if (reason == RejectReason.NONE)
        {
            reason = DenseDecoder.decode(headerDecoder, decoded);
        }
        bytes.messageBytes += messageLength;
        return reason;
    }
}
