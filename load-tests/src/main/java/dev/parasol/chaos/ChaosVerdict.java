package dev.parasol.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides a scenario's verdict from its merged history, the faulted job's report and the clean run's report, and
 * builds its row of {@code chaos.json}. Every failed check adds a reason; {@code passed} is true only when there is
 * none. Figures the engine does not provide are named under {@code missing_from_engine} instead of being guessed.
 */
final class ChaosVerdict
{
    static final String[] REPORT_COUNTERS = {
        "updates_sent", "updates_applied", "updates_dropped_stale", "updates_duplicate", "messages_rejected"};

    private static final Set<String> END_EVENTS = Set.of(
        "finished", "failed", "cancelled", "lost_contact", "timeout", "error");
    private static final String INJECTOR = "injector";
    private static final String[] RELAY_COUNTERS = {
        "to_target_datagrams", "to_target_bytes", "to_source_datagrams", "to_source_bytes", "undelayed_datagrams",
        "dropped_queue_full", "dropped_send_failed", "dropped_no_source_slot", "pending_at_close", "max_queued"};

    private final CheckSettings settings;
    private final History history;
    private final JsonNode report;
    private final JsonNode clean;
    private final Map<String, Object> row = new LinkedHashMap<>();
    private final List<String> reasons = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> missing = new ArrayList<>();
    private String mainFile;

    private ChaosVerdict(final CheckSettings settings, final History history, final JsonNode report,
        final JsonNode clean)
    {
        this.settings = settings;
        this.history = history;
        this.report = report;
        this.clean = clean;
    }

    /**
     * Decide a scenario's verdict.
     *
     * @param settings what the scenario expects.
     * @param history  the merged histories of the run.
     * @param report   the faulted job's JSON report, or null when none was written (the job failed).
     * @param clean    the clean run's JSON report, or null.
     * @return the row, in {@code chaos.json} order.
     */
    static Map<String, Object> evaluate(final CheckSettings settings, final History history, final JsonNode report,
        final JsonNode clean)
    {
        return new ChaosVerdict(settings, history, report, clean).decide();
    }

    private Map<String, Object> decide()
    {
        row.put("scenario", settings.scenario());
        row.put("fault", faultDescription());
        row.put("seed", settings.seed());
        row.put("passed", false);
        row.put("outcome", "");
        final ObjectNode end = jobEnd();
        checkTarget(end);
        checkJobListed();
        checkOverhead();
        checkFaultTiming(end);
        checkUpdates();
        if (settings.mode() == CheckSettings.Mode.FORGED)
        {
            ForgedCheck.check(history, report, clean, row, reasons, notes, missing);
        }
        else
        {
            row.put("rejected_forged", null);
            final Object rejected = row.get("messages_rejected");
            final long baseline = clean == null ? 0 : clean.path("messages_rejected").asLong(0);
            if (rejected instanceof Long r && r > baseline)
            {
                notes.add((r - baseline) + " more messages rejected than in the clean run, in a scenario that sent " +
                    "no forged traffic");
            }
        }
        if (settings.mode() == CheckSettings.Mode.BAD_SPECS)
        {
            BadSpecCheck.check(history, row, reasons);
        }
        checkCleanup();
        checkNodeExits();
        checkRelays();
        for (final String problem : history.problems())
        {
            notes.add(problem);
        }
        // The harness's own failure explains everything after it: it comes first.
        final List<ObjectNode> harnessErrors = history.all("harness_error");
        for (int i = harnessErrors.size() - 1; i >= 0; i--)
        {
            reasons.add(0, "harness error: " + harnessErrors.get(i).path("reason").asText());
        }
        row.put("passed", reasons.isEmpty());
        row.put("outcome", reasons.isEmpty() ? "pass" : "FAIL: " + reasons.get(0));
        row.put("reasons", List.copyOf(reasons));
        row.put("notes", List.copyOf(notes));
        row.put("missing_from_engine", List.copyOf(missing));
        return row;
    }

    private String faultDescription()
    {
        final StringBuilder fault = new StringBuilder(settings.fault());
        for (final ObjectNode e : history.all("fault_not_injected"))
        {
            fault.append(" (").append(e.path("reason").asText()).append(')');
        }
        return fault.toString();
    }

