package dev.parasol.engine.data;

/**
 * A labelled data set held in memory: {@code size} examples of {@code featureCount} floats each, row-major in one
 * {@code float[]}, and one class label in {@code [0, classes)} per example.
 * <p>
 * Copies into batches go into arrays the caller owns and reuses, so a training loop allocates nothing per batch.
 * The instance is immutable once built and may be shared between threads.
 */
public final class InMemoryDataset
{
    private final float[] features;
    private final int[] labels;
    private final int featureCount;
    private final int classes;

    /**
     * Build a data set over the given arrays, which it keeps (no copy): the caller must not modify them afterwards.
     *
     * @param features     {@code labels.length * featureCount} floats, example after example.
     * @param labels       one label per example, each in {@code [0, classes)}.
     * @param featureCount number of features per example, at least 1.
     * @param classes      number of classes, at least 1.
     * @throws IllegalArgumentException if the lengths disagree or a label is out of range, naming the offender.
     */
    public InMemoryDataset(final float[] features, final int[] labels, final int featureCount, final int classes)
    {
        if (featureCount < 1 || classes < 1)
        {
            throw new IllegalArgumentException(
                "featureCount=" + featureCount + " classes=" + classes + ", expected both >= 1");
        }
        if ((long)labels.length * featureCount != features.length)
        {
            throw new IllegalArgumentException("features.length=" + features.length + ", expected labels.length * " +
                "featureCount = " + labels.length + " * " + featureCount + " = " + (long)labels.length * featureCount);
        }
        for (int i = 0; i < labels.length; i++)
        {
            if (labels[i] < 0 || labels[i] >= classes)
            {
                throw new IllegalArgumentException(
                    "labels[" + i + "]=" + labels[i] + ", expected a class in [0, " + classes + ")");
            }
        }

        this.features = features;
        this.labels = labels;
        this.featureCount = featureCount;
        this.classes = classes;
    }

    /**
     * Get the number of examples.
     *
     * @return the number of examples.
     */
    public int size()
    {
        return labels.length;
    }

    /**
     * Get the number of features of each example.
     *
     * @return the number of features, for example 784 for a 28x28 image.
     */
    public int featureCount()
    {
        return featureCount;
    }

    /**
     * Get the number of classes; every label is in {@code [0, classes)}.
     *
     * @return the number of classes.
     */
    public int classes()
    {
        return classes;
    }

    /**
     * Get the label of one example.
     *
     * @param index of the example.
     * @return its label.
     */
    public int label(final int index)
    {
        return labels[index];
    }

    /**
     * Get one feature of one example.
     *
     * @param index   of the example.
     * @param feature index of the feature within the example.
     * @return the value.
     */
    public float feature(final int index, final int feature)
    {
        return features[index * featureCount + feature];
    }

    /**
     * Get the backing feature array, row-major; for read-only bulk access (evaluation kernels). Do not modify it.
     *
     * @return the backing array, not a copy.
     */
    public float[] features()
    {
        return features;
    }

    /**
     * Get the backing label array; for read-only bulk access. Do not modify it.
     *
     * @return the backing array, not a copy.
     */
    public int[] labels()
    {
        return labels;
    }

    /**
     * Count the examples of each class.
     *
     * @return an array of length {@link #classes()}.
     */
    public int[] labelHistogram()
    {
        final int[] histogram = new int[classes];
        for (final int label : labels)
        {
            histogram[label]++;
        }

        return histogram;
    }

    /**
     * Copy the examples {@code indices[offset .. offset + count)} into rows {@code 0 .. count} of the batch arrays.
     * Allocates nothing.
     *
     * @param indices      example indices, for example a shuffled permutation.
     * @param offset       first position in indices to copy.
     * @param count        number of examples to copy.
     * @param batchInputs  destination of at least {@code count * featureCount()} floats.
     * @param batchLabels  destination of at least {@code count} labels.
     * @throws IllegalArgumentException if a destination is too small.
     */
    public void copyBatch(
        final int[] indices, final int offset, final int count, final float[] batchInputs, final int[] batchLabels)
    {
        checkBatch(count, batchInputs, batchLabels);
        for (int row = 0; row < count; row++)
        {
            final int example = indices[offset + row];
            System.arraycopy(features, example * featureCount, batchInputs, row * featureCount, featureCount);
            batchLabels[row] = labels[example];
        }
    }

    /**
     * Copy the consecutive examples {@code [start, start + count)} into rows {@code 0 .. count} of the batch
     * arrays, for example to evaluate a test set in order. Allocates nothing.
     *
     * @param start       first example.
     * @param count       number of examples to copy.
     * @param batchInputs destination of at least {@code count * featureCount()} floats.
     * @param batchLabels destination of at least {@code count} labels.
     * @throws IllegalArgumentException if a destination is too small.
     */
    public void copyRange(final int start, final int count, final float[] batchInputs, final int[] batchLabels)
    {
        checkBatch(count, batchInputs, batchLabels);
        System.arraycopy(features, start * featureCount, batchInputs, 0, count * featureCount);
        System.arraycopy(labels, start, batchLabels, 0, count);
    }

    /**
     * Build a new data set of the given examples, in the given order, copying their features and labels.
     *
     * @param indices example indices, each in {@code [0, size())}; repeats are allowed.
     * @return a new data set with the same feature count and classes.
     * @throws IllegalArgumentException if an index is out of range.
     */
    public InMemoryDataset subset(final int[] indices)
    {
        final float[] subFeatures = new float[indices.length * featureCount];
        final int[] subLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++)
        {
            final int example = indices[i];
            if (example < 0 || example >= labels.length)
            {
                throw new IllegalArgumentException(
                    "indices[" + i + "]=" + example + ", expected an example in [0, " + labels.length + ")");
            }
            System.arraycopy(features, example * featureCount, subFeatures, i * featureCount, featureCount);
            subLabels[i] = labels[example];
        }

        return new InMemoryDataset(subFeatures, subLabels, featureCount, classes);
    }

    private void checkBatch(final int count, final float[] batchInputs, final int[] batchLabels)
    {
        if (batchInputs.length < count * featureCount || batchLabels.length < count)
        {
            throw new IllegalArgumentException("batch of " + count + " examples needs batchInputs.length >= " +
                count * featureCount + " and batchLabels.length >= " + count + ", found " + batchInputs.length +
                " and " + batchLabels.length);
        }
    }
}
