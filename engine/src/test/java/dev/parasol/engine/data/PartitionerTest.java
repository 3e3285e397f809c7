package dev.parasol.engine.data;

import static dev.parasol.engine.data.IdxReaderTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class PartitionerTest
{
    /**
     * Balanced labels: example i has label i % classes and one feature, i.
     */
    private static InMemoryDataset labelled(final int size, final int classes)
    {
        final float[] features = new float[size];
        final int[] labels = new int[size];
        for (int i = 0; i < size; i++)
        {
            features[i] = i;
            labels[i] = i % classes;
        }

        return new InMemoryDataset(features, labels, 1, classes);
    }

    private static void assertCoversEachExampleOnce(final int[][] parts, final int size)
    {
        final int[] seen = new int[size];
        for (final int[] part : parts)
        {
            for (int i = 0; i < part.length; i++)
            {
                seen[part[i]]++;
                if (i > 0)
                {
                    assertTrue(part[i - 1] < part[i], "sorted ascending");
                }
            }
        }
        for (int i = 0; i < size; i++)
        {
            assertEquals(1, seen[i], "example " + i);
        }
    }

    @Test
    void shouldAssignEveryExampleOnceWithEvenSizesWhenIid()
    {
        final InMemoryDataset data = labelled(1003, 10);

        final int[][] parts = new IidPartitioner(7L).partition(data, 4);

        assertCoversEachExampleOnce(parts, 1003);
        assertArrayEquals(new int[]{ 251, 251, 251, 250 }, Arrays.stream(parts).mapToInt((p) -> p.length).toArray());
    }

    @Test
    void shouldBeDeterministicForSeedWhenIid()
    {
        final InMemoryDataset data = labelled(500, 10);

        assertTrue(Arrays.deepEquals(new IidPartitioner(3L).partition(data, 3),
            new IidPartitioner(3L).partition(data, 3)));
        assertFalse(Arrays.deepEquals(new IidPartitioner(3L).partition(data, 3),
            new IidPartitioner(4L).partition(data, 3)));
    }

    @Test
    void shouldBeNearlyStratifiedWhenIid()
    {
        final InMemoryDataset data = labelled(10_000, 10);

        final double tv =
            PartitionStatistics.meanTotalVariationDistance(data, new IidPartitioner(1L).partition(data, 4));

        assertTrue(tv < 0.05, "mean TV " + tv);
    }

    @Test
    void shouldRefuseMoreWorkersThanExamples()
    {
        final DatasetException ex = assertThrows(DatasetException.class,
            () -> new IidPartitioner(1L).partition(labelled(3, 2), 4));

        assertContains(ex.getMessage(), "cannot split 3 examples over 4 workers");
    }

    @Test
    void shouldSplitIntoSubsetsWithTheirOwnExamples()
    {
        final InMemoryDataset data = labelled(10, 5);

        final InMemoryDataset[] slices = new IidPartitioner(2L).split(data, 3);

        assertEquals(3, slices.length);
        assertEquals(10, Arrays.stream(slices).mapToInt(InMemoryDataset::size).sum());
        for (final InMemoryDataset slice : slices)
        {
            for (int i = 0; i < slice.size(); i++)
            {
                assertEquals((int)slice.feature(i, 0) % 5, slice.label(i));
            }
        }
    }

    @Test
    void shouldAssignEveryExampleOnceWhenDirichlet()
    {
        final InMemoryDataset data = labelled(2_001, 10);

        for (final double alpha : new double[]{ 0.01, 0.1, 1.0, 100.0 })
        {
            final int[][] parts = new DirichletPartitioner(alpha, 5L).partition(data, 8);

            assertEquals(8, parts.length);
            assertCoversEachExampleOnce(parts, 2_001);
            for (final int[] part : parts)
            {
                assertTrue(part.length >= 1, "alpha=" + alpha + ": no worker left empty");
            }
        }
    }

    @Test
    void shouldBeDeterministicForSeedWhenDirichlet()
    {
        final InMemoryDataset data = labelled(2_000, 10);

        assertTrue(Arrays.deepEquals(new DirichletPartitioner(0.5, 9L).partition(data, 5),
            new DirichletPartitioner(0.5, 9L).partition(data, 5)));
        assertFalse(Arrays.deepEquals(new DirichletPartitioner(0.5, 9L).partition(data, 5),
            new DirichletPartitioner(0.5, 10L).partition(data, 5)));
    }

    @Test
    void shouldSkewLabelsForSmallAlphaAndNotForLargeAlpha()
    {
        final InMemoryDataset data = labelled(10_000, 10);
        final int workers = 4;

        for (long seed = 0; seed < 5; seed++)
        {
            final double skewed = PartitionStatistics.meanTotalVariationDistance(
                data, new DirichletPartitioner(0.1, seed).partition(data, workers));
            final double uniform = PartitionStatistics.meanTotalVariationDistance(
                data, new DirichletPartitioner(100.0, seed).partition(data, workers));

            assertTrue(skewed > 0.4, "alpha=0.1 seed=" + seed + " mean TV " + skewed);
            assertTrue(uniform < 0.1, "alpha=100 seed=" + seed + " mean TV " + uniform);
        }
    }

    @Test
    void shouldKeepEveryWorkerNonEmptyWhenAlphaSmallAndWorkersMany()
    {
        final InMemoryDataset data = labelled(200, 10);

        for (long seed = 0; seed < 20; seed++)
        {
            final int[][] parts = new DirichletPartitioner(0.1, seed).partition(data, 20);
            assertCoversEachExampleOnce(parts, 200);
            assertTrue(Arrays.stream(parts).allMatch((p) -> p.length >= 1), "seed " + seed);
        }
    }

    @Test
    void shouldHonourLargerMinimumPerWorker()
    {
        final InMemoryDataset data = labelled(1_000, 10);

        final int[][] parts = new DirichletPartitioner(0.3, 1L, 50, 10_000).partition(data, 5);

        assertCoversEachExampleOnce(parts, 1_000);
        assertTrue(Arrays.stream(parts).allMatch((p) -> p.length >= 50));
    }

    @Test
    void shouldRaiseWhenWorkersCannotAllGetAnExample()
    {
        final DatasetException tooFew = assertThrows(DatasetException.class,
            () -> new DirichletPartitioner(1.0, 1L).partition(labelled(5, 2), 6));
        assertContains(tooFew.getMessage(), "cannot split 5 examples over 6 workers", "expected at least 6");

        final DatasetException unlucky = assertThrows(DatasetException.class,
            () -> new DirichletPartitioner(0.001, 1L, 1, 3).partition(labelled(100, 1), 4));
        assertContains(unlucky.getMessage(), "100 examples over 4 workers with alpha=0.001",
            "with 0 examples in each of 3 draws", "expected at least 1 per worker", "larger alpha");
    }

    @Test
    void shouldRejectBadAlpha()
    {
        assertThrows(IllegalArgumentException.class, () -> new DirichletPartitioner(0.0, 1L));
        assertThrows(IllegalArgumentException.class, () -> new DirichletPartitioner(Double.NaN, 1L));
        assertThrows(IllegalArgumentException.class, () -> new DirichletPartitioner(Double.POSITIVE_INFINITY, 1L));
    }

    @Test
    void shouldMeasureZeroSkewForStratifiedAndFullSkewForSortedSplit()
    {
        final InMemoryDataset data = labelled(20, 2);
        final int[][] stratified = { { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 } };
        final int[][] byLabel = { { 0, 2, 4, 6, 8, 10, 12, 14, 16, 18 }, { 1, 3, 5, 7, 9, 11, 13, 15, 17, 19 } };

        assertEquals(0.0, PartitionStatistics.meanTotalVariationDistance(data, stratified), 1e-12);
        assertEquals(0.5, PartitionStatistics.meanTotalVariationDistance(data, byLabel), 1e-12);
        assertArrayEquals(new int[]{ 10, 0 }, PartitionStatistics.labelHistograms(data, byLabel)[0]);
    }
}
