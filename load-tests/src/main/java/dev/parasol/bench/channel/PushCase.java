package dev.parasol.bench.channel;

import dev.parasol.actors.dataplane.DataPlaneConfiguration;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.psshard.ShardState;
import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.engine.compress.CompressedGradient;
import dev.parasol.engine.compress.Compressor;
import dev.parasol.engine.compress.CompressorSpec;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.model.ParameterLayout;
import dev.parasol.engine.model.Workload;
import dev.parasol.engine.optim.OptimiserConfig;
import dev.parasol.wire.Encoding;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One kind of gradient push Parasol sends: a workload, a number of shards (the push covers the first shard's key
 * range, cut as {@link ParameterLayout#split(int)} cuts it), and the compressor of the job. The gradients are
 * compressed once, at construction, by the engine's own compressor ({@link CompressorSpec#newCompressor}); the message
 * length comes from the wire encoders, never from a constant.
 * <p>
 * Each push carries the next gradient of a short cycle: {@code g1, -g1, g2, -g2, ...}. A sparse case has
 * {@value #SPARSE_GRADIENTS} distinct top-k gradients, each of independent random values, so that consecutive pushes
 * name different coordinates, as the pushes of successive training steps do (the shard's step then touches other
 * cache lines each time); their lengths differ by a few bytes of varint, and {@link #messageLength()} is their mean.
 * A dense case has one, whose length is exact. Each gradient is followed by its negation (top-k ranks magnitudes, so
 * it picks the same coordinates), so the shard's parameters oscillate instead of drifting over millions of applies.
 */
final class PushCase
{
    /**
     * Job id written into every push and expected by the shard.
     */
    static final long JOB_ID = 7L;

    /**
     * Worker id of the pushing worker.
     */
    static final int WORKER_ID = 0;

    /**
     * Training workers the shard keeps slots for: the default distributed setting of WORKLOADS.md.
     */
    static final int WORKERS = 2;

    /**
     * Distinct top-k gradients a sparse case cycles through (each followed by its negation).
     */
    static final int SPARSE_GRADIENTS = 8;

    private static final double GRADIENT_SCALE = 0.01;
    private static final double PARAMETER_SCALE = 0.05;

    private final String name;
    private final Workload workload;
    private final int shards;
    private final String compressorSpec;
    private final KeyRange range;
    private final float[] gradient;
    private final Compressor compressor;
    private final CompressedGradient[] gradients;
    private final float[] initialParameters;
    private final int messageLength;
    private final int minLength;
    private final int maxLength;

    PushCase(final Workload workload, final int shards, final String compressorSpec, final long seed)
    {
        this.workload = workload;
        this.shards = shards;
        this.compressorSpec = compressorSpec;
        this.name = workload.name() + "-" + compressorSpec.split(":")[0] + "-" + shards;
        this.range = ParameterLayout.builder().add("flat", workload.parameterCount()).build().split(shards)[0];

        final SplittableRandom random = new SplittableRandom(seed);
        final int length = range.length();
        gradient = gaussian(random, length, GRADIENT_SCALE);
        initialParameters = gaussian(random, length, PARAMETER_SCALE);
        compressor = CompressorSpec.parse(compressorSpec).newCompressor(length, random.split());
        if (compressor.encoding() != Encoding.SPARSE_F32 && compressor.encoding() != Encoding.DENSE_F32)
        {
            throw new IllegalArgumentException("compressorSpec=" + compressorSpec + ": writes " +
                compressor.encoding() + ", expected a top-k, random-k or dense compressor");
        }
        // A top-k push names other coordinates at every step; a dense push always names all of them.
        final int distinct = compressor.encoding() == Encoding.SPARSE_F32 ? SPARSE_GRADIENTS : 1;
        gradients = new CompressedGradient[2 * distinct];
        for (int k = 0; k < distinct; k++)
        {
            final float[] x = 0 == k ? gradient : gaussian(random, length, GRADIENT_SCALE);
            gradients[2 * k] = compressor.newOutput();
            compressor.compress(x, 0, length, gradients[2 * k]);
            negate(x);
            gradients[2 * k + 1] = compressor.newOutput();
            compressor.compress(x, 0, length, gradients[2 * k + 1]);
            negate(x);
        }

        int maxBuffer = 0;
        for (final CompressedGradient compressed : gradients)
        {
            maxBuffer = Math.max(maxBuffer, PushSource.maxLength(compressed, length));
        }
        final PushSource source = new PushSource(this, new UnsafeBuffer(new byte[maxBuffer]));
        long total = 0;
        int shortest = Integer.MAX_VALUE;
        int longest = 0;
        for (int i = 0; i < gradients.length; i++)
        {
            final int messageBytes = source.encodeNext();
            total += messageBytes;
            shortest = Math.min(shortest, messageBytes);
            longest = Math.max(longest, messageBytes);
        }
        minLength = shortest;
        maxLength = longest;
        messageLength = (int)Math.round((double)total / gradients.length);
    }

    /**
     * The pushes Parasol sends for the reference workloads, W2's first: its top-k 1% push over the whole model and
     * over one shard of two (the default setting), its dense push of one shard of two and of the whole model, then
     * W1's and W3's top-k 1% pushes over the whole model.
     */
    static List<PushCase> standard()
    {
        final List<PushCase> cases = new ArrayList<>();
        cases.add(new PushCase(Workload.W2, 1, "topk:0.01", 42));
        cases.add(new PushCase(Workload.W2, 2, "topk:0.01", 43));
        cases.add(new PushCase(Workload.W2, 2, "dense", 44));
        cases.add(new PushCase(Workload.W2, 1, "dense", 45));
        cases.add(new PushCase(Workload.W1, 1, "topk:0.01", 46));
        cases.add(new PushCase(Workload.W3, 1, "topk:0.01", 47));
        return cases;
    }

    /**
     * Pick cases by name, such as {@code W2-topk-1,W2-dense-2} (workload, compressor, shards), or all of {@link #standard()} for {@code all}.
     */
    static List<PushCase> select(final String names)
    {
        final List<PushCase> all = standard();
        if ("all".equals(names))
        {
            return all;
        }

        final List<PushCase> selected = new ArrayList<>();
        for (final String wanted : names.split(","))
        {
            boolean found = false;
            for (final PushCase candidate : all)
            {
                if (candidate.name().equalsIgnoreCase(wanted.trim()))
                {
                    selected.add(candidate);
                    found = true;
                }
            }
            if (!found)
            {
                final List<String> known = new ArrayList<>();
                all.forEach((c) -> known.add(c.name()));
                throw new IllegalArgumentException("--cases: unknown case '" + wanted + "', expected some of " + known);
            }
        }
        return selected;
    }

    /**
     * Build a shard that owns this case's key range with the workload's optimiser, at version 0, as a job does.
     */
    ShardState newShardState()
    {
        return new ShardState(
            JOB_ID, range, initialParameters, 0, optimiserConfig(), StalenessPolicy.CONSTANT, WORKERS);
    }

    /**
     * The workload's optimiser, as a job of it configures its shards.
     */
    OptimiserConfig optimiserConfig()
    {
        return OptimiserConfig.of(OptimiserConfig.parseKind(workload.optimiserName()), workload.learningRate());
    }

    /**
     * A copy of the shard's initial parameters.
     */
    float[] initialParameters()
    {
        return initialParameters.clone();
    }

    /**
     * The term length a job of this workload and shard count runs with: Parasol's default, or more for a larger
     * dense message, as {@code parasol train} chooses it.
     */
    int termLength()
    {
        return Math.max(DataPlaneConfiguration.TERM_LENGTH_DEFAULT,
            DataPlaneContext.termLengthFor(JobSpec.largestDenseMessageBytes(workload, shards)));
    }

    /**
     * A short human description, such as {@code W2 topk:0.01, 1 of 2 shards}.
     */
    String label()
    {
        return String.format(Locale.ROOT, "%s %s, %s", workload.name(), compressorSpec,
            shards == 1 ? "whole model" : "1 of " + shards + " shards");
    }

    String name()
    {
        return name;
    }

    Workload workload()
    {
        return workload;
    }

    int shards()
    {
        return shards;
    }

    KeyRange range()
    {
        return range;
    }

    boolean isSparse()
    {
        return CompressedGradient.isSparse(gradients[0].encoding());
    }

    int entries()
    {
        return isSparse() ? gradients[0].count() : gradients[0].length();
    }

    int ringSize()
    {
        return gradients.length;
    }

    /**
     * The cycle of compressed gradients pushes carry, in order; not to be modified.
     */
    CompressedGradient[] gradients()
    {
        return gradients;
    }

    Compressor compressor()
    {
        return compressor;
    }

    float[] denseGradient()
    {
        return gradient;
    }

    /**
     * The mean length of the case's pushes, exact for dense; the raw stream sends messages of this length.
     */
    int messageLength()
    {
        return messageLength;
    }

    int minLength()
    {
        return minLength;
    }

    int maxLength()
    {
        return maxLength;
    }

    private static float[] gaussian(final SplittableRandom random, final int count, final double scale)
    {
        final float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(random.nextGaussian() * scale);
        }
        return values;
    }

    private static void negate(final float[] values)
    {
        for (int i = 0; i < values.length; i++)
        {
            values[i] = -values[i];
        }
    }
}
