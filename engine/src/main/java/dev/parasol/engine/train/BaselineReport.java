package dev.parasol.engine.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of a baseline run's report, named as every Parasol report names them ({@code snake_case}), in one place
 * for `parasol baseline` and the benchmark suite, which both divide by them.
 */
public final class BaselineReport
{
    private BaselineReport()
    {
    }

    /**
     * Get the report of a run, in a stable order, ready for a JSON writer.
     *
     * @param result what the run reached.
     * @param config how it ran.
     * @return the fields, a new mutable map the caller may extend.
     */
    public static Map<String, Object> fields(final BaselineResult result, final BaselineConfig config)
    {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("workload", result.workloadName());
        fields.put("mode", "baseline");
        fields.put("epochs", result.epochs());
        fields.put("final_test_accuracy", result.finalTestAccuracy());
        fields.put("final_test_loss", result.finalTestLoss());
        fields.put("time_to_target_s", result.timeToTargetSeconds());
        fields.put("target_accuracy", result.targetAccuracy());
        fields.put("target_reached", result.targetReached());
        fields.put("samples_per_s", result.samplesPerSecond());
        fields.put("parameters", result.parameters());
        fields.put("steps", result.steps());
        fields.put("samples", result.samples());
        fields.put("wall_s", result.wallSeconds());
        fields.put("threads", result.threads());
        fields.put("seed", config.seed());
        fields.put("optimizer", config.optimiser().toString());
        fields.put("learning_rate", config.optimiser().learningRate());
        fields.put("batch_size", config.batchSize());
        fields.put("blas", result.blas());
        fields.put("diverged", result.diverged());
        final List<Map<String, Object>> evaluations = new ArrayList<>();
        for (final Evaluation e : result.evaluations())
        {
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", e.epoch());
            row.put("steps", e.steps());
            row.put("train_loss", e.trainLoss());
            row.put("test_loss", e.testLoss());
            row.put("test_accuracy", e.testAccuracy());
            row.put("samples_per_s", e.samplesPerSecond());
            row.put("elapsed_s", e.elapsedSeconds());
            evaluations.add(row);
        }
        fields.put("evaluations", evaluations);
        return fields;
    }
}
