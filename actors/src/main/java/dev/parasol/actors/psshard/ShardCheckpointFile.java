package dev.parasol.actors.psshard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A shard's checkpoint on disk: the model state of a {@link ShardSnapshot} (parameters, optimiser state and steps,
 * version, each slot's last sequence and incarnation base), written so that a crash at any instant leaves either the
 * previous checkpoint or the new one, never a mix: the bytes go to a temporary file in the same directory, which is
 * forced to the device, renamed over the checkpoint atomically, and the directory is forced so the rename survives
 * a power loss. A CRC32C over the whole file catches a torn or corrupted file on reading, which then fails with the
 * reason rather than restoring garbage.
 * <p>
 * Layout (little-endian): magic {@code PSCK}, format version, wire job id, shard, range start, range length, slots,
 * state arrays, version, optimiser steps, then the parameters, each state array, the last sequences, the
 * incarnation bases, and the CRC32C of everything before it. Statistics are not kept: counters restart with the
 * restored shard.
 */
public final class ShardCheckpointFile
{
    private static final int MAGIC = 0x4B435350;
    private static final int FORMAT_VERSION = 1;
    private static final int HEADER_BYTES = 4 + 4 + 8 + 4 + 4 + 4 + 4 + 4 + 8 + 8;

    private ShardCheckpointFile()
    {
    }

    /**
     * Get the file of a shard's checkpoint in a directory.
     *
     * @param directory the job's shard checkpoint directory.
     * @param shard     the shard's index.
     * @return the path.
     */
    public static Path path(final Path directory, final int shard)
    {
        return directory.resolve("shard-" + shard + ".ckpt");
    }

    /**
     * Write a checkpoint atomically (see the class documentation).
     *
     * @param file     where it goes; its directory is created if missing.
     * @param snapshot what to write.
     * @return the bytes written.
     * @throws IOException if it could not be written completely (a full disk, a missing permission); the previous
     *                     checkpoint, if any, is then left as it was and the temporary file removed.
     */
    public static long write(final Path file, final ShardSnapshot snapshot) throws IOException
    {
        final int length = snapshot.parameters().length;
        final float[][] state = snapshot.optimiserState();
        final int slots = snapshot.lastAppliedSequences().length;
        final long size = (long)HEADER_BYTES + 4L * length * (1 + state.length) + 16L * slots + 8;
        if (size > Integer.MAX_VALUE)
        {
            throw new IOException("checkpoint of shard " + snapshot.shard() + " would take " + size +
                " bytes, more than one file of this format holds");
        }
        final ByteBuffer buffer = ByteBuffer.allocate((int)size).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(MAGIC).putInt(FORMAT_VERSION).putLong(snapshot.jobId()).putInt(snapshot.shard())
            .putInt(snapshot.rangeStart()).putInt(length).putInt(slots).putInt(state.length)
            .putLong(snapshot.version()).putLong(snapshot.optimiserSteps());
        buffer.asFloatBuffer().put(snapshot.parameters());
        buffer.position(buffer.position() + 4 * length);
        for (final float[] array : state)
        {
            buffer.asFloatBuffer().put(array);
            buffer.position(buffer.position() + 4 * length);
        }
        buffer.asLongBuffer().put(snapshot.lastAppliedSequences()).put(snapshot.sequenceBases());
        buffer.position(buffer.position() + 16 * slots);
        final CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putLong(crc.getValue());
        buffer.flip();

        final Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        final Path temporary = directory.resolve(file.getFileName() + ".tmp");
        try
        {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
            {
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try
            {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                throw new IOException("the checkpoint directory " + directory + " cannot rename atomically; " +
                    "use a local file system or NFS, not one without atomic rename", ex);
            }
        }
        catch (final IOException ex)
        {
            Files.deleteIfExists(temporary);
            throw ex;
        }
        forceDirectory(directory);
        return size;
    }

    /**
     * Read a checkpoint.
     *
     * @param file the checkpoint.
     * @return the snapshot it holds, with no statistics.
     * @throws NoSuchFileException if there is none.
     * @throws IOException         if it cannot be read, or is torn, corrupted or not a checkpoint (the message says
     *                             which).
     */
    public static ShardSnapshot read(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < HEADER_BYTES + 8 || buffer.getInt() != MAGIC)
        {
            throw new IOException(file + " is not a shard checkpoint (" + bytes.length + " bytes, no PSCK magic)");
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        if (crc.getValue() != buffer.getLong(bytes.length - 8))
        {
            throw new IOException(file + " is corrupted or torn: its CRC32C does not match its contents");
        }
        final int format = buffer.getInt();
        if (format != FORMAT_VERSION)
        {
            throw new IOException(file + " has checkpoint format " + format + ", this version reads " +
                FORMAT_VERSION);
        }
        final long jobId = buffer.getLong();
        final int shard = buffer.getInt();
        final int rangeStart = buffer.getInt();
        final int length = buffer.getInt();
        final int slots = buffer.getInt();
        final int arrays = buffer.getInt();
        final long version = buffer.getLong();
        final long steps = buffer.getLong();
        final long expected = (long)HEADER_BYTES + 4L * length * (1 + arrays) + 16L * slots + 8;
        if (length < 0 || slots < 0 || arrays < 0 || expected != bytes.length)
        {
            throw new IOException(file + " declares " + length + " parameters, " + arrays + " state arrays and " +
                slots + " slots, which do not match its " + bytes.length + " bytes");
        }
        final float[] parameters = new float[length];
        buffer.asFloatBuffer().get(parameters);
        buffer.position(buffer.position() + 4 * length);
        final float[][] state = new float[arrays][length];
        for (final float[] array : state)
        {
            buffer.asFloatBuffer().get(array);
            buffer.position(buffer.position() + 4 * length);
        }
        final long[] lastSequences = new long[slots];
        final long[] bases = new long[slots];
        buffer.asLongBuffer().get(lastSequences).get(bases);
        return new ShardSnapshot(jobId, shard, rangeStart, version, parameters, state, steps, lastSequences, bases,
            null);
    }

    private static void forceDirectory(final Path directory)
    {
        // Makes the rename durable on Linux; some platforms cannot open a directory, where the rename is all we get.
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            // Not supported here: the checkpoint is written, its rename may not survive a power loss.
        }
    }
}
