package dev.parasol.engine.linalg;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(60)
class MatrixKernelsTest
{
    // Shapes chosen non-square with every pair of dimensions distinct, so a swapped m, n or k or a wrong leading
    // dimension reads the wrong elements or goes out of bounds.
    private static final int[][] SHAPES = { { 3, 5, 7 }, { 7, 2, 11 }, { 1, 9, 4 }, { 13, 6, 1 }, { 64, 33, 17 } };

    static Stream<Arguments> kernelsAndTransposes()
    {
        final List<Arguments> arguments = new ArrayList<>();
        for (final String kernels : new String[] { "default", "java" })
        {
            for (final boolean transA : new boolean[] { false, true })
            {
                for (final boolean transB : new boolean[] { false, true })
                {
                    arguments.add(Arguments.of(kernels, transA, transB));
                }
            }
        }
        return arguments.stream();
    }

    private static MatrixKernels kernels(final String which)
    {
        return "java".equals(which) ? MatrixKernels.javaKernels() : MatrixKernels.defaultKernels();
    }

    @ParameterizedTest(name = "{0} transA={1} transB={2}")
    @MethodSource("kernelsAndTransposes")
    void shouldMatchNaiveLoopWhenOperandsAreTransposedAndOffsetWithPaddedRows(
        final String which, final boolean transA, final boolean transB)
    {
        final MatrixKernels kernels = kernels(which);
        final SplittableRandom random = new SplittableRandom(7);
        for (final int[] shape : SHAPES)
        {
            final int m = shape[0];
            final int n = shape[1];
            final int k = shape[2];
            // Padded leading dimensions and non-zero offsets, as a sub-matrix of a larger buffer.
            final int lda = (transA ? m : k) + 3;
            final int ldb = (transB ? k : n) + 2;
            final int ldc = n + 1;
            final int aRows = transA ? k : m;
            final int bRows = transB ? n : k;
            final float[] a = randomArray(random, 5 + aRows * lda);
            final float[] b = randomArray(random, 4 + bRows * ldb);
            final float[] c = randomArray(random, 6 + m * ldc);
            final float[] expected = c.clone();
            final float alpha = 1.5f;
            final float beta = -0.5f;

            ReferenceGemm.naive(transA, transB, m, n, k, alpha, a, 5, lda, b, 4, ldb, beta, expected, 6, ldc);
            kernels.sgemm(transA, transB, m, n, k, alpha, a, 5, lda, b, 4, ldb, beta, c, 6, ldc);

            assertArrayEquals(expected, c, 1e-4f * k, "m=" + m + " n=" + n + " k=" + k);
        }
    }

    @Test
    void shouldComputeHandCheckedProductWhenRowMajor()
    {
        // A = [[1, 2, 3], [4, 5, 6]], B = [[1, 0], [0, 1], [1, 1]]: A B = [[4, 5], [10, 11]].
        final float[] a = { 1, 2, 3, 4, 5, 6 };
        final float[] b = { 1, 0, 0, 1, 1, 1 };
        final float[] c = new float[4];
        MatrixKernels.defaultKernels().gemmNN(2, 2, 3, a, 0, b, 0, 0.0f, c, 0);
        assertArrayEquals(new float[] { 4, 5, 10, 11 }, c, 0.0f);
    }

    @Test
    void shouldComputeTheThreeLayerProductsWhenShapesAreThoseOfADenseLayer()
    {
        final MatrixKernels kernels = MatrixKernels.defaultKernels();
        final SplittableRandom random = new SplittableRandom(11);
        final int batch = 5;
        final int in = 9;
        final int out = 4;
        final float[] x = randomArray(random, batch * in);
        final float[] w = randomArray(random, out * in);
        final float[] dy = randomArray(random, batch * out);

        final float[] y = new float[batch * out];
        final float[] yExpected = new float[batch * out];
        kernels.gemmNT(batch, out, in, x, 0, w, 0, 0.0f, y, 0);
        ReferenceGemm.naive(false, true, batch, out, in, 1.0f, x, 0, in, w, 0, in, 0.0f, yExpected, 0, out);
        assertArrayEquals(yExpected, y, 1e-5f);

        final float[] dw = new float[out * in];
        final float[] dwExpected = new float[out * in];
        kernels.gemmTN(out, in, batch, dy, 0, x, 0, 0.0f, dw, 0);
        ReferenceGemm.naive(true, false, out, in, batch, 1.0f, dy, 0, out, x, 0, in, 0.0f, dwExpected, 0, in);
        assertArrayEquals(dwExpected, dw, 1e-5f);

        final float[] dx = new float[batch * in];
        final float[] dxExpected = new float[batch * in];
        kernels.gemmNN(batch, in, out, dy, 0, w, 0, 0.0f, dx, 0);
        ReferenceGemm.naive(false, false, batch, in, out, 1.0f, dy, 0, out, w, 0, in, 0.0f, dxExpected, 0, in);
        assertArrayEquals(dxExpected, dx, 1e-5f);
    }

