package dev.parasol.engine.data;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The content of one IDX file of unsigned bytes: its magic number, its dimensions and its data in row-major order.
 * Built by {@link IdxReader}.
 */
public final class IdxArray
{
    private final Path path;
    private final int magic;
    private final int[] dimensions;
    private final byte[] data;

    IdxArray(final Path path, final int magic, final int[] dimensions, final byte[] data)
    {
        this.path = path;
        this.magic = magic;
        this.dimensions = dimensions;
        this.data = data;
    }

    /**
     * Get the file the array was read from.
     *
     * @return the path of the file.
     */
    public Path path()
    {
        return path;
    }

    /**
     * Get the magic number of the file, for example {@link IdxReader#LABELS_MAGIC}.
     *
     * @return the magic number.
     */
    public int magic()
    {
        return magic;
    }

    /**
     * Get the number of dimensions.
     *
     * @return the number of dimensions, the last byte of the magic number.
     */
    public int dimensionCount()
    {
        return dimensions.length;
    }

    /**
     * Get the size of one dimension; dimension 0 is the number of items.
     *
     * @param index of the dimension, from 0.
     * @return its size.
     */
    public int dimension(final int index)
    {
        return dimensions[index];
    }

    /**
     * Get a copy of the dimensions.
     *
     * @return the dimensions, outermost first.
     */
    public int[] dimensions()
    {
        return Arrays.copyOf(dimensions, dimensions.length);
    }

    /**
     * Get the data, row-major. Bytes are unsigned: read them with {@code b & 0xFF}. This is the backing array, not a
     * copy.
     *
     * @return the data.
     */
    public byte[] data()
    {
        return data;
    }
}
