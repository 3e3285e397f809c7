package dev.parasol.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parasol.actors.jobapi.JobResult;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.jobapi.JobStatus;
import dev.parasol.actors.jobapi.ProgressEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The history of one {@code parasol submit}: one JSON object per line, appended to a file as things happen, so that a
 * checker can decide afterwards what the client saw (CHAOS.md: a verdict never rests on log-grepping alone).
 * <p>
 * Every line has {@code event}, {@code source} ({@code submit}), {@code pid}, {@code wall_ms} (epoch milliseconds,
 * comparable across processes) and {@code mono_ms} ({@code System.nanoTime()} in milliseconds, comparable within
 * this process). The events are {@code submitted}, {@code rejected}, {@code progress}, {@code finished} (the
 * result's report fields under {@code metrics}), {@code failed}, {@code cancelled}, {@code lost_contact},
 * {@code timeout} and {@code error}. Each line is written with one append and flushed at once: a client killed
 * mid-run leaves every line it wrote whole.
 */
final class SubmitHistory
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path file;
    private final long pid = ProcessHandle.current().pid();

    private SubmitHistory(final Path file)
    {
        this.file = file;
    }

    /**
     * Open a history, creating the file's parent directories.
     *
     * @param file where to append, or null for a history that records nothing.
     * @return the history.
     */
    static SubmitHistory open(final Path file)
    {
        if (file != null)
        {
            try
            {
                final Path parent = file.toAbsolutePath().getParent();
                if (parent != null)
                {
                    Files.createDirectories(parent);
                }
            }
            catch (final IOException ex)
            {
                throw new IllegalArgumentException("--history " + file + ": cannot create its directory (" +
                    ex.getMessage() + ")", ex);
            }
        }
        return new SubmitHistory(file);
    }

    void submitted(final String jobId, final JobSpec spec)
    {
        final Map<String, Object> line = line("submitted", jobId);
        line.put("summary", spec.summary());
        line.put("spec", spec.describe());
        append(line);
    }

    void rejected(final String reason)
    {
        final Map<String, Object> line = line("rejected", null);
        line.put("reason", reason);
        append(line);
    }

    void progress(final ProgressEvent event)
    {
        final Map<String, Object> line = line("progress", event.jobId());
        line.put("elapsed_s", event.elapsedSeconds());
        line.put("epoch", event.epoch());
        line.put("steps", event.steps());
        line.put("samples", event.samples());
        line.put("samples_per_s", finiteOrNull(event.samplesPerSecond()));
        line.put("train_loss", finiteOrNull(event.trainLoss()));
        line.put("accuracy", finiteOrNull(event.lastTestAccuracy()));
        line.put("bytes_up", event.bytesUp());
        line.put("bytes_down", event.bytesDown());
        final Map<String, Object> staleness = new LinkedHashMap<>();
        staleness.put("p50", event.stalenessP50());
        staleness.put("p99", event.stalenessP99());
        staleness.put("max", event.stalenessMax());
        line.put("staleness", staleness);
        line.put("counters", event.counters());
        line.put("warnings", event.warnings());
        append(line);
    }

    void ended(final JobStatus status)
    {
        final String event = switch (status.state())
        {
            case SUCCEEDED -> "finished";
            case CANCELLED -> "cancelled";
            default -> "failed";
        };
        final Map<String, Object> line = line(event, status.jobId());
        line.put("state", status.state().name());
        line.put("reason", status.error());
        final JobResult result = status.result();
        line.put("metrics", result == null ? null : result.metrics());
        append(line);
    }

    void lostContact(final String jobId, final String reason)
    {
        final Map<String, Object> line = line("lost_contact", jobId);
        line.put("reason", reason);
        append(line);
    }

    void timedOut(final String jobId, final String reason)
    {
        final Map<String, Object> line = line("timeout", jobId);
        line.put("reason", reason);
        append(line);
    }

    void error(final String jobId, final String reason)
    {
        final Map<String, Object> line = line("error", jobId);
        line.put("reason", reason);
        append(line);
    }

    private Map<String, Object> line(final String event, final String jobId)
    {
        final Map<String, Object> line = new LinkedHashMap<>();
        line.put("event", event);
        line.put("source", "submit");
        line.put("pid", pid);
        line.put("wall_ms", System.currentTimeMillis());
        line.put("mono_ms", System.nanoTime() / 1_000_000L);
        if (jobId != null)
        {
            line.put("job_id", jobId);
        }
        return line;
    }

    private static Double finiteOrNull(final double value)
    {
        return Double.isFinite(value) ? value : null;
    }

    private synchronized void append(final Map<String, Object> line)
    {
        if (file == null)
        {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND))
        {
            final byte[] bytes = (MAPPER.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
            channel.force(false);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot append to history " + file + ": " + ex.getMessage(), ex);
        }
    }
}
