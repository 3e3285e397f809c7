package dev.parasol.actors.scheduler;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.IntArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Requests one clock ahead: a worker at clock k asks for k + 1 while its step k is being acknowledged.
 */
class SspGatePipeliningTest
{
    @Test
    void shouldGrantNextClockAtOnceWhenWithinBound()
    {
        final SspGate gate = new SspGate(SyncPolicy.ssp(1), 2);
        assertTrue(gate.request(1, 0));
        assertEquals(0, gate.permittedClock(1));

        assertTrue(gate.request(1, 1));

        assertEquals(1, gate.permittedClock(1));
        assertEquals(0, gate.clock(1), "a pipelined grant does not move the clock");
        assertEquals(1, gate.stalenessHistogram().getMaxValue());
        assertTrue(gate.advance(1, 1).isEmpty());
        assertFalse(gate.request(1, 2), "2 - min 0 is past the bound of 1");
        assertTrue(gate.isWaitingAhead(1));
        assertEquals(List.of(1), List.copyOf(gate.advance(0, 1)));
        assertEquals(2, gate.permittedClock(1));
    }

    @Test
    void shouldReleaseOwnPipelinedRequestOnlyWhenItsOwnAdvanceAllowsItUnderBsp()
    {
        final SspGate gate = new SspGate(SyncPolicy.BSP, 2);
        assertTrue(gate.request(0, 0));
        assertTrue(gate.request(1, 0));

        assertFalse(gate.request(0, 1), "under BSP its own clock 0 holds clock 1 back");
        assertTrue(gate.advance(0, 1).isEmpty(), "worker 1 is still at 0");
        assertEquals(List.of(0), List.copyOf(gate.advance(1, 1)));
        assertEquals(1, gate.permittedClock(0));

        assertFalse(gate.request(1, 2));
        assertFalse(gate.request(0, 2));
        assertTrue(gate.advance(0, 2).isEmpty());
        final IntArrayList released = gate.advance(1, 2);

        assertEquals(List.of(0, 1), List.copyOf(released), "the last worker's advance releases its own request too");
        assertEquals(0, gate.stalenessHistogram().getMaxValue());
    }

    @Test
    void shouldRejectRequestsTooFarAheadOrOutOfTurn()
    {
        final SspGate gate = new SspGate(SyncPolicy.ssp(2), 2);
        assertTrue(gate.request(0, 0));

        assertThrows(IllegalArgumentException.class, () -> gate.request(0, 1 + SspGate.MAX_LOOKAHEAD),
            "too many clocks ahead");
        gate.advance(0, 1);
        gate.request(0, 2);
        gate.advance(0, 2);
        assertFalse(gate.request(0, 3));
        assertThrows(IllegalArgumentException.class, () -> gate.request(0, 2), "another clock while waiting");
        assertThrows(IllegalArgumentException.class, () -> gate.advance(0, 4), "advanced past the awaited clock");
        assertTrue(gate.advance(0, 3).isEmpty(), "advancing to the awaited clock is the pipelined case");
        assertTrue(gate.isWaiting(0));
        assertFalse(gate.isWaitingAhead(0));
        assertEquals(List.of(0), List.copyOf(gate.advance(1, 1)));
        assertEquals(3, gate.permittedClock(0));
    }

    @Test
    void shouldJudgeRequestSeveralClocksAheadAgainstBound()
    {
        final SspGate gate = new SspGate(SyncPolicy.ssp(3), 2);

        assertTrue(gate.request(0, 3), "3 - min 0 is within ssp:3");
        gate.advance(0, 1);
        assertFalse(gate.request(0, 1 + SspGate.MAX_LOOKAHEAD), "4 - min 0 is past ssp:3");
        assertTrue(gate.isWaitingAhead(0));

        assertEquals(List.of(0), List.copyOf(gate.advance(1, 1)), "the slow worker's advance releases it");
        assertEquals(4, gate.permittedClock(0));
    }

    @Test
    void shouldGrantEveryClockWhenAspRequestIsPipelined()
    {
        final SspGate gate = new SspGate(SyncPolicy.ASP, 2);
        assertTrue(gate.request(0, 0));
        assertEquals(0, gate.permittedClock(0), "a request for the current clock gets exactly that clock");

        assertTrue(gate.request(0, 1));

        assertEquals(SspGate.UNBOUNDED_CLOCK, gate.permittedClock(0));
        for (int clock = 1; clock <= 10; clock++)
        {
            gate.advance(0, clock);
        }
        assertEquals(2, gate.permitsGranted());
        assertEquals(10, gate.stepsCompleted());
        // staleness of clocks 0 and 1 at their grants, then of clocks 2..10 at the advances that start them
        assertEquals(11, gate.stalenessHistogram().getTotalCount());
        assertEquals(10, gate.stalenessHistogram().getMaxValue());

        gate.removeWorker(0);
        gate.addWorker(0, 10);
        assertEquals(-1, gate.permittedClock(0), "a replacement starts without a permit");
        gate.advance(0, 11);
        assertEquals(11, gate.stalenessHistogram().getTotalCount(), "the replacement holds no unbounded permit");
    }

