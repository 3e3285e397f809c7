package dev.parasol.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Test fixture: random valid messages of every encoding, unsigned or signed, a generic decode, raw field access at
 * the offsets that docs/wire-format.md documents, and resealing a mutated message with a correct checksum (and, for
 * a sender holding the key, a correct tag).
 */
final class TestMessages
{
    static final long JOB = 7L;

    // Offsets as documented in docs/wire-format.md; tests write through these, so a layout drift fails them.
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int TYPE_OFFSET = 5;
    static final int ENCODING_OFFSET = 6;
    static final int FLAGS_OFFSET = 7;
    static final int JOB_ID_OFFSET = 8;
    static final int SEQUENCE_OFFSET = 16;
    static final int BASE_VERSION_OFFSET = 24;
    static final int TARGET_VERSION_OFFSET = 32;
    static final int SHARD_ID_OFFSET = 40;
    static final int WORKER_ID_OFFSET = 44;
    static final int RANGE_START_OFFSET = 48;
    static final int RANGE_LENGTH_OFFSET = 52;
    static final int ELEMENT_COUNT_OFFSET = 56;
    static final int BLOCK_SIZE_OFFSET = 60;
    static final int PAYLOAD_LENGTH_OFFSET = 64;
    static final int CHECKSUM_OFFSET = 68;
    static final int HEADER = 72;
    static final int TAG = 16;
    static final int FLAG_AUTHENTICATED = 0x01;

    static final int MAX_ELEMENTS = 4096;

    private TestMessages()
    {
    }

    /**
     * A valid message and what it was encoded from.
     */
    record Sample(Encoding encoding, byte[] bytes, int rangeStart, int rangeLength, int count, int blockSize,
        int[] indices, float[] values, byte[] levels, float[] scales)
    {
    }

    /**
     * Destination arrays reused across decodes.
     */
    static final class Scratch
    {
        final int[] indices = new int[MAX_ELEMENTS];
        final float[] values = new float[MAX_ELEMENTS];
        final byte[] levels = new byte[MAX_ELEMENTS];
        final float[] scales = new float[MAX_ELEMENTS];
    }

    /**
     * A key of bytes drawn from a seeded source, so every run signs the same bytes.
     */
    static JobKey key(final long seed)
    {
        final byte[] bytes = new byte[JobKey.LENGTH];
        new SplittableRandom(seed).nextBytes(bytes);
        return JobKey.fromBytes(bytes);
    }

    static MessageAuthenticator authenticator(final long seed)
    {
        return new MessageAuthenticator(key(seed));
    }

    static MessageHeaderEncoder header(final int rangeStart, final int rangeLength)
    {
        return header(rangeStart, rangeLength, null);
    }

    static MessageHeaderEncoder header(
        final int rangeStart, final int rangeLength, final MessageAuthenticator authenticator)
    {
        return new MessageHeaderEncoder()
            .authenticator(authenticator)
            .messageType(MessageType.GRADIENT_PUSH)
            .jobId(JOB)
            .shardId(3)
            .workerId(11)
            .sequence(42)
            .baseVersion(100)
            .targetVersion(5)
            .keyRange(rangeStart, rangeLength);
    }

    static Sample randomSample(final SplittableRandom random, final Encoding encoding)
    {
        return randomSample(random, encoding, null);
    }

    /**
     * A random valid message, signed when an authenticator is given.
     */
    static Sample randomSample(
        final SplittableRandom random, final Encoding encoding, final MessageAuthenticator authenticator)
    {
        final int rangeStart = random.nextInt(0, 1_000_000);
        final int rangeLength = random.nextInt(4) == 0 ? random.nextInt(0, 3) : random.nextInt(1, 1500);
        switch (encoding)
        {
            case DENSE_F32:
                return dense(random, rangeStart, rangeLength, authenticator);
            case SPARSE_F32:
            case SPARSE_F16:
                return sparse(random, encoding, rangeStart, rangeLength, authenticator);
            default:
                return blockScaled(random, encoding, rangeStart, rangeLength, authenticator);
        }
    }

