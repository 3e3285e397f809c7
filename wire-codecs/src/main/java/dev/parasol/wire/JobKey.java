package dev.parasol.wire;

import java.security.SecureRandom;

/**
 * The secret of one training job: {@value #LENGTH} random bytes that key the authentication tag of every data-plane
 * message of the job ({@link MessageAuthenticator}). The job runner generates it once per job with
 * {@link #generate(SecureRandom)} and hands it to every worker and shard in their placement messages over the
 * control plane ({@link #toBytes()} there, {@link #fromBytes(byte[])} on arrival); it never travels on the data plane.
 * <p>
 * The bytes are held privately and copied in and out, so no caller can change a key another component holds.
 * {@link #toString()} never shows them, so a key cannot leak into a log line or an exception message. Keys are
 * compared by identity: compare {@link #toBytes()} where equality of content matters.
 */
public final class JobKey
{
    /**
     * Length of a key in bytes: 256 bits, the output size of SHA-256, and shorter than its 64-byte block, so HMAC
     * uses the key as it is rather than a hash of it.
     */
    public static final int LENGTH = 32;

    private final byte[] bytes;

    private JobKey(final byte[] bytes)
    {
        this.bytes = bytes;
    }

    /**
     * Generate a new key from a cryptographically strong source.
     *
     * @param random the source, typically {@code new SecureRandom()} held by the job runner.
     * @return a new key of {@value #LENGTH} random bytes.
     */
    public static JobKey generate(final SecureRandom random)
    {
        if (null == random)
        {
            throw new IllegalArgumentException("random=null, expected a SecureRandom");
        }
        final byte[] bytes = new byte[LENGTH];
        random.nextBytes(bytes);
        return fromBytes(bytes);
    }

    /**
     * Get the key of some bytes received over the control plane. The bytes are copied.
     *
     * @param bytes exactly {@value #LENGTH} bytes, not all zero.
     * @return the key.
     * @throws IllegalArgumentException if bytes is null, of another length, or all zero (what an array that was
     *                                  never filled holds, so a sign of a key lost on the way).
     */
    public static JobKey fromBytes(final byte[] bytes)
    {
        if (null == bytes || bytes.length != LENGTH)
        {
            throw new IllegalArgumentException(
                "key length=" + (null == bytes ? "null" : bytes.length) + ", expected " + LENGTH + " bytes");
        }
        int any = 0;
        for (final byte b : bytes)
        {
            any |= b;
        }
        if (any == 0)
        {
            throw new IllegalArgumentException("key is all zero, expected " + LENGTH + " random bytes");
        }
        return new JobKey(bytes.clone());
    }

    /**
     * Get a copy of the key's bytes, to send over the control plane.
     *
     * @return a new array of {@value #LENGTH} bytes.
     */
    public byte[] toBytes()
    {
        return bytes.clone();
    }

    /**
     * Copy the key's bytes into an array; the authenticator derives its pads from them.
     */
    void copyTo(final byte[] destination)
    {
        System.arraycopy(bytes, 0, destination, 0, LENGTH);
    }

    /**
     * Get a description without the key material.
     *
     * @return a fixed text that shows no byte of the key.
     */
    public String toString()
    {
        return "JobKey[" + LENGTH + " bytes, redacted]";
    }
}
