package dev.parasol.engine.compress;

import dev.parasol.wire.Encoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class ScaledSignCompressorTest
{
    @Test
    void shouldDecompressToMeanAbsTimesSignWhenBlocksAreFullOrPartial()
    {
        final SplittableRandom random = new SplittableRandom(4);
        final int length = 1300;
        final float[] x = new float[length + 7];
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)(random.nextGaussian() * 3);
        }
        x[7 + 10] = 0.0f;
        x[7 + 11] = -0.0f;
        final ScaledSignCompressor compressor = new ScaledSignCompressor(512, length);
        final CompressedGradient out = compressor.newOutput();
        compressor.compress(x, 7, length, out);

        assertEquals(Encoding.SIGN, out.encoding());
        assertEquals(3, out.blockCount());
        out.validate();
        final float[] decoded = new float[length];
        out.decompressInto(decoded, 0);
        for (int b = 0; b < 3; b++)
        {
            final int start = b * 512;
            final int end = Math.min(length, start + 512);
            double sumAbs = 0.0;
            for (int i = start; i < end; i++)
            {
                sumAbs += Math.abs(x[7 + i]);
            }
            final double mean = sumAbs / (end - start);
            final float scale = out.blockScales()[b];
            assertEquals(mean, scale, 1e-6 * mean, "block " + b);
            for (int i = start; i < end; i++)
            {
                final float expected = x[7 + i] < 0.0f ? -scale : scale;
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(decoded[i]), "i=" + i);
            }
        }
        assertEquals(out.blockScales()[0], decoded[10], "+0.0 is sent as +scale");
        assertEquals(out.blockScales()[0], decoded[11], "-0.0 is sent as +scale");
    }

    @Test
    void shouldPoisonTheBlockWhenItHoldsNan()
    {
        final float[] x = {1, -2, Float.NaN, 4, 5, -6};
        final ScaledSignCompressor compressor = new ScaledSignCompressor(3, x.length);
        final CompressedGradient out = compressor.newOutput();
        compressor.compress(x, 0, x.length, out);
        final float[] decoded = new float[x.length];
        out.decompressInto(decoded, 0);
        assertTrue(Float.isNaN(decoded[0]) && Float.isNaN(decoded[1]) && Float.isNaN(decoded[2]));
        assertEquals(5.0f, decoded[3]);
        assertEquals(5.0f, decoded[4]);
        assertEquals(-5.0f, decoded[5]);
    }

    @Test
    void shouldRejectBlockSizeWhenBelowOne()
    {
        assertThrows(IllegalArgumentException.class, () -> new ScaledSignCompressor(0, 10));
        assertEquals("sign", new ScaledSignCompressor(512, 10).spec());
        assertEquals("sign:128", new ScaledSignCompressor(128, 10).spec());
    }
}
