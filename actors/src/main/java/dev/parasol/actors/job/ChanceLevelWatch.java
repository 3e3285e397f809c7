package dev.parasol.actors.job;

import java.util.Locale;

/**
 * Notices a run that learns nothing: its mean training loss still at the chance level of its classes after a warm-up.
 * The chance level is {@code ln(classes)}, the cross-entropy of a uniform prediction, where a network that collapsed
 * (every ReLU dead after a bad early step) stays for good. The {@link DivergenceWatchdog} misses such a run, since its
 * loss is finite and does not rise; in the full W3 suite one run of sign with error feedback sat at ln 10 from its
 * first evaluation to its last, 30 epochs, without a word. This watch only warns: nothing in the job changes.
 */
final class ChanceLevelWatch
{
    /**
     * Steps of the whole job before the loss is judged: every reference workload is well below chance by then.
     */
    static final long WARM_UP_STEPS_DEFAULT = 1_000;

    /**
     * Consecutive progress ticks at chance level before the warning.
     */
    static final int PATIENCE_DEFAULT = 5;

    /**
     * How close to ln(classes), relative, a loss counts as at chance.
     */
    static final double TOLERANCE = 0.02;

    private final int classes;
    private final double chanceLoss;
    private final long warmUpSteps;
    private final int patience;
    private int ticksAtChance;
    private boolean warned;

    /**
     * Construct a watch.
     *
     * @param classes     classes the model predicts, at least 2.
     * @param warmUpSteps steps of the job before the loss is judged.
     * @param patience    consecutive ticks at chance level before the warning, at least 1.
     */
    ChanceLevelWatch(final int classes, final long warmUpSteps, final int patience)
    {
        if (classes < 2 || warmUpSteps < 0 || patience < 1)
        {
            throw new IllegalArgumentException("invalid chance-level watch: classes=" + classes + " warmUpSteps=" +
                warmUpSteps + " patience=" + patience + " (expected classes >= 2, warmUpSteps >= 0, patience >= 1)");
        }
        this.classes = classes;
        this.chanceLoss = Math.log(classes);
        this.warmUpSteps = warmUpSteps;
        this.patience = patience;
    }

    /**
     * Look at the latest mean training loss.
     *
     * @param loss  the mean loss of the recent steps.
     * @param steps steps completed so far by all workers.
     * @return the warning the first time the loss has been at chance level for the patience, else null.
     */
    String onLoss(final double loss, final long steps)
    {
        if (warned || steps < warmUpSteps || !Double.isFinite(loss))
        {
            return null;
        }
        ticksAtChance = Math.abs(loss - chanceLoss) <= TOLERANCE * chanceLoss ? ticksAtChance + 1 : 0;
        if (ticksAtChance < patience)
        {
            return null;
        }
        warned = true;
        return String.format(Locale.ROOT,
            "the training loss has stayed at %.4f, the chance level ln %d = %.4f of a uniform guess over %d classes, " +
            "for %d progress ticks after %d steps: the model is learning nothing (a collapsed network, or a learning " +
            "rate that does not suit this compressor); cancel the job and lower the learning rate or change the " +
            "compressor", loss, classes, chanceLoss, classes, ticksAtChance, steps);
    }
}
