package dev.parasol.engine.model;

import java.util.SplittableRandom;

/**
 * A differentiable classifier over a flat parameter vector. An instance holds the scratch buffers of its forward and
 * backward passes, sized for a maximum batch, so it is not thread-safe: each worker or thread owns one. Parameters
 * are passed in, never held, so many instances can share one vector read-only.
 */
public interface Model
{
    /**
     * Get the name of the model, e.g. {@code "mlp-784-256-128-10"}.
     *
     * @return the name.
     */
    String name();

    /**
     * Get the layout of the flat parameter vector.
     *
     * @return the layout.
     */
    ParameterLayout layout();

    /**
     * Get the number of input features per example.
     *
     * @return the input width.
     */
    int inputSize();

    /**
     * Get the number of classes.
     *
     * @return the output width.
     */
    int classes();

    /**
     * Get the largest batch the scratch buffers hold.
     *
     * @return the maximum batch size.
     */
    int maxBatch();

    /**
     * Fill the vector with initial values drawn from the random source (He or Glorot as the layer needs; biases 0).
     *
     * @param params the flat vector of {@code layout().size()} floats.
     * @param random the seeded source.
     */
    void initialiseInPlace(float[] params, SplittableRandom random);

    /**
     * Forward and backward pass on a batch: the mean softmax cross-entropy loss and its gradient.
     *
     * @param params    the flat parameter vector.
     * @param inputs    {@code batch x inputSize()} features, row-major.
     * @param labels    {@code batch} class indices in [0, classes()).
     * @param batch     number of examples, 1 to {@link #maxBatch()}.
     * @param gradient  receives the gradient of the mean loss; every element is overwritten.
     * @return the mean loss over the batch.
     */
    double lossAndGradient(float[] params, float[] inputs, int[] labels, int batch, float[] gradient);

    /**
     * Forward pass only: the mean loss on a batch, and the predicted class of each example.
     *
     * @param params      the flat parameter vector.
     * @param inputs      {@code batch x inputSize()} features, row-major.
     * @param labels      {@code batch} class indices in [0, classes()).
     * @param batch       number of examples, 1 to {@link #maxBatch()}.
     * @param predictions receives the arg-max class of each example; may be null.
     * @return the mean loss over the batch.
     */
    double evaluate(float[] params, float[] inputs, int[] labels, int batch, int[] predictions);
}
