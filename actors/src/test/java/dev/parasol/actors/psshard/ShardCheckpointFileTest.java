package dev.parasol.actors.psshard;

import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.actors.worker.Incarnations;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.optim.OptimiserConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardCheckpointFileTest
{
    private static final long JOB = 99L;
    private static final int LENGTH = 500;
    private static final KeyRange RANGE = new KeyRange(1, 500, 500 + LENGTH);
    private static final int WORKERS = 2;

    @TempDir
    Path directory;

    private final ShardMessages messages = new ShardMessages(JOB, 1, 500, LENGTH);
    private final ShardMessages.CapturingSender sender = new ShardMessages.CapturingSender();

    private static ShardState newState()
    {
        return new ShardState(JOB, RANGE, ShardMessages.gaussian(new SplittableRandom(3), LENGTH), 0,
            OptimiserConfig.of(OptimiserConfig.Kind.ADAM, 0.01f), StalenessPolicy.CONSTANT, WORKERS);
    }

    private ShardState trained()
    {
        final ShardState state = newState();
        assertEquals(ShardState.APPLIED,
            messages.sparsePush(0, 1, 0, new int[] {1, 7}, new float[] {0.5f, -1.0f}).feed(state, sender));
        assertEquals(ShardState.APPLIED,
            messages.densePush(1, 1, 1, ShardMessages.gaussian(new SplittableRandom(4), LENGTH)).feed(state, sender));
        state.admitIncarnation(1, Incarnations.sequenceBase(1));
        return state;
    }

    @Test
    void shouldRestoreParametersOptimiserStateVersionAndSequencesWhenWrittenAndRead() throws IOException
    {
        final ShardState original = trained();
        final ShardSnapshot taken = original.snapshot();
        final Path file = ShardCheckpointFile.path(directory.resolve("job/shards"), 1);

        final long bytes = ShardCheckpointFile.write(file, taken);
        final ShardSnapshot read = ShardCheckpointFile.read(file);

        assertEquals(Files.size(file), bytes);
        assertFalse(Files.exists(file.resolveSibling(file.getFileName() + ".tmp")));
        assertEquals(2, read.version());
        assertArrayEquals(taken.parameters(), read.parameters());
        assertEquals(2, read.optimiserState().length);
        assertArrayEquals(taken.optimiserState()[1], read.optimiserState()[1]);
        assertEquals(2, read.optimiserSteps());
        assertArrayEquals(taken.lastAppliedSequences(), read.lastAppliedSequences());
        assertArrayEquals(taken.sequenceBases(), read.sequenceBases());

        // A new life of the shard takes it up exactly: same parameters, same next step, old pushes never again.
        final ShardState restored = newState();
        restored.restore(read);
        final float[] gradient = ShardMessages.gaussian(new SplittableRandom(5), LENGTH);
        assertEquals(ShardState.APPLIED, messages.densePush(0, 2, 2, gradient).feed(original, sender));
        assertEquals(ShardState.APPLIED, messages.densePush(0, 2, 2, gradient).feed(restored, sender));
        assertArrayEquals(original.snapshot().parameters(), restored.snapshot().parameters());
        assertEquals(ShardState.DUPLICATE,
            messages.sparsePush(0, 1, 0, new int[] {1}, new float[] {9.0f}).feed(restored, sender));
        assertEquals(ShardState.REJECTED,
            messages.sparsePush(1, 2, 0, new int[] {1}, new float[] {9.0f}).feed(restored, sender));
        // Every worker is due the whole range from the restored shard.
        assertEquals(ShardState.SERVED, messages.request(0, 3, 3).feed(restored, sender));
        assertTrue(sender.last().isDense());
    }

    @Test
    void shouldRefuseATornCorruptedForeignOrMissingCheckpoint() throws IOException
    {
        final Path file = ShardCheckpointFile.path(directory, 1);
        ShardCheckpointFile.write(file, trained().snapshot());
        final byte[] bytes = Files.readAllBytes(file);

        final byte[] flipped = bytes.clone();
        flipped[100] ^= 1;
        Files.write(file, flipped);
        assertTrue(assertThrows(IOException.class, () -> ShardCheckpointFile.read(file)).getMessage()
            .contains("corrupted or torn"));

        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertThrows(IOException.class, () -> ShardCheckpointFile.read(file));

        Files.writeString(file, "not a checkpoint at all, just some text that is long enough to have a header");
        assertTrue(assertThrows(IOException.class, () -> ShardCheckpointFile.read(file)).getMessage()
            .contains("not a shard checkpoint"));

        assertThrows(NoSuchFileException.class, () -> ShardCheckpointFile.read(directory.resolve("none.ckpt")));

        Files.write(file, bytes);
        final ShardSnapshot foreign = ShardCheckpointFile.read(file);
        final ShardState otherJob = new ShardState(JOB + 1, RANGE, new float[LENGTH], 0,
            OptimiserConfig.of(OptimiserConfig.Kind.ADAM, 0.01f), StalenessPolicy.CONSTANT, WORKERS);
        assertThrows(IllegalArgumentException.class, () -> otherJob.restore(foreign));
    }

    @Test
    void shouldLeaveThePreviousCheckpointWhenANewOneCannotBeWritten() throws IOException
    {
        final Path file = ShardCheckpointFile.path(directory, 1);
        final ShardState state = trained();
        ShardCheckpointFile.write(file, state.snapshot());
        // The temporary file's name is taken by a directory: the write fails before the rename.
        Files.createDirectory(file.resolveSibling(file.getFileName() + ".tmp"));
        Files.writeString(file.resolveSibling(file.getFileName() + ".tmp").resolve("x"), "x");

        assertThrows(IOException.class, () -> ShardCheckpointFile.write(file, state.snapshot()));
        assertEquals(2, ShardCheckpointFile.read(file).version());
    }
}
