/**
 * The staleness-aware scheduler of a job: the per-job {@link dev.parasol.actors.scheduler.Scheduler} actor that keeps
 * each worker's clock and grants step permits, the pure {@link dev.parasol.actors.scheduler.SspGate} logic behind it,
 * and the sync and staleness policies ({@link dev.parasol.actors.scheduler.SyncPolicy},
 * {@link dev.parasol.actors.scheduler.StalenessPolicy}) that a job spec names.
 */
package dev.parasol.actors.scheduler;
