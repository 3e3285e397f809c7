package dev.parasol.engine.data;

import static dev.parasol.engine.data.IdxReaderTest.assertContains;
import static dev.parasol.engine.data.IdxTestFiles.writeFashionLike;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLocatorTest
{
    @TempDir
    Path dir;

    private DatasetLocator locator(final Path system, final Path user)
    {
        return new DatasetLocator().systemDirectory(system).userDirectory(user);
    }

    @Test
    void shouldPreferExplicitOverSystemAndUser()
    {
        final Path explicit = writeFashionLike(dir.resolve("explicit"), 2, 2, true);
        final Path system = writeFashionLike(dir.resolve("system"), 2, 2, true);
        final Path user = writeFashionLike(dir.resolve("user"), 2, 2, true);

        assertEquals(explicit, locator(system, user).explicitDirectory(explicit).resolve());
    }

    @Test
    void shouldPreferSystemOverUser()
    {
        final Path system = writeFashionLike(dir.resolve("system"), 2, 2, true);
        final Path user = writeFashionLike(dir.resolve("user"), 2, 2, true);

        assertEquals(system, locator(system, user).resolve());
    }

    @Test
    void shouldFallBackToUserWhenSystemMissingOrIncomplete() throws Exception
    {
        final Path system = dir.resolve("system");
        Files.createDirectories(system);
        Files.write(system.resolve(FashionMnist.TRAIN_IMAGES + ".gz"), new byte[]{ 1 });
        final Path user = writeFashionLike(dir.resolve("user"), 2, 2, false);

        assertEquals(user, locator(system, user).resolve());
        assertEquals(user, locator(dir.resolve("absent"), user).resolve());
    }

    @Test
    void shouldNotFallBackWhenExplicitDirectoryIsWrong()
    {
        final Path system = writeFashionLike(dir.resolve("system"), 2, 2, true);
        final Path wrong = dir.resolve("typo");

        final DatasetException ex = assertThrows(DatasetException.class,
            () -> locator(system, dir.resolve("user")).explicitDirectory(wrong).resolve());

        assertContains(ex.getMessage(), "given explicitly, " + wrong, "does not exist",
            "Not falling back to " + system, "sudo apt-get install dataset-fashion-mnist");
    }

    @Test
    void shouldNameMissingFilesOfExplicitDirectory() throws Exception
    {
        final Path explicit = writeFashionLike(dir.resolve("explicit"), 2, 2, true);
        Files.delete(explicit.resolve(FashionMnist.TEST_IMAGES + ".gz"));
        Files.delete(explicit.resolve(FashionMnist.TEST_LABELS + ".gz"));

        final DatasetException ex = assertThrows(DatasetException.class,
            () -> locator(dir.resolve("s"), dir.resolve("u")).explicitDirectory(explicit).resolve());

        assertContains(ex.getMessage(), explicit.toString(),
            "lacks t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz");
        assertFalse(ex.getMessage().contains("lacks train"));
    }

    @Test
    void shouldListEveryPlaceAndHowToGetFilesWhenNowhere() throws Exception
    {
        final Path system = dir.resolve("usr-share");
        final Path user = dir.resolve("home-share");
        Files.createDirectories(user);

        final DatasetException ex = assertThrows(DatasetException.class, () -> locator(system, user).resolve());

        final String message = ex.getMessage();
        assertContains(message,
            "1. " + system + " (system, Debian package dataset-fashion-mnist): does not exist",
            "2. " + user + " (per-user): lacks train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, " +
                "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz",
            "sudo apt-get install dataset-fashion-mnist",
            "parasol baseline --download   (fetches into " + user + ")",
            "https://github.com/zalandoresearch/fashion-mnist");
        assertTrue(message.indexOf(system.toString()) < message.indexOf(user.toString()));
        assertEquals(DatasetException.class, ex.getClass());
    }

    @Test
    void shouldFindGzippedFileBeforePlainOne() throws Exception
    {
        Files.write(dir.resolve("a"), new byte[]{ 1 });
        assertEquals(dir.resolve("a"), DatasetLocator.findFile(dir, "a"));

        Files.write(dir.resolve("a.gz"), new byte[]{ 1 });
        assertEquals(dir.resolve("a.gz"), DatasetLocator.findFile(dir, "a"));

        assertNull(DatasetLocator.findFile(dir, "b"));
    }

    @Test
    void shouldUseXdgDataHomeWhenSetAndAbsolute()
    {
        assertEquals(Paths.get("/data/me/parasol/fashion-mnist"),
            DatasetLocator.defaultUserDirectory(Map.of("XDG_DATA_HOME", "/data/me"), "/home/me"));
        assertEquals(Paths.get("/home/me/.local/share/parasol/fashion-mnist"),
            DatasetLocator.defaultUserDirectory(Map.of(), "/home/me"));
        assertEquals(Paths.get("/home/me/.local/share/parasol/fashion-mnist"),
            DatasetLocator.defaultUserDirectory(Map.of("XDG_DATA_HOME", "relative/dir"), "/home/me"));
        assertEquals(Paths.get("/home/me/.local/share/parasol/fashion-mnist"),
            DatasetLocator.defaultUserDirectory(Map.of("XDG_DATA_HOME", ""), "/home/me"));
    }

    @Test
    void shouldDefaultToDebianSystemDirectory()
    {
        assertEquals(Paths.get("/usr/share/datasets/fashion-mnist"), new DatasetLocator().systemDirectory());
        assertEquals(DatasetLocator.defaultUserDirectory(), new DatasetLocator().userDirectory());
    }
}
