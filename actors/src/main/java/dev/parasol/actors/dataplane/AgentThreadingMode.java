package dev.parasol.actors.dataplane;

/**
 * How Parasol's own agents (shard appliers, worker loops) are put on threads, in the manner of Aeron's
 * {@code ThreadingMode} for the media driver's agents. See {@link DynamicAgentRunner}.
 */
public enum AgentThreadingMode
{
    /**
     * Each agent on a thread of its own: for agents that compute (a worker's gradient loop).
     */
    DEDICATED,

    /**
     * All agents of a group on one thread, composed in a {@link org.agrona.concurrent.DynamicCompositeAgent}: for
     * agents that mostly wait (the shards of a node), so that 2 cores are not split among idle threads.
     */
    SHARED,

    /**
     * No thread: the caller drives the agents by invoking them, for deterministic tests.
     */
    INVOKER
}
