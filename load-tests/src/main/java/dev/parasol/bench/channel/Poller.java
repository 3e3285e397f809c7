package dev.parasol.bench.channel;

import org.agrona.concurrent.IdleStrategy;

import java.util.function.IntSupplier;

/**
 * The receiving thread of a stream: calls a duty cycle (a subscription poll, or a shard agent's {@code doWork}) and
 * idles on no work with Parasol's agent idle strategy, as the shard's runner does. Started and stopped once per
 * measured window, so only the stream being measured has a thread.
 */
final class Poller
{
    private final IntSupplier dutyCycle;
    private final IdleStrategy idleStrategy;
    private final String name;
    private volatile boolean running;
    private volatile Throwable failure;
    private volatile long cpuNs;
    private Thread thread;

    Poller(final String name, final IntSupplier dutyCycle, final IdleStrategy idleStrategy)
    {
        this.name = name;
        this.dutyCycle = dutyCycle;
        this.idleStrategy = idleStrategy;
    }

    void start()
    {
        if (null != thread)
        {
            throw new IllegalStateException(name + ": already started");
        }
        running = true;
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stop the thread and wait for it: afterwards its writes are visible to the caller.
     *
     * @throws IllegalStateException if the duty cycle threw.
     */
    void stop()
    {
        running = false;
        boolean interrupted = false;
        while (null != thread)
        {
            try
            {
                thread.join();
                thread = null;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        if (null != failure)
        {
            throw new IllegalStateException(name + ": the receiving thread failed", failure);
        }
    }

    /**
     * Get the CPU time the thread used from its start to its stop, polling and idling included.
     *
     * @return nanoseconds of the last run.
     */
    long lastRunCpuNs()
    {
        return cpuNs;
    }

    private void run()
    {
        final IdleStrategy idle = idleStrategy;
        final IntSupplier work = dutyCycle;
        final long startCpuNs = CpuTime.currentThreadNs();
        try
        {
            idle.reset();
            while (running)
            {
                idle.idle(work.getAsInt());
            }
        }
        catch (final RuntimeException | Error ex)
        {
            failure = ex;
        }
        finally
        {
            cpuNs = CpuTime.currentThreadNs() - startCpuNs;
        }
    }
}
