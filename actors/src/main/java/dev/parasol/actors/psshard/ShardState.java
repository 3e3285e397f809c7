package dev.parasol.actors.psshard;

import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.engine.compress.CompressedGradient;
import dev.parasol.engine.model.KeyRange;
import dev.parasol.engine.optim.Optimiser;
import dev.parasol.engine.optim.OptimiserConfig;
import dev.parasol.wire.CodecException;
import dev.parasol.wire.DenseDecoder;
import dev.parasol.wire.DenseEncoder;
import dev.parasol.wire.Encoding;
import dev.parasol.wire.MessageHeaderDecoder;
import dev.parasol.wire.MessageAuthenticator;
import dev.parasol.wire.MessageHeaderEncoder;
import dev.parasol.wire.MessageType;
import dev.parasol.wire.QuantizedDecoder;
import dev.parasol.wire.RejectCounters;
import dev.parasol.wire.RejectReason;
import dev.parasol.wire.SignDecoder;
import dev.parasol.wire.SparseDecoder;
import dev.parasol.wire.SparseEncoder;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of one parameter-server shard: one job's key range of parameters, its optimiser, a version, the last
 * sequence applied per worker, what changed since the last update sent to each worker, and staleness statistics.
 * Pure and single-threaded: no Aeron, no actors; {@link ShardAgent} drives it from the data plane. Nothing is
 * allocated per message once the staleness histogram has seen the largest staleness of the run.
 * <p>
 * <b>Slots.</b> Worker ids {@code 0 .. workers - 1} are the training workers; id {@link #evaluatorId()} ({@code =
 * workers}) is the evaluator, which only requests parameters (it may push, and is then treated like a worker). Any
 * other id is rejected ({@link ShardRejectReason#UNKNOWN_WORKER}).
 * <p>
 * <b>A message</b> goes through {@link #onMessage}:
 * <ol>
 *     <li>Wire validation ({@link MessageHeaderDecoder#wrap(DirectBuffer, int, int, long, int, int)}: frame,
 *     checksum, fields, job id, key range inside the shard's), then the protocol checks: a known worker slot, this
 *     shard's id, a key range equal to the shard's (one message per shard and step), and a sequence above the base
 *     of the slot's current incarnation ({@link #admitIncarnation}: a replaced worker that comes back is refused). A rejection is counted by
 *     reason and changes nothing: parameters, version, sequences, dirty sets and statistics stay as they were (only
 *     {@link #bytesIn()} and the reject counters move), and no reply is sent.</li>
 *     <li>{@code GRADIENT_PUSH}: the payload is decoded into scratch arrays (dense, sparse f32/f16, QSGD, sign) and
 *     validated before anything else happens. Then, in order:
 *     <ul>
 *         <li>A sequence at or below the worker's last applied one is a duplicate: counted, never applied again, but
 *         acknowledged with a reply, so that a worker that lost the first acknowledgement can proceed.</li>
 *         <li>Staleness {@code tau = version - baseVersion}. A negative base version is rejected
 *         ({@link ShardRejectReason#NEGATIVE_BASE_VERSION}). A base version <em>ahead</em> of the shard cannot come
 *         from an honest worker of this shard's lifetime, but it can after the shard was restored from an older
 *         checkpoint while the worker kept its replica; rejecting would stall that worker forever, so the push is
 *         applied as fresh ({@code tau = 0}) and counted ({@link #futureBaseVersionCount()}).</li>
 *         <li>The sequence becomes the worker's last applied one and tau is recorded in the staleness histogram
 *         (for dropped pushes too: they are the stalest, and leaving them out would hide the tail).</li>
 *         <li>If the {@link StalenessPolicy} drops tau, the push is counted as dropped and acknowledged.</li>
 *         <li>Otherwise the optimiser takes a step with the learning rate scaled by {@link StalenessPolicy#scale}:
 *         sparse for sparse payloads (lazy: only the named coordinates change), dense for the others (QSGD and sign
 *         are reconstructed first). The version is incremented and the changed coordinates are marked dirty for
 *         every slot.</li>
 *         <li>A {@code PARAMETER_UPDATE} goes back to the pusher: it is the acknowledgement (header sequence = the
 *         push's).</li>
 *     </ul></li>
 *     <li>{@code PARAMETER_REQUEST} ({@code SPARSE_F32}, no entries): replied with a {@code PARAMETER_UPDATE}, nothing
 *     applied; a request older than the newest message of its slot is a replay and is refused
 *     ({@link ShardRejectReason#REPLAYED_REQUEST}). If the request's base version is not the target version of the last update sent to that worker, the
 *     worker's replica is not what the shard thinks (a restart, a lost reply), so the whole range is sent.</li>
 *     <li>Any other type is rejected ({@link ShardRejectReason#UNEXPECTED_TYPE}).</li>
 * </ol>
 * <p>
 * <b>Updates (the downlink).</b> A reply carries the <em>absolute</em> values of every coordinate changed since the
 * last update sent to that worker: {@code SPARSE_F32} with sorted indices relative to the range start, or
 * {@code DENSE_F32} of the whole range the first time, after a dense or quantised push, or once more than a third of
 * the range changed (where dense is no bigger). Header: sequence = the message answered, base version = the target
 * version of the previous update sent to that worker (0 before the first), target version = the shard's version now.
 * A worker must write every update it receives, acknowledgements included, over its replica: the shard forgets the
 * changes it sent. If the sender refuses the reply (negative result) or a parameter is no longer finite (the encoder
 * refuses it), the changes stay pending for the next reply and {@link #replyFailureCount()} counts it.
 * <p>
 * <b>A backup copy</b> ({@link #attachBackup}): a primary with a backup forwards every push it applied or dropped, as
 * received (the worker's signature stays valid), in its order of application, and holds the push's
 * acknowledgement ({@link HeldAcknowledgements}) until the backup confirms it with the acknowledgement its own state
 * produced, which comes back as a {@code PARAMETER_UPDATE} carrying the worker slot and sequence. The backup is a
 * state in {@link #becomeReplica() replica} mode fed only by its primary: it applies the same pushes in the same
 * order from the same start, so it holds the same version, parameters, optimiser state and sequences, and it skips
 * the incarnation check (its primary already made it). A resent push whose acknowledgement is still held is not
 * answered: the confirmation will answer it. If a forward is refused, or the agent sees no confirmation for too
 * long, the primary goes on alone ({@link #detachBackup}): it releases what it held, in order; nothing it
 * applied is lost, only the copy. When the primary is lost, the backup is {@link #promote() promoted} in place.
 * Requests are never forwarded: they change no parameter.
 * <p>
 * <b>Reconstruction of QSGD and sign payloads</b> follows the wire format: coordinate i is
 * {@code scale[i / blockSize] * level[i]} ({@link QuantizedDecoder#dequantize}), the scale on the wire being the
 * per-level unit. A sender holding a {@link CompressedGradient} puts {@code blockScales()[b] / maxLevel()} (computed
 * in float) on the wire, so this product is bit-identical to the {@code level * (blockScale / maxLevel)} its error
 * feedback subtracted.
 */
public final class ShardState
{
    /**
     * Outcome of {@link #onMessage}: rejected (wire or protocol reason), nothing changed, no reply.
     */
    public static final int REJECTED = 0;

    /**
     * Outcome of {@link #onMessage}: a push applied and acknowledged.
     */
    public static final int APPLIED = 1;

    /**
     * Outcome of {@link #onMessage}: a push seen before, acknowledged, not applied.
     */
    public static final int DUPLICATE = 2;

    /**
     * Outcome of {@link #onMessage}: a push dropped by the staleness policy, acknowledged, not applied.
     */
    public static final int DROPPED_STALE = 3;

    /**
     * Outcome of {@link #onMessage}: a parameter request answered.
     */
    public static final int SERVED = 4;

    /**
     * Outcome of {@link #onMessage}: a backup confirmed a forwarded push, whose acknowledgement went to its worker.
     */
    public static final int CONFIRMED = 5;

    /**
     * Outcome of {@link #onMessage}: an empty message, a sender's tail probe ({@code TailProbe}); nothing to do.
     */
    public static final int PROBE = 6;

    /**
     * A worker's update turns dense once more than {@code length / DENSE_DIVISOR} coordinates changed: a sparse entry
     * takes 5 to 9 bytes against 4 per dense coordinate, so from a third on dense is no bigger and much cheaper.
     */
    public static final int DENSE_DIVISOR = 3;

    /**
     * Initial highest staleness the histogram tracks without resizing (it resizes beyond, allocating once).
     */
    public static final long STALENESS_HIGHEST_TRACKABLE = 1L << 20;

    private static final int STALENESS_SIGNIFICANT_DIGITS = 3;

    private final long jobId;
    private final KeyRange range;
    private final int shardId;
    private final int rangeStart;
    private final int rangeEnd;
    private final int length;
    private final int slots;
    private final float[] params;
    private final Optimiser optimiser;
    private final StalenessPolicy policy;
    private final long[] lastSequence;
    private final long[] sequenceBase;
    private final long[] newestSequence;
    private final long[] acceptedPushes;
    private final long[] sentVersion;
    private final long[] releasedSequence;
    private final HeldAcknowledgements held;
    private final DirtySet[] dirty;
    private final Histogram staleness;
    private final RejectCounters wireRejects = new RejectCounters();
    private final long[] shardRejects = new long[ShardRejectReason.count()];

    private final MessageHeaderDecoder decoder = new MessageHeaderDecoder();
    private final CompressedGradient gradient;
    private final MessageHeaderEncoder replyHeader = new MessageHeaderEncoder();
    private final UnsafeBuffer replyBuffer;
    private final int[] replyIndices;
    private final float[] replyValues;

    private long version;
    private long applied;
    private long droppedStale;
    private long duplicates;
    private long requests;
    private long repliesSent;
    private long replyFailures;
    private long bytesIn;
    private long bytesOut;
    private long evaluationBytesOut;
    private long futureBaseVersions;
    private boolean replica;
    private ReplySender backup;
    private long replicationBytes;
    private long backupDetaches;
    private long confirmations;
    private long probesReceived;

    /**
     * Construct the state of a shard at version 0, every worker due a full update.
     *
     * @param jobId             the job; messages of other jobs are rejected.
     * @param range             the key range the shard owns; {@link KeyRange#shard()} is the shard id.
     * @param initialParameters source of the initial parameters.
     * @param initialOffset     index in {@code initialParameters} of the value of key {@code range.start()}: 0 for an
     *                          array of the range, {@code range.start()} for the whole model's vector.
     * @param optimiserConfig   the optimiser; a new one is built and initialised to the range length.
     * @param policy            how staleness scales or drops a push.
     * @param workers           number of training workers, at least 1; one more slot is kept for the evaluator.
     */
    public ShardState(
        final long jobId,
        final KeyRange range,
        final float[] initialParameters,
        final int initialOffset,
        final OptimiserConfig optimiserConfig,
        final StalenessPolicy policy,
        final int workers)
    {
        this(jobId, range, initialParameters, initialOffset, optimiserConfig, policy, workers, null);
    }

    /**
     * Construct the state of a shard at version 0, every worker due a full update, that accepts only messages
     * signed with the job's key and signs its replies.
     *
     * @param jobId             the job; messages of other jobs are rejected.
     * @param range             the key range the shard owns; {@link KeyRange#shard()} is the shard id.
     * @param initialParameters source of the initial parameters.
     * @param initialOffset     index in {@code initialParameters} of the value of key {@code range.start()}.
     * @param optimiserConfig   the optimiser; a new one is built and initialised to the range length.
     * @param policy            how staleness scales or drops a push.
     * @param workers           number of training workers, at least 1; one more slot is kept for the evaluator.
     * @param authenticator     the job's key, used only on the thread that drives this state; null for unsigned
     *                          messages (tests and benchmarks).
     */
    public ShardState(
        final long jobId,
        final KeyRange range,
        final float[] initialParameters,
        final int initialOffset,
        final OptimiserConfig optimiserConfig,
        final StalenessPolicy policy,
        final int workers,
        final MessageAuthenticator authenticator)
    {
        if (null == range || null == initialParameters || null == optimiserConfig || null == policy)
        {
            throw new IllegalArgumentException("range=" + range + " initialParameters=" +
                (null == initialParameters ? "null" : "float[" + initialParameters.length + "]") +
                " optimiserConfig=" + optimiserConfig + " policy=" + policy + ", expected none null");
        }
        if (workers < 1 || workers == Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("workers=" + workers + ", expected at least 1");
        }
        if (initialOffset < 0 || initialOffset > initialParameters.length - range.length())
        {
            throw new IllegalArgumentException("initialOffset=" + initialOffset + " with range length " +
                range.length() + ", expected a slice inside initialParameters of length " + initialParameters.length);
        }

        this.jobId = jobId;
        this.range = range;
        this.shardId = range.shard();
        this.rangeStart = range.start();
        this.rangeEnd = range.end();
        this.length = range.length();
        this.slots = workers + 1;
        this.params = Arrays.copyOfRange(initialParameters, initialOffset, initialOffset + length);
        this.optimiser = optimiserConfig.newOptimiser();
        optimiser.initialise(length);
        this.policy = policy;
        this.lastSequence = new long[slots];
        this.sequenceBase = new long[slots];
        this.newestSequence = new long[slots];
        this.acceptedPushes = new long[slots];
        Arrays.fill(sequenceBase, Long.MIN_VALUE);
        this.sentVersion = new long[slots];
        this.releasedSequence = new long[slots];
        this.held = new HeldAcknowledgements(2 * slots);
        final int threshold = length / DENSE_DIVISOR;
        this.dirty = new DirtySet[slots];
        for (int slot = 0; slot < slots; slot++)
        {
            dirty[slot] = new DirtySet(length, threshold);
        }
        this.staleness = new Histogram(STALENESS_HIGHEST_TRACKABLE, STALENESS_SIGNIFICANT_DIGITS);
        staleness.setAutoResize(true);

        this.gradient = CompressedGradient.forAnyEncoding(length, 1);
        this.replyIndices = new int[threshold + 1];
        this.replyValues = new float[threshold + 1];
        this.replyBuffer = new UnsafeBuffer(new byte[maxReplyLength(length)]);
        decoder.authenticator(authenticator);
        replyHeader
            .authenticator(authenticator)
            .messageType(MessageType.PARAMETER_UPDATE)
            .jobId(jobId)
            .shardId(shardId)
            .keyRange(rangeStart, length);
    }

    /**
     * Get the length of the largest reply of a shard of this many coordinates: a dense update of the range, with
     * room for an authentication tag.
     *
     * @param length coordinates in the range.
     * @return the largest message length in bytes.
     */
    public static int maxReplyLength(final int length)
    {
        return MessageAuthenticator.TAG_LENGTH + Math.max(
            DenseEncoder.length(length), SparseEncoder.maxLength(Encoding.SPARSE_F32, length / DENSE_DIVISOR + 1));
    }

    /**
     * Validate a message and act on it: apply a push, answer a request, or reject. See the class documentation.
     *
     * @param buffer  holding the message.
     * @param offset  of the first byte of the message.
     * @param length  of the message in bytes, exactly.
     * @param replies where the reply goes; called at most once, before this method returns.
     * @return {@link #APPLIED}, {@link #DUPLICATE}, {@link #DROPPED_STALE}, {@link #SERVED}, {@link #CONFIRMED},
     *         {@link #PROBE} or {@link #REJECTED}.
     */
    public int onMessage(final DirectBuffer buffer, final int offset, final int length, final ReplySender replies)
    {
        if (length == 0)
        {
            // A tail probe: it only made the transport see the stream move on. Carries nothing, changes nothing.
            probesReceived++;
            return PROBE;
        }
        bytesIn += length;
        final MessageHeaderDecoder decoder = this.decoder;
        final RejectReason reason = decoder.wrap(buffer, offset, length, jobId, rangeStart, rangeEnd);
        if (reason != RejectReason.NONE)
        {
            wireRejects.record(reason);
            return REJECTED;
        }

        final int workerId = decoder.workerId();
        if (workerId < 0 || workerId >= slots)
        {
            return reject(ShardRejectReason.UNKNOWN_WORKER);
        }
        if (decoder.shardId() != shardId)
        {
            return reject(ShardRejectReason.WRONG_SHARD);
        }
        if (decoder.rangeStart() != rangeStart || decoder.rangeLength() != this.length)
        {
            return reject(ShardRejectReason.RANGE_MISMATCH);
        }
        final MessageType type = decoder.messageType();
        if (type == MessageType.PARAMETER_UPDATE)
        {
            // A confirmation names the push it confirms, which may be of an incarnation replaced since.
            return onConfirmation(workerId, replies);
        }
        if (!replica && decoder.sequence() <= sequenceBase[workerId])
        {
            return reject(ShardRejectReason.STALE_INCARNATION);
        }

        switch (type)
        {
            case GRADIENT_PUSH:
                return onPush(workerId, buffer, offset, length, replies);
            case PARAMETER_REQUEST:
                return replica ? reject(ShardRejectReason.UNEXPECTED_TYPE) : onRequest(workerId, replies);
            default:
                return reject(ShardRejectReason.UNEXPECTED_TYPE);
        }
    }

    /**
     * Make this state a backup copy fed by its primary (see the class documentation): it takes only pushes, which
     * its primary already checked against the slots' incarnations, and its acknowledgements go back to the primary
     * as confirmations, counted as replication bytes rather than bytes to workers.
     *
     * @throws IllegalStateException if it has a backup of its own.
     */
    public void becomeReplica()
    {
        if (backup != null)
        {
            throw new IllegalStateException("shard " + shardId + " has a backup and cannot be one");
        }
        replica = true;
    }

    /**
     * Is this state a backup copy?
     *
     * @return true between {@link #becomeReplica()} and {@link #promote()}.
     */
    public boolean isReplica()
    {
        return replica;
    }

    /**
     * Turn a backup copy into the shard that serves the workers, its primary being lost. It holds everything the
     * primary acknowledged, so a push it has applied is acknowledged at once when resent; every worker is then due
     * the whole range, since none holds what this copy holds.
     *
     * @throws IllegalStateException if the state is not a replica.
     */
    public void promote()
    {
        if (!replica)
        {
            throw new IllegalStateException("shard " + shardId + " is not a backup copy");
        }
        replica = false;
        for (int slot = 0; slot < slots; slot++)
        {
            newestSequence[slot] = Math.max(newestSequence[slot], lastSequence[slot]);
            releasedSequence[slot] = lastSequence[slot];
            sentVersion[slot] = version;
            dirty[slot].markAll();
        }
    }

    /**
     * Give this shard a backup copy: from now on every push it applies or drops is forwarded there, and its
     * acknowledgement is held until the copy confirms it. Only a shard that has taken no push yet can get one, so
     * that both start from the same state (the initial parameters of the job's seed).
     *
     * @param forward where pushes go, as received: the backup's stream.
     * @throws IllegalStateException if the state is a replica, has a backup, or has taken a push.
     */
    public void attachBackup(final ReplySender forward)
    {
        if (replica || backup != null || version != 0 || applied != 0 || droppedStale != 0)
        {
            throw new IllegalStateException("shard " + shardId + " cannot take a backup: replica=" + replica +
                " backup=" + (backup != null) + " version=" + version + " (a backup starts with a fresh shard)");
        }
        backup = forward;
    }

    /**
     * Go on without the backup (it was lost, refused a forward, or stopped confirming): the acknowledgements held
     * for it are sent now, in order. Nothing the shard applied is lost; only the copy is.
     *
     * @param replies where the released acknowledgements go.
     */
    public void detachBackup(final ReplySender replies)
    {
        if (backup == null)
        {
            return;
        }
        backup = null;
        backupDetaches++;
        while (!held.isEmpty())
        {
            final int workerId = held.headWorker();
            final long sequence = held.headSequence();
            held.removeHead();
            release(workerId, sequence, replies);
        }
    }

    /**
     * Does this shard forward its pushes to a backup?
     *
     * @return true while a backup is attached.
     */
    public boolean hasBackup()
    {
        return backup != null;
    }

    /**
     * Get the number of acknowledgements held for the backup's confirmation.
     *
     * @return the count.
     */
    public int heldAcknowledgementCount()
    {
        return held.size();
    }

    /**
     * Get the number of empty messages (tail probes) received.
     *
     * @return the count.
     */
    public long probeCount()
    {
        return probesReceived;
    }

    /**
     * Get the number of confirmations received from the backup.
     *
     * @return the count.
     */
    public long confirmationCount()
    {
        return confirmations;
    }

    /**
     * Hand a worker slot to a new incarnation of its worker (a replacement for one that was lost): from now on, a
     * message of the slot is accepted only with a sequence above {@code base}, so the earlier incarnation, whose
     * sequences are all at or below it, can change nothing even if it comes back; and the next update to the slot
     * carries the whole range, since the replacement's replica is not the one the shard last updated. Pushes of the
     * earlier incarnation that were applied stay applied: what a shard acknowledged is never taken back.
     *
     * @param workerId the slot, a worker or the evaluator.
     * @param base     the new incarnation's sequence base; its first message carries {@code base + 1}. Must be above
     *                 every sequence the slot has seen.
     * @return the pushes this shard took from the slot's earlier incarnation (applied or dropped as stale, not
     *         duplicates): what it really sent here, which its own telemetry may no longer be able to say.
     * @throws IllegalArgumentException if the slot is unknown or {@code base} is not above the slot's last sequence.
     */
    public long admitIncarnation(final int workerId, final long base)
    {
        if (workerId < 0 || workerId >= slots)
        {
            throw new IllegalArgumentException("workerId=" + workerId + ", expected 0.." + (slots - 1));
        }
        if (replica)
        {
            // The primary decides which incarnation it takes pushes from; the copy only keeps the base for the day
            // it is promoted, when a message of the replaced incarnation must be refused.
            sequenceBase[workerId] = Math.max(sequenceBase[workerId], base);
            return 0;
        }
        if (base < lastSequence[workerId] || base <= sequenceBase[workerId])
        {
            throw new IllegalArgumentException("base=" + base + " for worker " + workerId + ", expected above its " +
                "last sequence " + lastSequence[workerId] + " and its current base " + sequenceBase[workerId]);
        }
        sequenceBase[workerId] = base;
        lastSequence[workerId] = base;
        newestSequence[workerId] = base;
        releasedSequence[workerId] = base;
        dirty[workerId].markAll();
        final long accepted = acceptedPushes[workerId];
        acceptedPushes[workerId] = 0;
        return accepted;
    }

    private int onPush(
        final int workerId,
        final DirectBuffer buffer,
        final int offset,
        final int messageLength,
        final ReplySender replies)
    {
        final RejectReason reason = decodeGradient();
        if (reason != RejectReason.NONE)
        {
            wireRejects.record(reason);
            return REJECTED;
        }
        final long baseVersion = decoder.baseVersion();
        if (baseVersion < 0)
        {
            return reject(ShardRejectReason.NEGATIVE_BASE_VERSION);
        }
        wireRejects.record(RejectReason.NONE);

        final long sequence = decoder.sequence();
        if (sequence <= lastSequence[workerId])
        {
            duplicates++;
            if (sequence <= releasedSequence[workerId])
            {
                acknowledge(workerId, sequence, replies);
            }
            // Else its acknowledgement is held for the backup, and the confirmation will send it.
            return DUPLICATE;
        }
        lastSequence[workerId] = sequence;
        newestSequence[workerId] = Math.max(newestSequence[workerId], sequence);
        acceptedPushes[workerId]++;

        long tau = version - baseVersion;
        if (tau < 0)
        {
            futureBaseVersions++;
            tau = 0;
        }
        staleness.recordValue(tau);
        if (policy.drops(tau))
        {
            droppedStale++;
            settle(workerId, sequence, buffer, offset, messageLength, replies);
            return DROPPED_STALE;
        }

        apply(policy.scale(tau));
        version++;
        applied++;
        settle(workerId, sequence, buffer, offset, messageLength, replies);
        return APPLIED;
    }

    /**
     * Acknowledge a push taken, or, with a backup, forward it and hold the acknowledgement until the backup confirms.
     */
    private void settle(
        final int workerId,
        final long sequence,
        final DirectBuffer buffer,
        final int offset,
        final int messageLength,
        final ReplySender replies)
    {
        if (backup != null)
        {
            if (forward(workerId, buffer, offset, messageLength))
            {
                held.add(workerId, sequence);
                return;
            }
            detachBackup(replies);
        }
        release(workerId, sequence, replies);
    }

    private boolean forward(
        final int workerId, final DirectBuffer buffer, final int offset, final int messageLength)
    {
        boolean sent = false;
        try
        {
            sent = backup.send(workerId, buffer, offset, messageLength) >= 0;
        }
        catch (final RuntimeException ex)
        {
            // The copy is lost to us either way: detachBackup follows, and the push is acknowledged from here.
            sent = false;
        }
        if (sent)
        {
            replicationBytes += messageLength;
        }
        return sent;
    }

    private void release(final int workerId, final long sequence, final ReplySender replies)
    {
        if (sequence > sequenceBase[workerId])
        {
            acknowledge(workerId, sequence, replies);
        }
        // Else the slot has a new incarnation, which never sent this sequence.
        releasedSequence[workerId] = Math.max(releasedSequence[workerId], sequence);
    }

    private int onConfirmation(final int workerId, final ReplySender replies)
    {
        final long sequence = decoder.sequence();
        if (backup == null || held.isEmpty() || held.headWorker() != workerId || held.headSequence() != sequence)
        {
            return reject(ShardRejectReason.UNEXPECTED_CONFIRMATION);
        }
        wireRejects.record(RejectReason.NONE);
        held.removeHead();
        confirmations++;
        release(workerId, sequence, replies);
        return CONFIRMED;
    }

    private int onRequest(final int workerId, final ReplySender replies)
    {
        if (decoder.encoding() != Encoding.SPARSE_F32 || decoder.elementCount() != 0)
        {
            return reject(ShardRejectReason.MALFORMED_REQUEST);
        }
        final long sequence = decoder.sequence();
        if (sequence < newestSequence[workerId])
        {
            return reject(ShardRejectReason.REPLAYED_REQUEST);
        }
        wireRejects.record(RejectReason.NONE);
        newestSequence[workerId] = sequence;
        if (decoder.baseVersion() != sentVersion[workerId])
        {
            dirty[workerId].markAll();
        }
        requests++;
        reply(workerId, decoder.sequence(), replies);
        return SERVED;
    }

    private int reject(final ShardRejectReason reason)
    {
        shardRejects[reason.ordinal()]++;
        return REJECTED;
    }

    private RejectReason decodeGradient()
    {
        final CompressedGradient gradient = this.gradient;
        switch (decoder.encoding())
        {
            case DENSE_F32:
                return DenseDecoder.decode(decoder, gradient.values());
            case SPARSE_F32:
            case SPARSE_F16:
                return SparseDecoder.decode(decoder, gradient.indices(), gradient.values());
            case QSGD_8BIT:
            case QSGD_4BIT:
                return QuantizedDecoder.decode(decoder, gradient.levels(), gradient.blockScales());
            case SIGN:
                return SignDecoder.decode(decoder, gradient.levels(), gradient.blockScales());
            default:
                return RejectReason.BAD_ENCODING;
        }
    }

    private void apply(final float scale)
    {
        final CompressedGradient gradient = this.gradient;
        final Encoding encoding = decoder.encoding();
        if (CompressedGradient.isSparse(encoding))
        {
            final int count = decoder.elementCount();
            optimiser.stepSparseInPlace(params, 0, gradient.indices(), gradient.values(), count, scale);
            for (final DirtySet set : dirty)
            {
                set.mark(gradient.indices(), count);
            }
            return;
        }

        if (CompressedGradient.isQuantised(encoding))
        {
            // The values array is free for quantised payloads: reconstruct into it, then step as dense.
            QuantizedDecoder.dequantize(
                gradient.levels(), gradient.blockScales(), length, decoder.blockSize(), gradient.values());
        }
        optimiser.stepDenseInPlace(params, 0, gradient.values(), 0, length, scale);
        for (final DirtySet set : dirty)
        {
            set.markAll();
        }
    }

    private void reply(final int workerId, final long sequence, final ReplySender replies)
    {
        final DirtySet changes = dirty[workerId];
        replyHeader
            .workerId(workerId)
            .sequence(sequence)
            .baseVersion(sentVersion[workerId])
            .targetVersion(version);

        final boolean dense = changes.isAll();
        int count = 0;
        final int messageLength;
        if (dense)
        {
            messageLength = encodeDense();
        }
        else
        {
            count = changes.drainInto(replyIndices);
            final int[] indices = replyIndices;
            final float[] values = replyValues;
            final float[] params = this.params;
            for (int i = 0; i < count; i++)
            {
                values[i] = params[indices[i]];
            }
            messageLength = encodeSparse(count);
        }

        boolean sent = false;
        try
        {
            sent = messageLength >= 0 && replies.send(workerId, replyBuffer, 0, messageLength) >= 0;
        }
        finally
        {
            if (!sent)
            {
                // Not sent, even if the sender threw: the worker still needs these changes in its next update.
                replyFailures++;
                if (!dense)
                {
                    changes.mark(replyIndices, count);
                }
            }
        }
        if (!sent)
        {
            return;
        }
        if (dense)
        {
            changes.clearAll();
        }
        repliesSent++;
        countReply(workerId, messageLength);
        sentVersion[workerId] = version;
    }

    /**
     * Acknowledge a push with an update that carries nothing: the changes wait for the worker's next request, which
     * follows its next permit, so a coordinate changed again in between is sent once, not twice. The versions say
     * what the worker holds, unchanged, so its next push reports its staleness truthfully.
     */
    private void acknowledge(final int workerId, final long sequence, final ReplySender replies)
    {
        replyHeader
            .workerId(workerId)
            .sequence(sequence)
            .baseVersion(sentVersion[workerId])
            .targetVersion(sentVersion[workerId]);
        final int messageLength = encodeSparse(0);
        boolean sent = false;
        try
        {
            sent = messageLength >= 0 && replies.send(workerId, replyBuffer, 0, messageLength) >= 0;
        }
        finally
        {
            if (!sent)
            {
                replyFailures++;
            }
        }
        if (sent)
        {
            repliesSent++;
            countReply(workerId, messageLength);
        }
    }

    private void countReply(final int workerId, final int messageLength)
    {
        if (replica)
        {
            // A confirmation to the primary: replication traffic, not the downlink of training.
            replicationBytes += messageLength;
        }
        else if (workerId == evaluatorId())
        {
            evaluationBytesOut += messageLength;
        }
        else
        {
            bytesOut += messageLength;
        }
    }

    private int encodeDense()
    {
        try
        {
            return DenseEncoder.encode(replyBuffer, 0, replyHeader, params, 0, length);
        }
        catch (final CodecException ex)
        {
            // Only a parameter that is no longer finite gets here: divergence, which the watchdog reports.
            return -1;
        }
    }

    private int encodeSparse(final int count)
    {
        try
        {
            return SparseEncoder.encode(
                replyBuffer, 0, replyHeader, Encoding.SPARSE_F32, replyIndices, replyValues, count);
        }
        catch (final CodecException ex)
        {
            return -1;
        }
    }

    /**
     * Get the job this shard belongs to.
     *
     * @return the job id.
     */
    public long jobId()
    {
        return jobId;
    }

    /**
     * Get the key range this shard owns.
     *
     * @return the range; its shard index is the shard id.
     */
    public KeyRange range()
    {
        return range;
    }

    /**
     * Get the number of worker slots: the training workers plus the evaluator.
     *
     * @return workers + 1.
     */
    public int slots()
    {
        return slots;
    }

    /**
     * Get the worker id the evaluator uses.
     *
     * @return the last slot, equal to the number of training workers.
     */
    public int evaluatorId()
    {
        return slots - 1;
    }

    /**
     * Get the shard's version: the number of pushes applied.
     *
     * @return the version.
     */
    public long version()
    {
        return version;
    }

    /**
     * Get the optimiser, for checkpoints of its state.
     *
     * @return the live optimiser.
     */
    public Optimiser optimiser()
    {
        return optimiser;
    }

    /**
     * Get the staleness policy.
     *
     * @return the policy.
     */
    public StalenessPolicy policy()
    {
        return policy;
    }

    /**
     * Copy the parameters of the range.
     *
     * @param destination at least {@link KeyRange#length()} long; {@code destination[i]} gets key
     *                    {@code range().start() + i}.
     */
    public void snapshotInto(final float[] destination)
    {
        System.arraycopy(params, 0, destination, 0, length);
    }

    /**
     * Copy the parameters of the range into a slice of a larger array, such as the whole model's vector.
     *
     * @param destination the array.
     * @param offset      where the value of key {@code range().start()} goes.
     */
    public void snapshotInto(final float[] destination, final int offset)
    {
        System.arraycopy(params, 0, destination, offset, length);
    }

    /**
     * Get the last sequence applied (or dropped as stale) for a worker.
     *
     * @param workerId a slot, from 0 to {@link #evaluatorId()}.
     * @return the sequence, 0 before the first push.
     */
    public long lastAppliedSequence(final int workerId)
    {
        return lastSequence[workerId];
    }

    /**
     * Get the target version of the last update sent to a worker: the version its replica holds once written.
     *
     * @param workerId a slot, from 0 to {@link #evaluatorId()}.
     * @return the version, 0 before the first update.
     */
    public long lastSentVersion(final int workerId)
    {
        return sentVersion[workerId];
    }

    /**
     * Get the number of pushes applied.
     *
     * @return the count.
     */
    public long appliedCount()
    {
        return applied;
    }

    /**
     * Get the number of pushes dropped by the staleness policy.
     *
     * @return the count.
     */
    public long droppedStaleCount()
    {
        return droppedStale;
    }

    /**
     * Get the number of pushes whose sequence was already applied or dropped.
     *
     * @return the count.
     */
    public long duplicateCount()
    {
        return duplicates;
    }

    /**
     * Get the number of parameter requests served.
     *
     * @return the count.
     */
    public long requestCount()
    {
        return requests;
    }

    /**
     * Get the number of replies the sender accepted.
     *
     * @return the count.
     */
    public long repliesSentCount()
    {
        return repliesSent;
    }

    /**
     * Get the number of replies not sent: refused by the sender or not encodable.
     *
     * @return the count.
     */
    public long replyFailureCount()
    {
        return replyFailures;
    }

    /**
     * Get the number of pushes whose base version was ahead of the shard's, applied with staleness 0.
     *
     * @return the count.
     */
    public long futureBaseVersionCount()
    {
        return futureBaseVersions;
    }

    /**
     * Get the bytes of every message given to {@link #onMessage}, rejected ones included.
     *
     * @return the byte count.
     */
    public long bytesIn()
    {
        return bytesIn;
    }

    /**
     * Get the bytes of the replies sent to workers; replies to the evaluator are counted apart.
     *
     * @return the byte count.
     */
    public long bytesOut()
    {
        return bytesOut;
    }

    /**
     * Get the bytes of the replies sent to the evaluator.
     *
     * @return the byte count.
     */
    public long evaluationBytesOut()
    {
        return evaluationBytesOut;
    }

    /**
     * Get the counters of wire-level outcomes: accepted messages under {@link RejectReason#NONE}, rejections by
     * reason.
     *
     * @return the live counters, owned by the shard's thread.
     */
    public RejectCounters wireRejects()
    {
        return wireRejects;
    }

    /**
     * Get the number of messages rejected for a protocol reason.
     *
     * @param reason the reason.
     * @return the count.
     */
    public long rejectCount(final ShardRejectReason reason)
    {
        return shardRejects[reason.ordinal()];
    }

    /**
     * Get the number of messages rejected, wire and protocol reasons together.
     *
     * @return the count.
     */
    public long rejectedCount()
    {
        long total = wireRejects.totalRejected();
        for (final long count : shardRejects)
        {
            total += count;
        }
        return total;
    }

    /**
     * Get the number of staleness samples: pushes applied or dropped.
     *
     * @return the count.
     */
    public long stalenessCount()
    {
        return staleness.getTotalCount();
    }

    /**
     * Get a staleness percentile.
     *
     * @param percentile from 0 to 100.
     * @return the staleness at that percentile, 0 with no samples.
     */
    public long stalenessPercentile(final double percentile)
    {
        return staleness.getValueAtPercentile(percentile);
    }

    /**
     * Get the largest staleness seen.
     *
     * @return the maximum, 0 with no samples.
     */
    public long stalenessMax()
    {
        return staleness.getMaxValue();
    }

    /**
     * Copy the staleness histogram, for a reader on another thread.
     *
     * @param target overwritten with this shard's histogram.
     */
    public void copyStalenessInto(final Histogram target)
    {
        staleness.copyInto(target);
    }

    /**
     * Take a copy of the counters and staleness percentiles. Allocates: for telemetry, not the hot path.
     *
     * @return the statistics now.
     */
    public ShardStatistics statistics()
    {
        final Map<String, Long> rejectsByReason = new LinkedHashMap<>();
        for (final RejectReason reason : RejectReason.values())
        {
            final long count = wireRejects.get(reason);
            if (reason != RejectReason.NONE && count > 0)
            {
                rejectsByReason.put(reason.name(), count);
            }
        }
        for (int i = 0; i < shardRejects.length; i++)
        {
            if (shardRejects[i] > 0)
            {
                rejectsByReason.put(ShardRejectReason.fromOrdinal(i).name(), shardRejects[i]);
            }
        }
        return new ShardStatistics(
            jobId,
            shardId,
            version,
            applied,
            droppedStale,
            duplicates,
            requests,
            repliesSent,
            replyFailures,
            rejectedCount(),
            bytesIn,
            bytesOut,
            evaluationBytesOut,
            futureBaseVersions,
            stalenessCount(),
            stalenessPercentile(50.0),
            stalenessPercentile(99.0),
            stalenessMax(),
            rejectsByReason,
            0,
            0,
            -1,
            replicationBytes,
            backupDetaches);
    }

    /**
     * Take a copy of the parameters, optimiser state, sequences and statistics, for a checkpoint or the final model.
     * Allocates: for the control path.
     *
     * @return the snapshot.
     */
    public ShardSnapshot snapshot()
    {
        final float[][] state = optimiser.state();
        final float[][] stateCopy = new float[state.length][];
        for (int i = 0; i < state.length; i++)
        {
            stateCopy[i] = state[i].clone();
        }
        return new ShardSnapshot(jobId, shardId, rangeStart, version, params.clone(), stateCopy, optimiser.steps(),
            lastSequence.clone(), sequenceBase.clone(), statistics());
    }

    /**
     * Put back the state of a checkpoint of this shard, taken by {@link #snapshot()} of an earlier life of it: the
     * parameters, optimiser state, version, and each slot's last sequence and incarnation base, so a push applied
     * before the checkpoint is never applied again and a replaced worker stays refused. Every worker is then due the
     * whole range, since none holds what the shard now holds. Counters start again from zero.
     *
     * @param checkpoint a snapshot of the same job, shard, range and number of slots.
     * @throws IllegalArgumentException if the checkpoint is of another job, shard or shape.
     */
    public void restore(final ShardSnapshot checkpoint)
    {
        if (checkpoint.jobId() != jobId || checkpoint.shard() != shardId || checkpoint.rangeStart() != rangeStart ||
            checkpoint.parameters().length != length || checkpoint.lastAppliedSequences().length != slots ||
            checkpoint.sequenceBases().length != slots || checkpoint.version() < 0)
        {
            throw new IllegalArgumentException("checkpoint of job " + checkpoint.jobId() + " shard " +
                checkpoint.shard() + " (start " + checkpoint.rangeStart() + ", " + checkpoint.parameters().length +
                " parameters, " + checkpoint.lastAppliedSequences().length + " slots, version " +
                checkpoint.version() + "), expected job " + jobId + " shard " + shardId + " (start " + rangeStart +
                ", " + length + " parameters, " + slots + " slots)");
        }
        optimiser.restore(checkpoint.optimiserState(), checkpoint.optimiserSteps());
        System.arraycopy(checkpoint.parameters(), 0, params, 0, length);
        version = checkpoint.version();
        System.arraycopy(checkpoint.lastAppliedSequences(), 0, lastSequence, 0, slots);
        System.arraycopy(checkpoint.sequenceBases(), 0, sequenceBase, 0, slots);
        System.arraycopy(checkpoint.lastAppliedSequences(), 0, newestSequence, 0, slots);
        System.arraycopy(checkpoint.lastAppliedSequences(), 0, releasedSequence, 0, slots);
        for (int slot = 0; slot < slots; slot++)
        {
            // No worker's replica is known: the first update to each is the whole range (dense, as all is dirty).
            sentVersion[slot] = version;
            dirty[slot].markAll();
        }
    }
}
