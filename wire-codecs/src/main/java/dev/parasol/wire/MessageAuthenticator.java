package dev.parasol.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Computes and verifies the authentication tag of a data-plane message under a {@link JobKey}: HMAC-SHA256
 * (Bellare, Canetti and Krawczyk, "Keying Hash Functions for Message Authentication", CRYPTO 1996; RFC 2104)
 * truncated to its first {@value #TAG_LENGTH} bytes, as HMAC-SHA-256-128 of RFC 4868. The tag covers the header
 * without its checksum field, then the payload (section 5 of {@code docs/wire-format.md}); it is stored in a
 * {@value #TAG_LENGTH}-byte trailer after the payload and announced by {@link HeaderDescriptor#FLAG_AUTHENTICATED}.
 * A {@link MessageHeaderEncoder} or {@link MessageHeaderDecoder} given an authenticator signs or verifies every
 * message; nothing else calls it.
 * <p>
 * <b>Why a MAC, when there is a CRC.</b> CRC32C is keyless and linear: anyone who can reach a data port computes it
 * for any bytes, so it catches accidents, not adversaries. A forged gradient push would poison the model; a forged
 * parameter update would overwrite a worker's replica. A MAC under a secret only the job's processes hold makes
 * forging need the key. The CRC stays as the cheaper first filter, so that corruption counts as corruption
 * ({@link RejectReason#BAD_CHECKSUM}) and {@link RejectReason#BAD_TAG} means a forgery or a wrong key.
 * <p>
 * <b>Why HMAC-SHA256.</b> It is a pseudo-random function under a standard assumption on the compression function,
 * in every JDK, with no nonce to manage: GMAC and Poly1305 are faster but break when a nonce repeats under a key,
 * and a sender restarting inside a job has no reliable source of unique nonces. SHA-256 runs on the SHA extensions
 * or AVX2 through HotSpot's intrinsics (about 2 GB/s on the development machine). The tag is deterministic, so a
 * replayed message carries a valid tag; replays are the sequence number's job (see {@link MessageHeaderDecoder}).
 * <p>
 * <b>Why 128 bits are enough.</b> An attacker without the key must guess a tag: each datagram is one guess with
 * success probability 2^-128, and each failure is counted. RFC 2104 (section 5) recommends keeping at least half
 * the hash output and at least 80 bits; 128 of 256 meets both, and is what IPsec uses (RFC 4868). Birthday bounds
 * concern 2^64 tags under one key, far beyond a job's lifetime, and a tag collision would still not give a forgery.
 * Sixteen bytes keep the trailer small next to the 72-byte header and a two-digit number of sparse entries.
 * <p>
 * <b>Why not {@code javax.crypto.Mac}.</b> Its {@code doFinal(byte[], int)} allocates its result on every call
 * (48 bytes per message on JDK 17: the provider returns a fresh array that {@code Mac} then copies out). This class
 * computes the same function as {@code Mac.getInstance("HmacSHA256")} from RFC 2104's definition over one reused
 * {@link MessageDigest}, {@code H((K ^ opad) || H((K ^ ipad) || m))}, with the same number of compression-function
 * calls and no allocation after construction; the tests check it against {@code javax.crypto.Mac} and RFC 4868.
 * <p>
 * <b>Cost.</b> About {@code (64 + covered bytes + 9) / 64 + 2} SHA-256 compressions per message, against one pass of
 * CRC32C; measured figures are in section 5 of {@code docs/wire-format.md}. A buffer over a {@code byte[]} is hashed
 * in place; any other buffer (off-heap, mapped, a raw address) is copied through a reusable 4 KiB array, which the
 * JDK's digest would do itself for a direct {@code ByteBuffer}, and which leaves a shared buffer's position alone.
 * <p>
 * <b>Verification</b> compares all {@value #TAG_LENGTH} bytes without an early exit, so its timing does not tell an
 * attacker how many leading bytes of a guess were right.
 * <p>
 * Not thread-safe: one per thread. An encoder and a decoder used by the same thread may share one.
 */
public final class MessageAuthenticator
{
    /**
     * Length of the tag, and of the trailer that holds it, in bytes: 128 bits.
     */
    public static final int TAG_LENGTH = 16;

    private static final int BLOCK_LENGTH = 64;
    private static final int DIGEST_LENGTH = 32;
    private static final int SCRATCH_LENGTH = 4096;
    private static final byte INNER_PAD = 0x36;
    private static final byte OUTER_PAD = 0x5C;

    private final MessageDigest sha256;
    private final byte[] innerPad = new byte[BLOCK_LENGTH];
    private final byte[] outerPad = new byte[BLOCK_LENGTH];
    private final byte[] digest = new byte[DIGEST_LENGTH];
    private final byte[] scratch = new byte[SCRATCH_LENGTH];

    /**
     * Construct an authenticator for a job; it keeps the pads derived from the key, not the key object.
     *
     * @param key the job's key.
     */
    public MessageAuthenticator(final JobKey key)
    {
        if (null == key)
        {
            throw new IllegalArgumentException("key=null, expected the job's JobKey");
        }
        try
        {
            sha256 = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing, though every Java platform must provide it", ex);
        }
        // The key is shorter than a block, so K0 is the key padded with zeros (RFC 2104, step 1).
        final byte[] paddedKey = new byte[BLOCK_LENGTH];
        key.copyTo(paddedKey);
        for (int i = 0; i < BLOCK_LENGTH; i++)
        {
            innerPad[i] = (byte)(paddedKey[i] ^ INNER_PAD);
            outerPad[i] = (byte)(paddedKey[i] ^ OUTER_PAD);
            paddedKey[i] = 0;
        }
    }

    /**
     * Compute the tag of a message whose header and payload are in place and write it into the trailer; the caller
     * has checked the trailer fits in the buffer.
     */
    void sign(final MutableDirectBuffer buffer, final int offset, final int payloadLength)
    {
        computeTag(buffer, offset, payloadLength);
        buffer.putBytes(HeaderDescriptor.trailerOffset(offset, payloadLength), digest, 0, TAG_LENGTH);
    }

    /**
     * Recompute the tag of a message and compare it, in constant time, with its trailer; the caller has checked
     * that the header, payload and trailer lie inside the buffer.
     *
     * @return true if the trailer holds the tag of the message under this key.
     */
    boolean verify(final DirectBuffer buffer, final int offset, final int payloadLength)
    {
        computeTag(buffer, offset, payloadLength);
        final int trailer = HeaderDescriptor.trailerOffset(offset, payloadLength);
        int difference = 0;
        for (int i = 0; i < TAG_LENGTH; i++)
        {
            difference |= buffer.getByte(trailer + i) ^ digest[i];
        }
        return difference == 0;
    }

    /**
     * Compute the full 32-byte HMAC-SHA256 of bytes [index, index + length) of a buffer, for tests that compare it
     * with other implementations.
     *
     * @return the internal digest array, valid until the next call.
     */
    byte[] hmac(final DirectBuffer buffer, final int index, final int length)
    {
        begin();
        update(buffer, index, length);
        finish();
        return digest;
    }

    private void computeTag(final DirectBuffer buffer, final int offset, final int payloadLength)
    {
        begin();
        update(buffer, offset, HeaderDescriptor.CHECKSUM_OFFSET);
        update(buffer, offset + HeaderDescriptor.HEADER_LENGTH, payloadLength);
        finish();
    }

    private void begin()
    {
        // Reset first: an earlier call cut short by an exception must not leave its bytes in the state.
        sha256.reset();
        sha256.update(innerPad, 0, BLOCK_LENGTH);
    }

    private void update(final DirectBuffer buffer, final int index, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (null != array)
        {
            sha256.update(array, buffer.wrapAdjustment() + index, length);
        }
        else
        {
            int position = index;
            int remaining = length;
            while (remaining > 0)
            {
                final int chunk = Math.min(remaining, SCRATCH_LENGTH);
                buffer.getBytes(position, scratch, 0, chunk);
                sha256.update(scratch, 0, chunk);
                position += chunk;
                remaining -= chunk;
            }
        }
    }

    private void finish()
    {
        try
        {
            sha256.digest(digest, 0, DIGEST_LENGTH);
            sha256.update(outerPad, 0, BLOCK_LENGTH);
            sha256.update(digest, 0, DIGEST_LENGTH);
            sha256.digest(digest, 0, DIGEST_LENGTH);
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException("SHA-256 digest does not fit " + DIGEST_LENGTH + " bytes", ex);
        }
    }
}
