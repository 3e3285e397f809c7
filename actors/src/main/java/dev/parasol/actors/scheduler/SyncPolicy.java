package dev.parasol.actors.scheduler;

import java.util.Locale;

/**
 * Synchronisation policy of a job: how far a worker may run ahead of the slowest worker.
 * <p>
 * Under Stale Synchronous Parallel with bound s (Ho et al., "More Effective Distributed ML via a Stale Synchronous
 * Parallel Parameter Server", NIPS 2013) a worker may start clock c only while every worker has completed at least
 * c - s clocks. Bulk Synchronous Parallel is the special case s = 0 and Asynchronous Parallel has no bound at all.
 * <p>
 * Textual forms, as used in job specs and on the command line: {@code bsp}, {@code ssp:N} with N &gt;= 0, and
 * {@code asp}. {@link #toString()} gives the canonical form back, so {@code parse(p.toString()).equals(p)}.
 *
 * @param kind  the family of the policy.
 * @param bound the largest number of clocks a worker may be ahead of the slowest one: 0 for BSP,
 *              {@link #UNBOUNDED} for ASP.
 */
public record SyncPolicy(Kind kind, int bound)
{
    /**
     * Bound carried by {@link Kind#ASP}: no limit.
     */
    public static final int UNBOUNDED = Integer.MAX_VALUE;

    /**
     * Bulk synchronous parallel: every worker waits for the slowest at every clock.
     */
    public static final SyncPolicy BSP = new SyncPolicy(Kind.BSP, 0);

    /**
     * Asynchronous parallel: no worker ever waits.
     */
    public static final SyncPolicy ASP = new SyncPolicy(Kind.ASP, UNBOUNDED);

    private static final String ACCEPTED_FORMS = "expected one of: bsp, ssp:N (integer N >= 0), asp";

    /**
     * Family of a synchronisation policy.
     */
    public enum Kind
    {
        /**
         * Bulk synchronous parallel (bound 0).
         */
        BSP,

        /**
         * Stale synchronous parallel with a bound of N clocks.
         */
        SSP,

        /**
         * Asynchronous parallel (no bound).
         */
        ASP
    }

    /**
     * Validate the combination of kind and bound.
     *
     * @param kind  the family of the policy.
     * @param bound the staleness bound in clocks.
     */
    public SyncPolicy
    {
        if (null == kind)
        {
            throw new IllegalArgumentException("sync policy kind=null, expected one of BSP, SSP, ASP");
        }
        switch (kind)
        {
            case BSP:
                if (0 != bound)
                {
                    throw new IllegalArgumentException("sync policy bsp bound=" + bound + ", expected 0");
                }
                break;
            case SSP:
                if (bound < 0)
                {
                    throw new IllegalArgumentException("sync policy ssp bound=" + bound + ", expected >= 0");
                }
                break;
            default:
                if (UNBOUNDED != bound)
                {
                    throw new IllegalArgumentException(
                        "sync policy asp bound=" + bound + ", expected " + UNBOUNDED + " (unbounded)");
                }
                break;
        }
    }

    /**
     * Get a stale synchronous parallel policy. {@code ssp(0)} behaves exactly like {@link #BSP}.
     *
     * @param bound the staleness bound in clocks, &gt;= 0.
     * @return the policy.
     */
    public static SyncPolicy ssp(final int bound)
    {
        return new SyncPolicy(Kind.SSP, bound);
    }

    /**
     * Parse a policy from its textual form: {@code bsp}, {@code ssp:N} (N &gt;= 0) or {@code asp}. Surrounding
     * white space and letter case are ignored.
     *
     * @param text the textual form.
     * @return the policy.
     * @throws IllegalArgumentException naming the bad value and the accepted forms.
     */
    public static SyncPolicy parse(final String text)
    {
        if (null == text)
        {
            throw new IllegalArgumentException("sync policy=null, " + ACCEPTED_FORMS);
        }

        final String value = text.trim().toLowerCase(Locale.ROOT);
        if ("bsp".equals(value))
        {
            return BSP;
        }
        if ("asp".equals(value))
        {
            return ASP;
        }
        if (value.startsWith("ssp:"))
        {
            final String number = value.substring("ssp:".length()).trim();
            try
            {
                final int bound = Integer.parseInt(number);
                if (bound >= 0)
                {
                    return ssp(bound);
                }
            }
            catch (final NumberFormatException ignore)
            {
                // fall through to the common error below, which names the whole value
            }
        }

        throw new IllegalArgumentException("sync policy='" + text + "' is not valid, " + ACCEPTED_FORMS);
    }

    /**
     * Is a worker allowed to start {@code clock} while the slowest worker has completed {@code minClock} clocks?
     *
     * @param clock    the clock the worker wants to start (its number of completed steps).
     * @param minClock the smallest clock over all active workers.
     * @return true when the policy allows it: ASP always, otherwise {@code clock - minClock <= bound}.
     */
    public boolean allows(final long clock, final long minClock)
    {
        return Kind.ASP == kind || clock - minClock <= bound;
    }

    /**
     * Is this policy free of any bound?
     *
     * @return true for ASP.
     */
    public boolean isUnbounded()
    {
        return Kind.ASP == kind;
    }

    /**
     * Get the canonical textual form: {@code bsp}, {@code ssp:N} or {@code asp}.
     *
     * @return the canonical textual form, accepted by {@link #parse(String)}.
     */
    @Override
    public String toString()
    {
        switch (kind)
        {
            case BSP:
                return "bsp";
            case SSP:
                return "ssp:" + bound;
            default:
                return "asp";
        }
    }
}
