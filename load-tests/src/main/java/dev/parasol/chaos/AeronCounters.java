package dev.parasol.chaos;

import io.aeron.CncFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the counters of a running media driver from its CnC file, as Aeron's {@code AeronStat} does: the driver's
 * system counters (e.g. {@code Invalid packets}) and Parasol's training counters of the jobs running on that node
 * ({@code parasol rejected wrong_job: ...}), which live there only while the job runs.
 */
final class AeronCounters
{
    private AeronCounters()
    {
    }

    /**
     * Whether a counter is of interest to the chaos checks.
     *
     * @param label the counter's label.
     * @return true for Parasol's reject counters and the driver's invalid-packet and error counts.
     */
    static boolean isTracked(final String label)
    {
        return label.startsWith("parasol ") && label.contains("rejected") || label.startsWith("Invalid packets") ||
            label.startsWith("Errors");
    }

    /**
     * Take a snapshot of the tracked counters; counters sharing a label are summed.
     *
     * @param aeronDirectory the driver's directory, e.g. {@code /dev/shm/parasol-1234-0-...}.
     * @return label to value, or an empty map when the directory has no CnC file.
     */
    static Map<String, Long> snapshot(final Path aeronDirectory)
    {
        final Map<String, Long> values = new LinkedHashMap<>();
        final File cnc = aeronDirectory.resolve(CncFileDescriptor.CNC_FILE).toFile();
        if (!cnc.isFile())
        {
            return values;
        }
        final MappedByteBuffer buffer = IoUtil.mapExistingFile(cnc, CncFileDescriptor.CNC_FILE);
        try
        {
            final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(buffer);
            CncFileDescriptor.checkVersion(metaData.getInt(CncFileDescriptor.cncVersionOffset(0)));
            final CountersReader reader = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(buffer, metaData),
                CncFileDescriptor.createCountersValuesBuffer(buffer, metaData));
            reader.forEach((counterId, label) ->
            {
                if (isTracked(label))
                {
                    values.merge(label, reader.getCounterValue(counterId), Long::sum);
                }
            });
        }
        finally
        {
            IoUtil.unmap(buffer);
        }
        return values;
    }

    /**
     * The change of every tracked counter between two snapshots; counters that appeared count from 0, and counters
     * that did not move are left out.
     *
     * @param before the earlier snapshot.
     * @param after  the later one.
     * @return label to increase.
     */
    static Map<String, Long> deltas(final Map<String, Long> before, final Map<String, Long> after)
    {
        final Map<String, Long> deltas = new LinkedHashMap<>();
        for (final Map.Entry<String, Long> entry : after.entrySet())
        {
            final long delta = entry.getValue() - before.getOrDefault(entry.getKey(), 0L);
            if (delta != 0)
            {
                deltas.put(entry.getKey(), delta);
            }
        }
        return deltas;
    }

    /**
     * Find a node's embedded driver directory: {@code PARENT/parasol-PID-*} (see DataPlaneContext).
     *
     * @param parent the parent directory, normally {@code /dev/shm}.
     * @param pid    the node's process id.
     * @return the directory, or null when there is none.
     * @throws java.io.IOException if the parent cannot be listed.
     */
    static Path driverDirectoryOf(final Path parent, final long pid) throws java.io.IOException
    {
        try (var entries = Files.list(parent))
        {
            return entries.filter((p) -> p.getFileName().toString().startsWith("parasol-" + pid + "-"))
                .findFirst().orElse(null);
        }
    }
}
