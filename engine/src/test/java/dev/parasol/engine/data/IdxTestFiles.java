package dev.parasol.engine.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Writes small synthetic IDX files and Fashion-MNIST-shaped directories for tests.
 */
final class IdxTestFiles
{
    private IdxTestFiles()
    {
    }

    static byte[] idxBytes(final int magic, final int[] dimensions, final byte[] data)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * dimensions.length + data.length);
        buffer.putInt(magic);
        for (final int dimension : dimensions)
        {
            buffer.putInt(dimension);
        }
        buffer.put(data);

        return buffer.array();
    }

    static byte[] gzip(final byte[] bytes)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out))
        {
            gz.write(bytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }

        return out.toByteArray();
    }

    static Path write(final Path path, final byte[] bytes)
    {
        try
        {
            Files.createDirectories(path.getParent());
            return Files.write(path, bytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static byte[] randomBytes(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }

        return bytes;
    }

    static byte[] labels(final int count, final int classes)
    {
        final byte[] labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = (byte)(i % classes);
        }

        return labels;
    }

    static byte[] imagesFile(final int count, final int rows, final int columns, final long seed)
    {
        return idxBytes(IdxReader.IMAGES_MAGIC, new int[]{ count, rows, columns },
            randomBytes(count * rows * columns, seed));
    }

    static byte[] labelsFile(final int count)
    {
        return idxBytes(IdxReader.LABELS_MAGIC, new int[]{ count }, labels(count, FashionMnist.CLASSES));
    }

    /**
     * Write the four Fashion-MNIST files, 28x28 random pixels and labels i % 10.
     */
    static Path writeFashionLike(final Path directory, final int trainSize, final int testSize, final boolean gzip)
    {
        writeFile(directory, FashionMnist.TRAIN_IMAGES, imagesFile(trainSize, 28, 28, 1), gzip);
        writeFile(directory, FashionMnist.TRAIN_LABELS, labelsFile(trainSize), gzip);
        writeFile(directory, FashionMnist.TEST_IMAGES, imagesFile(testSize, 28, 28, 2), gzip);
        writeFile(directory, FashionMnist.TEST_LABELS, labelsFile(testSize), gzip);

        return directory;
    }

    private static void writeFile(final Path directory, final String baseName, final byte[] content, final boolean gz)
    {
        write(directory.resolve(gz ? baseName + ".gz" : baseName), gz ? gzip(content) : content);
    }
}
