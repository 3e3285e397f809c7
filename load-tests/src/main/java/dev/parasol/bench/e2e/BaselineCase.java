package dev.parasol.bench.e2e;

import dev.parasol.engine.model.Workload;

import java.util.Objects;

/**
 * One single-process baseline of a benchmark run: the engine alone with as many compute threads as the rows it is
 * compared with have workers.
 *
 * @param workload  the reference workload.
 * @param threads   compute threads, equal to the workers of the rows divided by it.
 * @param maxEpochs epoch budget when the target is not reached, the largest of those rows.
 */
public record BaselineCase(Workload workload, int threads, double maxEpochs)
{
    /**
     * Check the fields.
     *
     * @param workload  the reference workload.
     * @param threads   compute threads, at least 1.
     * @param maxEpochs epoch budget, &gt; 0.
     */
    public BaselineCase
    {
        Objects.requireNonNull(workload, "workload");
        if (threads < 1 || !(maxEpochs > 0.0))
        {
            throw new IllegalArgumentException("invalid baseline case: threads=" + threads + " maxEpochs=" +
                maxEpochs + " (expected threads >= 1, maxEpochs > 0)");
        }
    }

    /**
     * Does this baseline serve a row, i.e. same workload and threads equal to its workers?
     *
     * @param benchCase the row.
     * @return true if the row's efficiency divides by this baseline.
     */
    public boolean matches(final BenchCase benchCase)
    {
        return workload == benchCase.workload() && threads == benchCase.workers();
    }

    /**
     * Get a name unique within a suite, usable as a directory name.
     *
     * @return e.g. {@code W2-baseline-2t}.
     */
    public String id()
    {
        return workload.name() + "-baseline-" + threads + "t";
    }
}
