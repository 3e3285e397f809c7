package dev.parasol.engine.data;

import static dev.parasol.engine.data.InMemoryDatasetTest.indexed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class MiniBatchIteratorTest
{
    private static final int SIZE = 103;
    private static final int BATCH = 10;

    /**
     * Run one epoch and return the example indices in visiting order.
     */
    private static int[] epochOrder(final MiniBatchIterator iterator)
    {
        final float[] inputs = new float[BATCH * 2];
        final int[] labels = new int[BATCH];
        final int[] order = new int[SIZE];
        int seen = 0;
        do
        {
            final int count = iterator.nextBatch(inputs, labels);
            for (int row = 0; row < count; row++)
            {
                order[seen++] = (int)inputs[2 * row];
                assertEquals(order[seen - 1] % 7, labels[row], "label travels with its example");
            }
        }
        while (!iterator.isEndOfEpoch());
        assertEquals(SIZE, seen);

        return order;
    }

    @Test
    void shouldVisitEveryExampleOncePerEpochKeepingLastPartialBatch()
    {
        final MiniBatchIterator iterator = new MiniBatchIterator(indexed(SIZE, 7), BATCH, 11L);
        assertEquals(-1, iterator.epoch());
        assertEquals(11, iterator.batchesPerEpoch());

        for (int epoch = 0; epoch < 3; epoch++)
        {
            final int[] order = epochOrder(iterator);
            assertEquals(epoch, iterator.epoch());
            final int[] sorted = order.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < SIZE; i++)
            {
                assertEquals(i, sorted[i]);
            }
        }
    }

    @Test
    void shouldReturnPartialCountAtEndOfEpoch()
    {
        final MiniBatchIterator iterator = new MiniBatchIterator(indexed(SIZE, 7), BATCH, 5L);
        final float[] inputs = new float[BATCH * 2];
        final int[] labels = new int[BATCH];

        for (int b = 0; b < 10; b++)
        {
            assertEquals(BATCH, iterator.nextBatch(inputs, labels));
            assertFalse(iterator.isEndOfEpoch());
        }
        assertEquals(3, iterator.nextBatch(inputs, labels));
        assertTrue(iterator.isEndOfEpoch());
        assertEquals(0, iterator.epoch());

        assertEquals(BATCH, iterator.nextBatch(inputs, labels));
        assertEquals(1, iterator.epoch());
    }

    @Test
    void shouldBeDeterministicForSeedAndReshuffleEachEpoch()
    {
        final MiniBatchIterator a = new MiniBatchIterator(indexed(SIZE, 7), BATCH, 99L);
        final MiniBatchIterator b = new MiniBatchIterator(indexed(SIZE, 7), BATCH, new SplittableRandom(99L));
        final MiniBatchIterator c = new MiniBatchIterator(indexed(SIZE, 7), BATCH, 100L);

        final int[] a0 = epochOrder(a);
        final int[] a1 = epochOrder(a);
        assertArrayEquals(a0, epochOrder(b));
        assertArrayEquals(a1, epochOrder(b));
        assertNotEquals(Arrays.toString(a0), Arrays.toString(a1), "a new order each epoch");
        assertNotEquals(Arrays.toString(a0), Arrays.toString(epochOrder(c)), "another seed, another order");
    }

    @Test
    void shouldAllocateNothingPerBatch()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no allocation counter");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        final MiniBatchIterator iterator = new MiniBatchIterator(indexed(1000, 10), 64, 1L);
        final float[] inputs = new float[64 * 2];
        final int[] labels = new int[64];
        for (int i = 0; i < 20_000; i++)
        {
            iterator.nextBatch(inputs, labels);
        }

        final long threadId = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 20_000; i++)
        {
            iterator.nextBatch(inputs, labels);
        }
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertTrue(allocated < 20_000, "allocated " + allocated + " bytes over 20000 batches");
    }

    @Test
    void shouldRejectBadArguments()
    {
        assertThrows(IllegalArgumentException.class, () -> new MiniBatchIterator(indexed(3, 2), 0, 1L));
        assertThrows(IllegalArgumentException.class, () -> new MiniBatchIterator(indexed(0, 2), 4, 1L));
    }
}
