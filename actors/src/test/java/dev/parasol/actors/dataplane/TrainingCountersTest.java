package dev.parasol.actors.dataplane;

import dev.parasol.wire.RejectCounters;
import dev.parasol.wire.RejectReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TrainingCountersTest
{
    @Test
    void shouldKeepFixedDistinctIdsAndTypeIds()
    {
        final Set<Integer> typeIds = new HashSet<>();
        for (final TrainingCounterDescriptor descriptor : TrainingCounterDescriptor.values())
        {
            assertEquals(descriptor, TrainingCounterDescriptor.get(descriptor.id()));
            assertTrue(descriptor.typeId() >= 1000, "type ids below 1000 are Aeron's");
            assertTrue(typeIds.add(descriptor.typeId()));
        }
        for (final RejectReason reason : RejectReason.values())
        {
            assertTrue(typeIds.add(TrainingCounterDescriptor.REJECT_TYPE_ID_BASE + reason.code()));
        }
        assertEquals(0, TrainingCounterDescriptor.GRADIENTS_SENT.id());
        assertEquals(7, TrainingCounterDescriptor.UPDATES_DROPPED_STALE.id());
    }

    @Test
    void shouldCountAcceptedAndRejectedPerReasonWhenDecoded()
    {
        try (TrainingCounters counters = TrainingCounters.standalone("job=decode"))
        {
            assertTrue(counters.onDecoded(RejectReason.NONE));
            assertFalse(counters.onDecoded(RejectReason.BAD_CHECKSUM));
            assertFalse(counters.onDecoded(RejectReason.BAD_CHECKSUM));
            assertFalse(counters.onDecoded(RejectReason.WRONG_JOB));

            assertEquals(1, counters.get(TrainingCounterDescriptor.MESSAGES_ACCEPTED));
            assertEquals(3, counters.get(TrainingCounterDescriptor.MESSAGES_REJECTED));
            assertEquals(2, counters.rejected(RejectReason.BAD_CHECKSUM));
            assertEquals(1, counters.rejected(RejectReason.WRONG_JOB));
            assertEquals(1, counters.rejected(RejectReason.NONE));
            assertEquals(0, counters.rejected(RejectReason.TRUNCATED));
        }
    }

    @Test
    void shouldAddOnlyNewCountsWhenMirroringSingleThreadedRejectCounters()
    {
        try (TrainingCounters counters = TrainingCounters.standalone("job=mirror"))
        {
            final RejectCounters shardOne = new RejectCounters();
            final RejectCounters shardTwo = new RejectCounters();
            final TrainingCounters.RejectMirror mirrorOne = counters.mirrorOf(shardOne);
            final TrainingCounters.RejectMirror mirrorTwo = counters.mirrorOf(shardTwo);

            shardOne.record(RejectReason.NONE);
            shardOne.record(RejectReason.TRUNCATED);
            shardTwo.record(RejectReason.TRUNCATED);
            assertEquals(2, mirrorOne.publish());
            assertEquals(1, mirrorTwo.publish());
            assertEquals(0, mirrorOne.publish());

            shardOne.record(RejectReason.TRUNCATED);
            assertEquals(1, mirrorOne.publish());
            shardTwo.reset();
            shardTwo.record(RejectReason.BAD_MAGIC);
            assertEquals(1, mirrorTwo.publish());

            assertEquals(3, counters.rejected(RejectReason.TRUNCATED));
            assertEquals(1, counters.rejected(RejectReason.BAD_MAGIC));
            assertEquals(4, counters.get(TrainingCounterDescriptor.MESSAGES_REJECTED));
            assertEquals(1, counters.get(TrainingCounterDescriptor.MESSAGES_ACCEPTED));
        }
    }

    @Test
    void shouldNotLoseIncrementsWhenTwoThreadsCount() throws InterruptedException
    {
        try (TrainingCounters counters = TrainingCounters.standalone("job=threads"))
        {
            final Runnable work = () ->
            {
                for (int i = 0; i < 100_000; i++)
                {
                    counters.increment(TrainingCounterDescriptor.UPDATES_APPLIED);
                    counters.add(TrainingCounterDescriptor.GRADIENT_BYTES_SENT, 3);
                    counters.proposeMax(TrainingCounterDescriptor.STALENESS_MAX, i);
                }
            };
            final Thread other = new Thread(work);
            other.start();
            work.run();
            other.join();

            assertEquals(200_000, counters.get(TrainingCounterDescriptor.UPDATES_APPLIED));
            assertEquals(600_000, counters.get(TrainingCounterDescriptor.GRADIENT_BYTES_SENT));
            assertEquals(99_999, counters.get(TrainingCounterDescriptor.STALENESS_MAX));
        }
    }

    @Test
    void shouldNameSnapshotEntriesLikeTheReport()
    {
        try (TrainingCounters counters = TrainingCounters.standalone("job=snapshot"))
        {
            counters.add(TrainingCounterDescriptor.UPDATES_DROPPED_STALE, 2);
            counters.onDecoded(RejectReason.BAD_VERSION);

            final Map<String, Long> snapshot = counters.snapshot();

            assertEquals(2L, snapshot.get("updates_dropped_stale"));
            assertEquals(1L, snapshot.get("messages_rejected"));
            assertEquals(1L, snapshot.get("rejected_bad_version"));
            assertEquals(TrainingCounterDescriptor.values().length + RejectReason.count() - 1, snapshot.size());
            assertEquals("parasol updates applied: job=snapshot",
                counters.counter(TrainingCounterDescriptor.UPDATES_APPLIED).label());
        }
    }
}
