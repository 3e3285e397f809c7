package dev.parasol.chaos;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The checks of the bad-specs scenario. The injector writes one {@code bad_spec} line per malformed submission (its
 * case, the field the error must name, the exit status, the client's history file and the end of its error
 * output); each must have been refused with exit status 2 and a message naming the field, without a stack trace and
 * without a {@code submitted} line. A {@code job_list} line (the job manager's list after the burst) must hold only
 * the good submissions: nothing refused was persisted.
 */
final class BadSpecCheck
{
    private BadSpecCheck()
    {
    }

    static Set<String> caseFiles(final History history)
    {
        final Set<String> files = new HashSet<>();
        for (final ObjectNode e : history.all("bad_spec"))
        {
            files.add(e.path("history").asText());
        }
        return files;
    }

    static void check(final History history, final Map<String, Object> row, final List<String> reasons)
    {
        final List<ObjectNode> cases = history.all("bad_spec");
        final List<String> failures = new ArrayList<>();
        int refused = 0;
        for (final ObjectNode c : cases)
        {
            final String why = judge(history, c);
            if (why == null)
            {
                refused++;
            }
            else
            {
                failures.add(c.path("case").asText() + ": " + why);
            }
        }
        row.put("bad_specs_total", cases.size());
        row.put("bad_specs_refused_naming_field", refused);
        row.put("bad_spec_failures", failures);
        if (cases.isEmpty())
        {
            reasons.add("no 'bad_spec' line: no malformed spec was submitted");
        }
        if (!failures.isEmpty())
        {
            reasons.add(failures.size() + " of " + cases.size() + " bad specs not refused cleanly: " +
                failures.get(0));
        }
        final ObjectNode list = history.first("job_list");
        if (list == null)
        {
            reasons.add("no 'job_list' line: whether a refused job was persisted is unknown");
            row.put("jobs_listed", null);
            return;
        }
        final List<String> listed = new ArrayList<>();
        list.path("listed").forEach((id) -> listed.add(id.asText()));
        row.put("jobs_listed", listed);
        final int good = list.path("good_submissions").asInt(-1);
        if (listed.size() != good)
        {
            reasons.add("the job manager lists " + listed.size() + " jobs " + listed + " after " + good +
                " good submissions: a refused spec was persisted, or a good one vanished");
        }
    }

    /**
     * Judge one case.
     *
     * @return null when it was refused cleanly, else why not.
     */
    private static String judge(final History history, final ObjectNode c)
    {
        final String file = c.path("history").asText();
        String message = null;
        for (final ObjectNode e : history.inFile(file))
        {
            if ("submitted".equals(e.path("event").asText()))
            {
                return "accepted as " + e.path("job_id").asText();
            }
            if ("rejected".equals(e.path("event").asText()))
            {
                message = e.path("reason").asText();
            }
        }
        final String stderr = c.path("stderr").asText("");
        if (message == null)
        {
            // picocli refuses a malformed flag before the command runs, so no history line: its error output is
            // the client's answer.
            message = stderr;
        }
        final int status = c.path("exit_status").asInt(-1);
        final String field = c.path("expect_field").asText().toLowerCase(Locale.ROOT);
        if (status != 2)
        {
            return "exit status " + status + ", expected 2 (a user error): " + abbreviate(message);
        }
        if (stderr.contains("unexpected failure") || stderr.contains("\tat "))
        {
            return "a stack trace instead of a clean error: " + abbreviate(stderr);
        }
        if (!message.toLowerCase(Locale.ROOT).contains(field))
        {
            return "the error does not name '" + field + "': " + abbreviate(message);
        }
        return null;
    }

    private static String abbreviate(final String text)
    {
        final String oneLine = text.replace('\n', ' ').trim();
        return oneLine.length() <= 160 ? oneLine : oneLine.substring(0, 157) + "...";
    }
}