    /**
     * The main job's client history is the file with a {@code submitted} line that no bad-spec case claims.
     */
    private ObjectNode jobEnd()
    {
        final Set<String> caseFiles = BadSpecCheck.caseFiles(history);
        for (final ObjectNode submitted : history.all("submitted"))
        {
            final String file = submitted.path("file").asText();
            if (!caseFiles.contains(file))
            {
                mainFile = file;
                row.put("job_id", submitted.path("job_id").asText());
                break;
            }
        }
        if (mainFile == null)
        {
            row.put("job_id", null);
            row.put("job_state", null);
            row.put("job_error", null);
            return null;
        }
        ObjectNode end = null;
        for (final ObjectNode e : history.inFile(mainFile))
        {
            if (END_EVENTS.contains(e.path("event").asText()))
            {
                end = e;
            }
        }
        row.put("job_state", end == null ? null : end.hasNonNull("state") ? end.path("state").asText() :
            end.path("event").asText().toUpperCase(Locale.ROOT));
        row.put("job_error", end == null ? null : textOrNull(end.get("reason")));
        return end;
    }

    private void checkTarget(final ObjectNode end)
    {
        final JsonNode metrics = metrics(end);
        final boolean reached = metrics != null && metrics.path("target_reached").asBoolean(false);
        row.put("target_reached", reached);
        row.put("time_to_target_s", metrics == null ? null : number(metrics.get("time_to_target_s")));
        row.put("final_test_accuracy", metrics == null ? null : number(metrics.get("final_test_accuracy")));
        if (reached)
        {
            return;
        }
        if (mainFile == null)
        {
            reasons.add("the job was never submitted (no 'submitted' line in any client history)");
        }
        else if (end == null)
        {
            reasons.add("the client's history has no end: the client was killed or is still waiting");
        }
        else if ("finished".equals(end.path("event").asText()) || metrics != null)
        {
            reasons.add("the job ended without reaching its target " + text(metrics, "target_accuracy") +
                " (final accuracy " + text(metrics, "final_test_accuracy") + ", stopped because " +
                text(metrics, "stop_reason") + ")");
        }
        else
        {
            reasons.add("job " + end.path("event").asText().toUpperCase(Locale.ROOT) + ": " +
                end.path("reason").asText("(no reason given)"));
        }
    }

    /**
     * CHAOS.md property 5: an accepted job is running or finished at the end, so the job manager's list (when the
     * scenario asked for it) must hold it.
     */
    private void checkJobListed()
    {
        final ObjectNode list = history.first("job_list");
        final Object jobId = row.get("job_id");
        if (list == null || jobId == null)
        {
            return;
        }
        final List<String> listed = new ArrayList<>();
        list.path("listed").forEach((id) -> listed.add(id.asText()));
        row.put("job_listed_at_end", listed.contains(jobId.toString()));
        if (!listed.contains(jobId.toString()))
        {
            reasons.add("the accepted job " + jobId + " vanished: the job manager (through " +
                list.path("contact").asText("?") + ") lists " + listed + (list.path("exit_status").asInt() == 0 ?
                "" : " (parasol list exit status " + list.path("exit_status").asInt() + ": " +
                list.path("error").asText() + ")"));
        }
    }

    private JsonNode metrics(final ObjectNode end)
    {
        if (report != null)
        {
            return report;
        }
        if (end != null && end.hasNonNull("metrics"))
        {
            notes.add("no report file: the figures come from the metrics of the client's 'finished' line");
            return end.get("metrics");
        }
        return null;
    }

    private void checkOverhead()
    {
        final Double cleanTime = clean == null ? null : number(clean.get("time_to_target_s"));
        row.put("clean_time_to_target_s", cleanTime);
        final Object time = row.get("time_to_target_s");
        if (clean == null)
        {
            notes.add("no clean report: overhead unknown");
        }
        else if (cleanTime == null)
        {
            notes.add("the clean run did not reach its target: overhead unknown");
        }
        if (time instanceof Double t && cleanTime != null && cleanTime > 0)
        {
            final double overhead = t / cleanTime;
            row.put("overhead", overhead);
            if (settings.maxOverhead() != null && overhead > settings.maxOverhead())
            {
                reasons.add(String.format(Locale.ROOT, "time overhead %.2fx against the clean run, above the %.2fx " +
                    "allowed", overhead, settings.maxOverhead()));
            }
        }
        else
        {
            row.put("overhead", null);
        }
    }

