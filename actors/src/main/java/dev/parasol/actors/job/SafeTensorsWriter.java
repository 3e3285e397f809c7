package dev.parasol.actors.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parasol.engine.model.ParameterLayout;
import dev.parasol.engine.model.TensorSpec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a flat parameter vector as a safetensors file (the format of Hugging Face's {@code safetensors} library),
 * one F32 tensor per entry of the {@link ParameterLayout}, named as in the layout ({@code fc1.weight}, ...), so that
 * PyTorch, NumPy and other tools can load a Parasol model.
 * <p>
 * Layout of the file: an 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON mapping each tensor
 * name to {@code {"dtype":"F32","shape":[...],"data_offsets":[begin,end]}}, then a {@code "__metadata__"} object
 * of string values ({@code "format":"pt"} first), padded with spaces so that N is a multiple of 8 and the data
 * starts aligned; then the raw little-endian data, tensors back to back in layout order, offsets relative to the
 * data start.
 * <p>
 * The write is atomic: a temporary file in the target directory is written, forced to disk and renamed over the
 * target, so a reader never sees a half-written model.
 */
public final class SafeTensorsWriter
{
    /**
     * The data type of every tensor written.
     */
    public static final String DTYPE_F32 = "F32";

    /**
     * Key of the metadata object in the header.
     */
    public static final String METADATA_KEY = "__metadata__";

    /**
     * Metadata key naming the framework convention.
     */
    public static final String FORMAT_KEY = "format";

    /**
     * Value of {@link #FORMAT_KEY}: PyTorch's, which {@code safetensors.torch} expects.
     */
    public static final String FORMAT_PT = "pt";

    static final int ALIGNMENT = 8;
    static final int LENGTH_PREFIX_BYTES = 8;
    private static final int CHUNK_FLOATS = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensorsWriter()
    {
    }

    /**
     * Write a model atomically, creating the parent directories.
     *
     * @param file     the target, conventionally ending in {@code .safetensors}; replaced if it exists.
     * @param layout   names and shapes of the tensors.
     * @param params   the flat vector, {@code layout.size()} floats.
     * @param metadata extra string metadata (job id, workload, accuracy ...), or null; {@code format} is always
     *                 {@code pt}.
     * @throws IOException if the file cannot be written.
     * @throws IllegalArgumentException if the vector's length does not match the layout or a metadata key is
     * reserved.
     */
    public static void write(
        final Path file, final ParameterLayout layout, final float[] params, final Map<String, String> metadata)
        throws IOException
    {
        if (params.length != layout.size())
        {
            throw new IllegalArgumentException("params.length=" + params.length + ", expected the layout's size " +
                layout.size());
        }
        final byte[] header = header(layout, metadata);
        final Path target = file.toAbsolutePath();
        final Path dir = target.getParent();
        Files.createDirectories(dir);
        // a unique sibling, so the rename stays within one file system; default permissions, unlike createTempFile
        final Path temp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "." +
            System.nanoTime() + ".tmp");
        try
        {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
            {
                final ByteBuffer prefix = ByteBuffer.allocate(LENGTH_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                prefix.putLong(0, header.length);
                writeFully(channel, prefix);
                writeFully(channel, ByteBuffer.wrap(header));
                writeData(channel, params);
                channel.force(true);
            }
            moveIntoPlace(temp, target);
        }
        finally
        {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Get the header JSON, padded with spaces to a multiple of 8 bytes.
     *
     * @param layout   names and shapes of the tensors.
     * @param metadata extra string metadata, or null.
     * @return the UTF-8 bytes of the header, without the length prefix.
     */
    public static byte[] header(final ParameterLayout layout, final Map<String, String> metadata)
    {
        final Map<String, Object> root = new LinkedHashMap<>();
        final Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT_PT);
        if (metadata != null)
        {
            for (final Map.Entry<String, String> e : metadata.entrySet())
            {
                if (FORMAT_KEY.equals(e.getKey()) || e.getKey() == null || e.getValue() == null)
                {
                    throw new IllegalArgumentException("metadata " + e.getKey() + "=" + e.getValue() +
                        ": expected non-null keys and values other than '" + FORMAT_KEY + "', which is always '" +
                        FORMAT_PT + "'");
                }
                meta.put(e.getKey(), e.getValue());
            }
        }
        for (final TensorSpec t : layout.tensors())
        {
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", DTYPE_F32);
            entry.put("shape", t.shape());
            entry.put("data_offsets", new long[] {(long)t.offset() * Float.BYTES, (long)t.end() * Float.BYTES});
            root.put(t.name(), entry);
        }
        root.put(METADATA_KEY, meta);
        final byte[] json;
        try
        {
            json = JSON.writeValueAsBytes(root);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot render the safetensors header", ex);
        }
        final int padded = (json.length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        final byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte)' ');
        return header;
    }

    /**
     * Get the bytes a model of this layout takes on disk.
     *
     * @param layout   names and shapes of the tensors.
     * @param metadata extra string metadata, or null.
     * @return prefix + header + data bytes.
     */
    public static long fileSize(final ParameterLayout layout, final Map<String, String> metadata)
    {
        return LENGTH_PREFIX_BYTES + header(layout, metadata).length + (long)layout.size() * Float.BYTES;
    }

    private static void writeData(final FileChannel channel, final float[] params) throws IOException
    {
        final ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        while (i < params.length)
        {
            chunk.clear();
            final int end = Math.min(params.length, i + CHUNK_FLOATS);
            for (; i < end; i++)
            {
                // raw bits, so NaN payloads and negative zero survive the round trip
                chunk.putInt(Float.floatToRawIntBits(params[i]));
            }
            chunk.flip();
            writeFully(channel, chunk);
        }
    }

    private static void writeFully(final FileChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
    }

    private static void moveIntoPlace(final Path temp, final Path target) throws IOException
    {
        try
        {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