    static Sample dense(final SplittableRandom random, final int rangeStart, final int count)
    {
        return dense(random, rangeStart, count, null);
    }

    static Sample dense(
        final SplittableRandom random,
        final int rangeStart,
        final int count,
        final MessageAuthenticator authenticator)
    {
        final float[] values = randomValues(random, count);
        final MessageHeaderEncoder header = header(rangeStart, count, authenticator);
        final byte[] bytes = new byte[DenseEncoder.length(count) + header.trailerLength()];
        final int length = DenseEncoder.encode(new UnsafeBuffer(bytes), 0, header, values, 0, count);
        check(length == bytes.length);
        return new Sample(Encoding.DENSE_F32, bytes, rangeStart, count, count, 0, null, values, null, null);
    }

    static Sample sparse(
        final SplittableRandom random,
        final Encoding encoding,
        final int rangeStart,
        final int rangeLength,
        final MessageAuthenticator authenticator)
    {
        final int count = rangeLength == 0 ? 0 : random.nextInt(0, Math.min(rangeLength, 400) + 1);
        final int[] indices = sortedDistinct(random, rangeLength, count);
        final float[] values = randomValues(random, count);
        final MessageHeaderEncoder header = header(rangeStart, rangeLength, authenticator);
        final byte[] bytes = new byte[SparseEncoder.length(encoding, indices, count) + header.trailerLength()];
        final int length = SparseEncoder.encode(new UnsafeBuffer(bytes), 0, header, encoding, indices, values, count);
        check(length == bytes.length);
        return new Sample(encoding, bytes, rangeStart, rangeLength, count, 0, indices, values, null, null);
    }