    private void checkFaultTiming(final ObjectNode end)
    {
        final ObjectNode injected = history.first("fault_injected");
        final ObjectNode healed = history.first("fault_healed");
        final Long start = jobStartMs();
        final Long stop = end == null ? null : end.path("wall_ms").asLong();
        row.put("fault_injected_at_s", injected == null || start == null ? null :
            (injected.path("wall_ms").asLong() - start) / 1000.0);
        row.put("fault_healed_at_s", healed == null || start == null ? null :
            (healed.path("wall_ms").asLong() - start) / 1000.0);
        row.put("planned_epoch", injected == null ? null : number(injected.get("planned_epoch")));
        row.put("fault_injected_epoch", injected == null ? null : number(injected.get("epoch")));
        final boolean during = injected != null && start != null && injected.path("wall_ms").asLong() >= start &&
            (stop == null || injected.path("wall_ms").asLong() <= stop);
        row.put("fault_during_run", during);
        throughput(injected, healed);
        if (!settings.requireFault())
        {
            return;
        }
        if (injected == null)
        {
            final StringBuilder why = new StringBuilder("no fault was injected");
            for (final ObjectNode e : history.all("fault_not_injected"))
            {
                why.append("; ").append(e.path("reason").asText());
            }
            reasons.add(why.toString());
        }
        else if (!during)
        {
            reasons.add(start == null ? "the job never ran, so the fault hit nothing" :
                String.format(Locale.ROOT, "the fault was injected %.1f s after the job ended: nothing was tested",
                (injected.path("wall_ms").asLong() - stop) / 1000.0));
        }
    }

    /**
     * Mean training samples per second of the job's progress lines before the fault, while it lasted (to the heal,
     * or to the end when it was never healed) and after the heal: how hard the fault hit, read from the history.
     */
    private void throughput(final ObjectNode injected, final ObjectNode healed)
    {
        final long faultMs = injected == null ? Long.MAX_VALUE : injected.path("wall_ms").asLong();
        final long healMs = healed == null ? Long.MAX_VALUE : healed.path("wall_ms").asLong();
        final double[] sums = new double[3];
        final int[] counts = new int[3];
        if (mainFile != null)
        {
            for (final ObjectNode e : history.inFile(mainFile))
            {
                if (!"progress".equals(e.path("event").asText()) || !e.path("samples_per_s").isNumber())
                {
                    continue;
                }
                final long at = e.path("wall_ms").asLong();
                final int phase = at < faultMs ? 0 : at <= healMs ? 1 : 2;
                sums[phase] += e.path("samples_per_s").asDouble();
                counts[phase]++;
            }
        }
        final String[] names = {"samples_per_s_before_fault", "samples_per_s_during_fault", "samples_per_s_after_heal"};
        for (int phase = 0; phase < names.length; phase++)
        {
            row.put(names[phase], counts[phase] == 0 ? null : Math.round(sums[phase] / counts[phase] * 10) / 10.0);
        }
    }

    /**
     * When the job started running, in wall milliseconds: its first progress line minus the job's own elapsed time.
     */
    private Long jobStartMs()
    {
        if (mainFile == null)
        {
            return null;
        }
        for (final ObjectNode e : history.inFile(mainFile))
        {
            if ("progress".equals(e.path("event").asText()))
            {
                return e.path("wall_ms").asLong() - Math.round(e.path("elapsed_s").asDouble() * 1000.0);
            }
        }
        final ObjectNode submitted = history.first("submitted");
        return submitted == null ? null : submitted.path("wall_ms").asLong();
    }

