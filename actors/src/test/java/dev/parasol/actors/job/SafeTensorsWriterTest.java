package dev.parasol.actors.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parasol.engine.model.ParameterLayout;
import dev.parasol.engine.model.TensorSpec;
import dev.parasol.engine.model.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsWriterTest
{
    private static final ParameterLayout W2_LAYOUT = Workload.W2.create(1).layout();

    @Test
    void shouldRoundTripBitExactWhenWritingW2(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("model.safetensors");
        final float[] params = randomParams(W2_LAYOUT.size(), 7L);

        SafeTensorsWriter.write(file, W2_LAYOUT, params, Map.of("job_id", "job-1-abcd", "workload", "W2"));
        final SafeTensorsReader reader = SafeTensorsReader.read(file);

        assertArrayEquals(rawBits(params), rawBits(reader.toFlat(W2_LAYOUT)));
        assertEquals(Map.of("format", "pt", "job_id", "job-1-abcd", "workload", "W2"), reader.metadata());
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"),
            W2_LAYOUT.tensors().stream().map(TensorSpec::name).toList());
        assertEquals(List.of(256, 784), reader.tensors().get("fc1.weight").shape());
        final TensorSpec fc2 = W2_LAYOUT.tensor("fc2.weight");
        final float[] fc2Values = reader.floats("fc2.weight");
        for (int i = 0; i < fc2Values.length; i++)
        {
            assertEquals(Float.floatToRawIntBits(params[fc2.offset() + i]), Float.floatToRawIntBits(fc2Values[i]));
        }
    }

    @Test
    void shouldWriteAlignedHeaderWithContiguousOffsetsWhenParsedAsJson(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("model.safetensors");
        SafeTensorsWriter.write(file, W2_LAYOUT, new float[W2_LAYOUT.size()], null);
        final byte[] bytes = Files.readAllBytes(file);
        final long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);

        assertEquals(0, n % 8, "header length " + n);
        assertEquals(0, (8 + n) % 8, "data start");
        assertEquals(8 + n + 4L * W2_LAYOUT.size(), bytes.length);
        assertEquals(SafeTensorsWriter.fileSize(W2_LAYOUT, null), bytes.length);
        final String header = new String(bytes, 8, (int)n, StandardCharsets.UTF_8);
        assertEquals(header.stripTrailing().length(), header.trim().length());
        final JsonNode root = new ObjectMapper().readTree(header);
        assertEquals("pt", root.get("__metadata__").get("format").asText());
        long expectedBegin = 0;
        int tensors = 0;
        for (final Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); )
        {
            final Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__"))
            {
                continue;
            }
            final TensorSpec spec = W2_LAYOUT.tensor(field.getKey());
            final JsonNode entry = field.getValue();
            assertEquals("F32", entry.get("dtype").asText());
            final List<Integer> shape = new ArrayList<>();
            entry.get("shape").forEach((d) -> shape.add(d.asInt()));
            assertEquals(java.util.Arrays.stream(spec.shape()).boxed().toList(), shape);
            assertEquals(expectedBegin, entry.get("data_offsets").get(0).asLong());
            expectedBegin = entry.get("data_offsets").get(1).asLong();
            assertEquals(4L * spec.size(), expectedBegin - entry.get("data_offsets").get(0).asLong());
            tensors++;
        }
        assertEquals(W2_LAYOUT.tensors().size(), tensors);
        assertEquals(4L * W2_LAYOUT.size(), expectedBegin);
    }

    @Test
    void shouldStoreLittleEndianFloatsWhenReadRaw(@TempDir final Path dir) throws IOException
    {
        final ParameterLayout layout = ParameterLayout.builder().add("w", 2, 2).add("b", 1).build();
        final Path file = dir.resolve("tiny.safetensors");
        SafeTensorsWriter.write(file, layout, new float[] {1.0f, -2.5f, 0.0f, -0.0f, Float.NaN}, null);
        final byte[] bytes = Files.readAllBytes(file);
        final int dataStart = bytes.length - 20;
        final ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, 20).order(ByteOrder.LITTLE_ENDIAN);

        assertEquals(0x3F800000, data.getInt(dataStart));
        assertEquals(Float.floatToRawIntBits(-2.5f), data.getInt(dataStart + 4));
        assertEquals(0x80000000, data.getInt(dataStart + 12));
        assertEquals(0x7FC00000, data.getInt(dataStart + 16));
        assertEquals((byte)0x3F, bytes[dataStart + 3]);
    }

    @Test
    void shouldReplaceFileAtomicallyAndLeaveNoTemporaryFile(@TempDir final Path dir) throws IOException
    {
        final ParameterLayout layout = ParameterLayout.builder().add("w", 3).build();
        final Path file = dir.resolve("sub").resolve("model.safetensors");

        SafeTensorsWriter.write(file, layout, new float[] {1, 2, 3}, null);
        SafeTensorsWriter.write(file, layout, new float[] {4, 5, 6}, null);

        assertArrayEquals(new float[] {4, 5, 6}, SafeTensorsReader.read(file).floats("w"));
        try (Stream<Path> files = Files.list(file.getParent()))
        {
            assertEquals(List.of(file.getFileName()), files.map(Path::getFileName).toList());
        }
    }

    @Test
    void shouldRefuseWhenLengthOrMetadataIsWrong(@TempDir final Path dir)
    {
        final ParameterLayout layout = ParameterLayout.builder().add("w", 3).build();
        final Path file = dir.resolve("model.safetensors");

        assertThrows(IllegalArgumentException.class,
            () -> SafeTensorsWriter.write(file, layout, new float[2], null));
        assertThrows(IllegalArgumentException.class,
            () -> SafeTensorsWriter.write(file, layout, new float[3], Map.of("format", "np")));
        assertTrue(Files.notExists(file));
    }

    @Test
    void shouldRejectCorruptFilesWhenReading(@TempDir final Path dir) throws IOException
    {
        final ParameterLayout layout = ParameterLayout.builder().add("w", 3).build();
        final Path file = dir.resolve("model.safetensors");
        SafeTensorsWriter.write(file, layout, new float[] {1, 2, 3}, null);
        final byte[] good = Files.readAllBytes(file);

        final Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length - 4));
        final Path hugeHeader = dir.resolve("huge.safetensors");
        final byte[] huge = good.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        Files.write(hugeHeader, huge);

        assertTrue(assertThrows(IOException.class, () -> SafeTensorsReader.read(truncated)).getMessage()
            .contains("cover"));
        assertTrue(assertThrows(IOException.class, () -> SafeTensorsReader.read(hugeHeader)).getMessage()
            .contains("header length"));
    }

    private static float[] randomParams(final int n, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final float[] params = new float[n];
        for (int i = 0; i < n; i++)
        {
            params[i] = (float)random.nextGaussian() * 0.1f;
        }
        // values whose bits a careless float round trip would change
        params[0] = -0.0f;
        params[1] = Float.intBitsToFloat(0x7FC00001);
        params[2] = Float.MIN_VALUE;
        params[3] = Float.POSITIVE_INFINITY;
        return params;
    }

    private static int[] rawBits(final float[] values)
    {
        final int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++)
        {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }
}
