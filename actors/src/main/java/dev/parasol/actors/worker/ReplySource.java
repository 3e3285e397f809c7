package dev.parasol.actors.worker;

import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import org.agrona.DirectBuffer;

/**
 * Where a worker's loop reads the shards' replies: whole messages, handed to a handler one at a time. Over Aeron it
 * is a subscription behind a fragment assembler; tests feed the loop directly from shards in the same thread.
 */
@FunctionalInterface
interface ReplySource
{
    /**
     * Receives one whole message, valid only during the call.
     */
    @FunctionalInterface
    interface Handler
    {
        /**
         * Handle a message.
         *
         * @param buffer holding the message.
         * @param offset of its first byte.
         * @param length of the message in bytes.
         */
        void onMessage(DirectBuffer buffer, int offset, int length);
    }

    /**
     * Deliver the messages that have arrived, up to a limit.
     *
     * @param handler       receives each whole message.
     * @param fragmentLimit the most fragments to read in this call.
     * @return the number of fragments read: 0 when nothing arrived.
     */
    int poll(Handler handler, int fragmentLimit);

    /**
     * Read replies from an Aeron subscription, reassembling fragmented messages. The assembler is built once, for the
     * first handler; the loop always passes the same one.
     *
     * @param subscription the worker's subscription.
     * @return the source.
     */
    static ReplySource of(final Subscription subscription)
    {
        return new ReplySource()
        {
            private Handler bound;
            private FragmentAssembler assembler;

            @Override
            public int poll(final Handler handler, final int fragmentLimit)
            {
                if (handler != bound)
                {
                    bound = handler;
                    assembler = new FragmentAssembler((buffer, offset, length, header) ->
                        handler.onMessage(buffer, offset, length));
                }
                return subscription.poll(assembler, fragmentLimit);
            }
        };
    }
}
