package dev.parasol.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Message sizes of a 1% top-k gradient against the dense one, for workload W2 (MLP 784-256-128-10, 235,146
 * parameters, 2,351 entries) and for a 10^7-parameter model (100,000 entries), with uniformly random indices, the
 * worst case for gap encoding at this density.
 */
class MessageSizeTest
{
    private static final int W2_PARAMETERS = 235_146;

    @Test
    void shouldBeFiftyTimesSmallerThanDenseWhenTopOnePercentOfW2()
    {
        final int entries = W2_PARAMETERS / 100;
        assertEquals(2_351, entries);
        final int[] indices = TestMessages.sortedDistinct(new SplittableRandom(2), W2_PARAMETERS, entries);
        final float[] values = TestMessages.randomValues(new SplittableRandom(3), entries);

        final int dense = DenseEncoder.length(W2_PARAMETERS);
        final int sparse = encodedLength(Encoding.SPARSE_F32, W2_PARAMETERS, indices, values);
        final int sparseHalf = encodedLength(Encoding.SPARSE_F16, W2_PARAMETERS, indices, values);
        assertEquals(W2_PARAMETERS * 4 + 72, dense);
        System.out.printf("W2 top-1%%: dense=%d B, sparse f32=%d B (%.1fx smaller, %.2f B/entry), " +
            "sparse f16=%d B (%.1fx smaller)%n", dense, sparse, (double)dense / sparse,
            (sparse - 72.0) / entries, sparseHalf, (double)dense / sparseHalf);
        assertTrue(sparse * 50L <= dense, "sparse " + sparse + " B is not 50x smaller than dense " + dense + " B");
        assertTrue(sparseHalf < sparse);
    }

    @Test
    void shouldReportSizesWhenTopOnePercentOfTenMillionParameters()
    {
        final int parameters = 10_000_000;
        final int entries = parameters / 100;
        final int[] indices = TestMessages.sortedDistinct(new SplittableRandom(4), parameters, entries);
        final float[] values = TestMessages.randomValues(new SplittableRandom(5), entries);
        final int dense = DenseEncoder.length(parameters);
        final int sparse = encodedLength(Encoding.SPARSE_F32, parameters, indices, values);
        System.out.printf("10^7 top-1%%: dense=%d B, sparse f32=%d B (%.1fx smaller)%n",
            dense, sparse, (double)dense / sparse);
        assertTrue(sparse * 50L <= dense);
    }

    private static int encodedLength(
        final Encoding encoding, final int parameters, final int[] indices, final float[] values)
    {
        final int length = SparseEncoder.length(encoding, indices, indices.length);
        final int written = SparseEncoder.encode(new UnsafeBuffer(new byte[length]), 0,
            TestMessages.header(0, parameters), encoding, indices, values, indices.length);
        assertEquals(length, written);
        return length;
    }
}
