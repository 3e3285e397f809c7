package dev.parasol.actors.jobapi;

import dev.parasol.actors.CborSerializable;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a job produced: its metrics under the JSON report's field names, and where the model and the report were
 * written.
 *
 * @param metrics    report fields in report order, e.g. {@code workload}, {@code final_test_accuracy},
 *                   {@code time_to_target_s} (null when the target was not reached), {@code bytes_up_per_step};
 *                   values are strings, numbers, booleans, nulls, or lists and maps of them.
 * @param modelPath  the {@code .safetensors} file of the final model, or null if none was written.
 * @param reportPath the JSON report, or null if none was written.
 */
public record JobResult(Map<String, Object> metrics, Path modelPath, Path reportPath) implements CborSerializable
{
    /**
     * Report field: the workload id.
     */
    public static final String WORKLOAD = "workload";

    /**
     * Report field: accuracy at the last evaluation.
     */
    public static final String FINAL_TEST_ACCURACY = "final_test_accuracy";

    /**
     * Report field: wall seconds to the first evaluation at or above the target, or null.
     */
    public static final String TIME_TO_TARGET_S = "time_to_target_s";

    /**
     * Report field: the target accuracy.
     */
    public static final String TARGET_ACCURACY = "target_accuracy";

    /**
     * Report field: whether the target was reached.
     */
    public static final String TARGET_REACHED = "target_reached";

    /**
     * Report field: optimiser steps summed over the workers.
     */
    public static final String STEPS = "steps";

    /**
     * Report field: epochs completed.
     */
    public static final String EPOCHS = "epochs";

    /**
     * Report field: uplink bytes offered to Aeron.
     */
    public static final String BYTES_UP = "bytes_up";

    /**
     * Report field: downlink bytes offered to Aeron.
     */
    public static final String BYTES_DOWN = "bytes_down";

    /**
     * Keep the metrics in order; null becomes empty.
     *
     * @param metrics    report fields.
     * @param modelPath  the model file, or null.
     * @param reportPath the report file, or null.
     */
    public JobResult
    {
        // report fields may hold nulls (time_to_target_s), which Map.copyOf refuses
        metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /**
     * Get a report field.
     *
     * @param name the field name, e.g. {@link #FINAL_TEST_ACCURACY}.
     * @return the value, or null when absent.
     */
    public Object metric(final String name)
    {
        return metrics.get(name);
    }

    /**
     * Get the accuracy at the last evaluation.
     *
     * @return {@link #FINAL_TEST_ACCURACY}, or NaN when absent or not a number.
     */
    public double finalTestAccuracy()
    {
        return metrics.get(FINAL_TEST_ACCURACY) instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
