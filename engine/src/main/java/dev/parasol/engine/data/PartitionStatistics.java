package dev.parasol.engine.data;

/**
 * Measures of how skewed a partition is, for tests and reports of non-IID runs.
 * <p>
 * The main figure is the mean over workers of the total-variation distance
 * {@code TV(p_w, q) = 1/2 sum_c |p_w(c) - q(c)|} between a worker's label distribution {@code p_w} and the label
 * distribution {@code q} of the whole data set: 0 for a perfectly stratified split, close to 1 when each worker
 * holds classes that are rare overall.
 */
public final class PartitionStatistics
{
    private PartitionStatistics()
    {
    }

    /**
     * Count the examples of each class held by each worker.
     *
     * @param dataset   the partitioned data set.
     * @param partition example indices per worker, as returned by {@link Partitioner#partition}.
     * @return {@code [worker][class]} counts.
     */
    public static int[][] labelHistograms(final InMemoryDataset dataset, final int[][] partition)
    {
        final int[][] histograms = new int[partition.length][dataset.classes()];
        for (int w = 0; w < partition.length; w++)
        {
            for (final int example : partition[w])
            {
                histograms[w][dataset.label(example)]++;
            }
        }

        return histograms;
    }

    /**
     * Get the mean over workers of the total-variation distance between each worker's label distribution and the
     * data set's. Workers without examples are skipped.
     *
     * @param dataset   the partitioned data set.
     * @param partition example indices per worker.
     * @return the mean distance, in {@code [0, 1]}.
     */
    public static double meanTotalVariationDistance(final InMemoryDataset dataset, final int[][] partition)
    {
        final int[] global = dataset.labelHistogram();
        final int[][] histograms = labelHistograms(dataset, partition);
        double sum = 0.0;
        int counted = 0;
        for (int w = 0; w < partition.length; w++)
        {
            if (partition[w].length == 0)
            {
                continue;
            }
            double distance = 0.0;
            for (int c = 0; c < global.length; c++)
            {
                final double p = (double)histograms[w][c] / partition[w].length;
                final double q = (double)global[c] / dataset.size();
                distance += Math.abs(p - q);
            }
            sum += 0.5 * distance;
            counted++;
        }

        return counted == 0 ? 0.0 : sum / counted;
    }
}
