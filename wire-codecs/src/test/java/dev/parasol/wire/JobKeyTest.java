package dev.parasol.wire;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JobKeyTest
{
    @Test
    void shouldDrawAllBytesFromSourceWhenGenerated()
    {
        final byte[] expected = new byte[JobKey.LENGTH];
        new SplittableRandom(5).nextBytes(expected);
        final JobKey key = JobKey.generate(new SeededSecureRandom(5));
        assertArrayEquals(expected, key.toBytes());
        assertThrows(IllegalArgumentException.class, () -> JobKey.generate(null));
    }

    @Test
    void shouldCopyBytesWhenConvertingBothWays()
    {
        final byte[] bytes = TestMessages.key(8).toBytes();
        final JobKey key = JobKey.fromBytes(bytes);
        bytes[0] ^= 1;
        final byte[] out = key.toBytes();
        assertFalse(Arrays.equals(bytes, out), "changing the source array must not change the key");
        out[1] ^= 1;
        assertNotSame(out, key.toBytes());
        assertFalse(Arrays.equals(out, key.toBytes()), "changing a returned array must not change the key");
        bytes[0] ^= 1;
        assertArrayEquals(bytes, key.toBytes());
    }

    @Test
    void shouldRefuseBytesWhenNullShortLongOrAllZero()
    {
        assertThrows(IllegalArgumentException.class, () -> JobKey.fromBytes(null));
        assertThrows(IllegalArgumentException.class, () -> JobKey.fromBytes(new byte[JobKey.LENGTH - 1]));
        assertThrows(IllegalArgumentException.class, () -> JobKey.fromBytes(new byte[JobKey.LENGTH + 1]));
        assertThrows(IllegalArgumentException.class, () -> JobKey.fromBytes(new byte[JobKey.LENGTH]));
        final byte[] oneBit = new byte[JobKey.LENGTH];
        oneBit[31] = 1;
        assertEquals(JobKey.LENGTH, JobKey.fromBytes(oneBit).toBytes().length);
    }

    @Test
    void shouldShowNoKeyMaterialWhenPrinted()
    {
        final JobKey key = TestMessages.key(9);
        final byte[] bytes = key.toBytes();
        final String text = key.toString();
        assertFalse(text.contains(HexFormat.of().formatHex(bytes, 0, 4)), text);
        assertFalse(text.toUpperCase().contains(HexFormat.of().withUpperCase().formatHex(bytes, 0, 4)), text);
        assertFalse(text.contains(Base64.getEncoder().encodeToString(bytes).substring(0, 6)), text);
        assertFalse(text.contains(Arrays.toString(bytes).substring(0, 8)), text);
        assertEquals(TestMessages.key(10).toString(), text, "the text must not depend on the key");
    }

    /**
     * A SecureRandom whose bytes come from a seeded SplittableRandom, so the test knows what the key must be.
     */
    private static final class SeededSecureRandom extends SecureRandom
    {
        private static final long serialVersionUID = 1L;

        private final transient SplittableRandom random;

        SeededSecureRandom(final long seed)
        {
            random = new SplittableRandom(seed);
        }

        @Override
        public void nextBytes(final byte[] bytes)
        {
            random.nextBytes(bytes);
        }
    }
}
