package dev.parasol.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Fetches the files of a data set over HTTP(S) into a directory and verifies each one against its expected digests
 * (for {@code parasol baseline --download}).
 * <p>
 * Each file is streamed into a temporary file in the target directory while its SHA-256 (and MD5, when the table
 * has one) is computed; only when every digest matches is it renamed, atomically, to its final name, so a reader
 * never sees a partial or corrupt file under the real name. On a mismatch, an HTTP status other than 200, or an I/O
 * failure, the temporary file is deleted and a {@link DatasetException} names the file, the URL, and for a mismatch
 * the expected and actual digests. A file already present with the right digests is not fetched again.
 * <p>
 * The expected digests are a parameter, so tests can serve small files; {@link #fashionMnist()} uses
 * {@link FashionMnist#GZ_DIGESTS} and the project's published location, {@link #FASHION_MNIST_BASE_URI}.
 */
public final class DatasetDownloader
{
    /**
     * Where the Fashion-MNIST project publishes its four {@code .gz} files.
     */
    public static final URI FASHION_MNIST_BASE_URI =
        URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    /**
     * Default time allowed to connect.
     */
    public static final Duration CONNECT_TIMEOUT_DEFAULT = Duration.ofSeconds(30);

    /**
     * Default time allowed from sending a request to receiving the response headers.
     */
    public static final Duration REQUEST_TIMEOUT_DEFAULT = Duration.ofSeconds(60);

    private static final int COPY_BUFFER_BYTES = 1 << 16;

    private final URI baseUri;
    private final List<FileDigest> files;
    private final HttpClient client;
    private final Duration requestTimeout;
    private Consumer<String> progress = (line) -> {};

    /**
     * Download from a base URL with a default HTTP client.
     *
     * @param baseUri base URL; each file is fetched from {@code baseUri + fileName}.
     * @param files   the files to fetch and their expected digests.
     */
    public DatasetDownloader(final URI baseUri, final List<FileDigest> files)
    {
        this(baseUri, files, HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT_DEFAULT)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build(), REQUEST_TIMEOUT_DEFAULT);
    }

    /**
     * Download from a base URL with a given HTTP client.
     *
     * @param baseUri        base URL; each file is fetched from {@code baseUri + fileName}.
     * @param files          the files to fetch and their expected digests.
     * @param client         the HTTP client.
     * @param requestTimeout time allowed from request to response headers.
     */
    public DatasetDownloader(
        final URI baseUri, final List<FileDigest> files, final HttpClient client, final Duration requestTimeout)
    {
        final String base = baseUri.toString();
        this.baseUri = base.endsWith("/") ? baseUri : URI.create(base + "/");
        this.files = List.copyOf(files);
        this.client = Objects.requireNonNull(client, "client");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    /**
     * Get a downloader of the four Fashion-MNIST files from the project's published location.
     *
     * @return a downloader with {@link #FASHION_MNIST_BASE_URI} and {@link FashionMnist#GZ_DIGESTS}.
     */
    public static DatasetDownloader fashionMnist()
    {
        return new DatasetDownloader(FASHION_MNIST_BASE_URI, FashionMnist.GZ_DIGESTS);
    }

    /**
     * Set a receiver of one human-readable line per file (fetched, or already present).
     *
     * @param progress receiver of progress lines.
     * @return this for a fluent API.
     */
    public DatasetDownloader progress(final Consumer<String> progress)
    {
        this.progress = Objects.requireNonNull(progress, "progress");
        return this;
    }

    /**
     * Get the base URL, ending in a slash.
     *
     * @return the base URL.
     */
    public URI baseUri()
    {
        return baseUri;
    }

    /**
     * Get the files fetched and their expected digests.
     *
     * @return the table of files.
     */
    public List<FileDigest> files()
    {
        return files;
    }

    /**
     * Fetch every file into a directory, creating it if needed, and verify each one.
     *
     * @param targetDirectory where the files go, for example {@link DatasetLocator#defaultUserDirectory()}.
     * @return the target directory, which then holds every file under its name.
     * @throws DatasetException if a file cannot be fetched, or its digest does not match; files fetched and verified
     *                          before the failure stay.
     */
    public Path download(final Path targetDirectory)
    {
        try
        {
            Files.createDirectories(targetDirectory);
        }
        catch (final IOException ex)
        {
            throw new DatasetException("cannot create download directory " + targetDirectory + ": " + ex +
                "; expected a writable directory: choose another place or fix its permissions", ex);
        }

        for (final FileDigest file : files)
        {
            downloadOne(file, targetDirectory);
        }

        return targetDirectory;
    }

    private void downloadOne(final FileDigest file, final Path targetDirectory)
    {
        final Path target = targetDirectory.resolve(file.fileName());
        if (Files.isRegularFile(target) && mismatch(file, digest(target, file)) == null)
        {
            progress.accept(file.fileName() + ": already in " + targetDirectory + ", digest verified");
            return;
        }

        final URI uri = baseUri.resolve(file.fileName());
        Path temp = null;
        try
        {
            temp = Files.createTempFile(targetDirectory, "." + file.fileName() + ".", ".part");
            final String[] actual = fetch(uri, temp, file);
            final String mismatch = mismatch(file, actual);
            if (mismatch != null)
            {
                throw new DatasetException("downloaded " + file.fileName() + " from " + uri + " has the wrong " +
                    mismatch + "; deleted the download. The transfer was damaged or the server holds another " +
                    "file: retry, or check the base URL");
            }
            moveIntoPlace(temp, target);
            temp = null;
            progress.accept(file.fileName() + ": fetched from " + uri + " into " + targetDirectory +
                ", digest verified");
        }
        catch (final IOException ex)
        {
            throw new DatasetException("could not download " + file.fileName() + " from " + uri + " into " +
                targetDirectory + ": " + ex + "; check the network and the base URL, or get the files another way " +
                "(sudo apt-get install " + DatasetLocator.DEBIAN_PACKAGE + ", or " + FashionMnist.PROJECT_URL + ")",
                ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new DatasetException("interrupted while downloading " + file.fileName() + " from " + uri, ex);
        }
        finally
        {
            deleteQuietly(temp);
        }
    }

    private String[] fetch(final URI uri, final Path temp, final FileDigest file)
        throws IOException, InterruptedException
    {
        final HttpRequest request = HttpRequest.newBuilder(uri).timeout(requestTimeout).GET().build();
        final HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body())
        {
            if (response.statusCode() != 200)
            {
                throw new DatasetException("could not download " + file.fileName() + ": GET " + uri +
                    " returned HTTP " + response.statusCode() + ", expected 200. Check the base URL, or get the " +
                    "files another way (sudo apt-get install " + DatasetLocator.DEBIAN_PACKAGE + ", or " +
                    FashionMnist.PROJECT_URL + ")");
            }

            final MessageDigest sha256 = messageDigest("SHA-256");
            final MessageDigest md5 = file.md5() == null ? null : messageDigest("MD5");
            try (OutputStream out = Files.newOutputStream(temp))
            {
                final byte[] buffer = new byte[COPY_BUFFER_BYTES];
                int n;
                while ((n = body.read(buffer)) >= 0)
                {
                    out.write(buffer, 0, n);
                    sha256.update(buffer, 0, n);
                    if (md5 != null)
                    {
                        md5.update(buffer, 0, n);
                    }
                }
            }

            return hexDigests(sha256, md5);
        }
    }

    private static String[] digest(final Path path, final FileDigest file)
    {
        final MessageDigest sha256 = messageDigest("SHA-256");
        final MessageDigest md5 = file.md5() == null ? null : messageDigest("MD5");
        try (InputStream in = Files.newInputStream(path))
        {
            final byte[] buffer = new byte[COPY_BUFFER_BYTES];
            int n;
            while ((n = in.read(buffer)) >= 0)
            {
                sha256.update(buffer, 0, n);
                if (md5 != null)
                {
                    md5.update(buffer, 0, n);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new DatasetException("cannot read " + path + " to check its digest: " + ex, ex);
        }

        return hexDigests(sha256, md5);
    }

    private static String[] hexDigests(final MessageDigest sha256, final MessageDigest md5)
    {
        final HexFormat hex = HexFormat.of();
        return new String[]{ hex.formatHex(sha256.digest()), md5 == null ? null : hex.formatHex(md5.digest()) };
    }

    /**
     * Describe the first digest that differs, or null when all match.
     */
    private static String mismatch(final FileDigest file, final String[] actual)
    {
        if (!file.sha256().equals(actual[0]))
        {
            return "SHA-256: expected " + file.sha256() + ", found " + actual[0];
        }
        if (file.md5() != null && !file.md5().equals(actual[1]))
        {
            return "MD5: expected " + file.md5() + ", found " + actual[1];
        }

        return null;
    }

    private static void moveIntoPlace(final Path temp, final Path target) throws IOException
    {
        try
        {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            // Same directory, so this only happens on file systems without rename; a plain move is the best left.
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(final Path path)
    {
        if (path != null)
        {
            try
            {
                Files.deleteIfExists(path);
            }
            catch (final IOException ignore)
            {
                // The primary failure is already being reported; a leftover .part file is harmless.
            }
        }
    }

    private static MessageDigest messageDigest(final String algorithm)
    {
        try
        {
            return MessageDigest.getInstance(algorithm);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("the JVM lacks " + algorithm + ", which every Java platform must have", ex);
        }
    }
}
