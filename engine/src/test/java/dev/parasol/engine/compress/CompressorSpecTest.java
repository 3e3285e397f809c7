package dev.parasol.engine.compress;

import dev.parasol.wire.Encoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class CompressorSpecTest
{
    @ParameterizedTest
    @CsvSource({
        "dense, DENSE, DENSE_F32, dense",
        "topk:0.01, TOP_K, SPARSE_F32, topk:0.01",
        "topk:1, TOP_K, SPARSE_F32, topk:1.0",
        "topk:.5, TOP_K, SPARSE_F32, topk:0.5",
        "topk:1e-3, TOP_K, SPARSE_F32, topk:0.001",
        "randk:0.25, RANDOM_K, SPARSE_F32, randk:0.25",
        "qsgd:8, QSGD, QSGD_8BIT, qsgd:8",
        "qsgd:4, QSGD, QSGD_4BIT, qsgd:4",
        "qsgd:4:512, QSGD, QSGD_4BIT, qsgd:4",
        "qsgd:8:128, QSGD, QSGD_8BIT, qsgd:8:128",
        "sign, SIGN, SIGN, sign",
        "sign:64, SIGN, SIGN, sign:64",
    })
    void shouldParseGoodSpecWhenWellFormed(
        final String text, final CompressorSpec.Kind kind, final Encoding encoding, final String canonical)
    {
        final CompressorSpec spec = CompressorSpec.parse(text);
        assertEquals(kind, spec.kind());
        assertEquals(encoding, spec.encoding());
        assertEquals(canonical, spec.toString());
        assertEquals(spec, CompressorSpec.parse(spec.toString()));

        final Compressor compressor = spec.newCompressor(1000, new SplittableRandom(1));
        assertEquals(encoding, compressor.encoding());
        assertEquals(canonical, compressor.spec());
        assertEquals(1000, compressor.maxLength());
    }

    @Test
    void shouldBuildTheMatchingCompressorClassWhenSpecParsed()
    {
        final SplittableRandom random = new SplittableRandom(1);
        assertInstanceOf(DenseCompressor.class, CompressorSpec.parse("dense").newCompressor(10, random));
        assertInstanceOf(TopKCompressor.class, CompressorSpec.parse("topk:0.1").newCompressor(10, random));
        assertInstanceOf(RandomKCompressor.class, CompressorSpec.parse("randk:0.1").newCompressor(10, random));
        assertInstanceOf(QsgdCompressor.class, CompressorSpec.parse("qsgd:4").newCompressor(10, random));
        assertInstanceOf(ScaledSignCompressor.class, CompressorSpec.parse("sign").newCompressor(10, null));
        assertEquals(64, ((QsgdCompressor)CompressorSpec.parse("qsgd:8:64").newCompressor(10, random)).blockSize());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "topk:1.5|ratio must be in (0, 1], got 1.5",
        "topk:0|ratio must be in (0, 1], got 0",
        "topk:0.0|ratio must be in (0, 1], got 0.0",
        "randk:2|ratio must be in (0, 1], got 2",
        "topk:-0.1|ratio must be a decimal number in (0, 1], got '-0.1'",
        "topk:NaN|ratio must be a decimal number in (0, 1], got 'NaN'",
        "topk:0.5f|ratio must be a decimal number in (0, 1], got '0.5f'",
        "topk:|ratio must be a decimal number in (0, 1], got ''",
        "topk|'topk' takes 1 argument(s), got 0",
        "topk:0.1:3|'topk' takes 1 argument(s), got 2",
        "dense:1|'dense' takes 0 argument(s), got 1",
        "qsgd|'qsgd' takes 1 to 2 arguments, got 0",
        "qsgd:2|QSGD bits must be 4 or 8, got '2'",
        "qsgd:16|QSGD bits must be 4 or 8, got '16'",
        "qsgd:8:0|block size must be an integer in [1, 16777216], got '0'",
        "qsgd:8:abc|block size must be an integer in [1, 16777216], got 'abc'",
        "sign:99999999|block size must be an integer in [1, 16777216], got '99999999'",
        "sign:1:2|'sign' takes 0 to 1 arguments, got 2",
        "TopK:0.1|unknown compressor 'TopK'",
        "gzip|unknown compressor 'gzip'",
        "' dense'|unknown compressor ' dense'",
    })
    void shouldRejectBadSpecNamingItAndWhatIsAccepted(final String text, final String reason)
    {
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> CompressorSpec.parse(text));
        assertTrue(e.getMessage().startsWith("invalid compressor spec '" + text + "': " + reason), e.getMessage());
        assertTrue(e.getMessage().endsWith("; accepted: " + CompressorSpec.ACCEPTED), e.getMessage());
    }

    @Test
    void shouldRejectSpecWhenEmpty()
    {
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> CompressorSpec.parse(""));
        assertTrue(e.getMessage().contains("unknown compressor ''"), e.getMessage());
    }

    @Test
    void shouldRejectSpecWhenNullOrFieldsInconsistent()
    {
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> CompressorSpec.parse(null));
        assertTrue(e.getMessage().contains("accepted: dense, topk:RATIO"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CompressorSpec(CompressorSpec.Kind.DENSE, 0.1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new CompressorSpec(CompressorSpec.Kind.QSGD, 0, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> new CompressorSpec(CompressorSpec.Kind.TOP_K, 0, 0, 0));
    }
}
