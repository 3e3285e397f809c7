package dev.parasol.actors.dataplane;

import java.util.Locale;

/**
 * How the parts of one node reach each other's endpoints.
 */
public enum Transport
{
    /**
     * Aeron UDP on the bind host: what a cluster node uses, since its endpoints are advertised to other nodes.
     */
    UDP,

    /**
     * Aeron IPC through the shared log buffers of one media driver: for local mode, where every worker, shard and
     * evaluator lives in one process. No datagram is sent, so no driver thread copies or acknowledges anything and
     * a round trip costs no system call; the messages, their checks and their counters are the same. Endpoints are
     * {@link Endpoint#ipc(int) IPC endpoints}, which only parts attached to the same driver can reach.
     */
    IPC;

    /**
     * Get the transport of an Aeron channel.
     *
     * @param channel a channel URI, e.g. a publication's or a subscription's {@code channel()}.
     * @return {@link #IPC} for the IPC channel, else {@link #UDP}.
     */
    public static Transport ofChannel(final String channel)
    {
        return channel.startsWith(Endpoint.IPC_HOST) ? IPC : UDP;
    }

    /**
     * Read a transport's name as a command line or a configuration gives it.
     *
     * @param text {@code ipc} or {@code udp}, in any case.
     * @return the transport.
     * @throws IllegalArgumentException naming the choices when the text is neither.
     */
    public static Transport parse(final String text)
    {
        for (final Transport transport : values())
        {
            if (null != text && transport.name().equalsIgnoreCase(text.trim()))
            {
                return transport;
            }
        }
        throw new IllegalArgumentException("transport='" + text + "': expected ipc or udp");
    }

    /**
     * Get the name a command line uses.
     *
     * @return {@code ipc} or {@code udp}.
     */
    public String flagValue()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
