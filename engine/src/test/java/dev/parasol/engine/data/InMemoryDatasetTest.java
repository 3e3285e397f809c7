package dev.parasol.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class InMemoryDatasetTest
{
    /**
     * Example i has features (i, i + 0.5) and label i % classes.
     */
    static InMemoryDataset indexed(final int size, final int classes)
    {
        final float[] features = new float[size * 2];
        final int[] labels = new int[size];
        for (int i = 0; i < size; i++)
        {
            features[2 * i] = i;
            features[2 * i + 1] = i + 0.5f;
            labels[i] = i % classes;
        }

        return new InMemoryDataset(features, labels, 2, classes);
    }

    @Test
    void shouldReportShape()
    {
        final InMemoryDataset data = indexed(7, 3);

        assertEquals(7, data.size());
        assertEquals(2, data.featureCount());
        assertEquals(3, data.classes());
        assertEquals(4.5f, data.feature(4, 1));
        assertEquals(1, data.label(4));
        assertArrayEquals(new int[]{ 3, 2, 2 }, data.labelHistogram());
    }

    @Test
    void shouldCopyBatchOfGivenIndicesIntoCallerArrays()
    {
        final InMemoryDataset data = indexed(10, 4);
        final float[] inputs = new float[8];
        final int[] labels = new int[4];

        data.copyBatch(new int[]{ 9, 3, 5, 0 }, 1, 2, inputs, labels);

        assertArrayEquals(new float[]{ 3f, 3.5f, 5f, 5.5f, 0f, 0f, 0f, 0f }, inputs);
        assertArrayEquals(new int[]{ 3, 1, 0, 0 }, labels);
    }

    @Test
    void shouldCopyConsecutiveRange()
    {
        final InMemoryDataset data = indexed(10, 4);
        final float[] inputs = new float[6];
        final int[] labels = new int[3];

        data.copyRange(7, 3, inputs, labels);

        assertArrayEquals(new float[]{ 7f, 7.5f, 8f, 8.5f, 9f, 9.5f }, inputs);
        assertArrayEquals(new int[]{ 3, 0, 1 }, labels);
    }

    @Test
    void shouldRejectBatchArraysTooSmall()
    {
        final InMemoryDataset data = indexed(10, 4);

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> data.copyRange(0, 3, new float[5], new int[3]));
        assertEquals("batch of 3 examples needs batchInputs.length >= 6 and batchLabels.length >= 3, found 5 and 3",
            ex.getMessage());
    }

    @Test
    void shouldBuildSubsetInGivenOrder()
    {
        final InMemoryDataset subset = indexed(10, 4).subset(new int[]{ 8, 2, 2 });

        assertEquals(3, subset.size());
        assertArrayEquals(new float[]{ 8f, 8.5f, 2f, 2.5f, 2f, 2.5f }, subset.features());
        assertArrayEquals(new int[]{ 0, 2, 2 }, subset.labels());
        assertEquals(4, subset.classes());
    }

    @Test
    void shouldRejectSubsetIndexOutOfRange()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> indexed(10, 4).subset(new int[]{ 1, 10 }));
        assertEquals("indices[1]=10, expected an example in [0, 10)", ex.getMessage());
    }

    @Test
    void shouldRejectInconsistentArrays()
    {
        assertThrows(IllegalArgumentException.class, () -> new InMemoryDataset(new float[5], new int[3], 2, 2));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new InMemoryDataset(new float[4], new int[]{ 0, 2 }, 2, 2));
        assertEquals("labels[1]=2, expected a class in [0, 2)", ex.getMessage());
    }
}
