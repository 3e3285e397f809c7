package dev.parasol.bench.channel;

import dev.parasol.actors.psshard.ReplySender;
import dev.parasol.actors.psshard.ShardState;
import dev.parasol.engine.compress.CompressedGradient;
import dev.parasol.engine.optim.Optimiser;
import dev.parasol.wire.DenseDecoder;
import dev.parasol.wire.MessageHeaderDecoder;
import dev.parasol.wire.RejectReason;
import dev.parasol.wire.SparseDecoder;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * Where a push's time goes, one stage at a time on one thread, no Aeron: encode (the sender's extra work over a raw
 * offer), validate ({@link MessageHeaderDecoder#wrap}: frame, CRC32C, header, recipient), the payload decode into
 * scratch arrays, the optimiser step that applies it, and the shard's whole {@link ShardState#onMessage} (validate,
 * decode, step, staleness, acknowledgement); plus the compression that precedes a push on the worker (not part of the
 * channel, shown for scale).
 * <p>
 * The validate and decode stages read the message from the kind of buffer the shard gets it in: a message that fits
 * one frame is handed over in place from the term buffer (off-heap), a longer one from the fragment assembler's heap
 * buffer. {@code ShardState.onMessage} needs a fresh sequence per call, so it is timed together with the encode of
 * that message, and the encode alone, timed in alternation with it, is subtracted. Each figure is the median of
 * {@value #REPETITIONS} short timings, so that a burst of other load on a shared machine moves it little.
 *
 * @param encodeNs   encoding one push into a direct buffer, as the sender does.
 * @param validateNs {@link MessageHeaderDecoder#wrap}: frame, CRC32C over the whole message, header fields, recipient.
 * @param decodeNs   validating and decoding one push: the above, then the payload into scratch arrays.
 * @param stepNs     the optimiser step the shard makes for one push, sparse or dense.
 * @param shardNs    the whole of {@code ShardState.onMessage}.
 * @param compressNs compressing the dense gradient (top-k selection, or the dense copy).
 */
record CostBreakdown(
    double encodeNs, double validateNs, double decodeNs, double stepNs, double shardNs, double compressNs)
{
    private static final int REPETITIONS = 5;
    private static final int BATCH = 8;
    private static final ReplySender DISCARD = (workerId, buffer, offset, length) -> length;

    /**
     * Get the time of the payload decode alone: values (finite checks) and, for sparse, the varint indices.
     *
     * @return nanoseconds per push.
     */
    double payloadNs()
    {
        return decodeNs - validateNs;
    }

    /**
     * Time each stage of a case.
     *
     * @param pushCase   the push.
     * @param frameBytes the largest message delivered in place from the term buffer (one MTU's payload).
     * @param warmupNs   time to run each stage before measuring it.
     * @param measureNs  time to measure each stage.
     */
    static CostBreakdown measure(
        final PushCase pushCase, final int frameBytes, final long warmupNs, final long measureNs)
    {
        final int capacity = pushCase.maxLength();
        final boolean inPlace = capacity <= frameBytes;
        final long sliceNs = measureNs / REPETITIONS;

        final PushSource sender = new PushSource(pushCase, new UnsafeBuffer(ByteBuffer.allocateDirect(capacity)));
        final double encodeNs = nanosPerCall(sender::encodeNext, warmupNs, sliceNs);

        final MutableDirectBuffer message = receivedBuffer(inPlace, capacity);
        final int length = new PushSource(pushCase, message).encodeNext();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final CompressedGradient scratch = CompressedGradient.forAnyEncoding(pushCase.range().length(), 1);
        final int rangeStart = pushCase.range().start();
        final int rangeEnd = pushCase.range().end();
        final boolean sparse = pushCase.isSparse();
        final IntSupplier validate = () ->
            header.wrap(message, 0, length, PushCase.JOB_ID, rangeStart, rangeEnd).ordinal();
        final IntSupplier decode = () ->
        {
            final RejectReason reason = header.wrap(message, 0, length, PushCase.JOB_ID, rangeStart, rangeEnd);
            if (reason != RejectReason.NONE)
            {
                return reason.ordinal();
            }
            return sparse ?
                SparseDecoder.decode(header, scratch.indices(), scratch.values()).ordinal() :
                DenseDecoder.decode(header, scratch.values()).ordinal();
        };
        if (decode.getAsInt() != RejectReason.NONE.ordinal())
        {
            throw new IllegalStateException(pushCase.name() + ": the push does not decode");
        }
        final double validateNs = nanosPerCall(validate, warmupNs, sliceNs);
        final double decodeNs = nanosPerCall(decode, warmupNs, sliceNs);
        final double stepNs = nanosPerCall(optimiserStep(pushCase), warmupNs, sliceNs);
        final double shardNs = shardNanos(pushCase, inPlace, warmupNs, sliceNs);

        final float[] gradient = pushCase.denseGradient();
        final CompressedGradient compressed = pushCase.compressor().newOutput();
        final double compressNs = nanosPerCall(() ->
        {
            pushCase.compressor().compress(gradient, 0, gradient.length, compressed);
            return compressed.count();
        }, warmupNs, sliceNs);

        return new CostBreakdown(encodeNs, validateNs, decodeNs, stepNs, shardNs, compressNs);
    }

    /**
     * The call {@code ShardState} makes to apply a decoded push, on an optimiser and parameters of its own, with the
     * same cycle of gradients.
     */
    private static IntSupplier optimiserStep(final PushCase pushCase)
    {
        final Optimiser optimiser = pushCase.optimiserConfig().newOptimiser();
        final int rangeLength = pushCase.range().length();
        optimiser.initialise(rangeLength);
        final float[] params = pushCase.initialParameters();
        final CompressedGradient[] gradients = pushCase.gradients();
        final int[] next = new int[1];
        return () ->
        {
            final CompressedGradient gradient = gradients[next[0]];
            next[0] = next[0] + 1 == gradients.length ? 0 : next[0] + 1;
            if (CompressedGradient.isSparse(gradient.encoding()))
            {
                optimiser.stepSparseInPlace(
                    params, 0, gradient.indices(), gradient.values(), gradient.count(), 1.0f);
            }
            else
            {
                optimiser.stepDenseInPlace(params, 0, gradient.values(), 0, rangeLength, 1.0f);
            }
            return next[0];
        };
    }

    /**
     * Time {@code ShardState.onMessage} as the difference of encode-and-handle and encode alone, timed in
     * alternation; the median of the differences.
     */
    private static double shardNanos(
        final PushCase pushCase, final boolean inPlace, final long warmupNs, final long sliceNs)
    {
        final int capacity = pushCase.maxLength();
        final PushSource encodeOnly = new PushSource(pushCase, receivedBuffer(inPlace, capacity));
        final PushSource pushes = new PushSource(pushCase, receivedBuffer(inPlace, capacity));
        final MutableDirectBuffer pushBuffer = pushes.buffer();
        final ShardState state = pushCase.newShardState();
        final IntSupplier encode = encodeOnly::encodeNext;
        final IntSupplier encodeAndHandle = () -> state.onMessage(pushBuffer, 0, pushes.encodeNext(), DISCARD);

        run(encode, warmupNs);
        run(encodeAndHandle, warmupNs);
        final double[] differences = new double[REPETITIONS];
        for (int i = 0; i < REPETITIONS; i++)
        {
            final double withoutNs = run(encode, sliceNs);
            differences[i] = run(encodeAndHandle, sliceNs) - withoutNs;
        }
        if (state.appliedCount() != pushes.sequence() || state.rejectedCount() != 0)
        {
            throw new IllegalStateException(pushCase.name() + ": the shard applied " + state.appliedCount() + " of " +
                pushes.sequence() + " pushes and rejected " + state.rejectedCount() + "; expected all applied");
        }
        return median(differences);
    }

    private static MutableDirectBuffer receivedBuffer(final boolean inPlace, final int length)
    {
        return inPlace ? new UnsafeBuffer(ByteBuffer.allocateDirect(length)) : new UnsafeBuffer(new byte[length]);
    }

    private static double nanosPerCall(final IntSupplier call, final long warmupNs, final long sliceNs)
    {
        run(call, warmupNs);
        final double[] samples = new double[REPETITIONS];
        for (int i = 0; i < REPETITIONS; i++)
        {
            samples[i] = run(call, sliceNs);
        }
        return median(samples);
    }

    private static double median(final double[] samples)
    {
        final double[] sorted = samples.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double run(final IntSupplier call, final long durationNs)
    {
        long calls = 0;
        long sink = 0;
        final long startNs = System.nanoTime();
        long elapsedNs;
        do
        {
            for (int i = 0; i < BATCH; i++)
            {
                sink += call.getAsInt();
            }
            calls += BATCH;
            elapsedNs = System.nanoTime() - startNs;
        }
        while (elapsedNs < durationNs);

        if (sink == Long.MIN_VALUE)
        {
            System.out.println(sink);
        }
        return (double)elapsedNs / calls;
    }
}
