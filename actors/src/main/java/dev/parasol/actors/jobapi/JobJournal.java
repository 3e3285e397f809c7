package dev.parasol.actors.jobapi;

import dev.parasol.actors.CborSerializable;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

import java.time.Duration;
import java.time.Instant;

/**
 * The job manager's durable memory: an event-sourced log of what happened to every job (accepted, started, resume
 * point reached, cancel requested, resumed, ended), from which a job manager that starts on another coordinator node
 * rebuilds its table after the old one was lost. The manager records a submission before it acknowledges it, so an
 * accepted job is never lost with its coordinator.
 * <p>
 * Kept apart from the {@link JobManager}'s logic on purpose: the manager stays a plain actor (timers, watched
 * runners, subscribers), and only what must survive it goes through Pekko Persistence. Two stores:
 * {@link #persistent(String)}, on whatever journal plugin the node configures (pekko-persistence-jdbc on H2 or
 * PostgreSQL in a cluster), and {@link #inMemory()}, for local mode, where the whole job lives and dies with one
 * process.
 */
public final class JobJournal
{
    /**
     * The persistence id of the cluster's job manager.
     */
    public static final String JOB_MANAGER_PERSISTENCE_ID = "parasol-job-manager";

    private static final int SNAPSHOT_EVERY_EVENTS = 200;
    private static final int SNAPSHOTS_KEPT = 2;

    /**
     * Messages the journal accepts. Local by construction (between a manager and its own child), so never
     * serialized, also not under {@code serialize-messages}.
     */
    public interface Command extends NoSerializationVerificationNeeded
    {
    }

    /**
     * Something that happened to a job, as the journal stores it.
     */
    public interface Event extends CborSerializable
    {
        /**
         * Get the job it happened to.
         *
         * @return the job id.
         */
        String jobId();
    }

    /**
     * Ask for the table the journal recovered; answered once recovery is over.
     *
     * @param replyTo gets {@link Recovered}.
     */
    public record Recover(ActorRef<Recovered> replyTo) implements Command
    {
    }

    /**
     * The recovered table.
     *
     * @param table every job the journal knows.
     */
    public record Recovered(JobTable table) implements NoSerializationVerificationNeeded
    {
    }

    /**
     * Record an event; with a {@code replyTo}, answer once it is stored.
     *
     * @param event   what happened.
     * @param replyTo told {@link Recorded} once stored, or null for no answer.
     */
    public record Record(Event event, ActorRef<Recorded> replyTo) implements Command
    {
    }

    /**
     * An event is stored.
     *
     * @param event the event.
     */
    public record Recorded(Event event) implements NoSerializationVerificationNeeded
    {
    }

    /**
     * A job was accepted.
     *
     * @param jobId       the job.
     * @param spec        its spec.
     * @param submittedAt when.
     * @param sequence    the sequence number its id was drawn from.
     */
    public record Submitted(String jobId, JobSpec spec, Instant submittedAt, long sequence) implements Event
    {
    }

    /**
     * A job started running.
     *
     * @param jobId the job.
     * @param at    when.
     */
    public record Started(String jobId, Instant at) implements Event
    {
    }

    /**
     * A running job reached a point it can resume from.
     *
     * @param jobId the job.
     * @param point the point.
     */
    public record ResumePointReached(String jobId, ResumePoint point) implements Event
    {
    }

    /**
     * A cancel was asked for.
     *
     * @param jobId the job.
     */
    public record CancelRequested(String jobId) implements Event
    {
    }

    /**
     * A job that was running when its coordinator was lost goes on under a new manager.
     *
     * @param jobId the job.
     * @param at    when.
     */
    public record Resumed(String jobId, Instant at) implements Event
    {
    }

    /**
     * A job ended.
     *
     * @param jobId  the job.
     * @param state  its terminal state.
     * @param at     when.
     * @param result its result, or null.
     * @param error  why it failed, or null.
     */
    public record Ended(String jobId, JobStatus.State state, Instant at, JobResult result, String error)
        implements Event
    {
    }

    private JobJournal()
    {
    }