    @Test
    void shouldIgnoreNanInOutputWhenBetaIsZero()
    {
        final float[] a = { 1, 2 };
        final float[] b = { 3, 4 };
        final float[] c = { Float.NaN };
        MatrixKernels.defaultKernels().gemmNT(1, 1, 2, a, 0, b, 0, 0.0f, c, 0);
        assertEquals(11.0f, c[0], 0.0f);
    }

    @Test
    void shouldRejectOutOfBoundsOperandWhenArrayIsTooShort()
    {
        final float[] a = new float[5];
        final float[] b = new float[6];
        final float[] c = new float[4];
        try
        {
            MatrixKernels.defaultKernels().gemmNN(2, 2, 3, a, 0, b, 0, 0.0f, c, 0);
            fail("expected an exception for a 2x3 operand in 5 floats");
        }
        catch (final IndexOutOfBoundsException | IllegalArgumentException expected)
        {
            // netlib checks bounds before calling native code.
        }
    }

    @Test
    void shouldReportImplementationWhenLoaded()
    {
        final MatrixKernels kernels = MatrixKernels.defaultKernels();
        final String name = kernels.implementationName();
        assertTrue(List.of("JNIBLAS", "VectorBLAS", "Java11BLAS", "Java8BLAS", "F2jBLAS").contains(name), name);
        if (kernels.tier() == BlasTier.NATIVE_OPTIMISED || kernels.tier() == BlasTier.NATIVE_REFERENCE)
        {
            assertFalse(kernels.nativeLibraries().isEmpty(), kernels.toString());
        }
        assertTrue(kernels.describe().startsWith(name), kernels.describe());
        assertFalse(MatrixKernels.javaKernels().implementationName().contains("JNI"));
        System.out.println("BLAS in use: " + kernels.describe());
    }

    @Test
    void shouldClassifyLibrariesWhenNamesAreKnown()
    {
        assertEquals(BlasTier.NATIVE_OPTIMISED, MatrixKernels.classify(true, "JNIBLAS", List.of(
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so")));
        assertEquals(BlasTier.NATIVE_REFERENCE, MatrixKernels.classify(true, "JNIBLAS", List.of(
            "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0")));
        assertEquals(BlasTier.NATIVE_OPTIMISED, MatrixKernels.classify(true, "JNIBLAS", List.of(
            "/opt/intel/oneapi/mkl/latest/lib/libmkl_rt.so.2")));
        assertEquals(BlasTier.NATIVE_UNKNOWN, MatrixKernels.classify(true, "JNIBLAS", List.of(
            "/opt/custom/libblas.so.3")));
        assertEquals(BlasTier.NATIVE_UNKNOWN, MatrixKernels.classify(true, "JNIBLAS", List.of()));
        assertEquals(BlasTier.JAVA_VECTOR, MatrixKernels.classify(false, "VectorBLAS", List.of()));
        assertEquals(BlasTier.JAVA_SCALAR, MatrixKernels.classify(false, "Java11BLAS", List.of()));
        assertEquals(BlasTier.JAVA_SCALAR, MatrixKernels.classify(false, "Java8BLAS", List.of()));
        assertTrue(BlasTier.NATIVE_REFERENCE.isSlow());
        assertTrue(BlasTier.JAVA_SCALAR.isSlow());
        assertFalse(BlasTier.NATIVE_OPTIMISED.isSlow());
        assertFalse(BlasTier.JAVA_VECTOR.isSlow());
    }

    @Test
    void shouldFindBlasLibrariesWhenParsingProcMaps()
    {
        final List<String> maps = List.of(
            "7f0000000000-7f0000001000 r--p 00000000 fd:01 123 /usr/lib/x86_64-linux-gnu/libc.so.6",
            "7f0000001000-7f0000002000 r-xp 00001000 fd:01 456 /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0",
            "7f0000002000-7f0000003000 r--p 00002000 fd:01 456 /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0",
            "7f0000003000-7f0000004000 r-xp 00000000 fd:01 789 /tmp/libnetlibblasjni1234.so",
            "7f0000004000-7f0000005000 rw-p 00000000 00:00 0 [heap]");
        assertEquals(List.of("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"), MatrixKernels.blasLibraries(maps));
    }

    @Test
    void shouldMeasurePositiveSpeedWhenCalibrating()
    {
        final double gflops = MatrixKernels.defaultKernels().measureGflops(16, 16, 16, 5_000_000L);
        assertTrue(gflops > 0.0 && Double.isFinite(gflops), "gflops=" + gflops);
    }

    private static float[] randomArray(final SplittableRandom random, final int length)
    {
        final float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)random.nextDouble(-1.0, 1.0);
        }
        return values;
    }
}
