package dev.parasol.engine.data;

import java.util.SplittableRandom;

/**
 * Endless seeded mini-batches over an {@link InMemoryDataset}: each epoch visits every example exactly once, in an
 * order reshuffled at the start of the epoch.
 * <p>
 * The shuffle is a Fisher-Yates shuffle (Knuth, TAOCP vol. 2, Algorithm P) of one {@code int[]} permutation kept for
 * the life of the iterator, driven by a {@link SplittableRandom}: the same seed gives the same batches, and no call
 * allocates.
 * <p>
 * Last partial batch: <b>kept</b>. When the size is not a multiple of the batch size, the last batch of each epoch
 * holds the remaining {@code size % batchSize} examples and {@link #nextBatch(float[], int[])} returns that smaller
 * count; the next call starts a new epoch. Nothing is dropped, so every example is seen once per epoch.
 * <p>
 * State: {@link #epoch()} is the epoch of the batch last returned (-1 before the first), and
 * {@link #isEndOfEpoch()} says whether that batch was the last of its epoch. Not thread-safe: one per worker.
 */
public final class MiniBatchIterator
{
    private final InMemoryDataset dataset;
    private final int batchSize;
    private final SplittableRandom random;
    private final int[] order;
    private int cursor;
    private long epoch = -1;

    /**
     * Iterate with a random generator seeded from a number.
     *
     * @param dataset   the examples.
     * @param batchSize maximum examples per batch, at least 1.
     * @param seed      seed of the shuffle.
     */
    public MiniBatchIterator(final InMemoryDataset dataset, final int batchSize, final long seed)
    {
        this(dataset, batchSize, new SplittableRandom(seed));
    }

    /**
     * Iterate with a given random generator, for example one split from a job's generator; the iterator becomes its
     * only user.
     *
     * @param dataset   the examples, at least one.
     * @param batchSize maximum examples per batch, at least 1.
     * @param random    source of the shuffles.
     */
    public MiniBatchIterator(final InMemoryDataset dataset, final int batchSize, final SplittableRandom random)
    {
        if (batchSize < 1)
        {
            throw new IllegalArgumentException("batchSize=" + batchSize + ", expected >= 1");
        }
        if (dataset.size() < 1)
        {
            throw new IllegalArgumentException("dataset has 0 examples, expected at least 1");
        }

        this.dataset = dataset;
        this.batchSize = batchSize;
        this.random = random;
        this.order = new int[dataset.size()];
        for (int i = 0; i < order.length; i++)
        {
            order[i] = i;
        }
        this.cursor = order.length;
    }

    /**
     * Copy the next batch into the caller's arrays, starting a new shuffled epoch when the previous one is done.
     *
     * @param batchInputs destination of at least {@code batchSize() * featureCount} floats.
     * @param batchLabels destination of at least {@code batchSize()} labels.
     * @return the number of examples copied: {@link #batchSize()}, or fewer for the last batch of an epoch.
     */
    public int nextBatch(final float[] batchInputs, final int[] batchLabels)
    {
        if (cursor == order.length)
        {
            shuffle();
            cursor = 0;
            epoch++;
        }

        final int count = Math.min(batchSize, order.length - cursor);
        dataset.copyBatch(order, cursor, count, batchInputs, batchLabels);
        cursor += count;

        return count;
    }

    /**
     * Get the epoch of the batch last returned, from 0; -1 before the first batch.
     *
     * @return the epoch.
     */
    public long epoch()
    {
        return epoch;
    }

    /**
     * Was the batch last returned the last one of its epoch?
     *
     * @return true if the next call to {@link #nextBatch(float[], int[])} starts a new epoch.
     */
    public boolean isEndOfEpoch()
    {
        return cursor == order.length && epoch >= 0;
    }

    /**
     * Get the number of batches in one epoch, counting the last partial batch.
     *
     * @return {@code ceil(size / batchSize)}.
     */
    public int batchesPerEpoch()
    {
        return (order.length + batchSize - 1) / batchSize;
    }

    /**
     * Get the maximum number of examples per batch.
     *
     * @return the batch size.
     */
    public int batchSize()
    {
        return batchSize;
    }

    /**
     * Get the data set iterated over.
     *
     * @return the data set.
     */
    public InMemoryDataset dataset()
    {
        return dataset;
    }

    private void shuffle()
    {
        shuffle(order, order.length, random);
    }

    /**
     * Fisher-Yates shuffle of {@code values[0 .. length)} in place.
     */
    static void shuffle(final int[] values, final int length, final SplittableRandom random)
    {
        for (int i = length - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int tmp = values[i];
            values[i] = values[j];
            values[j] = tmp;
        }
    }
}
