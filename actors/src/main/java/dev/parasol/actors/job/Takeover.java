package dev.parasol.actors.job;

import dev.parasol.actors.host.NodeHost;
import dev.parasol.actors.jobapi.JobResume;
import dev.parasol.actors.jobapi.ResumePoint;
import dev.parasol.actors.psshard.PsShard;
import dev.parasol.actors.psshard.ShardStatistics;
import dev.parasol.actors.worker.Worker;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The books a job runner keeps while it takes over a job whose coordinator was lost: what the lost run's parts
 * reported as they were reclaimed (each worker's final clock and telemetry, each shard's final statistics), what
 * went wrong on the way, and from that where the new run starts: its shards from their checkpoints or afresh, its
 * workers at which clocks, its parts under which incarnations. Owned by the runner actor; not thread-safe.
 */
final class Takeover
{
    /**
     * Incarnations a slot may use in one run of a job: its first part and its replacements.
     */
    static final int INCARNATIONS_PER_RUN = JobRunner.REPLACEMENTS_PER_SLOT + 1;

    private final JobResume resume;
    private final List<Worker.Stopped> workers = new ArrayList<>();
    private final List<ShardStatistics> shards = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    Takeover(final JobResume resume)
    {
        this.resume = resume;
    }

    /**
     * Get the first incarnation of every slot in this run: above every incarnation an earlier run may have used, so
     * the shards refuse whatever a part of an earlier run still sends.
     */
    int firstIncarnation()
    {
        return resume.attempt() * INCARNATIONS_PER_RUN;
    }

    int attempt()
    {
        return resume.attempt();
    }

    void onWorkersStopped(final NodeHost.JobStopped stopped)
    {
        workers.addAll(stopped.workers());
        stopped.failures().forEach((failure) -> warnings.add("a worker of the lost run did not report how it " +
            "stopped (its figures are missing from this report): " + failure));
    }

    void onShardStopped(final PsShard.Stopped stopped)
    {
        if (stopped.statistics() != null)
        {
            shards.add(stopped.statistics());
        }
        if (stopped.error() != null)
        {
            // A shard lost with the coordinator's node restarts from its periodic checkpoint instead.
            warnings.add("shard " + stopped.shard() + " of the lost run: " + stopped.error());
        }
    }

    void warn(final String warning)
    {
        warnings.add(warning);
    }

    /**
     * Does the new run carry on from where the lost one stood, or start over (no resume point was recorded)?
     */
    boolean carriesOn()
    {
        return resume.point() != null;
    }

    ResumePoint point()
    {
        return resume.point();
    }

    /**
     * Get the clock a worker of the new run starts at: its predecessor's final clock, else the last resume point's;
     * 0 when the job starts over.
     */
    long clockOf(final int workerId)
    {
        if (!carriesOn())
        {
            return 0;
        }
        for (final Worker.Stopped stopped : workers)
        {
            if (stopped.workerId() == workerId)
            {
                return stopped.clock();
            }
        }
        return resume.point().clockOf(workerId);
    }

    Instant trainingStartedAt()
    {
        return carriesOn() ? resume.point().trainingStartedAt() : null;
    }

    List<String> warnings()
    {
        return warnings;
    }

    /**
     * Count the lost run in the new run's metrics, and say what happened.
     */
    void countInto(final JobMetrics metrics)
    {
        metrics.onEarlierRun(resume.attempt(), workers, shards);
        warnings.forEach(metrics::warn);
        metrics.warn("taken over after the coordinator was lost (" + resume.attempt() + " time" +
            (resume.attempt() == 1 ? "" : "s") + "); figures of runs before the last one are not counted");
    }
}
