package dev.parasol.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The checks of the forged-datagrams scenario: what the forger says it sent (its {@code forged_sent} lines) against
 * what the job counted as rejected ({@code messages_rejected} of the report, less the clean run's), and the
 * per-reason deltas the forger read from the target nodes' Aeron counters while the job ran.
 */
final class ForgedCheck
{
    private ForgedCheck()
    {
    }

    static void check(final History history, final JsonNode report, final JsonNode clean,
        final Map<String, Object> row, final List<String> reasons, final List<String> notes, final List<String> missing)
    {
        final List<ObjectNode> sent = history.all("forged_sent");
        long raw = 0;
        long offered = 0;
        final TreeSet<String> streams = new TreeSet<>();
        final Map<String, Long> deltas = new LinkedHashMap<>();
        for (final ObjectNode line : sent)
        {
            raw += line.path("raw_datagrams").asLong();
            offered += line.path("aeron_messages_accepted").asLong();
            line.path("connected_streams").forEach((s) -> streams.add(s.asText()));
            line.path("counter_deltas").fields().forEachRemaining(
                (entry) -> deltas.merge(entry.getKey(), entry.getValue().asLong(), Long::sum));
        }
        row.put("forged_raw_datagrams", raw);
        row.put("forged_aeron_messages", offered);
        row.put("forged_connected_streams", List.copyOf(streams));
        row.put("node_counter_deltas", deltas);
        final Object rejected = row.get("messages_rejected");
        final long baseline = clean == null ? 0 : clean.path("messages_rejected").asLong(0);
        final Long rejectedForged = rejected instanceof Long r ? Math.max(0, r - baseline) : null;
        row.put("rejected_forged", rejectedForged);
        if (sent.isEmpty())
        {
            reasons.add("no 'forged_sent' line: the forger did not run, or died before it reported");
            return;
        }
        if (offered == 0)
        {
            reasons.add("no forged message reached a connected stream of the job (connected: " + streams + ")");
            return;
        }
        if (rejectedForged == null)
        {
            reasons.add("the job's messages_rejected is unknown, so the forged messages' fate is unknown");
        }
        else if (rejectedForged == 0)
        {
            reasons.add(offered + " forged messages were accepted by Aeron on " + streams + " but the job counted " +
                "no rejection");
        }
        else
        {
            notes.add("the job rejected " + rejectedForged + " of " + offered + " forged messages the forger's " +
                "publications accepted (accepted locally is not delivered); " + raw + " raw datagrams never reach " +
                "the job: the media driver drops them");
        }
        if (report == null)
        {
            notes.add("messages_rejected taken from the last progress event");
        }
        final long counted = deltas.entrySet().stream().filter((e) -> e.getKey().contains("rejected"))
            .mapToLong(Map.Entry::getValue).sum();
        if (rejectedForged != null && rejectedForged > 0 && counted == 0 && !deltas.isEmpty())
        {
            missing.add("no 'parasol ... rejected' counter in the nodes' CnC files moved while the job counted " +
                rejectedForged + " rejects: the per-reason reject counters there are not fed");
        }
        missing.add("messages_rejected is one sum over shards and workers: the report has no per-reason split " +
            "(wrong job, bad checksum, bad magic, authentication tag, ...), so a forged message rejected for the " +
            "right reason cannot be told from one rejected for another");
        missing.add("the media driver's 'Invalid packets' count (raw forged datagrams) is not in the report");
    }
}
