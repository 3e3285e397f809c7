package dev.parasol.bench.e2e;

import dev.parasol.engine.model.Workload;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BenchFiguresTest
{
    @Test
    void shouldDivideSamplesPerSecondByTheBaselinesWhenBothAreKnown()
    {
        assertEquals(0.5, BenchFigures.efficiency(50_000.0, 100_000.0), 1e-12);
        assertEquals(1.2, BenchFigures.efficiency(120.0, 100.0), 1e-12);
    }

    @Test
    void shouldHaveNoEfficiencyWhenTheBaselineIsMissingOrZero()
    {
        assertNull(BenchFigures.efficiency(50_000.0, 0.0));
        assertNull(BenchFigures.efficiency(50_000.0, Double.NaN));
        assertNull(BenchFigures.efficiency(Double.NaN, 100.0));
    }

    @Test
    void shouldDivideDenseBytesByMeasuredBytesWhenSomethingWasSent()
    {
        assertEquals(75.0, BenchFigures.compressionRatio(940_656.0, 12_542.08), 1e-9);
        assertEquals(1.0, BenchFigures.compressionRatio(31_464.0, 31_464.0), 1e-12);
        assertNull(BenchFigures.compressionRatio(31_464.0, 0.0));
        assertNull(BenchFigures.compressionRatio(Double.NaN, 10.0));
    }

    @Test
    void shouldChooseTheMiddleRunByTimeToTargetWhenCountIsOdd()
    {
        assertEquals(2, BenchFigures.medianIndex(List.of(30.0, 10.0, 20.0)));
        assertEquals(0, BenchFigures.medianIndex(Arrays.asList(15.0, null, 10.0)));
        assertEquals(0, BenchFigures.medianIndex(List.of(7.0)));
    }

    @Test
    void shouldChooseTheFasterOfTwoRunsAndRankMissedTargetsLast()
    {
        assertEquals(1, BenchFigures.medianIndex(List.of(12.0, 10.0)));
        assertEquals(0, BenchFigures.medianIndex(List.of(10.0, 12.0)));
        assertEquals(1, BenchFigures.medianIndex(Arrays.asList(null, 10.0)));
        assertEquals(0, BenchFigures.medianIndex(Arrays.asList(null, null)));
        assertEquals(0, BenchFigures.medianIndex(List.of(10.0, 10.0)), "ties keep run order");
    }

    @Test
    void shouldRefuseToChooseFromNoRuns()
    {
        assertThrows(IllegalArgumentException.class, () -> BenchFigures.medianIndex(List.of()));
    }

    @Test
    void shouldReportTheMedianRunAndDivideByTheFastestBaselineRunWhenRowRanTwice()
    {
        final BenchCase c = BenchCase.of(Workload.W2, 2, 2, "ssp:3", "topk:0.01", 15.0);
        final List<RunRecord> runs = List.of(
            run(1, 12.0, 40_000.0, 940_656.0, 12_000.0),
            run(2, 10.0, 48_000.0, 940_656.0, 12_542.08));
        // the baseline of the median run's repetition was disturbed (slower): it must not flatter the row
        final List<RunRecord> baselines = List.of(
            new RunRecord(1, RunRecord.SUCCEEDED, null, Map.of("samples_per_s", 120_000.0), 5.0),
            new RunRecord(2, RunRecord.SUCCEEDED, null, Map.of("samples_per_s", 100_000.0), 5.0));

        final Map<String, Object> row = BenchRows.row(c, 7L, runs, baselines, Map.of("cores", 2));

        assertEquals(2, row.get("median_run"));
        assertEquals(10.0, row.get("time_to_target_s"));
        assertEquals(0.4, (Double)row.get("efficiency"), 1e-12);
        assertEquals(75.0, (Double)row.get("compression_ratio"), 1e-9);
        assertEquals(120_000.0, row.get("baseline_samples_per_s"));
        assertEquals(7L, row.get("seed"));
        final List<?> summaries = (List<?>)row.get("runs");
        assertEquals(2, summaries.size());
        assertEquals(40_000.0 / 120_000.0, (Double)((Map<?, ?>)summaries.get(0)).get("efficiency"), 1e-12);
        assertEquals(100_000.0, ((Map<?, ?>)summaries.get(1)).get("baseline_samples_per_s_same_repetition"));
        assertEquals(1, BenchRows.baseline(new BaselineCase(Workload.W2, 2, 15.0), baselines, Map.of())
            .get("fastest_run"));
    }

    private static RunRecord run(
        final int repetition, final double timeToTarget, final double samplesPerSecond, final double dense,
        final double up)
    {
        return new RunRecord(repetition, RunRecord.SUCCEEDED, null, Map.of(
            "time_to_target_s", timeToTarget,
            "samples_per_s", samplesPerSecond,
            "dense_bytes_per_step", dense,
            "bytes_up_per_step", up), timeToTarget + 1.0);
    }
}
