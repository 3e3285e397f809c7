package dev.parasol.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parasol.engine.model.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(180)
class BenchRunnerTest
{
    private static final String[] TRAIN_REPORT_FIELDS = {
        "workload", "epochs", "final_test_accuracy", "time_to_target_s", "target_accuracy", "samples_per_s",
        "parameters", "sync", "compression", "workers", "shards", "steps", "bytes_up", "bytes_down",
        "bytes_up_per_step", "bytes_down_per_step", "dense_bytes_per_step", "staleness", "updates_sent",
        "updates_applied", "updates_dropped_stale", "messages_rejected", "blas"};

    private static final String[] BENCH_FIELDS = {
        "efficiency", "compression_ratio", "baseline_samples_per_s", "baseline_time_to_target_s", "seed", "machine",
        "runs", "state"};

    @TempDir
    Path dir;

    @Test
    void shouldWriteBenchJsonAndMarkdownWithEveryFieldWhenOneRowRuns() throws IOException
    {
        final Path data = Files.createDirectories(dir.resolve("data"));
        writeSyntheticFashionMnist(data, 2_048, 512);
        final Path out = dir.resolve("bench");
        final BenchSuite suite = new BenchSuite("test", 1,
            List.of(BenchCase.of(Workload.W1, 2, 2, "ssp:3", "topk:0.05", 1.0)));
        final StringWriter log = new StringWriter();

        final BenchResult result = new BenchRunner(out, new PrintWriter(log, true))
            .dataDirectory(data)
            .seed(3)
            .run(suite);
        BenchReport.write(result, out);

        final JsonNode json = new ObjectMapper().readTree(out.resolve("bench.json").toFile());
        assertEquals("test", json.get("suite").asText());
        assertTrue(json.has("started_at") && json.has("wall_s"), json::toString);
        for (final String field : new String[] {"cores", "java", "blas"})
        {
            assertTrue(json.get("machine").has(field), () -> "machine lacks " + field + ": " + json);
        }
        assertEquals(1, json.get("baselines").size());
        final JsonNode baseline = json.get("baselines").get(0);
        assertEquals(2, baseline.get("threads").asInt());
        assertTrue(baseline.get("samples_per_s").asDouble() > 0, baseline::toString);

        assertEquals(1, json.get("rows").size());
        final JsonNode row = json.get("rows").get(0);
        for (final String field : TRAIN_REPORT_FIELDS)
        {
            assertTrue(row.has(field), () -> "row lacks " + field + ": " + row);
        }
        for (final String field : BENCH_FIELDS)
        {
            assertTrue(row.has(field), () -> "row lacks " + field + ": " + row);
        }
        assertEquals("SUCCEEDED", row.get("state").asText(), () -> row + "\n" + log);
        assertEquals("W1", row.get("workload").asText());
        assertEquals(2, row.get("workers").asInt());
        assertEquals("topk:0.05", row.get("compression").asText());
        assertEquals(3, row.get("seed").asLong());
        assertTrue(row.get("staleness").has("p50") && row.get("staleness").has("p99"), row::toString);
        assertEquals(row.get("samples_per_s").asDouble() / row.get("baseline_samples_per_s").asDouble(),
            row.get("efficiency").asDouble(), 1e-9);
        assertEquals(baseline.get("samples_per_s").asDouble(), row.get("baseline_samples_per_s").asDouble(), 1e-9);
        assertEquals(row.get("dense_bytes_per_step").asDouble() / row.get("bytes_up_per_step").asDouble(),
            row.get("compression_ratio").asDouble(), 1e-9);
        assertTrue(row.get("compression_ratio").asDouble() > 5, row::toString);
        assertTrue(row.get("machine").get("cores").asInt() > 0, row::toString);
        assertTrue(Files.isRegularFile(out.resolve("jobs/W1-2w-ssp3-topk0.05-ef-r1/report.json")));
        assertFalse(Files.exists(out.resolve("jobs/W1-2w-ssp3-topk0.05-ef-r1/model.safetensors")));

        final String markdown = Files.readString(out.resolve("bench.md"));
        for (final String header : new String[] {"workload", "workers", "sync", "compression", "time to target",
            "final accuracy", "samples/s", "efficiency", "up/step", "down/step", "compression ratio",
            "staleness p50/p99"})
        {
            assertTrue(markdown.contains(header), () -> "bench.md lacks " + header + ":\n" + markdown);
        }
        assertTrue(markdown.contains("| W1 | 2 | ssp:3 | topk:0.05 +ef |"), markdown);
        assertTrue(log.toString().contains("W1-2w-ssp3-topk0.05-ef"), log::toString);
    }

    /**
     * Writes the four Fashion-MNIST files, gzipped, with images whose brightest pixel row encodes the label, so a
     * linear model can learn them (copied from cluster-seeds' BaselineCommandTest).
     */
    static void writeSyntheticFashionMnist(final Path dir, final int trainSize, final int testSize) throws IOException
    {
        writeSplit(dir, "train", trainSize, 11);
        writeSplit(dir, "t10k", testSize, 12);
    }

    private static void writeSplit(final Path dir, final String prefix, final int size, final long seed)
        throws IOException
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] labels = new byte[size];
        final byte[] images = new byte[size * 784];
        for (int i = 0; i < size; i++)
        {
            final int label = random.nextInt(10);
            labels[i] = (byte)label;
            for (int p = 0; p < 784; p++)
            {
                final boolean stripe = p / 28 == 2 * label + 3;
                images[i * 784 + p] = (byte)(stripe ? 200 + random.nextInt(56) : random.nextInt(60));
            }
        }
        try (DataOutputStream data = gzip(dir.resolve(prefix + "-labels-idx1-ubyte.gz")))
        {
            data.writeInt(0x00000801);
            data.writeInt(size);
            data.write(labels);
        }
        try (DataOutputStream data = gzip(dir.resolve(prefix + "-images-idx3-ubyte.gz")))
        {
            data.writeInt(0x00000803);
            data.writeInt(size);
            data.writeInt(28);
            data.writeInt(28);
            data.write(images);
        }
    }

    private static DataOutputStream gzip(final Path file) throws IOException
    {
        final OutputStream raw = Files.newOutputStream(file);
        return new DataOutputStream(new GZIPOutputStream(raw));
    }
}
