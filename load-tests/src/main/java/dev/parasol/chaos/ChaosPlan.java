package dev.parasol.chaos;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Chooses, from the seed, when a scenario injects its fault: a point between {@link #EARLIEST} and {@link #LATEST}
 * of a reference (the harness gives the epochs the clean run needed to reach its target, so that the fault lands in
 * the middle of the faulted run however fast the shared machine is at the time), the same point for the same seed
 * and scenario. Prints {@code POINT FRACTION}.
 */
@Command(name = "chaos-plan", mixinStandardHelpOptions = true,
    description = "Print when to inject a scenario's fault: the point (fraction x reference) and the fraction.")
public final class ChaosPlan implements Callable<Integer>
{
    /**
     * The earliest injection point, as a fraction of the clean time to target.
     */
    public static final double EARLIEST = 0.25;

    /**
     * The latest injection point, as a fraction of the clean time to target.
     */
    public static final double LATEST = 0.6;

    @Option(names = "--seed", required = true, paramLabel = "S", description = "The run's seed.")
    long seed;

    @Option(names = "--scenario", required = true, paramLabel = "NAME", description = "The scenario's name.")
    String scenario;

    @Option(names = "--reference", required = true, paramLabel = "X",
        description = "The reference, e.g. the epochs the clean run needed to reach its target.")
    double reference;

    /**
     * Print the plan.
     *
     * @param args the arguments.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new ChaosPlan()).execute(args));
    }

    /**
     * Get the fraction of the reference at which a scenario injects its fault.
     *
     * @param seed     the run's seed.
     * @param scenario the scenario's name: scenarios of one seed get different points.
     * @return a fraction in [{@link #EARLIEST}, {@link #LATEST}).
     */
    public static double fraction(final long seed, final String scenario)
    {
        long mix = seed;
        for (final byte b : scenario.getBytes(StandardCharsets.UTF_8))
        {
            mix = mix * 31 + b;
        }
        return EARLIEST + (LATEST - EARLIEST) * new SplittableRandom(mix).nextDouble();
    }

    @Override
    public Integer call()
    {
        if (!(reference > 0) || Double.isInfinite(reference))
        {
            throw new CommandLine.ParameterException(new CommandLine(this),
                "--reference=" + reference + ": expected a finite number > 0");
        }
        final double fraction = fraction(seed, scenario);
        System.out.println(String.format(Locale.ROOT, "%.3f %.4f", fraction * reference, fraction));
        return 0;
    }
}
