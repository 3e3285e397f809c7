package dev.parasol.bench.e2e;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The arithmetic of a benchmark report, kept apart so that it can be checked by itself: efficiency, compression
 * ratio, and which of a row's runs is its median.
 */
public final class BenchFigures
{
    private BenchFigures()
    {
    }

    /**
     * Get a row's efficiency: its training samples per second over those of the single-process baseline with as many
     * threads as the row has workers, measured in the same run.
     *
     * @param samplesPerSecond         the row's samples per second.
     * @param baselineSamplesPerSecond the baseline's samples per second.
     * @return the ratio, or null when either figure is missing, not finite or the baseline's is not positive.
     */
    public static Double efficiency(final double samplesPerSecond, final double baselineSamplesPerSecond)
    {
        if (!Double.isFinite(samplesPerSecond) || !Double.isFinite(baselineSamplesPerSecond) ||
            baselineSamplesPerSecond <= 0.0)
        {
            return null;
        }
        return samplesPerSecond / baselineSamplesPerSecond;
    }

    /**
     * Get a row's compression ratio: the encoded length of one worker step's dense pushes over the bytes its pushes
     * actually put on the wire per step, both as the codec counts them.
     *
     * @param denseBytesPerStep the dense reference, {@code dense_bytes_per_step}.
     * @param bytesUpPerStep    the measured uplink, {@code bytes_up_per_step}.
     * @return the ratio (1 for dense, about 75 for top-k 1% of W2), or null when nothing was sent or a figure is
     *     missing.
     */
    public static Double compressionRatio(final double denseBytesPerStep, final double bytesUpPerStep)
    {
        if (!Double.isFinite(denseBytesPerStep) || !Double.isFinite(bytesUpPerStep) || bytesUpPerStep <= 0.0 ||
            denseBytesPerStep <= 0.0)
        {
            return null;
        }
        return denseBytesPerStep / bytesUpPerStep;
    }

    /**
     * Choose the median run by time to target. Runs that did not reach the target (null) rank after every run that
     * did; equal times keep the order the runs were made in. With an even count the lower median is taken, so of
     * two runs the faster one is the row and both raw values are reported beside it.
     *
     * @param timesToTarget each run's time to target in seconds, or null when it was not reached or the run failed.
     * @return the index of the median run in the given list.
     * @throws IllegalArgumentException if the list is empty.
     */
    public static int medianIndex(final List<Double> timesToTarget)
    {
        if (timesToTarget.isEmpty())
        {
            throw new IllegalArgumentException("no runs to choose a median from (expected at least one)");
        }
        final List<Integer> order = new ArrayList<>();
        for (int i = 0; i < timesToTarget.size(); i++)
        {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> rank(timesToTarget.get(i))));
        return order.get((order.size() - 1) / 2);
    }

    private static double rank(final Double timeToTarget)
    {
        return timeToTarget == null || timeToTarget.isNaN() ? Double.POSITIVE_INFINITY : timeToTarget;
    }
}
