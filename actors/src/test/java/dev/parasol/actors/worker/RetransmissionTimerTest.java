package dev.parasol.actors.worker;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RetransmissionTimerTest
{
    private static final long MS = 1_000_000L;

    @Test
    void shouldWaitTheMaximumUntilTheFirstRoundTripIsMeasured()
    {
        assertEquals(2000 * MS, new RetransmissionTimer(5 * MS, 2000 * MS).timeoutNs());
    }

    @Test
    void shouldFollowTheSmoothedRoundTripPlusFourDeviationsWhenSamplesArrive()
    {
        final RetransmissionTimer timer = new RetransmissionTimer(5 * MS, 2000 * MS);

        timer.onRoundTrip(40 * MS);
        // RFC 6298 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR.
        assertEquals(120 * MS, timer.timeoutNs());
        for (int i = 0; i < 200; i++)
        {
            timer.onRoundTrip(40 * MS);
        }
        // A steady round trip: the deviation decays and the timeout approaches the round trip.
        assertEquals(40 * MS, timer.smoothedRoundTripNs());
        assertEquals(40 * MS, timer.timeoutNs(), 1 * MS);
    }

    @Test
    void shouldNeverGoBelowTheMinimumWhenRoundTripsAreShort()
    {
        final RetransmissionTimer timer = new RetransmissionTimer(5 * MS, 2000 * MS);

        for (int i = 0; i < 50; i++)
        {
            timer.onRoundTrip(200_000L);
        }

        assertEquals(5 * MS, timer.timeoutNs());
    }

    @Test
    void shouldDoubleAfterEachRepeatUpToTheMaximum()
    {
        final RetransmissionTimer timer = new RetransmissionTimer(5 * MS, 100 * MS);
        timer.onRoundTrip(1 * MS);
        assertEquals(5 * MS, timer.timeoutNs());

        timer.onRetransmit();
        assertEquals(10 * MS, timer.timeoutNs());
        for (int i = 0; i < 10; i++)
        {
            timer.onRetransmit();
        }
        assertEquals(100 * MS, timer.timeoutNs());
    }

    @Test
    void shouldRefuseAMinimumAboveTheMaximum()
    {
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionTimer(10, 5));
    }
}
