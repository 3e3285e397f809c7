package dev.parasol.actors.job;

import dev.parasol.actors.host.NodeHost;
import dev.parasol.actors.jobapi.JobResume;
import dev.parasol.actors.jobapi.ResumePoint;
import dev.parasol.actors.psshard.PsShard;
import dev.parasol.actors.worker.Worker;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TakeoverTest
{
    private static final Instant STARTED = Instant.parse("2026-11-26T10:00:00Z");
    private static final ResumePoint POINT = new ResumePoint(9L, STARTED, Map.of(0, 100L, 1, 90L), 0, 0);

    @Test
    void shouldStartEachWorkerAtItsPredecessorsFinalClockBeforeTheResumePointsWhenItReported()
    {
        final Takeover takeover = new Takeover(new JobResume(1, POINT));

        takeover.onWorkersStopped(new NodeHost.JobStopped("job", List.of(new Worker.Stopped(0, 130, true, null)), 1,
            List.of()));

        assertTrue(takeover.carriesOn());
        assertEquals(130, takeover.clockOf(0), "worker 0 reported a clock newer than the resume point's");
        assertEquals(90, takeover.clockOf(1), "worker 1 did not report: the resume point's clock");
        assertEquals(STARTED, takeover.trainingStartedAt());
    }

    @Test
    void shouldStartOverAtClockZeroWhenNoResumePointWasRecorded()
    {
        final Takeover takeover = new Takeover(new JobResume(1, null));

        takeover.onWorkersStopped(new NodeHost.JobStopped("job", List.of(new Worker.Stopped(0, 130, true, null)), 1,
            List.of()));

        assertFalse(takeover.carriesOn());
        assertEquals(0, takeover.clockOf(0));
        assertNull(takeover.trainingStartedAt());
    }

    @Test
    void shouldNumberIncarnationsAboveEveryEarlierRunsWhenTakingOverAgain()
    {
        final int limit = JobRunner.REPLACEMENTS_PER_SLOT;

        assertEquals(limit + 1, new Takeover(new JobResume(1, POINT)).firstIncarnation());
        assertEquals(2 * (limit + 1), new Takeover(new JobResume(2, POINT)).firstIncarnation());
    }

    @Test
    void shouldWarnAboutPartsThatDidNotReportWhenReclaimed()
    {
        final Takeover takeover = new Takeover(new JobResume(1, POINT));

        takeover.onWorkersStopped(new NodeHost.JobStopped("job", List.of(), 0, List.of("job-worker-1: timeout")));
        takeover.onShardStopped(new PsShard.Stopped(1, null, "not running"));

        assertEquals(2, takeover.warnings().size(), takeover.warnings().toString());
        assertTrue(takeover.warnings().get(0).contains("job-worker-1: timeout"));
        assertTrue(takeover.warnings().get(1).startsWith("shard 1 of the lost run: not running"));
    }
}
