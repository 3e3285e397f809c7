package dev.parasol.actors.worker;

import org.agrona.DirectBuffer;

/**
 * Sends one message to one shard; implemented over an Aeron publication with bounded back-pressure retries.
 */
@FunctionalInterface
interface ShardLink
{
    /**
     * Send a message.
     *
     * @param buffer holding the message.
     * @param offset of its first byte.
     * @param length of the message in bytes.
     * @return a positive position when accepted, a negative Aeron code when not.
     */
    long send(DirectBuffer buffer, int offset, int length);

    /**
     * Move the stream on with an empty message if it has been quiet for {@code idleNs} since its last message
     * ({@link dev.parasol.actors.dataplane.TailProbe}); a link without a transport does nothing.
     *
     * @param nowNs  the time now.
     * @param idleNs how long the link must have been quiet.
     */
    default void probeIfIdle(long nowNs, long idleNs)
    {
    }
}
