package dev.parasol.engine.compress;

import dev.parasol.engine.exceptions.EngineException;
import dev.parasol.wire.Encoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class CompressedGradientTest
{
    @Test
    void shouldAddScaledEntriesOnlyWhereSentWhenSparse()
    {
        final CompressedGradient gradient = CompressedGradient.forAnyEncoding(8, 1);
        gradient.resetSparse(Encoding.SPARSE_F32, 5, 2);
        gradient.indices()[0] = 1;
        gradient.indices()[1] = 4;
        gradient.values()[0] = 2.0f;
        gradient.values()[1] = -3.0f;
        gradient.validate();

        final float[] target = {9, 1, 1, 1, 1, 1, 9};
        gradient.addToInPlace(target, 1, -0.5f);
        assertArrayEquals(new float[]{9, 1, 0, 1, 1, 2.5f, 9}, target);

        gradient.decompressInto(target, 1);
        assertArrayEquals(new float[]{9, 0, 2, 0, 0, -3, 9}, target);
        assertEquals(0.4, gradient.density(), 1e-12);
    }

    @Test
    void shouldReconstructLevelsTimesScaleOverMaxLevelWhenQuantised()
    {
        final CompressedGradient gradient = CompressedGradient.forAnyEncoding(8, 2);
        gradient.resetQuantised(Encoding.QSGD_4BIT, 5, 2);
        assertEquals(3, gradient.blockCount());
        final byte[] levels = {7, -3, 0, 1, -7};
        System.arraycopy(levels, 0, gradient.levels(), 0, 5);
        gradient.blockScales()[0] = 7.0f;
        gradient.blockScales()[1] = 14.0f;
        gradient.blockScales()[2] = 0.7f;
        gradient.validate();

        final float[] target = new float[5];
        gradient.decompressInto(target, 0);
        assertArrayEquals(new float[]{7, -3, 0, 2, -7 * (0.7f / 7)}, target);
        gradient.addToInPlace(target, 0, 1.0f);
        assertArrayEquals(new float[]{14, -6, 0, 4, 2 * (-7 * (0.7f / 7))}, target);
    }

    @Test
    void shouldRejectMalformedContentWhenValidating()
    {
        final CompressedGradient gradient = CompressedGradient.forAnyEncoding(8, 1);
        gradient.resetSparse(Encoding.SPARSE_F32, 5, 2);
        gradient.indices()[0] = 3;
        gradient.indices()[1] = 3;
        final EngineException duplicate = assertThrows(EngineException.class, gradient::validate);
        assertTrue(duplicate.getMessage().contains("indices[1]=3"), duplicate.getMessage());
        gradient.indices()[1] = 5;
        assertThrows(EngineException.class, gradient::validate);

        gradient.resetQuantised(Encoding.QSGD_4BIT, 3, 8);
        gradient.levels()[0] = 8;
        final EngineException level = assertThrows(EngineException.class, gradient::validate);
        assertTrue(level.getMessage().contains("levels[0]=8"), level.getMessage());

        gradient.resetQuantised(Encoding.SIGN, 3, 8);
        gradient.levels()[0] = 1;
        gradient.levels()[1] = -1;
        gradient.levels()[2] = 0;
        assertThrows(EngineException.class, gradient::validate);
    }

    @Test
    void shouldRejectResetWhenBeyondCapacity()
    {
        final CompressedGradient gradient = new CompressedGradient(2, 4, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> gradient.resetDense(5));
        assertThrows(IllegalArgumentException.class, () -> gradient.resetSparse(Encoding.SPARSE_F32, 10, 3));
        assertThrows(IllegalArgumentException.class, () -> gradient.resetSparse(Encoding.DENSE_F32, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> gradient.resetQuantised(Encoding.SIGN, 1, 1));
        assertEquals(Encoding.DENSE_F32, gradient.resetDense(4).encoding());
    }
}
