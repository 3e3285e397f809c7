package dev.parasol.actors.scheduler;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SchedulerTest
{
    private static final Duration NO_PERMIT_WAIT = Duration.ofMillis(150);

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
    void shouldGrantPermitAtOnceWhenWithinBound()
    {
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create("job-1", SyncPolicy.ssp(1), 2));
        final TestProbe<Scheduler.Permit> worker = testKit.createTestProbe();

        scheduler.tell(new Scheduler.RequestPermit(1, 0, worker.ref()));
        assertEquals(new Scheduler.Permit(1, 0), worker.receiveMessage());
        scheduler.tell(new Scheduler.ClockAdvanced(1, 1, 32, 2.0));
        scheduler.tell(new Scheduler.RequestPermit(1, 1, worker.ref()));
        assertEquals(new Scheduler.Permit(1, 1), worker.receiveMessage());
    }

    @Test
    void shouldHoldPermitUntilSlowestAdvancesWhenBsp()
    {
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create("job-2", SyncPolicy.BSP, 2));
        final TestProbe<Scheduler.Permit> slow = testKit.createTestProbe();
        final TestProbe<Scheduler.Permit> fast = testKit.createTestProbe();

        scheduler.tell(new Scheduler.RequestPermit(1, 0, fast.ref()));
        fast.expectMessage(new Scheduler.Permit(1, 0));
        scheduler.tell(new Scheduler.ClockAdvanced(1, 1, 32, 2.0));
        scheduler.tell(new Scheduler.RequestPermit(1, 1, fast.ref()));
        fast.expectNoMessage(NO_PERMIT_WAIT);

        scheduler.tell(new Scheduler.RequestPermit(0, 0, slow.ref()));
        slow.expectMessage(new Scheduler.Permit(0, 0));
        fast.expectNoMessage(NO_PERMIT_WAIT);
        scheduler.tell(new Scheduler.ClockAdvanced(0, 1, 32, 2.0));

        fast.expectMessage(new Scheduler.Permit(1, 1));
    }

    @Test
    void shouldReleaseWaitersWhenWorkerLost()
    {
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create("job-3", SyncPolicy.ssp(1), 3));
        final TestProbe<Scheduler.Permit> worker1 = testKit.createTestProbe();
        final TestProbe<Scheduler.Permit> worker2 = testKit.createTestProbe();
        final List<TestProbe<Scheduler.Permit>> probes = List.of(worker1, worker2);
        for (int id = 1; id <= 2; id++)
        {
            final TestProbe<Scheduler.Permit> probe = probes.get(id - 1);
            for (int clock = 0; clock < 2; clock++)
            {
                scheduler.tell(new Scheduler.RequestPermit(id, clock, probe.ref()));
                probe.expectMessage(new Scheduler.Permit(id, clock));
                scheduler.tell(new Scheduler.ClockAdvanced(id, clock + 1, 10, 1.0));
            }
            scheduler.tell(new Scheduler.RequestPermit(id, 2, probe.ref()));
        }
        worker1.expectNoMessage(NO_PERMIT_WAIT);
        worker2.expectNoMessage(Duration.ZERO);

        scheduler.tell(new Scheduler.WorkerLost(0));

        worker1.expectMessage(new Scheduler.Permit(1, 2));
        worker2.expectMessage(new Scheduler.Permit(2, 2));
        final Scheduler.Statistics statistics = statistics(scheduler);
        assertEquals(Map.of(1, 2L, 2, 2L), statistics.clocks());
        assertEquals(0, statistics.waitingWorkers());
    }

    @Test
    void shouldHoldOthersBackWhenWorkerJoins()
    {
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create("job-4", SyncPolicy.BSP, 1));
        final TestProbe<Scheduler.Permit> worker0 = testKit.createTestProbe();
        final TestProbe<Scheduler.Permit> worker1 = testKit.createTestProbe();
        scheduler.tell(new Scheduler.WorkerJoined(1, 0));

        scheduler.tell(new Scheduler.RequestPermit(0, 0, worker0.ref()));
        worker0.expectMessage(new Scheduler.Permit(0, 0));
        scheduler.tell(new Scheduler.ClockAdvanced(0, 1, 10, 1.0));
        scheduler.tell(new Scheduler.RequestPermit(0, 1, worker0.ref()));
        worker0.expectNoMessage(NO_PERMIT_WAIT);

        scheduler.tell(new Scheduler.RequestPermit(1, 0, worker1.ref()));
        worker1.expectMessage(new Scheduler.Permit(1, 0));
        scheduler.tell(new Scheduler.ClockAdvanced(1, 1, 10, 1.0));
        worker0.expectMessage(new Scheduler.Permit(0, 1));
    }

    @Test
    void shouldReportStatisticsWhenAsked()
    {
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(
            Scheduler.create("job-5", SyncPolicy.ssp(3), 2, SchedulerSettings.defaults().withRecentLossWindow(2)));
        final TestProbe<Scheduler.Permit> worker = testKit.createTestProbe();
        final double[] losses = { 9.0, 3.0, 1.0 };
        for (int clock = 0; clock < 3; clock++)
        {
            scheduler.tell(new Scheduler.RequestPermit(1, clock, worker.ref()));
            worker.expectMessage(new Scheduler.Permit(1, clock));
            scheduler.tell(new Scheduler.ClockAdvanced(1, clock + 1, 64, losses[clock]));
        }

        final Scheduler.Statistics statistics = statistics(scheduler);

        assertEquals("job-5", statistics.jobId());
        assertEquals(SyncPolicy.ssp(3), statistics.policy());
        assertEquals(Map.of(0, 0L, 1, 3L), statistics.clocks());
        assertEquals(0, statistics.minClock());
        assertEquals(3, statistics.maxClock());
        assertEquals(3, statistics.totalSteps());
        assertEquals(192, statistics.totalSamples());
        assertEquals(3, statistics.permitsGranted());
        assertEquals(0, statistics.permitWaits());
        assertEquals(1, statistics.stalenessP50());
        assertEquals(2, statistics.stalenessP99());
        assertEquals(2, statistics.stalenessMax());
        assertEquals(2.0, statistics.meanRecentLoss(), 1e-12, "mean of the last two losses");
    }

    @Test
    void shouldReportNoLossBeforeFirstStep()
    {
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create("job-6", SyncPolicy.ASP, 0));

        final Scheduler.Statistics statistics = statistics(scheduler);

        assertTrue(Double.isNaN(statistics.meanRecentLoss()));
        assertEquals(-1, statistics.minClock());
        assertEquals(Map.of(), statistics.clocks());
    }

    @Test
    void shouldIgnoreProtocolErrorsAndKeepRunning()
    {
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create("job-7", SyncPolicy.BSP, 2));
        final TestProbe<Scheduler.Permit> worker = testKit.createTestProbe();

        scheduler.tell(new Scheduler.RequestPermit(0, 5, worker.ref()));
        scheduler.tell(new Scheduler.RequestPermit(9, 0, worker.ref()));
        scheduler.tell(new Scheduler.ClockAdvanced(0, 0, 10, 1.0));
        scheduler.tell(new Scheduler.ClockAdvanced(1, 1, -4, 1.0));
        scheduler.tell(new Scheduler.WorkerLost(9));
        scheduler.tell(new Scheduler.WorkerJoined(0, 0));
        worker.expectNoMessage(NO_PERMIT_WAIT);

        scheduler.tell(new Scheduler.RequestPermit(0, 0, worker.ref()));
        worker.expectMessage(new Scheduler.Permit(0, 0));
        final Scheduler.Statistics statistics = statistics(scheduler);
        assertEquals(0, statistics.totalSteps());
        assertEquals(0, statistics.totalSamples());
        assertEquals(Map.of(0, 0L, 1, 0L), statistics.clocks());
    }

    @Test
    void shouldStopWhenStopReceived()
    {
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create("job-8", SyncPolicy.BSP, 2));
        final TestProbe<Scheduler.Permit> worker = testKit.createTestProbe();

        scheduler.tell(Scheduler.Stop.INSTANCE);

        worker.expectTerminated(scheduler, Duration.ofSeconds(5));
    }

    @Test
    void shouldReportEveryPermitToListener()
    {
        final TestProbe<Scheduler.PermitGranted> listener = testKit.createTestProbe();
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(
            "job-9", SyncPolicy.ssp(1), 2, SchedulerSettings.defaults().withPermitListener(listener.ref())));
        final TestProbe<Scheduler.Permit> worker = testKit.createTestProbe();

        scheduler.tell(new Scheduler.RequestPermit(1, 0, worker.ref()));
        scheduler.tell(new Scheduler.ClockAdvanced(1, 1, 10, 1.0));
        scheduler.tell(new Scheduler.RequestPermit(1, 1, worker.ref()));
        scheduler.tell(new Scheduler.ClockAdvanced(1, 2, 10, 1.0));
        scheduler.tell(new Scheduler.RequestPermit(1, 2, worker.ref()));
        worker.receiveSeveralMessages(2);
        scheduler.tell(new Scheduler.RequestPermit(0, 0, worker.ref()));
        scheduler.tell(new Scheduler.ClockAdvanced(0, 1, 10, 1.0));

        assertEquals(new Scheduler.PermitGranted(1, 0, 0, Map.of(0, 0L, 1, 0L)), listener.receiveMessage());
        assertEquals(new Scheduler.PermitGranted(1, 1, 0, Map.of(0, 0L, 1, 1L)), listener.receiveMessage());
        assertEquals(new Scheduler.PermitGranted(0, 0, 0, Map.of(0, 0L, 1, 2L)), listener.receiveMessage());
        assertEquals(new Scheduler.PermitGranted(1, 2, 1, Map.of(0, 1L, 1, 2L)), listener.receiveMessage());
        assertEquals(new Scheduler.Permit(0, 0), worker.receiveMessage());
        assertEquals(new Scheduler.Permit(1, 2), worker.receiveMessage());
    }

    @Test
    void shouldEmitEvaluationDueWhenSamplesCrossMultiple()
    {
        final TestProbe<SchedulerProgress> progress = testKit.createTestProbe();
        final SchedulerSettings settings = SchedulerSettings.defaults()
            .withProgressListener(progress.ref())
            .withEvaluation(250, 1_000);
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(
            Scheduler.create("job-10", SyncPolicy.ASP, 1, settings));
        final TestProbe<Scheduler.Permit> worker = testKit.createTestProbe();

        final long[] expectedDueAt = { 300, 500, 800, 1_000 };
        int due = 0;
        for (int clock = 0; clock < 10; clock++)
        {
            scheduler.tell(new Scheduler.RequestPermit(0, clock, worker.ref()));
            worker.expectMessage(new Scheduler.Permit(0, clock));
            scheduler.tell(new Scheduler.ClockAdvanced(0, clock + 1, 100, 1.0));
            final long samples = (clock + 1) * 100L;
            if (due < expectedDueAt.length && samples == expectedDueAt[due])
            {
                assertEquals(new Scheduler.EvaluationDue(samples, samples / 1_000.0), progress.receiveMessage());
                due++;
            }
            else
            {
                // the scheduler tells the listener before it answers, so after this answer any event would be there
                statistics(scheduler);
                progress.expectNoMessage(Duration.ofMillis(10));
            }
        }
        assertEquals(expectedDueAt.length, due);
    }

    @Test
    void shouldEmitOneEvaluationWhenStepCrossesSeveralMultiples()
    {
        final TestProbe<SchedulerProgress> progress = testKit.createTestProbe();
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create("job-11", SyncPolicy.ASP, 1,
            SchedulerSettings.defaults().withProgressListener(progress.ref()).withEvaluation(10, 40)));
        final TestProbe<Scheduler.Permit> worker = testKit.createTestProbe();

        scheduler.tell(new Scheduler.RequestPermit(0, 0, worker.ref()));
        scheduler.tell(new Scheduler.ClockAdvanced(0, 1, 35, 1.0));
        scheduler.tell(new Scheduler.RequestPermit(0, 1, worker.ref()));
        scheduler.tell(new Scheduler.ClockAdvanced(0, 2, 4, 1.0));
        scheduler.tell(new Scheduler.RequestPermit(0, 2, worker.ref()));
        scheduler.tell(new Scheduler.ClockAdvanced(0, 3, 1, 1.0));

        assertEquals(new Scheduler.EvaluationDue(35, 0.875), progress.receiveMessage());
        assertEquals(new Scheduler.EvaluationDue(40, 1.0), progress.receiveMessage());
        progress.expectNoMessage(NO_PERMIT_WAIT);
    }

    @Test
    void shouldPublishProgressSummaryEveryNSteps()
    {
        final TestProbe<SchedulerProgress> progress = testKit.createTestProbe();
        final ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create("job-12", SyncPolicy.ssp(2), 2,
            SchedulerSettings.defaults().withProgressListener(progress.ref()).withProgressEverySteps(3)));
        final TestProbe<Scheduler.Permit> worker = testKit.createTestProbe();

        for (int clock = 0; clock < 2; clock++)
        {
            for (int id = 0; id < 2; id++)
            {
                scheduler.tell(new Scheduler.RequestPermit(id, clock, worker.ref()));
                scheduler.tell(new Scheduler.ClockAdvanced(id, clock + 1, 8, 0.5));
            }
        }

        final SchedulerProgress event = progress.receiveMessage();
        assertTrue(event instanceof Scheduler.ProgressSummary, event.toString());
        final Scheduler.Statistics statistics = ((Scheduler.ProgressSummary)event).statistics();
        assertEquals(3, statistics.totalSteps());
        assertEquals(24, statistics.totalSamples());
        assertEquals(Map.of(0, 2L, 1, 1L), statistics.clocks());
        progress.expectNoMessage(NO_PERMIT_WAIT);
    }

    private static Scheduler.Statistics statistics(final ActorRef<Scheduler.Command> scheduler)
    {
        final TestProbe<Scheduler.Statistics> probe = testKit.createTestProbe();
        scheduler.tell(new Scheduler.GetStatistics(probe.ref()));
        return probe.receiveMessage();
    }
}
