package dev.parasol.actors.job;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DivergenceWatchdogTest
{
    @Test
    void shouldIgnoreNaNLossBeforeTheFirstStep()
    {
        final DivergenceWatchdog watchdog = new DivergenceWatchdog(1.5, 3);
        assertFalse(watchdog.onLoss(Double.NaN, 0));
        assertFalse(watchdog.alarmed());
    }

    @Test
    void shouldAlarmOnceWhenLossBecomesNonFinite()
    {
        final DivergenceWatchdog watchdog = new DivergenceWatchdog(1.5, 3);
        assertFalse(watchdog.onLoss(0.9, 10));
        assertTrue(watchdog.onLoss(Double.NaN, 20));
        assertTrue(watchdog.reason().contains("NaN"), watchdog.reason());
        assertFalse(watchdog.onLoss(Double.POSITIVE_INFINITY, 30), "the alarm is raised once");
    }

    @Test
    void shouldAlarmWhenLossStaysAboveRiseFactorForPatienceTicks()
    {
        final DivergenceWatchdog watchdog = new DivergenceWatchdog(1.5, 3);
        assertFalse(watchdog.onLoss(1.0, 1));
        assertFalse(watchdog.onLoss(0.4, 2));
        assertFalse(watchdog.onLoss(0.7, 3));
        assertFalse(watchdog.onLoss(0.7, 4));
        assertTrue(watchdog.onLoss(0.7, 5), "the third tick in a row above 1.5 x 0.4 raises the alarm");
        assertTrue(watchdog.reason().contains("0.7000"), watchdog.reason());
    }

    @Test
    void shouldNotAlarmWhenLossNoisesButRecovers()
    {
        final DivergenceWatchdog watchdog = new DivergenceWatchdog(1.5, 3);
        final double[] losses = {1.0, 0.5, 0.8, 0.8, 0.45, 0.7, 0.7, 0.4, 0.65};
        long steps = 0;
        for (final double loss : losses)
        {
            assertFalse(watchdog.onLoss(loss, ++steps), "loss " + loss);
        }
    }
}
