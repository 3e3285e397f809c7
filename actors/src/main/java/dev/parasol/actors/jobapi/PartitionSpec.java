package dev.parasol.actors.jobapi;

import dev.parasol.actors.CborSerializable;
import dev.parasol.engine.data.DirichletPartitioner;
import dev.parasol.engine.data.IidPartitioner;
import dev.parasol.engine.data.Partitioner;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a job splits the training set over its workers, parsed from the text a job spec names:
 * <ul>
 *     <li>{@code iid}: a seeded uniform shuffle cut into near-equal slices ({@link IidPartitioner}).</li>
 *     <li>{@code dirichlet:ALPHA}: non-IID by label with concentration ALPHA &gt; 0, e.g. {@code dirichlet:0.5}
 *     (Hsu, Qi and Brown 2019; {@link DirichletPartitioner}). Small ALPHA is skewed, large ALPHA nearly IID.</li>
 * </ul>
 * {@link #toString()} gives the canonical form back, so {@code parse(p.toString()).equals(p)}.
 *
 * @param kind  the family.
 * @param alpha the Dirichlet concentration, or 0 for {@link Kind#IID}.
 */
public record PartitionSpec(Kind kind, double alpha) implements CborSerializable
{
    /**
     * The IID partition.
     */
    public static final PartitionSpec IID = new PartitionSpec(Kind.IID, 0.0);

    /**
     * The accepted forms, as quoted in every parse error.
     */
    public static final String ACCEPTED = "iid or dirichlet:ALPHA with ALPHA a finite number > 0";

    private static final Pattern DECIMAL = Pattern.compile("(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d{1,3})?");

    /**
     * Partition families.
     */
    public enum Kind
    {
        /**
         * Uniform random split.
         */
        IID,

        /**
         * Label-skewed split with a Dirichlet distribution.
         */
        DIRICHLET
    }

    /**
     * Validate the fields for the kind.
     *
     * @param kind  the family.
     * @param alpha the Dirichlet concentration, or 0 for {@link Kind#IID}.
     */
    public PartitionSpec
    {
        Objects.requireNonNull(kind, "kind");
        final boolean ok = kind == Kind.IID ? alpha == 0.0 : alpha > 0.0 && Double.isFinite(alpha);
        if (!ok)
        {
            throw new IllegalArgumentException("partition " + kind + " alpha=" + alpha + ", expected " + ACCEPTED);
        }
    }

    /**
     * Get a Dirichlet partition.
     *
     * @param alpha the concentration, finite and &gt; 0.
     * @return the spec.
     */
    public static PartitionSpec dirichlet(final double alpha)
    {
        return new PartitionSpec(Kind.DIRICHLET, alpha);
    }

    /**
     * Parse the textual form: {@code iid} or {@code dirichlet:ALPHA}; case and surrounding blanks are ignored.
     *
     * @param text the textual form.
     * @return the spec.
     * @throws IllegalArgumentException naming the value and the accepted forms.
     */
    public static PartitionSpec parse(final String text)
    {
        if (text != null)
        {
            final String value = text.trim().toLowerCase(Locale.ROOT);
            if ("iid".equals(value))
            {
                return IID;
            }
            if (value.startsWith("dirichlet:"))
            {
                final String number = value.substring("dirichlet:".length()).trim();
                if (DECIMAL.matcher(number).matches())
                {
                    final double alpha = Double.parseDouble(number);
                    if (alpha > 0.0 && Double.isFinite(alpha))
                    {
                        return dirichlet(alpha);
                    }
                }
            }
        }
        throw new IllegalArgumentException("partition='" + text + "' is not valid, expected " + ACCEPTED);
    }

    /**
     * Build the partitioner this spec describes.
     *
     * @param seed the seed of the split.
     * @return a new partitioner.
     */
    public Partitioner newPartitioner(final long seed)
    {
        return kind == Kind.IID ? new IidPartitioner(seed) : new DirichletPartitioner(alpha, seed);
    }

    /**
     * Get the canonical textual form.
     *
     * @return {@code iid} or {@code dirichlet:ALPHA}.
     */
    @Override
    public String toString()
    {
        return kind == Kind.IID ? "iid" : "dirichlet:" + alpha;
    }
}
