package dev.parasol.engine.data;

import static dev.parasol.engine.data.IdxReaderTest.assertContains;
import static dev.parasol.engine.data.IdxTestFiles.gzip;
import static dev.parasol.engine.data.IdxTestFiles.imagesFile;
import static dev.parasol.engine.data.IdxTestFiles.labelsFile;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class DatasetDownloaderTest
{
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer server;
    private URI baseUri;

    @TempDir
    Path dir;

    @BeforeEach
    void startServer() throws IOException
    {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/fm/", this::serve);
        server.start();
        baseUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fm");
    }

    @AfterEach
    void stopServer()
    {
        server.stop(0);
    }

    private void serve(final HttpExchange exchange) throws IOException
    {
        requests.incrementAndGet();
        final String name = exchange.getRequestURI().getPath().substring("/fm/".length());
        final byte[] body = served.get(name);
        if (body == null)
        {
            exchange.sendResponseHeaders(404, -1);
        }
        else
        {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
        exchange.close();
    }

    private List<FileDigest> serveFashionLike()
    {
        final List<FileDigest> table = new ArrayList<>();
        final byte[][] contents = {
            imagesFile(40, 28, 28, 1), labelsFile(40), imagesFile(15, 28, 28, 2), labelsFile(15) };
        for (int i = 0; i < contents.length; i++)
        {
            final String name = FashionMnist.FILE_NAMES.get(i) + ".gz";
            final byte[] gz = gzip(contents[i]);
            served.put(name, gz);
            table.add(new FileDigest(name, hex("SHA-256", gz), hex("MD5", gz)));
        }

        return table;
    }

    @Test
    void shouldDownloadVerifyAndLoadWhenDigestsMatch() throws Exception
    {
        final List<FileDigest> table = serveFashionLike();
        final Path target = dir.resolve("user/parasol/fashion-mnist");
        final List<String> lines = new ArrayList<>();

        final Path result = new DatasetDownloader(baseUri, table).progress(lines::add).download(target);

        assertEquals(target, result);
        for (final FileDigest digest : table)
        {
            assertArrayEquals(served.get(digest.fileName()), Files.readAllBytes(target.resolve(digest.fileName())));
        }
        assertEquals(4, lines.size());
        assertEquals(4, fileCount(target), "no temporary file left behind");
        final FashionMnist data = FashionMnist.load(new DatasetLocator()
            .systemDirectory(dir.resolve("none")).userDirectory(target));
        assertEquals(40, data.train().size());
        assertEquals(15, data.test().size());
    }

    @Test
    void shouldNotFetchAgainWhenFilesAlreadyVerified()
    {
        final List<FileDigest> table = serveFashionLike();
        final DatasetDownloader downloader = new DatasetDownloader(baseUri, table);
        downloader.download(dir);
        assertEquals(4, requests.get());

        downloader.download(dir);

        assertEquals(4, requests.get());
    }

    @Test
    void shouldReplaceExistingFileWhenItsDigestIsWrong() throws Exception
    {
        final List<FileDigest> table = serveFashionLike().subList(1, 2);
        final Path target = dir.resolve(table.get(0).fileName());
        Files.write(target, new byte[]{ 1, 2, 3 });

        new DatasetDownloader(baseUri, table).download(dir);

        assertArrayEquals(served.get(table.get(0).fileName()), Files.readAllBytes(target));
    }

    @Test
    void shouldFailAndLeaveNoFileWhenDownloadIsCorrupted() throws Exception
    {
        final List<FileDigest> table = serveFashionLike();
        final FileDigest victim = table.get(1);
        final byte[] corrupted = served.get(victim.fileName()).clone();
        corrupted[corrupted.length / 2] ^= 0x01;
        served.put(victim.fileName(), corrupted);

        final DatasetException ex = assertThrows(DatasetException.class,
            () -> new DatasetDownloader(baseUri, table).download(dir));

        assertContains(ex.getMessage(), victim.fileName(), baseUri + "/" + victim.fileName(),
            "expected " + victim.sha256(), "found " + hex("SHA-256", corrupted), "deleted the download");
        assertFalse(Files.exists(dir.resolve(victim.fileName())));
        assertTrue(Files.exists(dir.resolve(table.get(0).fileName())), "the file verified before stays");
        assertEquals(1, fileCount(dir), "no temporary file left behind");
    }

    @Test
    void shouldCheckMd5WhenSha256Matches() throws Exception
    {
        final List<FileDigest> table = serveFashionLike();
        final FileDigest good = table.get(3);
        final FileDigest wrongMd5 = new FileDigest(good.fileName(), good.sha256(), "00000000000000000000000000000000");

        final DatasetException ex = assertThrows(DatasetException.class,
            () -> new DatasetDownloader(baseUri, List.of(wrongMd5)).download(dir));

        assertContains(ex.getMessage(), good.fileName(), "MD5: expected 00000000000000000000000000000000",
            "found " + good.md5());
        assertEquals(0, fileCount(dir));
    }

    @Test
    void shouldFailAndLeaveNoFileWhenServerAnswers404() throws Exception
    {
        final List<FileDigest> table = serveFashionLike();
        served.remove(table.get(0).fileName());

        final DatasetException ex = assertThrows(DatasetException.class,
            () -> new DatasetDownloader(baseUri, table).download(dir));

        assertContains(ex.getMessage(), table.get(0).fileName(), "GET " + baseUri + "/" + table.get(0).fileName(),
            "HTTP 404, expected 200", "apt-get install dataset-fashion-mnist");
        assertEquals(0, fileCount(dir));
    }

    @Test
    void shouldReportUnreachableServer()
    {
        final List<FileDigest> table = serveFashionLike();
        server.stop(0);

        final DatasetException ex = assertThrows(DatasetException.class,
            () -> new DatasetDownloader(baseUri, table).download(dir));

        assertContains(ex.getMessage(), "could not download " + table.get(0).fileName(), baseUri.toString());
    }

    @Test
    void shouldDefaultToPublishedFashionMnistTable()
    {
        final DatasetDownloader downloader = DatasetDownloader.fashionMnist();

        assertEquals(URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"), downloader.baseUri());
        assertEquals(FashionMnist.GZ_DIGESTS, downloader.files());
        assertEquals("8d4fb7e6c68d591d4c3dfef9ec88bf0d", downloader.files().get(0).md5());
    }

    @Test
    void shouldRejectMalformedDigests()
    {
        assertThrows(IllegalArgumentException.class, () -> new FileDigest("a.gz", "abc", null));
        assertThrows(IllegalArgumentException.class, () -> new FileDigest("../a.gz", "0".repeat(64), null));
        assertEquals("ab".repeat(32), new FileDigest("a", "AB".repeat(32), null).sha256());
    }

    private static long fileCount(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.count();
        }
    }

    private static String hex(final String algorithm, final byte[] bytes)
    {
        try
        {
            final StringBuilder sb = new StringBuilder();
            for (final byte b : MessageDigest.getInstance(algorithm).digest(bytes))
            {
                sb.append(String.format("%02x", b));
            }
            return sb.toString();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
