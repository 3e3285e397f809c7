package dev.parasol.bench.e2e;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one benchmark run measured, in the shape of {@code bench.json}: rows and baselines are ordered maps of
 * report fields, so that a row carries {@code parasol train}'s fields as they are.
 *
 * @param suite       the suite's name.
 * @param repetitions runs per row.
 * @param seed        seed of every job and baseline.
 * @param startedAt   when the run started.
 * @param wallSeconds how long the whole run took.
 * @param machine     the machine ({@link MachineInfo#describe}).
 * @param baselines   one entry per workload and thread count.
 * @param rows        one entry per row of the suite, in suite order.
 */
public record BenchResult(
    String suite,
    int repetitions,
    long seed,
    Instant startedAt,
    double wallSeconds,
    Map<String, Object> machine,
    List<Map<String, Object>> baselines,
    List<Map<String, Object>> rows)
{
    /**
     * How efficiency is defined, written into the report beside the figures.
     */
    public static final String EFFICIENCY_DEFINITION = "efficiency = samples_per_s of the row / samples_per_s of " +
        "the single-process baseline (parasol baseline) with threads = the row's workers, same workload, measured " +
        "in the same run: the fastest of its runs (one per repetition), the least disturbed on a shared machine, so " +
        "a slow baseline run never flatters a row";

    /**
     * How compression ratio is defined, written into the report beside the figures.
     */
    public static final String COMPRESSION_RATIO_DEFINITION = "compression_ratio = dense_bytes_per_step / " +
        "bytes_up_per_step: the codec's encoded length of one worker step's dense pushes over the uplink bytes " +
        "measured per step";

    /**
     * How a row's run is chosen when it ran several times, written into the report.
     */
    public static final String SELECTION_DEFINITION = "each row reports its median run by time to target (runs " +
        "that miss the target rank last; of two runs, the faster), and every run under runs";

    /**
     * Get the whole report as {@code bench.json} holds it.
     *
     * @return ordered fields: {@code suite}, {@code started_at}, {@code wall_s}, {@code repetitions}, {@code seed},
     *     the definitions, {@code machine}, {@code baselines}, {@code rows}.
     */
    public Map<String, Object> toJson()
    {
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("suite", suite);
        json.put("started_at", startedAt.toString());
        json.put("wall_s", wallSeconds);
        json.put("repetitions", repetitions);
        json.put("seed", seed);
        json.put("efficiency_definition", EFFICIENCY_DEFINITION);
        json.put("compression_ratio_definition", COMPRESSION_RATIO_DEFINITION);
        json.put("selection", SELECTION_DEFINITION);
        json.put("machine", machine);
        json.put("baselines", baselines);
        json.put("rows", rows);
        return json;
    }
}
