package dev.parasol.engine.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the directory that holds the Fashion-MNIST files, looking in this order:
 * <ol>
 *     <li>the directory given explicitly by the caller (a flag or a configuration key); when one is given and it
 *     does not hold the files, that is an error naming it: there is no silent fall back to the other places;</li>
 *     <li>the system directory, {@value #SYSTEM_DIRECTORY_DEFAULT}, where the Debian package
 *     {@value #DEBIAN_PACKAGE} installs them;</li>
 *     <li>the per-user directory, {@code $XDG_DATA_HOME/parasol/fashion-mnist} or
 *     {@code ~/.local/share/parasol/fashion-mnist}, where {@link DatasetDownloader} puts them.</li>
 * </ol>
 * A directory qualifies when it holds all four files of {@link FashionMnist#FILE_NAMES}, each either gzipped
 * ({@code .gz}) or not. When none qualifies, the error lists every place looked, what each one lacked, and how to get
 * the files. The system and per-user directories can be replaced, for tests.
 */
public final class DatasetLocator
{
    /**
     * Where the Debian package {@value #DEBIAN_PACKAGE} installs the files.
     */
    public static final String SYSTEM_DIRECTORY_DEFAULT = "/usr/share/datasets/fashion-mnist";

    /**
     * The Debian package that provides the files.
     */
    public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";

    /**
     * The command that fetches the files into the per-user directory.
     */
    public static final String DOWNLOAD_COMMAND = "parasol baseline --download";

    /**
     * Directory below the per-user data directory ({@code $XDG_DATA_HOME} or {@code ~/.local/share}).
     */
    public static final String USER_SUBDIRECTORY = "parasol/fashion-mnist";

    private Path explicitDirectory;
    private Path systemDirectory = Paths.get(SYSTEM_DIRECTORY_DEFAULT);
    private Path userDirectory = defaultUserDirectory();

    /**
     * Get the per-user directory of this process's environment.
     *
     * @return {@code $XDG_DATA_HOME/parasol/fashion-mnist}, or {@code ~/.local/share/parasol/fashion-mnist}.
     */
    public static Path defaultUserDirectory()
    {
        return defaultUserDirectory(System.getenv(), System.getProperty("user.home"));
    }

    /**
     * Get the per-user directory for a given environment. Following the XDG Base Directory specification, a
     * relative or empty {@code XDG_DATA_HOME} is ignored.
     *
     * @param environment environment variables.
     * @param userHome    the user's home directory.
     * @return {@code $XDG_DATA_HOME/parasol/fashion-mnist}, or {@code userHome/.local/share/parasol/fashion-mnist}.
     */
    public static Path defaultUserDirectory(final Map<String, String> environment, final String userHome)
    {
        final String xdgDataHome = environment.get("XDG_DATA_HOME");
        if (xdgDataHome != null && !xdgDataHome.isEmpty() && Paths.get(xdgDataHome).isAbsolute())
        {
            return Paths.get(xdgDataHome).resolve(USER_SUBDIRECTORY);
        }

        return Paths.get(userHome, ".local", "share").resolve(USER_SUBDIRECTORY);
    }

    /**
     * Find one file of a data set in a directory: the gzipped name first, then the plain one.
     *
     * @param directory to look in.
     * @param baseName  name without {@code .gz}, for example {@link FashionMnist#TRAIN_IMAGES}.
     * @return the path of the regular file found, or null if there is neither.
     */
    public static Path findFile(final Path directory, final String baseName)
    {
        final Path gzipped = directory.resolve(baseName + ".gz");
        if (Files.isRegularFile(gzipped))
        {
            return gzipped;
        }
        final Path plain = directory.resolve(baseName);

        return Files.isRegularFile(plain) ? plain : null;
    }

    /**
     * Set the directory given explicitly by the caller; null for none.
     *
     * @param directory the directory, or null.
     * @return this for a fluent API.
     */
    public DatasetLocator explicitDirectory(final Path directory)
    {
        this.explicitDirectory = directory;
        return this;
    }

    /**
     * Get the directory given explicitly by the caller.
     *
     * @return the directory, or null if none was given.
     */
    public Path explicitDirectory()
    {
        return explicitDirectory;
    }

    /**
     * Set the system directory, {@value #SYSTEM_DIRECTORY_DEFAULT} by default.
     *
     * @param directory the directory.
     * @return this for a fluent API.
     */
    public DatasetLocator systemDirectory(final Path directory)
    {
        this.systemDirectory = directory;
        return this;
    }

    /**
     * Get the system directory.
     *
     * @return the system directory.
     */
    public Path systemDirectory()
    {
        return systemDirectory;
    }

    /**
     * Set the per-user directory, {@link #defaultUserDirectory()} by default.
     *
     * @param directory the directory.
     * @return this for a fluent API.
     */
    public DatasetLocator userDirectory(final Path directory)
    {
        this.userDirectory = directory;
        return this;
    }

    /**
     * Get the per-user directory, where {@link DatasetDownloader} puts the files.
     *
     * @return the per-user directory.
     */
    public Path userDirectory()
    {
        return userDirectory;
    }

    /**
     * Find the directory that holds the four files.
     *
     * @return the first qualifying directory in the documented order.
     * @throws DatasetException naming the explicit directory and what it lacks, or, with no explicit directory,
     *                          listing every place looked and how to get the files.
     */
    public Path resolve()
    {
        if (explicitDirectory != null)
        {
            final String problem = problem(explicitDirectory);
            if (problem != null)
            {
                throw new DatasetException("Fashion-MNIST directory given explicitly, " + explicitDirectory + ", " +
                    problem + "; expected " + expectedFiles() + ". Not falling back to " + systemDirectory +
                    " or " + userDirectory + ": fix the path, or leave it out to search those." + howToGet());
            }
            return explicitDirectory;
        }

        final List<String> looked = new ArrayList<>();
        final Path[] places = { systemDirectory, userDirectory };
        final String[] roles = { "system, Debian package " + DEBIAN_PACKAGE, "per-user" };
        for (int i = 0; i < places.length; i++)
        {
            final String problem = problem(places[i]);
            if (problem == null)
            {
                return places[i];
            }
            looked.add("  " + (i + 1) + ". " + places[i] + " (" + roles[i] + "): " + problem);
        }

        throw new DatasetException("Fashion-MNIST not found. Looked in, in this order:\n" +
            String.join("\n", looked) + "\nEach place needs " + expectedFiles() + "." + howToGet());
    }

    private static String problem(final Path directory)
    {
        if (!Files.exists(directory))
        {
            return "does not exist";
        }
        if (!Files.isDirectory(directory))
        {
            return "is not a directory";
        }

        final List<String> missing = new ArrayList<>();
        for (final String baseName : FashionMnist.FILE_NAMES)
        {
            if (findFile(directory, baseName) == null)
            {
                missing.add(baseName + ".gz");
            }
        }

        return missing.isEmpty() ? null : "lacks " + String.join(", ", missing) + " (nor the same without .gz)";
    }

    private static String expectedFiles()
    {
        return "the four files " + String.join(".gz, ", FashionMnist.FILE_NAMES) + ".gz (or the same names " +
            "without .gz)";
    }

    private String howToGet()
    {
        return "\nGet them with one of:\n" +
            "  - sudo apt-get install " + DEBIAN_PACKAGE + "   (installs into " + SYSTEM_DIRECTORY_DEFAULT + ")\n" +
            "  - " + DOWNLOAD_COMMAND + "   (fetches into " + userDirectory + ")\n" +
            "  - the Fashion-MNIST project's download, " + FashionMnist.PROJECT_URL + ", into one of the " +
            "directories above or a directory you then give explicitly";
    }
}