    private void checkUpdates()
    {
        JsonNode counters = report;
        String source = "report";
        if (report == null)
        {
            counters = lastProgressCounters();
            source = counters == null ? null : "last progress event (the job wrote no report)";
        }
        row.put("counters_source", source);
        if (counters == null)
        {
            for (final String name : REPORT_COUNTERS)
            {
                row.put(name, null);
            }
            row.put("lost_updates", null);
            row.put("double_applied", null);
            missing.add("no report and no progress event: the update counters are unknown");
            return;
        }
        for (final String name : REPORT_COUNTERS)
        {
            final JsonNode value = counters.get(name);
            row.put(name, value == null || value.isNull() ? null : value.asLong());
            if (value == null && ("report".equals(source) || !"updates_duplicate".equals(name)))
            {
                missing.add(source + " has no field " + name);
            }
        }
        // The rollback's bound first: the reconciliation after a shard restart counts against it.
        checkRollback(counters, source);
        reconcile(source);
    }

    /**
     * Checkpoint-rollback mode (CHAOS.md property 1): a shard restarted from its checkpoint loses what it
     * acknowledged since; the report must count it, and it must stay within one checkpoint interval of that shard's
     * updates (at the clean run's rate, with half again for noise).
     */
    private void checkRollback(final JsonNode counters, final String source)
    {
        final JsonNode rolledBack = counters.get("updates_rolled_back");
        row.put("updates_rolled_back", rolledBack == null || rolledBack.isNull() ? null : rolledBack.asLong());
        if (rolledBack == null || !"report".equals(source))
        {
            return;
        }
        final long n = rolledBack.asLong();
        if (n > 0 && settings.checkpointIntervalSeconds() == null)
        {
            reasons.add(n + " acknowledged updates rolled back by a shard restart, and this scenario promises none");
        }
        else if (n > 0 && clean != null && clean.path("wall_s").asDouble() > 0)
        {
            final double perShardPerSecond = clean.path("updates_sent").asDouble() / clean.path("wall_s").asDouble() /
                Math.max(1, clean.path("shards").asInt(1));
            final long bound = Math.round(1.5 * perShardPerSecond * settings.checkpointIntervalSeconds());
            row.put("rollback_bound", bound);
            if (n > bound)
            {
                reasons.add(n + " acknowledged updates rolled back, more than one checkpoint interval (" +
                    settings.checkpointIntervalSeconds() + " s) of a shard's updates at the clean rate (bound " +
                    bound + ")");
            }
            else
            {
                notes.add(n + " acknowledged updates rolled back (bound: " + bound + ", one checkpoint interval)");
            }
        }
    }

