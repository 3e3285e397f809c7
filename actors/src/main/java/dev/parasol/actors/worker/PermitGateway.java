package dev.parasol.actors.worker;

/**
 * How a worker's agent talks to the job's scheduler without knowing it is an actor: the worker actor implements it
 * with {@code tell}s, which are safe from any thread; tests implement it directly.
 */
interface PermitGateway
{
    /**
     * Ask for permission to start a clock; the answer arrives later through {@link WorkerAgent#onPermit(long)} and
     * allows every clock up to the one it names. The loop asks one clock ahead: for its count of completed steps
     * plus one while the acknowledgements of its last step may still be in flight, and at most one request at a time.
     *
     * @param clock the clock the worker wants to start: its count of completed steps, or that plus one.
     */
    void requestPermit(long clock);

    /**
     * Report a completed step: every shard acknowledged its push.
     *
     * @param clock   the worker's clock after the step.
     * @param samples examples in the step's batch.
     * @param loss    the batch's mean loss.
     */
    void clockAdvanced(long clock, int samples, double loss);

    /**
     * Report that the worker stopped on its own, with the reason.
     *
     * @param reason why, e.g. a diverged loss.
     */
    void failed(String reason);
}
