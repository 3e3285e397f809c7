package dev.parasol.engine.optim;

/**
 * Applies gradients to one contiguous range of a flat parameter vector, holding whatever per-coordinate state the
 * method needs (velocity, moments) for that range only. Instances are single-threaded: a shard owns one.
 * <p>
 * Indices of a sparse step are relative to the start of the range, strictly increasing and inside it; the caller
 * (a decoder that already validated the message) guarantees that, so the hot loop does not check again.
 * <p>
 * A sparse step is <em>lazy</em>: only the coordinates it names change, optimiser state included. For SGD that is the
 * same as a dense step with zeros elsewhere; for momentum and Adam it is the behaviour of TensorFlow's sparse
 * apply ops and LazyAdam, which is what a sparsified, error-compensated gradient wants: the untouched coordinates
 * are still in the worker's residual and will arrive later.
 */
public interface Optimiser
{
    /**
     * Allocate and zero the state for a range of {@code length} coordinates. Called once before any step.
     *
     * @param length number of coordinates in the range.
     */
    void initialise(int length);

    /**
     * Apply a dense gradient to every coordinate of the range.
     *
     * @param params      the flat parameter vector.
     * @param paramOffset index in {@code params} of the first coordinate of the range.
     * @param gradient    the gradient values.
     * @param gradOffset  index in {@code gradient} of the value for the first coordinate.
     * @param length      number of coordinates, at most the initialised length.
     * @param scale       multiplier of the learning rate for this step (1 for a fresh update; less when stale).
     */
    void stepDenseInPlace(float[] params, int paramOffset, float[] gradient, int gradOffset, int length, float scale);

    /**
     * Apply a sparse gradient to the coordinates it names.
     *
     * @param params      the flat parameter vector.
     * @param paramOffset index in {@code params} of the first coordinate of the range.
     * @param indices     strictly increasing indices relative to the range start.
     * @param values      gradient value for each index.
     * @param count       number of entries used in {@code indices} and {@code values}.
     * @param scale       multiplier of the learning rate for this step.
     */
    void stepSparseInPlace(float[] params, int paramOffset, int[] indices, float[] values, int count, float scale);

    /**
     * Zero the state, as after {@link #initialise(int)}.
     */
    void reset();

    /**
     * Get a new optimiser with the same configuration and no state.
     *
     * @return an uninitialised copy.
     */
    Optimiser copy();

    /**
     * Get the configuration this optimiser was built from.
     *
     * @return the configuration.
     */
    OptimiserConfig config();

    /**
     * Get the per-coordinate state arrays, for checkpoints: velocity for momentum, first and second moments for Adam,
     * none for SGD. The arrays are live, not copies.
     *
     * @return the state arrays, possibly empty.
     */
    float[][] state();

    /**
     * Get the number of steps applied since {@link #initialise(int)} or {@link #reset()}.
     *
     * @return the step count.
     */
    long steps();

    /**
     * Put back the state of a checkpoint: the per-coordinate arrays of {@link #state()} and the step count, on an
     * optimiser initialised to the same length.
     *
     * @param state arrays shaped like {@link #state()}'s, copied.
     * @param steps the step count.
     * @throws IllegalArgumentException if the shapes differ or steps is negative.
     */
    void restore(float[][] state, long steps);

    /**
     * Copy checkpointed state arrays into live ones, checking the shapes: the common part of {@link #restore}.
     *
     * @param from the checkpoint's arrays.
     * @param to   the optimiser's live arrays.
     * @param steps the step count, checked.
     * @throws IllegalArgumentException if the shapes differ or steps is negative.
     */
    static void copyState(final float[][] from, final float[][] to, final long steps)
    {
        if (from == null || from.length != to.length || steps < 0)
        {
            throw new IllegalArgumentException("checkpointed state of " + (from == null ? "null" : from.length) +
                " arrays and " + steps + " steps, expected " + to.length + " arrays and steps >= 0");
        }
        for (int i = 0; i < to.length; i++)
        {
            if (from[i] == null || from[i].length != to[i].length)
            {
                throw new IllegalArgumentException("checkpointed state array " + i + " has " +
                    (from[i] == null ? "no" : String.valueOf(from[i].length)) + " values, expected " + to[i].length);
            }
            System.arraycopy(from[i], 0, to[i], 0, to[i].length);
        }
    }
}