    private void reconcile(final String source)
    {
        final Long sent = (Long)row.get("updates_sent");
        final Long applied = (Long)row.get("updates_applied");
        final Long stale = (Long)row.get("updates_dropped_stale");
        if (sent == null || applied == null || stale == null)
        {
            row.put("lost_updates", null);
            row.put("double_applied", null);
            return;
        }
        // An update is one push; resends keep their sequence and are not counted in updates_sent, and a shard
        // counts a repeated sequence as a duplicate (acknowledged, not applied). No counter exists for own pushes
        // dropped for another reason, so "dropped otherwise" is 0 by construction.
        final long lost = sent - applied - stale;
        row.put("lost_updates", Math.max(0, lost));
        row.put("double_applied", "report".equals(source) ? Math.max(0, -lost) : null);
        missing.add("no per-update history (push sent with worker and sequence, apply with version and staleness): " +
            "double application is bounded from the counters only (applied + dropped stale > sent)");
        missing.add("no counter of a job's own pushes dropped for another reason than staleness (e.g. rejected, " +
            "or held by a node that died): 'dropped otherwise' is taken as 0");
        if (report != null && report.path("updates_rolled_back").asLong(0) > 0)
        {
            missing.add("a lost shard's applies after its last statistics report (the totals keep only its last " +
                "report), so applied cannot be reconciled with sent after a shard is lost");
        }
        if (lost < 0 && !"report".equals(source))
        {
            // A progress event sums worker and shard counters taken at different instants: skew, not evidence.
            notes.add("applied + dropped stale exceed sent by " + -lost + " in the " + source + ": counters of " +
                "workers and shards sampled at different instants; not evidence of a double application");
        }
        else if (lost < 0)
        {
            reasons.add("updates do not reconcile: applied + dropped stale exceed sent by " + -lost + " (sent " + sent +
                ", applied " + applied + ", dropped stale " + stale + "): updates applied twice, foreign updates " +
                "applied, or pushes never counted as sent; the report cannot tell which");
            explainExcess(-lost);
        }
        else if (lost > 0 && "report".equals(source) && report != null &&
            report.path("shard_restarts").asLong(0) > 0 && row.get("rollback_bound") instanceof Long bound)
        {
            // A lost shard's applies after its last statistics report died with it and were rolled back with the
            // rest: they belong to the rollback, which must stay within one checkpoint interval as a whole.
            final long rolledBack = report.path("updates_rolled_back").asLong(0);
            if (rolledBack + lost > bound)
            {
                reasons.add(lost + " updates unaccounted and " + rolledBack + " rolled back after a shard restart: " +
                    (rolledBack + lost) + " in all, more than one checkpoint interval (bound " + bound + ")");
            }
            else
            {
                notes.add(lost + " updates unaccounted after a shard restart: applied by the lost shard after its " +
                    "last statistics report and rolled back with the " + rolledBack + " counted; " +
                    (rolledBack + lost) + " in all, within one checkpoint interval (bound " + bound + ")");
            }
        }
        else if (lost > 0 && settings.lostMustBeZero() && "report".equals(source))
        {
            reasons.add(lost + " updates lost: sent " + sent + ", applied " + applied + ", dropped stale " + stale +
                (history.first("fault_injected") != null && "kill -9".equals(
                history.first("fault_injected").path("fault").asText()) ? " (never applied, or applied by the " +
                "killed part after its last statistics report, which died with it; the report cannot tell which)" :
                ""));
        }
        else if (lost > 0)
        {
            notes.add(lost + " updates unaccounted in the " + source + (source.startsWith("last") ?
                " (updates in flight when it was taken count here)" : ""));
        }
    }

    /**
     * Say when an excess of applied updates first showed in the progress lines after the fault, and whether it
     * grew afterwards: an excess that appears with the fault and stays constant is the signature of a lost part's
     * last pushes (applied) whose telemetry (sent) died with it.
     */
    private void explainExcess(final long excess)
    {
        final ObjectNode injected = history.first("fault_injected");
        if (injected == null || mainFile == null)
        {
            return;
        }
        final long faultMs = injected.path("wall_ms").asLong();
        Long first = null;
        double firstAt = 0;
        for (final ObjectNode e : history.inFile(mainFile))
        {
            final JsonNode c = e.path("counters");
            if ("progress".equals(e.path("event").asText()) && e.path("wall_ms").asLong() > faultMs &&
                c.has("updates_sent") && c.has("updates_applied"))
            {
                final long seen = c.path("updates_applied").asLong() + c.path("updates_dropped_stale").asLong() -
                    c.path("updates_sent").asLong();
                if (seen > 0)
                {
                    first = seen;
                    firstAt = e.path("elapsed_s").asDouble();
                    break;
                }
            }
        }
        row.put("excess_applied_first_seen_after_fault", first);
        if (first != null)
        {
            notes.add(String.format(Locale.ROOT, "the excess of applied over sent first showed at job time %.1f s, " +
                "after the fault, as %d; at the end it is %d%s", firstAt, first, excess, first == excess ?
                " (it did not grow: consistent with a lost part's last pushes applied but never reported as sent)" :
                ""));
        }
        for (final JsonNode warning : report.path("warnings"))
        {
            if (warning.asText().contains("was lost"))
            {
                missing.add("updates_sent per worker incarnation including a lost incarnation's final pushes (or " +
                    "the shards' last applied sequence per worker slot): a lost worker's pushes after its last " +
                    "telemetry report are applied but never counted as sent, so the counters cannot reconcile");
                break;
            }
        }
    }

