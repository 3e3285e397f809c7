package dev.parasol.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parasol.actors.jobapi.JobResult;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.jobapi.JobStatus;
import dev.parasol.actors.jobapi.ProgressEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class SubmitHistoryTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private List<JsonNode> lines(final Path file) throws IOException
    {
        final List<JsonNode> lines = new ArrayList<>();
        for (final String line : Files.readAllLines(file))
        {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    @Test
    void shouldAppendOneLinePerEventFromSubmissionToTheEnd() throws IOException
    {
        final Path file = dir.resolve("runs").resolve("client.jsonl");
        final SubmitHistory history = SubmitHistory.open(file);
        final JobSpec spec = JobSpec.builder().workload("W1").seed(7).build();
        final ProgressEvent progress = ProgressEvent.builder("job-1-abcd").elapsedSeconds(2.5)
            .progress(1200, 76_800, 1.28).lastTestAccuracy(0.81).bytes(1000, 2000).staleness(0, 1, 3)
            .counter("updates_sent", 2400).counter("updates_applied", 2398).build();
        final Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("target_reached", true);
        metrics.put("time_to_target_s", 9.5);
        final JobStatus succeeded = new JobStatus("job-1-abcd", spec.summary(), spec, JobStatus.State.SUCCEEDED,
            Instant.now(), Instant.now(), Instant.now(), progress, new JobResult(metrics, null, null), null, false, -1);

        history.submitted("job-1-abcd", spec);
        history.progress(progress);
        history.ended(succeeded);

        final List<JsonNode> lines = lines(file);
        assertEquals(3, lines.size());
        assertEquals(List.of("submitted", "progress", "finished"),
            lines.stream().map((l) -> l.path("event").asText()).toList());
        for (final JsonNode line : lines)
        {
            assertEquals("submit", line.path("source").asText());
            assertEquals("job-1-abcd", line.path("job_id").asText());
            assertTrue(line.path("wall_ms").asLong() > 1_600_000_000_000L, line::toString);
            assertTrue(line.has("mono_ms") && line.has("pid"), line::toString);
        }
        assertEquals(7, lines.get(0).path("spec").path("seed").asLong());
        assertEquals(2.5, lines.get(1).path("elapsed_s").asDouble());
        assertEquals(0.81, lines.get(1).path("accuracy").asDouble());
        assertEquals(2398, lines.get(1).path("counters").path("updates_applied").asLong());
        assertEquals(3, lines.get(1).path("staleness").path("max").asLong());
        assertEquals("SUCCEEDED", lines.get(2).path("state").asText());
        assertEquals(9.5, lines.get(2).path("metrics").path("time_to_target_s").asDouble());
    }

    @Test
    void shouldRecordAFailureWithItsReasonAndNoMetrics() throws IOException
    {
        final Path file = dir.resolve("client.jsonl");
        final SubmitHistory history = SubmitHistory.open(file);
        final JobSpec spec = JobSpec.builder().build();
        final JobStatus failed = new JobStatus("job-2-ffff", spec.summary(), spec, JobStatus.State.FAILED,
            Instant.now(), Instant.now(), Instant.now(), null, null, "shard 1 stopped unexpectedly", false, -1);

        history.rejected("invalid job spec: workers=0: expected an integer in [1, 1024]");
        history.ended(failed);
        history.lostContact("job-2-ffff", "Lost contact with the job manager");

        final List<JsonNode> lines = lines(file);
        assertEquals("rejected", lines.get(0).path("event").asText());
        assertTrue(lines.get(0).path("reason").asText().contains("workers=0"));
        assertFalse(lines.get(0).has("job_id"));
        assertEquals("failed", lines.get(1).path("event").asText());
        assertEquals("shard 1 stopped unexpectedly", lines.get(1).path("reason").asText());
        assertTrue(lines.get(1).path("metrics").isNull());
        assertEquals("lost_contact", lines.get(2).path("event").asText());
    }

    @Test
    void shouldWriteNullForAnAccuracyNotYetMeasured() throws IOException
    {
        final Path file = dir.resolve("client.jsonl");

        SubmitHistory.open(file).progress(ProgressEvent.builder("job-3-0000").build());

        final JsonNode line = lines(file).get(0);
        assertTrue(line.path("accuracy").isNull(), line::toString);
        assertTrue(line.path("train_loss").isNull(), line::toString);
    }

    @Test
    void shouldWriteNothingWhenNoFileIsGiven()
    {
        final SubmitHistory history = SubmitHistory.open(null);

        history.rejected("anything");
        history.lostContact("job-4-0000", "anything");

        assertEquals(0, dir.toFile().list().length);
    }
}
