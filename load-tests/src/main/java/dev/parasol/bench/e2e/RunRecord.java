package dev.parasol.bench.e2e;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one run of a row or of a baseline produced.
 *
 * @param repetition  which pass over the suite it belongs to, from 1.
 * @param state       how it ended: the job's final state ({@code SUCCEEDED}, {@code FAILED}, {@code CANCELLED}),
 *                    {@code TIMED_OUT}, or for a baseline {@code SUCCEEDED}, {@code DIVERGED}, {@code FAILED}.
 * @param error       why it failed, or null.
 * @param metrics     the report fields ({@code parasol train}'s or {@code parasol baseline}'s); empty when the run
 *                    produced none.
 * @param wallSeconds seconds from submission to the result, including set-up and tear-down.
 */
public record RunRecord(int repetition, String state, String error, Map<String, Object> metrics, double wallSeconds)
{
    /**
     * State of a run that finished normally.
     */
    public static final String SUCCEEDED = "SUCCEEDED";

    /**
     * State of a run that threw or whose job failed without a result.
     */
    public static final String FAILED = "FAILED";

    /**
     * State of a job that gave no result within the timeout and was cancelled.
     */
    public static final String TIMED_OUT = "TIMED_OUT";

    /**
     * Keep the metrics in order; null becomes empty.
     *
     * @param repetition  pass number, from 1.
     * @param state       how it ended.
     * @param error       why it failed, or null.
     * @param metrics     report fields, may hold null values.
     * @param wallSeconds seconds it took.
     */
    public RunRecord
    {
        metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /**
     * A run that produced no report.
     *
     * @param repetition  pass number.
     * @param state       how it ended.
     * @param error       why.
     * @param wallSeconds seconds it took.
     * @return the record.
     */
    public static RunRecord failed(final int repetition, final String state, final String error,
        final double wallSeconds)
    {
        return new RunRecord(repetition, state, error, Map.of(), wallSeconds);
    }

    /**
     * Did the run produce a report?
     *
     * @return true if it has metrics.
     */
    public boolean hasMetrics()
    {
        return !metrics.isEmpty();
    }

    /**
     * Get a numeric report field.
     *
     * @param field the field name, e.g. {@code samples_per_s}.
     * @return its value, or NaN when it is absent, null or not a number.
     */
    public double number(final String field)
    {
        return metrics.get(field) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /**
     * Get the time to target.
     *
     * @return seconds to the first evaluation at or above the target, or null when it was never reached.
     */
    public Double timeToTarget()
    {
        final double seconds = number("time_to_target_s");
        return Double.isNaN(seconds) ? null : seconds;
    }
}
