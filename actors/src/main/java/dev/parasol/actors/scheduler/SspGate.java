package dev.parasol.actors.scheduler;

import java.util.Arrays;

import org.HdrHistogram.Histogram;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * The decision logic of the scheduler, free of actors and threads: each worker's clock and the permit each worker
 * waits for, under a {@link SyncPolicy}.
 * <p>
 * A worker's clock is the number of steps it has completed. Following Stale Synchronous Parallel (Ho et al., "More
 * Effective Distributed ML via a Stale Synchronous Parallel Parameter Server", NIPS 2013), a worker may START clock
 * c only when {@code c - min(clock of every active worker) <= s}; BSP is s = 0 and ASP never waits. A worker is in
 * one of three states:
 * <pre>
 *   RUNNING --request(c), allowed--------------&gt; RUNNING (permit granted at once)
 *   RUNNING --request(c), not allowed----------&gt; WAITING for c
 *   WAITING --advance/removeWorker, now allowed--&gt; RUNNING (returned in the granted list)
 *   any     --removeWorker---------------------&gt; LOST (holds nobody back; its request is forgotten)
 *   LOST    --addWorker(clock)-----------------&gt; RUNNING
 * </pre>
 * Clocks only grow, so a waiting worker can only become grantable when the minimum clock rises: that is when the
 * slowest worker advances or is removed.
 * <p>
 * <b>Pipelined requests.</b> A worker whose clock is k may ask for k (the clock it starts next) or for a clock up to
 * {@link #MAX_LOOKAHEAD} ahead: k + 1 is the clock after the one whose pushes it is finishing, so that the permit's
 * round trip overlaps its own step instead of following it; a worker that also computes its next gradient while a
 * step's pushes are in flight (overlapped steps) reads for k + 2 and asks for k + 3 while it does. The request is
 * judged against the truthful clocks, the worker's own k included, and granted only when {@code clock - min <= s};
 * since clocks only grow, a permit granted early stays within the bound when the worker uses it later. Under BSP a
 * worker's own clock k holds its request for k + 1 back until it advances, so BSP gains nothing and loses nothing.
 * While waiting for k + 1 the worker may advance to k + 1 (the acknowledgements of step k landed), and that advance may
 * release its own request; advancing past a clock it waits for is a protocol error. A permit names the largest clock it
 * allows and a pipelining worker keeps the largest one it received, so under ASP a pipelined request is answered with
 * {@link #UNBOUNDED_CLOCK}, every clock at once, and the worker never asks again; it still reports every advance. A
 * request for the current clock is answered with exactly that clock.
 * <p>
 * Every grant passes a safety net that recomputes the minimum clock from scratch and throws
 * {@link IllegalStateException} if the grant would break the bound. At grant time the gate measures the staleness
 * in clocks ({@code c - minClock}, c the clock granted) into an HdrHistogram, and it counts the requests that had to
 * wait and how long they waited. A worker holding an unbounded permit is no longer seen starting a clock, so its
 * staleness is recorded when it advances: it starts its next clock at once.
 * <p>
 * Worker ids are small non-negative integers (arrays are indexed by them). Not thread-safe: one owner, such as
 * the {@link Scheduler} actor.
 */
public final class SspGate
{
    /**
     * Clock named by an unbounded permit (ASP, pipelined request): every clock is allowed.
     */
    public static final long UNBOUNDED_CLOCK = Long.MAX_VALUE;

    /**
     * How far ahead of its clock a worker may ask: the farthest an overlapping worker needs (see the class comment).
     */
    public static final int MAX_LOOKAHEAD = 3;

    private static final int SIGNIFICANT_DIGITS = 3;
    private static final long NO_CLOCK = -1;

    private final SyncPolicy policy;
    private final NanoClock nanoClock;
    private final IntArrayList granted = new IntArrayList();
    private final Histogram stalenessHistogram = new Histogram(SIGNIFICANT_DIGITS);

    private long[] clocks;
    private boolean[] active;
    private boolean[] waiting;
    private long[] waitingClock;
    private long[] permittedClock;
    private long[] unboundedFrom;
    private long[] waitStartNs;
    private int activeCount;
    private int waitingCount;
    private long minClock = NO_CLOCK;

    private long permitsGranted;
    private long permitWaits;
    private long permitWaitNsTotal;
    private long permitWaitNsMax;
    private long stepsCompleted;

    /**
     * Create a gate for workers {@code 0 .. workers - 1}, all active at clock 0, timed by the system nano clock.
     *
     * @param policy  the synchronisation policy.
     * @param workers the number of workers, &gt;= 0.
     */
    public SspGate(final SyncPolicy policy, final int workers)
    {
        this(policy, workers, SystemNanoClock.INSTANCE);
    }

    /**
     * Create a gate for workers {@code 0 .. workers - 1}, all active at clock 0.
     *
     * @param policy    the synchronisation policy.
     * @param workers   the number of workers, &gt;= 0.
     * @param nanoClock the clock that times waits.
     */
    public SspGate(final SyncPolicy policy, final int workers, final NanoClock nanoClock)
    {
        if (null == policy)
        {
            throw new IllegalArgumentException("policy=null, expected a SyncPolicy");
        }
        if (workers < 0)
        {
            throw new IllegalArgumentException("workers=" + workers + ", expected >= 0");
        }
        if (null == nanoClock)
        {
            throw new IllegalArgumentException("nanoClock=null, expected a NanoClock");
        }

        this.policy = policy;
        this.nanoClock = nanoClock;
        final int capacity = Math.max(workers, 1);
        clocks = new long[capacity];
        active = new boolean[capacity];
        waiting = new boolean[capacity];
        waitingClock = new long[capacity];
        permittedClock = new long[capacity];
        unboundedFrom = new long[capacity];
        waitStartNs = new long[capacity];
        Arrays.fill(permittedClock, NO_CLOCK);
        Arrays.fill(unboundedFrom, UNBOUNDED_CLOCK);
        for (int worker = 0; worker < workers; worker++)
        {
            active[worker] = true;
        }
        activeCount = workers;
        minClock = workers > 0 ? 0 : NO_CLOCK;
    }

    /**
     * Get the synchronisation policy.
     *
     * @return the synchronisation policy.
     */
    public SyncPolicy policy()
    {
        return policy;
    }

    /**
     * A worker asks to start {@code clock}, which must be its current clock (the steps it has completed) or, pipelined,
     * one up to {@link #MAX_LOOKAHEAD} after it. The permit is granted at once when the policy allows it; otherwise the
     * worker waits until {@link #advance} or {@link #removeWorker} releases it. Asking again for the same clock while
     * waiting keeps the one wait. After a grant, {@link #permittedClock(int)} names the largest clock the permit
     * allows.
     *
     * @param worker the active worker.
     * @param clock  the clock it wants to start: its current clock, or up to {@link #MAX_LOOKAHEAD} more.
     * @return true if the permit is granted now, false if the worker now waits.
     * @throws IllegalArgumentException if the worker is not active, {@code clock} is below its current clock or
     *                                  more than {@link #MAX_LOOKAHEAD} above it, or the worker already waits for
     *                                  another clock.
     */
    public boolean request(final int worker, final long clock)
    {
        checkActive(worker);
        final long current = clocks[worker];
        if (clock < current || clock > current + MAX_LOOKAHEAD)
        {
            throw new IllegalArgumentException("worker=" + worker + " requested clock=" + clock +
                ", expected its current clock=" + current + " or, pipelined, up to " + (current + MAX_LOOKAHEAD));
        }
        if (waiting[worker])
        {
            if (clock != waitingClock[worker])
            {
                throw new IllegalArgumentException("worker=" + worker + " requested clock=" + clock +
                    " while waiting for clock=" + waitingClock[worker] + ", expected one request at a time");
            }
            return false;
        }

        if (policy.allows(clock, minClock))
        {
            grant(worker, clock);
            return true;
        }

        waiting[worker] = true;
        waitingClock[worker] = clock;
        waitingCount++;
        waitStartNs[worker] = nanoClock.nanoTime();
        permitWaits++;
        return false;
    }

    /**
     * A worker has completed steps and is now at {@code newClock}. Waiting workers that the rise of the minimum
     * clock allows are granted their permits.
     *
     * @param worker   the active worker, not waiting for a permit below {@code newClock}.
     * @param newClock its new clock, greater than its current clock (normally current + 1).
     * @return the workers granted a permit by this call, each for its {@link #permittedClock(int)}; the list is
     * owned by the gate and valid until its next call. It may hold {@code worker} itself, whose pipelined request
     * its own advance released.
     * @throws IllegalArgumentException if the worker is not active, waits for a clock below {@code newClock}, or the
     *                                  clock does not grow.
     */
    public IntArrayList advance(final int worker, final long newClock)
    {
        checkActive(worker);
        final long oldClock = clocks[worker];
        if (newClock <= oldClock)
        {
            throw new IllegalArgumentException("worker=" + worker + " advanced to clock=" + newClock +
                ", expected > its current clock=" + oldClock);
        }
        if (waiting[worker] && waitingClock[worker] < newClock)
        {
            throw new IllegalArgumentException("worker=" + worker + " advanced to clock=" + newClock +
                " while waiting for a permit for clock=" + waitingClock[worker] +
                ", expected no step without a permit");
        }

        clocks[worker] = newClock;
        stepsCompleted += newClock - oldClock;
        granted.clear();
        if (oldClock == minClock)
        {
            minClock = scanMinClock();
            releaseWaiters();
        }
        if (newClock > unboundedFrom[worker])
        {
            stalenessHistogram.recordValue(newClock - minClock);
        }

        return granted;
    }

    /**
     * A worker is lost (or leaves): it no longer holds others back and its pending request, if any, is forgotten.
     * Waiting workers that the rise of the minimum clock allows are granted their permits.
     *
     * @param worker the active worker.
     * @return the workers granted a permit by this call; owned by the gate and valid until its next call.
     * @throws IllegalArgumentException if the worker is not active.
     */
    public IntArrayList removeWorker(final int worker)
    {
        checkActive(worker);
        if (waiting[worker])
        {
            waiting[worker] = false;
            waitingCount--;
        }
        active[worker] = false;
        unboundedFrom[worker] = UNBOUNDED_CLOCK;
        permittedClock[worker] = NO_CLOCK;
        activeCount--;

        granted.clear();
        final long oldMin = minClock;
        minClock = scanMinClock();
        if (minClock != oldMin)
        {
            releaseWaiters();
        }

        return granted;
    }

    /**
     * A worker joins (or rejoins after {@link #removeWorker}) at {@code clock}. A clock below the current minimum
     * lowers it, so the others wait for the newcomer from now on; permits already granted stay granted.
     *
     * @param worker the worker id, &gt;= 0, not active.
     * @param clock  the steps it has completed, &gt;= 0.
     * @throws IllegalArgumentException if the worker is already active or an argument is negative.
     */
    public void addWorker(final int worker, final long clock)
    {
        if (worker < 0)
        {
            throw new IllegalArgumentException("worker=" + worker + ", expected >= 0");
        }
        if (clock < 0)
        {
            throw new IllegalArgumentException("worker=" + worker + " clock=" + clock + ", expected >= 0");
        }
        ensureCapacity(worker + 1);
        if (active[worker])
        {
            throw new IllegalArgumentException("worker=" + worker + " is already active at clock=" + clocks[worker]);
        }

        active[worker] = true;
        activeCount++;
        clocks[worker] = clock;
        permittedClock[worker] = NO_CLOCK;
        minClock = NO_CLOCK == minClock ? clock : Math.min(minClock, clock);
    }

    /**
     * Is the worker active (not lost)?
     *
     * @param worker the worker id.
     * @return true if the worker is active.
     */
    public boolean isActive(final int worker)
    {
        return worker >= 0 && worker < active.length && active[worker];
    }

    /**
     * Is the worker waiting for a permit?
     *
     * @param worker the worker id.
     * @return true if the worker is active and waiting.
     */
    public boolean isWaiting(final int worker)
    {
        return isActive(worker) && waiting[worker];
    }

    /**
     * Get the clock of a worker: the number of steps it has completed.
     *
     * @param worker the active worker.
     * @return its clock.
     */
    public long clock(final int worker)
    {
        checkActive(worker);
        return clocks[worker];
    }

    /**
     * Get the largest clock the last permit granted to a worker allows: the clock it asked for, or
     * {@link #UNBOUNDED_CLOCK} for a pipelined request under ASP.
     *
     * @param worker the active worker.
     * @return the clock, or -1 before its first permit.
     */
    public long permittedClock(final int worker)
    {
        checkActive(worker);
        return permittedClock[worker];
    }

    /**
     * Is the worker waiting for a permit for a clock ahead of its own: a pipelined request?
     *
     * @param worker the worker id.
     * @return true if the worker is active and waits for its current clock plus one.
     */
    public boolean isWaitingAhead(final int worker)
    {
        return isWaiting(worker) && waitingClock[worker] > clocks[worker];
    }

    /**
     * Get the smallest clock of the active workers.
     *
     * @return the minimum clock, or -1 when no worker is active.
     */
    public long minClock()
    {
        return minClock;
    }

    /**
     * Get the largest clock of the active workers.
     *
     * @return the maximum clock, or -1 when no worker is active.
     */
    public long maxClock()
    {
        long max = NO_CLOCK;
        for (int worker = 0; worker < active.length; worker++)
        {
            if (active[worker])
            {
                max = Math.max(max, clocks[worker]);
            }
        }
        return max;
    }

    /**
     * Get one past the largest worker id seen, the bound for iterating over worker ids.
     *
     * @return the size of the worker id space.
     */
    public int workerIdLimit()
    {
        return active.length;
    }

    /**
     * Get the number of active workers.
     *
     * @return the number of active workers.
     */
    public int activeWorkers()
    {
        return activeCount;
    }

    /**
     * Get the number of workers waiting for a permit.
     *
     * @return the number of waiting workers.
     */
    public int waitingWorkers()
    {
        return waitingCount;
    }

    /**
     * Get the number of permits granted.
     *
     * @return the number of permits granted.
     */
    public long permitsGranted()
    {
        return permitsGranted;
    }

    /**
     * Get the number of requests that could not be granted at once.
     *
     * @return the number of waits.
     */
    public long permitWaits()
    {
        return permitWaits;
    }

    /**
     * Get the total time workers waited for permits that were eventually granted.
     *
     * @return the total wait in nanoseconds.
     */
    public long permitWaitNsTotal()
    {
        return permitWaitNsTotal;
    }

    /**
     * Get the longest time one worker waited for a permit that was eventually granted.
     *
     * @return the longest wait in nanoseconds.
     */
    public long permitWaitNsMax()
    {
        return permitWaitNsMax;
    }

    /**
     * Get the number of steps completed by all workers, summed over every {@link #advance}.
     *
     * @return the number of completed steps.
     */
    public long stepsCompleted()
    {
        return stepsCompleted;
    }

    /**
     * Get the histogram of staleness at grant time, in clocks ({@code c - minClock}). A live view: read it, do not
     * change it.
     *
     * @return the staleness histogram.
     */
    public Histogram stalenessHistogram()
    {
        return stalenessHistogram;
    }

    private void grant(final int worker, final long clock)
    {
        final long min = scanMinClock();
        if (!policy.allows(clock, min))
        {
            throw new IllegalStateException("permit for worker=" + worker + " clock=" + clock + " would violate " +
                policy + ": min clock=" + min + ", expected clock - min <= " + policy.bound());
        }

        stalenessHistogram.recordValue(clock - min);
        permitsGranted++;
        if (policy.isUnbounded() && clock > clocks[worker])
        {
            unboundedFrom[worker] = Math.min(unboundedFrom[worker], clock);
            permittedClock[worker] = UNBOUNDED_CLOCK;
        }
        else
        {
            permittedClock[worker] = clock;
        }
    }

    private void releaseWaiters()
    {
        if (0 == waitingCount)
        {
            return;
        }

        final long nowNs = nanoClock.nanoTime();
        for (int worker = 0; worker < waiting.length; worker++)
        {
            if (waiting[worker] && policy.allows(waitingClock[worker], minClock))
            {
                waiting[worker] = false;
                waitingCount--;
                final long waitedNs = nowNs - waitStartNs[worker];
                permitWaitNsTotal += waitedNs;
                permitWaitNsMax = Math.max(permitWaitNsMax, waitedNs);
                grant(worker, waitingClock[worker]);
                granted.addInt(worker);
            }
        }
    }

    private long scanMinClock()
    {
        long min = Long.MAX_VALUE;
        for (int worker = 0; worker < active.length; worker++)
        {
            if (active[worker])
            {
                min = Math.min(min, clocks[worker]);
            }
        }
        return Long.MAX_VALUE == min ? NO_CLOCK : min;
    }

    private void checkActive(final int worker)
    {
        if (!isActive(worker))
        {
            throw new IllegalArgumentException("worker=" + worker + " is not an active worker of this gate");
        }
    }

    private void ensureCapacity(final int required)
    {
        if (required > active.length)
        {
            final int capacity = Math.max(required, active.length * 2);
            clocks = Arrays.copyOf(clocks, capacity);
            active = Arrays.copyOf(active, capacity);
            waiting = Arrays.copyOf(waiting, capacity);
            waitingClock = Arrays.copyOf(waitingClock, capacity);
            waitStartNs = Arrays.copyOf(waitStartNs, capacity);
            final int oldCapacity = permittedClock.length;
            permittedClock = Arrays.copyOf(permittedClock, capacity);
            Arrays.fill(permittedClock, oldCapacity, capacity, NO_CLOCK);
            unboundedFrom = Arrays.copyOf(unboundedFrom, capacity);
            Arrays.fill(unboundedFrom, oldCapacity, capacity, UNBOUNDED_CLOCK);
        }
    }
}
