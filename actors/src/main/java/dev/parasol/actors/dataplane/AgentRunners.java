package dev.parasol.actors.dataplane;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CountedErrorHandler;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.ThreadFactory;

/**
 * Starts Parasol's agents on threads the Agrona way: an {@link AgentRunner} with an {@link IdleStrategy}, started by
 * {@link AgentRunner#startOnThread(AgentRunner, ThreadFactory)} on a daemon thread given the caller's name, reporting
 * duty-cycle errors to a non-throwing {@link ErrorHandler} wrapped in a {@link CountedErrorHandler}. An agent stops
 * itself by throwing {@link org.agrona.concurrent.AgentTerminationException}; closing the runner stops it from
 * outside and calls {@link Agent#onClose()} on its thread.
 */
public final class AgentRunners
{
    private AgentRunners()
    {
    }

    /**
     * Start an agent on a thread of its own; errors go to the handler and are not counted.
     *
     * @param agent        the agent.
     * @param idleStrategy its own idle strategy instance.
     * @param errorHandler receives the errors thrown by its duty cycle.
     * @param threadName   the name of the thread.
     * @return the running runner; close it to stop the agent.
     */
    public static AgentRunner start(
        final Agent agent, final IdleStrategy idleStrategy, final ErrorHandler errorHandler, final String threadName)
    {
        return start(agent, idleStrategy, errorHandler, null, threadName);
    }

    /**
     * Start an agent on a thread of its own, counting its errors.
     *
     * @param agent        the agent.
     * @param idleStrategy its own idle strategy instance.
     * @param errorHandler receives the errors thrown by its duty cycle.
     * @param errorCounter counts those errors (such as {@link TrainingCounterDescriptor#ERRORS}), or null.
     * @param threadName   the name of the thread.
     * @return the running runner; close it to stop the agent.
     */
    public static AgentRunner start(
        final Agent agent,
        final IdleStrategy idleStrategy,
        final ErrorHandler errorHandler,
        final AtomicCounter errorCounter,
        final String threadName)
    {
        final AgentRunner runner = new AgentRunner(
            idleStrategy, countedErrorHandler(errorHandler, errorCounter), null, agent);
        AgentRunner.startOnThread(runner, daemonThreads(threadName));
        return runner;
    }

    /**
     * Start an agent without a thread: the caller drives it with {@link AgentInvoker#invoke()}.
     *
     * @param agent        the agent.
     * @param errorHandler receives the errors thrown by its duty cycle.
     * @param errorCounter counts those errors, or null.
     * @return the started invoker; close it to stop the agent.
     */
    public static AgentInvoker startInvoker(
        final Agent agent, final ErrorHandler errorHandler, final AtomicCounter errorCounter)
    {
        final AgentInvoker invoker = new AgentInvoker(countedErrorHandler(errorHandler, errorCounter), null, agent);
        invoker.start();
        return invoker;
    }

    /**
     * Wrap an error handler so that it also counts the errors.
     *
     * @param errorHandler the handler.
     * @param errorCounter the counter, or null for no counting.
     * @return a {@link CountedErrorHandler}, or the handler itself when there is no counter.
     */
    public static ErrorHandler countedErrorHandler(final ErrorHandler errorHandler, final AtomicCounter errorCounter)
    {
        return null == errorCounter ? errorHandler : new CountedErrorHandler(errorHandler, errorCounter);
    }

    private static ThreadFactory daemonThreads(final String threadName)
    {
        return (runnable) ->
        {
            // startOnThread names the thread after the agent's role before starting it; the caller's name is more
            // specific, so the thread takes it as its first act, before the agent's onStart.
            final Thread thread = new Thread(() ->
            {
                Thread.currentThread().setName(threadName);
                runnable.run();
            });
            // A runner somebody forgot to close must not keep the JVM alive.
            thread.setDaemon(true);
            return thread;
        };
    }
}
