package dev.parasol.engine.data;

import static dev.parasol.engine.data.IdxReaderTest.assertContains;
import static dev.parasol.engine.data.IdxTestFiles.gzip;
import static dev.parasol.engine.data.IdxTestFiles.idxBytes;
import static dev.parasol.engine.data.IdxTestFiles.imagesFile;
import static dev.parasol.engine.data.IdxTestFiles.labelsFile;
import static dev.parasol.engine.data.IdxTestFiles.write;
import static dev.parasol.engine.data.IdxTestFiles.writeFashionLike;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest
{
    private static final Path DEBIAN_DIRECTORY = Paths.get(DatasetLocator.SYSTEM_DIRECTORY_DEFAULT);

    @TempDir
    Path dir;

    @Test
    void shouldLoadBothSplitsWhenFilesGzipped()
    {
        writeFashionLike(dir, 30, 12, true);

        final FashionMnist data = FashionMnist.load(dir);

        assertEquals(dir, data.directory());
        assertEquals(30, data.train().size());
        assertEquals(12, data.test().size());
        assertEquals(784, data.train().featureCount());
        assertEquals(10, data.train().classes());
        assertEquals(7, data.train().label(17));
    }

    @Test
    void shouldLoadWhenFilesUncompressed()
    {
        writeFashionLike(dir, 20, 10, false);

        assertEquals(20, FashionMnist.loadTrain(dir).size());
        assertEquals(10, FashionMnist.loadTest(dir).size());
    }

    @Test
    void shouldScalePixelsToUnitInterval()
    {
        final byte[] pixels = new byte[784];
        pixels[0] = 0;
        pixels[1] = (byte)255;
        pixels[2] = (byte)51;
        pixels[3] = (byte)128;
        final Path images = write(dir.resolve("i.gz"),
            gzip(idxBytes(IdxReader.IMAGES_MAGIC, new int[]{ 1, 28, 28 }, pixels)));
        final Path labels = write(dir.resolve("l"), labelsFile(1));

        final InMemoryDataset data = FashionMnist.loadSplit(images, labels);

        assertEquals(0f, data.feature(0, 0));
        assertEquals(1f, data.feature(0, 1));
        assertEquals(0.2f, data.feature(0, 2), 1e-7f);
        assertEquals(128f / 255f, data.feature(0, 3));
    }

    @Test
    void shouldRejectCountMismatchBetweenImagesAndLabels()
    {
        final Path images = write(dir.resolve("images"), imagesFile(10, 28, 28, 1));
        final Path labels = write(dir.resolve("labels"), labelsFile(9));

        final DatasetException ex =
            assertThrows(DatasetException.class, () -> FashionMnist.loadSplit(images, labels));

        assertContains(ex.getMessage(), images.toString(), labels.toString(), "10 images", "9 labels",
            "expected equal counts");
    }

    @Test
    void shouldRejectLabelOutOfRange()
    {
        final Path images = write(dir.resolve("images"), imagesFile(3, 28, 28, 1));
        final Path labels = write(dir.resolve("labels"),
            idxBytes(IdxReader.LABELS_MAGIC, new int[]{ 3 }, new byte[]{ 1, 10, 2 }));

        final DatasetException ex =
            assertThrows(DatasetException.class, () -> FashionMnist.loadSplit(images, labels));

        assertContains(ex.getMessage(), labels.toString(), "label 10 at index 1", "[0, 9]");
    }

    @Test
    void shouldRejectImagesThatAreNot28By28()
    {
        final Path images = write(dir.resolve("images"), imagesFile(3, 27, 28, 1));
        final Path labels = write(dir.resolve("labels"), labelsFile(3));

        final DatasetException ex =
            assertThrows(DatasetException.class, () -> FashionMnist.loadSplit(images, labels));

        assertContains(ex.getMessage(), images.toString(), "27x28", "expected 28x28");
    }

    @Test
    void shouldNameMissingFileWhenDirectoryIncomplete()
    {
        writeFashionLike(dir, 5, 5, true);
        final Path missing = dir.resolve(FashionMnist.TEST_LABELS + ".gz");
        assertTrue(missing.toFile().delete());

        final DatasetException ex = assertThrows(DatasetException.class, () -> FashionMnist.loadTest(dir));

        assertContains(ex.getMessage(), missing.toString(), "does not exist");
    }

    @Test
    @Timeout(60)
    void shouldLoadRealFilesWhenDebianPackageInstalled()
    {
        Assumptions.assumeTrue(
            FashionMnist.FILE_NAMES.stream().allMatch((n) -> DatasetLocator.findFile(DEBIAN_DIRECTORY, n) != null),
            "Debian package dataset-fashion-mnist not installed");

        final long startNs = System.nanoTime();
        final InMemoryDataset train = FashionMnist.loadTrain(DEBIAN_DIRECTORY);
        final long trainNs = System.nanoTime() - startNs;
        final InMemoryDataset test = FashionMnist.loadTest(DEBIAN_DIRECTORY);
        System.out.printf("loaded Fashion-MNIST train (60000 images) in %.3f s%n", trainNs / 1e9);

        assertEquals(FashionMnist.TRAIN_SIZE, train.size());
        assertEquals(FashionMnist.TEST_SIZE, test.size());
        for (int c = 0; c < FashionMnist.CLASSES; c++)
        {
            assertEquals(6000, train.labelHistogram()[c], "train class " + c);
            assertEquals(1000, test.labelHistogram()[c], "test class " + c);
        }
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (final float value : train.features())
        {
            min = Math.min(min, value);
            max = Math.max(max, value);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
    }

    /**
     * The Debian files carry a rewritten gzip header; restoring the project's (FNAME flag, original name and time
     * stamp) must give back the published files: the published MD5 and the SHA-256 this code verifies downloads with.
     */
    @Test
    @Timeout(60)
    void shouldReproducePublishedDigestsWhenDebianGzipHeaderRestored() throws Exception
    {
        for (final FileDigest digest : FashionMnist.GZ_DIGESTS)
        {
            final Path debian = DEBIAN_DIRECTORY.resolve(digest.fileName());
            Assumptions.assumeTrue(Files.isRegularFile(debian), "Debian package dataset-fashion-mnist not installed");

            final byte[] stripped = Files.readAllBytes(debian);
            final String name = digest.fileName().substring(0, digest.fileName().length() - 3);
            final int mtime = name.startsWith("train") ? 1504176606 : 1504176627;
            final ByteBuffer restored = ByteBuffer.allocate(stripped.length + name.length() + 1)
                .order(ByteOrder.LITTLE_ENDIAN);
            restored.put(new byte[]{ 0x1f, (byte)0x8b, 8, 8 }).putInt(mtime).put(new byte[]{ 0, 3 });
            restored.put(name.getBytes()).put((byte)0).put(stripped, 10, stripped.length - 10);

            final HexFormat hex = HexFormat.of();
            assertEquals(digest.md5(), hex.formatHex(MessageDigest.getInstance("MD5").digest(restored.array())));
            assertEquals(digest.sha256(),
                hex.formatHex(MessageDigest.getInstance("SHA-256").digest(restored.array())));
            assertEquals(contentSha256(debian), contentSha256Of(gzipStream(restored.array())));
        }
    }

    private static String contentSha256(final Path gz) throws IOException
    {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16))
        {
            return contentSha256Of(in);
        }
    }

    private static InputStream gzipStream(final byte[] bytes) throws IOException
    {
        return new GZIPInputStream(new ByteArrayInputStream(bytes), 1 << 16);
    }

    private static String contentSha256Of(final InputStream in) throws IOException
    {
        try
        {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            final byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0)
            {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
