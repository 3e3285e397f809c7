package dev.parasol.bench.compress;

import dev.parasol.engine.compress.CompressedGradient;
import dev.parasol.engine.compress.ErrorFeedback;
import dev.parasol.engine.compress.QsgdCompressor;
import dev.parasol.engine.compress.ScaledSignCompressor;
import dev.parasol.engine.compress.TopKCompressor;
import dev.parasol.engine.model.KeyRange;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Top-k selection at 1% of 235,146 floats (workload W2's parameter count) and of 10^7 floats, against a naive
 * reference in the same run (magnitudes copied, fully sorted with {@link Arrays#sort(float[])}, the k-th largest taken
 * as threshold, then one gather pass), plus QSGD and scaled sign on 235,146 floats for reference. The target is top-k
 * of 10^7 floats at 1% under 10 ms on one core.
 * <p>
 * Gradients are Gaussian with log-normal scale per coordinate (heavy tails, as real gradients have), seeded.
 * Run: {@code java -jar load-tests/target/benchmarks.jar TopKBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TopKBenchmark
{
    static float[] gradient(final int length, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final float[] x = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = (float)(random.nextGaussian() * Math.exp(random.nextGaussian()) * 1e-3);
        }
        return x;
    }

    @State(Scope.Thread)
    public static class Selection
    {
        @Param({"235146", "10000000"})
        public int length;

        @Param({"0.01"})
        public double ratio;

        float[] gradient;
        float[] magnitudes;
        int[] naiveIndices;
        float[] naiveValues;
        TopKCompressor topK;
        CompressedGradient out;
        ErrorFeedback feedback;
        CompressedGradient feedbackOut;

        @Setup(Level.Trial)
        public void setUp()
        {
            gradient = gradient(length, 42);
            magnitudes = new float[length];
            topK = new TopKCompressor(ratio, length, new SplittableRandom(1));
            out = topK.newOutput();
            naiveIndices = new int[topK.entriesFor(length)];
            naiveValues = new float[topK.entriesFor(length)];
            final TopKCompressor feedbackTopK = new TopKCompressor(ratio, length, new SplittableRandom(2));
            feedback = new ErrorFeedback(feedbackTopK, new KeyRange(0, 0, length));
            feedbackOut = feedbackTopK.newOutput();
        }
    }

    @State(Scope.Thread)
    public static class Quantisation
    {
        @Param({"235146"})
        public int length;

        float[] gradient;
        QsgdCompressor qsgd8;
        QsgdCompressor qsgd4;
        ScaledSignCompressor sign;
        CompressedGradient qsgd8Out;
        CompressedGradient qsgd4Out;
        CompressedGradient signOut;

        @Setup(Level.Trial)
        public void setUp()
        {
            gradient = gradient(length, 43);
            qsgd8 = new QsgdCompressor(8, QsgdCompressor.DEFAULT_BLOCK_SIZE, length, new SplittableRandom(3));
            qsgd4 = new QsgdCompressor(4, QsgdCompressor.DEFAULT_BLOCK_SIZE, length, new SplittableRandom(4));
            sign = new ScaledSignCompressor(ScaledSignCompressor.DEFAULT_BLOCK_SIZE, length);
            qsgd8Out = qsgd8.newOutput();
            qsgd4Out = qsgd4.newOutput();
            signOut = sign.newOutput();
        }
    }

    @Benchmark
    public CompressedGradient topK(final Selection s)
    {
        s.topK.compress(s.gradient, 0, s.length, s.out);
        return s.out;
    }

    @Benchmark
    public CompressedGradient topKWithErrorFeedback(final Selection s)
    {
        return s.feedback.step(s.gradient, s.feedbackOut);
    }

    @Benchmark
    public int naiveSortTopK(final Selection s)
    {
        final float[] x = s.gradient;
        final float[] magnitudes = s.magnitudes;
        final int length = s.length;
        final int k = s.naiveIndices.length;
        for (int i = 0; i < length; i++)
        {
            magnitudes[i] = Math.abs(x[i]);
        }
        Arrays.sort(magnitudes);
        final float threshold = magnitudes[length - k];
        int greater = 0;
        for (int i = length - k; i < length; i++)
        {
            greater += magnitudes[i] > threshold ? 1 : 0;
        }
        int ties = k - greater;
        int written = 0;
        for (int i = 0; i < length && written < k; i++)
        {
            final float magnitude = Math.abs(x[i]);
            if (magnitude > threshold || (magnitude == threshold && ties-- > 0))
            {
                s.naiveIndices[written] = i;
                s.naiveValues[written] = x[i];
                written++;
            }
        }
        return written;
    }

    @Benchmark
    public CompressedGradient qsgd8(final Quantisation q)
    {
        q.qsgd8.compress(q.gradient, 0, q.length, q.qsgd8Out);
        return q.qsgd8Out;
    }

    @Benchmark
    public CompressedGradient qsgd4(final Quantisation q)
    {
        q.qsgd4.compress(q.gradient, 0, q.length, q.qsgd4Out);
        return q.qsgd4Out;
    }

    @Benchmark
    public CompressedGradient sign(final Quantisation q)
    {
        q.sign.compress(q.gradient, 0, q.length, q.signOut);
        return q.signOut;
    }
}
