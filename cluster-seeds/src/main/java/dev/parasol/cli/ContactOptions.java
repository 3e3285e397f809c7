package dev.parasol.cli;

import dev.parasol.node.HostPort;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * How a client command reaches a cluster: a contact node and the address the client listens on.
 */
final class ContactOptions
{
    @Option(names = "--contact", required = true, paramLabel = "HOST:PORT",
        description = "A cluster member's address (its --bind), e.g. a seed node.")
    String contact;

    @Option(names = "--client-bind", paramLabel = "HOST",
        description = "Address this client listens on; members must reach it. Default: 127.0.0.1 for a loopback " +
            "contact, else this host's name.")
    String clientBind;

    ClusterConnection connect()
    {
        final HostPort hostPort = HostPort.parse(contact);
        return ClusterConnection.connect(hostPort, clientBind != null ? clientBind : defaultBind(hostPort));
    }

    private static String defaultBind(final HostPort contact)
    {
        try
        {
            return InetAddress.getByName(contact.host()).isLoopbackAddress() ? "127.0.0.1" :
                InetAddress.getLocalHost().getCanonicalHostName();
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("--contact " + contact + ": unknown host (" + ex.getMessage() + ")");
        }
    }
}
