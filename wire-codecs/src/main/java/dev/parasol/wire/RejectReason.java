package dev.parasol.wire;

/**
 * The one outcome of decoding a message: {@link #NONE} when it was accepted, otherwise the first rule it broke.
 * Decoders return a constant of this enum instead of throwing, so a bad message costs neither an allocation nor a
 * stack trace; receivers count the outcome in {@link RejectCounters}. The codes are stable: they may be exported as
 * counter ids and never change once released.
 * <p>
 * The rules are checked in stages (frame, checksum, authentication, fields, recipient, payload) in the order that
 * section 6 of {@code docs/wire-format.md} lists, and the first rule broken is the one reported.
 */
public enum RejectReason
{
    /**
     * Accepted: every rule held.
     */
    NONE(0, "accepted"),

    /**
     * The bytes given are fewer than a header, or fewer than the header's payload length declares, or the offset
     * and length given do not lie inside the buffer.
     */
    TRUNCATED(1, "message shorter than its header or declared payload"),

    /**
     * The first four bytes are not {@link HeaderDescriptor#MAGIC}.
     */
    BAD_MAGIC(2, "magic number is not Parasol's"),

    /**
     * The format version is not {@link HeaderDescriptor#FORMAT_VERSION}.
     */
    BAD_VERSION(3, "unsupported format version"),

    /**
     * The payload length is negative, shorter than the bytes given, or disagrees with the element count, block
     * size and encoding; or the sparse index section does not end exactly at the end of the payload.
     */
    LENGTH_MISMATCH(4, "payload length disagrees with the frame or the layout"),

    /**
     * The CRC32C over the header and payload differs from the stored one: the bytes changed on the way.
     */
    BAD_CHECKSUM(5, "CRC32C mismatch"),

    /**
     * The message type code names no {@link MessageType}.
     */
    BAD_TYPE(6, "unknown message type"),

    /**
     * The encoding code names no {@link Encoding}, or a payload decoder was asked to read an encoding it does not
     * read.
     */
    BAD_ENCODING(7, "unknown or unexpected encoding"),

    /**
     * Reserved flag bits (all but {@link HeaderDescriptor#FLAG_AUTHENTICATED}) are set.
     */
    BAD_FLAGS(8, "reserved flags set"),

    /**
     * The key range has a negative start or length, or ends past {@link Integer#MAX_VALUE}.
     */
    BAD_KEY_RANGE(9, "invalid key range"),

    /**
     * The element count is negative, larger than the key range, or (for dense, quantised and sign payloads) not
     * equal to the key range's length.
     */
    COUNT_OUT_OF_RANGE(10, "element count does not fit the key range"),

    /**
     * The block size is not zero for a dense or sparse payload, or not positive for a quantised or sign payload.
     */
    BAD_BLOCK_SIZE(11, "invalid block size"),

    /**
     * The job id is not the receiver's.
     */
    WRONG_JOB(12, "message belongs to another job"),

    /**
     * The message's key range is not inside the key range the receiver owns.
     */
    KEY_RANGE_NOT_OWNED(13, "key range outside the receiver's"),

    /**
     * The caller's destination arrays are shorter than the element count or block count.
     */
    CAPACITY_EXCEEDED(14, "destination arrays too small"),

    /**
     * A sparse index is not below the key range's length.
     */
    INDEX_OUT_OF_RANGE(15, "sparse index outside the key range"),

    /**
     * A sparse index gap is zero: indices must strictly increase.
     */
    INDEX_NOT_INCREASING(16, "sparse indices not strictly increasing"),

    /**
     * A varint runs longer than five bytes or its value exceeds 32 bits.
     */
    VARINT_OVERFLOW(17, "varint longer than 5 bytes or above 32 bits"),

    /**
     * A varint is not in its shortest form (its last byte is zero).
     */
    VARINT_NOT_MINIMAL(18, "varint not in shortest form"),

    /**
     * A dense or sparse value is NaN or infinite.
     */
    NON_FINITE_VALUE(19, "value is NaN or infinite"),

    /**
     * A block scale is NaN, infinite or negative.
     */
    BAD_SCALE(20, "block scale is NaN, infinite or negative"),

    /**
     * A quantisation level is the asymmetric minimum (-128 for 8 bits, -8 for 4 bits), or a level given to an
     * encoder is out of range.
     */
    LEVEL_OUT_OF_RANGE(21, "quantisation level out of range"),

    /**
     * Unused bits of the last byte of a 4-bit or sign payload are not zero.
     */
    PADDING_NOT_ZERO(22, "padding bits not zero"),

    /**
     * The receiver holds the job's key and the message carries no authentication tag: an unsigned message, or a
     * signed one stripped of its flag and trailer.
     */
    UNAUTHENTICATED(23, "message carries no authentication tag"),

    /**
     * The authentication tag does not verify under the receiver's key: a forgery, a message of another job's key,
     * or one altered after signing behind a recomputed checksum.
     */
    BAD_TAG(24, "authentication tag does not verify"),

    /**
     * The message carries an authentication tag but the receiver holds no key to verify it: a receiver the job's
     * key never reached.
     */
    UNEXPECTED_TAG(25, "authentication tag but no key to verify it");

    private static final RejectReason[] BY_CODE = values();

    static
    {
        for (int i = 0; i < BY_CODE.length; i++)
        {
            if (BY_CODE[i].code != i)
            {
                throw new IllegalStateException("reject reason codes must equal ordinals: " + BY_CODE[i]);
            }
        }
    }

    private final int code;
    private final String description;

    RejectReason(final int code, final String description)
    {
        this.code = code;
        this.description = description;
    }

    /**
     * Get the stable numeric code of this reason, usable as a counter id.
     *
     * @return the code, equal to the ordinal.
     */
    public int code()
    {
        return code;
    }

    /**
     * Get a short human-readable description of the rule broken.
     *
     * @return the description.
     */
    public String description()
    {
        return description;
    }

    /**
     * Get the reason for a code, or null when the code names none.
     *
     * @param code a code returned by {@link #code()}.
     * @return the reason, or null if the code is unknown.
     */
    public static RejectReason fromCode(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /**
     * Get the number of reasons, {@link #NONE} included: the size of an array indexed by code.
     *
     * @return the number of reasons.
     */
    public static int count()
    {
        return BY_CODE.length;
    }
}
