package dev.parasol.actors.job;

import dev.parasol.actors.jobapi.JobResult;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.jobapi.ProgressEvent;
import dev.parasol.actors.psshard.ShardStatistics;
import dev.parasol.actors.worker.Evaluator;
import dev.parasol.actors.worker.WorkerTelemetry;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.model.ParameterLayout;
import dev.parasol.engine.model.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobMetricsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldSumWorkersAndShardsWhenBuildingProgressAndReport() throws Exception
    {
        final JobSpec spec = JobSpec.builder().workload("W1").workers(2).shards(2).compress("topk:0.01")
            .checkpointDir(dir).build();
        final ParameterLayout layout = Workload.W1.create(1).layout();
        final KeyRange[] ranges = layout.split(2);
        final JobMetrics metrics = new JobMetrics(
            "job-1", spec, 1_000, ranges, "test-blas", Map.of("shard 0", "127.0.0.1:2552"));
        metrics.start();
        metrics.onWorkerTelemetry(0, snapshot(0, 10, 640, 20, 1, 2_000));
        metrics.onWorkerTelemetry(1, snapshot(1, 12, 768, 24, 0, 3_000));
        // An older snapshot arriving late must not go back in time.
        metrics.onWorkerTelemetry(1, snapshot(1, 5, 320, 10, 0, 1_000));
        metrics.onShardStatistics(statistics(0, 31, 4_000));
        metrics.onShardStatistics(statistics(1, 13, 6_000));

        final ProgressEvent event = metrics.progressEvent();
        assertEquals(22, event.steps());
        assertEquals(1_408, event.samples());
        assertEquals(5_000, event.bytesUp());
        assertEquals(10_000, event.bytesDown());
        assertEquals(Long.valueOf(44), event.counters().get("updates_sent"), "pushes minus resends");
        assertEquals(Long.valueOf(44), event.counters().get("updates_applied"));

        metrics.onEvaluation(0.9, 0.3);
        metrics.stop();
        final ModelAssembly model = new ModelAssembly(layout);
        model.add(new Evaluator.ModelChunk(0, layout.size(), new float[layout.size()]));
        final JobResult result = metrics.writeResult("target accuracy reached", model);
        final Map<String, Object> m = result.metrics();
        assertEquals(22L, m.get("steps"));
        assertEquals(5_000.0 / 22, (Double)m.get("bytes_up_per_step"), 1e-9);
        assertEquals(10_000.0 / 22, (Double)m.get("bytes_down_per_step"), 1e-9);
        assertEquals(1L, m.get("back_pressure_events"));
        assertTrue(Files.isRegularFile(result.modelPath()));
        assertTrue(Files.isRegularFile(result.reportPath()));
    }

    private static WorkerTelemetry.Snapshot snapshot(
        final int worker, final long steps, final long samples, final long pushes, final long backPressure,
        final long bytesUp)
    {
        return new WorkerTelemetry.Snapshot(worker, 0, steps, samples, pushes + worker, worker, bytesUp, 0, 0,
            backPressure, 0, 0, 0, 0, 0, 0.5, false, new long[2], new long[2], new double[2], new double[2],
            new double[2]);
    }

    private static ShardStatistics statistics(final int shard, final long applied, final long bytesOut)
    {
        return new ShardStatistics(1L, shard, applied, applied, 0, 0, 0, 0, 0, 0, 0, bytesOut, 0, 0, applied, 0, 1,
            2, Map.of(), 0, 0, -1, 0, 0);
    }
}
