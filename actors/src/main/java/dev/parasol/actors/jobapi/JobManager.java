package dev.parasol.actors.jobapi;

import dev.parasol.actors.CborSerializable;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.pattern.StatusReply;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The job-submission actor: validates submitted {@link JobSpec}s, queues them, starts each through a
 * {@link JobLauncher} when enough worker slots are free, tracks their state, streams their progress to subscribers,
 * cancels them, and keeps their results.
 * <p>
 * Slots: the manager owns a fixed number of worker slots. A job takes {@link JobSpec#workers()} slots from start to
 * end. Jobs start in strict FIFO order: a job waits while the one ahead of it does not fit, so a large job is never
 * starved by smaller ones; several jobs run at once when they fit. A job needing more workers than the manager has
 * slots is rejected at submission.
 * <p>
 * Job states ({@link JobStatus.State}):
 * <pre>
 *   QUEUED --slots free, runner spawned--------------&gt; RUNNING
 *   QUEUED --CancelJob-------------------------------&gt; CANCELLED
 *   QUEUED --launcher throws-------------------------&gt; FAILED
 *   RUNNING --JobFinished----------------------------&gt; SUCCEEDED (CANCELLED if a cancel was asked for)
 *   RUNNING --JobFailed, runner crashed or stopped---&gt; FAILED    (CANCELLED if a cancel was asked for)
 *   RUNNING --CancelJob: Stop sent, then runner stops or reports, or CANCEL_GRACE passes--&gt; CANCELLED
 * </pre>
 * Runners are children, watched: a runner that throws or stops without reporting never leaves its job RUNNING.
 * When a job ends its runner is stopped, its slots are freed, every subscriber gets {@link JobEnded}, and the queue
 * is served again. The manager keeps the last {@link #RETAINED_ENDED_JOBS} ended jobs.
 * <p>
 * Durability: every change of a job is recorded in a {@link JobJournal}, its child. A submission is acknowledged
 * only once recorded. A manager that starts (on another coordinator node, after the last one was lost) first
 * recovers the journal's table, stashing what it is asked meanwhile: queued jobs queue again, ended ones keep their
 * results, and jobs that were running are resumed through {@link JobLauncher#resumeRunnerFor} from their latest
 * {@link ResumePoint}. In local mode the journal keeps nothing ({@link JobJournal#inMemory()}).
 * <p>
 * An {@link AbstractBehavior}: the manager's state is a table of jobs, a queue and slot counts, not a small FSM.
 * It registers itself with the receptionist under {@link #SERVICE_KEY} once its table is recovered.
 */
public final class JobManager extends AbstractBehavior<JobManager.Command>
{
    /**
     * The key under which the manager registers with the receptionist.
     */
    public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "parasol-job-manager");

    /**
     * How long a cancelled runner may take to stop before the manager stops it.
     */
    public static final Duration CANCEL_GRACE = Duration.ofSeconds(30);

    /**
     * How many ended jobs the manager remembers; older ones are forgotten first.
     */
    public static final int RETAINED_ENDED_JOBS = 1000;

    /**
     * How long a submission may wait for the journal to record it before it is refused.
     */
    public static final Duration RECORD_TIMEOUT = Duration.ofSeconds(10);

    private static final int STASH_CAPACITY = 10_000;

    /**
     * Every message the manager accepts.
     */
    public interface Command extends CborSerializable
    {
    }

    /**
     * Replies to {@link SubmitJob}: {@link Accepted} or {@link Rejected}.
     */
    public interface SubmitResponse extends CborSerializable
    {
    }

    /**
     * Replies to {@link GetJobStatus}: {@link JobStatus} or {@link UnknownJob}.
     */
    public interface StatusResponse extends CborSerializable
    {
    }

    /**
     * What a progress subscriber receives: {@link ProgressEvent}s, then one {@link JobEnded}; or one
     * {@link UnknownJob}.
     */
    public interface JobEvent extends CborSerializable
    {
    }

    /**
     * Submit a job.
     *
     * @param spec    the job.
     * @param replyTo gets {@link Accepted} or {@link Rejected}.
     */
    public record SubmitJob(JobSpec spec, ActorRef<SubmitResponse> replyTo) implements Command
    {
    }

    /**
     * The job was accepted and queued.
     *
     * @param jobId its id.
     */
    public record Accepted(String jobId) implements SubmitResponse
    {
    }

    /**
     * The job was refused.
     *
     * @param errors every reason, one per bad field, in the form {@code key=value: expected ...}.
     */
    public record Rejected(List<String> errors) implements SubmitResponse
    {
        /**
         * Copy the reasons.
         *
         * @param errors every reason.
         */
        public Rejected
        {
            errors = List.copyOf(errors);
        }
    }

    /**
     * Ask for a job's status.
     *
     * @param jobId   the job.
     * @param replyTo gets the {@link JobStatus} or {@link UnknownJob}.
     */
    public record GetJobStatus(String jobId, ActorRef<StatusResponse> replyTo) implements Command
    {
    }

    /**
     * The manager does not know the job id.
     *
     * @param jobId the id asked for.
     */
    public record UnknownJob(String jobId) implements StatusResponse, JobEvent
    {
    }

    /**
     * Ask for every job the manager knows.
     *
     * @param replyTo gets the {@link JobList}.
     */
    public record ListJobs(ActorRef<JobList> replyTo) implements Command
    {
    }

    /**
     * Every job the manager knows, in submission order.
     *
     * @param jobs the statuses.
     */
    public record JobList(List<JobStatus> jobs) implements CborSerializable
    {
        /**
         * Copy the list.
         *
         * @param jobs the statuses.
         */
        public JobList
        {
            jobs = List.copyOf(jobs);
        }
    }

    /**
     * Cancel a job: a queued job is removed; a running job's runner is told to stop and the job becomes CANCELLED
     * when it has.
     *
     * @param jobId   the job.
     * @param replyTo gets an ack when the cancel is under way, or an error for an unknown or ended job.
     */
    public record CancelJob(String jobId, ActorRef<StatusReply<Done>> replyTo) implements Command
    {
    }

    /**
     * Follow a job: the subscriber gets every later {@link ProgressEvent} of the job, then one {@link JobEnded},
     * then nothing. A job that has already ended gets {@link JobEnded} at once; an unknown id gets
     * {@link UnknownJob}.
     *
     * @param jobId   the job.
     * @param replyTo the subscriber.
     */
    public record SubscribeProgress(String jobId, ActorRef<JobEvent> replyTo) implements Command
    {
    }

    /**
     * The last event a subscriber gets.
     *
     * @param status the job's terminal status.
     */
    public record JobEnded(JobStatus status) implements JobEvent
    {
    }

    /**
     * Ask for a job's result.
     *
     * @param jobId   the job.
     * @param replyTo gets the result, or an error when the job is unknown, has not ended, or ended without result.
     */
    public record GetResult(String jobId, ActorRef<StatusReply<JobResult>> replyTo) implements Command
    {
    }

    /**
     * From a runner: progress of its job.
     *
     * @param jobId the job.
     * @param event the snapshot.
     */
    public record JobProgress(String jobId, ProgressEvent event) implements Command
    {
    }

    /**
     * From a runner: its job finished (target reached or budget spent, or stopped after a cancel).
     *
     * @param jobId  the job.
     * @param result what it produced.
     */
    public record JobFinished(String jobId, JobResult result) implements Command
    {
    }

    /**
     * From a runner: its job failed.
     *
     * @param jobId the job.
     * @param error why, naming the setting or the failure.
     */
    public record JobFailed(String jobId, String error) implements Command
    {
    }

    /**
     * From a runner: its job reached a point it can resume from if this manager is lost.
     *
     * @param jobId the job.
     * @param point the point.
     */
    public record ResumePointReached(String jobId, ResumePoint point) implements Command
    {
    }

    private record CancelTimeout(String jobId) implements Command
    {
    }

    private record JournalRecovered(JobTable table) implements Command
    {
    }

    private record SubmissionRecorded(Job job, ActorRef<SubmitResponse> replyTo, Throwable failure)
        implements Command, NoSerializationVerificationNeeded
    {
    }

    private record CancelRecorded(String jobId, ActorRef<StatusReply<Done>> replyTo, Throwable failure)
        implements Command, NoSerializationVerificationNeeded
    {
    }

    private record SubscriberTerminated(ActorRef<JobEvent> subscriber) implements Command
    {
    }

    private final TimerScheduler<Command> timers;
    private final ActorRef<JobJournal.Command> journal;
    private final int workerSlots;
    private final JobLauncher launcher;
    private final Duration cancelGrace;
    private final SplittableRandom idRandom;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final List<Job> queue = new ArrayList<>();
    private final Map<String, Job> jobByRunnerName = new HashMap<>();
    private final Set<ActorRef<JobEvent>> watchedSubscribers = new HashSet<>();
    private int usedSlots;
    private int endedJobs;
    private long sequence;

    private JobManager(
        final ActorContext<Command> context,
        final TimerScheduler<Command> timers,
        final ActorRef<JobJournal.Command> journal,
        final int workerSlots,
        final JobLauncher launcher,
        final Duration cancelGrace)
    {
        super(context);
        this.timers = timers;
        this.journal = journal;
        this.workerSlots = workerSlots;
        this.launcher = launcher;
        this.cancelGrace = cancelGrace;
        this.idRandom = new SplittableRandom(System.nanoTime() ^ System.currentTimeMillis());
    }

    /**
     * Rebuild the job table from the journal's, resume what was running, serve the queue, and only then register:
     * a manager that answered before it knew its jobs would call them unknown.
     */
    private JobManager recover(final JobTable table)
    {
        sequence = table.sequence();
        final List<Job> running = new ArrayList<>();
        for (final JobRecord record : table.records())
        {
            final Job job = new Job(record.id(), record.spec(), record.submittedAt());
            job.state = record.state();
            job.startedAt = record.startedAt();
            job.endedAt = record.endedAt();
            job.result = record.result();
            job.error = record.error();
            job.cancelRequested = record.cancelRequested();
            job.resumes = record.resumes();
            job.resumePoint = record.resumePoint();
            jobs.put(job.id, job);
            if (job.state == JobStatus.State.QUEUED)
            {
                queue.add(job);
            }
            else if (job.state == JobStatus.State.RUNNING)
            {
                running.add(job);
            }
            else
            {
                endedJobs++;
            }
        }
        for (final Job job : running)
        {
            resume(job);
        }
        startQueuedJobs();
        getContext().getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, getContext().getSelf()));
        getContext().getLog().info("job manager started with {} worker slots; recovered {} jobs ({} queued, {} " +
            "resumed)", workerSlots, jobs.size(), queue.size(), running.size());
        return this;
    }

    /**
     * Create a job manager that stops cancelled runners after {@link #CANCEL_GRACE}.
     *
     * @param workerSlots worker slots shared by the running jobs, at least 1.
     * @param launcher    how jobs are started.
     * @return the behaviour.
     */
    public static Behavior<Command> create(final int workerSlots, final JobLauncher launcher)
    {
        return create(workerSlots, launcher, CANCEL_GRACE);
    }

    /**
     * Create a job manager.
     *
     * @param workerSlots worker slots shared by the running jobs, at least 1.
     * @param launcher    how jobs are started.
     * @param cancelGrace how long a cancelled runner may take to stop before the manager stops it.
     * @return the behaviour.
     */
    public static Behavior<Command> create(
        final int workerSlots, final JobLauncher launcher, final Duration cancelGrace)
    {
        return create(workerSlots, launcher, cancelGrace, JobJournal.inMemory());
    }

    /**
     * Create a job manager that records its jobs in a journal, and recovers and resumes them from it when it starts.
     *
     * @param workerSlots worker slots shared by the running jobs, at least 1.
     * @param launcher    how jobs are started and resumed.
     * @param cancelGrace how long a cancelled runner may take to stop before the manager stops it.
     * @param journal     the journal, spawned as the manager's child: {@link JobJournal#persistent(String)} or
     *                    {@link JobJournal#inMemory()}.
     * @return the behaviour.
     */
    public static Behavior<Command> create(
        final int workerSlots,
        final JobLauncher launcher,
        final Duration cancelGrace,
        final Behavior<JobJournal.Command> journal)
    {
        if (workerSlots < 1)
        {
            throw new IllegalArgumentException("workerSlots=" + workerSlots + ", expected >= 1");
        }
        if (launcher == null)
        {
            throw new IllegalArgumentException("launcher=null, expected a JobLauncher");
        }
        if (cancelGrace == null || cancelGrace.isNegative() || cancelGrace.isZero())
        {
            throw new IllegalArgumentException("cancelGrace=" + cancelGrace + ", expected a positive duration");
        }
        if (journal == null)
        {
            throw new IllegalArgumentException("journal=null, expected JobJournal.persistent(...) or inMemory()");
        }
        return Behaviors.setup((context) -> Behaviors.withStash(STASH_CAPACITY, (stash) -> Behaviors.withTimers(
            (timers) ->
            {
                final ActorRef<JobJournal.Command> journalRef = context.spawn(journal, "journal");
                journalRef.tell(new JobJournal.Recover(context.messageAdapter(
                    JobJournal.Recovered.class, (recovered) -> new JournalRecovered(recovered.table()))));
                return recovering(stash, new JobManager(context, timers, journalRef, workerSlots, launcher,
                    cancelGrace));
            })));
    }

    private static Behavior<Command> recovering(final StashBuffer<Command> stash, final JobManager manager)
    {
        return Behaviors.receive(Command.class)
            .onMessage(JournalRecovered.class, (recovered) -> stash.unstashAll(manager.recover(recovered.table())))
            .onAnyMessage((command) ->
            {
                // Asked before the table is known: answered once it is, in order.
                stash.stash(command);
                return Behaviors.same();
            })
            .build();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Receive<Command> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(SubmitJob.class, this::onSubmitJob)
            .onMessage(GetJobStatus.class, this::onGetJobStatus)
            .onMessage(ListJobs.class, this::onListJobs)
            .onMessage(CancelJob.class, this::onCancelJob)
            .onMessage(SubscribeProgress.class, this::onSubscribeProgress)
            .onMessage(GetResult.class, this::onGetResult)
            .onMessage(JobProgress.class, this::onJobProgress)
            .onMessage(JobFinished.class, this::onJobFinished)
            .onMessage(JobFailed.class, this::onJobFailed)
            .onMessage(ResumePointReached.class, this::onResumePointReached)
            .onMessage(SubmissionRecorded.class, this::onSubmissionRecorded)
            .onMessage(CancelRecorded.class, this::onCancelRecorded)
            .onMessage(CancelTimeout.class, this::onCancelTimeout)
            .onMessage(SubscriberTerminated.class, this::onSubscriberTerminated)
            .onSignal(Terminated.class, this::onRunnerTerminated)
            .build();
    }

    private Behavior<Command> onSubmitJob(final SubmitJob message)
    {
        final JobSpec spec = message.spec();
        final List<String> errors = new ArrayList<>();
        if (spec == null)
        {
            errors.add("spec=null: expected a job spec");
        }
        else
        {
            errors.addAll(spec.validate());
            if (spec.workers() > workerSlots && spec.workers() <= JobSpec.MAX_WORKERS)
            {
                errors.add("workers=" + spec.workers() + ": expected at most " + workerSlots +
                    ", the worker slots of this job manager");
            }
        }
        if (!errors.isEmpty())
        {
            getContext().getLog().info("job rejected: {}", errors);
            message.replyTo().tell(new Rejected(errors));
            return this;
        }

        final Job job = new Job(newJobId(), spec, Instant.now());
        final JobJournal.Submitted submitted = new JobJournal.Submitted(job.id, spec, job.submittedAt, sequence);
        // Acknowledged only once recorded: an accepted job survives the loss of this node.
        getContext().ask(JobJournal.Recorded.class, journal, RECORD_TIMEOUT,
            (recordedTo) -> new JobJournal.Record(submitted, recordedTo),
            (recorded, failure) -> new SubmissionRecorded(job, message.replyTo(), failure));
        return this;
    }

    private Behavior<Command> onSubmissionRecorded(final SubmissionRecorded message)
    {
        final Job job = message.job();
        if (message.failure() != null)
        {
            final String error = "job journal: the job was not recorded within " + RECORD_TIMEOUT + " (" +
                message.failure().getMessage() + "); is the journal's database reachable? (parasol.jobs.journal)";
            getContext().getLog().error("job {} refused: {}", job.id, error);
            // The write may still land late: mark the job ended, so that a manager recovering it never runs it.
            record(new JobJournal.Ended(job.id, JobStatus.State.FAILED, Instant.now(), null, error));
            message.replyTo().tell(new Rejected(List.of(error)));
            return this;
        }
        jobs.put(job.id, job);
        queue.add(job);
        getContext().getLog().info("job {} accepted: {}", job.id, job.summary);
        message.replyTo().tell(new Accepted(job.id));
        startQueuedJobs();
        return this;
    }

    private Behavior<Command> onResumePointReached(final ResumePointReached message)
    {
        final Job job = jobs.get(message.jobId());
        if (job != null && job.state == JobStatus.State.RUNNING && message.point() != null)
        {
            job.resumePoint = message.point();
            record(new JobJournal.ResumePointReached(job.id, message.point()));
        }
        return this;
    }

    private void record(final JobJournal.Event event)
    {
        journal.tell(new JobJournal.Record(event, null));
    }

    private Behavior<Command> onGetJobStatus(final GetJobStatus message)
    {
        final Job job = jobs.get(message.jobId());
        message.replyTo().tell(job == null ? new UnknownJob(message.jobId()) : status(job));
        return this;
    }

    private Behavior<Command> onListJobs(final ListJobs message)
    {
        final List<JobStatus> statuses = new ArrayList<>(jobs.size());
        for (final Job job : jobs.values())
        {
            statuses.add(status(job));
        }
        message.replyTo().tell(new JobList(statuses));
        return this;
    }

    private Behavior<Command> onCancelJob(final CancelJob message)
    {
        final Job job = jobs.get(message.jobId());
        if (job == null)
        {
            message.replyTo().tell(StatusReply.error("unknown job id '" + message.jobId() + "'"));
        }
        else if (job.state.isTerminal())
        {
            message.replyTo().tell(StatusReply.error("job " + job.id + " already ended (" + job.state + ")"));
        }
        else if (job.state == JobStatus.State.QUEUED)
        {
            queue.remove(job);
            job.cancelRequested = true;
            recordCancel(job, message.replyTo());
            end(job, JobStatus.State.CANCELLED);
            startQueuedJobs();
        }
        else
        {
            if (!job.cancelRequested)
            {
                job.cancelRequested = true;
                getContext().getLog().info("job {} cancel requested; telling its runner to stop", job.id);
                job.runner.tell(JobRunnerCommand.Stop.INSTANCE);
                timers.startSingleTimer(job.id, new CancelTimeout(job.id), cancelGrace);
            }
            recordCancel(job, message.replyTo());
        }
        return this;
    }

    /**
     * Acknowledge a cancel only once it is recorded: a manager that recovers the job after this node is lost must
     * not resume, as running, a job whose cancel was acknowledged. A repeat is recorded again, which is harmless.
     */
    private void recordCancel(final Job job, final ActorRef<StatusReply<Done>> replyTo)
    {
        getContext().ask(JobJournal.Recorded.class, journal, RECORD_TIMEOUT,
            (recordedTo) -> new JobJournal.Record(new JobJournal.CancelRequested(job.id), recordedTo),
            (recorded, failure) -> new CancelRecorded(job.id, replyTo, failure));
    }

    private Behavior<Command> onCancelRecorded(final CancelRecorded message)
    {
        if (message.failure() == null)
        {
            message.replyTo().tell(StatusReply.ack());
            return this;
        }
        final String error = "job journal: the cancel of " + message.jobId() + " was not recorded within " +
            RECORD_TIMEOUT + " (" + message.failure().getMessage() + "); the job is being stopped, but a manager " +
            "that takes over now may resume it: cancel again (parasol.jobs.journal)";
        getContext().getLog().error(error);
        message.replyTo().tell(StatusReply.error(error));
        return this;
    }

    private Behavior<Command> onSubscribeProgress(final SubscribeProgress message)
    {
        final Job job = jobs.get(message.jobId());
        final ActorRef<JobEvent> subscriber = message.replyTo();
        if (job == null)
        {
            subscriber.tell(new UnknownJob(message.jobId()));
        }
        else if (job.state.isTerminal())
        {
            subscriber.tell(new JobEnded(status(job)));
        }
        else
        {
            if (!job.subscribers.contains(subscriber))
            {
                job.subscribers.add(subscriber);
            }
            if (watchedSubscribers.add(subscriber))
            {
                getContext().watchWith(subscriber, new SubscriberTerminated(subscriber));
            }
        }
        return this;
    }

    private Behavior<Command> onGetResult(final GetResult message)
    {
        final Job job = jobs.get(message.jobId());
        if (job == null)
        {
            message.replyTo().tell(StatusReply.error("unknown job id '" + message.jobId() + "'"));
        }
        else if (job.result != null)
        {
            message.replyTo().tell(StatusReply.success(job.result));
        }
        else if (!job.state.isTerminal())
        {
            message.replyTo().tell(StatusReply.error("job " + job.id + " is " + job.state + "; no result yet"));
        }
        else
        {
            message.replyTo().tell(StatusReply.error("job " + job.id + " ended " + job.state + " without a result" +
                (job.error != null ? ": " + job.error : "")));
        }
        return this;
    }

    private Behavior<Command> onJobProgress(final JobProgress message)
    {
        final Job job = jobs.get(message.jobId());
        if (job != null && job.state == JobStatus.State.RUNNING && message.event() != null)
        {
            job.latestProgress = message.event();
            for (final ActorRef<JobEvent> subscriber : job.subscribers)
            {
                subscriber.tell(message.event());
            }
        }
        return this;
    }

    private Behavior<Command> onJobFinished(final JobFinished message)
    {
        final Job job = jobs.get(message.jobId());
        if (job != null && job.state == JobStatus.State.RUNNING)
        {
            job.result = message.result();
            end(job, job.cancelRequested ? JobStatus.State.CANCELLED : JobStatus.State.SUCCEEDED);
            startQueuedJobs();
        }
        return this;
    }

    private Behavior<Command> onJobFailed(final JobFailed message)
    {
        final Job job = jobs.get(message.jobId());
        if (job != null && job.state == JobStatus.State.RUNNING)
        {
            job.error = message.error();
            end(job, job.cancelRequested ? JobStatus.State.CANCELLED : JobStatus.State.FAILED);
            startQueuedJobs();
        }
        return this;
    }

    private Behavior<Command> onCancelTimeout(final CancelTimeout message)
    {
        final Job job = jobs.get(message.jobId());
        if (job != null && job.state == JobStatus.State.RUNNING && job.runnerAlive)
        {
            getContext().getLog().warn("job {}: runner did not stop within {}; stopping it", job.id, cancelGrace);
            getContext().stop(job.runner);
        }
        return this;
    }

    private Behavior<Command> onSubscriberTerminated(final SubscriberTerminated message)
    {
        watchedSubscribers.remove(message.subscriber());
        for (final Job job : jobs.values())
        {
            job.subscribers.remove(message.subscriber());
        }
        return this;
    }

    private Behavior<Command> onRunnerTerminated(final Terminated signal)
    {
        final Job job = jobByRunnerName.get(signal.getRef().path().name());
        if (job == null || job.state.isTerminal())
        {
            return this;
        }
        job.runnerAlive = false;
        if (job.cancelRequested)
        {
            end(job, JobStatus.State.CANCELLED);
        }
        else
        {
            if (signal instanceof ChildFailed failed)
            {
                final Throwable cause = failed.getCause();
                job.error = "the job runner crashed: " + cause.getClass().getName() + ": " + cause.getMessage();
            }
            else
            {
                job.error = "the job runner stopped without reporting a result";
            }
            getContext().getLog().warn("job {} failed: {}", job.id, job.error);
            end(job, JobStatus.State.FAILED);
        }
        startQueuedJobs();
        return this;
    }

    private void startQueuedJobs()
    {
        while (!queue.isEmpty() && queue.get(0).spec.workers() <= workerSlots - usedSlots)
        {
            start(queue.remove(0));
        }
    }

    private void start(final Job job)
    {
        job.state = JobStatus.State.RUNNING;
        job.startedAt = Instant.now();
        record(new JobJournal.Started(job.id, job.startedAt));
        spawnRunner(job, null);
    }

    /**
     * Go on with a job that was running when the last manager was lost: its runner died with it, its parts on the
     * other nodes may live on. A new runner reclaims them and carries on from the job's resume point.
     */
    private void resume(final Job job)
    {
        job.resumes++;
        record(new JobJournal.Resumed(job.id, Instant.now()));
        getContext().getLog().warn("job {} was running when its coordinator was lost; resuming it (resume {}) " +
            "from {}", job.id, job.resumes, job.resumePoint == null ? "the start: no resume point was recorded" :
            "its resume point at clocks " + job.resumePoint.clocks());
        spawnRunner(job, new JobResume(job.resumes, job.resumePoint));
        if (job.runnerAlive && job.cancelRequested)
        {
            job.runner.tell(JobRunnerCommand.Stop.INSTANCE);
            timers.startSingleTimer(job.id, new CancelTimeout(job.id), cancelGrace);
        }
    }

    private void spawnRunner(final Job job, final JobResume resume)
    {
        try
        {
            final Behavior<JobRunnerCommand> behavior = resume == null ?
                launcher.runnerFor(job.id, job.spec, getContext().getSelf()) :
                launcher.resumeRunnerFor(job.id, job.spec, getContext().getSelf(), resume);
            final ActorRef<JobRunnerCommand> runner = getContext().spawn(
                behavior, runnerName(job.id), launcher.props(job.spec));
            getContext().watch(runner);
            job.runner = runner;
            job.runnerAlive = true;
            jobByRunnerName.put(runner.path().name(), job);
            usedSlots += job.spec.workers();
            getContext().getLog().info("job {} started with {} workers ({} of {} slots in use)",
                job.id, job.spec.workers(), usedSlots, workerSlots);
        }
        catch (final RuntimeException ex)
        {
            job.error = "the launcher could not start the job: " + ex;
            getContext().getLog().warn("job {} failed: {}", job.id, job.error);
            end(job, JobStatus.State.FAILED);
        }
    }

    private void end(final Job job, final JobStatus.State state)
    {
        job.state = state;
        job.endedAt = Instant.now();
        timers.cancel(job.id);
        if (job.runner != null)
        {
            usedSlots -= job.spec.workers();
            jobByRunnerName.remove(job.runner.path().name());
            if (job.runnerAlive)
            {
                job.runnerAlive = false;
                getContext().unwatch(job.runner);
                getContext().stop(job.runner);
            }
        }
        record(new JobJournal.Ended(job.id, state, job.endedAt, job.result, job.error));
        final JobStatus status = status(job);
        getContext().getLog().info("job {} ended {}{}", job.id, state, job.error != null ? ": " + job.error : "");
        final List<ActorRef<JobEvent>> subscribers = new ArrayList<>(job.subscribers);
        job.subscribers.clear();
        for (final ActorRef<JobEvent> subscriber : subscribers)
        {
            subscriber.tell(new JobEnded(status));
            if (!isSubscribedAnywhere(subscriber) && watchedSubscribers.remove(subscriber))
            {
                getContext().unwatch(subscriber);
            }
        }
        endedJobs++;
        forgetOldJobs();
    }

    private boolean isSubscribedAnywhere(final ActorRef<JobEvent> subscriber)
    {
        for (final Job job : jobs.values())
        {
            if (job.subscribers.contains(subscriber))
            {
                return true;
            }
        }
        return false;
    }

    private void forgetOldJobs()
    {
        final Iterator<Job> it = jobs.values().iterator();
        while (endedJobs > RETAINED_ENDED_JOBS && it.hasNext())
        {
            if (it.next().state.isTerminal())
            {
                it.remove();
                endedJobs--;
            }
        }
    }

    private JobStatus status(final Job job)
    {
        return new JobStatus(
            job.id,
            job.summary,
            job.spec,
            job.state,
            job.submittedAt,
            job.startedAt,
            job.endedAt,
            job.latestProgress,
            job.result,
            job.error,
            job.cancelRequested,
            job.state == JobStatus.State.QUEUED ? queue.indexOf(job) : -1);
    }

    private String newJobId()
    {
        sequence++;
        return "job-" + sequence + "-" + Integer.toHexString(0x10000 | idRandom.nextInt(0x10000)).substring(1);
    }

    private static String runnerName(final String jobId)
    {
        return "runner-" + jobId;
    }

    /**
     * The manager's record of one job.
     */
    private static final class Job
    {
        private final String id;
        private final JobSpec spec;
        private final String summary;
        private final Instant submittedAt;
        private final List<ActorRef<JobEvent>> subscribers = new ArrayList<>();
        private JobStatus.State state = JobStatus.State.QUEUED;
        private Instant startedAt;
        private Instant endedAt;
        private ProgressEvent latestProgress;
        private JobResult result;
        private String error;
        private boolean cancelRequested;
        private ActorRef<JobRunnerCommand> runner;
        private boolean runnerAlive;
        private int resumes;
        private ResumePoint resumePoint;

        private Job(final String id, final JobSpec spec, final Instant submittedAt)
        {
            this.id = id;
            this.spec = spec;
            this.summary = spec.summary();
            this.submittedAt = submittedAt;
        }
    }
}
