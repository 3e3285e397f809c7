/**
 * The end-to-end benchmark suite behind {@code parasol bench}: a matrix of local-mode training jobs (workload, sync
 * policy, compressor, worker count) run one after another in one JVM beside the single-process baseline, so that every
 * row's efficiency and compression ratio are ratios taken in the same run, written to {@code bench.json} and
 * {@code bench.md}.
 */
package dev.parasol.bench.e2e;
