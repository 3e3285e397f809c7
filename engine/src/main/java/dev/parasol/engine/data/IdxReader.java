package dev.parasol.engine.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files of unsigned bytes (the format of MNIST and Fashion-MNIST), gzipped or not.
 * <p>
 * Format (LeCun et al., "The MNIST database of handwritten digits"): a big-endian magic number {@code 0x0000TTDD}
 * where {@code TT} is the element type ({@code 0x08}, unsigned byte, is the only one read here) and {@code DD} the
 * number of dimensions, then one big-endian int per dimension, then the elements in row-major order.
 * <p>
 * Compression is detected from the gzip magic bytes {@code 1f 8b}, never from the file name, so a file named
 * {@code .gz} that was already decompressed still reads. The reader insists on reaching the end of the data exactly:
 * a short file is reported as truncated, extra bytes as a wrong file, and for gzip the trailer CRC is checked.
 * Reads go through large buffers into one {@code byte[]} so that the 47 MB of the Fashion-MNIST training images
 * load in well under a second.
 */
public final class IdxReader
{
    /**
     * Magic number of a one-dimensional unsigned-byte IDX file: labels.
     */
    public static final int LABELS_MAGIC = 0x00000801;

    /**
     * Magic number of a three-dimensional unsigned-byte IDX file: images (count, rows, columns).
     */
    public static final int IMAGES_MAGIC = 0x00000803;

    static final int BUFFER_SIZE_BYTES = 1 << 16;
    private static final int CHUNK_BYTES = 1 << 20;
    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;
    private static final String REFETCH = "download the file again or reinstall the package that provides it";

    private IdxReader()
    {
    }

    /**
     * Read a labels file, magic {@link #LABELS_MAGIC}.
     *
     * @param path of the file, gzipped or not.
     * @return the array, one dimension.
     * @throws DatasetException if the file is missing, truncated, corrupt or not a labels file.
     */
    public static IdxArray readLabels(final Path path)
    {
        return read(path, LABELS_MAGIC);
    }

    /**
     * Read an images file, magic {@link #IMAGES_MAGIC}.
     *
     * @param path of the file, gzipped or not.
     * @return the array, three dimensions: count, rows, columns.
     * @throws DatasetException if the file is missing, truncated, corrupt or not an images file.
     */
    public static IdxArray readImages(final Path path)
    {
        return read(path, IMAGES_MAGIC);
    }

    /**
     * Read an IDX file and check its magic number.
     *
     * @param path          of the file, gzipped or not.
     * @param expectedMagic the magic number the file must have, for example {@link #IMAGES_MAGIC}.
     * @return the array.
     * @throws DatasetException if the file is missing, truncated, corrupt or has another magic number.
     */
    public static IdxArray read(final Path path, final int expectedMagic)
    {
        if (Files.isDirectory(path))
        {
            throw new DatasetException("IDX file " + path + " is a directory; expected a file with magic " +
                hex(expectedMagic) + " (" + describe(expectedMagic) + "): give the path of the file itself");
        }

        try (InputStream raw = Files.newInputStream(path);
            BufferedInputStream buffered = new BufferedInputStream(raw, BUFFER_SIZE_BYTES);
            InputStream in = isGzip(buffered) ? new GZIPInputStream(buffered, BUFFER_SIZE_BYTES) : buffered)
        {
            return readIdx(path, in, in != buffered, expectedMagic);
        }
        catch (final NoSuchFileException ex)
        {
            throw new DatasetException("IDX file " + path + " does not exist; expected a file with magic " +
                hex(expectedMagic) + " (" + describe(expectedMagic) + "): check the path", ex);
        }
        catch (final EOFException ex)
        {
            throw new DatasetException("IDX file " + path + " starts with the gzip magic bytes 1f 8b but is " +
                "truncated inside its gzip header; " + REFETCH, ex);
        }
        catch (final ZipException ex)
        {
            throw new DatasetException("IDX file " + path + " starts with the gzip magic bytes 1f 8b but is not " +
                "valid gzip (" + ex.getMessage() + "); the file is corrupt: " + REFETCH, ex);
        }
        catch (final IOException ex)
        {
            throw new DatasetException("IDX file " + path + " could not be read: " + ex, ex);
        }
    }

    private static boolean isGzip(final BufferedInputStream in) throws IOException
    {
        in.mark(2);
        final int b0 = in.read();
        final int b1 = in.read();
        in.reset();

        return b0 == GZIP_MAGIC_0 && b1 == GZIP_MAGIC_1;
    }

