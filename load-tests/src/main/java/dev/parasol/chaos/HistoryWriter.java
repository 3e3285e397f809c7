package dev.parasol.chaos;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Appends one JSON line to a history file with one write, adding {@code pid}, {@code wall_ms} and {@code mono_ms}
 * as {@code parasol submit --history} does.
 */
final class HistoryWriter
{
    private HistoryWriter()
    {
    }

    /**
     * Append a line.
     *
     * @param file   the history, or null to write nothing.
     * @param fields the line's fields; {@code event} and {@code source} first.
     * @throws IOException if the file cannot be written.
     */
    static void append(final Path file, final Map<String, Object> fields) throws IOException
    {
        if (file == null)
        {
            return;
        }
        final Map<String, Object> line = new LinkedHashMap<>(fields);
        line.put("pid", ProcessHandle.current().pid());
        line.put("wall_ms", System.currentTimeMillis());
        line.put("mono_ms", System.nanoTime() / 1_000_000L);
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND))
        {
            final ByteBuffer bytes = ByteBuffer.wrap(
                (History.JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
        }
    }
}
