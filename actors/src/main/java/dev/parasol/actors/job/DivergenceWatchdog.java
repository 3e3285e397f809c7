package dev.parasol.actors.job;

import java.util.Locale;

/**
 * Notices a diverging training loss, the classic silent failure of compressed training: a loss that is not finite,
 * or one that keeps rising. It watches the mean training loss the scheduler reports once per progress tick and
 * raises the alarm when the loss is non-finite, or when it stays above {@code riseFactor} times the lowest loss seen
 * for {@code patience} consecutive ticks. It decides nothing else; the job runner reports the alarm and, when the job
 * asks for it, makes the workers fall back to dense pushes.
 */
final class DivergenceWatchdog
{
    static final double RISE_FACTOR_DEFAULT = 1.5;
    static final int PATIENCE_DEFAULT = 3;

    private final double riseFactor;
    private final int patience;
    private double lowest = Double.POSITIVE_INFINITY;
    private int risingTicks;
    private boolean alarmed;
    private String reason;

    DivergenceWatchdog(final double riseFactor, final int patience)
    {
        this.riseFactor = riseFactor;
        this.patience = patience;
    }

    /**
     * Look at the latest mean training loss.
     *
     * @param loss  the mean loss of the recent steps.
     * @param steps steps completed so far; before the first one the loss means nothing.
     * @return true the first time the loss is judged diverging; {@link #reason()} says why.
     */
    boolean onLoss(final double loss, final long steps)
    {
        if (alarmed || steps == 0)
        {
            return false;
        }
        if (!Double.isFinite(loss))
        {
            return alarm("the training loss is " + loss);
        }
        if (loss < lowest)
        {
            lowest = loss;
            risingTicks = 0;
            return false;
        }
        risingTicks = loss > riseFactor * lowest ? risingTicks + 1 : 0;
        if (risingTicks >= patience)
        {
            return alarm(String.format(Locale.ROOT,
                "the training loss rose to %.4f, above %.1f times its lowest (%.4f), for %d progress ticks",
                loss, riseFactor, lowest, risingTicks));
        }
        return false;
    }

    private boolean alarm(final String why)
    {
        alarmed = true;
        reason = why;
        return true;
    }

    boolean alarmed()
    {
        return alarmed;
    }

    String reason()
    {
        return reason;
    }
}