    /**
     * Get a journal stored by the actor system's configured journal plugin
     * ({@code pekko.persistence.journal.plugin}), which restarts with backoff when a write fails.
     *
     * @param persistenceId the id the events are stored under; {@link #JOB_MANAGER_PERSISTENCE_ID} in a cluster.
     * @return the behavior.
     */
    public static Behavior<Command> persistent(final String persistenceId)
    {
        return new Persistent(PersistenceId.ofUniqueId(persistenceId));
    }

    /**
     * Get a journal that keeps nothing: every record is confirmed at once and a new one recovers an empty table.
     * For local mode, where jobs never outlive their process.
     *
     * @return the behavior.
     */
    public static Behavior<Command> inMemory()
    {
        return Behaviors.receive(Command.class)
            .onMessage(Recover.class, (recover) ->
            {
                recover.replyTo().tell(new Recovered(JobTable.EMPTY));
                return Behaviors.same();
            })
            .onMessage(Record.class, (record) ->
            {
                if (record.replyTo() != null)
                {
                    record.replyTo().tell(new Recorded(record.event()));
                }
                return Behaviors.same();
            })
            .build();
    }

    /**
     * Apply an event to a table: the one place that says what each event means, for recovery and for writes.
     *
     * @param table    the table before.
     * @param event    the event.
     * @param retained how many ended jobs to keep.
     * @return the table after.
     */
    static JobTable applyEvent(final JobTable table, final Event event, final int retained)
    {
        if (event instanceof Submitted submitted)
        {
            return table.with(JobRecord.queued(submitted.jobId(), submitted.spec(), submitted.submittedAt()),
                submitted.sequence());
        }
        if (event instanceof Started started)
        {
            return table.update(started.jobId(), (record) -> record.withStarted(started.at()));
        }
        if (event instanceof ResumePointReached reached)
        {
            return table.update(reached.jobId(), (record) -> record.withResumePoint(reached.point()));
        }
        if (event instanceof CancelRequested)
        {
            return table.update(event.jobId(), JobRecord::withCancelRequested);
        }
        if (event instanceof Resumed)
        {
            return table.update(event.jobId(), JobRecord::withResume);
        }
        if (event instanceof Ended ended)
        {
            return table.update(ended.jobId(),
                (record) -> record.withEnd(ended.state(), ended.at(), ended.result(), ended.error()))
                .forgetEndedBeyond(retained);
        }
        throw new IllegalArgumentException("unknown job journal event " + event);
    }

    /**
     * The journal on Pekko Persistence.
     */
    private static final class Persistent extends EventSourcedBehavior<Command, Event, JobTable>
    {
        private Persistent(final PersistenceId persistenceId)
        {
            // A failed write (the database restarting, a full disk) stops the journal; it comes back with backoff
            // and replays, while the manager keeps serving from memory and reports what it could not record.
            super(persistenceId, SupervisorStrategy.restartWithBackoff(
                Duration.ofMillis(500), Duration.ofSeconds(30), 0.2));
        }

        @Override
        public JobTable emptyState()
        {
            return JobTable.EMPTY;
        }

        @Override
        public CommandHandler<Command, Event, JobTable> commandHandler()
        {
            return newCommandHandlerBuilder().forAnyState()
                .onCommand(Recover.class, (table, recover) ->
                {
                    recover.replyTo().tell(new Recovered(table));
                    return Effect().none();
                })
                .onCommand(Record.class, (table, record) -> Effect().persist(record.event()).thenRun((after) ->
                {
                    if (record.replyTo() != null)
                    {
                        record.replyTo().tell(new Recorded(record.event()));
                    }
                }))
                .build();
        }

        @Override
        public EventHandler<JobTable, Event> eventHandler()
        {
            return newEventHandlerBuilder().forAnyState()
                .onAnyEvent((table, event) -> applyEvent(table, event, JobManager.RETAINED_ENDED_JOBS));
        }

        @Override
        public RetentionCriteria retentionCriteria()
        {
            // Replaying a long-lived cluster's whole history would slow every fail-over; a snapshot bounds it.
            return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY_EVENTS, SNAPSHOTS_KEPT).withDeleteEventsOnSnapshot();
        }
    }
}
