/**
 * The Aeron data plane: {@link dev.parasol.actors.dataplane.DataPlane} (embedded media driver and client) configured
 * by a {@link dev.parasol.actors.dataplane.DataPlaneContext} whose {@code conclude()} checks the set-up before
 * anything starts, {@link dev.parasol.actors.dataplane.MessageSender} and
 * {@link dev.parasol.actors.dataplane.MessageReceiver} for whole messages with back pressure handled and counted,
 * a job's {@link dev.parasol.actors.dataplane.TrainingCounters}, and the runners that put agents on threads.
 * The measured choice of defaults is in {@code docs/data-plane.md}.
 */
package dev.parasol.actors.dataplane;
