package dev.parasol.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(180)
class TrainCommandTest
{
    private static final String[] REQUIRED_FIELDS = {
        "workload", "epochs", "final_test_accuracy", "time_to_target_s", "target_accuracy", "samples_per_s",
        "parameters", "sync", "compression", "workers", "shards", "steps", "bytes_up", "bytes_down",
        "bytes_up_per_step", "bytes_down_per_step", "dense_bytes_per_step", "staleness", "updates_sent",
        "updates_applied", "updates_dropped_stale", "messages_rejected", "blas"};

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldTrainInLocalModeAndWriteTheFullReportWhenFlagsAreValid() throws IOException
    {
        BaselineCommandTest.writeSyntheticFashionMnist(dir, 2_048, 512);
        final Path report = dir.resolve("report.json");

        final int exit = run("train", "--workload", "W1", "--workers", "2", "--shards", "2", "--sync", "ssp:1",
            "--compress", "topk:0.05", "--epochs", "2", "--target", "0.95", "--data-dir", dir.toString(),
            "--checkpoint-dir", dir.resolve("job").toString(), "--report", report.toString());

        assertEquals(0, exit, () -> out + "\n" + err);
        final JsonNode json = new ObjectMapper().readTree(report.toFile());
        for (final String field : REQUIRED_FIELDS)
        {
            assertTrue(json.has(field), () -> "report lacks " + field + ": " + json);
        }
        assertEquals("ssp:1", json.get("sync").asText());
        assertEquals("topk:0.05", json.get("compression").asText());
        assertTrue(json.get("target_reached").asBoolean(), json::toString);
        assertEquals(json.get("updates_sent").asLong(),
            json.get("updates_applied").asLong() + json.get("updates_dropped_stale").asLong());
        assertTrue(json.get("bytes_up_per_step").asDouble() * 10 < json.get("dense_bytes_per_step").asDouble());
        assertTrue(Files.isRegularFile(dir.resolve("job/model.safetensors")));
        assertTrue(out.toString().contains("time to target"), out::toString);
    }

    @Test
    void shouldRefuseBothBudgetsWhenEpochsAndStepsAreGiven() throws IOException
    {
        BaselineCommandTest.writeSyntheticFashionMnist(dir, 256, 64);

        final int exit = run("train", "--epochs", "5", "--steps", "10", "--data-dir", dir.toString());

        assertEquals(2, exit, () -> out + "\n" + err);
        assertTrue(err.toString().contains("--epochs=5.0 and --steps=10"), err::toString);
    }

    @Test
    void shouldNameEveryBadFlagWhenJobIsInvalid() throws IOException
    {
        BaselineCommandTest.writeSyntheticFashionMnist(dir, 256, 64);

        final int exit = run("train", "--workers", "0", "--sync", "ssp:x", "--compress", "topk:2",
            "--data-dir", dir.toString());

        assertEquals(2, exit, () -> out + "\n" + err);
        final String message = err.toString();
        assertTrue(message.contains("workers") && message.contains("sync") && message.contains("compress"),
            message);
    }

    private int run(final String... args)
    {
        final CommandLine commandLine = ParasolCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
