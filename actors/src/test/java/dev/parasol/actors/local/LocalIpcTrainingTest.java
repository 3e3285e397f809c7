package dev.parasol.actors.local;

import com.typesafe.config.ConfigFactory;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.dataplane.Transport;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.jobapi.JobStatus;
import dev.parasol.actors.jobapi.ProgressEvent;
import dev.parasol.engine.data.DatasetLocator;
import dev.parasol.engine.data.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Local mode as {@code parasol train} runs it: the job's parts over Aeron IPC, and workers that overlap each
 * gradient with the previous step's round trip. On the real Fashion-MNIST data (installed by .ci/run; skipped where
 * it is missing).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LocalIpcTrainingTest
{
    @TempDir
    Path jobs;

    @Test
    void shouldReachW1TargetWithOverlappedStepsOverIpcAndCountEveryUpdateOnce() throws Exception
    {
        assumeTrue(Files.isRegularFile(
            Path.of(DatasetLocator.SYSTEM_DIRECTORY_DEFAULT, FashionMnist.TRAIN_IMAGES + ".gz")),
            "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist");
        final JobSpec spec = JobSpec.builder()
            .workload("W1")
            .workers(2)
            .shards(2)
            .sync("ssp:3")
            .compress("topk:0.01")
            .overlap(true)
            // W1 under SGD at lr 0.1 wanders by about a point between evaluations, more so with the staleness an
            // overlapped step adds (p50 3 here against 1): a target a point under W1's 0.84 keeps this test about
            // the data path, not about the last point of accuracy.
            .targetAccuracy(0.83)
            .epochs(15)
            .checkpointDir(jobs.resolve("w1"))
            .seed(11)
            .build();

        try (LocalParasol parasol = LocalParasol.start(new DataPlaneContext().transport(Transport.IPC),
            LocalParasol.WORKER_SLOTS_DEFAULT, ConfigFactory.parseString("pekko.loglevel = WARNING")))
        {
            final String jobId = parasol.client().submit(spec).toCompletableFuture().get(30, TimeUnit.SECONDS);
            final JobStatus status = parasol.client().followProgress(jobId, LocalIpcTrainingTest::ignore)
                .toCompletableFuture().get(240, TimeUnit.SECONDS);

            assertEquals(JobStatus.State.SUCCEEDED, status.state(), () -> "job ended " + status);
            final Map<String, Object> m = status.result().metrics();
            assertTrue((Boolean)m.get("target_reached"), () -> "W1 did not reach its target: " + m);
            assertEquals(Boolean.TRUE, m.get("overlap"));
            final long sent = ((Number)m.get("updates_sent")).longValue();
            assertTrue(sent > 0);
            assertEquals(sent, ((Number)m.get("updates_applied")).longValue() +
                ((Number)m.get("updates_dropped_stale")).longValue(), () -> "every update counted once: " + m);
            assertEquals(0L, ((Number)m.get("messages_rejected")).longValue(), () -> m.toString());
            assertTrue(((Number)m.get("bytes_up_per_step")).doubleValue() * 20 <
                ((Number)m.get("dense_bytes_per_step")).doubleValue(), "bytes are counted over IPC as over UDP");
        }
    }

    private static void ignore(final ProgressEvent event)
    {
    }
}
