package dev.parasol.bench.codec;

import dev.parasol.wire.DenseEncoder;
import dev.parasol.wire.Encoding;
import dev.parasol.wire.JobKey;
import dev.parasol.wire.MessageAuthenticator;
import dev.parasol.wire.MessageHeaderDecoder;
import dev.parasol.wire.MessageHeaderEncoder;
import dev.parasol.wire.MessageType;
import dev.parasol.wire.RejectReason;
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
 * Cost of the per-job authentication tag (HMAC-SHA256 truncated to 128 bits, {@link MessageAuthenticator}) next to
 * the CRC32C every message already carries, on the two messages that matter for workload W2 (235,146 parameters): a
 * 1% top-k {@code SPARSE_F32} push of 2,351 entries (12,483 bytes unsigned) and a dense f32 message of the whole
 * model (940,656 bytes unsigned).
 * <p>
 * {@code encodeCrc} and {@code encodeSigned} are the sender's whole encode, without and with the tag;
 * {@code verifyCrc} and {@code verifySigned} are the receiver's header validation (frame, CRC32C, then the tag when
 * keyed, then the fields), without the payload decode, which the tag does not change. The tag's cost is the
 * difference of each pair. Average time per message, in microseconds.
 * <p>
 * Agrona's bounds checks are off in the forked JVM, as on a production receiver.
 * <p>
 * Run: {@code java -jar load-tests/target/benchmarks.jar AuthenticatorBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {
    "-Dagrona.disable.bounds.checks=true", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AuthenticatorBenchmark
{
    private static final int PARAMETERS = 235_146;
    private static final int TOP_K = PARAMETERS / 100;

    @Param({"W2_TOPK", "W2_DENSE"})
    public String message;

    @Param({"DIRECT", "HEAP"})
    public String buffer;

    private final MessageHeaderEncoder plainEncoder = new MessageHeaderEncoder();
    private final MessageHeaderEncoder signingEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder plainDecoder = new MessageHeaderDecoder();
    private final MessageHeaderDecoder verifyingDecoder = new MessageHeaderDecoder();
    private boolean sparse;
    private int[] indices;
    private float[] values;
    private UnsafeBuffer encodeBuffer;
    private UnsafeBuffer plainMessage;
    private UnsafeBuffer signedMessage;
    private int plainLength;
    private int signedLength;

    @Setup(Level.Trial)
    public void setUp()
    {
        final SplittableRandom random = new SplittableRandom(PARAMETERS);
        final byte[] keyBytes = new byte[JobKey.LENGTH];
        random.nextBytes(keyBytes);
        final JobKey key = JobKey.fromBytes(keyBytes);
        signingEncoder.authenticator(new MessageAuthenticator(key));
        verifyingDecoder.authenticator(new MessageAuthenticator(key));
        for (final MessageHeaderEncoder header : new MessageHeaderEncoder[]{plainEncoder, signingEncoder})
        {
            header.messageType(MessageType.GRADIENT_PUSH).jobId(BenchmarkBuffers.JOB_ID).keyRange(0, PARAMETERS);
        }

        sparse = "W2_TOPK".equals(message);
        indices = BenchmarkBuffers.sortedDistinct(random, PARAMETERS, TOP_K);
        values = BenchmarkBuffers.gaussian(random, sparse ? TOP_K : PARAMETERS);
        plainLength = sparse ?
            SparseEncoder.length(Encoding.SPARSE_F32, indices, TOP_K) : DenseEncoder.length(PARAMETERS);
        signedLength = plainLength + signingEncoder.trailerLength();
        encodeBuffer = BenchmarkBuffers.allocate(buffer, signedLength);
        plainMessage = BenchmarkBuffers.allocate(buffer, plainLength);
        signedMessage = BenchmarkBuffers.allocate(buffer, signedLength);
        encode(plainMessage, plainEncoder);
        encode(signedMessage, signingEncoder);
        if (verifyCrc() != RejectReason.NONE || verifySigned() != RejectReason.NONE)
        {
            throw new IllegalStateException("benchmark messages do not verify");
        }
        System.err.printf("%nAuthenticatorBenchmark message=%s unsignedBytes=%d signedBytes=%d%n",
            message, plainLength, signedLength);
    }

    @Benchmark
    public int encodeCrc()
    {
        return encode(encodeBuffer, plainEncoder);
    }

    @Benchmark
    public int encodeSigned()
    {
        return encode(encodeBuffer, signingEncoder);
    }

    @Benchmark
    public RejectReason verifyCrc()
    {
        return plainDecoder.wrap(plainMessage, 0, plainLength, BenchmarkBuffers.JOB_ID, 0, PARAMETERS);
    }

    @Benchmark
    public RejectReason verifySigned()
    {
        return verifyingDecoder.wrap(signedMessage, 0, signedLength, BenchmarkBuffers.JOB_ID, 0, PARAMETERS);
    }

    private int encode(final UnsafeBuffer destination, final MessageHeaderEncoder header)
    {
        return sparse ?
            SparseEncoder.encode(destination, 0, header, Encoding.SPARSE_F32, indices, values, TOP_K) :
            DenseEncoder.encode(destination, 0, header, values, 0, PARAMETERS);
    }
}
