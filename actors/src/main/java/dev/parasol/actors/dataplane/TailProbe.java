package dev.parasol.actors.dataplane;

import io.aeron.Publication;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Lets a receiver recover a lost last datagram quickly. Aeron's receiver notices a lost datagram when a later one of
 * the same stream arrives and asks for it again (a NAK); when the lost one is the last of a burst, the later one is
 * the sender's idle heartbeat, which the driver sends only after 100 ms without data (a constant of the driver, not a
 * setting). Parasol's exchanges are request and answer, so the last datagram of a message is followed by silence, and
 * with 5% loss about one step in ten would wait those 100 ms. A probe offers an empty message on a publication that
 * has sent nothing for a short while since its last message: the receiver sees the stream move past the hole and
 * NAKs at once, so a lost tail costs the probe delay and a round trip. One probe per idle period; a receiver ignores
 * empty messages (see {@code ShardState} and {@code ReplicaUpdater}).
 * <p>
 * Idleness is read from the publication's position, so sends pay nothing for it: the clock is read only by
 * {@link #probeIfIdle}, which the owner calls on its idle cycles. An IPC stream loses nothing, so a probe of one
 * never offers. Not thread-safe: one owner thread.
 */
public final class TailProbe
{
    /**
     * How long a stream stays quiet after a message before its probe moves it on, unless the owner says otherwise: a
     * few loopback round trips, a fraction of one step on a slow link.
     */
    public static final long QUIET_NS_DEFAULT = 2_000_000L;

    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final Publication publication;
    private final boolean lossless;
    private long lastPosition;
    private long quietSinceNs;
    private boolean probed = true;
    private long probes;

    /**
     * Construct a probe of a publication; nothing is probed before its first message.
     *
     * @param publication the stream to keep moving.
     */
    public TailProbe(final Publication publication)
    {
        this.publication = publication;
        this.lossless = Transport.IPC == Transport.ofChannel(publication.channel());
        this.lastPosition = publication.position();
    }

    /**
     * Offer an empty message if the publication sent a message and then nothing for {@code idleNs}, and no probe has
     * followed that message yet. The idle time counts from the first call that saw the new position, so it is at
     * least {@code idleNs}, at most that plus the caller's polling interval. Never on an IPC stream.
     *
     * @param nowNs  the time now, from the caller's clock.
     * @param idleNs how long the stream must have been quiet.
     * @return true if a probe was offered and accepted.
     */
    public boolean probeIfIdle(final long nowNs, final long idleNs)
    {
        if (lossless)
        {
            return false;
        }
        final long position = publication.position();
        if (position != lastPosition)
        {
            lastPosition = position;
            quietSinceNs = nowNs;
            probed = false;
            return false;
        }
        if (probed || nowNs - quietSinceNs < idleNs)
        {
            return false;
        }
        probed = true;
        final boolean accepted = publication.offer(EMPTY, 0, 0) > 0;
        // The probe moved the position: not a message of the owner's, so it starts no idle period of its own.
        lastPosition = publication.position();
        if (accepted)
        {
            probes++;
        }
        return accepted;
    }

    /**
     * Get the number of probes offered and accepted.
     *
     * @return the count.
     */
    public long probeCount()
    {
        return probes;
    }

    /**
     * Get the publication this probe keeps moving.
     *
     * @return the publication.
     */
    public Publication publication()
    {
        return publication;
    }
}
