package dev.parasol.wire;

import com.sun.management.ThreadMXBean;
import dev.parasol.wire.TestMessages.Scratch;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoding and encoding a valid message allocate nothing, signed or not, and neither does rejecting a forged one:
 * the bytes this thread allocates across 10,000 operations, after a warm-up that lets the JIT compile the path, stay
 * below 1 KiB in total. Measured with HotSpot's per-thread allocation counter, so allocations by the JIT's own threads
 * do not count.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DecodeAllocationTest
{
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 10_000;
    private static final long MAX_BYTES = 1024;

    private final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
    private int[] escaped;

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void shouldAllocateNothingWhenDecodingValidMessages(final Encoding encoding)
    {
        final byte[] message = sample(encoding);
        final UnsafeBuffer heap = new UnsafeBuffer(message);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(message.length));
        direct.putBytes(0, message);
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
        final Scratch scratch = new Scratch();
        final int[] flip = new int[1];

        final long allocated = allocatedBy(() ->
        {
            final UnsafeBuffer buffer = (flip[0]++ & 1) == 0 ? heap : direct;
            return TestMessages.decode(decoder, buffer, 0, message.length, scratch).code();
        });
        assertTrue(allocated < MAX_BYTES, encoding + " decode allocated " + allocated + " bytes");
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void shouldAllocateNothingWhenVerifyingSignedOrForgedMessages(final Encoding encoding)
    {
        final MessageAuthenticator authenticator = TestMessages.authenticator(encoding.code());
        final byte[] message = sample(encoding, authenticator);
        final UnsafeBuffer heap = new UnsafeBuffer(message);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(message.length));
        direct.putBytes(0, message);
        final byte[] forgery = message.clone();
        forgery[TestMessages.HEADER] ^= 1;
        final UnsafeBuffer forged = new UnsafeBuffer(TestMessages.reseal(forgery));
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder().authenticator(authenticator);
        final Scratch scratch = new Scratch();
        final UnsafeBuffer[] buffers = {heap, direct, forged};
        final int[] turn = new int[1];

        assertEquals(RejectReason.NONE, TestMessages.decode(decoder, direct, 0, message.length, scratch));
        assertEquals(RejectReason.BAD_TAG, TestMessages.decode(decoder, forged, 0, message.length, scratch));
        final long allocated = allocatedBy(() ->
        {
            final UnsafeBuffer buffer = buffers[turn[0]++ % buffers.length];
            return TestMessages.decode(decoder, buffer, 0, message.length, scratch).code();
        });
        assertTrue(allocated < MAX_BYTES, encoding + " keyed decode allocated " + allocated + " bytes");
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void shouldAllocateNothingWhenEncodingMessages(final Encoding encoding)
    {
        final long allocated = allocatedByEncoding(encoding, null);
        assertTrue(allocated < MAX_BYTES, encoding + " encode allocated " + allocated + " bytes");
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void shouldAllocateNothingWhenSigningMessages(final Encoding encoding)
    {
        final long allocated = allocatedByEncoding(encoding, TestMessages.authenticator(encoding.code()));
        assertTrue(allocated < MAX_BYTES, encoding + " signed encode allocated " + allocated + " bytes");
    }

    @Test
    void shouldMeasureAllocationWhenOperationAllocates()
    {
        // Control: the meter must see an allocation that escapes, or the tests above could not fail.
        final long allocated = allocatedBy(() ->
        {
            escaped = new int[16];
            return escaped.length;
        });
        assertTrue(allocated >= MEASURED * 64L, "meter saw only " + allocated + " bytes");
    }

    private long allocatedByEncoding(final Encoding encoding, final MessageAuthenticator authenticator)
    {
        final SplittableRandom random = new SplittableRandom(77);
        final int count = 1_000;
        final float[] values = TestMessages.randomValues(random, count);
        final int[] indices = TestMessages.sortedDistinct(random, 100_000, count);
        final byte[] levels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            levels[i] = (byte)(random.nextBoolean() ? 1 : -1);
        }
        final float[] scales = new float[count];
        final MutableDirectBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(16_384));
        final MessageHeaderEncoder sparseHeader = TestMessages.header(0, 100_000, authenticator);
        final MessageHeaderEncoder denseHeader = TestMessages.header(0, count, authenticator);

        return allocatedBy(() ->
        {
            switch (encoding)
            {
                case DENSE_F32:
                    return DenseEncoder.encode(buffer, 0, denseHeader, values, 0, count);
                case SPARSE_F32:
                case SPARSE_F16:
                    return SparseEncoder.encode(buffer, 0, sparseHeader, encoding, indices, values, count);
                case QSGD_8BIT:
                case QSGD_4BIT:
                    return QuantizedEncoder.encode(buffer, 0, denseHeader, encoding, levels, scales, 0, count, 16);
                default:
                    return SignEncoder.encode(buffer, 0, denseHeader, levels, scales, 0, count, 16);
            }
        });
    }

    private long allocatedBy(final IntSupplier operation)
    {
        long sink = 0;
        for (int i = 0; i < WARM_UP; i++)
        {
            sink += operation.getAsInt();
        }
        threads.getCurrentThreadAllocatedBytes();
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED; i++)
        {
            sink += operation.getAsInt();
        }
        final long after = threads.getCurrentThreadAllocatedBytes();
        assertTrue(sink != Long.MIN_VALUE, "keeps the results alive");
        return after - before;
    }

    private static byte[] sample(final Encoding encoding)
    {
        final byte[] bytes = sample(encoding, null);
        assertEquals(RejectReason.NONE, TestMessages.decode(bytes));
        return bytes;
    }

    private static byte[] sample(final Encoding encoding, final MessageAuthenticator authenticator)
    {
        final SplittableRandom random = new SplittableRandom(encoding.code());
        TestMessages.Sample sample;
        do
        {
            sample = TestMessages.randomSample(random, encoding, authenticator);
        }
        while (sample.count() < 200);
        return sample.bytes();
    }
}
