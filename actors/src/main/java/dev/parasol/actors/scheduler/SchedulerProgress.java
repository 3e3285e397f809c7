package dev.parasol.actors.scheduler;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.parasol.actors.CborSerializable;

/**
 * Events a {@link Scheduler} publishes to the progress listener named in its {@link SchedulerSettings}:
 * {@link Scheduler.ProgressSummary} every few steps and {@link Scheduler.EvaluationDue} each time the samples
 * processed cross a multiple of the evaluation interval.
 * <p>
 * A message may hold a field of this interface type (the runner's adapter wrapper does), so its CBOR form carries
 * the event's name from the list below, without which Jackson cannot tell which record to read back. A new event
 * must be added to the list; {@code CborSerializationTest} fails until it is.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
    @JsonSubTypes.Type(value = Scheduler.ProgressSummary.class, name = "progress-summary"),
    @JsonSubTypes.Type(value = Scheduler.EvaluationDue.class, name = "evaluation-due")
})
public interface SchedulerProgress extends CborSerializable
{
}
