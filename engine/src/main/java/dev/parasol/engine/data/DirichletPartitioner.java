package dev.parasol.engine.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Non-IID partition by label with a Dirichlet distribution, as used to simulate skewed federated data by Hsu, Qi and
 * Brown, "Measuring the Effects of Non-Identical Data Distribution for Federated Visual Classification",
 * arXiv:1909.06335, 2019. This class uses the per-class form (Yurochkin et al., ICML 2019; Wang et al., FedMA,
 * ICLR 2020): for each class, draw proportions {@code p ~ Dir(alpha, ..., alpha)} over the workers and split that
 * class's examples, shuffled, into consecutive runs of {@code floor(cumsum(p) * n_class)} boundaries. Small alpha
 * (0.1) gives each worker a few dominant classes; large alpha (100) approaches an IID split. Gamma variates come from
 * {@link GammaSampler} (Marsaglia and Tsang, with the boost for alpha &lt; 1).
 * <p>
 * Empty workers: with small alpha, a draw can leave a worker with no example at all, and a worker with no data cannot
 * train. This partitioner guarantees every worker at least {@code minExamplesPerWorker} examples (1 by default) by
 * redrawing the whole split, with the same random stream, until the guarantee holds; after
 * {@code maxAttempts} draws, or at once when {@code size < workers * minExamplesPerWorker}, it raises a
 * {@link DatasetException} that names alpha, the number of workers and the smallest share found. Redrawing
 * conditions the distribution on the guarantee, as the reference implementations do ({@code while min_size < 10}).
 * <p>
 * The result depends only on the labels, alpha, the number of workers, the minimum and the seed.
 */
public final class DirichletPartitioner implements Partitioner
{
    /**
     * Default minimum number of examples for every worker.
     */
    public static final int MIN_EXAMPLES_PER_WORKER_DEFAULT = 1;

    /**
     * Default number of whole-split draws before giving up on the minimum.
     */
    public static final int MAX_ATTEMPTS_DEFAULT = 1000;

    private final double alpha;
    private final long seed;
    private final int minExamplesPerWorker;
    private final int maxAttempts;

    /**
     * Partition with concentration alpha, a seed, and the default guarantee of one example per worker.
     *
     * @param alpha concentration, &gt; 0: 0.1 is very skewed, 100 nearly IID.
     * @param seed  seed of the shuffles and draws.
     */
    public DirichletPartitioner(final double alpha, final long seed)
    {
        this(alpha, seed, MIN_EXAMPLES_PER_WORKER_DEFAULT, MAX_ATTEMPTS_DEFAULT);
    }

    /**
     * Partition with concentration alpha, a seed, and an explicit guarantee.
     *
     * @param alpha                concentration, &gt; 0 and finite.
     * @param seed                 seed of the shuffles and draws.
     * @param minExamplesPerWorker each worker gets at least this many examples, at least 1.
     * @param maxAttempts          draws of the whole split before giving up, at least 1.
     */
    public DirichletPartitioner(
        final double alpha, final long seed, final int minExamplesPerWorker, final int maxAttempts)
    {
        if (!(alpha > 0.0) || Double.isInfinite(alpha))
        {
            throw new IllegalArgumentException("alpha=" + alpha + ", expected a finite value > 0");
        }
        if (minExamplesPerWorker < 1 || maxAttempts < 1)
        {
            throw new IllegalArgumentException("minExamplesPerWorker=" + minExamplesPerWorker + " maxAttempts=" +
                maxAttempts + ", expected both >= 1");
        }

        this.alpha = alpha;
        this.seed = seed;
        this.minExamplesPerWorker = minExamplesPerWorker;
        this.maxAttempts = maxAttempts;
    }

    /**
     * Get the concentration.
     *
     * @return alpha.
     */
    public double alpha()
    {
        return alpha;
    }

    /**
     * Get the seed.
     *
     * @return the seed of the shuffles and draws.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * Get the minimum number of examples every worker gets.
     *
     * @return the minimum.
     */
    public int minExamplesPerWorker()
    {
        return minExamplesPerWorker;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int[][] partition(final InMemoryDataset dataset, final int workers)
    {
        final int size = dataset.size();
        checkWorkers(size, workers, minExamplesPerWorker);

        final int[][] byClass = indicesByClass(dataset);
        final SplittableRandom random = new SplittableRandom(seed);
        final double[] proportions = new double[workers];
        final int[] owner = new int[size];
        final int[] counts = new int[workers];
        int smallest = 0;
        for (int attempt = 1; attempt <= maxAttempts; attempt++)
        {
            Arrays.fill(counts, 0);
            for (final int[] members : byClass)
            {
                MiniBatchIterator.shuffle(members, members.length, random);
                GammaSampler.dirichlet(alpha, proportions, random);
                assignRuns(members, proportions, owner, counts);
            }

            smallest = Integer.MAX_VALUE;
            for (final int count : counts)
            {
                smallest = Math.min(smallest, count);
            }
            if (smallest >= minExamplesPerWorker)
            {
                return collect(owner, counts);
            }
        }

        throw new DatasetException("Dirichlet partition of " + size + " examples over " + workers +
            " workers with alpha=" + alpha + " left a worker with " + smallest + " examples in each of " +
            maxAttempts + " draws, expected at least " + minExamplesPerWorker + " per worker: use a larger alpha, " +
            "fewer workers or more data");
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "DirichletPartitioner{alpha=" + alpha + ", seed=" + seed + ", minExamplesPerWorker=" +
            minExamplesPerWorker + "}";
    }

    static void checkWorkers(final int size, final int workers, final int minExamplesPerWorker)
    {
        if (workers < 1)
        {
            throw new IllegalArgumentException("workers=" + workers + ", expected >= 1");
        }
        if ((long)workers * minExamplesPerWorker > size)
        {
            throw new DatasetException("cannot split " + size + " examples over " + workers + " workers with at " +
                "least " + minExamplesPerWorker + " example(s) each: expected at least " +
                (long)workers * minExamplesPerWorker + " examples; use fewer workers or more data");
        }
    }

    private static int[][] indicesByClass(final InMemoryDataset dataset)
    {
        final int[] histogram = dataset.labelHistogram();
        final int[][] byClass = new int[histogram.length][];
        for (int c = 0; c < histogram.length; c++)
        {
            byClass[c] = new int[histogram[c]];
        }

        final int[] fill = new int[histogram.length];
        for (int i = 0; i < dataset.size(); i++)
        {
            final int label = dataset.label(i);
            byClass[label][fill[label]++] = i;
        }

        return byClass;
    }

    private static void assignRuns(
        final int[] members, final double[] proportions, final int[] owner, final int[] counts)
    {
        final int n = members.length;
        final int workers = proportions.length;
        double cumulative = 0.0;
        int start = 0;
        for (int w = 0; w < workers; w++)
        {
            cumulative += proportions[w];
            // The last worker takes the rest, so rounding in the cumulative sum never loses an example.
            final int end = w == workers - 1 ? n : Math.max(start, Math.min(n, (int)Math.floor(cumulative * n)));
            for (int i = start; i < end; i++)
            {
                owner[members[i]] = w;
            }
            counts[w] += end - start;
            start = end;
        }
    }

    private static int[][] collect(final int[] owner, final int[] counts)
    {
        final int[][] parts = new int[counts.length][];
        for (int w = 0; w < counts.length; w++)
        {
            parts[w] = new int[counts[w]];
        }

        final int[] fill = new int[counts.length];
        for (int i = 0; i < owner.length; i++)
        {
            final int w = owner[i];
            parts[w][fill[w]++] = i;
        }

        return parts;
    }
}
