package dev.parasol.actors.scheduler;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StalenessPolicyTest
{
    @Test
    void shouldParseEveryAcceptedForm()
    {
        assertEquals(StalenessPolicy.CONSTANT, StalenessPolicy.parse("constant"));
        assertEquals(StalenessPolicy.INVERSE, StalenessPolicy.parse("inverse"));
        assertEquals(new StalenessPolicy(StalenessPolicy.Kind.DROP, 4), StalenessPolicy.parse("drop:4"));
        assertEquals(StalenessPolicy.drop(0), StalenessPolicy.parse(" Drop:0"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "constant", "inverse", "drop:0", "drop:9" })
    void shouldRoundTripCanonicalFormWhenParsed(final String text)
    {
        final StalenessPolicy policy = StalenessPolicy.parse(text);

        assertEquals(text, policy.toString());
        assertEquals(policy, StalenessPolicy.parse(policy.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "const", "drop", "drop:", "drop:-2", "drop:y", "inverse:2", "lr/tau" })
    void shouldNameBadValueAndAcceptedFormsWhenParseFails(final String text)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> StalenessPolicy.parse(text));

        assertTrue(ex.getMessage().contains("'" + text + "'"), ex.getMessage());
        assertTrue(ex.getMessage().contains("constant, inverse, drop:N (integer N >= 0)"), ex.getMessage());
    }

    @Test
    void shouldRejectNullWhenParsed()
    {
        assertThrows(IllegalArgumentException.class, () -> StalenessPolicy.parse(null));
    }

    @Test
    void shouldRejectInconsistentMaximumWhenConstructed()
    {
        assertThrows(IllegalArgumentException.class, () -> new StalenessPolicy(StalenessPolicy.Kind.DROP, -1));
        assertThrows(IllegalArgumentException.class, () -> new StalenessPolicy(StalenessPolicy.Kind.CONSTANT, 3));
        assertThrows(IllegalArgumentException.class, () -> new StalenessPolicy(null, 0));
    }

    @Test
    void shouldScaleByOneWhenConstant()
    {
        for (final long tau : new long[]{ -1, 0, 1, 5, 1_000_000 })
        {
            assertEquals(1.0f, StalenessPolicy.CONSTANT.scale(tau));
            assertFalse(StalenessPolicy.CONSTANT.drops(tau));
        }
    }

    @Test
    void shouldScaleByInverseOfStalenessWhenInverse()
    {
        assertEquals(1.0f, StalenessPolicy.INVERSE.scale(0));
        assertEquals(1.0f, StalenessPolicy.INVERSE.scale(1));
        assertEquals(0.5f, StalenessPolicy.INVERSE.scale(2));
        assertEquals(0.25f, StalenessPolicy.INVERSE.scale(4));
        assertEquals(1.0f / 3.0f, StalenessPolicy.INVERSE.scale(3), 1e-7f);
        assertFalse(StalenessPolicy.INVERSE.drops(1_000));
    }

    @Test
    void shouldDropOnlyBeyondMaximumWhenDrop()
    {
        final StalenessPolicy drop = StalenessPolicy.drop(2);

        assertFalse(drop.drops(0));
        assertFalse(drop.drops(2));
        assertTrue(drop.drops(3));
        assertEquals(1.0f, drop.scale(2));
        assertEquals(0.0f, drop.scale(3));
    }

    @Test
    void shouldDropEveryStaleUpdateWhenDropZero()
    {
        final StalenessPolicy drop = StalenessPolicy.drop(0);

        assertFalse(drop.drops(0));
        assertTrue(drop.drops(1));
    }
}
