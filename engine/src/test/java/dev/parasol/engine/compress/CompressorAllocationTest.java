package dev.parasol.engine.compress;

import dev.parasol.engine.model.KeyRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Hot paths allocate nothing per call: after a warm-up, 500 plain compress calls and 500 error-feedback steps on
 * 235,146 floats (the parameter count of workload W2, the Fashion-MNIST MLP) must allocate less than 8 KiB per
 * compressor, so that even one 16-byte object per call (16,000 bytes) fails, and less than 64 KiB for all of them, as
 * measured by HotSpot's per-thread allocation counter.
 */
@Timeout(120)
class CompressorAllocationTest
{
    private static final int LENGTH = 235_146;
    private static final int CALLS = 500;
    private static final long BUDGET_PER_COMPRESSOR_BYTES = 8 * 1024;
    private static final long BUDGET_BYTES = 64 * 1024;

    @Test
    void shouldNotAllocateWhenCompressingAfterWarmUp()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        final long thread = Thread.currentThread().getId();

        final SplittableRandom random = new SplittableRandom(12);
        final float[] gradient = new float[LENGTH];
        for (int i = 0; i < LENGTH; i++)
        {
            gradient[i] = (float)random.nextGaussian();
        }
        final String[] specs = {"dense", "topk:0.01", "randk:0.01", "qsgd:8", "qsgd:4", "sign"};
        final Compressor[] compressors = new Compressor[specs.length];
        final ErrorFeedback[] feedbacks = new ErrorFeedback[specs.length];
        final CompressedGradient[] outputs = new CompressedGradient[specs.length];
        for (int c = 0; c < specs.length; c++)
        {
            compressors[c] = CompressorSpec.parse(specs[c]).newCompressor(LENGTH, random.split());
            feedbacks[c] = new ErrorFeedback(
                CompressorSpec.parse(specs[c]).newCompressor(LENGTH, random.split()), new KeyRange(0, 0, LENGTH));
            outputs[c] = compressors[c].newOutput();
        }

        final long[] allocated = new long[specs.length];
        for (int c = 0; c < specs.length; c++)
        {
            run(compressors[c], feedbacks[c], outputs[c], gradient, 100);
        }
        for (int c = 0; c < specs.length; c++)
        {
            final long before = threads.getThreadAllocatedBytes(thread);
            run(compressors[c], feedbacks[c], outputs[c], gradient, CALLS);
            allocated[c] = threads.getThreadAllocatedBytes(thread) - before;
        }

        long total = 0;
        for (int c = 0; c < specs.length; c++)
        {
            total += allocated[c];
            assertTrue(allocated[c] < BUDGET_PER_COMPRESSOR_BYTES, specs[c] + " allocated " + allocated[c] +
                " bytes over " + CALLS + " compress calls and " + CALLS + " error-feedback steps");
        }
        assertTrue(total < BUDGET_BYTES, "allocated " + total + " bytes in total: " + Arrays.toString(allocated));
    }

    private static void run(
        final Compressor compressor,
        final ErrorFeedback feedback,
        final CompressedGradient out,
        final float[] gradient,
        final int calls)
    {
        for (int call = 0; call < calls; call++)
        {
            compressor.compress(gradient, 0, LENGTH, out);
            feedback.step(gradient, out);
        }
    }
}