    static Sample blockScaled(
        final SplittableRandom random,
        final Encoding encoding,
        final int rangeStart,
        final int count,
        final MessageAuthenticator authenticator)
    {
        final int blockSize = random.nextInt(1, 80);
        final int blocks = (count + blockSize - 1) / blockSize;
        final int maxLevel = encoding == Encoding.QSGD_8BIT ? 127 : 7;
        final byte[] levels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            levels[i] = encoding == Encoding.SIGN ?
                (byte)(random.nextBoolean() ? 1 : -1) : (byte)random.nextInt(-maxLevel, maxLevel + 1);
        }
        final float[] scales = new float[blocks];
        for (int b = 0; b < blocks; b++)
        {
            scales[b] = (float)random.nextDouble(0.0, 10.0);
        }
        final boolean sign = encoding == Encoding.SIGN;
        final MessageHeaderEncoder header = header(rangeStart, count, authenticator);
        final byte[] bytes = new byte[header.trailerLength() + (sign ?
            SignEncoder.length(count, blockSize) : QuantizedEncoder.length(encoding, count, blockSize))];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final int length = sign ?
            SignEncoder.encode(buffer, 0, header, levels, scales, 0, count, blockSize) :
            QuantizedEncoder.encode(buffer, 0, header, encoding, levels, scales, 0, count, blockSize);
        check(length == bytes.length);
        return new Sample(encoding, bytes, rangeStart, count, count, blockSize, null, null, levels, scales);
    }

    static float[] randomValues(final SplittableRandom random, final int count)
    {
        final float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            switch (random.nextInt(8))
            {
                case 0:
                    values[i] = Float.intBitsToFloat(random.nextInt(0, 0x80_0000)) * (random.nextBoolean() ? 1 : -1);
                    break;
                case 1:
                    values[i] = random.nextBoolean() ? 0.0f : -0.0f;
                    break;
                case 2:
                    values[i] = (float)random.nextDouble(-1e6, 1e6);
                    break;
                default:
                    values[i] = (float)random.nextGaussian() * 0.01f;
                    break;
            }
        }
        return values;
    }

    /**
     * Sorted distinct ints in [0, bound), drawn uniformly with rejection of repeats.
     */
    static int[] sortedDistinct(final SplittableRandom random, final int bound, final int count)
    {
        final int[] result = new int[count];
        if (count == 0)
        {
            return result;
        }
        final BitSet chosen = new BitSet(bound);
        int n = 0;
        while (n < count)
        {
            final int candidate = random.nextInt(bound);
            if (!chosen.get(candidate))
            {
                chosen.set(candidate);
                result[n++] = candidate;
            }
        }
        Arrays.sort(result);
        return result;
    }

    /**
     * Decode a whole message as a receiver owning every key of job {@link #JOB} would.
     */
    static RejectReason decode(
        final MessageHeaderDecoder header,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Scratch scratch)
    {
        final RejectReason reason = header.wrap(buffer, offset, length, JOB, 0, Integer.MAX_VALUE);
        if (reason != RejectReason.NONE)
        {
            return reason;
        }
        switch (header.encoding())
        {
            case DENSE_F32:
                return DenseDecoder.decode(header, scratch.values);
            case SPARSE_F32:
            case SPARSE_F16:
                return SparseDecoder.decode(header, scratch.indices, scratch.values);
            case QSGD_8BIT:
            case QSGD_4BIT:
                return QuantizedDecoder.decode(header, scratch.levels, scratch.scales);
            case SIGN:
                return SignDecoder.decode(header, scratch.levels, scratch.scales);
            default:
                throw new AssertionError("no decoder for " + header.encoding());
        }
    }

    static RejectReason decode(final byte[] bytes)
    {
        return decode(new MessageHeaderDecoder(), new UnsafeBuffer(bytes), 0, bytes.length, new Scratch());
    }

    /**
     * Recompute and store the checksum after a test changed a sealed message, as anyone can: over the trailer too
     * when the flags announce one.
     */
    static void reseal(final MutableDirectBuffer buffer, final int offset)
    {
        final int payloadLength = buffer.getInt(offset + PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
        final int trailer = (buffer.getByte(offset + FLAGS_OFFSET) & FLAG_AUTHENTICATED) != 0 ? TAG : 0;
        HeaderDescriptor.putChecksum(buffer, offset, HeaderDescriptor.computeChecksum(
            new Crc32cChecksum(), buffer, offset, payloadLength, trailer));
    }

    /**
     * Recompute the tag and then the checksum of a changed signed message, as a sender holding the key would.
     */
    static byte[] resign(final byte[] bytes, final MessageAuthenticator authenticator)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        authenticator.sign(buffer, 0, buffer.getInt(PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN));
        return reseal(bytes);
    }

    static byte[] reseal(final byte[] bytes)
    {
        reseal(new UnsafeBuffer(bytes), 0);
        return bytes;
    }

    static byte[] withInt(final byte[] message, final int fieldOffset, final int value)
    {
        final byte[] copy = message.clone();
        new UnsafeBuffer(copy).putInt(fieldOffset, value, LITTLE_ENDIAN);
        return reseal(copy);
    }

    static byte[] withByte(final byte[] message, final int index, final int value)
    {
        final byte[] copy = message.clone();
        copy[index] = (byte)value;
        return reseal(copy);
    }

    /**
     * A sparse message whose index section is given raw, sealed with a correct checksum: for varint edge cases
     * that the encoder refuses to produce.
     */
    static byte[] rawSparse(final int rangeLength, final float[] values, final byte[] indexBytes)
    {
        final int count = values.length;
        final int payloadLength = count * 4 + indexBytes.length;
        final byte[] bytes = new byte[HEADER + payloadLength];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        HeaderDescriptor.putHeader(
            buffer, 0, header(0, rangeLength), Encoding.SPARSE_F32, count, 0, payloadLength);
        for (int i = 0; i < count; i++)
        {
            buffer.putFloat(HEADER + 4 * i, values[i], LITTLE_ENDIAN);
        }
        buffer.putBytes(HEADER + 4 * count, indexBytes);
        return reseal(bytes);
    }

    static UnsafeBuffer directCopy(final byte[] bytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length));
        buffer.putBytes(0, bytes);
        return buffer;
    }

    private static void check(final boolean condition)
    {
        if (!condition)
        {
            throw new AssertionError("encoder returned a length other than its length calculator's");
        }
    }
}
