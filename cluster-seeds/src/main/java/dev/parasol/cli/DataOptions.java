package dev.parasol.cli;

import dev.parasol.engine.data.DatasetDownloader;
import dev.parasol.engine.data.DatasetLocator;
import dev.parasol.engine.data.FashionMnist;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Where the training data comes from: the options every training command shares.
 */
final class DataOptions
{
    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Directory holding the Fashion-MNIST IDX files (gzipped or not). Default: search " +
            DatasetLocator.SYSTEM_DIRECTORY_DEFAULT + ", then the per-user data directory.")
    Path dataDirectory;

    @Option(names = "--download",
        description = "Download Fashion-MNIST into the per-user data directory first (checksums verified), " +
            "unless it is already there.")
    boolean download;

    /**
     * Find, or download then find, the data set and load it.
     *
     * @param out where to say what happens.
     * @return both splits.
     */
    FashionMnist load(final PrintWriter out)
    {
        if (download && dataDirectory == null)
        {
            final Path userDirectory = DatasetLocator.defaultUserDirectory();
            if (!hasAllFiles(userDirectory))
            {
                out.println("Downloading Fashion-MNIST into " + userDirectory);
                DatasetDownloader.fashionMnist().progress(out::println).download(userDirectory);
            }
            return FashionMnist.load(new DatasetLocator().explicitDirectory(userDirectory));
        }
        if (download)
        {
            throw new IllegalArgumentException("--download writes to the per-user data directory (" +
                DatasetLocator.defaultUserDirectory() + "); it cannot be combined with --data-dir " + dataDirectory);
        }
        return FashionMnist.load(dataDirectory);
    }

    private static boolean hasAllFiles(final Path directory)
    {
        for (final String name : FashionMnist.FILE_NAMES)
        {
            if (DatasetLocator.findFile(directory, name) == null)
            {
                return false;
            }
        }
        return true;
    }
}
