package dev.parasol.engine.data;

/**
 * Splits a training set over workers: every example goes to exactly one worker, and the split depends only on the
 * data set, the number of workers and the partitioner's own seed.
 */
public interface Partitioner
{
    /**
     * Assign every example of the data set to exactly one of the workers.
     *
     * @param dataset the training set.
     * @param workers number of workers, at least 1.
     * @return one array of example indices per worker, each sorted ascending, together holding every index of the
     * data set exactly once.
     * @throws DatasetException if the data set cannot be split so that each worker has an example.
     */
    int[][] partition(InMemoryDataset dataset, int workers);

    /**
     * Partition the data set and copy each worker's examples into a data set of its own.
     *
     * @param dataset the training set.
     * @param workers number of workers, at least 1.
     * @return one data set per worker.
     * @throws DatasetException if the data set cannot be split so that each worker has an example.
     */
    default InMemoryDataset[] split(final InMemoryDataset dataset, final int workers)
    {
        final int[][] parts = partition(dataset, workers);
        final InMemoryDataset[] slices = new InMemoryDataset[parts.length];
        for (int w = 0; w < parts.length; w++)
        {
            slices[w] = dataset.subset(parts[w]);
        }

        return slices;
    }
}
