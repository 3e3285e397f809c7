package dev.parasol.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class ChaosVerdictTest
{
    static final String CLEAN_REPORT = "{\"target_reached\": true, \"time_to_target_s\": 8.0, " +
        "\"updates_sent\": 1000, \"updates_applied\": 990, \"updates_dropped_stale\": 10, \"updates_duplicate\": 0, " +
        "\"messages_rejected\": 0}";
    static final String GOOD_REPORT = "{\"target_reached\": true, \"time_to_target_s\": 12.0, " +
        "\"target_accuracy\": 0.84, \"final_test_accuracy\": 0.8412, \"stop_reason\": \"target accuracy reached\", " +
        "\"updates_sent\": 1500, \"updates_applied\": 1480, \"updates_dropped_stale\": 20, \"updates_duplicate\": 3, " +
        "\"messages_rejected\": 0}";
    static final String CLEANUP_OK = "{\"event\":\"cleanup\",\"source\":\"injector\",\"wall_ms\":200000," +
        "\"leftover_pids\":[],\"leftover_aeron_dirs\":[],\"leftover_nft_tables\":[],\"leftover_namespaces\":[]}";

    @TempDir
    Path dir;

    static String client(final String end)
    {
        return String.join("\n",
            "{\"event\":\"submitted\",\"source\":\"submit\",\"job_id\":\"job-1-abcd\",\"wall_ms\":100000}",
            "{\"event\":\"progress\",\"source\":\"submit\",\"job_id\":\"job-1-abcd\",\"wall_ms\":102000," +
                "\"elapsed_s\":1.0,\"samples_per_s\":1000.0," +
                "\"counters\":{\"updates_sent\":100,\"updates_applied\":90," +
                "\"updates_dropped_stale\":2,\"messages_rejected\":0}}",
            "{\"event\":\"progress\",\"source\":\"submit\",\"job_id\":\"job-1-abcd\",\"wall_ms\":106000," +
                "\"elapsed_s\":5.0,\"samples_per_s\":500.0," +
                "\"counters\":{\"updates_sent\":700,\"updates_applied\":690," +
                "\"updates_dropped_stale\":4,\"messages_rejected\":0}}",
            end) + "\n";
    }

    static String injector(final long injectedWallMs)
    {
        return String.join("\n",
            "{\"event\":\"fault_injected\",\"source\":\"injector\",\"wall_ms\":" + injectedWallMs +
                ",\"planned_epoch\":6.5,\"epoch\":6.8,\"pid\":4242}",
            "{\"event\":\"fault_healed\",\"source\":\"injector\",\"wall_ms\":" + (injectedWallMs + 5000) + "}",
            CLEANUP_OK) + "\n";
    }

    static final String FINISHED = "{\"event\":\"finished\",\"source\":\"submit\",\"job_id\":\"job-1-abcd\"," +
        "\"wall_ms\":115000,\"state\":\"SUCCEEDED\",\"metrics\":{}}";
    static final String FAILED = "{\"event\":\"failed\",\"source\":\"submit\",\"job_id\":\"job-1-abcd\"," +
        "\"wall_ms\":140000,\"state\":\"FAILED\",\"reason\":\"worker 1 stopped unexpectedly\",\"metrics\":null}";

    static CheckSettings standard(final String scenario)
    {
        return new CheckSettings(scenario, "kill -9 node-3", 7, CheckSettings.Mode.STANDARD, true, null, true);
    }

    private Map<String, Object> verdict(final CheckSettings settings, final String clientLines,
        final String injectorLines, final String report) throws IOException
    {
        final Path clientFile = dir.resolve("run-client.jsonl");
        final Path injectorFile = dir.resolve("injector.jsonl");
        Files.writeString(clientFile, clientLines);
        Files.writeString(injectorFile, injectorLines);
        final JsonNode reportNode = report == null ? null : History.JSON.readTree(report);
        return ChaosVerdict.evaluate(settings, History.read(List.of(clientFile, injectorFile)), reportNode,
            History.JSON.readTree(CLEAN_REPORT));
    }

    @Test
    void shouldPassWhenTargetReachedAndFaultHitTheRunAndUpdatesReconcile() throws IOException
    {
        final Map<String, Object> row = verdict(standard("worker-pause"), client(FINISHED), injector(104000),
            GOOD_REPORT);

        assertEquals(true, row.get("passed"), () -> String.valueOf(row.get("reasons")));
        assertEquals("pass", row.get("outcome"));
        assertEquals(true, row.get("target_reached"));
        assertEquals(1.5, (Double)row.get("overhead"), 1e-12);
        assertEquals(0L, row.get("lost_updates"));
        assertEquals(0L, row.get("double_applied"));
        assertEquals(3L, row.get("updates_duplicate"));
        assertEquals(3.0, (Double)row.get("fault_injected_at_s"), 1e-9);
        assertEquals(true, row.get("fault_during_run"));
        assertEquals(6.8, (Double)row.get("fault_injected_epoch"), 1e-12);
        assertEquals(1000.0, row.get("samples_per_s_before_fault"));
        assertEquals(500.0, row.get("samples_per_s_during_fault"));
        assertNull(row.get("samples_per_s_after_heal"));
        assertEquals("report", row.get("counters_source"));
        assertEquals(7L, row.get("seed"));
    }

    @Test
    void shouldFailWithTheJobsReasonAndLastProgressCountersWhenTheJobFailed() throws IOException
    {
        final Map<String, Object> row = verdict(standard("worker-kill"), client(FAILED), injector(104000), null);

        assertEquals(false, row.get("passed"));
        assertEquals("FAIL: job FAILED: worker 1 stopped unexpectedly", row.get("outcome"));
        assertEquals(false, row.get("target_reached"));
        assertNull(row.get("overhead"));
        assertEquals(6L, row.get("lost_updates"), "700 - 690 - 4 from the last progress event");
        assertTrue(row.get("counters_source").toString().startsWith("last progress event"));
        assertEquals(1, ((List<?>)row.get("reasons")).size(), "in-flight updates of a failed job are not a reason");
        assertTrue(((List<?>)row.get("missing_from_engine")).stream()
            .anyMatch((m) -> m.toString().contains("a failed job writes no report")));
    }

    @Test
    void shouldFailWhenUpdatesAreLostInTheReport() throws IOException
    {
        final String report = GOOD_REPORT.replace("\"updates_applied\": 1480", "\"updates_applied\": 1470");

        final Map<String, Object> row = verdict(standard("packet-loss"), client(FINISHED), injector(104000), report);

        assertEquals(false, row.get("passed"));
        assertEquals(10L, row.get("lost_updates"));
        assertTrue(row.get("outcome").toString().contains("10 updates lost"), row.get("outcome")::toString);
    }

    @Test
    void shouldPassWithLostUpdatesWhenTheDesignDoesNotPromiseNone() throws IOException
    {
        final String report = GOOD_REPORT.replace("\"updates_applied\": 1480", "\"updates_applied\": 1470");
        final CheckSettings settings = new CheckSettings("ps-kill", "kill -9 node-2", 7, CheckSettings.Mode.STANDARD,
            false, null, true);

        final Map<String, Object> row = verdict(settings, client(FINISHED), injector(104000), report);

        assertEquals(true, row.get("passed"), () -> String.valueOf(row.get("reasons")));
        assertEquals(10L, row.get("lost_updates"));
    }

    @Test
    void shouldFailWhenMoreUpdatesAreAccountedThanSent() throws IOException
    {
        final String report = GOOD_REPORT.replace("\"updates_applied\": 1480", "\"updates_applied\": 1484");

        final Map<String, Object> row = verdict(standard("forged-datagrams"), client(FINISHED), injector(104000),
            report);

        assertEquals(false, row.get("passed"));
        assertEquals(4L, row.get("double_applied"));
        assertEquals(0L, row.get("lost_updates"));
        assertTrue(row.get("outcome").toString().contains("do not reconcile"), row.get("outcome")::toString);
    }

    @Test
    void shouldFailWhenTheFaultCameAfterTheJobEnded() throws IOException
    {
        final Map<String, Object> row = verdict(standard("worker-pause"), client(FINISHED), injector(118000),
            GOOD_REPORT);

        assertEquals(false, row.get("passed"));
        assertEquals(false, row.get("fault_during_run"));
        assertTrue(row.get("outcome").toString().contains("after the job ended"), row.get("outcome")::toString);
    }

    @Test
    void shouldFailWhenNoFaultWasInjectedAndSayWhy() throws IOException
    {
        final String lines = "{\"event\":\"fault_not_injected\",\"source\":\"injector\",\"wall_ms\":104000," +
            "\"reason\":\"the job ended before the injection point\"}\n" + CLEANUP_OK + "\n";

        final Map<String, Object> row = verdict(standard("slow-link"), client(FINISHED), lines, GOOD_REPORT);

        assertEquals(false, row.get("passed"));
        assertTrue(row.get("outcome").toString().contains("before the injection point"),
            row.get("outcome")::toString);
        assertEquals("kill -9 node-3 (the job ended before the injection point)", row.get("fault"));
    }

    @Test
    void shouldFailWhenAProcessWasLeftBehind() throws IOException
    {
        final String lines = injector(104000).replace("\"leftover_pids\":[]", "\"leftover_pids\":[\"4242\"]");

        final Map<String, Object> row = verdict(standard("worker-pause"), client(FINISHED), lines, GOOD_REPORT);

        assertEquals(false, row.get("passed"));
        assertTrue(row.get("outcome").toString().contains("left behind"), row.get("outcome")::toString);
    }

    @Test
    void shouldFailWhenThereIsNoCleanupRecord() throws IOException
    {
        final String lines = injector(104000).replace(CLEANUP_OK, "");

        final Map<String, Object> row = verdict(standard("worker-pause"), client(FINISHED), lines, GOOD_REPORT);

        assertEquals(false, row.get("passed"));
        assertTrue(((List<?>)row.get("reasons")).get(0).toString().contains("no cleanup record"));
    }

    @Test
    void shouldFailWhenOverheadExceedsTheBound() throws IOException
    {
        final CheckSettings settings = new CheckSettings("packet-loss", "5% loss", 7, CheckSettings.Mode.STANDARD,
            true, 1.2, true);

        final Map<String, Object> row = verdict(settings, client(FINISHED), injector(104000), GOOD_REPORT);

        assertEquals(false, row.get("passed"));
        assertTrue(row.get("outcome").toString().contains("1.50x"), row.get("outcome")::toString);
    }

    @Test
    void shouldFailWhenTheClientHistoryHasNoEnd() throws IOException
    {
        final Map<String, Object> row = verdict(standard("coordinator-kill"), client(""), injector(104000), null);

        assertEquals(false, row.get("passed"));
        assertTrue(row.get("outcome").toString().contains("has no end"), row.get("outcome")::toString);
    }

    @Test
    void shouldReportLostContactAsTheReason() throws IOException
    {
        final String end = "{\"event\":\"lost_contact\",\"source\":\"submit\",\"job_id\":\"job-1-abcd\"," +
            "\"wall_ms\":150000,\"reason\":\"Lost contact with the job manager while following job-1-abcd\"}";

        final Map<String, Object> row = verdict(standard("coordinator-kill"), client(end), injector(104000), null);

        assertEquals(false, row.get("passed"));
        assertEquals("LOST_CONTACT", row.get("job_state"));
        assertTrue(row.get("outcome").toString().contains("LOST_CONTACT: Lost contact"), row.get("outcome")::toString);
    }

    @Test
    void shouldPutAHarnessErrorFirstWhenTheScriptFailedOnTheWay() throws IOException
    {
        final String lines = "{\"event\":\"harness_error\",\"source\":\"injector\",\"wall_ms\":99000," +
            "\"reason\":\"node-2 not Up in 120s\"}\n" + CLEANUP_OK + "\n";

        final Map<String, Object> row = verdict(standard("worker-kill"), "", lines, null);

        assertEquals(false, row.get("passed"));
        assertEquals("FAIL: harness error: node-2 not Up in 120s", row.get("outcome"));
    }

    @Test
    void shouldNotCallProgressCounterSkewADoubleApplication() throws IOException
    {
        final String skewed = client(FAILED).replace("\"updates_sent\":700", "\"updates_sent\":690");

        final Map<String, Object> row = verdict(standard("worker-kill"), skewed, injector(104000), null);

        assertEquals(List.of("job FAILED: worker 1 stopped unexpectedly"), row.get("reasons"));
        assertNull(row.get("double_applied"));
        assertEquals(0L, row.get("lost_updates"));
        assertTrue(row.get("notes").toString().contains("not evidence of a double application"));
    }

    @Test
    void shouldFailWhenTheJobManagerNoLongerKnowsTheAcceptedJob() throws IOException
    {
        final String end = "{\"event\":\"lost_contact\",\"source\":\"submit\",\"job_id\":\"job-1-abcd\"," +
            "\"wall_ms\":150000,\"reason\":\"Lost contact\"}";
        final String lines = injector(104000) + "{\"event\":\"job_list\",\"source\":\"injector\"," +
            "\"wall_ms\":160000,\"listed\":[\"job-0-1111\"],\"exit_status\":0,\"contact\":\"127.0.0.1:2\"}\n";

        final Map<String, Object> row = verdict(standard("coordinator-kill"), client(end), lines, null);

        assertEquals(false, row.get("job_listed_at_end"));
        assertTrue(row.get("reasons").toString().contains("the accepted job job-1-abcd vanished"),
            row.get("reasons")::toString);
    }

    @Test
    void shouldAcceptARollbackWithinOneCheckpointIntervalOnlyInRollbackMode() throws IOException
    {
        // Clean run: 1000 updates in 10 s over 2 shards = 50 per shard per second; 2 s interval, x1.5 = 150.
        final String clean = "{\"target_reached\": true, \"time_to_target_s\": 8.0, \"wall_s\": 10.0, " +
            "\"shards\": 2, \"updates_sent\": 1000}";
        final String report = GOOD_REPORT.replace("\"messages_rejected\": 0", "\"messages_rejected\": 0, " +
            "\"updates_rolled_back\": 120");
        final CheckSettings rollback = new CheckSettings("ps-kill", "kill -9 node-2", 7, CheckSettings.Mode.STANDARD,
            true, null, true, 2.0);
        Files.writeString(dir.resolve("run-client.jsonl"), client(FINISHED));
        Files.writeString(dir.resolve("injector.jsonl"), injector(104000));
        final History history = History.read(List.of(dir.resolve("run-client.jsonl"), dir.resolve("injector.jsonl")));

        final Map<String, Object> within = ChaosVerdict.evaluate(rollback, history, History.JSON.readTree(report),
            History.JSON.readTree(clean));
        final Map<String, Object> strict = ChaosVerdict.evaluate(standard("ps-kill"), history,
            History.JSON.readTree(report), History.JSON.readTree(clean));
        final Map<String, Object> beyond = ChaosVerdict.evaluate(rollback, history, History.JSON.readTree(
            report.replace("\"updates_rolled_back\": 120", "\"updates_rolled_back\": 151")),
            History.JSON.readTree(clean));

        assertEquals(true, within.get("passed"), () -> String.valueOf(within.get("reasons")));
        assertEquals(120L, within.get("updates_rolled_back"));
        assertEquals(150L, within.get("rollback_bound"));
        assertEquals(false, strict.get("passed"));
        assertTrue(strict.get("outcome").toString().contains("promises none"), strict.get("outcome")::toString);
        assertEquals(false, beyond.get("passed"));
        assertTrue(beyond.get("outcome").toString().contains("more than one checkpoint interval"));
    }

    @Test
    void shouldReportEachRelaysCountersAndNoteDropsWhenRelaysRan() throws IOException
    {
        final String relayLines = String.join("\n",
            "{\"event\":\"relay_started\",\"source\":\"injector\",\"wall_ms\":90000,\"name\":\"relay-node-1\"," +
                "\"listen\":\"10.214.0.1:27756\",\"target\":\"10.214.0.1:27751\",\"delay_ms\":50}",
            "{\"event\":\"relay_started\",\"source\":\"injector\",\"wall_ms\":90001,\"name\":\"relay-node-3\"," +
                "\"listen\":\"10.214.0.2:27758\",\"target\":\"10.214.0.2:27755\",\"delay_ms\":50}",
            "{\"event\":\"relay_started\",\"source\":\"relay\",\"wall_ms\":90500,\"name\":\"relay-node-1\"}",
            "{\"event\":\"relay_stopped\",\"source\":\"relay\",\"wall_ms\":190000,\"name\":\"relay-node-1\"," +
                "\"to_target_datagrams\":5000,\"to_target_bytes\":700000,\"to_source_datagrams\":4000," +
                "\"to_source_bytes\":160000,\"undelayed_datagrams\":3000,\"dropped_queue_full\":7," +
                "\"dropped_send_failed\":0,\"dropped_no_source_slot\":0,\"pending_at_close\":0,\"max_queued\":90}");

        final Map<String, Object> row = verdict(standard("slow-link"), client(FINISHED),
            relayLines + "\n" + injector(104000), GOOD_REPORT);

        final List<?> relays = (List<?>)row.get("relays");
        assertEquals(2, relays.size());
        final Map<?, ?> first = (Map<?, ?>)relays.get(0);
        assertEquals("relay-node-1", first.get("name"));
        assertEquals(5000L, first.get("to_target_datagrams"));
        assertEquals(160000L, first.get("to_source_bytes"));
        assertEquals(50L, first.get("delay_ms"));
        assertNull(((Map<?, ?>)relays.get(1)).get("to_target_datagrams"));
        final String notes = row.get("notes").toString();
        assertTrue(notes.contains("relay-node-1 dropped 7 datagrams (queue full 7"), notes);
        assertTrue(notes.contains("relay-node-3 wrote no counters"), notes);
        assertEquals(true, row.get("passed"), row.get("reasons")::toString);
    }

    @Test
    void shouldLeaveRelaysOutOfTheRowWhenNoneRan() throws IOException
    {
        final Map<String, Object> row = verdict(standard("worker-kill"), client(FINISHED), injector(104000),
            GOOD_REPORT);

        assertFalse(row.containsKey("relays"), row::toString);
    }
}
