package dev.parasol.engine.model;

import java.util.Arrays;

/**
 * One named tensor of a model and where it lives in the flat parameter vector. Tensors are stored row-major.
 *
 * @param name   unique name within the layout, e.g. {@code "fc1.weight"}.
 * @param shape  dimensions, outermost first.
 * @param offset index of the first element in the flat vector.
 */
public record TensorSpec(String name, int[] shape, int offset)
{
    /**
     * Validate and copy the shape.
     *
     * @param name   unique name within the layout.
     * @param shape  dimensions, outermost first.
     * @param offset index of the first element in the flat vector.
     */
    public TensorSpec
    {
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        if (shape.length == 0 || Arrays.stream(shape).anyMatch((d) -> d <= 0))
        {
            throw new IllegalArgumentException("tensor " + name + " has invalid shape " + Arrays.toString(shape));
        }
        if (offset < 0)
        {
            throw new IllegalArgumentException("tensor " + name + " has negative offset " + offset);
        }
        shape = shape.clone();
    }

    /**
     * Get the number of elements.
     *
     * @return the product of the dimensions.
     */
    public int size()
    {
        long size = 1;
        for (final int d : shape)
        {
            size *= d;
        }
        return Math.toIntExact(size);
    }

    /**
     * Get the index one past the last element.
     *
     * @return offset + size.
     */
    public int end()
    {
        return offset + size();
    }

    /**
     * Get a copy of the shape.
     *
     * @return the dimensions, outermost first.
     */
    @Override
    public int[] shape()
    {
        return shape.clone();
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof TensorSpec other && name.equals(other.name) && offset == other.offset &&
            Arrays.equals(shape, other.shape);
    }

    @Override
    public int hashCode()
    {
        return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + offset;
    }

    @Override
    public String toString()
    {
        return name + Arrays.toString(shape) + "@" + offset;
    }
}
