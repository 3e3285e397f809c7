package dev.parasol.actors.scheduler;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * Optional behaviour of a {@link Scheduler}: where it publishes progress and evaluation triggers, how often, and an
 * observer of every permit it grants. Immutable; each {@code with...} method returns a changed copy. By default
 * nothing is published.
 */
public final class SchedulerSettings
{
    /**
     * Number of most recent steps whose loss is averaged into {@link Scheduler.Statistics#meanRecentLoss()}.
     */
    public static final int RECENT_LOSS_WINDOW_DEFAULT = 32;

    private static final SchedulerSettings DEFAULTS =
        new SchedulerSettings(null, 0, 0, 0, null, RECENT_LOSS_WINDOW_DEFAULT);

    private final ActorRef<SchedulerProgress> progressListener;
    private final long samplesPerEvaluation;
    private final long samplesPerEpoch;
    private final long progressEverySteps;
    private final ActorRef<Scheduler.PermitGranted> permitListener;
    private final int recentLossWindow;

    private SchedulerSettings(
        final ActorRef<SchedulerProgress> progressListener,
        final long samplesPerEvaluation,
        final long samplesPerEpoch,
        final long progressEverySteps,
        final ActorRef<Scheduler.PermitGranted> permitListener,
        final int recentLossWindow)
    {
        this.progressListener = progressListener;
        this.samplesPerEvaluation = samplesPerEvaluation;
        this.samplesPerEpoch = samplesPerEpoch;
        this.progressEverySteps = progressEverySteps;
        this.permitListener = permitListener;
        this.recentLossWindow = recentLossWindow;
    }

    /**
     * Get the default settings: no listener, no progress, no evaluation triggers.
     *
     * @return the default settings.
     */
    public static SchedulerSettings defaults()
    {
        return DEFAULTS;
    }

    /**
     * Get a copy that publishes {@link SchedulerProgress} events to a listener.
     *
     * @param progressListener the listener, or null for none.
     * @return the changed copy.
     */
    public SchedulerSettings withProgressListener(final ActorRef<SchedulerProgress> progressListener)
    {
        return new SchedulerSettings(
            progressListener, samplesPerEvaluation, samplesPerEpoch, progressEverySteps, permitListener,
            recentLossWindow);
    }

    /**
     * Get a copy that emits {@link Scheduler.EvaluationDue} each time the total samples cross a multiple of
     * {@code samplesPerEvaluation} (a quarter epoch is {@code samplesPerEpoch / 4}).
     *
     * @param samplesPerEvaluation the evaluation interval in samples, &gt; 0, or 0 for no evaluation triggers.
     * @param samplesPerEpoch      the samples in one epoch (the training set size), &gt; 0.
     * @return the changed copy.
     * @throws IllegalArgumentException naming a value out of range.
     */
    public SchedulerSettings withEvaluation(final long samplesPerEvaluation, final long samplesPerEpoch)
    {
        if (samplesPerEvaluation < 0)
        {
            throw new IllegalArgumentException("samplesPerEvaluation=" + samplesPerEvaluation + ", expected >= 0");
        }
        if (samplesPerEpoch <= 0)
        {
            throw new IllegalArgumentException("samplesPerEpoch=" + samplesPerEpoch + ", expected > 0");
        }

        return new SchedulerSettings(
            progressListener, samplesPerEvaluation, samplesPerEpoch, progressEverySteps, permitListener,
            recentLossWindow);
    }

    /**
     * Get a copy that emits {@link Scheduler.ProgressSummary} each time the total steps of all workers cross a
     * multiple of {@code progressEverySteps}.
     *
     * @param progressEverySteps the progress interval in steps, &gt; 0, or 0 for no summaries.
     * @return the changed copy.
     * @throws IllegalArgumentException if the interval is negative.
     */
    public SchedulerSettings withProgressEverySteps(final long progressEverySteps)
    {
        if (progressEverySteps < 0)
        {
            throw new IllegalArgumentException("progressEverySteps=" + progressEverySteps + ", expected >= 0");
        }

        return new SchedulerSettings(
            progressListener, samplesPerEvaluation, samplesPerEpoch, progressEverySteps, permitListener,
            recentLossWindow);
    }

    /**
     * Get a copy that reports every permit granted, with the clocks of all workers at grant time. Meant for tests
     * and audits: it sends one message per permit.
     *
     * @param permitListener the listener, or null for none.
     * @return the changed copy.
     */
    public SchedulerSettings withPermitListener(final ActorRef<Scheduler.PermitGranted> permitListener)
    {
        return new SchedulerSettings(
            progressListener, samplesPerEvaluation, samplesPerEpoch, progressEverySteps, permitListener,
            recentLossWindow);
    }

    /**
     * Get a copy that averages the loss over a different number of recent steps.
     *
     * @param recentLossWindow the number of steps, &gt; 0.
     * @return the changed copy.
     * @throws IllegalArgumentException if the window is not positive.
     */
    public SchedulerSettings withRecentLossWindow(final int recentLossWindow)
    {
        if (recentLossWindow <= 0)
        {
            throw new IllegalArgumentException("recentLossWindow=" + recentLossWindow + ", expected > 0");
        }

        return new SchedulerSettings(
            progressListener, samplesPerEvaluation, samplesPerEpoch, progressEverySteps, permitListener,
            recentLossWindow);
    }

    /**
     * Get the progress listener.
     *
     * @return the progress listener, or null for none.
     */
    public ActorRef<SchedulerProgress> progressListener()
    {
        return progressListener;
    }

    /**
     * Get the evaluation interval.
     *
     * @return the evaluation interval in samples, 0 when evaluation triggers are off.
     */
    public long samplesPerEvaluation()
    {
        return samplesPerEvaluation;
    }

    /**
     * Get the samples in one epoch.
     *
     * @return the samples in one epoch, 0 when not set.
     */
    public long samplesPerEpoch()
    {
        return samplesPerEpoch;
    }

    /**
     * Get the progress interval.
     *
     * @return the progress interval in steps, 0 when summaries are off.
     */
    public long progressEverySteps()
    {
        return progressEverySteps;
    }

    /**
     * Get the permit listener.
     *
     * @return the permit listener, or null for none.
     */
    public ActorRef<Scheduler.PermitGranted> permitListener()
    {
        return permitListener;
    }

    /**
     * Get the number of recent steps whose loss is averaged.
     *
     * @return the loss window in steps.
     */
    public int recentLossWindow()
    {
        return recentLossWindow;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "SchedulerSettings{" +
            "progressListener=" + progressListener +
            ", samplesPerEvaluation=" + samplesPerEvaluation +
            ", samplesPerEpoch=" + samplesPerEpoch +
            ", progressEverySteps=" + progressEverySteps +
            ", permitListener=" + permitListener +
            ", recentLossWindow=" + recentLossWindow +
            '}';
    }
}