    @ParameterizedTest
    @ValueSource(strings = { "bsp", "ssp:1", "ssp:2", "ssp:3", "asp" })
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldNeverLetPipelinedWorkerStartPastBoundWhenRandomlyInterleaved(final String policyText)
    {
        final SyncPolicy policy = SyncPolicy.parse(policyText);
        final SplittableRandom random = new SplittableRandom(0x5EED_0005L + policyText.hashCode());
        long maxLead = 0;
        for (int run = 0; run < 20; run++)
        {
            maxLead = Math.max(maxLead, new PipelinedRun(policy, 2 + random.nextInt(4), random.split()).run(3_000));
        }

        if (policy.isUnbounded())
        {
            assertTrue(maxLead > 10, "ASP max lead " + maxLead);
        }
        else
        {
            assertEquals(policy.bound(), maxLead, "the runs must reach the bound, or they would not test it");
        }
    }

    /**
     * Workers that behave as the worker loop does: ask one clock ahead, read a clock once its permit is held (even
     * with the previous step's pushes in flight), compute it once that step is acknowledged, report on
     * acknowledgement. Every read is checked against the model's own clocks; a state where nobody can move fails.
     */
    private static final class PipelinedRun
    {
        private final SyncPolicy policy;
        private final SplittableRandom random;
        private final SspGate gate;
        private final long[] reported;
        private final long[] stepClock;
        private final long[] granted;
        private final long[] requested;
        private final boolean[] read;
        private long maxLead;

        PipelinedRun(final SyncPolicy policy, final int workers, final SplittableRandom random)
        {
            this.policy = policy;
            this.random = random;
            this.gate = new SspGate(policy, workers);
            this.reported = new long[workers];
            this.stepClock = new long[workers];
            this.granted = new long[workers];
            this.requested = new long[workers];
            this.read = new boolean[workers];
            Arrays.fill(granted, -1);
            Arrays.fill(requested, -1);
        }

        long run(final int operations)
        {
            for (int op = 0; op < operations; op++)
            {
                final int workers = reported.length;
                final int first = random.nextInt(workers);
                boolean moved = false;
                for (int i = 0; i < workers && !moved; i++)
                {
                    // a slow worker 0 lets the others reach the bound
                    final int worker = (first + i) % workers;
                    if (worker == 0 && random.nextInt(3) != 0)
                    {
                        continue;
                    }
                    moved = step(worker);
                }
                for (int worker = 0; worker < workers && !moved; worker++)
                {
                    moved = step(worker);
                }
                if (!moved)
                {
                    fail("no worker can move: deadlock");
                }
            }
            return maxLead;
        }

        private boolean step(final int worker)
        {
            final int roll = random.nextInt(4);
            final boolean done = (roll == 0 && request(worker)) || (roll == 1 && read(worker)) ||
                (roll == 2 && compute(worker)) || (roll == 3 && acknowledge(worker));
            return done || request(worker) || read(worker) || compute(worker) || acknowledge(worker);
        }

        private boolean request(final int worker)
        {
            final long wanted = granted[worker] >= stepClock[worker] ? stepClock[worker] + 1 : stepClock[worker];
            if (granted[worker] >= wanted || requested[worker] >= wanted || requested[worker] > granted[worker] ||
                wanted > reported[worker] + 1)
            {
                return false;
            }
            requested[worker] = wanted;
            if (gate.request(worker, wanted))
            {
                onGrant(worker);
            }
            return true;
        }

        private boolean read(final int worker)
        {
            final long clock = stepClock[worker];
            if (read[worker] || granted[worker] < clock)
            {
                return false;
            }
            final long lead = clock - minReported();
            if (!policy.allows(clock, minReported()))
            {
                fail("worker " + worker + " reads clock " + clock + " with min clock " + minReported() + " under " +
                    policy);
            }
            maxLead = Math.max(maxLead, lead);
            read[worker] = true;
            return true;
        }

        private boolean compute(final int worker)
        {
            if (!read[worker] || reported[worker] != stepClock[worker])
            {
                return false;
            }
            read[worker] = false;
            stepClock[worker]++;
            return true;
        }

        private boolean acknowledge(final int worker)
        {
            if (reported[worker] == stepClock[worker])
            {
                return false;
            }
            reported[worker] = stepClock[worker];
            final IntArrayList released = gate.advance(worker, reported[worker]);
            for (int i = 0; i < released.size(); i++)
            {
                onGrant(released.getInt(i));
            }
            return true;
        }

        private void onGrant(final int worker)
        {
            final long permitted = gate.permittedClock(worker);
            if (!policy.isUnbounded())
            {
                assertEquals(requested[worker], permitted);
                assertTrue(policy.allows(permitted, minReported()), "grant past the bound");
            }
            assertTrue(permitted <= reported[worker] + 1 || policy.isUnbounded());
            granted[worker] = Math.max(granted[worker], permitted);
        }

        private long minReported()
        {
            long min = Long.MAX_VALUE;
            for (final long clock : reported)
            {
                min = Math.min(min, clock);
            }
            return min;
        }
    }
}
