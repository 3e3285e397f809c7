package dev.parasol.engine.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * IID partition: a seeded Fisher-Yates shuffle of all examples, then an even split into contiguous slices of the
 * shuffled order. Slice sizes differ by at most one (the first {@code size % workers} workers get one more).
 * A worker never ends empty: asking for more workers than examples is an error.
 */
public final class IidPartitioner implements Partitioner
{
    private final long seed;

    /**
     * Partition with a seed.
     *
     * @param seed seed of the shuffle; the same seed gives the same partition.
     */
    public IidPartitioner(final long seed)
    {
        this.seed = seed;
    }

    /**
     * Get the seed.
     *
     * @return the seed of the shuffle.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int[][] partition(final InMemoryDataset dataset, final int workers)
    {
        final int size = dataset.size();
        DirichletPartitioner.checkWorkers(size, workers, 1);

        final int[] order = new int[size];
        for (int i = 0; i < size; i++)
        {
            order[i] = i;
        }
        MiniBatchIterator.shuffle(order, size, new SplittableRandom(seed));

        final int[][] parts = new int[workers][];
        final int base = size / workers;
        final int extra = size % workers;
        int start = 0;
        for (int w = 0; w < workers; w++)
        {
            final int length = base + (w < extra ? 1 : 0);
            parts[w] = Arrays.copyOfRange(order, start, start + length);
            Arrays.sort(parts[w]);
            start += length;
        }

        return parts;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "IidPartitioner{seed=" + seed + "}";
    }
}
