package dev.parasol.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes a run's report as pretty-printed JSON, atomically: a reader never sees half a file.
 */
final class JsonReport
{
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport()
    {
    }

    /**
     * Write the fields, in their map order, to a file.
     *
     * @param file   destination; its parent directories are created.
     * @param fields the report.
     */
    static void write(final Path file, final Map<String, Object> fields)
    {
        try
        {
            final Path absolute = file.toAbsolutePath();
            Files.createDirectories(absolute.getParent());
            final Path temp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
            MAPPER.writeValue(temp.toFile(), fields);
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write report " + file + ": " + ex.getMessage(), ex);
        }
    }
}
