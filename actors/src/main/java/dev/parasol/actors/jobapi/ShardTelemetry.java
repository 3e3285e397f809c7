package dev.parasol.actors.jobapi;

import dev.parasol.actors.CborSerializable;

/**
 * What one parameter-server shard's uplink looked like at the latest step a progress event covers: the numbers
 * users need to tune compression and to notice error feedback going wrong.
 *
 * @param shardId      the shard.
 * @param k            coordinates sent per push (top-k / random-k k; the range length for dense and quantisers).
 * @param threshold    the magnitude of the smallest coordinate top-k kept, or NaN when the compressor has none.
 * @param density      fraction of the range's coordinates actually sent, in [0, 1].
 * @param residualNorm L2 norm of the error-feedback residual, or 0 without error feedback.
 * @param bytesUp      bytes offered to Aeron towards this shard since the job started.
 * @param bytesDown    bytes this shard offered to Aeron towards the workers since the job started.
 */
public record ShardTelemetry(
    int shardId, long k, double threshold, double density, double residualNorm, long bytesUp, long bytesDown)
    implements CborSerializable
{
}
