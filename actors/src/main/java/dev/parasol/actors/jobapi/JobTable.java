package dev.parasol.actors.jobapi;

import dev.parasol.actors.CborSerializable;

import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The job journal's state: every job the manager knows, in submission order, and the sequence its job ids are drawn
 * from. Immutable: each event yields a new table, so a snapshot being written never sees a later change.
 *
 * @param sequence the last job sequence number handed out.
 * @param jobs     the jobs by id, in submission order.
 */
public record JobTable(long sequence, Map<String, JobRecord> jobs) implements CborSerializable
{
    /**
     * The table of a journal that has recorded nothing.
     */
    public static final JobTable EMPTY = new JobTable(0, Map.of());

    /**
     * Copy the jobs, keeping their order.
     *
     * @param sequence the last job sequence number handed out.
     * @param jobs     the jobs by id, in submission order.
     */
    public JobTable
    {
        jobs = jobs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(jobs));
    }

    /**
     * Get the jobs in submission order.
     *
     * @return the records.
     */
    public Collection<JobRecord> records()
    {
        return jobs.values();
    }

    JobTable with(final JobRecord record, final long newSequence)
    {
        final Map<String, JobRecord> copy = new LinkedHashMap<>(jobs);
        copy.put(record.id(), record);
        return new JobTable(Math.max(sequence, newSequence), copy);
    }

    JobTable update(final String jobId, final UnaryOperator<JobRecord> change)
    {
        final JobRecord record = jobs.get(jobId);
        return record == null ? this : with(change.apply(record), sequence);
    }

    JobTable forgetEndedBeyond(final int retained)
    {
        int ended = 0;
        for (final JobRecord record : jobs.values())
        {
            if (record.state().isTerminal())
            {
                ended++;
            }
        }
        if (ended <= retained)
        {
            return this;
        }
        final Map<String, JobRecord> copy = new LinkedHashMap<>(jobs);
        final Iterator<JobRecord> it = copy.values().iterator();
        while (ended > retained && it.hasNext())
        {
            if (it.next().state().isTerminal())
            {
                it.remove();
                ended--;
            }
        }
        return new JobTable(sequence, copy);
    }
}
