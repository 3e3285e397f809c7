package dev.parasol.actors.jobapi;

import dev.parasol.actors.exceptions.UnknownJobException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The subscriber {@link ParasolClient#followProgress} spawns (and subscribes to one job): hands each progress event
 * to a consumer, completes a future with the terminal status and stops. It watches the manager so that the future never
 * hangs on a stopped manager.
 */
final class ProgressFollower extends AbstractBehavior<JobManager.JobEvent>
{
    private enum ManagerTerminated implements JobManager.JobEvent
    {
        INSTANCE
    }

    private final String jobId;
    private final Consumer<ProgressEvent> onEvent;
    private final CompletableFuture<JobStatus> ended;

    private ProgressFollower(
        final ActorContext<JobManager.JobEvent> context,
        final String jobId,
        final Consumer<ProgressEvent> onEvent,
        final CompletableFuture<JobStatus> ended)
    {
        super(context);
        this.jobId = jobId;
        this.onEvent = onEvent;
        this.ended = ended;
    }

    static Behavior<JobManager.JobEvent> create(
        final ActorRef<JobManager.Command> manager,
        final String jobId,
        final Consumer<ProgressEvent> onEvent,
        final CompletableFuture<JobStatus> ended)
    {
        return Behaviors.setup((context) ->
        {
            context.watchWith(manager, ManagerTerminated.INSTANCE);
            return new ProgressFollower(context, jobId, onEvent, ended);
        });
    }

    @Override
    public Receive<JobManager.JobEvent> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(ProgressEvent.class, this::onProgressEvent)
            .onMessage(JobManager.JobEnded.class, this::onJobEnded)
            .onMessage(JobManager.UnknownJob.class, this::onUnknownJob)
            .onMessage(ManagerTerminated.class, this::onManagerTerminated)
            .build();
    }

    private Behavior<JobManager.JobEvent> onProgressEvent(final ProgressEvent event)
    {
        try
        {
            onEvent.accept(event);
            return this;
        }
        catch (final RuntimeException ex)
        {
            ended.completeExceptionally(ex);
            return Behaviors.stopped();
        }
    }

    private Behavior<JobManager.JobEvent> onJobEnded(final JobManager.JobEnded message)
    {
        ended.complete(message.status());
        return Behaviors.stopped();
    }

    private Behavior<JobManager.JobEvent> onUnknownJob(final JobManager.UnknownJob message)
    {
        ended.completeExceptionally(new UnknownJobException(message.jobId()));
        return Behaviors.stopped();
    }

    private Behavior<JobManager.JobEvent> onManagerTerminated(final ManagerTerminated message)
    {
        ended.completeExceptionally(
            new IllegalStateException("the job manager stopped before job " + jobId + " ended"));
        return Behaviors.stopped();
    }
}
