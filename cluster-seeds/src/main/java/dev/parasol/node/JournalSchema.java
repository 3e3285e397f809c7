package dev.parasol.node;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the job journal's tables when they are missing, with pekko-persistence-jdbc's own schema for the
 * database's kind ({@code CREATE TABLE IF NOT EXISTS}), before the job manager may start on this node. Run on
 * coordinator nodes only: they are the ones that may host the job manager.
 */
public final class JournalSchema
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private JournalSchema()
    {
    }

    /**
     * Create the tables if missing, or fail naming the database.
     *
     * @param system  the node's actor system, configured by {@link NodeSettings#pekkoConfig()}.
     * @param journal the journal settings.
     * @throws IllegalStateException if the database cannot be reached or the tables cannot be created.
     */
    public static void ensure(final ActorSystem<?> system, final JournalSettings journal)
    {
        try
        {
            SchemaUtils.createIfNotExists(system).toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            system.log().info("job journal: {}", journal.describe());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing the job journal at " + journal.describe(), ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            final Throwable cause = ex instanceof ExecutionException ? ex.getCause() : ex;
            throw new IllegalStateException("the job journal's database at " + journal.describe() + " cannot be " +
                "used (" + cause + "); check parasol.jobs.journal (url, user, password) and that the database is " +
                "up, or set parasol.jobs.journal.store = in-memory to run without one (jobs are then lost with " +
                "their coordinator)", cause);
        }
    }
}