    private static IdxArray readIdx(final Path path, final InputStream in, final boolean gzipped, final int expected)
        throws IOException
    {
        final String what = (gzipped ? "gzipped " : "") + "IDX file " + path;
        final byte[] header = new byte[4];
        final int headerRead = readFully(in, header, 0, 4);
        if (headerRead < 4)
        {
            throw new DatasetException(what + " is truncated: expected a 4-byte magic number " + hex(expected) +
                ", found only " + headerRead + " bytes; " + REFETCH);
        }

        final int magic = bigEndianInt(header, 0);
        if (magic != expected)
        {
            throw new DatasetException(what + " has magic number " + hex(magic) + ", expected " + hex(expected) +
                " (" + describe(expected) + ")" + magicHint(magic, expected));
        }

        final int dimensionCount = magic & 0xFF;
        final byte[] dimensionBytes = new byte[4 * dimensionCount];
        final int dimensionRead = readFully(in, dimensionBytes, 0, dimensionBytes.length);
        if (dimensionRead < dimensionBytes.length)
        {
            throw new DatasetException(what + " is truncated in its header: expected " + dimensionCount +
                " dimension sizes (" + dimensionBytes.length + " bytes), found " + dimensionRead + " bytes; " +
                REFETCH);
        }

        final int[] dimensions = new int[dimensionCount];
        long total = 1;
        for (int i = 0; i < dimensionCount; i++)
        {
            dimensions[i] = bigEndianInt(dimensionBytes, 4 * i);
            if (dimensions[i] < 0)
            {
                throw new DatasetException(what + " declares dimension " + i + " of size " +
                    Integer.toUnsignedString(dimensions[i]) + ", expected at most " + Integer.MAX_VALUE +
                    "; the header is corrupt: " + REFETCH);
            }
            total *= dimensions[i];
            if (total > Integer.MAX_VALUE - 8)
            {
                throw new DatasetException(what + " declares " + dimensionString(dimensionBytes, i + 1) +
                    " elements, more than one Java array holds (" + (Integer.MAX_VALUE - 8) + "); the header is " +
                    "corrupt or the file is not meant for this reader");
            }
        }

        final byte[] data = new byte[(int)total];
        final int dataRead = readFully(in, data, 0, data.length);
        if (dataRead < data.length)
        {
            throw new DatasetException(what + " is truncated: its header declares " + dimensionString(dimensions) +
                " = " + data.length + " data bytes, found only " + dataRead + "; " + REFETCH);
        }
        if (readPastEnd(what, in) != -1)
        {
            throw new DatasetException(what + " has more data than its header declares (" +
                dimensionString(dimensions) + " = " + data.length + " bytes); the file is not what its header " +
                "says: " + REFETCH);
        }

        return new IdxArray(path, magic, dimensions, data);
    }

    private static int readPastEnd(final String what, final InputStream in) throws IOException
    {
        try
        {
            // For gzip this also reads the trailer, so its CRC and length get checked.
            return in.read();
        }
        catch (final EOFException ex)
        {
            throw new DatasetException(what + " is truncated: its data is complete but the gzip trailer (CRC and " +
                "length) is missing; " + REFETCH, ex);
        }
    }

    /**
     * Read until len bytes or the end of the stream; a gzip stream that ends early counts as the end.
     */
    private static int readFully(final InputStream in, final byte[] dst, final int offset, final int len)
        throws IOException
    {
        int done = 0;
        try
        {
            while (done < len)
            {
                final int n = in.read(dst, offset + done, Math.min(CHUNK_BYTES, len - done));
                if (n < 0)
                {
                    break;
                }
                done += n;
            }
        }
        catch (final EOFException ex)
        {
            // GZIPInputStream reports a cut-off deflate stream as EOFException: that is a truncated file.
            return done;
        }

        return done;
    }

    private static int bigEndianInt(final byte[] bytes, final int offset)
    {
        return ((bytes[offset] & 0xFF) << 24) |
            ((bytes[offset + 1] & 0xFF) << 16) |
            ((bytes[offset + 2] & 0xFF) << 8) |
            (bytes[offset + 3] & 0xFF);
    }

    private static String dimensionString(final int[] dimensions)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dimensions.length; i++)
        {
            sb.append(i == 0 ? "" : "x").append(dimensions[i]);
        }

        return sb.toString();
    }

    private static String dimensionString(final byte[] dimensionBytes, final int count)
    {
        final int[] dimensions = new int[count];
        for (int i = 0; i < count; i++)
        {
            dimensions[i] = bigEndianInt(dimensionBytes, 4 * i);
        }

        return dimensionString(dimensions);
    }

    static String hex(final int value)
    {
        return String.format("0x%08X", value);
    }

    private static String describe(final int magic)
    {
        if (magic == LABELS_MAGIC)
        {
            return "unsigned-byte labels, 1 dimension";
        }
        if (magic == IMAGES_MAGIC)
        {
            return "unsigned-byte images, 3 dimensions";
        }

        return "element type 0x" + Integer.toHexString((magic >>> 8) & 0xFF) + ", " + (magic & 0xFF) + " dimensions";
    }

    private static String magicHint(final int found, final int expected)
    {
        if (found == LABELS_MAGIC || found == IMAGES_MAGIC)
        {
            return ": this is " + describe(found) + ", check that the images and labels files are not swapped";
        }
        if (found >>> 16 == 0x1f8b)
        {
            return ": the content is gzip inside gzip, decompress it once (gunzip) and retry";
        }

        return ": the file is not an IDX file of this kind or is corrupt: " + REFETCH;
    }
}
