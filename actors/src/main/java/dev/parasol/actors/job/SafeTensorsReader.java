package dev.parasol.actors.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parasol.engine.model.ParameterLayout;
import dev.parasol.engine.model.TensorSpec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads back a safetensors file of F32 tensors, as {@link SafeTensorsWriter} writes it, checking what the format
 * requires: a header length within the file, a JSON object header, F32 tensors whose byte ranges match their shapes
 * and tile the data section without gap or overlap, and string-only metadata. Reads the whole file into memory;
 * meant for models of a few megabytes and for tests.
 */
public final class SafeTensorsReader
{
    /**
     * Largest header accepted, as the reference implementation does.
     */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final long headerLength;
    private final String headerJson;
    private final Map<String, TensorEntry> tensors;
    private final Map<String, String> metadata;
    private final ByteBuffer data;

    /**
     * One tensor's header entry.
     *
     * @param name  the tensor's name.
     * @param dtype its data type, {@code F32}.
     * @param shape its dimensions, outermost first.
     * @param begin first byte, relative to the start of the data section.
     * @param end   one past the last byte.
     */
    public record TensorEntry(String name, String dtype, List<Integer> shape, long begin, long end)
    {
    }

    private SafeTensorsReader(
        final long headerLength,
        final String headerJson,
        final Map<String, TensorEntry> tensors,
        final Map<String, String> metadata,
        final ByteBuffer data)
    {
        this.headerLength = headerLength;
        this.headerJson = headerJson;
        this.tensors = tensors;
        this.metadata = metadata;
        this.data = data;
    }

