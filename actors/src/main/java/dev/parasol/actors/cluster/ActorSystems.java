package dev.parasol.actors.cluster;

import org.apache.pekko.actor.typed.ActorSystem;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waiting for an actor system to stop, the one way every Parasol process does it before it releases Aeron.
 */
public final class ActorSystems
{
    private ActorSystems()
    {
    }

    /**
     * Wait until an actor system has terminated, keeping the thread's interrupt status.
     *
     * @param system  a system that was told to terminate (directly or by coordinated shutdown).
     * @param timeout how long to wait.
     * @return true if it terminated in time, false if not or if the wait was interrupted.
     */
    public static boolean awaitTermination(final ActorSystem<?> system, final Duration timeout)
    {
        try
        {
            system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            return false;
        }
    }
}
