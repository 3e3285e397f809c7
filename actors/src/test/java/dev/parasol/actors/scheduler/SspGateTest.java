package dev.parasol.actors.scheduler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class SspGateTest
{
    @Test
    void shouldRunInLockstepWhenBsp()
    {
        final SspGate gate = new SspGate(SyncPolicy.BSP, 3);
        for (int worker = 0; worker < 3; worker++)
        {
            assertTrue(gate.request(worker, 0));
        }

        assertTrue(gate.advance(0, 1).isEmpty());
        assertFalse(gate.request(0, 1));
        assertTrue(gate.advance(1, 1).isEmpty());
        assertFalse(gate.request(1, 1));
        assertEquals(2, gate.waitingWorkers());

        final IntArrayList released = gate.advance(2, 1);

        assertEquals(List.of(0, 1), List.copyOf(released));
        assertTrue(gate.request(2, 1));
        assertEquals(0, gate.waitingWorkers());
        assertEquals(2, gate.permitWaits());
        assertEquals(6, gate.permitsGranted());
        assertEquals(0, gate.stalenessHistogram().getMaxValue());
    }

    @Test
    void shouldBehaveLikeBspWhenSspZero()
    {
        final SspGate gate = new SspGate(SyncPolicy.ssp(0), 2);
        assertTrue(gate.request(1, 0));
        gate.advance(1, 1);

        assertFalse(gate.request(1, 1));
        assertTrue(gate.request(0, 0));
        assertEquals(List.of(1), List.copyOf(gate.advance(0, 1)));
    }

    @Test
    void shouldLetFastWorkerRunAtMostTwoAheadWhenSspTwo()
    {
        final SspGate gate = new SspGate(SyncPolicy.ssp(2), 2);
        for (int clock = 0; clock < 3; clock++)
        {
            assertTrue(gate.request(1, clock), "clock " + clock);
            gate.advance(1, clock + 1);
        }

        assertFalse(gate.request(1, 3));
        assertTrue(gate.isWaiting(1));
        assertTrue(gate.request(0, 0));
        assertEquals(List.of(1), List.copyOf(gate.advance(0, 1)));
        assertEquals(3, gate.clock(1));
        assertEquals(1, gate.minClock());
        assertEquals(3, gate.maxClock());
        gate.advance(1, 4);
        assertFalse(gate.request(1, 4));
    }

    @Test
    void shouldNeverWaitWhenAsp()
    {
        final SspGate gate = new SspGate(SyncPolicy.ASP, 2);
        for (int clock = 0; clock < 1_000; clock++)
        {
            assertTrue(gate.request(1, clock));
            gate.advance(1, clock + 1);
        }

        assertEquals(0, gate.permitWaits());
        assertEquals(1_000, gate.permitsGranted());
        assertEquals(999, gate.stalenessHistogram().getMaxValue());
        assertEquals(0, gate.minClock());
        assertEquals(1_000, gate.maxClock());
    }

    @Test
    void shouldReleaseWaitersWhenSlowWorkerRemoved()
    {
        final SspGate gate = new SspGate(SyncPolicy.ssp(1), 3);
        for (final int worker : new int[]{ 1, 2 })
        {
            gate.request(worker, 0);
            gate.advance(worker, 1);
            gate.request(worker, 1);
            gate.advance(worker, 2);
            assertFalse(gate.request(worker, 2));
        }

        final IntArrayList released = gate.removeWorker(0);

        assertEquals(List.of(1, 2), List.copyOf(released));
        assertFalse(gate.isActive(0));
        assertEquals(2, gate.activeWorkers());
        assertEquals(2, gate.minClock());
        assertThrows(IllegalArgumentException.class, () -> gate.request(0, 0));
    }

    @Test
    void shouldForgetRequestOfRemovedWorker()
    {
        final SspGate gate = new SspGate(SyncPolicy.BSP, 2);
        gate.request(1, 0);
        gate.advance(1, 1);
        assertFalse(gate.request(1, 1));

        assertTrue(gate.removeWorker(1).isEmpty());

        assertEquals(0, gate.waitingWorkers());
        assertTrue(gate.request(0, 0));
        assertTrue(gate.advance(0, 1).isEmpty());
    }

    @Test
    void shouldHoldOthersBackWhenWorkerJoinsBelowMinimum()
    {
        final SspGate gate = new SspGate(SyncPolicy.ssp(1), 1);
        gate.request(0, 0);
        gate.advance(0, 1);

        gate.addWorker(5, 0);

        assertTrue(gate.request(0, 1));
        gate.advance(0, 2);
        assertFalse(gate.request(0, 2));
        assertEquals(0, gate.minClock());
        assertEquals(6, gate.workerIdLimit());
        assertTrue(gate.request(5, 0));
        assertEquals(List.of(0), List.copyOf(gate.advance(5, 1)));
        assertThrows(IllegalArgumentException.class, () -> gate.addWorker(5, 0));
    }

    @Test
    void shouldRecordStalenessAtGrantTime()
    {
        final SspGate gate = new SspGate(SyncPolicy.ssp(3), 2);
        // worker 1 starts clocks 0, 1, 2, 3 while worker 0 stays at 0: staleness 0, 1, 2, 3
        for (int clock = 0; clock < 4; clock++)
        {
            gate.request(1, clock);
            gate.advance(1, clock + 1);
        }
        gate.request(0, 0);

        final Histogram staleness = gate.stalenessHistogram();
        assertEquals(5, staleness.getTotalCount());
        assertEquals(2, staleness.getCountAtValue(0));
        assertEquals(1, staleness.getCountAtValue(1));
        assertEquals(1, staleness.getCountAtValue(2));
        assertEquals(1, staleness.getCountAtValue(3));
        assertEquals(3, staleness.getMaxValue());
    }

    @Test
    void shouldCountWaitTimeWhenPermitReleased()
    {
        final CachedNanoClock nanoClock = new CachedNanoClock();
        nanoClock.update(1_000);
        final SspGate gate = new SspGate(SyncPolicy.BSP, 2, nanoClock);
        gate.request(1, 0);
        gate.advance(1, 1);
        assertFalse(gate.request(1, 1));
        nanoClock.update(6_000);
        gate.request(0, 0);

        gate.advance(0, 1);

        assertEquals(1, gate.permitWaits());
        assertEquals(5_000, gate.permitWaitNsTotal());
        assertEquals(5_000, gate.permitWaitNsMax());
    }

    @Test
    void shouldKeepOneWaitWhenRequestRepeated()
    {
        final SspGate gate = new SspGate(SyncPolicy.BSP, 2);
        gate.request(1, 0);
        gate.advance(1, 1);

        assertFalse(gate.request(1, 1));
        assertFalse(gate.request(1, 1));

        assertEquals(1, gate.permitWaits());
        assertEquals(1, gate.waitingWorkers());
    }

    @Test
    void shouldRejectProtocolErrors()
    {
        final SspGate gate = new SspGate(SyncPolicy.BSP, 2);
        gate.request(1, 0);
        gate.advance(1, 1);
        gate.request(1, 1);

        assertThrows(IllegalArgumentException.class, () -> gate.request(0, 1 + SspGate.MAX_LOOKAHEAD));
        assertThrows(IllegalArgumentException.class, () -> gate.request(7, 0));
        assertThrows(IllegalArgumentException.class, () -> gate.request(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> gate.advance(0, 0));
        assertThrows(IllegalArgumentException.class, () -> gate.advance(1, 2), "advanced while waiting");
        assertThrows(IllegalArgumentException.class, () -> gate.removeWorker(9));
        assertThrows(IllegalArgumentException.class, () -> gate.addWorker(3, -1));
        assertThrows(IllegalArgumentException.class, () -> new SspGate(SyncPolicy.BSP, -1));
        assertThrows(IllegalArgumentException.class, () -> new SspGate(null, 1));
        assertEquals(1, gate.clock(1));
        assertTrue(gate.isWaiting(1));
    }

    @ParameterizedTest
    @ValueSource(strings = { "bsp", "ssp:0", "ssp:1", "ssp:2", "ssp:3", "ssp:7", "asp" })
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldNeverViolateBoundWhenRandomlyInterleaved(final String policyText)
    {
        final SyncPolicy policy = SyncPolicy.parse(policyText);
        final SplittableRandom random = new SplittableRandom(0x5EED_0003L + policyText.hashCode());
        long maxLead = 0;
        for (int run = 0; run < 20; run++)
        {
            maxLead = Math.max(maxLead, new RandomRun(policy, 2 + random.nextInt(5), random.split()).run(2_000));
        }

        // the runs must reach the edge of the bound, or they would not test it
        if (policy.isUnbounded())
        {
            assertTrue(maxLead > 10, "ASP max lead " + maxLead);
        }
        else
        {
            assertEquals(policy.bound(), maxLead);
        }
    }

    /**
     * A model of workers driving the gate in a random order; it keeps its own clocks and checks every grant against
     * them, and that nobody waits who could run (no lost wake-up, hence no deadlock).
     */
    private static final class RandomRun
    {
        private static final int IDLE = 0;
        private static final int WAITING = 1;
        private static final int PERMITTED = 2;

        private final SyncPolicy policy;
        private final SplittableRandom random;
        private final SspGate gate;
        private final long[] clocks;
        private final int[] states;
        private final boolean[] active;
        private long grants;
        private long maxLead;

        RandomRun(final SyncPolicy policy, final int workers, final SplittableRandom random)
        {
            this.policy = policy;
            this.random = random;
            this.gate = new SspGate(policy, workers);
            this.clocks = new long[workers];
            this.states = new int[workers];
            this.active = new boolean[workers];
            Arrays.fill(active, true);
        }

        long run(final int operations)
        {
            for (int op = 0; op < operations; op++)
            {
                final int roll = random.nextInt(100);
                if (roll < 2)
                {
                    removeRandomWorker();
                }
                else if (roll < 4)
                {
                    addRandomWorker();
                }
                else
                {
                    stepRandomWorker();
                }
                checkNoNeedlessWait();
            }

            assertTrue(grants > operations / 4, "grants " + grants);
            if (!policy.isUnbounded())
            {
                assertTrue(maxLead <= policy.bound(), "max lead " + maxLead);
            }
            assertEquals(grants, gate.permitsGranted());
            final Histogram staleness = gate.stalenessHistogram();
            assertTrue(staleness.valuesAreEquivalent(staleness.getMaxValue(), maxLead),
                "histogram max " + staleness.getMaxValue() + " vs model max lead " + maxLead);

            return maxLead;
        }

        private void stepRandomWorker()
        {
            final List<Integer> runnable = new ArrayList<>();
            for (int worker = 0; worker < clocks.length; worker++)
            {
                if (active[worker] && WAITING != states[worker])
                {
                    runnable.add(worker);
                }
            }
            if (runnable.isEmpty())
            {
                final boolean anyActive = gate.activeWorkers() > 0;
                if (anyActive)
                {
                    fail("every active worker waits: deadlock");
                }
                return;
            }

            final int worker = runnable.get(random.nextInt(runnable.size()));
            if (IDLE == states[worker])
            {
                if (gate.request(worker, clocks[worker]))
                {
                    onGrant(worker);
                }
                else
                {
                    states[worker] = WAITING;
                }
            }
            else
            {
                clocks[worker]++;
                states[worker] = IDLE;
                onReleased(gate.advance(worker, clocks[worker]));
            }
        }

        private void removeRandomWorker()
        {
            final int worker = random.nextInt(clocks.length);
            if (active[worker])
            {
                active[worker] = false;
                states[worker] = IDLE;
                onReleased(gate.removeWorker(worker));
            }
        }

        private void addRandomWorker()
        {
            final int worker = random.nextInt(clocks.length);
            if (!active[worker])
            {
                final long min = modelMinClock();
                final long base = min < 0 ? clocks[worker] : min;
                clocks[worker] = Math.max(0, base - 1 + random.nextInt(3));
                active[worker] = true;
                states[worker] = IDLE;
                gate.addWorker(worker, clocks[worker]);
            }
        }

        private void onReleased(final IntArrayList released)
        {
            for (int i = 0; i < released.size(); i++)
            {
                final int worker = released.getInt(i);
                assertEquals(WAITING, states[worker], "released worker " + worker + " was not waiting");
                onGrant(worker);
            }
        }

        private void onGrant(final int worker)
        {
            final long lead = clocks[worker] - modelMinClock();
            assertTrue(policy.allows(clocks[worker], modelMinClock()),
                "grant to worker " + worker + " at clock " + clocks[worker] + " with min " + modelMinClock() +
                " violates " + policy);
            maxLead = Math.max(maxLead, lead);
            grants++;
            states[worker] = PERMITTED;
        }

        private void checkNoNeedlessWait()
        {
            final long min = modelMinClock();
            for (int worker = 0; worker < clocks.length; worker++)
            {
                if (active[worker] && WAITING == states[worker])
                {
                    assertTrue(gate.isWaiting(worker));
                    assertFalse(policy.allows(clocks[worker], min),
                        "worker " + worker + " waits at clock " + clocks[worker] + " though min is " + min);
                }
            }
            assertEquals(min, gate.minClock());
        }

        private long modelMinClock()
        {
            long min = Long.MAX_VALUE;
            for (int worker = 0; worker < clocks.length; worker++)
            {
                if (active[worker])
                {
                    min = Math.min(min, clocks[worker]);
                }
            }
            return Long.MAX_VALUE == min ? -1 : min;
        }
    }
}
