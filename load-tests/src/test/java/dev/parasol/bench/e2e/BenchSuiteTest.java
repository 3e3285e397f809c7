package dev.parasol.bench.e2e;

import dev.parasol.engine.model.Workload;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchSuiteTest
{
    @Test
    void shouldHoldTheWholeMatrixTwiceWhenSuiteIsFull()
    {
        final BenchSuite full = BenchSuite.full(false);

        assertEquals("full", full.name());
        assertEquals(56, full.cases().size());
        assertEquals(2, full.repetitions());
        assertEquals(112, full.jobRuns());
        final Set<String> combinations = new HashSet<>();
        final Set<String> overlapped = new HashSet<>();
        for (final BenchCase c : full.cases())
        {
            assertEquals(2, c.shards());
            assertEquals(30.0, c.maxEpochs());
            (c.overlap() ? overlapped : combinations)
                .add(c.workload() + "/" + c.workers() + "/" + c.sync() + "/" + c.compression());
        }
        assertEquals(Set.of("W2/2/ssp:3/dense", "W2/2/ssp:3/topk:0.01", "W2/2/asp/dense", "W2/2/asp/topk:0.01",
            "W2/4/ssp:3/dense", "W2/4/ssp:3/topk:0.01", "W2/4/asp/dense", "W2/4/asp/topk:0.01"), overlapped);
        for (final Workload w : List.of(Workload.W1, Workload.W2))
        {
            for (final int workers : List.of(2, 4))
            {
                for (final String sync : List.of("bsp", "ssp:3", "asp"))
                {
                    for (final String compression : List.of("dense", "topk:0.01", "qsgd:8", "sign"))
                    {
                        assertTrue(combinations.contains(w + "/" + workers + "/" + sync + "/" + compression),
                            () -> "missing " + w + " " + workers + " " + sync + " " + compression);
                    }
                }
            }
        }
        assertEquals(48, combinations.size());
    }

    @Test
    void shouldRunTopKAndSignWithErrorFeedbackAndTheOthersWithoutWhenSuiteIsFull()
    {
        for (final BenchCase c : BenchSuite.full(false).cases())
        {
            final boolean biased = c.compression().startsWith("topk") || c.compression().equals("sign");
            assertEquals(biased, c.errorFeedback(), c::id);
        }
    }

    @Test
    void shouldIncludeW2WithTwoWorkersDenseAndTopKWhenSuiteIsQuick()
    {
        final BenchSuite quick = BenchSuite.quick(false);

        assertEquals(1, quick.repetitions());
        assertTrue(has(quick, Workload.W2, 2, "ssp:3", "dense"));
        assertTrue(has(quick, Workload.W2, 2, "ssp:3", "topk:0.01"));
        assertTrue(has(quick, Workload.W1, 2, "ssp:3", "dense"));
        assertTrue(has(quick, Workload.W1, 2, "ssp:3", "topk:0.01"));
        assertTrue(has(quick, Workload.W2, 2, "bsp", "topk:0.01"));
        assertTrue(has(quick, Workload.W2, 2, "asp", "topk:0.01"));
        assertTrue(quick.cases().stream().anyMatch((c) -> c.overlap() && c.workload() == Workload.W2 &&
            c.workers() == 2 && c.sync().equals("ssp:3") && c.compression().equals("topk:0.01")));
        assertTrue(quick.cases().size() < BenchSuite.full(false).cases().size());
        for (final BenchCase c : quick.cases())
        {
            assertTrue(c.workload() != Workload.W3, c::id);
            assertEquals(BenchSuite.QUICK_MAX_EPOCHS, c.maxEpochs());
            assertEquals(BenchCase.errorFeedbackFor(c.compression()), c.errorFeedback(), c::id);
        }
    }

    @Test
    void shouldAddW3RowsOnlyWhenAskedFor()
    {
        assertTrue(has(BenchSuite.quick(true), Workload.W3, 2, "ssp:3", "topk:0.01"));
        assertEquals(80, BenchSuite.full(true).cases().size());
        assertFalse(BenchSuite.named("FULL", false).cases().stream().anyMatch((c) -> c.workload() == Workload.W3));
    }

    @Test
    void shouldKeepOnlyTheRowsOfTheWorkloadsGivenInTheirOrder()
    {
        final BenchSuite full = BenchSuite.full(true);

        final BenchSuite w3 = full.only(Set.of(Workload.W3));

        assertEquals(24, w3.cases().size());
        assertEquals(full.repetitions(), w3.repetitions());
        assertEquals(full.cases().stream().filter((c) -> c.workload() == Workload.W3).toList(), w3.cases());
        assertEquals(List.of("W3-baseline-2t", "W3-baseline-4t"),
            w3.baselines().stream().map(BaselineCase::id).toList());
    }

    @Test
    void shouldNameTheWorkloadsItHasWhenNoRowIsLeft()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> BenchSuite.quick(false).only(Set.of(Workload.W3)));

        assertTrue(e.getMessage().contains("[W3]") && e.getMessage().contains("[W1, W2]") &&
            e.getMessage().contains("--with-w3"), e.getMessage());
    }

    @Test
    void shouldNeedOneBaselinePerWorkloadAndWorkerCount()
    {
        final List<BaselineCase> baselines = BenchSuite.full(false).baselines();

        assertEquals(4, baselines.size());
        for (final BenchCase c : BenchSuite.full(false).cases())
        {
            assertEquals(1, baselines.stream().filter((b) -> b.matches(c)).count(), c::id);
        }
        assertEquals(List.of("W1-baseline-2t", "W2-baseline-2t", "W2-baseline-4t", "W2-baseline-1t"),
            BenchSuite.quick(false).baselines().stream().map(BaselineCase::id).toList());
        assertEquals(4, BenchSuite.quick(false).maxWorkers());
    }

    @Test
    void shouldNameTheAcceptedSuitesWhenNameIsUnknown()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> BenchSuite.named("medium", false));

        assertTrue(ex.getMessage().contains("medium") && ex.getMessage().contains("quick") &&
            ex.getMessage().contains("full"), ex.getMessage());
    }

    @Test
    void shouldRefuseTheSameRowTwice()
    {
        final BenchCase c = BenchCase.of(Workload.W1, 2, 2, "asp", "dense", 1.0);

        assertThrows(IllegalArgumentException.class, () -> new BenchSuite("x", 1, List.of(c, c)));
    }

    @Test
    void shouldUseCanonicalPolicyNamesInIds()
    {
        final BenchCase c = BenchCase.of(Workload.W2, 4, 2, "SSP:3", "topk:0.010", 15.0);

        assertEquals("ssp:3", c.sync());
        assertEquals("topk:0.01", c.compression());
        assertEquals("W2-4w-ssp3-topk0.01-ef", c.id());
        assertEquals("topk:0.01 +ef", c.compressionLabel());
        assertEquals("W2-4w-ssp3-topk0.01-ef-overlap", c.overlapped().id());
        assertEquals("ssp:3 +overlap", c.overlapped().syncLabel());
        assertTrue(c.overlapped().toSpec(Path.of("/data"), Path.of("/out"), 1).overlap());
    }

    @Test
    void shouldRefuseOverlapUnderBsp()
    {
        final BenchCase c = BenchCase.of(Workload.W2, 2, 2, "bsp", "dense", 1.0);

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, c::overlapped);

        assertTrue(ex.getMessage().contains("overlap under bsp"), ex.getMessage());
    }

    private static boolean has(
        final BenchSuite suite, final Workload workload, final int workers, final String sync, final String compression)
    {
        return suite.cases().stream().anyMatch((c) -> c.workload() == workload && c.workers() == workers &&
            c.sync().equals(sync) && c.compression().equals(compression));
    }
}
