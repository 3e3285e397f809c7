package dev.parasol.actors.scheduler;

import java.util.Locale;

/**
 * Staleness-aware learning rate: how a parameter-server shard scales an update whose gradient was computed on a
 * version tau versions older than the shard's current one (tau = version at apply - base version).
 * <p>
 * {@code constant} applies every update unscaled; {@code inverse} divides the learning rate by tau, i.e. scales by
 * 1 / max(1, tau) (Zhang et al., "Staleness-aware Async-SGD for Distributed Deep Learning", IJCAI 2016);
 * {@code drop:N} applies updates with tau &lt;= N unscaled and drops older ones. {@link #toString()} gives the
 * canonical textual form back, so {@code parse(p.toString()).equals(p)}.
 * <p>
 * {@link #scale(long)} and {@link #drops(long)} allocate nothing and may be called on the apply path.
 *
 * @param kind          the family of the policy.
 * @param maxStaleness  the largest staleness that is still applied for {@link Kind#DROP};
 *                      {@link #UNBOUNDED} for the other kinds.
 */
public record StalenessPolicy(Kind kind, int maxStaleness)
{
    /**
     * Maximum staleness carried by the kinds that never drop.
     */
    public static final int UNBOUNDED = Integer.MAX_VALUE;

    /**
     * Apply every update with scale 1.
     */
    public static final StalenessPolicy CONSTANT = new StalenessPolicy(Kind.CONSTANT, UNBOUNDED);

    /**
     * Scale every update by 1 / max(1, tau).
     */
    public static final StalenessPolicy INVERSE = new StalenessPolicy(Kind.INVERSE, UNBOUNDED);

    private static final String ACCEPTED_FORMS = "expected one of: constant, inverse, drop:N (integer N >= 0)";

    /**
     * Family of a staleness policy.
     */
    public enum Kind
    {
        /**
         * Scale 1 whatever the staleness.
         */
        CONSTANT,

        /**
         * Scale 1 / max(1, tau): the learning rate divided by the staleness.
         */
        INVERSE,

        /**
         * Scale 1 up to the maximum staleness, drop the update beyond it.
         */
        DROP
    }

    /**
     * Validate the combination of kind and maximum staleness.
     *
     * @param kind         the family of the policy.
     * @param maxStaleness the largest staleness still applied.
     */
    public StalenessPolicy
    {
        if (null == kind)
        {
            throw new IllegalArgumentException("staleness policy kind=null, expected one of CONSTANT, INVERSE, DROP");
        }
        if (Kind.DROP == kind)
        {
            if (maxStaleness < 0)
            {
                throw new IllegalArgumentException(
                    "staleness policy drop maxStaleness=" + maxStaleness + ", expected >= 0");
            }
        }
        else if (UNBOUNDED != maxStaleness)
        {
            throw new IllegalArgumentException("staleness policy " + kind.name().toLowerCase(Locale.ROOT) +
                " maxStaleness=" + maxStaleness + ", expected " + UNBOUNDED + " (unbounded)");
        }
    }

    /**
     * Get a policy that drops updates staler than {@code maxStaleness}.
     *
     * @param maxStaleness the largest staleness still applied, &gt;= 0.
     * @return the policy.
     */
    public static StalenessPolicy drop(final int maxStaleness)
    {
        return new StalenessPolicy(Kind.DROP, maxStaleness);
    }

    /**
     * Parse a policy from its textual form: {@code constant}, {@code inverse} or {@code drop:N} (N &gt;= 0).
     * Surrounding white space and letter case are ignored.
     *
     * @param text the textual form.
     * @return the policy.
     * @throws IllegalArgumentException naming the bad value and the accepted forms.
     */
    public static StalenessPolicy parse(final String text)
    {
        if (null == text)
        {
            throw new IllegalArgumentException("staleness policy=null, " + ACCEPTED_FORMS);
        }

        final String value = text.trim().toLowerCase(Locale.ROOT);
        if ("constant".equals(value))
        {
            return CONSTANT;
        }
        if ("inverse".equals(value))
        {
            return INVERSE;
        }
        if (value.startsWith("drop:"))
        {
            final String number = value.substring("drop:".length()).trim();
            try
            {
                final int maxStaleness = Integer.parseInt(number);
                if (maxStaleness >= 0)
                {
                    return drop(maxStaleness);
                }
            }
            catch (final NumberFormatException ignore)
            {
                // fall through to the common error below, which names the whole value
            }
        }

        throw new IllegalArgumentException("staleness policy='" + text + "' is not valid, " + ACCEPTED_FORMS);
    }

    /**
     * Is an update of this staleness dropped rather than applied?
     *
     * @param staleness tau = shard version at apply - base version of the gradient.
     * @return true only for {@link Kind#DROP} when {@code staleness > maxStaleness}.
     */
    public boolean drops(final long staleness)
    {
        return Kind.DROP == kind && staleness > maxStaleness;
    }

    /**
     * Get the factor by which an update of this staleness is scaled. A negative staleness, which a validated message
     * cannot produce, counts as fresh.
     *
     * @param staleness tau = shard version at apply - base version of the gradient.
     * @return 1 for constant, 1 / max(1, tau) for inverse; for drop 1 when applied and 0 when {@link #drops(long)}.
     */
    public float scale(final long staleness)
    {
        switch (kind)
        {
            case INVERSE:
                return staleness <= 1 ? 1.0f : (float)(1.0 / staleness);
            case DROP:
                return staleness > maxStaleness ? 0.0f : 1.0f;
            default:
                return 1.0f;
        }
    }

    /**
     * Get the canonical textual form: {@code constant}, {@code inverse} or {@code drop:N}.
     *
     * @return the canonical textual form, accepted by {@link #parse(String)}.
     */
    @Override
    public String toString()
    {
        switch (kind)
        {
            case INVERSE:
                return "inverse";
            case DROP:
                return "drop:" + maxStaleness;
            default:
                return "constant";
        }
    }
}
