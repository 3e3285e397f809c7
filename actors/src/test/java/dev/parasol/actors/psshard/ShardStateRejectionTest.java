package dev.parasol.actors.psshard;

import dev.parasol.actors.psshard.ShardMessages.CapturingSender;
import dev.parasol.actors.psshard.ShardMessages.Message;
import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.wire.DenseEncoder;
import dev.parasol.wire.Encoding;
import dev.parasol.wire.MessageType;
import dev.parasol.wire.RejectReason;
import dev.parasol.wire.SparseEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.parasol.actors.psshard.ShardStateTest.JOB;
import static dev.parasol.actors.psshard.ShardStateTest.LENGTH;
import static dev.parasol.actors.psshard.ShardStateTest.SHARD;
import static dev.parasol.actors.psshard.ShardStateTest.START;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ShardStateRejectionTest
{
    private static final int[] INDICES = {2, 30, 400};
    private static final float[] VALUES = {0.5f, -1.5f, 2.5f};

    static Stream<Arguments> hostileMessages()
    {
        final ShardMessages ok = new ShardMessages(JOB, SHARD, START, LENGTH);
        return Stream.of(
            Arguments.of("payload byte flipped", flip(valid(ok), 80), RejectReason.BAD_CHECKSUM),
            Arguments.of("sequence byte flipped", flip(valid(ok), 16), RejectReason.BAD_CHECKSUM),
            Arguments.of("bad magic", flip(valid(ok), 0), RejectReason.BAD_MAGIC),
            Arguments.of("wrong job", valid(new ShardMessages(JOB + 1, SHARD, START, LENGTH)),
                RejectReason.WRONG_JOB),
            Arguments.of("another shard's range", valid(new ShardMessages(JOB, SHARD + 1, START + LENGTH, LENGTH)),
                RejectReason.KEY_RANGE_NOT_OWNED),
            Arguments.of("overlapping range", valid(new ShardMessages(JOB, SHARD, START + 500, LENGTH)),
                RejectReason.KEY_RANGE_NOT_OWNED),
            Arguments.of("sub-range", valid(new ShardMessages(JOB, SHARD, START, LENGTH / 2)),
                ShardRejectReason.RANGE_MISMATCH),
            Arguments.of("wrong shard id", valid(new ShardMessages(JOB, SHARD + 1, START, LENGTH)),
                ShardRejectReason.WRONG_SHARD),
            Arguments.of("unknown worker", ok.sparsePush(ShardStateTest.WORKERS + 1, 9, 0, INDICES, VALUES),
                ShardRejectReason.UNKNOWN_WORKER),
            Arguments.of("negative worker", ok.sparsePush(-1, 9, 0, INDICES, VALUES),
                ShardRejectReason.UNKNOWN_WORKER),
            Arguments.of("truncated by one byte", truncate(valid(ok), 1), RejectReason.TRUNCATED),
            Arguments.of("truncated header", new Message(valid(ok).buffer(), 40), RejectReason.TRUNCATED),
            Arguments.of("trailing byte", trailing(valid(ok)), RejectReason.LENGTH_MISMATCH),
            Arguments.of("non-finite value", nonFinite(valid(ok)), RejectReason.NON_FINITE_VALUE),
            // A shard takes an update only as its backup copy's confirmation, and this one has no copy.
            Arguments.of("parameter update sent to a shard", typed(ok, MessageType.PARAMETER_UPDATE),
                ShardRejectReason.UNEXPECTED_CONFIRMATION),
            Arguments.of("parameter snapshot sent to a shard", typed(ok, MessageType.PARAMETER_SNAPSHOT),
                ShardRejectReason.UNEXPECTED_TYPE),
            Arguments.of("negative base version", ok.sparsePush(0, 9, -1, INDICES, VALUES),
                ShardRejectReason.NEGATIVE_BASE_VERSION),
            Arguments.of("request with entries", requestWithEntries(ok), ShardRejectReason.MALFORMED_REQUEST),
            Arguments.of("dense request", denseRequest(ok), ShardRejectReason.MALFORMED_REQUEST));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileMessages")
    void shouldRejectCountAndChangeNothingWhenMessageIsHostile(
        final String name, final Message hostile, final Object reason)
    {
        final ShardState state = ShardStateTest.newState(StalenessPolicy.INVERSE);
        final ShardState twin = ShardStateTest.newState(StalenessPolicy.INVERSE);
        final CapturingSender sender = new CapturingSender();
        final CapturingSender twinSender = new CapturingSender();
        feedPrefix(state, sender);
        feedPrefix(twin, twinSender);
        final int repliesBefore = sender.count();
        final long rejectedBefore = state.rejectedCount();

        assertEquals(ShardState.REJECTED, hostile.feed(state, sender));

        assertEquals(repliesBefore, sender.count(), name + ": no reply");
        assertEquals(rejectedBefore + 1, state.rejectedCount());
        if (reason instanceof RejectReason wire)
        {
            assertEquals(1, state.wireRejects().get(wire), name);
        }
        else
        {
            assertEquals(1, state.rejectCount((ShardRejectReason)reason), name);
        }
        assertEquals(1, state.statistics().rejectsByReason().get(((Enum<?>)reason).name()));
        assertUnchanged(twin, state);

        // The dirty sets are untouched too: both answer the same requests with the same bytes.
        for (int worker = 0; worker < state.slots(); worker++)
        {
            final long held = state.lastSentVersion(worker);
            new ShardMessages(JOB, SHARD, START, LENGTH).request(worker, 50, held).feed(state, sender);
            new ShardMessages(JOB, SHARD, START, LENGTH).request(worker, 50, held).feed(twin, twinSender);
            assertArrayEquals(twinSender.last().bytes(), sender.last().bytes(), name + ": worker " + worker);
        }
    }

    private static void feedPrefix(final ShardState state, final ReplySender sender)
    {
        final ShardMessages messages = new ShardMessages(JOB, SHARD, START, LENGTH);
        final SplittableRandom random = new SplittableRandom(77);
        messages.request(0, 1, 0).feed(state, sender);
        messages.request(1, 1, 0).feed(state, sender);
        for (int sequence = 1; sequence <= 3; sequence++)
        {
            final int[] indices = ShardMessages.sortedDistinct(random, LENGTH, 20);
            messages.sparsePush(sequence % 2, sequence, 0, indices, ShardMessages.gaussian(random, 20))
                .feed(state, sender);
        }
    }

    private static void assertUnchanged(final ShardState expected, final ShardState actual)
    {
        final float[] expectedParams = ShardStateTest.params(expected);
        final float[] actualParams = ShardStateTest.params(actual);
        for (int i = 0; i < LENGTH; i++)
        {
            assertEquals(Float.floatToRawIntBits(expectedParams[i]), Float.floatToRawIntBits(actualParams[i]));
        }
        assertEquals(expected.version(), actual.version());
        for (int worker = 0; worker < expected.slots(); worker++)
        {
            assertEquals(expected.lastAppliedSequence(worker), actual.lastAppliedSequence(worker));
            assertEquals(expected.lastSentVersion(worker), actual.lastSentVersion(worker));
        }
        assertEquals(expected.appliedCount(), actual.appliedCount());
        assertEquals(expected.duplicateCount(), actual.duplicateCount());
        assertEquals(expected.droppedStaleCount(), actual.droppedStaleCount());
        assertEquals(expected.stalenessCount(), actual.stalenessCount());
        assertEquals(expected.optimiser().steps(), actual.optimiser().steps());
    }

    private static Message valid(final ShardMessages messages)
    {
        return messages.sparsePush(0, 9, 0, INDICES, VALUES);
    }

    private static Message flip(final Message message, final int offset)
    {
        final UnsafeBuffer buffer = message.buffer();
        buffer.putByte(offset, (byte)(buffer.getByte(offset) ^ 0x10));
        return message;
    }

    private static Message truncate(final Message message, final int bytes)
    {
        return new Message(message.buffer(), message.length() - bytes);
    }

    private static Message trailing(final Message message)
    {
        final UnsafeBuffer longer = new UnsafeBuffer(new byte[message.length() + 1]);
        longer.putBytes(0, message.buffer(), 0, message.length());
        return new Message(longer, message.length() + 1);
    }

    private static Message nonFinite(final Message message)
    {
        message.buffer().putFloat(72 + 4, Float.NaN, ByteOrder.LITTLE_ENDIAN);
        ShardMessages.reseal(message.buffer(), message.length());
        return message;
    }

    private static Message typed(final ShardMessages messages, final MessageType type)
    {
        messages.header().messageType(type).workerId(0).sequence(9).baseVersion(0).targetVersion(1);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[DenseEncoder.length(LENGTH)]);
        final int length = DenseEncoder.encode(buffer, 0, messages.header(), new float[LENGTH], 0, LENGTH);
        return new Message(buffer, length);
    }

    private static Message requestWithEntries(final ShardMessages messages)
    {
        messages.header().messageType(MessageType.PARAMETER_REQUEST).workerId(0).sequence(9).baseVersion(0);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SparseEncoder.maxLength(Encoding.SPARSE_F32, 3)]);
        final int length = SparseEncoder.encode(buffer, 0, messages.header(), Encoding.SPARSE_F32, INDICES, VALUES, 3);
        return new Message(buffer, length);
    }

    private static Message denseRequest(final ShardMessages messages)
    {
        messages.header().messageType(MessageType.PARAMETER_REQUEST).workerId(0).sequence(9).baseVersion(0);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[DenseEncoder.length(LENGTH)]);
        final int length = DenseEncoder.encode(buffer, 0, messages.header(), new float[LENGTH], 0, LENGTH);
        return new Message(buffer, length);
    }
}
