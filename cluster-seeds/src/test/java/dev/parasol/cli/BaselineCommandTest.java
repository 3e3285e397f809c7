package dev.parasol.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class BaselineCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldTrainAndWriteReportWithRequiredFieldsWhenDataIsValid() throws IOException
    {
        writeSyntheticFashionMnist(dir, 1_024, 256);
        final Path report = dir.resolve("out/report.json");

        final int exit = run("baseline", "--workload", "W1", "--epochs", "1", "--data-dir", dir.toString(),
            "--report", report.toString(), "--target", "1.01");

        assertEquals(0, exit, err.toString());
        final JsonNode json = new ObjectMapper().readTree(report.toFile());
        for (final String field : new String[] {"workload", "epochs", "final_test_accuracy", "time_to_target_s",
            "target_accuracy", "samples_per_s", "parameters", "blas", "threads", "seed"})
        {
            assertTrue(json.has(field), "report lacks " + field + ": " + json);
        }
        assertEquals("W1", json.get("workload").asText());
        assertEquals(7_850, json.get("parameters").asInt());
        assertEquals(1.01, json.get("target_accuracy").asDouble(), 1e-9);
        assertTrue(json.get("samples_per_s").asDouble() > 0);
        assertEquals(4, json.get("evaluations").size(), "one evaluation per quarter epoch");
        assertTrue(out.toString().contains("accuracy"), out.toString());
    }

    @Test
    void shouldExitWithClearErrorNamingThePathWhenDataDirIsWrong()
    {
        final Path missing = dir.resolve("nowhere");

        final int exit = run("baseline", "--workload", "W1", "--data-dir", missing.toString());

        assertEquals(2, exit);
        assertTrue(err.toString().contains(missing.toString()), err.toString());
        assertTrue(!err.toString().contains("\tat "), "no stack trace for a user error: " + err);
    }

    @Test
    void shouldListAcceptedWorkloadsWhenWorkloadIsUnknown()
    {
        final int exit = run("baseline", "--workload", "W9", "--data-dir", dir.toString());

        assertEquals(2, exit);
        assertTrue(err.toString().contains("W9") && err.toString().contains("W2"), err.toString());
    }

    private int run(final String... args)
    {
        final CommandLine commandLine = ParasolCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    /**
     * Writes the four Fashion-MNIST files, gzipped, with images whose brightest pixel row encodes the label, so a
     * linear model can learn them.
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
