package dev.parasol.engine.compress;

import dev.parasol.wire.Encoding;

import java.util.Objects;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * A validated compressor choice, parsed from the spec string a job names, and the factory of its compressors. The
 * accepted forms are:
 * <ul>
 *     <li>{@code dense}: every coordinate as f32, the baseline ({@link DenseCompressor}).</li>
 *     <li>{@code topk:RATIO}: top-k by magnitude, RATIO in (0, 1] ({@link TopKCompressor}).</li>
 *     <li>{@code randk:RATIO}: k uniformly random coordinates, RATIO in (0, 1] ({@link RandomKCompressor}).</li>
 *     <li>{@code qsgd:BITS[:BLOCK]}: QSGD with BITS 4 or 8 and BLOCK coordinates per scale
 *     ({@link QsgdCompressor}).</li>
 *     <li>{@code sign[:BLOCK]}: scaled sign with BLOCK coordinates per scale ({@link ScaledSignCompressor}).</li>
 * </ul>
 * RATIO is a plain decimal ({@code 0.01}, {@code .5}, {@code 1e-3}); BLOCK is an integer in [1, 2^24], default 512.
 * A sparsifier sends {@code k = min(length, max(1, round(RATIO * length)))} entries. Parsing is strict: lower case, no
 * spaces, no extra fields. Fields a kind does not use are 0.
 *
 * @param kind      which compressor.
 * @param ratio     fraction of coordinates sent by top-k and random-k, else 0.
 * @param bits      bits per coordinate of QSGD, else 0.
 * @param blockSize coordinates per scale block of QSGD and sign, else 0.
 */
public record CompressorSpec(Kind kind, double ratio, int bits, int blockSize)
{
    /**
     * Default coordinates per scale block of QSGD and sign.
     */
    public static final int DEFAULT_BLOCK_SIZE = 512;

    /**
     * Largest accepted block size.
     */
    public static final int MAX_BLOCK_SIZE = 1 << 24;

    /**
     * The accepted forms, as quoted in every parse error.
     */
    public static final String ACCEPTED = "dense, topk:RATIO, randk:RATIO with RATIO in (0, 1], " +
        "qsgd:BITS[:BLOCK] with BITS 4 or 8, sign[:BLOCK], with BLOCK in [1, " + MAX_BLOCK_SIZE + "] (default " +
        DEFAULT_BLOCK_SIZE + ")";

    private static final Pattern DECIMAL = Pattern.compile("(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d{1,3})?");
    private static final Pattern INTEGER = Pattern.compile("\\d{1,9}");

    /**
     * The compressor families.
     */
    public enum Kind
    {
        /**
         * Every coordinate as f32.
         */
        DENSE,

        /**
         * The k largest magnitudes.
         */
        TOP_K,

        /**
         * k uniformly random coordinates.
         */
        RANDOM_K,

        /**
         * QSGD stochastic quantisation.
         */
        QSGD,

        /**
         * Scaled sign.
         */
        SIGN
    }

    /**
     * Validate the fields for the kind.
     *
     * @param kind      which compressor.
     * @param ratio     fraction of coordinates sent by top-k and random-k, else 0.
     * @param bits      bits per coordinate of QSGD, else 0.
     * @param blockSize coordinates per scale block of QSGD and sign, else 0.
     */
    public CompressorSpec
    {
        Objects.requireNonNull(kind, "kind");
        final boolean sparse = kind == Kind.TOP_K || kind == Kind.RANDOM_K;
        final boolean blocked = kind == Kind.QSGD || kind == Kind.SIGN;
        final boolean ratioOk = sparse ? ratio > 0.0 && ratio <= 1.0 : ratio == 0.0;
        final boolean bitsOk = kind == Kind.QSGD ? bits == 4 || bits == 8 : bits == 0;
        final boolean blockOk = blocked ? blockSize >= 1 && blockSize <= MAX_BLOCK_SIZE : blockSize == 0;
        if (!ratioOk || !bitsOk || !blockOk)
        {
            throw new IllegalArgumentException("invalid compressor spec fields for " + kind + ": ratio=" + ratio +
                " bits=" + bits + " blockSize=" + blockSize + "; accepted: " + ACCEPTED);
        }
    }

