package dev.parasol.engine.data;

import java.util.Locale;

/**
 * The expected digests of one file to download: its SHA-256, which {@link DatasetDownloader} always checks, and
 * optionally its MD5, checked as well when given (for data sets whose project publishes only MD5s).
 *
 * @param fileName name of the file, relative to the base URL and the target directory, without any directory part.
 * @param sha256   lower-case hex SHA-256 of the file's bytes, 64 characters.
 * @param md5      lower-case hex MD5 of the file's bytes, 32 characters, or null to skip the MD5 check.
 */
public record FileDigest(String fileName, String sha256, String md5)
{
    /**
     * Validate the name and the digests and normalise the hex to lower case.
     *
     * @param fileName name of the file, without any directory part.
     * @param sha256   hex SHA-256, 64 characters.
     * @param md5      hex MD5, 32 characters, or null.
     */
    public FileDigest
    {
        if (fileName == null || fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\") ||
            fileName.equals(".") || fileName.equals(".."))
        {
            throw new IllegalArgumentException("fileName=" + fileName + ", expected a plain file name");
        }
        sha256 = checkHex("sha256", sha256, 64);
        md5 = md5 == null ? null : checkHex("md5", md5, 32);
    }

    private static String checkHex(final String name, final String value, final int length)
    {
        if (value == null || value.length() != length || !value.matches("[0-9a-fA-F]+"))
        {
            throw new IllegalArgumentException(name + "=" + value + ", expected " + length + " hex digits");
        }

        return value.toLowerCase(Locale.ROOT);
    }
}