    /**
     * Read and check a file.
     *
     * @param file the safetensors file.
     * @return the reader over its contents.
     * @throws IOException if the file cannot be read or is not a valid safetensors file of F32 tensors.
     */
    public static SafeTensorsReader read(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < SafeTensorsWriter.LENGTH_PREFIX_BYTES)
        {
            throw invalid(file, "file of " + bytes.length + " bytes is shorter than the 8-byte header length");
        }
        final ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final long n = all.getLong(0);
        if (n < 2 || n > MAX_HEADER_BYTES || n > bytes.length - SafeTensorsWriter.LENGTH_PREFIX_BYTES)
        {
            throw invalid(file, "header length " + n + " is outside [2, min(" + MAX_HEADER_BYTES + ", " +
                (bytes.length - SafeTensorsWriter.LENGTH_PREFIX_BYTES) + ")]");
        }
        final int dataStart = SafeTensorsWriter.LENGTH_PREFIX_BYTES + (int)n;
        final String json = new String(bytes, SafeTensorsWriter.LENGTH_PREFIX_BYTES, (int)n, StandardCharsets.UTF_8);
        final JsonNode root;
        try
        {
            root = JSON.readTree(json);
        }
        catch (final IOException ex)
        {
            throw invalid(file, "header is not JSON: " + ex.getMessage());
        }
        if (root == null || !root.isObject())
        {
            throw invalid(file, "header is not a JSON object");
        }
        final ByteBuffer data = all.slice(dataStart, bytes.length - dataStart).order(ByteOrder.LITTLE_ENDIAN);
        final Map<String, String> metadata = new LinkedHashMap<>();
        final Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        for (final Map.Entry<String, JsonNode> field : root.properties())
        {
            if (SafeTensorsWriter.METADATA_KEY.equals(field.getKey()))
            {
                readMetadata(file, field.getValue(), metadata);
            }
            else
            {
                tensors.put(field.getKey(), readEntry(file, field.getKey(), field.getValue()));
            }
        }
        checkTiling(file, tensors, data.capacity());
        return new SafeTensorsReader(n, json, Collections.unmodifiableMap(tensors),
            Collections.unmodifiableMap(metadata), data);
    }

    /**
     * Get the header length N of the 8-byte prefix.
     *
     * @return N, the bytes of JSON and padding.
     */
    public long headerLength()
    {
        return headerLength;
    }

    /**
     * Get the header text, padding included.
     *
     * @return the JSON.
     */
    public String headerJson()
    {
        return headerJson;
    }

    /**
     * Get the metadata.
     *
     * @return the {@code __metadata__} object, in file order.
     */
    public Map<String, String> metadata()
    {
        return metadata;
    }

    /**
     * Get the tensors' header entries.
     *
     * @return the entries by name, in header order.
     */
    public Map<String, TensorEntry> tensors()
    {
        return tensors;
    }

    /**
     * Get the length of the data section.
     *
     * @return bytes after the header.
     */
    public long dataLength()
    {
        return data.capacity();
    }

    /**
     * Get one tensor's values.
     *
     * @param name the tensor's name.
     * @return its values, row-major.
     * @throws IllegalArgumentException if there is no such tensor.
     */
    public float[] floats(final String name)
    {
        final TensorEntry entry = tensors.get(name);
        if (entry == null)
        {
            throw new IllegalArgumentException("no tensor named " + name + " in " + tensors.keySet());
        }
        final float[] values = new float[(int)((entry.end() - entry.begin()) / Float.BYTES)];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = Float.intBitsToFloat(data.getInt((int)entry.begin() + i * Float.BYTES));
        }
        return values;
    }

    /**
     * Assemble the flat parameter vector of a layout from the tensors of the same names.
     *
     * @param layout the layout the vector follows.
     * @return a new vector of {@code layout.size()} floats.
     * @throws IllegalArgumentException if a tensor is missing or has another shape.
     */
    public float[] toFlat(final ParameterLayout layout)
    {
        final float[] flat = new float[layout.size()];
        for (final TensorSpec t : layout.tensors())
        {
            final TensorEntry entry = tensors.get(t.name());
            final List<Integer> shape = Arrays.stream(t.shape()).boxed().toList();
            if (entry == null || !entry.shape().equals(shape))
            {
                throw new IllegalArgumentException("tensor " + t.name() + shape + " expected, found " + entry);
            }
            System.arraycopy(floats(t.name()), 0, flat, t.offset(), t.size());
        }
        return flat;
    }

    private static void readMetadata(final Path file, final JsonNode node, final Map<String, String> metadata)
        throws IOException
    {
        if (!node.isObject())
        {
            throw invalid(file, SafeTensorsWriter.METADATA_KEY + " is not an object");
        }
        for (final Map.Entry<String, JsonNode> e : node.properties())
        {
            if (!e.getValue().isTextual())
            {
                throw invalid(file, "metadata " + e.getKey() + "=" + e.getValue() + " is not a string");
            }
            metadata.put(e.getKey(), e.getValue().asText());
        }
    }

    private static TensorEntry readEntry(final Path file, final String name, final JsonNode node) throws IOException
    {
        final JsonNode dtype = node.get("dtype");
        final JsonNode shape = node.get("shape");
        final JsonNode offsets = node.get("data_offsets");
        if (dtype == null || !dtype.isTextual() || shape == null || !shape.isArray() || offsets == null ||
            !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).canConvertToLong() ||
            !offsets.get(1).canConvertToLong())
        {
            throw invalid(file, "tensor " + name + " entry " + node + " lacks dtype, shape or data_offsets");
        }
        if (!SafeTensorsWriter.DTYPE_F32.equals(dtype.asText()))
        {
            throw invalid(file, "tensor " + name + " has dtype " + dtype.asText() + ", expected F32");
        }
        final List<Integer> dims = new ArrayList<>();
        long elements = 1;
        for (final JsonNode d : shape)
        {
            if (!d.canConvertToInt() || d.asInt() < 0)
            {
                throw invalid(file, "tensor " + name + " has shape " + shape + ", expected non-negative integers");
            }
            dims.add(d.asInt());
            elements *= d.asInt();
        }
        final long begin = offsets.get(0).asLong();
        final long end = offsets.get(1).asLong();
        if (end - begin != elements * Float.BYTES)
        {
            throw invalid(file, "tensor " + name + " of shape " + dims + " spans bytes [" + begin + ", " + end +
                "), expected " + elements * Float.BYTES + " bytes");
        }
        return new TensorEntry(name, dtype.asText(), List.copyOf(dims), begin, end);
    }

    private static void checkTiling(final Path file, final Map<String, TensorEntry> tensors, final long dataLength)
        throws IOException
    {
        final List<TensorEntry> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorEntry::begin));
        long expected = 0;
        for (final TensorEntry e : sorted)
        {
            if (e.begin() != expected)
            {
                throw invalid(file, "tensor " + e.name() + " starts at byte " + e.begin() + ", expected " + expected +
                    " (tensors must tile the data section)");
            }
            expected = e.end();
        }
        if (expected != dataLength)
        {
            throw invalid(file, "tensors cover " + expected + " bytes of a " + dataLength + "-byte data section");
        }
    }

    private static IOException invalid(final Path file, final String reason)
    {
        return new IOException("not a valid safetensors file " + file + ": " + reason);
    }
}
