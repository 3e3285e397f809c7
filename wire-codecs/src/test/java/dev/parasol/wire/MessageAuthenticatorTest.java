package dev.parasol.wire;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MessageAuthenticatorTest
{
    @Test
    void shouldMatchRfc4868VectorsWhenKeyIs32Bytes()
    {
        // RFC 4868, section 2.7.2.1, test cases AUTH256-1 and AUTH256-2 (the full 256-bit output).
        final byte[] key1 = new byte[32];
        Arrays.fill(key1, (byte)0x0b);
        assertHmac("198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7", key1, "Hi There");
        final byte[] key2 = "JefeJefeJefeJefeJefeJefeJefeJefe".getBytes(StandardCharsets.US_ASCII);
        assertHmac("167f928588c5cc2eef8e3093caa0e87c9ff566a14794aa61648d81621a2a40c6", key2,
            "what do ya want for nothing?");
    }

    @Test
    void shouldMatchJdkHmacSha256WhenBytesAreRandomInAnyBufferKind() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(17);
        final Mac reference = Mac.getInstance("HmacSHA256");
        for (int n = 0; n < 300; n++)
        {
            final JobKey key = TestMessages.key(random.nextLong());
            final MessageAuthenticator authenticator = new MessageAuthenticator(key);
            reference.init(new SecretKeySpec(key.toBytes(), "HmacSHA256"));
            // Up to 10,000 bytes, so the off-heap path copies several 4 KiB chunks and a short last one.
            final byte[] bytes = new byte[random.nextInt(0, 10_000)];
            random.nextBytes(bytes);
            final int index = random.nextInt(0, bytes.length + 1);
            final int length = random.nextInt(0, bytes.length - index + 1);
            reference.update(bytes, index, length);
            final byte[] expected = reference.doFinal();

            for (final DirectBuffer buffer : buffers(bytes))
            {
                assertArrayEquals(expected, authenticator.hmac(buffer, index, length).clone(), "case " + n);
            }
        }
    }

    @Test
    void shouldStartCleanWhenEarlierComputationWasCutShort() throws Exception
    {
        final JobKey key = TestMessages.key(3);
        final MessageAuthenticator authenticator = new MessageAuthenticator(key);
        final UnsafeBuffer buffer = TestMessages.directCopy(new byte[8_000]);
        // Past the end: the copy loop throws after hashing two chunks.
        assertThrows(IndexOutOfBoundsException.class, () -> authenticator.hmac(buffer, 0, 9_000));

        final Mac reference = Mac.getInstance("HmacSHA256");
        reference.init(new SecretKeySpec(key.toBytes(), "HmacSHA256"));
        reference.update(new byte[100]);
        assertArrayEquals(reference.doFinal(), authenticator.hmac(buffer, 0, 100).clone());
    }

    @Test
    void shouldLeaveByteBufferPositionAloneWhenOffHeap()
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(6_000);
        final MessageAuthenticator authenticator = TestMessages.authenticator(4);
        authenticator.hmac(new UnsafeBuffer(direct), 10, 5_000);
        assertEquals(0, direct.position());
        assertEquals(direct.capacity(), direct.limit());
    }

    @Test
    void shouldRefuseWhenKeyIsNull()
    {
        assertThrows(IllegalArgumentException.class, () -> new MessageAuthenticator(null));
    }

    private static void assertHmac(final String expectedHex, final byte[] key, final String data)
    {
        final MessageAuthenticator authenticator = new MessageAuthenticator(JobKey.fromBytes(key));
        final byte[] bytes = data.getBytes(StandardCharsets.US_ASCII);
        for (final DirectBuffer buffer : buffers(bytes))
        {
            assertEquals(expectedHex, HexFormat.of().formatHex(authenticator.hmac(buffer, 0, bytes.length)));
        }
    }

    /**
     * The same bytes on the heap, off-heap, at an offset inside a larger array, and behind a raw address.
     */
    private static DirectBuffer[] buffers(final byte[] bytes)
    {
        final byte[] padded = new byte[bytes.length + 7];
        System.arraycopy(bytes, 0, padded, 7, bytes.length);
        final UnsafeBuffer direct = TestMessages.directCopy(bytes);
        return new DirectBuffer[]
        {
            new UnsafeBuffer(bytes),
            direct,
            new UnsafeBuffer(padded, 7, bytes.length),
            new UnsafeBuffer(direct.addressOffset(), bytes.length),
        };
    }
}
