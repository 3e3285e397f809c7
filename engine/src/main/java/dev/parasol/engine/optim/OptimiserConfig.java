package dev.parasol.engine.optim;

import java.util.Locale;

/**
 * Every hyperparameter of every optimiser, documented in one place.
 *
 * @param kind         which method: SGD, momentum or Adam.
 * @param learningRate step size, eta; positive and finite.
 * @param momentum     heavy-ball coefficient mu of {@link Momentum}, in [0, 1); 0.9 by default.
 * @param beta1        Adam's decay of the first moment, in [0, 1); 0.9 by default (Kingma and Ba 2015).
 * @param beta2        Adam's decay of the second moment, in [0, 1); 0.999 by default.
 * @param epsilon      Adam's denominator guard, positive; 1e-8 by default.
 */
public record OptimiserConfig(Kind kind, float learningRate, float momentum, float beta1, float beta2, float epsilon)
{
    /**
     * Default heavy-ball coefficient.
     */
    public static final float MOMENTUM_DEFAULT = 0.9f;

    /**
     * Default Adam first-moment decay.
     */
    public static final float BETA1_DEFAULT = 0.9f;

    /**
     * Default Adam second-moment decay.
     */
    public static final float BETA2_DEFAULT = 0.999f;

    /**
     * Default Adam denominator guard.
     */
    public static final float EPSILON_DEFAULT = 1e-8f;

    /**
     * The optimisation methods.
     */
    public enum Kind
    {
        /**
         * Plain stochastic gradient descent.
         */
        SGD,

        /**
         * SGD with heavy-ball momentum.
         */
        MOMENTUM,

        /**
         * Adam.
         */
        ADAM
    }

    /**
     * Validate every field, naming the ones out of range.
     *
     * @param kind         which method.
     * @param learningRate step size.
     * @param momentum     heavy-ball coefficient.
     * @param beta1        Adam's first-moment decay.
     * @param beta2        Adam's second-moment decay.
     * @param epsilon      Adam's denominator guard.
     */
    public OptimiserConfig
    {
        final StringBuilder errors = new StringBuilder();
        if (kind == null)
        {
            errors.append(" kind=null (expected sgd, momentum or adam)");
        }
        if (!(learningRate > 0) || !Float.isFinite(learningRate))
        {
            errors.append(" learningRate=").append(learningRate).append(" (expected > 0)");
        }
        if (!(momentum >= 0 && momentum < 1))
        {
            errors.append(" momentum=").append(momentum).append(" (expected in [0, 1))");
        }
        if (!(beta1 >= 0 && beta1 < 1))
        {
            errors.append(" beta1=").append(beta1).append(" (expected in [0, 1))");
        }
        if (!(beta2 >= 0 && beta2 < 1))
        {
            errors.append(" beta2=").append(beta2).append(" (expected in [0, 1))");
        }
        if (!(epsilon > 0) || !Float.isFinite(epsilon))
        {
            errors.append(" epsilon=").append(epsilon).append(" (expected > 0)");
        }
        if (errors.length() > 0)
        {
            throw new IllegalArgumentException("invalid optimiser configuration:" + errors);
        }
    }

    /**
     * Get a configuration with the defaults for everything but the method and the learning rate.
     *
     * @param kind         which method.
     * @param learningRate step size.
     * @return the configuration.
     */
    public static OptimiserConfig of(final Kind kind, final float learningRate)
    {
        return new OptimiserConfig(kind, learningRate, MOMENTUM_DEFAULT, BETA1_DEFAULT, BETA2_DEFAULT, EPSILON_DEFAULT);
    }

    /**
     * Parse a method name: {@code sgd}, {@code momentum} or {@code adam}, in any case.
     *
     * @param name the name.
     * @return the method.
     * @throws IllegalArgumentException naming the accepted values.
     */
    public static Kind parseKind(final String name)
    {
        try
        {
            return Kind.valueOf(name.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException | NullPointerException ex)
        {
            throw new IllegalArgumentException("unknown optimiser '" + name + "' (expected sgd, momentum or adam)");
        }
    }

    /**
     * Build the optimiser this configuration describes.
     *
     * @return a new, uninitialised optimiser.
     */
    public Optimiser newOptimiser()
    {
        return switch (kind)
        {
            case SGD -> new Sgd(this);
            case MOMENTUM -> new Momentum(this);
            case ADAM -> new Adam(this);
        };
    }

    /**
     * Get the same configuration with another learning rate.
     *
     * @param learningRate the new step size.
     * @return a new configuration.
     */
    public OptimiserConfig withLearningRate(final float learningRate)
    {
        return new OptimiserConfig(kind, learningRate, momentum, beta1, beta2, epsilon);
    }

    @Override
    public String toString()
    {
        return switch (kind)
        {
            case SGD -> "sgd(lr=" + learningRate + ")";
            case MOMENTUM -> "momentum(lr=" + learningRate + ", mu=" + momentum + ")";
            case ADAM -> "adam(lr=" + learningRate + ", beta1=" + beta1 + ", beta2=" + beta2 + ", eps=" + epsilon + ")";
        };
    }
}
