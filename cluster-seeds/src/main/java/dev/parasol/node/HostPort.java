package dev.parasol.node;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A host and a port as written in settings and flags: {@code HOST:PORT}, with an IPv6 address in brackets
 * ({@code [::1]:17355}).
 *
 * @param host an IP address or a host name, without brackets.
 * @param port 0 to 65535.
 */
public record HostPort(String host, int port)
{
    /**
     * The largest TCP or UDP port.
     */
    public static final int MAX_PORT = 65535;

    private static final Pattern HOST_NAME = Pattern.compile(
        "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,5}");

    /**
     * Check the host and the port range.
     *
     * @param host an IP address or a host name.
     * @param port 0 to 65535.
     */
    public HostPort
    {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > MAX_PORT)
        {
            throw new IllegalArgumentException("port " + port + " out of range 0 to " + MAX_PORT);
        }
    }

    /**
     * Parse {@code HOST:PORT} or {@code [IPV6]:PORT}.
     *
     * @param text the text to parse.
     * @return the host and port.
     * @throws IllegalArgumentException saying what is wrong with the text (the caller names the setting).
     */
    public static HostPort parse(final String text)
    {
        final String trimmed = null == text ? "" : text.trim();
        if (trimmed.isEmpty())
        {
            throw new IllegalArgumentException("expected HOST:PORT");
        }

        final String host;
        final String portText;
        if (trimmed.startsWith("["))
        {
            final int close = trimmed.indexOf(']');
            if (close < 0 || close + 1 >= trimmed.length() || ':' != trimmed.charAt(close + 1))
            {
                throw new IllegalArgumentException("expected [IPV6-ADDRESS]:PORT");
            }
            host = trimmed.substring(1, close);
            portText = trimmed.substring(close + 2);
            if (!IPV6.matcher(host).matches() || host.indexOf(':') < 0)
            {
                throw new IllegalArgumentException("'" + host + "' is not an IPv6 address");
            }
        }
        else
        {
            final int colon = trimmed.lastIndexOf(':');
            if (colon < 0)
            {
                throw new IllegalArgumentException("expected HOST:PORT, the port is missing");
            }
            host = trimmed.substring(0, colon);
            portText = trimmed.substring(colon + 1);
            if (host.indexOf(':') >= 0)
            {
                throw new IllegalArgumentException("an IPv6 address needs brackets: [ADDRESS]:PORT");
            }
            if (!HOST_NAME.matcher(host).matches())
            {
                throw new IllegalArgumentException(host.isEmpty() ? "expected HOST:PORT, the host is missing" :
                    "'" + host + "' is not a host name or an IP address");
            }
        }

        if (!DIGITS.matcher(portText).matches() || Integer.parseInt(portText) > MAX_PORT)
        {
            throw new IllegalArgumentException("port '" + portText + "' is not a number from 0 to " + MAX_PORT);
        }

        return new HostPort(host, Integer.parseInt(portText));
    }

    /**
     * Is the host a wildcard address (0.0.0.0 or ::), which peers cannot be told to connect to?
     *
     * @return true for a wildcard address.
     */
    public boolean isWildcard()
    {
        return "0.0.0.0".equals(host) || (host.indexOf(':') >= 0 && host.matches("[0:]+"));
    }

    /**
     * Format as {@code HOST:PORT}, with an IPv6 address in brackets.
     *
     * @return the text form, which {@link #parse(String)} reads back.
     */
    @Override
    public String toString()
    {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
