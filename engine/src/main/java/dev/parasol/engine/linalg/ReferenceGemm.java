package dev.parasol.engine.linalg;

/**
 * Plain-Java row-major {@code sgemm} loops with the same contract as
 * {@link MatrixKernels#sgemm(boolean, boolean, int, int, int, float, float[], int, int, float[], int, int, float,
 * float[], int, int)}: the yardsticks that tests check BLAS against and that benchmarks compare it with. Not for the
 * training path.
 */
public final class ReferenceGemm
{
    private ReferenceGemm()
    {
    }

    /**
     * The textbook triple loop (i, j, p), one dot product per element of C, accumulated in double.
     *
     * @param transA  true if {@code a} holds {@code A^T}.
     * @param transB  true if {@code b} holds {@code B^T}.
     * @param m       rows of C.
     * @param n       columns of C.
     * @param k       inner dimension.
     * @param alpha   scale of the product.
     * @param a       storage of A.
     * @param aOffset index of A's first element.
     * @param lda     distance between rows of the stored A.
     * @param b       storage of B.
     * @param bOffset index of B's first element.
     * @param ldb     distance between rows of the stored B.
     * @param beta    scale of the old C; 0 ignores it.
     * @param c       storage of C.
     * @param cOffset index of C's first element.
     * @param ldc     distance between rows of C.
     */
    public static void naive(
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
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0.0;
                for (int p = 0; p < k; p++)
                {
                    final float aip = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
                    final float bpj = transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
                    sum += (double)aip * bpj;
                }
                final int ci = cOffset + i * ldc + j;
                c[ci] = (float)(alpha * sum + (beta == 0.0f ? 0.0 : (double)beta * c[ci]));
            }
        }
    }

    /**
     * The cache-friendly loop order (i, p, j): scale row i of C, then add {@code alpha A[i][p]} times row p of B,
     * so the inner loop streams through contiguous rows of B and C when B is not transposed (and vectorises).
     *
     * @param transA  true if {@code a} holds {@code A^T}.
     * @param transB  true if {@code b} holds {@code B^T}; the inner loop then strides through B.
     * @param m       rows of C.
     * @param n       columns of C.
     * @param k       inner dimension.
     * @param alpha   scale of the product.
     * @param a       storage of A.
     * @param aOffset index of A's first element.
     * @param lda     distance between rows of the stored A.
     * @param b       storage of B.
     * @param bOffset index of B's first element.
     * @param ldb     distance between rows of the stored B.
     * @param beta    scale of the old C; 0 ignores it.
     * @param c       storage of C.
     * @param cOffset index of C's first element.
     * @param ldc     distance between rows of C.
     */
    public static void ikj(
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
        for (int i = 0; i < m; i++)
        {
            final int cRow = cOffset + i * ldc;
            for (int j = 0; j < n; j++)
            {
                c[cRow + j] = beta == 0.0f ? 0.0f : beta * c[cRow + j];
            }
            for (int p = 0; p < k; p++)
            {
                final float aip = alpha * (transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p]);
                if (transB)
                {
                    for (int j = 0; j < n; j++)
                    {
                        c[cRow + j] += aip * b[bOffset + j * ldb + p];
                    }
                }
                else
                {
                    final int bRow = bOffset + p * ldb;
                    for (int j = 0; j < n; j++)
                    {
                        c[cRow + j] += aip * b[bRow + j];
                    }
                }
            }
        }
    }
}
