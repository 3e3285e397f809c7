package dev.parasol.actors.worker;

import dev.parasol.actors.CborSerializable;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What one worker's agent measured, written by the agent's thread and read by anyone: steps, bytes offered to Aeron
 * in each direction's sending end, time spent waiting, and per shard the last push's size, entries sent, density and
 * residual norm. Values are plain counters and last-seen gauges; no locks, no allocation when written.
 * <p>
 * The three waits and the compute time do not overlap: a blocked loop is charged to one cause at a time, the
 * acknowledgements while a push is unacknowledged, else the permit while it is missing, else the parameters; sending
 * counts as part of the wait it starts. Together they add up to the loop's running time.
 */
public final class WorkerTelemetry
{
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong pushesSent = new AtomicLong();
    private final AtomicLong pushResends = new AtomicLong();
    private final AtomicLong requestResends = new AtomicLong();
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong requestsSent = new AtomicLong();
    private final AtomicLong bytesDownReceived = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLong messagesRejected = new AtomicLong();
    private final AtomicLong computeNs = new AtomicLong();
    private final AtomicLong permitWaitNs = new AtomicLong();
    private final AtomicLong parameterWaitNs = new AtomicLong();
    private final AtomicLong acknowledgementWaitNs = new AtomicLong();
    private final AtomicLongArray lastPushBytes;
    private final AtomicLongArray lastEntries;
    private final AtomicLongArray lastDensityBits;
    private final AtomicLongArray lastResidualNormBits;
    private final AtomicLongArray lastThresholdBits;
    private volatile double lastLoss = Double.NaN;
    private volatile boolean denseFallback;

    WorkerTelemetry(final int shards)
    {
        lastPushBytes = new AtomicLongArray(shards);
        lastEntries = new AtomicLongArray(shards);
        lastDensityBits = new AtomicLongArray(shards);
        lastResidualNormBits = new AtomicLongArray(shards);
        lastThresholdBits = new AtomicLongArray(shards);
    }

    void onStep(final int batch, final double loss, final long stepComputeNs)
    {
        steps.incrementAndGet();
        samples.addAndGet(batch);
        computeNs.addAndGet(stepComputeNs);
        lastLoss = loss;
    }

    void onPush(final int shard, final int bytes, final int entries, final double density, final double residualNorm,
        final float threshold)
    {
        pushesSent.incrementAndGet();
        bytesUp.addAndGet(bytes);
        lastPushBytes.set(shard, bytes);
        lastEntries.set(shard, entries);
        lastDensityBits.set(shard, Double.doubleToRawLongBits(density));
        lastResidualNormBits.set(shard, Double.doubleToRawLongBits(residualNorm));
        lastThresholdBits.set(shard, Double.doubleToRawLongBits(threshold));
    }

    void onResend(final boolean push)
    {
        (push ? pushResends : requestResends).incrementAndGet();
    }

    void onRequest(final int bytes)
    {
        requestsSent.incrementAndGet();
        bytesUp.addAndGet(bytes);
    }

    void onUpdateReceived(final int bytes)
    {
        bytesDownReceived.addAndGet(bytes);
    }

    void onSendFailure()
    {
        sendFailures.incrementAndGet();
    }

    void onRejected()
    {
        messagesRejected.incrementAndGet();
    }

    void onPermitWait(final long ns)
    {
        permitWaitNs.addAndGet(ns);
    }

    void onParameterWait(final long ns)
    {
        parameterWaitNs.addAndGet(ns);
    }

    void onAcknowledgementWait(final long ns)
    {
        acknowledgementWaitNs.addAndGet(ns);
    }

    void onDenseFallback()
    {
        denseFallback = true;
    }

    /**
     * Get the steps completed.
     *
     * @return the count.
     */
    public long steps()
    {
        return steps.get();
    }

    /**
     * Get the training examples that went into gradients.
     *
     * @return the count.
     */
    public long samples()
    {
        return samples.get();
    }

