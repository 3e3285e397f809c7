package dev.parasol.actors.scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * The property: the SSP bound is never violated, checked on every permit of a run in which worker 0 is
 * deliberately slow. Each worker is a thread looping RequestPermit, Permit, (work), ClockAdvanced. Two independent
 * checks: the scheduler's permit listener reports the clocks of all workers at each grant, and each worker, on
 * receiving a permit, compares it with the clocks the others had announced (written before their ClockAdvanced was
 * sent, so visible by then through the actor mailboxes' happens-before).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SchedulerSspBoundTest
{
    private static final int WORKERS = 3;
    private static final int STEPS = 20;
    private static final int SLOW_WORKER = 0;
    private static final long SLOW_STEP_MS = 5;
    private static final long SAMPLES_PER_STEP = 16;
    private static final Duration PERMIT_TIMEOUT = Duration.ofSeconds(10);

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

    @ParameterizedTest
    @ValueSource(strings = { "bsp", "ssp:0", "ssp:1", "ssp:3" })
    void shouldNeverViolateSspBoundWhenOneWorkerIsSlow(final String policyText) throws Exception
    {
        final SyncPolicy policy = SyncPolicy.parse(policyText);
        final int bound = policy.bound();
        final TestProbe<Scheduler.PermitGranted> grants = testKit.createTestProbe();
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(
            "bound-" + policyText, policy, WORKERS, SchedulerSettings.defaults().withPermitListener(grants.ref())));
        final AtomicLongArray announced = new AtomicLongArray(WORKERS);

        final List<Long> leads = runWorkers(scheduler, announced, (worker) ->
        {
            if (SLOW_WORKER == worker)
            {
                Thread.sleep(SLOW_STEP_MS);
            }
        });

        for (int worker = 0; worker < WORKERS; worker++)
        {
            assertTrue(leads.get(worker) <= bound,
                "worker " + worker + " saw a lead of " + leads.get(worker) + " over announced clocks under " + policy);
        }

        final List<Scheduler.PermitGranted> granted = grants.receiveSeveralMessages(WORKERS * STEPS, PERMIT_TIMEOUT);
        long maxLead = 0;
        for (final Scheduler.PermitGranted grant : granted)
        {
            final long min = Collections.min(grant.clocks().values());
            assertEquals(grant.clock(), grant.clocks().get(grant.workerId()), grant.toString());
            assertEquals(min, grant.minClock(), grant.toString());
            assertTrue(grant.clock() - min <= bound, "permit violates " + policy + ": " + grant);
            maxLead = Math.max(maxLead, grant.clock() - min);
        }
        grants.expectNoMessage(Duration.ofMillis(50));

        final Scheduler.Statistics statistics = statistics(scheduler);
        assertEquals(WORKERS * STEPS, statistics.permitsGranted());
        assertEquals(WORKERS * STEPS, statistics.totalSteps());
        assertEquals(WORKERS * STEPS * SAMPLES_PER_STEP, statistics.totalSamples());
        assertEquals(maxLead, statistics.stalenessMax());
        // the fast workers did run into the bound, so the bound was exercised rather than never approached
        assertTrue(statistics.permitWaits() > 0, statistics.toString());
        assertEquals(bound, maxLead, "fast workers should reach the bound while worker 0 is slow");

        scheduler.tell(Scheduler.Stop.INSTANCE);
    }

    @Test
    void shouldLetFastWorkersRunFarAheadWhenAsp() throws Exception
    {
        final TestProbe<Scheduler.PermitGranted> grants = testKit.createTestProbe();
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(
            "asp", SyncPolicy.ASP, WORKERS, SchedulerSettings.defaults().withPermitListener(grants.ref())));
        final AtomicLongArray announced = new AtomicLongArray(WORKERS);
        final CountDownLatch fastWorkersDone = new CountDownLatch(WORKERS - 1);

        // worker 0 stalls inside its first step until the others have finished all of theirs: under any bound
        // this would deadlock and the latch would time out
        final List<Long> leads = runWorkers(scheduler, announced, (worker) ->
        {
            if (SLOW_WORKER == worker)
            {
                if (0 == announced.get(SLOW_WORKER) &&
                    !fastWorkersDone.await(PERMIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                {
                    throw new AssertionError("fast workers were held back under ASP");
                }
            }
            else if (STEPS - 1 == announced.get(worker))
            {
                fastWorkersDone.countDown();
            }
        });

        final Scheduler.Statistics statistics = statistics(scheduler);
        assertEquals(0, statistics.permitWaits());
        assertEquals(STEPS - 1, statistics.stalenessMax());
        assertEquals(STEPS - 1, Collections.max(leads.subList(1, WORKERS)));
        final List<Scheduler.PermitGranted> granted = grants.receiveSeveralMessages(WORKERS * STEPS, PERMIT_TIMEOUT);
        final long lastFastGrantsWhileSlowAtZero = granted.stream()
            .filter((grant) -> grant.workerId() != SLOW_WORKER && grant.clock() == STEPS - 1)
            .filter((grant) -> grant.clocks().get(SLOW_WORKER) == 0)
            .count();
        assertEquals(WORKERS - 1, lastFastGrantsWhileSlowAtZero);

        scheduler.tell(Scheduler.Stop.INSTANCE);
    }

    private static List<Long> runWorkers(
        final ActorRef<Scheduler.Command> scheduler, final AtomicLongArray announced, final StepWork work)
        throws InterruptedException, ExecutionException
    {
        final List<TestProbe<Scheduler.Permit>> probes = new ArrayList<>();
        for (int worker = 0; worker < WORKERS; worker++)
        {
            probes.add(testKit.createTestProbe());
        }

        final ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try
        {
            final List<Future<Long>> futures = new ArrayList<>();
            for (int worker = 0; worker < WORKERS; worker++)
            {
                final int workerId = worker;
                futures.add(pool.submit(() -> runWorker(workerId, scheduler, probes.get(workerId), announced, work)));
            }

            final List<Long> leads = new ArrayList<>();
            for (final Future<Long> future : futures)
            {
                leads.add(future.get(PERMIT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS));
            }
            return leads;
        }
        catch (final TimeoutException ex)
        {
            throw new AssertionError("workers did not finish", ex);
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private static long runWorker(
        final int workerId,
        final ActorRef<Scheduler.Command> scheduler,
        final TestProbe<Scheduler.Permit> probe,
        final AtomicLongArray announced,
        final StepWork work) throws Exception
    {
        long maxLead = 0;
        for (long clock = 0; clock < STEPS; clock++)
        {
            scheduler.tell(new Scheduler.RequestPermit(workerId, clock, probe.ref()));
            final Scheduler.Permit permit = probe.receiveMessage(PERMIT_TIMEOUT);
            assertEquals(new Scheduler.Permit(workerId, clock), permit);

            long min = Long.MAX_VALUE;
            for (int other = 0; other < WORKERS; other++)
            {
                min = Math.min(min, announced.get(other));
            }
            maxLead = Math.max(maxLead, clock - min);

            work.step(workerId);
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

    @FunctionalInterface
    private interface StepWork
    {
        void step(int workerId) throws Exception;
    }
}
