package dev.parasol.actors.psshard;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a shard checkpoints: where its file goes, how often, and the checkpoint it starts from when it replaces a
 * shard that was lost.
 *
 * @param file        the checkpoint file ({@link ShardCheckpointFile#path}).
 * @param interval    time between checkpoints; zero or negative turns them off.
 * @param restoreFrom the state to start from, or null for a new shard (initial parameters).
 */
public record CheckpointPlan(Path file, Duration interval, ShardSnapshot restoreFrom)
{
}
