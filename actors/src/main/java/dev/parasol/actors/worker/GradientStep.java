package dev.parasol.actors.worker;

import dev.parasol.engine.compress.CompressedGradient;
import dev.parasol.engine.compress.Compressor;
import dev.parasol.engine.compress.CompressorSpec;
import dev.parasol.engine.compress.DenseCompressor;
import dev.parasol.engine.compress.ErrorFeedback;
import dev.parasol.engine.data.MiniBatchIterator;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.model.Model;

import java.util.SplittableRandom;

/**
 * The math of one worker step, without any transport: draw a mini-batch, compute the gradient on the replica, and
 * compress each shard's range, through error feedback unless it is off. Owns every buffer it needs; allocates nothing
 * per step.
 * <p>
 * Two compressors per shard: the job's, and dense for warm-up steps and for the watchdog's fallback. Switching moves
 * the residual from one to the other, so nothing held back by top-k is lost when a run falls back to dense.
 */
final class GradientStep
{
    private final Model model;
    private final MiniBatchIterator batches;
    private final float[] replica;
    private final float[] gradient;
    private final float[] inputs;
    private final int[] labels;
    private final KeyRange[] ranges;
    private final boolean errorFeedback;
    private final ErrorFeedback[] configured;
    private final ErrorFeedback[] dense;
    private final CompressedGradient[] outputs;
    private final float[] residualScratch;
    private boolean denseMode;
    private double lastLoss;
    private int lastBatch;

    GradientStep(
        final Model model,
        final MiniBatchIterator batches,
        final float[] replica,
        final KeyRange[] ranges,
        final CompressorSpec spec,
        final boolean errorFeedback,
        final SplittableRandom random)
    {
        this.model = model;
        this.batches = batches;
        this.replica = replica;
        this.gradient = new float[replica.length];
        this.inputs = new float[batches.batchSize() * model.inputSize()];
        this.labels = new int[batches.batchSize()];
        this.ranges = ranges.clone();
        this.errorFeedback = errorFeedback;
        this.configured = new ErrorFeedback[ranges.length];
        this.dense = new ErrorFeedback[ranges.length];
        this.outputs = new CompressedGradient[ranges.length];
        int maxLength = 0;
        for (int s = 0; s < ranges.length; s++)
        {
            final Compressor compressor = spec.newCompressor(ranges[s].length(), random.split());
            final DenseCompressor denseCompressor = new DenseCompressor(ranges[s].length());
            configured[s] = new ErrorFeedback(compressor, ranges[s]);
            dense[s] = new ErrorFeedback(denseCompressor, ranges[s]);
            // One holder per shard serves both compressors: its capacities fit any encoding of the range.
            outputs[s] = CompressedGradient.forAnyEncoding(ranges[s].length(), Math.max(1, spec.blockSize()));
            maxLength = Math.max(maxLength, ranges[s].length());
        }
        this.residualScratch = new float[maxLength];
    }

    /**
     * Draw the next batch and compute the gradient of the mean loss on the replica.
     *
     * @return the loss, NaN or infinite when training diverged.
     */
    double computeGradient()
    {
        lastBatch = batches.nextBatch(inputs, labels);
        lastLoss = model.lossAndGradient(replica, inputs, labels, lastBatch, gradient);
        return lastLoss;
    }

    /**
     * Compress a shard's range of the last gradient.
     *
     * @param shard    index of the shard.
     * @param forceDense true during warm-up: send every coordinate.
     * @return the holder to encode; valid until the next call for this shard.
     */
    CompressedGradient compress(final int shard, final boolean forceDense)
    {
        final boolean useDense = forceDense || denseMode;
        if (!errorFeedback)
        {
            final ErrorFeedback owner = useDense ? dense[shard] : configured[shard];
            owner.compressor().compress(gradient, ranges[shard].start(), ranges[shard].length(), outputs[shard]);
            return outputs[shard];
        }
        return (useDense ? dense[shard] : configured[shard]).step(gradient, outputs[shard]);
    }

    /**
     * Send dense from now on, carrying every shard's residual over so nothing held back is lost.
     */
    void fallBackToDense()
    {
        if (denseMode)
        {
            return;
        }
        denseMode = true;
        for (int s = 0; s < ranges.length; s++)
        {
            configured[s].copyResidualTo(residualScratch, 0);
            dense[s].loadResidualInPlace(residualScratch, 0);
            configured[s].resetInPlace();
        }
    }

    boolean isDenseMode()
    {
        return denseMode;
    }

    double residualNorm(final int shard)
    {
        return (denseMode ? dense[shard] : configured[shard]).residualNorm();
    }

    double lastLoss()
    {
        return lastLoss;
    }

    int lastBatch()
    {
        return lastBatch;
    }

    float[] replica()
    {
        return replica;
    }

    int shards()
    {
        return ranges.length;
    }

    KeyRange range(final int shard)
    {
        return ranges[shard];
    }
}
