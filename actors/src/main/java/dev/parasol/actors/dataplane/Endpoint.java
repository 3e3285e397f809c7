package dev.parasol.actors.dataplane;

/**
 * Where a receiver listens: a UDP host and port and the Aeron stream id, or, in a node whose {@link Transport} is
 * IPC, the stream id alone ({@link #ipc(int)}). Receivers publish their endpoints over the
 * control plane; senders add a publication to {@link DataPlane#udpChannel(Endpoint)} with {@link #streamId()}.
 * Each job uses stream ids of its own, so two jobs never share a stream. The host and port are where senders send:
 * the receiver's bound address, or the address its node advertises instead (a NAT's or a relay's, see
 * {@link DataPlaneContext#advertisedEndpoint(int, int)}).
 *
 * @param host     the IP address (or host name) senders send to, or {@link #IPC_HOST}.
 * @param port     the UDP port, 1 to 65535; 0 for IPC.
 * @param streamId the Aeron stream id.
 */
public record Endpoint(String host, int port, int streamId)
{
    /**
     * The host of an IPC endpoint: Aeron's IPC channel, reachable only through the same media driver.
     */
    public static final String IPC_HOST = "aeron:ipc";

    /**
     * Validate the fields.
     *
     * @param host     the IP address (or host name) senders send to, or {@link #IPC_HOST}.
     * @param port     the UDP port, 1 to 65535; 0 for IPC.
     * @param streamId the Aeron stream id.
     */
    public Endpoint
    {
        if (null == host || host.isBlank())
        {
            throw new IllegalArgumentException("host=" + host + ": expected an address");
        }

        if (IPC_HOST.equals(host) ? port != 0 : port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("port=" + port + ": expected " +
                (IPC_HOST.equals(host) ? "0 for " + IPC_HOST : "1 to 65535"));
        }
    }

    /**
     * An endpoint on the IPC channel of the local media driver.
     *
     * @param streamId the Aeron stream id.
     * @return the endpoint.
     */
    public static Endpoint ipc(final int streamId)
    {
        return new Endpoint(IPC_HOST, 0, streamId);
    }

    /**
     * Is this an endpoint on the IPC channel of the local media driver?
     *
     * @return true for IPC, false for UDP.
     */
    public boolean isIpc()
    {
        return IPC_HOST.equals(host);
    }

    /**
     * Get the {@code host:port} form used in an Aeron channel's {@code endpoint} parameter.
     *
     * @return the endpoint, with brackets around an IPv6 address; {@link #IPC_HOST} for IPC.
     */
    public String hostAndPort()
    {
        return isIpc() ? host : format(host, port);
    }

    /**
     * Format a host and port as an Aeron {@code endpoint} parameter.
     *
     * @param host an IPv4 or IPv6 address or a host name.
     * @param port the port.
     * @return {@code host:port}, or {@code [host]:port} for an IPv6 address.
     */
    static String format(final String host, final int port)
    {
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }
}
