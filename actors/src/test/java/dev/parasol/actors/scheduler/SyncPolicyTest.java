package dev.parasol.actors.scheduler;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyncPolicyTest
{
    @Test
    void shouldParseEveryAcceptedForm()
    {
        assertEquals(SyncPolicy.BSP, SyncPolicy.parse("bsp"));
        assertEquals(SyncPolicy.ASP, SyncPolicy.parse("asp"));
        assertEquals(new SyncPolicy(SyncPolicy.Kind.SSP, 3), SyncPolicy.parse("ssp:3"));
        assertEquals(new SyncPolicy(SyncPolicy.Kind.SSP, 0), SyncPolicy.parse("ssp:0"));
        assertEquals(SyncPolicy.ssp(2), SyncPolicy.parse(" SSP:2 "));
    }

    @ParameterizedTest
    @ValueSource(strings = { "bsp", "asp", "ssp:0", "ssp:1", "ssp:17" })
    void shouldRoundTripCanonicalFormWhenParsed(final String text)
    {
        final SyncPolicy policy = SyncPolicy.parse(text);

        assertEquals(text, policy.toString());
        assertEquals(policy, SyncPolicy.parse(policy.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "bs", "ssp", "ssp:", "ssp:-1", "ssp:x", "ssp:1.5", "asp:2", "bsp:0", "sync" })
    void shouldNameBadValueAndAcceptedFormsWhenParseFails(final String text)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> SyncPolicy.parse(text));

        assertTrue(ex.getMessage().contains("'" + text + "'"), ex.getMessage());
        assertTrue(ex.getMessage().contains("bsp, ssp:N (integer N >= 0), asp"), ex.getMessage());
    }

    @Test
    void shouldRejectNullWhenParsed()
    {
        assertThrows(IllegalArgumentException.class, () -> SyncPolicy.parse(null));
    }

    @Test
    void shouldRejectInconsistentBoundWhenConstructed()
    {
        assertThrows(IllegalArgumentException.class, () -> new SyncPolicy(SyncPolicy.Kind.BSP, 1));
        assertThrows(IllegalArgumentException.class, () -> new SyncPolicy(SyncPolicy.Kind.SSP, -1));
        assertThrows(IllegalArgumentException.class, () -> new SyncPolicy(SyncPolicy.Kind.ASP, 3));
        assertThrows(IllegalArgumentException.class, () -> new SyncPolicy(null, 0));
    }

    @Test
    void shouldAllowOnlyWithinBoundWhenSsp()
    {
        final SyncPolicy ssp = SyncPolicy.ssp(2);

        assertTrue(ssp.allows(5, 5));
        assertTrue(ssp.allows(7, 5));
        assertFalse(ssp.allows(8, 5));
    }

    @Test
    void shouldAllowOnlySameClockWhenBspOrSspZero()
    {
        for (final SyncPolicy policy : new SyncPolicy[]{ SyncPolicy.BSP, SyncPolicy.ssp(0) })
        {
            assertTrue(policy.allows(4, 4));
            assertFalse(policy.allows(5, 4));
        }
    }

    @Test
    void shouldAlwaysAllowWhenAsp()
    {
        assertTrue(SyncPolicy.ASP.allows(Long.MAX_VALUE, 0));
        assertTrue(SyncPolicy.ASP.isUnbounded());
        assertFalse(SyncPolicy.ssp(100).isUnbounded());
    }
}