    /**
     * Get the gradient pushes offered to Aeron, one per shard per step.
     *
     * @return the count.
     */
    public long pushesSent()
    {
        return pushesSent.get();
    }

    /**
     * Get the pushes sent again because a shard's acknowledgement did not come in time; a shard applies each push
     * sequence at most once, so these are duplicates on the shard's side.
     *
     * @return the count.
     */
    public long pushResends()
    {
        return pushResends.get();
    }

    /**
     * Get the parameter requests sent again because a shard's answer did not come in time.
     *
     * @return the count.
     */
    public long requestResends()
    {
        return requestResends.get();
    }

    /**
     * Get the bytes this worker offered to Aeron: pushes and parameter requests.
     *
     * @return the byte count.
     */
    public long bytesUp()
    {
        return bytesUp.get();
    }

    /**
     * Get the bytes of valid parameter updates this worker received.
     *
     * @return the byte count.
     */
    public long bytesDownReceived()
    {
        return bytesDownReceived.get();
    }

    /**
     * Get the sends that Aeron did not accept within the retry budget.
     *
     * @return the count.
     */
    public long sendFailures()
    {
        return sendFailures.get();
    }

    /**
     * Get the messages this worker rejected.
     *
     * @return the count.
     */
    public long messagesRejected()
    {
        return messagesRejected.get();
    }

    /**
     * Get the time spent computing gradients and compressing.
     *
     * @return nanoseconds.
     */
    public long computeNs()
    {
        return computeNs.get();
    }

    /**
     * Get the time the loop was blocked on a permit from the scheduler, with no push unacknowledged. The permit of
     * the next clock is asked for one clock ahead, so this is only what its round trip did not overlap, or the wait
     * the bound imposes.
     *
     * @return nanoseconds.
     */
    public long permitWaitNs()
    {
        return permitWaitNs.get();
    }

    /**
     * Get the time the loop was blocked on parameter updates from the shards, with the permit held and no push
     * unacknowledged.
     *
     * @return nanoseconds.
     */
    public long parameterWaitNs()
    {
        return parameterWaitNs.get();
    }

    /**
     * Get the time the loop was blocked while a push was unacknowledged. When the next clock's permit is held, its
     * parameter requests travel right behind the pushes, and the updates follow the acknowledgements on the same
     * streams, so this one round trip includes most of the parameters' wait too.
     *
     * @return nanoseconds.
     */
    public long acknowledgementWaitNs()
    {
        return acknowledgementWaitNs.get();
    }

    /**
     * Get the loss of the last batch.
     *
     * @return the loss.
     */
    public double lastLoss()
    {
        return lastLoss;
    }

    /**
     * Has this worker fallen back to dense pushes?
     *
     * @return true after the watchdog's fallback.
     */
    public boolean denseFallback()
    {
        return denseFallback;
    }

    /**
     * Get the number of shards this worker pushes to.
     *
     * @return the count.
     */
    public int shards()
    {
        return lastPushBytes.length();
    }

    /**
     * Get the size of the last push to a shard.
     *
     * @param shard the shard.
     * @return bytes.
     */
    public long lastPushBytes(final int shard)
    {
        return lastPushBytes.get(shard);
    }

    /**
     * Get the entries (k) of the last push to a shard; the range length for dense and quantised pushes.
     *
     * @param shard the shard.
     * @return the count.
     */
    public long lastEntries(final int shard)
    {
        return lastEntries.get(shard);
    }

    /**
     * Get the density actually sent in the last push to a shard.
     *
     * @param shard the shard.
     * @return entries / range length.
     */
    public double lastDensity(final int shard)
    {
        return Double.longBitsToDouble(lastDensityBits.get(shard));
    }

    /**
     * Get the error-feedback residual's L2 norm after the last push to a shard.
     *
     * @param shard the shard.
     * @return the norm; 0 without error feedback.
     */
    public double lastResidualNorm(final int shard)
    {
        return Double.longBitsToDouble(lastResidualNormBits.get(shard));
    }

