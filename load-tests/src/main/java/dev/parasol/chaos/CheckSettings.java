package dev.parasol.chaos;

/**
 * What a scenario's checker expects, beside what every scenario checks (target reached, fault injected while the job
 * ran, updates reconciled, nothing left behind).
 *
 * @param scenario       the scenario's name, e.g. {@code worker-kill}.
 * @param fault          what was injected, in words.
 * @param seed           the seed of the job and of the injection point.
 * @param mode           which extra checks apply.
 * @param lostMustBeZero whether the design promises that no update is lost under this fault.
 * @param maxOverhead    the largest time overhead against the clean run that passes, or null for no bound.
 * @param requireFault   whether a {@code fault_injected} line must be in the history.
 * @param checkpointIntervalSeconds the shards' checkpoint interval when the scenario accepts a rollback bounded by
 *                       it (checkpoint-rollback mode), or null when no update may be rolled back.
 */
record CheckSettings(
    String scenario,
    String fault,
    long seed,
    Mode mode,
    boolean lostMustBeZero,
    Double maxOverhead,
    boolean requireFault,
    Double checkpointIntervalSeconds)
{
    /**
     * Settings without checkpoint rollback.
     *
     * @param scenario       the scenario's name.
     * @param fault          what was injected.
     * @param seed           the seed.
     * @param mode           extra checks.
     * @param lostMustBeZero whether no update may be lost.
     * @param maxOverhead    the largest overhead that passes, or null.
     * @param requireFault   whether a fault must have been injected.
     */
    CheckSettings(final String scenario, final String fault, final long seed, final Mode mode,
        final boolean lostMustBeZero, final Double maxOverhead, final boolean requireFault)
    {
        this(scenario, fault, seed, mode, lostMustBeZero, maxOverhead, requireFault, null);
    }

    /**
     * Extra checks of a scenario.
     */
    enum Mode
    {
        /**
         * Only the common checks.
         */
        STANDARD,

        /**
         * Forged datagrams were sent: they must be rejected and counted, none applied.
         */
        FORGED,

        /**
         * Bad job specs were submitted: each refused, naming its field, none persisted.
         */
        BAD_SPECS
    }
}
