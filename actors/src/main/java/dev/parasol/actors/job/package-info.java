/**
 * Running one training job: the per-job runner that starts the scheduler, shards, workers and evaluator and reports
 * to the job manager, and the {@link dev.parasol.actors.job.SafeTensorsWriter} that saves the trained model in the
 * safetensors format other tools load.
 */
package dev.parasol.actors.job;
