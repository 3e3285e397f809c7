package dev.parasol.node;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostPortTest
{
    @Test
    void shouldParseHostNamesIpv4AndBracketedIpv6WhenWellFormed()
    {
        assertEquals(new HostPort("node-1.example.org", 17355), HostPort.parse("node-1.example.org:17355"));
        assertEquals(new HostPort("10.0.0.11", 0), HostPort.parse(" 10.0.0.11:0 "));
        assertEquals(new HostPort("::1", 65535), HostPort.parse("[::1]:65535"));
        assertEquals("[fe80::1]:7", new HostPort("fe80::1", 7).toString());
        assertEquals("10.0.0.11:17355", HostPort.parse("10.0.0.11:17355").toString());
    }

    @Test
    void shouldSayWhatIsWrongWhenMalformed()
    {
        assertMessage("", "expected HOST:PORT");
        assertMessage("10.0.0.11", "port is missing");
        assertMessage(":17355", "host is missing");
        assertMessage("10.0.0.11:65536", "not a number from 0 to 65535");
        assertMessage("10.0.0.11:abc", "not a number from 0 to 65535");
        assertMessage("::1:17355", "IPv6 address needs brackets");
        assertMessage("[::1]17355", "expected [IPV6-ADDRESS]:PORT");
        assertMessage("bad_host!:1", "not a host name");
    }

    @Test
    void shouldRecogniseWildcardsWhenAdvertisingWouldBeWrong()
    {
        assertTrue(HostPort.parse("0.0.0.0:1").isWildcard());
        assertTrue(HostPort.parse("[::]:1").isWildcard());
        assertFalse(HostPort.parse("[::1]:1").isWildcard());
        assertFalse(HostPort.parse("10.0.0.0:1").isWildcard());
    }

    private static void assertMessage(final String text, final String expected)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
        assertTrue(ex.getMessage().contains(expected), () -> text + " -> " + ex.getMessage());
    }
}
