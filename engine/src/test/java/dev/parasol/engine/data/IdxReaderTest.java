package dev.parasol.engine.data;

import static dev.parasol.engine.data.IdxTestFiles.gzip;
import static dev.parasol.engine.data.IdxTestFiles.idxBytes;
import static dev.parasol.engine.data.IdxTestFiles.imagesFile;
import static dev.parasol.engine.data.IdxTestFiles.labelsFile;
import static dev.parasol.engine.data.IdxTestFiles.randomBytes;
import static dev.parasol.engine.data.IdxTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRoundTripImagesWhenGzipped()
    {
        final byte[] pixels = randomBytes(5 * 3 * 4, 42);
        final Path path = write(dir.resolve("images.gz"),
            gzip(idxBytes(IdxReader.IMAGES_MAGIC, new int[]{ 5, 3, 4 }, pixels)));

        final IdxArray array = IdxReader.readImages(path);

        assertEquals(IdxReader.IMAGES_MAGIC, array.magic());
        assertArrayEquals(new int[]{ 5, 3, 4 }, array.dimensions());
        assertArrayEquals(pixels, array.data());
        assertEquals(path, array.path());
    }

    @Test
    void shouldRoundTripLabelsWhenPlain()
    {
        final byte[] labels = { 0, 9, 3, (byte)255, 7 };
        final Path path = write(dir.resolve("labels"), idxBytes(IdxReader.LABELS_MAGIC, new int[]{ 5 }, labels));

        final IdxArray array = IdxReader.readLabels(path);

        assertEquals(1, array.dimensionCount());
        assertEquals(5, array.dimension(0));
        assertArrayEquals(labels, array.data());
        assertEquals(255, array.data()[3] & 0xFF);
    }

    @Test
    void shouldDetectCompressionByMagicBytesNotByName()
    {
        final byte[] content = labelsFile(20);
        final Path gzippedWithoutSuffix = write(dir.resolve("labels-no-suffix"), gzip(content));
        final Path plainWithGzSuffix = write(dir.resolve("labels-plain.gz"), content);

        assertEquals(20, IdxReader.readLabels(gzippedWithoutSuffix).dimension(0));
        assertEquals(20, IdxReader.readLabels(plainWithGzSuffix).dimension(0));
    }

    @Test
    void shouldReadEmptyFileOfZeroItems()
    {
        final Path path = write(dir.resolve("empty"), idxBytes(IdxReader.LABELS_MAGIC, new int[]{ 0 }, new byte[0]));

        assertEquals(0, IdxReader.readLabels(path).data().length);
    }

    @Test
    void shouldReportTruncatedWhenPlainDataIsShort()
    {
        final byte[] full = imagesFile(10, 28, 28, 1);
        final Path path = write(dir.resolve("cut"), Arrays.copyOf(full, full.length - 100));

        final DatasetException ex = assertThrows(DatasetException.class, () -> IdxReader.readImages(path));

        assertContains(ex.getMessage(), path.toString(), "truncated", "10x28x28", "7840 data bytes",
            "found only 7740", "download the file again");
    }

    @Test
    void shouldReportTruncatedWhenGzipStreamIsCut()
    {
        final byte[] compressed = gzip(imagesFile(50, 28, 28, 3));
        final Path path = write(dir.resolve("cut.gz"), Arrays.copyOf(compressed, compressed.length / 2));

        final DatasetException ex = assertThrows(DatasetException.class, () -> IdxReader.readImages(path));

        assertContains(ex.getMessage(), "gzipped IDX file " + path, "truncated", "39200 data bytes");
    }

    @Test
    void shouldReportTruncatedWhenHeaderIsShort()
    {
        final Path path = write(dir.resolve("header"), new byte[]{ 0, 0, 8, 3, 0, 0 });

        final DatasetException ex = assertThrows(DatasetException.class, () -> IdxReader.readImages(path));

        assertContains(ex.getMessage(), "truncated in its header", "3 dimension sizes (12 bytes), found 2 bytes");
    }

    @Test
    void shouldReportTruncatedWhenGzipTrailerIsMissing()
    {
        final byte[] compressed = gzip(labelsFile(100));
        final Path path = write(dir.resolve("notrailer.gz"), Arrays.copyOf(compressed, compressed.length - 8));

        final DatasetException ex = assertThrows(DatasetException.class, () -> IdxReader.readLabels(path));

        assertContains(ex.getMessage(), path.toString(), "truncated");
    }

    @Test
    void shouldReportCorruptWhenGzipCrcIsWrong()
    {
        final byte[] compressed = gzip(labelsFile(100));
        compressed[compressed.length - 6] ^= 0x5A;
        final Path path = write(dir.resolve("crc.gz"), compressed);

        final DatasetException ex = assertThrows(DatasetException.class, () -> IdxReader.readLabels(path));

        assertContains(ex.getMessage(), path.toString(), "corrupt");
    }

    @Test
    void shouldReportWrongMagicWhenLabelsReadAsImages()
    {
        final Path path = write(dir.resolve("labels.gz"), gzip(labelsFile(10)));

        final DatasetException ex = assertThrows(DatasetException.class, () -> IdxReader.readImages(path));

        assertContains(ex.getMessage(), path.toString(), "has magic number 0x00000801", "expected 0x00000803",
            "images and labels files are not swapped");
    }

    @Test
    void shouldReportWrongMagicWhenFileIsNotIdx()
    {
        final Path path = write(dir.resolve("text"), "hello, world, this is not IDX".getBytes());

        final DatasetException ex = assertThrows(DatasetException.class, () -> IdxReader.readLabels(path));

        assertContains(ex.getMessage(), path.toString(), "0x68656C6C", "expected 0x00000801", "not an IDX file");
    }

    @Test
    void shouldReportExtraBytesAfterDeclaredData()
    {
        final byte[] content = labelsFile(10);
        final Path path = write(dir.resolve("long"), Arrays.copyOf(content, content.length + 3));

        final DatasetException ex = assertThrows(DatasetException.class, () -> IdxReader.readLabels(path));

        assertContains(ex.getMessage(), path.toString(), "more data than its header declares");
    }

    @Test
    void shouldReportMissingFile()
    {
        final Path path = dir.resolve("nope.gz");

        final DatasetException ex = assertThrows(DatasetException.class, () -> IdxReader.readLabels(path));

        assertContains(ex.getMessage(), path.toString(), "does not exist", "0x00000801");
    }

    @Test
    void shouldReportDirectoryGivenAsFile()
    {
        final DatasetException ex = assertThrows(DatasetException.class, () -> IdxReader.readLabels(dir));

        assertContains(ex.getMessage(), dir.toString(), "is a directory");
    }

    static void assertContains(final String message, final String... parts)
    {
        for (final String part : parts)
        {
            assertTrue(message.contains(part), () -> "expected <" + part + "> in: " + message);
        }
    }
}
