package dev.parasol.bench.e2e;

import dev.parasol.engine.model.Workload;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A benchmark matrix: the rows to run, in order, and how many times each runs (the report keeps the median run by
 * time to target, and every run's raw figures).
 * <ul>
 *     <li>{@code full}: workloads W1 and W2 (W3 on request) x sync {@code bsp}, {@code ssp:3}, {@code asp} x
 *     compressors {@code dense}, {@code topk:0.01} with error feedback, {@code qsgd:8}, {@code sign} with error
 *     feedback x 2 and 4 workers, 2 shards, at most {@value #FULL_MAX_EPOCHS} epochs, each row twice: 48 rows,
 *     and W2 with overlapped steps under {@code ssp:3} and {@code asp}, dense and top-k, 2 and 4 workers: 8
 *     more;</li>
 *     <li>{@code quick}: a subset that finishes in under 10 minutes on 2 cores, each row once, at most
 *     {@value #QUICK_MAX_EPOCHS} epochs: W1 and W2 under {@code ssp:3} with dense and top-k, the same W2 rows with
 *     overlapped steps, W2's other two compressors, W2 under {@code bsp} and {@code asp} with dense and top-k, W2
 *     with 4 workers, and W2 top-k with 1 worker, sequential and overlapped.</li>
 * </ul>
 *
 * @param name        the suite's name, e.g. {@code quick}.
 * @param repetitions how many times each row and each baseline runs, at least 1.
 * @param cases       the rows, in the order they run; ids are unique.
 */
public record BenchSuite(String name, int repetitions, List<BenchCase> cases)
{
    /**
     * Synchronisation policies of the full matrix.
     */
    public static final List<String> SYNCS = List.of("bsp", "ssp:3", "asp");

    /**
     * Synchronisation policies of the full suite's overlapped rows (BSP cannot overlap).
     */
    public static final List<String> OVERLAP_SYNCS = List.of("ssp:3", "asp");

    /**
     * Compressors of the full suite's overlapped rows: the baseline and the one that lifts throughput.
     */
    public static final List<String> OVERLAP_COMPRESSIONS = List.of("dense", "topk:0.01");

    /**
     * Compressors of the full matrix; top-k and sign run with error feedback.
     */
    public static final List<String> COMPRESSIONS = List.of("dense", "topk:0.01", "qsgd:8", "sign");

    /**
     * Worker counts of the full matrix.
     */
    public static final List<Integer> WORKER_COUNTS = List.of(2, 4);

    /**
     * Parameter-server shards of every row.
     */
    public static final int SHARDS = 2;

    /**
     * Epoch budget of a quick row that does not reach its target: about twice what W2 needs.
     */
    public static final double QUICK_MAX_EPOCHS = 15.0;

    /**
     * Epoch budget of a full row, the default of {@code parasol train}.
     */
    public static final double FULL_MAX_EPOCHS = 30.0;

    /**
     * How many times the full suite runs each row.
     */
    public static final int FULL_REPETITIONS = 2;

    /**
     * Name of the quick suite.
     */
    public static final String QUICK = "quick";

    /**
     * Name of the full suite.
     */
    public static final String FULL = "full";

    /**
     * Check the fields.
     *
     * @param name        the suite's name.
     * @param repetitions runs per row, at least 1.
     * @param cases       the rows, at least one, unique ids.
     */
    public BenchSuite
    {
        cases = List.copyOf(cases);
        if (name == null || name.isBlank() || repetitions < 1 || cases.isEmpty())
        {
            throw new IllegalArgumentException("invalid bench suite: name=" + name + " repetitions=" + repetitions +
                " cases=" + cases.size() + " (expected a name, repetitions >= 1, at least one case)");
        }
        final Set<String> ids = new HashSet<>();
        for (final BenchCase c : cases)
        {
            if (!ids.add(c.id()))
            {
                throw new IllegalArgumentException("bench suite " + name + " lists case " + c.id() + " twice");
            }
        }
    }

    /**
     * Get a suite by name.
     *
     * @param name   {@value #QUICK} or {@value #FULL}, in any case.
     * @param withW3 true to add W3's rows (the CNN; slow on 2 cores).
     * @return the suite.
     * @throws IllegalArgumentException naming the value and the accepted names.
     */
    public static BenchSuite named(final String name, final boolean withW3)
    {
        final String id = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (QUICK.equals(id))
        {
            return quick(withW3);
        }
        if (FULL.equals(id))
        {
            return full(withW3);
        }
        throw new IllegalArgumentException("unknown suite '" + name + "' (expected " + QUICK + " or " + FULL + ")");
    }

    /**
     * Get the quick suite: one run per row, under 10 minutes on 2 cores.
     *
     * @param withW3 true to add W3 with 2 workers under {@code ssp:3}, dense and top-k.
     * @return the suite.
     */
    public static BenchSuite quick(final boolean withW3)
    {
        final double epochs = QUICK_MAX_EPOCHS;
        final List<BenchCase> cases = new ArrayList<>();
        for (final Workload w : List.of(Workload.W1, Workload.W2))
        {
            cases.add(BenchCase.of(w, 2, SHARDS, "ssp:3", "dense", epochs));
            cases.add(BenchCase.of(w, 2, SHARDS, "ssp:3", "topk:0.01", epochs));
        }
        cases.add(BenchCase.of(Workload.W2, 2, SHARDS, "ssp:3", "dense", epochs).overlapped());
        cases.add(BenchCase.of(Workload.W2, 2, SHARDS, "ssp:3", "topk:0.01", epochs).overlapped());
        cases.add(BenchCase.of(Workload.W2, 2, SHARDS, "ssp:3", "qsgd:8", epochs));
        cases.add(BenchCase.of(Workload.W2, 2, SHARDS, "ssp:3", "sign", epochs));
        for (final String sync : List.of("bsp", "asp"))
        {
            cases.add(BenchCase.of(Workload.W2, 2, SHARDS, sync, "dense", epochs));
            cases.add(BenchCase.of(Workload.W2, 2, SHARDS, sync, "topk:0.01", epochs));
        }
        cases.add(BenchCase.of(Workload.W2, 4, SHARDS, "ssp:3", "dense", epochs));
        cases.add(BenchCase.of(Workload.W2, 4, SHARDS, "ssp:3", "topk:0.01", epochs));
        // One worker leaves a core to the shards, the evaluator and the driver: what a worker node has to itself.
        cases.add(BenchCase.of(Workload.W2, 1, SHARDS, "ssp:3", "topk:0.01", epochs));
        cases.add(BenchCase.of(Workload.W2, 1, SHARDS, "ssp:3", "topk:0.01", epochs).overlapped());
        if (withW3)
        {
            cases.add(BenchCase.of(Workload.W3, 2, SHARDS, "ssp:3", "dense", epochs));
            cases.add(BenchCase.of(Workload.W3, 2, SHARDS, "ssp:3", "topk:0.01", epochs));
        }
        return new BenchSuite(QUICK, 1, cases);
    }

    /**
     * Get the full suite: the whole matrix, each row twice.
     *
     * @param withW3 true to add W3's 24 rows.
     * @return the suite.
     */
    public static BenchSuite full(final boolean withW3)
    {
        final List<Workload> workloads = withW3 ? List.of(Workload.W1, Workload.W2, Workload.W3) :
            List.of(Workload.W1, Workload.W2);
        final List<BenchCase> cases = new ArrayList<>();
        for (final Workload w : workloads)
        {
            for (final int workers : WORKER_COUNTS)
            {
                for (final String sync : SYNCS)
                {
                    for (final String compression : COMPRESSIONS)
                    {
                        cases.add(BenchCase.of(w, workers, SHARDS, sync, compression, FULL_MAX_EPOCHS));
                    }
                }
            }
        }
        for (final int workers : WORKER_COUNTS)
        {
            for (final String sync : OVERLAP_SYNCS)
            {
                for (final String compression : OVERLAP_COMPRESSIONS)
                {
                    cases.add(BenchCase.of(Workload.W2, workers, SHARDS, sync, compression, FULL_MAX_EPOCHS)
                        .overlapped());
                }
            }
        }
        return new BenchSuite(FULL, FULL_REPETITIONS, cases);
    }

    /**
     * Keep only the rows of some workloads, e.g. to run the full matrix's W3 rows on their own (their baselines follow
     * the rows, so every efficiency is still divided by a baseline of the same run).
     *
     * @param workloads the workloads to keep, at least one.
     * @return a suite of the same name and repetitions with those rows, in their order.
     * @throws IllegalArgumentException if the suite has no row of any of them, naming the workloads it has.
     */
    public BenchSuite only(final Set<Workload> workloads)
    {
        final List<BenchCase> kept = new ArrayList<>();
        final Set<Workload> present = new TreeSet<>();
        for (final BenchCase c : cases)
        {
            present.add(c.workload());
            if (workloads.contains(c.workload()))
            {
                kept.add(c);
            }
        }
        if (kept.isEmpty())
        {
            throw new IllegalArgumentException("suite " + name + " has no row of " + new TreeSet<>(workloads) +
                " (it has " + present + (present.contains(Workload.W3) ? "" : "; W3 needs --with-w3") + ")");
        }
        return new BenchSuite(name, repetitions, kept);
    }

    /**
     * Get the baselines the rows are divided by: one per workload and worker count, in the order the rows first
     * need them, each with the largest epoch budget of its rows.
     *
     * @return the baselines.
     */
    public List<BaselineCase> baselines()
    {
        final Map<String, BaselineCase> baselines = new LinkedHashMap<>();
        for (final BenchCase c : cases)
        {
            final String key = c.workload().name() + "/" + c.workers();
            final BaselineCase existing = baselines.get(key);
            final double epochs = existing == null ? c.maxEpochs() : Math.max(existing.maxEpochs(), c.maxEpochs());
            baselines.put(key, new BaselineCase(c.workload(), c.workers(), epochs));
        }
        return List.copyOf(baselines.values());
    }

    /**
     * Get the largest number of workers of a row, the worker slots the local node needs.
     *
     * @return the largest worker count.
     */
    public int maxWorkers()
    {
        int max = 1;
        for (final BenchCase c : cases)
        {
            max = Math.max(max, c.workers());
        }
        return max;
    }

    /**
     * Get the number of job runs: rows times repetitions.
     *
     * @return the count.
     */
    public int jobRuns()
    {
        return cases.size() * repetitions;
    }
}
