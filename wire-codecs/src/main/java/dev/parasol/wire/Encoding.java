package dev.parasol.wire;

/**
 * How the payload of a data-plane message encodes its values. The code is the byte written on the wire; it never
 * changes once released, so a new encoding takes a new code.
 * <p>
 * Each encoding has one encoder and one decoder: {@link DenseEncoder} / {@link DenseDecoder},
 * {@link SparseEncoder} / {@link SparseDecoder} (both sparse encodings), {@link QuantizedEncoder} /
 * {@link QuantizedDecoder} (both QSGD encodings) and {@link SignEncoder} / {@link SignDecoder}. The exact byte
 * layout of each payload is in {@code docs/wire-format.md}.
 */
public enum Encoding
{
    /**
     * Every coordinate of the key range as a little-endian f32.
     */
    DENSE_F32(1),

    /**
     * Strictly increasing indices, delta-encoded as unsigned LEB128 varints, followed by one f32 value each.
     */
    SPARSE_F32(2),

    /**
     * As {@link #SPARSE_F32} with IEEE 754 half-precision values.
     */
    SPARSE_F16(3),

    /**
     * QSGD stochastic quantisation: per-block f32 scale, then one signed byte level per coordinate.
     */
    QSGD_8BIT(4),

    /**
     * QSGD stochastic quantisation: per-block f32 scale, then two signed 4-bit levels per byte.
     */
    QSGD_4BIT(5),

    /**
     * Scaled sign: per-block f32 scale, then one bit per coordinate (1 = negative).
     */
    SIGN(6);

    private static final Encoding[] BY_CODE = new Encoding[7];

    static
    {
        for (final Encoding encoding : values())
        {
            BY_CODE[encoding.code] = encoding;
        }
    }

    private final int code;

    Encoding(final int code)
    {
        this.code = code;
    }

    /**
     * Get the byte written on the wire for this encoding.
     *
     * @return the wire code.
     */
    public int code()
    {
        return code;
    }

    /**
     * Get the encoding for a wire code, or null when the code names none: callers decoding untrusted bytes treat
     * null as a rejection, never as a default.
     *
     * @param code the byte read from the wire.
     * @return the encoding, or null if the code is unknown.
     */
    public static Encoding fromCode(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
