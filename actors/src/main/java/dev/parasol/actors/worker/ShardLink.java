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
}
