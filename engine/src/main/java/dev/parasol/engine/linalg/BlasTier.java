package dev.parasol.engine.linalg;

/**
 * How fast a class of BLAS implementation is expected to run {@code sgemm} on one core, in the order netlib tries
 * them. Figures are from one 2-core machine, 64x784 times 784x256, float (see DEPENDENCIES.md).
 */
public enum BlasTier
{
    /**
     * An optimised native library through JNI: OpenBLAS, MKL, BLIS, ATLAS (about 75-120 GFLOP/s).
     */
    NATIVE_OPTIMISED(false),

    /**
     * The Fortran reference BLAS through JNI (Debian's {@code libblas3}; about 3 GFLOP/s): a slow fallback.
     */
    NATIVE_REFERENCE(true),

    /**
     * A native library that could not be identified by name; its speed is found by calibration.
     */
    NATIVE_UNKNOWN(false),

    /**
     * netlib's Java implementation on the incubating Vector API (about 20-50 GFLOP/s).
     */
    JAVA_VECTOR(false),

    /**
     * netlib's scalar Java implementation (about 3-14 GFLOP/s): a slow fallback.
     */
    JAVA_SCALAR(true);

    private final boolean slow;

    BlasTier(final boolean slow)
    {
        this.slow = slow;
    }

    /**
     * Is this tier known to be a slow fallback, an order of magnitude or more below optimised native BLAS?
     *
     * @return true for the reference native BLAS and the scalar Java implementation.
     */
    public boolean isSlow()
    {
        return slow;
    }
}
