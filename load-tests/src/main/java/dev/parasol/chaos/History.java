package dev.parasol.chaos;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The merged history of one scenario: the JSON lines of every history file (the client's {@code submit --history},
 * the fault injector's, the forger's), each tagged with the name of its file under {@code file}, in wall-clock
 * order. Lines that are not JSON objects (a half-written last line of a killed writer) are counted, not fatal.
 */
final class History
{
    static final ObjectMapper JSON = new ObjectMapper();

    private final List<ObjectNode> events;
    private final List<String> problems;

    History(final List<ObjectNode> events, final List<String> problems)
    {
        final List<ObjectNode> sorted = new ArrayList<>(events);
        // Stable: lines of one writer with the same millisecond keep their order.
        sorted.sort(Comparator.comparingLong((ObjectNode e) -> e.path("wall_ms").asLong(Long.MAX_VALUE)));
        this.events = List.copyOf(sorted);
        this.problems = List.copyOf(problems);
    }

    /**
     * Read history files; a file that does not exist is reported as a problem, not an error.
     *
     * @param files the JSON-lines files.
     * @return the merged history.
     * @throws IOException if a file exists but cannot be read.
     */
    static History read(final List<Path> files) throws IOException
    {
        final List<ObjectNode> events = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        for (final Path file : files)
        {
            if (!Files.isRegularFile(file))
            {
                problems.add("history " + file + " does not exist");
                continue;
            }
            final String name = file.getFileName().toString();
            int lineNumber = 0;
            for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
            {
                lineNumber++;
                if (line.isBlank())
                {
                    continue;
                }
                try
                {
                    final JsonNode node = JSON.readTree(line);
                    if (node instanceof ObjectNode object)
                    {
                        object.put("file", name);
                        events.add(object);
                    }
                    else
                    {
                        problems.add(name + ":" + lineNumber + " is not a JSON object");
                    }
                }
                catch (final JsonProcessingException ex)
                {
                    problems.add(name + ":" + lineNumber + " is not JSON (" + ex.getOriginalMessage() + ")");
                }
            }
        }
        return new History(events, problems);
    }

    List<ObjectNode> events()
    {
        return events;
    }

    List<String> problems()
    {
        return problems;
    }

    List<ObjectNode> all(final String event)
    {
        final List<ObjectNode> found = new ArrayList<>();
        for (final ObjectNode e : events)
        {
            if (event.equals(e.path("event").asText()))
            {
                found.add(e);
            }
        }
        return found;
    }

    List<ObjectNode> inFile(final String file)
    {
        final List<ObjectNode> found = new ArrayList<>();
        for (final ObjectNode e : events)
        {
            if (file.equals(e.path("file").asText()))
            {
                found.add(e);
            }
        }
        return found;
    }

    ObjectNode first(final String event)
    {
        final List<ObjectNode> found = all(event);
        return found.isEmpty() ? null : found.get(0);
    }
}
