package dev.parasol.chaos;

import dev.parasol.wire.HeaderDescriptor;
import dev.parasol.wire.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class ChaosToolsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldPickTheSameInjectionPointForTheSameSeedAndScenario()
    {
        assertEquals(ChaosPlan.fraction(42, "worker-kill"), ChaosPlan.fraction(42, "worker-kill"));
        assertNotEquals(ChaosPlan.fraction(42, "worker-kill"), ChaosPlan.fraction(42, "ps-kill"));
        assertNotEquals(ChaosPlan.fraction(42, "worker-kill"), ChaosPlan.fraction(43, "worker-kill"));
    }

    @Test
    void shouldKeepTheInjectionPointInTheMiddleOfTheRunForEverySeed()
    {
        final Set<Long> buckets = new HashSet<>();
        for (long seed = 0; seed < 1000; seed++)
        {
            final double fraction = ChaosPlan.fraction(seed, "partition");
            assertTrue(fraction >= ChaosPlan.EARLIEST && fraction < ChaosPlan.LATEST, () -> "fraction " + fraction);
            buckets.add(Math.round(fraction * 20));
        }
        assertTrue(buckets.size() >= 7, "spread over the interval: " + buckets);
    }

    @Test
    void shouldKeepGoodLinesAndNameTheBadOnesWhenAHistoryHasGarbage() throws IOException
    {
        final Path file = dir.resolve("client.jsonl");
        Files.writeString(file, "{\"event\":\"submitted\",\"wall_ms\":5}\n[1,2]\n{\"event\":\"progre\n");

        final History history = History.read(List.of(file, dir.resolve("absent.jsonl")));

        assertEquals(1, history.events().size());
        assertEquals("client.jsonl", history.events().get(0).path("file").asText());
        assertEquals(3, history.problems().size(), history.problems()::toString);
        assertTrue(history.problems().get(2).contains("absent.jsonl does not exist"));
    }

    @Test
    void shouldOrderEventsOfSeveralFilesByWallTime() throws IOException
    {
        final Path a = dir.resolve("a.jsonl");
        final Path b = dir.resolve("b.jsonl");
        Files.writeString(a, "{\"event\":\"x\",\"wall_ms\":30}\n{\"event\":\"y\",\"wall_ms\":10}\n");
        Files.writeString(b, "{\"event\":\"z\",\"wall_ms\":20}\n");

        final History history = History.read(List.of(a, b));

        assertEquals(List.of("y", "z", "x"), history.events().stream().map((e) -> e.path("event").asText()).toList());
    }

    @Test
    void shouldCountOnlyCountersThatMovedOrAppeared()
    {
        final Map<String, Long> deltas = AeronCounters.deltas(
            Map.of("Invalid packets", 5L, "parasol messages rejected: shard=0", 2L),
            Map.of("Invalid packets", 9L, "parasol messages rejected: shard=0", 2L,
                "parasol rejected wrong_job: x", 4L));

        assertEquals(Map.of("Invalid packets", 4L, "parasol rejected wrong_job: x", 4L), deltas);
        assertTrue(AeronCounters.isTracked("parasol rejected bad_checksum: shard=1"));
        assertFalse(AeronCounters.isTracked("rcv-pos: 1 2 1001 aeron:udp"));
    }

    @Test
    void shouldForgeWellFormedMessagesExceptForTheJobOrTheChecksumOrTheMagic()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final float[] values = new float[16];
        final SplittableRandom random = new SplittableRandom(1);

        final int wellFormed = ForgedDatagramSender.forge(buffer, header, values, 0, 1, 1001, random);
        assertEquals(HeaderDescriptor.HEADER_LENGTH + 16 * 4, wellFormed);
        assertEquals(HeaderDescriptor.MAGIC, buffer.getInt(0, ByteOrder.LITTLE_ENDIAN));
        final int checksum = buffer.getInt(68, ByteOrder.LITTLE_ENDIAN);

        final int corrupted = ForgedDatagramSender.forge(buffer, header, values, 1, 2, 1001, random);
        assertEquals(wellFormed, corrupted);
        assertEquals(HeaderDescriptor.MAGIC, buffer.getInt(0, ByteOrder.LITTLE_ENDIAN));
        assertNotEquals(0, checksum);

        ForgedDatagramSender.forge(buffer, header, values, 2, 3, 1002, random);
        assertNotEquals(HeaderDescriptor.MAGIC, buffer.getInt(0, ByteOrder.LITTLE_ENDIAN));

        final int randomLength = ForgedDatagramSender.forge(buffer, header, values, 3, 4, 1001, random);
        assertTrue(randomLength >= 8 && randomLength < 520, "random length " + randomLength);
    }

    @Test
    void shouldWriteAFailedRowForAScenarioThatLeftNoVerdict() throws IOException
    {
        final Path out = dir.resolve("out");
        Files.createDirectories(out.resolve("bad-specs"));
        Files.writeString(out.resolve("bad-specs").resolve("row.json"), "{\"scenario\":\"bad-specs\"," +
            "\"fault\":\"a burst of bad specs\",\"passed\":true,\"outcome\":\"pass\",\"overhead\":1.234," +
            "\"lost_updates\":0,\"counters_source\":\"report\"}");

        final int exit = new CommandLine(new ChaosSummary()).execute("--out", out.toString(),
            "--scenarios", "bad-specs,worker-kill", "--exit-status", "bad-specs=0,worker-kill=1");

        assertEquals(0, exit);
        final var summary = History.JSON.readTree(out.resolve("chaos.json").toFile());
        assertEquals(1, summary.path("passed").asInt());
        assertEquals(1, summary.path("failed").asInt());
        final var missing = summary.path("scenarios").get(1);
        assertEquals("worker-kill", missing.path("scenario").asText());
        assertFalse(missing.path("passed").asBoolean());
        assertTrue(missing.path("outcome").asText().contains("without a verdict"));
        final String table = Files.readString(out.resolve("chaos.md"));
        assertTrue(table.contains("| bad-specs | a burst of bad specs | pass | 1.23x | 0 |"), table);
        assertTrue(table.contains("| worker-kill | ? | FAIL: the scenario script ended (exit status 1)"), table);
    }

    @Test
    void shouldExitOneAndWriteTheRowWhenTheCheckerFindsAFailure() throws IOException
    {
        final Path client = dir.resolve("run-client.jsonl");
        final Path injector = dir.resolve("injector.jsonl");
        Files.writeString(client, ChaosVerdictTest.client(ChaosVerdictTest.FAILED));
        Files.writeString(injector, ChaosVerdictTest.injector(104000));
        final Path clean = dir.resolve("clean-report.json");
        Files.writeString(clean, ChaosVerdictTest.CLEAN_REPORT);
        final Path row = dir.resolve("row.json");

        final int exit = new CommandLine(new ChaosCheck()).setCaseInsensitiveEnumValuesAllowed(true).execute(
            "--scenario", "worker-kill", "--fault", "kill -9 node-3", "--seed", "9", "--mode", "standard",
            "--history", client.toString(), injector.toString(), "--report", dir.resolve("none.json").toString(),
            "--clean-report", clean.toString(), "--out", row.toString());

        assertEquals(1, exit);
        final var written = History.JSON.readTree(row.toFile());
        assertFalse(written.path("passed").asBoolean());
        assertEquals(9, written.path("seed").asLong());
        assertTrue(written.path("notes").get(0).asText().contains("no report at"));
    }
}
