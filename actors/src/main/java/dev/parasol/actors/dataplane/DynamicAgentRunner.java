package dev.parasol.actors.dataplane;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.DynamicCompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A group of agents that can grow and shrink while it runs, such as the parameter-server shards of one node, put on
 * threads according to an {@link AgentThreadingMode}:
 * <ul>
 *     <li>{@code SHARED}: one {@link DynamicCompositeAgent} on one {@link AgentRunner} thread; {@link #add} and
 *     {@link #remove} hand the agent over and wait until the runner thread has taken it (and called its
 *     {@code onStart} or {@code onClose} there), so agent state is only ever touched by that thread;</li>
 *     <li>{@code DEDICATED}: one runner thread per added agent;</li>
 *     <li>{@code INVOKER}: the composite without a thread; {@link #invoke()} runs one duty cycle of every agent on
 *     the caller's thread, and {@link #add} / {@link #remove} invoke it themselves to complete.</li>
 * </ul>
 * Add and remove are control-path calls (from an actor, for example), serialised by this object's lock; they wait
 * by sleeping a millisecond at a time.
 */
public final class DynamicAgentRunner implements AutoCloseable
{
    private static final long START_TIMEOUT_NS = Duration.ofSeconds(10).toNanos();

    private final String roleName;
    private final AgentThreadingMode mode;
    private final Supplier<IdleStrategy> idleStrategies;
    private final ErrorHandler errorHandler;
    private final AtomicCounter errorCounter;
    private final DynamicCompositeAgent composite;
    private final AgentRunner sharedRunner;
    private final AgentInvoker invoker;
    private final Map<Agent, AgentRunner> dedicatedRunners = new IdentityHashMap<>();
    private boolean isClosed;

    private DynamicAgentRunner(
        final String roleName,
        final AgentThreadingMode mode,
        final Supplier<IdleStrategy> idleStrategies,
        final ErrorHandler errorHandler,
        final AtomicCounter errorCounter)
    {
        this.roleName = roleName;
        this.mode = mode;
        this.idleStrategies = idleStrategies;
        this.errorHandler = errorHandler;
        this.errorCounter = errorCounter;

        if (AgentThreadingMode.DEDICATED == mode)
        {
            composite = null;
            sharedRunner = null;
            invoker = null;
        }
        else
        {
            composite = new DynamicCompositeAgent(roleName);
            if (AgentThreadingMode.SHARED == mode)
            {
                sharedRunner = AgentRunners.start(
                    composite, idleStrategies.get(), errorHandler, errorCounter, roleName);
                invoker = null;
            }
            else
            {
                sharedRunner = null;
                invoker = AgentRunners.startInvoker(composite, errorHandler, errorCounter);
            }
        }
    }

    /**
     * Start an empty group.
     *
     * @param roleName       the group's name, also its thread's name (and the prefix of dedicated threads' names).
     * @param mode           how agents are put on threads.
     * @param idleStrategies supplies one new idle strategy per thread.
     * @param errorHandler   receives errors thrown by the agents' duty cycles.
     * @param errorCounter   counts those errors, or null.
     * @return the running group.
     * @throws IllegalStateException if the shared thread did not start within 10 seconds.
     */
    public static DynamicAgentRunner start(
        final String roleName,
        final AgentThreadingMode mode,
        final Supplier<IdleStrategy> idleStrategies,
        final ErrorHandler errorHandler,
        final AtomicCounter errorCounter)
    {
        final DynamicAgentRunner runner = new DynamicAgentRunner(
            roleName, mode, idleStrategies, errorHandler, errorCounter);
        if (AgentThreadingMode.SHARED == mode)
        {
            runner.awaitSharedStart();
        }

        return runner;
    }

    /**
     * Add an agent and wait until it runs (its {@code onStart} was called on its thread). If {@code onStart} throws,
     * the error goes to the error handler and the agent is not added.
     *
     * @param agent   the agent, not already in the group.
     * @param timeout how long to wait for the runner thread to take it.
     * @return true if added, false if the timeout passed first (the add may still complete later).
     * @throws IllegalStateException if the group is closed.
     */
    public synchronized boolean add(final Agent agent, final Duration timeout)
    {
        ensureOpen();
        if (AgentThreadingMode.DEDICATED == mode)
        {
            final AgentRunner runner = AgentRunners.start(
                agent, idleStrategies.get(), errorHandler, errorCounter, roleName + "-" + agent.roleName());
            dedicatedRunners.put(agent, runner);
            return true;
        }

        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!composite.tryAdd(agent))
        {
            if (!awaitStep(deadlineNs))
            {
                return false;
            }
        }

        while (!composite.hasAddAgentCompleted())
        {
            if (!awaitStep(deadlineNs))
            {
                return false;
            }
        }

        return true;
    }

    /**
     * Remove an agent and wait until it is out (its {@code onClose} was called on its thread).
     *
     * @param agent   the agent, by identity.
     * @param timeout how long to wait for the runner thread to let it go.
     * @return true if removed (or it was not in a dedicated group), false if the timeout passed first.
     * @throws IllegalStateException if the group is closed.
     */
    public synchronized boolean remove(final Agent agent, final Duration timeout)
    {
        ensureOpen();
        if (AgentThreadingMode.DEDICATED == mode)
        {
            final AgentRunner runner = dedicatedRunners.remove(agent);
            CloseHelper.close(runner);
            return null != runner;
        }

        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!composite.tryRemove(agent))
        {
            if (!awaitStep(deadlineNs))
            {
                return false;
            }
        }

        while (!composite.hasRemoveAgentCompleted())
        {
            if (!awaitStep(deadlineNs))
            {
                return false;
            }
        }

        return true;
    }

    /**
     * Run one duty cycle of every agent on the caller's thread: {@link AgentThreadingMode#INVOKER} only.
     *
     * @return the work count of the cycle.
     * @throws IllegalStateException in another mode.
     */
    public int invoke()
    {
        if (null == invoker)
        {
            throw new IllegalStateException("invoke() needs AgentThreadingMode.INVOKER, mode=" + mode);
        }

        return invoker.invoke();
    }

    /**
     * Get how agents are put on threads.
     *
     * @return the mode.
     */
    public AgentThreadingMode mode()
    {
        return mode;
    }

    /**
     * Get the group's name.
     *
     * @return the role name.
     */
    public String roleName()
    {
        return roleName;
    }

    /**
     * Stop every agent (each {@code onClose} runs on its thread) and the group's thread. Idempotent.
     */
    public synchronized void close()
    {
        if (isClosed)
        {
            return;
        }
        isClosed = true;

        final List<AutoCloseable> toClose = new ArrayList<>(dedicatedRunners.values());
        dedicatedRunners.clear();
        toClose.add(sharedRunner);
        toClose.add(invoker);
        CloseHelper.closeAll(toClose);
    }

    private void awaitSharedStart()
    {
        final long deadlineNs = System.nanoTime() + START_TIMEOUT_NS;
        while (DynamicCompositeAgent.Status.INIT == composite.status())
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                close();
                throw new IllegalStateException("agent group " + roleName + " did not start within 10 s");
            }
            sleepOneMillisecond();
        }
    }

    private boolean awaitStep(final long deadlineNs)
    {
        if (null != invoker)
        {
            invoker.invoke();
        }
        else
        {
            sleepOneMillisecond();
        }

        return System.nanoTime() - deadlineNs < 0;
    }

    private void ensureOpen()
    {
        if (isClosed)
        {
            throw new IllegalStateException("agent group " + roleName + " is closed");
        }
    }

    private static void sleepOneMillisecond()
    {
        try
        {
            Thread.sleep(1);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an agent runner", ex);
        }
    }
}
