package dev.parasol.bench.linalg;

import dev.parasol.engine.linalg.MatrixKernels;
import dev.parasol.engine.linalg.ReferenceGemm;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Speed of the matrix products of one W2 (MLP 784-256-128-10) training step at batch 64, on netlib BLAS as
 * {@link MatrixKernels#defaultKernels()} picks it (native OpenBLAS through JNI where it loads), on netlib's Java
 * implementation ({@link MatrixKernels#javaKernels()}: the Vector API one under
 * {@code --add-modules jdk.incubator.vector}), on the textbook triple loop and on the i-k-j loop
 * ({@link ReferenceGemm}), all in one run.
 * <p>
 * Scores are operations (products) per second; GFLOP/s = score x flops per op / 1e9, with {@code 2 m n k} flops per
 * product:
 * <table>
 * <caption>Shapes, row-major, {@code C[m x n] = op(A) op(B)}</caption>
 * <tr><th>shape</th><th>product</th><th>m, n, k</th><th>flops per op</th></tr>
 * <tr><td>FC1_FORWARD</td><td>X[64x784] W1^T, W1 [256x784]</td><td>64, 256, 784</td><td>25,690,112</td></tr>
 * <tr><td>FC2_FORWARD</td><td>A1[64x256] W2^T, W2 [128x256]</td><td>64, 128, 256</td><td>4,194,304</td></tr>
 * <tr><td>FC3_FORWARD</td><td>A2[64x128] W3^T, W3 [10x128]</td><td>64, 10, 128</td><td>163,840</td></tr>
 * <tr><td>FC1_WEIGHT_GRADIENT</td><td>dZ1^T[256x64] X[64x784]</td><td>256, 784, 64</td><td>25,690,112</td></tr>
 * <tr><td>FC2_WEIGHT_GRADIENT</td><td>dZ2^T[128x64] A1[64x256]</td><td>128, 256, 64</td><td>4,194,304</td></tr>
 * <tr><td>FC2_INPUT_GRADIENT</td><td>dZ2[64x128] W2[128x256]</td><td>64, 256, 128</td><td>4,194,304</td></tr>
 * </table>
 * One W2 step (forward and backward, including the FC3 products) is 64,454,656 flops of products (about 64.5 MFLOP).
 * <p>
 * OpenBLAS uses every core unless the JVM starts with {@code OPENBLAS_NUM_THREADS=1} in its environment (JMH forks
 * inherit it); measure one core, as one worker per core runs:
 * {@code OPENBLAS_NUM_THREADS=1 java -jar load-tests/target/benchmarks.jar GemmBenchmark}. The BLAS in use is
 * printed at the start of each fork.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = { "--add-modules", "jdk.incubator.vector", "-Xmx1g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GemmBenchmark
{
    /**
     * The products of a W2 step at batch 64.
     */
    public enum Shape
    {
        FC1_FORWARD(false, true, 64, 256, 784),
        FC2_FORWARD(false, true, 64, 128, 256),
        FC3_FORWARD(false, true, 64, 10, 128),
        FC1_WEIGHT_GRADIENT(true, false, 256, 784, 64),
        FC2_WEIGHT_GRADIENT(true, false, 128, 256, 64),
        FC2_INPUT_GRADIENT(false, false, 64, 256, 128);

        final boolean transA;
        final boolean transB;
        final int m;
        final int n;
        final int k;

        Shape(final boolean transA, final boolean transB, final int m, final int n, final int k)
        {
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
        }

        public long flops()
        {
            return 2L * m * n * k;
        }
    }

    @Param
    public Shape shape;

    private MatrixKernels blas;
    private MatrixKernels javaBlas;
    private float[] a;
    private float[] b;
    private float[] c;
    private int lda;
    private int ldb;

    @Setup(Level.Trial)
    public void setUp()
    {
        blas = MatrixKernels.defaultKernels();
        javaBlas = MatrixKernels.javaKernels();
        System.out.println("BLAS: " + blas.describe() + "; Java BLAS: " + javaBlas.implementationName() +
            "; " + shape + " flops/op=" + shape.flops());
        final SplittableRandom random = new SplittableRandom(42);
        a = new float[shape.m * shape.k];
        b = new float[shape.k * shape.n];
        c = new float[shape.m * shape.n];
        for (int i = 0; i < a.length; i++)
        {
            a[i] = (float)random.nextDouble(-1.0, 1.0);
        }
        for (int i = 0; i < b.length; i++)
        {
            b[i] = (float)random.nextDouble(-1.0, 1.0);
        }
        lda = shape.transA ? shape.m : shape.k;
        ldb = shape.transB ? shape.k : shape.n;
    }

    @Benchmark
    public float[] blas()
    {
        blas.sgemm(shape.transA, shape.transB, shape.m, shape.n, shape.k,
            1.0f, a, 0, lda, b, 0, ldb, 0.0f, c, 0, shape.n);
        return c;
    }

    @Benchmark
    public float[] javaBlas()
    {
        javaBlas.sgemm(shape.transA, shape.transB, shape.m, shape.n, shape.k,
            1.0f, a, 0, lda, b, 0, ldb, 0.0f, c, 0, shape.n);
        return c;
    }

    @Benchmark
    public float[] naive()
    {
        ReferenceGemm.naive(shape.transA, shape.transB, shape.m, shape.n, shape.k,
            1.0f, a, 0, lda, b, 0, ldb, 0.0f, c, 0, shape.n);
        return c;
    }

    @Benchmark
    public float[] ikj()
    {
        ReferenceGemm.ikj(shape.transA, shape.transB, shape.m, shape.n, shape.k,
            1.0f, a, 0, lda, b, 0, ldb, 0.0f, c, 0, shape.n);
        return c;
    }
}
