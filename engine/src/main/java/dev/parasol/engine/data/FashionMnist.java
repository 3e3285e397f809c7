package dev.parasol.engine.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The Fashion-MNIST data set (Xiao, Rasul and Vollgraf, "Fashion-MNIST: a Novel Image Dataset for Benchmarking
 * Machine Learning Algorithms", arXiv:1708.07747, 2017): 60,000 training and 10,000 test images of 28x28 grey pixels
 * in 10 classes, as four IDX files.
 * <p>
 * Loading checks that each split has as many images as labels, that images are 28x28 and labels in [0, 9], and
 * scales pixels from [0, 255] to floats in [0, 1] ({@code value / 255}). It does not insist on 60,000 and 10,000
 * examples, so that a subset in the same format loads too.
 * <p>
 * Digests ({@link #GZ_DIGESTS}): the project publishes MD5s of its four {@code .gz} files. The Debian package
 * {@value DatasetLocator#DEBIAN_PACKAGE} ships the same compressed data under a rewritten gzip header (file name
 * dropped, time stamp normalised by Debian's strip-nondeterminism), so its {@code .gz} files have other digests but
 * decompress to identical bytes. The SHA-256 values here are those of the project's files as published: they were
 * derived from the Debian files by restoring the original header, and the result matched the published MD5 and size
 * of all four files.
 */
public final class FashionMnist
{
    /**
     * Base name of the training images file.
     */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";

    /**
     * Base name of the training labels file.
     */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";

    /**
     * Base name of the test images file.
     */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";

    /**
     * Base name of the test labels file.
     */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    /**
     * The four base names; each file may exist as {@code name.gz} or {@code name}.
     */
    public static final List<String> FILE_NAMES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    /**
     * Rows of an image.
     */
    public static final int ROWS = 28;

    /**
     * Columns of an image.
     */
    public static final int COLUMNS = 28;

    /**
     * Features per example: one per pixel.
     */
    public static final int FEATURES = ROWS * COLUMNS;

    /**
     * Number of classes.
     */
    public static final int CLASSES = 10;

    /**
     * Examples in the full training set.
     */
    public static final int TRAIN_SIZE = 60_000;

    /**
     * Examples in the full test set.
     */
    public static final int TEST_SIZE = 10_000;

    /**
     * The project's page, with its download links.
     */
    public static final String PROJECT_URL = "https://github.com/zalandoresearch/fashion-mnist";

    /**
     * Digests of the project's published {@code .gz} files: SHA-256 (checked first) and the published MD5.
     */
    public static final List<FileDigest> GZ_DIGESTS = List.of(
        new FileDigest(TRAIN_IMAGES + ".gz",
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        new FileDigest(TRAIN_LABELS + ".gz",
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", "25c81989df183df01b3e8a0aad5dffbe"),
        new FileDigest(TEST_IMAGES + ".gz",
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", "bef4ecab320f06d8554ea6380940ec79"),
        new FileDigest(TEST_LABELS + ".gz",
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", "bb300cfdad3c16e7a12a480ee83cd310"));

    private static final float[] PIXEL_SCALE = new float[256];

    static
    {
        for (int i = 0; i < PIXEL_SCALE.length; i++)
        {
            PIXEL_SCALE[i] = i / 255f;
        }
    }

    private final Path directory;
    private final InMemoryDataset train;
    private final InMemoryDataset test;

    private FashionMnist(final Path directory, final InMemoryDataset train, final InMemoryDataset test)
    {
        this.directory = directory;
        this.train = train;
        this.test = test;
    }

    /**
     * Find the files with a default {@link DatasetLocator} and load both splits.
     *
     * @param explicitDirectory the directory the user gave, or null to search the system and per-user directories.
     * @return both splits.
     * @throws DatasetException if the files are not found (listing where it looked and how to get them) or invalid.
     */
    public static FashionMnist load(final Path explicitDirectory)
    {
        return load(new DatasetLocator().explicitDirectory(explicitDirectory));
    }

    /**
     * Find the files with a locator and load both splits.
     *
     * @param locator where to look.
     * @return both splits.
     * @throws DatasetException if the files are not found or invalid.
     */
    public static FashionMnist load(final DatasetLocator locator)
    {
        final Path directory = locator.resolve();
        return new FashionMnist(directory, loadTrain(directory), loadTest(directory));
    }

    /**
     * Load the training split from a directory that holds its files.
     *
     * @param directory holding {@link #TRAIN_IMAGES} and {@link #TRAIN_LABELS}, gzipped or not.
     * @return the training set, {@link #FEATURES} features and {@link #CLASSES} classes.
     * @throws DatasetException if a file is missing or invalid.
     */
    public static InMemoryDataset loadTrain(final Path directory)
    {
        return loadSplit(file(directory, TRAIN_IMAGES), file(directory, TRAIN_LABELS));
    }

    /**
     * Load the test split from a directory that holds its files.
     *
     * @param directory holding {@link #TEST_IMAGES} and {@link #TEST_LABELS}, gzipped or not.
     * @return the test set, {@link #FEATURES} features and {@link #CLASSES} classes.
     * @throws DatasetException if a file is missing or invalid.
     */
    public static InMemoryDataset loadTest(final Path directory)
    {
        return loadSplit(file(directory, TEST_IMAGES), file(directory, TEST_LABELS));
    }

    /**
     * Load one split from an images file and a labels file and check that they fit together.
     *
     * @param imagesFile IDX images, 28x28, gzipped or not.
     * @param labelsFile IDX labels in [0, 9], as many as images, gzipped or not.
     * @return the examples, pixels scaled to [0, 1].
     * @throws DatasetException if a file is missing or invalid, or the two do not match.
     */
    public static InMemoryDataset loadSplit(final Path imagesFile, final Path labelsFile)
    {
        final IdxArray images = IdxReader.readImages(imagesFile);
        final IdxArray labels = IdxReader.readLabels(labelsFile);
        if (images.dimension(1) != ROWS || images.dimension(2) != COLUMNS)
        {
            throw new DatasetException("images file " + imagesFile + " holds " + images.dimension(1) + "x" +
                images.dimension(2) + " images, expected " + ROWS + "x" + COLUMNS + ": this is not Fashion-MNIST");
        }
        if (images.dimension(0) != labels.dimension(0))
        {
            throw new DatasetException("images file " + imagesFile + " holds " + images.dimension(0) +
                " images but labels file " + labelsFile + " holds " + labels.dimension(0) + " labels, expected " +
                "equal counts: the two files belong to different splits or one is damaged");
        }

        final byte[] labelBytes = labels.data();
        final int[] labelValues = new int[labelBytes.length];
        for (int i = 0; i < labelBytes.length; i++)
        {
            labelValues[i] = labelBytes[i] & 0xFF;
            if (labelValues[i] >= CLASSES)
            {
                throw new DatasetException("labels file " + labelsFile + " has label " + labelValues[i] +
                    " at index " + i + ", expected a class in [0, " + (CLASSES - 1) + "]: the file is damaged or " +
                    "not Fashion-MNIST");
            }
        }

        final byte[] pixels = images.data();
        final float[] features = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++)
        {
            features[i] = PIXEL_SCALE[pixels[i] & 0xFF];
        }

        return new InMemoryDataset(features, labelValues, FEATURES, CLASSES);
    }

    private static Path file(final Path directory, final String baseName)
    {
        final Path found = DatasetLocator.findFile(directory, baseName);
        if (found == null)
        {
            throw new DatasetException("Fashion-MNIST file " + directory.resolve(baseName + ".gz") + " does not " +
                "exist (nor without .gz); expected the four files " + String.join(", ", FILE_NAMES) + " there");
        }

        return found;
    }

    /**
     * Get the directory the files were loaded from.
     *
     * @return the directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * Get the training split.
     *
     * @return the training set.
     */
    public InMemoryDataset train()
    {
        return train;
    }

    /**
     * Get the test split.
     *
     * @return the test set.
     */
    public InMemoryDataset test()
    {
        return test;
    }
}
