package dev.parasol.bench.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the runs of a row or a baseline into the entry {@code bench.json} holds: the median run's report fields (a
 * baseline's fastest run's), then the figures derived from them ({@code efficiency} against the baseline's fastest
 * run, {@code compression_ratio}, the baseline's figures), then a summary of every run.
 */
final class BenchRows
{
    private static final String SAMPLES_PER_S = "samples_per_s";

    private BenchRows()
    {
    }

    /**
     * Build a row's entry.
     *
     * @param benchCase    the row.
     * @param seed         the seed of its jobs.
     * @param runs         its runs, one per repetition, in order.
     * @param baselineRuns the runs of its baseline, one per repetition, in the same order.
     * @param machine      the machine.
     * @return the ordered fields.
     */
    static Map<String, Object> row(
        final BenchCase benchCase,
        final long seed,
        final List<RunRecord> runs,
        final List<RunRecord> baselineRuns,
        final Map<String, Object> machine)
    {
        final int median = BenchFigures.medianIndex(timesToTarget(runs));
        final RunRecord selected = runs.get(median);
        final RunRecord baseline = fastest(baselineRuns);
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", benchCase.id());
        row.put("workload", benchCase.workload().name());
        row.put("workers", benchCase.workers());
        row.put("shards", benchCase.shards());
        row.put("sync", benchCase.sync());
        row.put("overlap", benchCase.overlap());
        row.put("compression", benchCase.compression());
        row.put("error_feedback", benchCase.errorFeedback());
        row.put("max_epochs", benchCase.maxEpochs());
        row.put("seed", seed);
        row.put("state", selected.state());
        if (selected.error() != null)
        {
            row.put("error", selected.error());
        }
        row.putAll(selected.metrics());
        row.put("efficiency", efficiency(selected, baseline));
        row.put("compression_ratio", compressionRatio(selected));
        row.put("baseline_threads", benchCase.workers());
        row.put("baseline_samples_per_s", orNull(baseline.number(SAMPLES_PER_S)));
        row.put("baseline_time_to_target_s", baseline.timeToTarget());
        row.put("repetitions", runs.size());
        row.put("median_run", selected.repetition());
        final List<Map<String, Object>> summaries = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++)
        {
            final RunRecord run = runs.get(i);
            final Map<String, Object> summary = summary(run);
            summary.put("bytes_up_per_step", orNull(run.number("bytes_up_per_step")));
            summary.put("efficiency", efficiency(run, baseline));
            summary.put("compression_ratio", compressionRatio(run));
            // the baseline of the same repetition, for the record: a disturbed one is why it is not the divisor
            summary.put("baseline_samples_per_s_same_repetition", orNull(baselineRuns.get(i).number(SAMPLES_PER_S)));
            summary.put("job_id", run.metrics().get("job_id"));
            summaries.add(summary);
        }
        row.put("runs", summaries);
        row.put("machine", machine);
        return row;
    }

    /**
     * Build a baseline's entry.
     *
     * @param baseline the baseline.
     * @param runs     its runs, one per repetition, in order.
     * @param machine  the machine.
     * @return the ordered fields.
     */
    static Map<String, Object> baseline(
        final BaselineCase baseline, final List<RunRecord> runs, final Map<String, Object> machine)
    {
        final RunRecord selected = fastest(runs);
        final Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("id", baseline.id());
        entry.put("workload", baseline.workload().name());
        entry.put("threads", baseline.threads());
        entry.put("max_epochs", baseline.maxEpochs());
        entry.put("state", selected.state());
        if (selected.error() != null)
        {
            entry.put("error", selected.error());
        }
        entry.putAll(selected.metrics());
        entry.put("repetitions", runs.size());
        entry.put("fastest_run", selected.repetition());
        final List<Map<String, Object>> summaries = new ArrayList<>();
        for (final RunRecord run : runs)
        {
            summaries.add(summary(run));
        }
        entry.put("runs", summaries);
        entry.put("machine", machine);
        return entry;
    }

    /**
     * The run that did the most samples per second: what a baseline is judged by. On a shared machine a run can only
     * be slowed down by what else runs, never sped up, so the fastest run is the least disturbed estimate of what the
     * engine alone does here, and dividing by it never flatters a row.
     */
    static RunRecord fastest(final List<RunRecord> runs)
    {
        RunRecord fastest = runs.get(0);
        for (final RunRecord run : runs)
        {
            final Double samples = run.number(SAMPLES_PER_S);
            final Double best = fastest.number(SAMPLES_PER_S);
            if (samples != null && (best == null || samples > best))
            {
                fastest = run;
            }
        }
        return fastest;
    }

    static Double efficiency(final RunRecord run, final RunRecord baseline)
    {
        return BenchFigures.efficiency(run.number(SAMPLES_PER_S), baseline.number(SAMPLES_PER_S));
    }

    static Double compressionRatio(final RunRecord run)
    {
        return BenchFigures.compressionRatio(run.number("dense_bytes_per_step"), run.number("bytes_up_per_step"));
    }

    private static Map<String, Object> summary(final RunRecord run)
    {
        final Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("repetition", run.repetition());
        summary.put("state", run.state());
        summary.put("time_to_target_s", run.timeToTarget());
        summary.put("final_test_accuracy", orNull(run.number("final_test_accuracy")));
        summary.put(SAMPLES_PER_S, orNull(run.number(SAMPLES_PER_S)));
        summary.put("wall_s", run.wallSeconds());
        if (run.error() != null)
        {
            summary.put("error", run.error());
        }
        return summary;
    }

    private static List<Double> timesToTarget(final List<RunRecord> runs)
    {
        final List<Double> times = new ArrayList<>();
        for (final RunRecord run : runs)
        {
            times.add(run.timeToTarget());
        }
        return times;
    }

    private static Double orNull(final double value)
    {
        return Double.isFinite(value) ? value : null;
    }
}
