package dev.parasol.actors.dataplane;

import dev.parasol.wire.RejectCounters;
import dev.parasol.wire.RejectReason;
import io.aeron.Aeron;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The counters of one training job ({@link TrainingCounterDescriptor}) plus one counter per codec
 * {@link RejectReason}, as Agrona {@link AtomicCounter}s: any thread may update them (atomic adds, so a worker and a
 * shard agent may share one) and any thread may read them (the job runner reports them).
 * <p>
 * In a running node they are allocated from the Aeron client ({@link #allocate(Aeron, String)}): they then live in
 * the media driver's CnC file, next to Aeron's own counters, so {@code AeronStat} shows a job's traffic, back
 * pressure and rejects live without any code of ours, and they are freed with the client if the JVM dies. The
 * allocation is a round trip to the driver, done once per job. {@link #standalone(String)} puts them in a private
 * {@link CountersManager} over direct buffers, for tests and tools without a driver.
 * <p>
 * Each job gets its own instance (its scope, such as {@code job=42}, is appended to every label): two jobs never
 * share a counter.
 */
public final class TrainingCounters implements AutoCloseable
{
    /**
     * Allocates one labelled counter; {@code Aeron::addCounter} fits.
     */
    @FunctionalInterface
    public interface CounterAllocator
    {
        /**
         * Allocate a counter.
         *
         * @param typeId the counter's type id.
         * @param label  the counter's label.
         * @return the new counter.
         */
        AtomicCounter allocate(int typeId, String label);
    }

    private static final TrainingCounterDescriptor[] DESCRIPTORS = TrainingCounterDescriptor.values();
    private static final RejectReason[] REASONS = RejectReason.values();

    private final String scope;
    private final AtomicCounter[] counters = new AtomicCounter[DESCRIPTORS.length];
    private final AtomicCounter[] rejectCounters = new AtomicCounter[REASONS.length];

    /**
     * Allocate every counter through an allocator.
     *
     * @param allocator allocates one counter.
     * @param scope     appended to every label, such as {@code job=42}.
     */
    public TrainingCounters(final CounterAllocator allocator, final String scope)
    {
        this.scope = scope;
        try
        {
            for (final TrainingCounterDescriptor descriptor : DESCRIPTORS)
            {
                counters[descriptor.id()] = allocator.allocate(
                    descriptor.typeId(), "parasol " + descriptor.label() + ": " + scope);
            }

            // Reason NONE is an acceptance, counted as MESSAGES_ACCEPTED; its slot stays null.
            for (int i = 1; i < REASONS.length; i++)
            {
                rejectCounters[i] = allocator.allocate(TrainingCounterDescriptor.REJECT_TYPE_ID_BASE + i,
                    "parasol rejected " + REASONS[i].name().toLowerCase(Locale.ROOT) + ": " + scope);
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Allocate the counters from an Aeron client, in its media driver's CnC file.
     *
     * @param aeron the client.
     * @param scope appended to every label, such as {@code job=42}.
     * @return the counters.
     */
    public static TrainingCounters allocate(final Aeron aeron, final String scope)
    {
        return new TrainingCounters(aeron::addCounter, scope);
    }

    /**
     * Allocate the counters from a counters manager.
     *
     * @param countersManager the manager, used only by the calling thread during this call.
     * @param scope           appended to every label.
     * @return the counters.
     */
    public static TrainingCounters allocate(final CountersManager countersManager, final String scope)
    {
        return new TrainingCounters((typeId, label) -> countersManager.newCounter(label, typeId), scope);
    }

    /**
     * Allocate the counters in a private counters manager sized for them, for tests and tools without a driver.
     *
     * @param scope appended to every label.
     * @return the counters.
     */
    public static TrainingCounters standalone(final String scope)
    {
        final int count = DESCRIPTORS.length + REASONS.length;
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(count * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(count * CountersReader.COUNTER_LENGTH)));
        return allocate(manager, scope);
    }

    /**
     * Get the scope appended to every label.
     *
     * @return the scope.
     */
    public String scope()
    {
        return scope;
    }

    /**
     * Get the counter of a descriptor, for code that updates it directly (a {@link MessageSender}).
     *
     * @param descriptor the counter.
     * @return the atomic counter.
     */
    public AtomicCounter counter(final TrainingCounterDescriptor descriptor)
    {
        return counters[descriptor.id()];
    }

    /**
     * Get the current value of a counter, from any thread.
     *
     * @param descriptor the counter.
     * @return the value.
     */
    public long get(final TrainingCounterDescriptor descriptor)
    {
        return counters[descriptor.id()].get();
    }

    /**
     * Add one to a counter, atomically.
     *
     * @param descriptor the counter.
     */
    public void increment(final TrainingCounterDescriptor descriptor)
    {
        counters[descriptor.id()].increment();
    }

    /**
     * Add to a counter, atomically.
     *
     * @param descriptor the counter.
     * @param delta      the amount to add.
     */
    public void add(final TrainingCounterDescriptor descriptor, final long delta)
    {
        counters[descriptor.id()].getAndAdd(delta);
    }

    /**
     * Raise a maximum counter to a value if the value is larger, atomically with respect to other writers.
     *
     * @param descriptor the counter, such as {@link TrainingCounterDescriptor#STALENESS_MAX}.
     * @param value      the candidate maximum.
     */
    public void proposeMax(final TrainingCounterDescriptor descriptor, final long value)
    {
        final AtomicCounter counter = counters[descriptor.id()];
        long current = counter.get();
        while (value > current && !counter.compareAndSet(current, value))
        {
            current = counter.get();
        }
    }

    /**
     * Count the outcome of decoding one message, like {@link RejectCounters#record(RejectReason)} but atomically:
     * {@link RejectReason#NONE} counts as accepted, anything else as rejected and under its reason.
     *
     * @param reason the decoder's outcome.
     * @return true if the message was accepted.
     */
    public boolean onDecoded(final RejectReason reason)
    {
        if (RejectReason.NONE == reason)
        {
            counters[TrainingCounterDescriptor.MESSAGES_ACCEPTED.id()].increment();
            return true;
        }

        rejectCounters[reason.code()].increment();
        counters[TrainingCounterDescriptor.MESSAGES_REJECTED.id()].increment();
        return false;
    }

    /**
     * Get how many messages were rejected for a reason, from any thread.
     *
     * @param reason a rejection reason; {@link RejectReason#NONE} gives the accepted count.
     * @return the count.
     */
    public long rejected(final RejectReason reason)
    {
        return RejectReason.NONE == reason ?
            counters[TrainingCounterDescriptor.MESSAGES_ACCEPTED.id()].get() : rejectCounters[reason.code()].get();
    }

    /**
     * Create a mirror that adds what a single-threaded {@link RejectCounters} counted since the last publish into
     * these counters. Several mirrors (one per shard) may feed the same counters.
     *
     * @param source the counters a decoding thread owns.
     * @return a mirror to be published from that thread.
     */
    public RejectMirror mirrorOf(final RejectCounters source)
    {
        return new RejectMirror(source);
    }

    /**
     * Take a snapshot of every counter for a report: lower-case descriptor names ({@code updates_applied}), then
     * {@code rejected_<reason>} per reason. Allocates: control path only.
     *
     * @return the values, in descriptor then reason order.
     */
    public Map<String, Long> snapshot()
    {
        final Map<String, Long> values = new LinkedHashMap<>();
        for (final TrainingCounterDescriptor descriptor : DESCRIPTORS)
        {
            values.put(descriptor.name().toLowerCase(Locale.ROOT), get(descriptor));
        }

        for (int i = 1; i < REASONS.length; i++)
        {
            values.put("rejected_" + REASONS[i].name().toLowerCase(Locale.ROOT), rejectCounters[i].get());
        }

        return values;
    }

    /**
     * Free every counter. Counters of an Aeron client that is already closed were freed with it.
     */
    public void close()
    {
        CloseHelper.closeAll(counters);
        CloseHelper.closeAll(rejectCounters);
    }

    /**
     * Publishes the counts of one thread's {@link RejectCounters} into the job's atomic counters, as deltas since the
     * last publish. Owned by the thread that owns the source; allocates nothing per publish.
     */
    public final class RejectMirror
    {
        private final RejectCounters source;
        private final long[] published = new long[REASONS.length];

        private RejectMirror(final RejectCounters source)
        {
            this.source = source;
        }

        /**
         * Add what the source counted since the last publish. A source that was reset starts again from zero.
         *
         * @return the number of newly counted messages, accepted or rejected.
         */
        public long publish()
        {
            long total = 0;
            for (int i = 0; i < REASONS.length; i++)
            {
                final long current = source.get(REASONS[i]);
                final long delta = current >= published[i] ? current - published[i] : current;
                if (delta > 0)
                {
                    total += delta;
                    if (0 == i)
                    {
                        counters[TrainingCounterDescriptor.MESSAGES_ACCEPTED.id()].getAndAdd(delta);
                    }
                    else
                    {
                        rejectCounters[i].getAndAdd(delta);
                        counters[TrainingCounterDescriptor.MESSAGES_REJECTED.id()].getAndAdd(delta);
                    }
                }
                published[i] = current;
            }

            return total;
        }
    }
}
