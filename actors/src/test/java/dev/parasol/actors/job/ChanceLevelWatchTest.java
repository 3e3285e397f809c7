package dev.parasol.actors.job;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChanceLevelWatchTest
{
    private static final double LN_10 = Math.log(10);

    @Test
    void shouldWarnOnceWhenLossStaysAtChanceForPatienceTicksAfterWarmUp()
    {
        final ChanceLevelWatch watch = new ChanceLevelWatch(10, 1000, 3);

        assertNull(watch.onLoss(LN_10, 1000));
        assertNull(watch.onLoss(2.3051, 1100));
        final String warning = watch.onLoss(2.3029, 1200);

        assertNotNull(warning, "the third tick in a row at ln 10 warns");
        assertTrue(warning.contains("2.3026") && warning.contains("10 classes") &&
            warning.contains("learning nothing"), warning);
        assertNull(watch.onLoss(LN_10, 1300), "the warning is given once");
    }

    @Test
    void shouldNotJudgeTheLossBeforeTheWarmUp()
    {
        final ChanceLevelWatch watch = new ChanceLevelWatch(10, 1000, 2);
        for (int tick = 0; tick < 20; tick++)
        {
            assertNull(watch.onLoss(LN_10, tick * 40L));
        }
        assertNull(watch.onLoss(LN_10, 1000));
        assertNotNull(watch.onLoss(LN_10, 1040), "two ticks at chance once the warm-up is over");
    }

    @Test
    void shouldNeverWarnWhenTheModelLearns()
    {
        final ChanceLevelWatch watch = new ChanceLevelWatch(10, 0, 2);
        final double[] losses = {2.31, 2.1, 1.6, 1.1, 0.8, 0.6, 0.5, 0.45, Double.NaN, 0.44};
        for (int tick = 0; tick < losses.length; tick++)
        {
            assertNull(watch.onLoss(losses[tick], 100L * (tick + 1)), "tick " + tick);
        }
    }

    @Test
    void shouldStartCountingAgainWhenTheLossLeavesChanceLevel()
    {
        final ChanceLevelWatch watch = new ChanceLevelWatch(10, 0, 3);

        assertNull(watch.onLoss(LN_10, 10));
        assertNull(watch.onLoss(LN_10, 20));
        assertNull(watch.onLoss(1.9, 30));
        assertNull(watch.onLoss(LN_10, 40));
        assertNull(watch.onLoss(LN_10, 50));
        assertNotNull(watch.onLoss(LN_10, 60));
    }

    @Test
    void shouldRefuseSettingsThatCannotJudge()
    {
        assertThrows(IllegalArgumentException.class, () -> new ChanceLevelWatch(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ChanceLevelWatch(10, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ChanceLevelWatch(10, 0, 0));
    }
}
