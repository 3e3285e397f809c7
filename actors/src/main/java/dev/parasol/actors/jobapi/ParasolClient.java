package dev.parasol.actors.jobapi;

import dev.parasol.actors.exceptions.JobRejectedException;
import dev.parasol.actors.exceptions.UnknownJobException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A Java client of the {@link JobManager}: each call asks the manager and returns a {@link CompletionStage}, so a
 * program drives Parasol without knowing the actors. Every ask has a named timeout; a stage whose ask timed out
 * completes exceptionally with a {@link java.util.concurrent.TimeoutException}.
 * <p>
 * Failures come back as exceptional completions: {@link JobRejectedException} (with every reason) from
 * {@link #submit(JobSpec)}, {@link UnknownJobException} from {@link #status(String)} and
 * {@link #followProgress(String, Consumer)}, and {@link org.apache.pekko.pattern.StatusReply.ErrorMessage} with the
 * manager's message from {@link #cancel(String)} and {@link #result(String)}. Thread-safe.
 */
public final class ParasolClient
{
    /**
     * Default timeout of a submission.
     */
    public static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Default timeout of a status, list, cancel or result query.
     */
    public static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);

    // shared by every client, since several clients may spawn followers in one system
    private static final AtomicLong FOLLOWERS = new AtomicLong();

    private final ActorSystem<?> system;
    private final ActorRef<JobManager.Command> manager;
    private final Duration submitTimeout;
    private final Duration queryTimeout;

    /**
     * Construct a client with the default timeouts.
     *
     * @param system  the actor system the asks run in.
     * @param manager the job manager.
     */
    public ParasolClient(final ActorSystem<?> system, final ActorRef<JobManager.Command> manager)
    {
        this(system, manager, SUBMIT_TIMEOUT, QUERY_TIMEOUT);
    }

    /**
     * Construct a client with explicit timeouts.
     *
     * @param system        the actor system the asks run in.
     * @param manager       the job manager.
     * @param submitTimeout timeout of a submission.
     * @param queryTimeout  timeout of every other ask.
     */
    public ParasolClient(
        final ActorSystem<?> system,
        final ActorRef<JobManager.Command> manager,
        final Duration submitTimeout,
        final Duration queryTimeout)
    {
        this.system = Objects.requireNonNull(system, "system");
        this.manager = Objects.requireNonNull(manager, "manager");
        this.submitTimeout = Objects.requireNonNull(submitTimeout, "submitTimeout");
        this.queryTimeout = Objects.requireNonNull(queryTimeout, "queryTimeout");
    }

    /**
     * Submit a job.
     *
     * @param spec the job.
     * @return the job id, or a {@link JobRejectedException} naming every bad field.
     */
    public CompletionStage<String> submit(final JobSpec spec)
    {
        final CompletionStage<JobManager.SubmitResponse> reply = AskPattern.ask(
            manager, (replyTo) -> new JobManager.SubmitJob(spec, replyTo), submitTimeout, system.scheduler());
        return reply.thenCompose(ParasolClient::jobIdOf);
    }

    /**
     * Get a job's status.
     *
     * @param jobId the job.
     * @return the status, or an {@link UnknownJobException}.
     */
    public CompletionStage<JobStatus> status(final String jobId)
    {
        final CompletionStage<JobManager.StatusResponse> reply = AskPattern.ask(
            manager, (replyTo) -> new JobManager.GetJobStatus(jobId, replyTo), queryTimeout, system.scheduler());
        return reply.thenCompose(ParasolClient::statusOf);
    }

    /**
     * List every job the manager knows.
     *
     * @return the statuses in submission order.
     */
    public CompletionStage<List<JobStatus>> list()
    {
        final CompletionStage<JobManager.JobList> reply = AskPattern.ask(
            manager, JobManager.ListJobs::new, queryTimeout, system.scheduler());
        return reply.thenApply(JobManager.JobList::jobs);
    }

    /**
     * Cancel a job; a running job becomes CANCELLED once its runner has stopped, which {@link #status(String)} or
     * {@link #followProgress(String, Consumer)} shows.
     *
     * @param jobId the job.
     * @return done once the cancel is under way, or the manager's error for an unknown or ended job.
     */
    public CompletionStage<Done> cancel(final String jobId)
    {
        return AskPattern.askWithStatus(
            manager, (replyTo) -> new JobManager.CancelJob(jobId, replyTo), queryTimeout, system.scheduler());
    }

    /**
     * Get a job's result.
     *
     * @param jobId the job.
     * @return the result, or the manager's error when the job is unknown, still running, or ended without result.
     */
    public CompletionStage<JobResult> result(final String jobId)
    {
        return AskPattern.askWithStatus(
            manager, (replyTo) -> new JobManager.GetResult(jobId, replyTo), queryTimeout, system.scheduler());
    }

    /**
     * Follow a job until it ends: a small subscriber actor calls {@code onEvent} with every progress event, one at a
     * time, from an actor thread, and the returned stage completes with the terminal status. The subscription is
     * sent before this method returns, so every event after the caller's next query to the manager is seen. If {@code onEvent}
     * throws, following stops and the stage completes with that exception.
     *
     * @param jobId   the job.
     * @param onEvent called with each progress event.
     * @return the terminal status, or an {@link UnknownJobException}, or an {@link IllegalStateException} when the
     * manager stops first.
     */
    public CompletionStage<JobStatus> followProgress(final String jobId, final Consumer<ProgressEvent> onEvent)
    {
        Objects.requireNonNull(onEvent, "onEvent");
        final CompletableFuture<JobStatus> ended = new CompletableFuture<>();
        // the job id is user input and may not be a valid actor name, so the name carries only a counter
        final String name = "parasol-progress-" + FOLLOWERS.incrementAndGet();
        final ActorRef<JobManager.JobEvent> follower =
            system.systemActorOf(ProgressFollower.create(manager, jobId, onEvent, ended), name, Props.empty());
        // subscribe from the caller's thread, so a query the caller sends next reaches the manager after it
        manager.tell(new JobManager.SubscribeProgress(jobId, follower));
        return ended;
    }

    private static CompletionStage<String> jobIdOf(final JobManager.SubmitResponse response)
    {
        if (response instanceof JobManager.Accepted accepted)
        {
            return CompletableFuture.completedFuture(accepted.jobId());
        }
        return CompletableFuture.failedFuture(new JobRejectedException(((JobManager.Rejected)response).errors()));
    }

    private static CompletionStage<JobStatus> statusOf(final JobManager.StatusResponse response)
    {
        if (response instanceof JobStatus status)
        {
            return CompletableFuture.completedFuture(status);
        }
        return CompletableFuture.failedFuture(new UnknownJobException(((JobManager.UnknownJob)response).jobId()));
    }
}
