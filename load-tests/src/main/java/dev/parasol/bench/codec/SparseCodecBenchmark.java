package dev.parasol.bench.codec;

import dev.parasol.wire.Encoding;
import dev.parasol.wire.MessageHeaderDecoder;
import dev.parasol.wire.MessageHeaderEncoder;
import dev.parasol.wire.MessageType;
import dev.parasol.wire.RejectReason;
import dev.parasol.wire.SparseDecoder;
import dev.parasol.wire.SparseEncoder;
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
 * Encode and decode throughput of a 1% top-k sparse gradient message: 2,351 entries over the 235,146 parameters of
 * workload W2, and 100,000 entries over a 10^7-parameter model, with uniformly random sorted indices (the worst case
 * for gap encoding at this density). Encode includes validation and the CRC32C; decode is the receiver's whole path:
 * frame, checksum and header validation, recipient check, then the payload into preallocated arrays.
 * <p>
 * Throughput is in messages per second; the {@code messageBytes} auxiliary counter gives the bytes per second. The
 * message sizes are printed to stderr at set-up: about 12.5 KB (f32) and 7.8 KB (f16) for W2, 528 KB (f32) for 10^7.
 * Agrona's bounds checks are off in the forked JVM, as on a production receiver: the decoders check every bound
 * themselves.
 * <p>
 * Run: {@code java -jar load-tests/target/benchmarks.jar SparseCodecBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {
    "-Dagrona.disable.bounds.checks=true", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SparseCodecBenchmark
{
    @Param({"235146", "10000000"})
    public int parameters;

    @Param({"SPARSE_F32", "SPARSE_F16"})
    public Encoding encoding;

    @Param({"DIRECT", "HEAP"})
    public String buffer;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private int count;
    private int[] indices;
    private float[] values;
    private UnsafeBuffer encodeBuffer;
    private UnsafeBuffer message;
    private int messageLength;
    private int[] decodedIndices;
    private float[] decodedValues;

    @Setup(Level.Trial)
    public void setUp()
    {
        final SplittableRandom random = new SplittableRandom(parameters);
        count = parameters / 100;
        indices = BenchmarkBuffers.sortedDistinct(random, parameters, count);
        values = BenchmarkBuffers.gaussian(random, count);
        headerEncoder.messageType(MessageType.GRADIENT_PUSH).jobId(BenchmarkBuffers.JOB_ID).keyRange(0, parameters);

        messageLength = SparseEncoder.length(encoding, indices, count);
        encodeBuffer = BenchmarkBuffers.allocate(buffer, messageLength);
        message = BenchmarkBuffers.allocate(buffer, messageLength);
        SparseEncoder.encode(message, 0, headerEncoder, encoding, indices, values, count);
        decodedIndices = new int[count];
        decodedValues = new float[count];
        if (decode(new MessageBytes()) != RejectReason.NONE)
        {
            throw new IllegalStateException("benchmark message does not decode");
        }
        System.err.printf("%nSparseCodecBenchmark parameters=%d encoding=%s entries=%d messageBytes=%d dense=%d%n",
            parameters, encoding, count, messageLength, 72L + 4L * parameters);
    }

    @Benchmark
    public int encode(final MessageBytes bytes)
    {
        final int length = SparseEncoder.encode(encodeBuffer, 0, headerEncoder, encoding, indices, values, count);
        bytes.messageBytes += length;
        return length;
    }

    @Benchmark
    public RejectReason decode(final MessageBytes bytes)
    {
        RejectReason reason = headerDecoder.wrap(message, 0, messageLength, BenchmarkBuffers.JOB_ID, 0, parameters);
        if (reason == RejectReason.NONE)
        {
            reason = SparseDecoder.decode(headerDecoder, decodedIndices, decodedValues);
        }
        bytes.messageBytes += messageLength;
        return reason;
    }
}