    private JsonNode lastProgressCounters()
    {
        JsonNode counters = null;
        if (mainFile != null)
        {
            for (final ObjectNode e : history.inFile(mainFile))
            {
                if ("progress".equals(e.path("event").asText()) && e.hasNonNull("counters"))
                {
                    counters = e.get("counters");
                }
            }
        }
        if (counters != null)
        {
            missing.add("a failed job writes no report: its final counters are lost; the last progress event " +
                "(up to a second old) stands in");
        }
        return counters;
    }

    private void checkCleanup()
    {
        final ObjectNode cleanup = history.first("cleanup");
        if (cleanup == null)
        {
            row.put("left_behind", null);
            reasons.add("no cleanup record in the injector's history: whether processes were left behind is unknown");
            return;
        }
        final Map<String, Object> leftBehind = new LinkedHashMap<>();
        for (final String kind : new String[] {"pids", "aeron_dirs", "nft_tables", "namespaces"})
        {
            final List<String> items = new ArrayList<>();
            cleanup.path("leftover_" + kind).forEach((item) -> items.add(item.asText()));
            leftBehind.put(kind, items);
            if (!items.isEmpty())
            {
                reasons.add("left behind after the run: " + kind + " " + items);
            }
        }
        row.put("left_behind", leftBehind);
    }

    private void checkNodeExits()
    {
        final List<Map<String, Object>> exits = new ArrayList<>();
        for (final ObjectNode e : history.all("node_exit"))
        {
            if (!INJECTOR.equals(e.path("source").asText()))
            {
                continue;
            }
            final Map<String, Object> exit = new LinkedHashMap<>();
            exit.put("name", e.path("name").asText());
            exit.put("pid", e.path("pid").asLong());
            exit.put("status", e.path("status").asInt());
            exit.put("when", e.path("when").asText());
            exits.add(exit);
        }
        row.put("node_exits", exits);
    }

    /**
     * The delay relays' counters (each relay's {@code relay_stopped} line): what crossed them each way and what they
     * dropped. Only scenarios that start relays have the field. A drop is a note, not a failure (a full router queue
     * is the network's, not Parasol's); a relay that wrote no counters was killed, or died and cut its node off.
     */
    private void checkRelays()
    {
        final List<ObjectNode> started = new ArrayList<>();
        for (final ObjectNode e : history.all("relay_started"))
        {
            if (INJECTOR.equals(e.path("source").asText()))
            {
                started.add(e);
            }
        }
        if (started.isEmpty())
        {
            return;
        }
        final Map<String, ObjectNode> stopped = new LinkedHashMap<>();
        for (final ObjectNode e : history.all("relay_stopped"))
        {
            stopped.put(e.path("name").asText(), e);
        }
        final List<Map<String, Object>> relays = new ArrayList<>();
        for (final ObjectNode start : started)
        {
            final String name = start.path("name").asText();
            final Map<String, Object> relay = new LinkedHashMap<>();
            relay.put("name", name);
            relay.put("listen", start.path("listen").asText());
            relay.put("target", start.path("target").asText());
            relay.put("delay_ms", start.path("delay_ms").asLong());
            final ObjectNode counters = stopped.get(name);
            if (counters == null)
            {
                notes.add(name + " wrote no counters (no relay_stopped line): it was killed, or died during the run");
                relays.add(relay);
                continue;
            }
            long dropped = 0;
            for (final String field : RELAY_COUNTERS)
            {
                final long value = counters.path(field).asLong();
                relay.put(field, value);
                dropped += field.startsWith("dropped_") ? value : 0;
            }
            if (dropped > 0)
            {
                notes.add(name + " dropped " + dropped + " datagrams (queue full " +
                    counters.path("dropped_queue_full").asLong() + ", send failed " +
                    counters.path("dropped_send_failed").asLong() + ", no source slot " +
                    counters.path("dropped_no_source_slot").asLong() + ")");
            }
            relays.add(relay);
        }
        row.put("relays", relays);
    }

    static Double number(final JsonNode node)
    {
        return node == null || !node.isNumber() ? null : node.asDouble();
    }

    static String textOrNull(final JsonNode node)
    {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String text(final JsonNode node, final String field)
    {
        return node == null || !node.hasNonNull(field) ? "?" : node.get(field).asText();
    }
}
