package dev.parasol.engine.model;

import dev.parasol.engine.exceptions.EngineException;
import dev.parasol.engine.linalg.MatrixKernels;

import java.util.Arrays;
import java.util.Locale;

/**
 * The reference workloads on Fashion-MNIST (WORKLOADS.md): each names a model, its default optimiser and learning
 * rate, the batch per worker and the test accuracy a run must reach. Every figure Parasol reports names one.
 * <p>
 * Optimiser names are those {@code OptimiserConfig.parseKind} accepts: {@code sgd}, {@code momentum}, {@code adam}.
 * W3 allows SGD with momentum or Adam; momentum 0.9 with learning rate 0.01 is the default here.
 */
public enum Workload
{
    /**
     * Softmax regression 784 -> 10, SGD with learning rate 0.1, target accuracy 0.840.
     */
    W1("softmax regression 784 -> 10", "sgd", 0.1f, 0.0f, 0.840, 7_850)
    {
        /**
         * {@inheritDoc}
         */
        @Override
        public Model create(final int maxBatch, final MatrixKernels kernels)
        {
            return new Mlp(maxBatch, kernels, 784, 10);
        }
    },

    /**
     * MLP 784-256-128-10 with ReLU, SGD with momentum 0.9 and learning rate 0.01, target accuracy 0.880.
     */
    W2("MLP 784-256-128-10, ReLU", "momentum", 0.01f, 0.9f, 0.880, 235_146)
    {
        /**
         * {@inheritDoc}
         */
        @Override
        public Model create(final int maxBatch, final MatrixKernels kernels)
        {
            return new Mlp(maxBatch, kernels, 784, 256, 128, 10);
        }
    },

    /**
     * CNN conv5x5x16-pool-conv5x5x32-pool-128-10, SGD with momentum 0.9 and learning rate 0.01, target accuracy
     * 0.900.
     */
    W3("CNN conv 5x5x16 - pool - conv 5x5x32 - pool - dense 128 - dense 10", "momentum", 0.01f, 0.9f, 0.900,
        215_370)
    {
        /**
         * {@inheritDoc}
         */
        @Override
        public Model create(final int maxBatch, final MatrixKernels kernels)
        {
            return new ConvNet(maxBatch, kernels);
        }
    };

    /**
     * The batch size per worker of every workload.
     */
    public static final int BATCH_SIZE = 64;

    private final String description;
    private final String optimiserName;
    private final float learningRate;
    private final float momentum;
    private final double targetAccuracy;
    private final int parameterCount;

    Workload(
        final String description,
        final String optimiserName,
        final float learningRate,
        final float momentum,
        final double targetAccuracy,
        final int parameterCount)
    {
        this.description = description;
        this.optimiserName = optimiserName;
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.targetAccuracy = targetAccuracy;
        this.parameterCount = parameterCount;
    }

    /**
     * Build the workload's model, running its products on the given kernels.
     *
     * @param maxBatch largest batch a pass accepts.
     * @param kernels  the matrix kernels.
     * @return a new model with its own scratch buffers.
     */
    public abstract Model create(int maxBatch, MatrixKernels kernels);

    /**
     * Build the workload's model on {@link MatrixKernels#defaultKernels()}.
     *
     * @param maxBatch largest batch a pass accepts.
     * @return a new model with its own scratch buffers.
     */
    public Model create(final int maxBatch)
    {
        return create(maxBatch, MatrixKernels.defaultKernels());
    }

    /**
     * Get a human-readable description of the model.
     *
     * @return the description.
     */
    public String description()
    {
        return description;
    }

    /**
     * Get the default optimiser's name: {@code sgd} or {@code momentum}.
     *
     * @return the name.
     */
    public String optimiserName()
    {
        return optimiserName;
    }

    /**
     * Get the default learning rate.
     *
     * @return the learning rate.
     */
    public float learningRate()
    {
        return learningRate;
    }

    /**
     * Get the default heavy-ball momentum; 0 when the optimiser has none.
     *
     * @return the momentum coefficient.
     */
    public float momentum()
    {
        return momentum;
    }

    /**
     * Get the batch size per worker.
     *
     * @return {@link #BATCH_SIZE}.
     */
    public int batchSize()
    {
        return BATCH_SIZE;
    }

    /**
     * Get the test accuracy a run must reach.
     *
     * @return the target, in (0, 1).
     */
    public double targetAccuracy()
    {
        return targetAccuracy;
    }

    /**
     * Get the number of parameters WORKLOADS.md states for the model.
     *
     * @return the length of the flat parameter vector.
     */
    public int parameterCount()
    {
        return parameterCount;
    }

    /**
     * Parse a workload id in any case, surrounding blanks ignored: {@code w2}, {@code W2}.
     *
     * @param name the id.
     * @return the workload.
     * @throws EngineException naming the value and the accepted ids.
     */
    public static Workload parse(final String name)
    {
        if (name != null)
        {
            final String id = name.trim().toUpperCase(Locale.ROOT);
            for (final Workload w : values())
            {
                if (w.name().equals(id))
                {
                    return w;
                }
            }
        }
        throw new EngineException("unknown workload '" + name + "' (expected one of " +
            Arrays.toString(values()) + ", in any case)");
    }
}
