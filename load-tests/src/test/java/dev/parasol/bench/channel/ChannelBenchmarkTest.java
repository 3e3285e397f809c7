package dev.parasol.bench.channel;

import dev.parasol.engine.compress.CompressedGradient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelBenchmarkTest
{
    @Test
    void shouldBuildPushesOfTheRangesAJobSends()
    {
        final List<PushCase> cases = PushCase.select("W2-topk-1,W2-topk-2,W2-dense-2,W2-dense-1");

        assertEquals(2_351, cases.get(0).entries());
        assertEquals(235_146, cases.get(0).range().length());
        assertTrue(cases.get(0).minLength() > 72 + 5 * 2_351 && cases.get(0).maxLength() < 72 + 6 * 2_351,
            "sparse f32 takes 4 bytes per value and 1-2 per gap at 1%: " + cases.get(0).messageLength());
        assertEquals(2 * PushCase.SPARSE_GRADIENTS, cases.get(0).ringSize());
        final CompressedGradient first = cases.get(0).gradients()[0];
        final CompressedGradient negated = cases.get(0).gradients()[1];
        final CompressedGradient second = cases.get(0).gradients()[2];
        assertArrayEquals(
            Arrays.copyOf(first.indices(), first.count()), Arrays.copyOf(negated.indices(), negated.count()));
        assertEquals(-first.values()[0], negated.values()[0]);
        assertFalse(Arrays.equals(Arrays.copyOf(first.indices(), first.count()),
            Arrays.copyOf(second.indices(), second.count())), "consecutive top-k pushes name other coordinates");
        assertEquals(cases.get(3).minLength(), cases.get(3).maxLength());
        assertEquals(1_176, cases.get(1).entries());
        assertEquals(117_573, cases.get(1).range().length());
        assertEquals(72 + 4 * 117_573, cases.get(2).messageLength());
        assertEquals(940_656, cases.get(3).messageLength());
        assertEquals(8 * 1024 * 1024, cases.get(3).termLength());
        assertEquals(4 * 1024 * 1024, cases.get(2).termLength());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldApplyEveryPushSentWhenRunOverTheDataPlane()
    {
        final long windowNs = TimeUnit.MILLISECONDS.toNanos(200);
        final ChannelBenchmark.Settings settings = new ChannelBenchmark.Settings(
            windowNs, windowNs, 2, TimeUnit.MILLISECONDS.toNanos(40));
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        final List<ChannelBenchmark.Result> results =
            ChannelBenchmark.run(PushCase.select("W1-topk-1,W2-dense-2"), settings, out);
        ChannelBenchmark.printTables(results, out);

        assertEquals(2, results.size());
        for (final ChannelBenchmark.Result result : results)
        {
            assertTrue(result.channelSent() > 0, result.pushCase().name());
            assertEquals(result.channelSent(), result.applied(), result.pushCase().name());
            assertTrue(result.raw().messages() > 0 && result.channel().messages() > 0, result.pushCase().name());
            assertEquals(result.pushCase().messageLength() * result.raw().messages(), result.raw().bytes());
            assertTrue(result.channel().bytes() >= result.pushCase().minLength() * result.channel().messages() &&
                result.channel().bytes() <= result.pushCase().maxLength() * result.channel().messages(),
                result.pushCase().name());
            assertTrue(result.breakdown().encodeNs() > 0 && result.breakdown().decodeNs() > 0 &&
                result.breakdown().stepNs() > 0, result.breakdown().toString());
        }
        final String printed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("| W1 topk:0.01, whole model | "), printed);
        assertTrue(printed.contains("| W2 dense, 1 of 2 shards | 470,364 | "), printed);
    }
}
