package dev.parasol.actors.psshard;

import dev.parasol.actors.dataplane.DataPlane;
import dev.parasol.actors.dataplane.DynamicAgentRunner;
import dev.parasol.actors.dataplane.TrainingCounters;
import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.model.Workload;
import dev.parasol.engine.optim.OptimiserConfig;
import dev.parasol.wire.JobKey;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Everything a parameter-server shard needs to start. The shard computes its initial parameters itself from the
 * workload and the seed (the same initialisation on every node), so no model travels over the control plane.
 *
 * @param jobId     the job's name, for logs and agent names.
 * @param wireJobId the job id every data-plane message carries.
 * @param range     the key range this shard owns.
 * @param workload  the model, for its initialisation.
 * @param seed      the seed of the initialisation.
 * @param optimiser the optimiser and its hyperparameters.
 * @param staleness how stale updates are scaled or dropped.
 * @param workers   number of workers; the evaluator takes slot {@code workers}.
 * @param dataPlane the node's data plane.
 * @param counters  the job's counters, for the replies to workers.
 * @param evaluationCounters counters for the replies to the evaluator, kept apart from the training traffic.
 * @param runner    the node's composite runner of shard agents.
 * @param streamId  the stream id of the shard's subscription.
 * @param key       the job's key: every message to and from the shard is signed with it.
 * @param checkpoints where and how often to checkpoint, and what to restore; null for none.
 * @param backup    true for a backup copy of the shard, fed by its primary ({@link ShardState#becomeReplica()}).
 * @param promoted  the live state of this node's backup copy of the shard, which the shard continues from when it
 *                  replaces its lost primary; null otherwise (then {@code checkpoints} says where it starts).
 * @param readyTo   told once the shard listens.
 */
public record PsShardSetup(
    String jobId,
    long wireJobId,
    KeyRange range,
    Workload workload,
    long seed,
    OptimiserConfig optimiser,
    StalenessPolicy staleness,
    int workers,
    DataPlane dataPlane,
    TrainingCounters counters,
    TrainingCounters evaluationCounters,
    DynamicAgentRunner runner,
    int streamId,
    JobKey key,
    CheckpointPlan checkpoints,
    boolean backup,
    ShardState promoted,
    ActorRef<PsShard.Ready> readyTo)
{
}
