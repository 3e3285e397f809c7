package dev.parasol.actors.worker;

import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.dataplane.TrainingCounters;
import dev.parasol.engine.compress.CompressorSpec;
import dev.parasol.engine.data.InMemoryDataset;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.model.Workload;
import dev.parasol.wire.JobKey;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.List;

/**
 * Everything a worker needs to start: which job and which worker it is, what to train on, how to compress, and
 * where the shards listen. Local objects (data plane, data set): a worker is created on the node that holds them.
 *
 * @param jobId          the job's name, for logs and thread names.
 * @param wireJobId      the job id every data-plane message carries.
 * @param workerId       this worker, from 0.
 * @param workload       the model to train.
 * @param batchSize      examples per step.
 * @param compressor     the compressor of every push.
 * @param errorFeedback  whether to keep what was not sent in a residual.
 * @param warmupSteps    steps pushed dense before the compressor takes over.
 * @param overlap        compute each step's gradient while the previous step's round trip is in flight.
 * @param seed           this worker's seed, for batch order and compressor randomness.
 * @param ranges         the shards' key ranges, in shard order.
 * @param shardEndpoints where each shard listens, in shard order.
 * @param slice          this worker's slice of the training set.
 * @param dataPlane      the node's data plane.
 * @param counters       the job's counters.
 * @param streamId       the stream id of this worker's subscription.
 * @param resendIntervalNs how long to wait for a shard's reply before sending the same message again.
 * @param incarnation    0 for the first worker of the slot, 1, 2, ... for its replacements; its message sequences
 *                       start above every sequence of the earlier ones ({@link Incarnations}).
 * @param initialClock   the clock it starts at: 0, or where a replacement joins.
 * @param key            the job's key: every message to and from the worker is signed with it.
 * @param readyTo        told once the worker is connected to every shard.
 */
public record WorkerSetup(
    String jobId,
    long wireJobId,
    int workerId,
    Workload workload,
    int batchSize,
    CompressorSpec compressor,
    boolean errorFeedback,
    long warmupSteps,
    boolean overlap,
    long seed,
    List<KeyRange> ranges,
    List<Endpoint> shardEndpoints,
    InMemoryDataset slice,
    DataPlane dataPlane,
    TrainingCounters counters,
    int streamId,
    long resendIntervalNs,
    int incarnation,
    long initialClock,
    JobKey key,
    ActorRef<Worker.Ready> readyTo)
{
}
