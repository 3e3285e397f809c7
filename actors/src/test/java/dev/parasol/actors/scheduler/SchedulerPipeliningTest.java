package dev.parasol.actors.scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scheduler's side of the worker loop's pipelining: a permit requested one clock ahead, before the worker's
 * step is acknowledged, is granted only within the bound of the truthful clocks, and is never used past it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SchedulerPipeliningTest
{
    private static final Duration NO_PERMIT_WAIT = Duration.ofMillis(150);
    private static final Duration PERMIT_TIMEOUT = Duration.ofSeconds(10);
    private static final int WORKERS = 3;
    private static final int STEPS = 20;
    private static final long SAMPLES_PER_STEP = 16;

    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit()
    {
        testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local"));
    }

    @AfterAll
    static void stopTestKit()
    {
        testKit.shutdownTestKit();
    }

    @Test
    void shouldGrantNextClockBeforeAdvanceWhenWithinBound()
    {
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create("pipe-1", SyncPolicy.ssp(1), 2));
        final TestProbe<Scheduler.Permit> worker = testKit.createTestProbe();

        scheduler.tell(new Scheduler.RequestPermit(1, 0, worker.ref()));
        worker.expectMessage(new Scheduler.Permit(1, 0));
        scheduler.tell(new Scheduler.RequestPermit(1, 1, worker.ref()));
        worker.expectMessage(new Scheduler.Permit(1, 1));
        scheduler.tell(new Scheduler.RequestPermit(1, 2, worker.ref()));
        worker.expectNoMessage(NO_PERMIT_WAIT);

        scheduler.tell(new Scheduler.ClockAdvanced(1, 1, SAMPLES_PER_STEP, 1.0));
        scheduler.tell(new Scheduler.RequestPermit(1, 2, worker.ref()));
        worker.expectNoMessage(NO_PERMIT_WAIT);
        scheduler.tell(new Scheduler.ClockAdvanced(0, 1, SAMPLES_PER_STEP, 1.0));

        worker.expectMessage(new Scheduler.Permit(1, 2));
    }

    @Test
    void shouldHoldNextClockUntilOwnReportWhenBsp()
    {
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create("pipe-2", SyncPolicy.BSP, 1));
        final TestProbe<Scheduler.Permit> worker = testKit.createTestProbe();
        scheduler.tell(new Scheduler.RequestPermit(0, 0, worker.ref()));
        worker.expectMessage(new Scheduler.Permit(0, 0));

        scheduler.tell(new Scheduler.RequestPermit(0, 1, worker.ref()));
        worker.expectNoMessage(NO_PERMIT_WAIT);
        scheduler.tell(new Scheduler.ClockAdvanced(0, 1, SAMPLES_PER_STEP, 1.0));

        worker.expectMessage(new Scheduler.Permit(0, 1));
    }

    @Test
    void shouldAnswerPipelinedRequestWithEveryClockWhenAsp()
    {
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create("pipe-3", SyncPolicy.ASP, 2));
        final TestProbe<Scheduler.Permit> worker = testKit.createTestProbe();
        scheduler.tell(new Scheduler.RequestPermit(0, 0, worker.ref()));
        worker.expectMessage(new Scheduler.Permit(0, 0));

        scheduler.tell(new Scheduler.RequestPermit(0, 1, worker.ref()));
        worker.expectMessage(new Scheduler.Permit(0, SspGate.UNBOUNDED_CLOCK));
        for (int clock = 1; clock <= 5; clock++)
        {
            scheduler.tell(new Scheduler.ClockAdvanced(0, clock, SAMPLES_PER_STEP, 1.0));
        }

        final Scheduler.Statistics statistics = statistics(scheduler);
        assertEquals(5, statistics.totalSteps());
        assertEquals(2, statistics.permitsGranted());
        assertEquals(5, statistics.stalenessMax(), "worker 1 stayed at 0 while worker 0 started clock 5");
    }

    @Test
    void shouldCountStepOnceWhenClockReportedTwice()
    {
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create("pipe-4", SyncPolicy.ssp(3), 2));
        final TestProbe<Scheduler.Permit> worker = testKit.createTestProbe();
        scheduler.tell(new Scheduler.RequestPermit(0, 0, worker.ref()));
        worker.expectMessage(new Scheduler.Permit(0, 0));
        scheduler.tell(new Scheduler.RequestPermit(0, 1, worker.ref()));
        worker.expectMessage(new Scheduler.Permit(0, 1));

        scheduler.tell(new Scheduler.ClockAdvanced(0, 1, SAMPLES_PER_STEP, 1.0));
        scheduler.tell(new Scheduler.ClockAdvanced(0, 1, SAMPLES_PER_STEP, 1.0));

        final Scheduler.Statistics statistics = statistics(scheduler);
        assertEquals(1, statistics.totalSteps());
        assertEquals(SAMPLES_PER_STEP, statistics.totalSamples());
    }

    @ParameterizedTest
    @ValueSource(strings = { "bsp", "ssp:1", "ssp:3", "asp" })
    void shouldNeverUseEarlyPermitPastBoundWhenOneWorkerIsSlow(final String policyText) throws Exception
    {
        final SyncPolicy policy = SyncPolicy.parse(policyText);
        final TestProbe<Scheduler.PermitGranted> grants = testKit.createTestProbe();
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(
            "pipe-bound-" + policyText, policy, WORKERS,
            SchedulerSettings.defaults().withPermitListener(grants.ref())));
        final AtomicLongArray announced = new AtomicLongArray(WORKERS);

        final List<Long> leads = new ArrayList<>();
        final ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try
        {
            final List<Future<Long>> futures = new ArrayList<>();
            for (int worker = 0; worker < WORKERS; worker++)
            {
                final int workerId = worker;
                final TestProbe<Scheduler.Permit> probe = testKit.createTestProbe();
                futures.add(pool.submit(() -> runPipelinedWorker(workerId, scheduler, probe, announced)));
            }
            for (final Future<Long> future : futures)
            {
                leads.add(future.get(PERMIT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS));
            }
        }
        finally
        {
            pool.shutdownNow();
        }

        final long maxLead = Collections.max(leads);
        if (policy.isUnbounded())
        {
            assertTrue(maxLead > 3, "fast workers should run ahead under ASP: lead " + maxLead);
        }
        else
        {
            assertTrue(maxLead <= policy.bound(), "a worker used a permit past " + policy + ": lead " + maxLead);
            assertEquals(policy.bound(), maxLead, "fast workers should reach the bound while worker 0 is slow");
        }
        final Scheduler.Statistics statistics = statistics(scheduler);
        assertEquals(WORKERS * STEPS, statistics.totalSteps());
        assertEquals(WORKERS * STEPS * SAMPLES_PER_STEP, statistics.totalSamples());
        for (long i = 0, granted = statistics.permitsGranted(); i < granted; i++)
        {
            final Scheduler.PermitGranted grant = grants.receiveMessage(PERMIT_TIMEOUT);
            final long own = grant.clocks().get(grant.workerId());
            if (policy.isUnbounded() && grant.clock() == SspGate.UNBOUNDED_CLOCK)
            {
                continue;
            }
            assertTrue(grant.clock() == own || grant.clock() == own + 1, "at most one clock ahead: " + grant);
            assertTrue(policy.allows(grant.clock(), grant.minClock()), "permit violates " + policy + ": " + grant);
        }
        if (policy.isUnbounded())
        {
            assertEquals(2L * WORKERS, statistics.permitsGranted(), "after an unbounded permit nobody asks again");
        }
        scheduler.tell(Scheduler.Stop.INSTANCE);
    }

    /**
     * A worker as the real loop runs: at clock c with the permit for c held, it asks for c + 1 at once, computes,
     * reports c + 1, and starts c + 1 as soon as that permit is in. The lead it measures at each start is against
     * the clocks the others announced before reporting them.
     */
    private static long runPipelinedWorker(
        final int workerId,
        final ActorRef<Scheduler.Command> scheduler,
        final TestProbe<Scheduler.Permit> probe,
        final AtomicLongArray announced) throws InterruptedException
    {
        long permitted = -1;
        long maxLead = 0;
        scheduler.tell(new Scheduler.RequestPermit(workerId, 0, probe.ref()));
        for (long clock = 0; clock < STEPS; clock++)
        {
            while (permitted < clock)
            {
                permitted = Math.max(permitted, probe.receiveMessage(PERMIT_TIMEOUT).clock());
            }
            long min = Long.MAX_VALUE;
            for (int other = 0; other < WORKERS; other++)
            {
                min = Math.min(min, announced.get(other));
            }
            maxLead = Math.max(maxLead, clock - min);

            if (permitted < clock + 1 && clock + 1 < STEPS)
            {
                scheduler.tell(new Scheduler.RequestPermit(workerId, clock + 1, probe.ref()));
            }
            if (0 == workerId)
            {
                Thread.sleep(5);
            }
            announced.set(workerId, clock + 1);
            scheduler.tell(new Scheduler.ClockAdvanced(workerId, clock + 1, SAMPLES_PER_STEP, 1.0));
        }
        return maxLead;
    }

    private static Scheduler.Statistics statistics(final ActorRef<Scheduler.Command> scheduler)
    {
        final TestProbe<Scheduler.Statistics> probe = testKit.createTestProbe();
        scheduler.tell(new Scheduler.GetStatistics(probe.ref()));
        return probe.receiveMessage();
    }
}
