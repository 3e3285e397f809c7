package dev.parasol.actors.scheduler;

import dev.parasol.actors.CborSerializable;

/**
 * Events a {@link Scheduler} publishes to the progress listener named in its {@link SchedulerSettings}:
 * {@link Scheduler.ProgressSummary} every few steps and {@link Scheduler.EvaluationDue} each time the samples
 * processed cross a multiple of the evaluation interval.
 */
public interface SchedulerProgress extends CborSerializable
{
}
