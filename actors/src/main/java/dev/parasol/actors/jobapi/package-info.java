/**
 * The job-submission API: the {@link dev.parasol.actors.jobapi.JobSpec} of a training job (Java builder or HOCON),
 * the {@link dev.parasol.actors.jobapi.JobManager} actor that validates, queues, starts, cancels and reports jobs, the
 * {@link dev.parasol.actors.jobapi.JobLauncher} seam through which it starts a job's runner, the progress and result
 * records, and {@link dev.parasol.actors.jobapi.ParasolClient}, which wraps the protocol in
 * {@link java.util.concurrent.CompletionStage}s for programs that do not want to know the actors.
 */
package dev.parasol.actors.jobapi;
