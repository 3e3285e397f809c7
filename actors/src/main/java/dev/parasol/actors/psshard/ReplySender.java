package dev.parasol.actors.psshard;

import org.agrona.DirectBuffer;

/**
 * Sends a shard's reply, an encoded {@code PARAMETER_UPDATE}, to one worker. The data plane implements it over an
 * Aeron publication per worker; tests capture the bytes.
 * <p>
 * The bytes are valid only during the call: the shard reuses its buffer for the next reply, so an implementation
 * copies or offers them before it returns.
 */
@FunctionalInterface
public interface ReplySender
{
    /**
     * Send a message to a worker.
     *
     * @param workerId the worker (or the evaluator slot) the reply is for.
     * @param buffer   holding the message.
     * @param offset   of the first byte of the message in the buffer.
     * @param length   of the message in bytes.
     * @return a non-negative value (a position) if the message was handed to the transport, or a negative code
     * (back pressured, not connected, closed, ...) if it was not, after whatever retries the sender makes.
     */
    long send(int workerId, DirectBuffer buffer, int offset, int length);
}
