package dev.parasol.engine.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named tensors of a model laid end to end in one flat {@code float} vector. The flat vector is what workers
 * and parameter-server shards exchange; the layout gives the tensor names back, e.g. for saving a model.
 */
public final class ParameterLayout
{
    private final List<TensorSpec> tensors;
    private final Map<String, TensorSpec> byName;
    private final int size;

    private ParameterLayout(final List<TensorSpec> tensors)
    {
        this.tensors = Collections.unmodifiableList(new ArrayList<>(tensors));
        final Map<String, TensorSpec> map = new LinkedHashMap<>();
        int end = 0;
        for (final TensorSpec t : tensors)
        {
            if (map.put(t.name(), t) != null)
            {
                throw new IllegalArgumentException("duplicate tensor name " + t.name());
            }
            end = t.end();
        }
        this.byName = Collections.unmodifiableMap(map);
        this.size = end;
    }

    /**
     * Start a layout; tensors are placed one after another in the order they are added.
     *
     * @return a new builder.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Get the tensors in the order they are laid out.
     *
     * @return an unmodifiable list.
     */
    public List<TensorSpec> tensors()
    {
        return tensors;
    }

    /**
     * Get a tensor by name.
     *
     * @param name the tensor's name.
     * @return the tensor.
     * @throws IllegalArgumentException if the layout has no such tensor.
     */
    public TensorSpec tensor(final String name)
    {
        final TensorSpec t = byName.get(name);
        if (t == null)
        {
            throw new IllegalArgumentException("no tensor named " + name + " in " + byName.keySet());
        }
        return t;
    }

    /**
     * Get the number of parameters.
     *
     * @return the length of the flat vector.
     */
    public int size()
    {
        return size;
    }

    /**
     * Cut the flat vector into contiguous key ranges of near-equal length (the first {@code size % shards} ranges
     * are one key longer). A cut may fall inside a tensor: shards own keys, not tensors.
     *
     * @param shards number of ranges, at least 1 and at most {@link #size()}.
     * @return the ranges in key order, covering the vector exactly once.
     */
    public KeyRange[] split(final int shards)
    {
        if (shards < 1 || shards > size)
        {
            throw new IllegalArgumentException("shards=" + shards + " must be in [1, " + size + "]");
        }
        final KeyRange[] ranges = new KeyRange[shards];
        final int base = size / shards;
        final int extra = size % shards;
        int start = 0;
        for (int i = 0; i < shards; i++)
        {
            final int length = base + (i < extra ? 1 : 0);
            ranges[i] = new KeyRange(i, start, start + length);
            start += length;
        }
        return ranges;
    }

    @Override
    public String toString()
    {
        return "ParameterLayout" + tensors + " size=" + size;
    }

    /**
     * Builds a {@link ParameterLayout} by appending tensors.
     */
    public static final class Builder
    {
        private final List<TensorSpec> tensors = new ArrayList<>();
        private int offset;

        private Builder()
        {
        }

        /**
         * Append a tensor after the last one.
         *
         * @param name  unique name.
         * @param shape dimensions, outermost first.
         * @return this for a fluent API.
         */
        public Builder add(final String name, final int... shape)
        {
            final TensorSpec t = new TensorSpec(name, shape, offset);
            tensors.add(t);
            offset = t.end();
            return this;
        }

        /**
         * Build the layout.
         *
         * @return the layout.
         */
        public ParameterLayout build()
        {
            if (tensors.isEmpty())
            {
                throw new IllegalArgumentException("a layout needs at least one tensor");
            }
            return new ParameterLayout(tensors);
        }
    }
}