    /**
     * Get the top-k threshold of the last push to a shard: the magnitude of the k-th largest entry.
     *
     * @param shard the shard.
     * @return the threshold, NaN for compressors without one.
     */
    public double lastThreshold(final int shard)
    {
        return Double.longBitsToDouble(lastThresholdBits.get(shard));
    }

    /**
     * Take a consistent-enough copy of every figure, to send over the control plane: each value is read once.
     *
     * @param workerId           the worker this telemetry belongs to.
     * @param incarnation        which incarnation of the worker: 0, or 1, 2, ... for replacements.
     * @param backPressureEvents the worker's senders' retries after back pressure, from its counters.
     * @return the snapshot.
     */
    public Snapshot snapshot(final int workerId, final int incarnation, final long backPressureEvents)
    {
        final int shards = shards();
        final long[] pushBytes = new long[shards];
        final long[] entries = new long[shards];
        final double[] density = new double[shards];
        final double[] residualNorm = new double[shards];
        final double[] threshold = new double[shards];
        for (int s = 0; s < shards; s++)
        {
            pushBytes[s] = lastPushBytes(s);
            entries[s] = lastEntries(s);
            density[s] = lastDensity(s);
            residualNorm[s] = lastResidualNorm(s);
            threshold[s] = lastThreshold(s);
        }
        return new Snapshot(workerId, incarnation, steps(), samples(), pushesSent(), pushResends(), bytesUp(),
            bytesDownReceived(), sendFailures(), backPressureEvents, messagesRejected(), computeNs(), permitWaitNs(),
            parameterWaitNs(), acknowledgementWaitNs(), lastLoss(), denseFallback(), pushBytes, entries, density,
            residualNorm, threshold);
    }

    /**
     * A copy of a worker's telemetry, as the job runner receives it from any node.
     *
     * @param workerId              the worker.
     * @param incarnation           which incarnation of the worker: 0, or 1, 2, ... for replacements.
     * @param steps                 steps completed.
     * @param samples               examples that went into gradients.
     * @param pushesSent            pushes offered to Aeron, resends included.
     * @param pushResends           pushes sent again after a timeout.
     * @param bytesUp               bytes of pushes and requests offered to Aeron.
     * @param bytesDownReceived     bytes of valid updates received.
     * @param sendFailures          sends Aeron did not accept in time.
     * @param backPressureEvents    offers retried after back pressure.
     * @param messagesRejected      messages the worker rejected.
     * @param computeNs             time computing and compressing.
     * @param permitWaitNs          time blocked on a permit, no push unacknowledged.
     * @param parameterWaitNs       time blocked on parameters, permit held, no push unacknowledged.
     * @param acknowledgementWaitNs time blocked while a push was unacknowledged.
     * @param lastLoss              loss of the last batch.
     * @param denseFallback         whether the worker fell back to dense pushes.
     * @param lastPushBytes         per shard, size of the last push.
     * @param lastEntries           per shard, entries of the last push.
     * @param lastDensity           per shard, density of the last push.
     * @param lastResidualNorm      per shard, residual norm after the last push.
     * @param lastThreshold         per shard, top-k threshold of the last push.
     */
    public record Snapshot(
        int workerId,
        int incarnation,
        long steps,
        long samples,
        long pushesSent,
        long pushResends,
        long bytesUp,
        long bytesDownReceived,
        long sendFailures,
        long backPressureEvents,
        long messagesRejected,
        long computeNs,
        long permitWaitNs,
        long parameterWaitNs,
        long acknowledgementWaitNs,
        double lastLoss,
        boolean denseFallback,
        long[] lastPushBytes,
        long[] lastEntries,
        double[] lastDensity,
        double[] lastResidualNorm,
        double[] lastThreshold) implements CborSerializable
    {
        /**
         * Get the pushes that were not resends: the updates this worker sent.
         *
         * @return pushes sent minus resends.
         */
        public long updatesSent()
        {
            return pushesSent - pushResends;
        }
    }
}
