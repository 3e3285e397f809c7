package dev.parasol.chaos;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class ScenarioChecksTest
{
    private static final String FORGED_SENT = "{\"event\":\"forged_sent\",\"source\":\"forger\",\"wall_ms\":105000," +
        "\"raw_datagrams\":500,\"aeron_messages_accepted\":400,\"connected_streams\":[\"127.0.0.1:27001/1001\"]," +
        "\"counter_deltas\":{\"pid 11: parasol rejected wrong_job: shard=0\":200,\"pid 11: Invalid packets\":250}}";

    @TempDir
    Path dir;

    private Map<String, Object> verdict(final CheckSettings settings, final String report, final String... files)
        throws IOException
    {
        final List<Path> paths = new ArrayList<>();
        for (int i = 0; i < files.length; i += 2)
        {
            final Path file = dir.resolve(files[i]);
            Files.writeString(file, files[i + 1]);
            paths.add(file);
        }
        return ChaosVerdict.evaluate(settings, History.read(paths), History.JSON.readTree(report),
            History.JSON.readTree(ChaosVerdictTest.CLEAN_REPORT));
    }

    private static CheckSettings forged()
    {
        return new CheckSettings("forged-datagrams", "forged datagrams", 3, CheckSettings.Mode.FORGED, true, null,
            true);
    }

    @Test
    void shouldPassForgedWhenTheJobCountedRejectionsAndAppliedNothingForeign() throws IOException
    {
        final String report = ChaosVerdictTest.GOOD_REPORT.replace("\"messages_rejected\": 0",
            "\"messages_rejected\": 400");

        final Map<String, Object> row = verdict(forged(), report,
            "run-client.jsonl", ChaosVerdictTest.client(ChaosVerdictTest.FINISHED),
            "injector.jsonl", ChaosVerdictTest.injector(104000),
            "forger.jsonl", FORGED_SENT + "\n");

        assertEquals(true, row.get("passed"), () -> String.valueOf(row.get("reasons")));
        assertEquals(400L, row.get("rejected_forged"));
        assertEquals(500L, row.get("forged_raw_datagrams"));
        assertEquals(250L, ((Map<?, ?>)row.get("node_counter_deltas")).get("pid 11: Invalid packets"));
    }

    @Test
    void shouldFailForgedWhenNothingWasCountedAsRejected() throws IOException
    {
        final Map<String, Object> row = verdict(forged(), ChaosVerdictTest.GOOD_REPORT,
            "run-client.jsonl", ChaosVerdictTest.client(ChaosVerdictTest.FINISHED),
            "injector.jsonl", ChaosVerdictTest.injector(104000),
            "forger.jsonl", FORGED_SENT + "\n");

        assertEquals(false, row.get("passed"));
        assertEquals(0L, row.get("rejected_forged"));
        assertTrue(row.get("outcome").toString().contains("counted no rejection"), row.get("outcome")::toString);
    }

    @Test
    void shouldFailForgedWhenTheForgerNeverReported() throws IOException
    {
        final Map<String, Object> row = verdict(forged(), ChaosVerdictTest.GOOD_REPORT,
            "run-client.jsonl", ChaosVerdictTest.client(ChaosVerdictTest.FINISHED),
            "injector.jsonl", ChaosVerdictTest.injector(104000));

        assertEquals(false, row.get("passed"));
        assertTrue(row.get("outcome").toString().contains("forger did not run"), row.get("outcome")::toString);
    }

    private static String badSpec(final String name, final String field, final int status, final String file,
        final String stderr)
    {
        return "{\"event\":\"bad_spec\",\"source\":\"injector\",\"wall_ms\":104500,\"case\":\"" + name +
            "\",\"expect_field\":\"" + field + "\",\"exit_status\":" + status + ",\"history\":\"" + file +
            "\",\"stderr\":\"" + stderr + "\"}";
    }

    private static String rejected(final String reason)
    {
        return "{\"event\":\"rejected\",\"source\":\"submit\",\"wall_ms\":104400,\"reason\":\"" + reason + "\"}\n";
    }

    private static CheckSettings badSpecs()
    {
        return new CheckSettings("bad-specs", "a burst of bad specs", 3, CheckSettings.Mode.BAD_SPECS, true, null,
            false);
    }

    private static String injectorWithCases(final String listed, final String... cases)
    {
        return String.join("\n", cases) + "\n" + "{\"event\":\"job_list\",\"source\":\"injector\"," +
            "\"wall_ms\":116000,\"listed\":" + listed + ",\"good_submissions\":1}\n" + ChaosVerdictTest.CLEANUP_OK +
            "\n";
    }

    @Test
    void shouldPassBadSpecsWhenEachIsRefusedNamingItsFieldAndNothingPersisted() throws IOException
    {
        final Map<String, Object> row = verdict(badSpecs(), ChaosVerdictTest.GOOD_REPORT,
            "run-client.jsonl", ChaosVerdictTest.client(ChaosVerdictTest.FINISHED),
            "bad-01.jsonl", rejected("invalid job spec: workers=0: expected an integer in [1, 1024]"),
            "bad-02.jsonl", "",
            "injector.jsonl", injectorWithCases("[\"job-1-abcd\"]",
                badSpec("workers=0", "workers", 2, "bad-01.jsonl", "parasol: invalid job spec: workers=0"),
                badSpec("--batch abc", "--batch", 2, "bad-02.jsonl", "Invalid value for option '--batch': 'abc'")));

        assertEquals(true, row.get("passed"), () -> String.valueOf(row.get("reasons")));
        assertEquals(2, row.get("bad_specs_total"));
        assertEquals(2, row.get("bad_specs_refused_naming_field"));
        assertEquals("job-1-abcd", row.get("job_id"), "the good job, not a bad case, is the main job");
    }

    @Test
    void shouldFailBadSpecsWhenOneIsAcceptedOrNamesNoFieldOrIsPersisted() throws IOException
    {
        final String accepted = "{\"event\":\"submitted\",\"source\":\"submit\",\"job_id\":\"job-2-ffff\"," +
            "\"wall_ms\":104300}\n";

        final Map<String, Object> row = verdict(badSpecs(), ChaosVerdictTest.GOOD_REPORT,
            "run-client.jsonl", ChaosVerdictTest.client(ChaosVerdictTest.FINISHED),
            "bad-01.jsonl", accepted,
            "bad-02.jsonl", rejected("invalid job spec: something is wrong"),
            "bad-03.jsonl", "",
            "injector.jsonl", injectorWithCases("[\"job-1-abcd\", \"job-2-ffff\"]",
                badSpec("shards=-1", "shards", 0, "bad-01.jsonl", ""),
                badSpec("lr=-1", "lr", 2, "bad-02.jsonl", "parasol: invalid job spec: something is wrong"),
                badSpec("crash", "sync", 1, "bad-03.jsonl", "parasol: unexpected failure\\n\\tat x.y")));

        assertEquals(false, row.get("passed"));
        assertEquals(0, row.get("bad_specs_refused_naming_field"));
        final List<?> failures = (List<?>)row.get("bad_spec_failures");
        assertTrue(failures.get(0).toString().contains("accepted as job-2-ffff"), failures::toString);
        assertTrue(failures.get(1).toString().contains("does not name 'lr'"), failures::toString);
        assertTrue(failures.get(2).toString().contains("exit status 1"), failures::toString);
        assertTrue(row.get("reasons").toString().contains("lists 2 jobs"), row.get("reasons")::toString);
    }
}