    /**
     * Parse a spec string.
     *
     * @param spec the spec, e.g. {@code topk:0.01}.
     * @return the validated spec.
     * @throws IllegalArgumentException naming the spec, what is wrong with it and what is accepted.
     */
    public static CompressorSpec parse(final String spec)
    {
        if (spec == null)
        {
            throw new IllegalArgumentException("compressor spec is missing (null); accepted: " + ACCEPTED);
        }
        final String[] parts = spec.split(":", -1);
        switch (parts[0])
        {
            case "dense":
                expectFields(spec, parts, 1, 1);
                return new CompressorSpec(Kind.DENSE, 0.0, 0, 0);
            case "topk":
                expectFields(spec, parts, 2, 2);
                return new CompressorSpec(Kind.TOP_K, parseRatio(spec, parts[1]), 0, 0);
            case "randk":
                expectFields(spec, parts, 2, 2);
                return new CompressorSpec(Kind.RANDOM_K, parseRatio(spec, parts[1]), 0, 0);
            case "qsgd":
                expectFields(spec, parts, 2, 3);
                return new CompressorSpec(
                    Kind.QSGD, 0.0, parseBits(spec, parts[1]), parts.length == 3 ? parseBlock(spec, parts[2]) :
                    DEFAULT_BLOCK_SIZE);
            case "sign":
                expectFields(spec, parts, 1, 2);
                return new CompressorSpec(
                    Kind.SIGN, 0.0, 0, parts.length == 2 ? parseBlock(spec, parts[1]) : DEFAULT_BLOCK_SIZE);
            default:
                throw invalid(spec, "unknown compressor '" + parts[0] + "'");
        }
    }

    /**
     * Create a compressor of this spec with buffers for ranges up to {@code maxLength}.
     *
     * @param maxLength longest range the compressor accepts.
     * @param random    seeded source for randomised compressors (top-k samples, random-k, QSGD); split it per worker
     *                  and shard before passing it in. Unused by dense and sign.
     * @return a new compressor.
     */
    public Compressor newCompressor(final int maxLength, final SplittableRandom random)
    {
        switch (kind)
        {
            case TOP_K:
                return new TopKCompressor(ratio, maxLength, Objects.requireNonNull(random, "random"));
            case RANDOM_K:
                return new RandomKCompressor(ratio, maxLength, Objects.requireNonNull(random, "random"));
            case QSGD:
                return new QsgdCompressor(bits, blockSize, maxLength, Objects.requireNonNull(random, "random"));
            case SIGN:
                return new ScaledSignCompressor(blockSize, maxLength);
            default:
                return new DenseCompressor(maxLength);
        }
    }

    /**
     * Get the encoding compressors of this spec write.
     *
     * @return the payload encoding.
     */
    public Encoding encoding()
    {
        switch (kind)
        {
            case TOP_K:
            case RANDOM_K:
                return Encoding.SPARSE_F32;
            case QSGD:
                return bits == 8 ? Encoding.QSGD_8BIT : Encoding.QSGD_4BIT;
            case SIGN:
                return Encoding.SIGN;
            default:
                return Encoding.DENSE_F32;
        }
    }

    /**
     * Get the canonical spec string, which {@link #parse(String)} maps back to an equal spec.
     *
     * @return the spec string; the default block size is left out.
     */
    @Override
    public String toString()
    {
        final String block = blockSize == DEFAULT_BLOCK_SIZE ? "" : ":" + blockSize;
        switch (kind)
        {
            case TOP_K:
                return "topk:" + ratio;
            case RANDOM_K:
                return "randk:" + ratio;
            case QSGD:
                return "qsgd:" + bits + block;
            case SIGN:
                return "sign" + block;
            default:
                return "dense";
        }
    }

    private static void expectFields(final String spec, final String[] parts, final int min, final int max)
    {
        if (parts.length < min || parts.length > max)
        {
            final String expected = min == max ? (min - 1) + " argument(s)" : (min - 1) + " to " + (max - 1) +
                " arguments";
            throw invalid(spec, "'" + parts[0] + "' takes " + expected + ", got " + (parts.length - 1));
        }
    }

    private static double parseRatio(final String spec, final String text)
    {
        if (!DECIMAL.matcher(text).matches())
        {
            throw invalid(spec, "ratio must be a decimal number in (0, 1], got '" + text + "'");
        }
        final double ratio = Double.parseDouble(text);
        if (!(ratio > 0.0 && ratio <= 1.0))
        {
            throw invalid(spec, "ratio must be in (0, 1], got " + text);
        }
        return ratio;
    }

    private static int parseBits(final String spec, final String text)
    {
        if (!INTEGER.matcher(text).matches() || (Integer.parseInt(text) != 4 && Integer.parseInt(text) != 8))
        {
            throw invalid(spec, "QSGD bits must be 4 or 8, got '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    private static int parseBlock(final String spec, final String text)
    {
        if (!INTEGER.matcher(text).matches() || Integer.parseInt(text) < 1 || Integer.parseInt(text) > MAX_BLOCK_SIZE)
        {
            throw invalid(spec, "block size must be an integer in [1, " + MAX_BLOCK_SIZE + "], got '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    private static IllegalArgumentException invalid(final String spec, final String reason)
    {
        return new IllegalArgumentException("invalid compressor spec '" + spec + "': " + reason + "; accepted: " +
            ACCEPTED);
    }
}
