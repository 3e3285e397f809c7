package dev.parasol.actors.job;

import dev.parasol.actors.dataplane.Endpoint;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.Arrays;

/**
 * The books a job runner keeps on replacing lost workers and evaluators: per slot, its current incarnation, where a
 * replacement stands (waiting for a node, placed, ready, admitted by some shards), the clock it joins at, and how
 * many replacements the job has used against its limit, so a part that keeps crashing ends the job instead of
 * looping. Owned by the runner actor; not thread-safe.
 */
final class SlotReplacements
{
    private enum Stage
    {
        NONE, WAITING_FOR_NODE, PLACED, READY
    }

    private final int[] incarnation;
    private final long[] clock;
    private final long[] sinceNs;
    private final Stage[] stage;
    private final ActorRef<?>[] part;
    private final Endpoint[] endpoint;
    private final int[] admitted;
    private final long[] previousPushes;
    private final int limit;
    private int used;

    SlotReplacements(final int slots, final int limit, final int firstIncarnation)
    {
        this.incarnation = new int[slots];
        // A job resumed under a new coordinator numbers its parts above every incarnation of its earlier runs.
        Arrays.fill(incarnation, firstIncarnation);
        this.clock = new long[slots];
        this.sinceNs = new long[slots];
        this.stage = new Stage[slots];
        Arrays.fill(stage, Stage.NONE);
        this.part = new ActorRef<?>[slots];
        this.endpoint = new Endpoint[slots];
        this.admitted = new int[slots];
        this.previousPushes = new long[slots];
        this.limit = limit;
    }

    boolean mayReplace()
    {
        return used < limit;
    }

    int used()
    {
        return used;
    }

    int incarnation(final int slot)
    {
        return incarnation[slot];
    }

    long clock(final int slot)
    {
        return clock[slot];
    }

    boolean isReplacing(final int slot)
    {
        return stage[slot] != Stage.NONE;
    }

    /**
     * Start replacing a slot: the next incarnation, waiting for a node.
     *
     * @return the new incarnation.
     */
    int begin(final int slot, final long joinClock)
    {
        used++;
        incarnation[slot]++;
        clock[slot] = joinClock;
        stage[slot] = Stage.WAITING_FOR_NODE;
        sinceNs[slot] = System.nanoTime();
        part[slot] = null;
        endpoint[slot] = null;
        admitted[slot] = 0;
        previousPushes[slot] = 0;
        return incarnation[slot];
    }

    boolean isWaitingForNode(final int slot)
    {
        return stage[slot] == Stage.WAITING_FOR_NODE;
    }

    void placed(final int slot)
    {
        stage[slot] = Stage.PLACED;
    }

    void ready(final int slot, final ActorRef<?> replacement, final Endpoint where)
    {
        stage[slot] = Stage.READY;
        part[slot] = replacement;
        endpoint[slot] = where;
    }

    ActorRef<?> part(final int slot)
    {
        return part[slot];
    }

    Endpoint endpoint(final int slot)
    {
        return endpoint[slot];
    }

    /**
     * Count one shard's admission of the slot's replacement.
     *
     * @return true when every shard has admitted it.
     */
    boolean admitted(final int slot, final int shards)
    {
        return stage[slot] == Stage.READY && ++admitted[slot] == shards;
    }

    void addPreviousPushes(final int slot, final long pushes)
    {
        previousPushes[slot] += pushes;
    }

    long previousPushes(final int slot)
    {
        return previousPushes[slot];
    }

    void done(final int slot)
    {
        stage[slot] = Stage.NONE;
        part[slot] = null;
        endpoint[slot] = null;
    }

    /**
     * Get a slot whose replacement has waited longer than allowed, if any.
     *
     * @return the slot, or -1.
     */
    int overdue(final long nowNs, final long timeoutNs)
    {
        for (int slot = 0; slot < stage.length; slot++)
        {
            if (stage[slot] != Stage.NONE && nowNs - sinceNs[slot] > timeoutNs)
            {
                return slot;
            }
        }
        return -1;
    }
}
