package dev.parasol.engine.linalg;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Row-major single-precision matrix products over netlib BLAS, and a report of which BLAS implementation runs.
 * <p>
 * {@link BLAS#getInstance()} picks, in order: native BLAS through JNI when the system property
 * {@code dev.ludovic.netlib.blas.nativeLib} (default {@code libblas.so.3}) loads with {@code dlopen}; else the Java
 * implementation on the incubating Vector API when the JVM runs with {@code --add-modules jdk.incubator.vector}; else
 * scalar Java. On Debian {@code libblas.so.3} is an alternative that points to OpenBLAS when {@code libopenblas0} is
 * installed but to the reference BLAS (about 30 times slower) when only {@code libblas3} is; netlib loads either
 * without a word. {@link #tier()} tells them apart by the libraries mapped into the process
 * ({@code /proc/self/maps}), {@link #isSlowFallback()} says whether a caller must announce a slow run, and
 * {@code -Ddev.ludovic.netlib.blas.nativeLib=libopenblas.so.0} forces OpenBLAS whatever the alternative says.
 * <p>
 * Threads: OpenBLAS starts one thread per core and reads {@code OPENBLAS_NUM_THREADS} once, when it loads. A
 * process that runs one worker per core must start with {@code OPENBLAS_NUM_THREADS=1}, or the BLAS threads of the
 * workers compete for the same cores; it cannot be changed from Java afterwards.
 * <p>
 * netlib's {@code sgemm} is column-major (Fortran). A row-major {@code m x n} matrix with leading dimension
 * {@code ld} is, read column-major, its transpose with the same leading dimension. So the row-major product
 * {@code C = op(A) op(B)} is computed as the column-major product {@code C^T = op(B)^T op(A)^T}: swap the operands,
 * keep each operand's transpose flag, and swap {@code m} and {@code n}.
 * <p>
 * An instance is immutable and thread-safe; the products allocate nothing.
 */
public final class MatrixKernels
{
    /**
     * Below this many GFLOP/s a BLAS whose tier is not known by name counts as a slow fallback: the reference
     * BLAS runs at about 3, the slowest optimised implementation at about 20.
     */
    public static final double SLOW_GFLOPS_THRESHOLD = 10.0;

    /**
     * The environment variable that sets OpenBLAS's thread count when the library loads.
     */
    public static final String OPENBLAS_THREADS_ENV = "OPENBLAS_NUM_THREADS";

    private static final String NO_TRANSPOSE = "N";
    private static final String TRANSPOSE = "T";
    private static final Path PROC_MAPS = Path.of("/proc/self/maps");
    private static final String[] OPTIMISED_NAMES = { "openblas", "mkl", "blis", "atlas", "armpl", "accelerate" };

    private final BLAS blas;
    private final String implementationName;
    private final List<String> nativeLibraries;
    private final BlasTier tier;
    private volatile double calibratedGflops = Double.NaN;

    MatrixKernels(final BLAS blas, final List<String> nativeLibraries)
    {
        this.blas = blas;
        this.implementationName = blas.getClass().getSimpleName();
        this.nativeLibraries = Collections.unmodifiableList(new ArrayList<>(nativeLibraries));
        this.tier = classify(blas instanceof NativeBLAS, implementationName, nativeLibraries);
    }

    /**
     * Get the kernels over the BLAS that netlib picks for this process (see the class Javadoc). The first call
     * loads the implementation.
     *
     * @return the shared instance.
     */
    public static MatrixKernels defaultKernels()
    {
        return DefaultHolder.INSTANCE;
    }

    /**
     * Get the kernels over netlib's best Java implementation, never native code: the Vector API one when the JVM
     * runs with {@code --add-modules jdk.incubator.vector}, else scalar Java.
     *
     * @return the shared instance.
     */
    public static MatrixKernels javaKernels()
    {
        return JavaHolder.INSTANCE;
    }

    /**
     * Row-major {@code C = alpha op(A) op(B) + beta C}, where {@code op(A)} is {@code m x k}, {@code op(B)} is
     * {@code k x n} and {@code C} is {@code m x n}. With {@code beta == 0} the old contents of {@code C} are
     * ignored, even NaN.
     *
     * @param transA  true if {@code a} holds {@code A^T} (a {@code k x m} matrix), so that {@code op(A) = A}.
     * @param transB  true if {@code b} holds {@code B^T} (an {@code n x k} matrix).
     * @param m       rows of {@code op(A)} and {@code C}, at least 1.
     * @param n       columns of {@code op(B)} and {@code C}, at least 1.
     * @param k       columns of {@code op(A)} and rows of {@code op(B)}, at least 1.
     * @param alpha   scale of the product.
     * @param a       storage of A.
     * @param aOffset index of A's first element.
     * @param lda     distance between rows of the stored A: at least {@code k}, or {@code m} if transposed.
     * @param b       storage of B.
     * @param bOffset index of B's first element.
     * @param ldb     distance between rows of the stored B: at least {@code n}, or {@code k} if transposed.
     * @param beta    scale of the old C.
     * @param c       storage of C.
     * @param cOffset index of C's first element.
     * @param ldc     distance between rows of C, at least {@code n}.
     */
    public void sgemm(
        final boolean transA,
        final boolean transB,
        final int m,
        final int n,
        final int k,
        final float alpha,
        final float[] a,
        final int aOffset,
        final int lda,
        final float[] b,
        final int bOffset,
        final int ldb,
        final float beta,
        final float[] c,
        final int cOffset,
        final int ldc)
    {
        blas.sgemm(
            transB ? TRANSPOSE : NO_TRANSPOSE,
            transA ? TRANSPOSE : NO_TRANSPOSE,
            n, m, k, alpha, b, bOffset, ldb, a, aOffset, lda, beta, c, cOffset, ldc);
    }

    /**
     * Dense layer forward product {@code C = A B^T + beta C} with tightly packed row-major operands: inputs
     * {@code X} ({@code m x k}, one example per row) times the transpose of weights {@code W} ({@code n x k},
     * PyTorch's {@code [out, in]}).
     *
     * @param m       rows of A and C (batch).
     * @param n       rows of B, columns of C (outputs).
     * @param k       columns of A and B (inputs).
     * @param a       A, {@code m x k}.
     * @param aOffset index of A's first element.
     * @param b       B, {@code n x k}.
     * @param bOffset index of B's first element.
     * @param beta    scale of the old C; 0 overwrites it.
     * @param c       C, {@code m x n}.
     * @param cOffset index of C's first element.
     */
    public void gemmNT(
        final int m,
        final int n,
        final int k,
        final float[] a,
        final int aOffset,
        final float[] b,
        final int bOffset,
        final float beta,
        final float[] c,
        final int cOffset)
    {
        sgemm(false, true, m, n, k, 1.0f, a, aOffset, k, b, bOffset, k, beta, c, cOffset, n);
    }

    /**
     * Weight-gradient product {@code C = A^T B + beta C} with tightly packed row-major operands: output deltas
     * {@code dY} ({@code k x m}) transposed times inputs {@code X} ({@code k x n}) gives {@code dW} ({@code m x n}).
     *
     * @param m       columns of A, rows of C (outputs).
     * @param n       columns of B and C (inputs).
     * @param k       rows of A and B (batch).
     * @param a       A, {@code k x m}.
     * @param aOffset index of A's first element.
     * @param b       B, {@code k x n}.
     * @param bOffset index of B's first element.
     * @param beta    scale of the old C; 0 overwrites it, 1 accumulates.
     * @param c       C, {@code m x n}.
     * @param cOffset index of C's first element.
     */
    public void gemmTN(
        final int m,
        final int n,
        final int k,
        final float[] a,
        final int aOffset,
        final float[] b,
        final int bOffset,
        final float beta,
        final float[] c,
        final int cOffset)
    {
        sgemm(true, false, m, n, k, 1.0f, a, aOffset, m, b, bOffset, n, beta, c, cOffset, n);
    }

    /**
     * Input-gradient product {@code C = A B + beta C} with tightly packed row-major operands: output deltas
     * {@code dY} ({@code m x k}) times weights {@code W} ({@code k x n}) gives {@code dX} ({@code m x n}).
     *
     * @param m       rows of A and C (batch).
     * @param n       columns of B and C (inputs).
     * @param k       columns of A, rows of B (outputs).
     * @param a       A, {@code m x k}.
     * @param aOffset index of A's first element.
     * @param b       B, {@code k x n}.
     * @param bOffset index of B's first element.
     * @param beta    scale of the old C; 0 overwrites it.
     * @param c       C, {@code m x n}.
     * @param cOffset index of C's first element.
     */
    public void gemmNN(
        final int m,
        final int n,
        final int k,
        final float[] a,
        final int aOffset,
        final float[] b,
        final int bOffset,
        final float beta,
        final float[] c,
        final int cOffset)
    {
        sgemm(false, false, m, n, k, 1.0f, a, aOffset, k, b, bOffset, n, beta, c, cOffset, n);
    }

    /**
     * Get the simple class name of the netlib implementation in use: {@code JNIBLAS} (native), {@code VectorBLAS},
     * {@code Java11BLAS} or {@code Java8BLAS}.
     *
     * @return the implementation's name.
     */
    public String implementationName()
    {
        return implementationName;
    }

    /**
     * Get the paths of the BLAS libraries mapped into the process when the native implementation loaded, e.g.
     * {@code /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so}.
     *
     * @return the paths; empty for a Java implementation or where {@code /proc/self/maps} cannot be read.
     */
    public List<String> nativeLibraries()
    {
        return nativeLibraries;
    }

    /**
     * Get the class of implementation, from its name and its native libraries.
     *
     * @return the tier.
     */
    public BlasTier tier()
    {
        return tier;
    }

    /**
     * Is the BLAS in use a slow fallback that a caller must announce? True for the reference native BLAS and for
     * scalar Java; for a native library not known by name, true if {@link #calibratedGflops()} is below
     * {@link #SLOW_GFLOPS_THRESHOLD}.
     *
     * @return true if products run an order of magnitude or more below optimised BLAS.
     */
    public boolean isSlowFallback()
    {
        if (tier == BlasTier.NATIVE_UNKNOWN)
        {
            return calibratedGflops() < SLOW_GFLOPS_THRESHOLD;
        }
        return tier.isSlow();
    }

    /**
     * Get the speed of a W2 forward product (64x784 times 784x256), measured once on first call for about
     * 50 ms and then remembered.
     *
     * @return GFLOP/s on the calling thread.
     */
    public double calibratedGflops()
    {
        double gflops = calibratedGflops;
        if (Double.isNaN(gflops))
        {
            gflops = measureGflops(64, 256, 784, 50_000_000L);
            calibratedGflops = gflops;
        }
        return gflops;
    }

    /**
     * Measure the speed of {@link #gemmNT} on random operands of the given shape.
     *
     * @param m           rows of A and C.
     * @param n           rows of B.
     * @param k           inner dimension.
     * @param durationNs  how long to run after a short warm-up.
     * @return GFLOP/s, counting {@code 2 m n k} flops per product.
     */
    public double measureGflops(final int m, final int n, final int k, final long durationNs)
    {
        final SplittableRandom random = new SplittableRandom(42);
        final float[] a = new float[m * k];
        final float[] b = new float[n * k];
        final float[] c = new float[m * n];
        for (int i = 0; i < a.length; i++)
        {
            a[i] = (float)random.nextDouble(-1.0, 1.0);
        }
        for (int i = 0; i < b.length; i++)
        {
            b[i] = (float)random.nextDouble(-1.0, 1.0);
        }
        for (int i = 0; i < 5; i++)
        {
            gemmNT(m, n, k, a, 0, b, 0, 0.0f, c, 0);
        }
        long products = 0;
        final long start = System.nanoTime();
        long elapsed;
        do
        {
            gemmNT(m, n, k, a, 0, b, 0, 0.0f, c, 0);
            products++;
            elapsed = System.nanoTime() - start;
        }
        while (elapsed < durationNs);
        return 2.0 * m * n * k * products / elapsed;
    }

    /**
     * Get a one-line description for logs and reports, e.g.
     * {@code "JNIBLAS NATIVE_OPTIMISED [/usr/lib/.../libopenblasp-r0.3.21.so] OPENBLAS_NUM_THREADS=1"}.
     *
     * @return the description.
     */
    public String describe()
    {
        final String threads = System.getenv(OPENBLAS_THREADS_ENV);
        return implementationName + " " + tier + " " + nativeLibraries +
            (tier == BlasTier.JAVA_VECTOR || tier == BlasTier.JAVA_SCALAR ? "" :
            " " + OPENBLAS_THREADS_ENV + "=" + (threads == null ? "unset" : threads)) +
            (isSlowFallback() ? " SLOW FALLBACK" : "");
    }

    @Override
    public String toString()
    {
        return "MatrixKernels{" + implementationName + ", " + tier + ", " + nativeLibraries + "}";
    }

    /**
     * Classify an implementation. Package-private for tests.
     *
     * @param nativeImplementation true if it calls a native library through JNI.
     * @param simpleName           the netlib class's simple name.
     * @param libraries            paths of the BLAS libraries mapped into the process.
     * @return the tier.
     */
    static BlasTier classify(final boolean nativeImplementation, final String simpleName, final List<String> libraries)
    {
        if (!nativeImplementation)
        {
            return simpleName.startsWith("Vector") ? BlasTier.JAVA_VECTOR : BlasTier.JAVA_SCALAR;
        }
        boolean reference = false;
        for (final String library : libraries)
        {
            final String lower = library.toLowerCase(Locale.ROOT);
            for (final String optimised : OPTIMISED_NAMES)
            {
                if (lower.contains(optimised))
                {
                    return BlasTier.NATIVE_OPTIMISED;
                }
            }
            // Debian and Ubuntu install the Fortran reference BLAS as .../blas/libblas.so.3.
            if (lower.contains("/blas/libblas.so") || lower.contains("/libblas3/") || lower.contains("refblas"))
            {
                reference = true;
            }
        }
        return reference ? BlasTier.NATIVE_REFERENCE : BlasTier.NATIVE_UNKNOWN;
    }

    /**
     * Find the BLAS libraries mapped into this process, skipping netlib's own JNI glue. Package-private for tests.
     *
     * @param mapsLines the lines of {@code /proc/self/maps}.
     * @return the distinct paths in order of appearance.
     */
    static List<String> blasLibraries(final List<String> mapsLines)
    {
        final List<String> libraries = new ArrayList<>();
        for (final String line : mapsLines)
        {
            final int slash = line.indexOf('/');
            if (slash < 0)
            {
                continue;
            }
            final String path = line.substring(slash).trim();
            final String fileName = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
            final boolean blasLike = fileName.contains("blas") || fileName.contains("mkl") || fileName.contains("blis");
            if (blasLike && !fileName.contains("netlibblasjni") && !libraries.contains(path))
            {
                libraries.add(path);
            }
        }
        return libraries;
    }

    private static List<String> mappedBlasLibraries()
    {
        if (!Files.isReadable(PROC_MAPS))
        {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(PROC_MAPS))
        {
            return blasLibraries(lines.toList());
        }
        catch (final IOException | RuntimeException ex)
        {
            return List.of();
        }
    }

    private static final class DefaultHolder
    {
        private static final MatrixKernels INSTANCE = create();

        private static MatrixKernels create()
        {
            final BLAS blas = BLAS.getInstance();
            return new MatrixKernels(blas, blas instanceof NativeBLAS ? mappedBlasLibraries() : List.of());
        }
    }

    private static final class JavaHolder
    {
        private static final MatrixKernels INSTANCE = new MatrixKernels(JavaBLAS.getInstance(), List.of());
    }
}
