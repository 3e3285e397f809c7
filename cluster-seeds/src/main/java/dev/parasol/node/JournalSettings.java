package dev.parasol.node;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code parasol.jobs.journal} block of a node's configuration: where the job manager records its jobs so that
 * they survive the loss of the coordinator node. {@code persistent} stores them through Pekko Persistence's JDBC
 * plugin (pekko-persistence-jdbc, on Slick and HikariCP) in H2 or PostgreSQL; this class derives the plugin's
 * settings from a JDBC URL, so an operator names one database instead of four blocks of Pekko keys.
 * <p>
 * H2 in file mode is the embedded default, for a cluster whose coordinators share one host (the file is opened with
 * {@code AUTO_SERVER=TRUE}, so whichever coordinator hosts the job manager serves it to the others); coordinators
 * on several hosts need a database they all reach: PostgreSQL (docs/deployment.md).
 *
 * @param store    {@code persistent} or {@code in-memory}.
 * @param url      the JDBC URL: {@code jdbc:h2:...} or {@code jdbc:postgresql://...}.
 * @param user     the database user, may be empty.
 * @param password the database password, may be empty.
 */
public record JournalSettings(String store, String url, String user, String password)
{
    /**
     * Key of the store: {@code persistent} or {@code in-memory}.
     */
    public static final String STORE_KEY = "parasol.jobs.journal.store";

    /**
     * Key of the JDBC URL; empty for the default H2 file.
     */
    public static final String URL_KEY = "parasol.jobs.journal.url";

    /**
     * Key of the database user.
     */
    public static final String USER_KEY = "parasol.jobs.journal.user";

    /**
     * Key of the database password.
     */
    public static final String PASSWORD_KEY = "parasol.jobs.journal.password";

    /**
     * The default H2 file, relative to the node's working directory.
     */
    public static final Path DEFAULT_H2_FILE = Path.of("parasol-state", "journal", "jobs");

    private static final String H2_PREFIX = "jdbc:h2:";
    private static final String POSTGRES_PREFIX = "jdbc:postgresql:";
    private static final String SHARED_DB = "parasol-journal";

    /**
     * Read and check the block; problems are reported to the reader.
     *
     * @param reader the reader of the node's configuration.
     * @return the settings (meaningless if the reader has problems).
     */
    static JournalSettings read(final SettingsReader reader)
    {
        final String store = reader.string(STORE_KEY);
        if (store != null && !"persistent".equals(store) && !"in-memory".equals(store))
        {
            reader.problem(STORE_KEY, "expected persistent or in-memory");
        }
        String url = reader.string(URL_KEY);
        if (url == null || url.isBlank())
        {
            url = H2_PREFIX + "file:" + DEFAULT_H2_FILE.toAbsolutePath() + ";AUTO_SERVER=TRUE";
        }
        else if (!url.startsWith(H2_PREFIX) && !url.startsWith(POSTGRES_PREFIX))
        {
            reader.problem(URL_KEY, "expected a JDBC URL of H2 (jdbc:h2:file:/var/lib/parasol/journal;" +
                "AUTO_SERVER=TRUE) or PostgreSQL (jdbc:postgresql://HOST:5432/parasol)");
        }
        final String user = reader.string(USER_KEY);
        final String password = reader.string(PASSWORD_KEY);
        return new JournalSettings(store, url, user == null ? "" : user, password == null ? "" : password);
    }

    /**
     * Does the job manager keep its jobs in a database?
     *
     * @return true for {@code persistent}.
     */
    public boolean persistent()
    {
        return "persistent".equals(store);
    }

    /**
     * Get the Pekko settings that route Pekko Persistence to this database: the JDBC journal and snapshot store on
     * one shared Slick database, with the profile and driver of the URL's kind.
     *
     * @return the settings by key; empty for {@code in-memory}.
     */
    public Map<String, Object> pekkoSettings()
    {
        final Map<String, Object> settings = new HashMap<>();
        if (!persistent())
        {
            return settings;
        }
        final boolean h2 = url.startsWith(H2_PREFIX);
        settings.put("pekko.persistence.journal.plugin", "jdbc-journal");
        settings.put("pekko.persistence.snapshot-store.plugin", "jdbc-snapshot-store");
        settings.put("jdbc-journal.use-shared-db", SHARED_DB);
        settings.put("jdbc-snapshot-store.use-shared-db", SHARED_DB);
        final String db = "pekko-persistence-jdbc.shared-databases." + SHARED_DB;
        settings.put(db + ".profile", h2 ? "slick.jdbc.H2Profile$" : "slick.jdbc.PostgresProfile$");
        settings.put(db + ".db.url", url);
        settings.put(db + ".db.user", user);
        settings.put(db + ".db.password", password);
        settings.put(db + ".db.driver", h2 ? "org.h2.Driver" : "org.postgresql.Driver");
        settings.put(db + ".db.connectionPool", "HikariCP");
        // One job manager writes a few events a second: a small pool, and a prompt error when the database is down.
        settings.put(db + ".db.numThreads", 2);
        settings.put(db + ".db.maxConnections", 2);
        settings.put(db + ".db.minConnections", 1);
        settings.put(db + ".db.connectionTimeout", 10_000);
        return settings;
    }

    /**
     * Describe the database for logs and errors, without the password.
     *
     * @return e.g. {@code jdbc:postgresql://db:5432/parasol as parasol}.
     */
    public String describe()
    {
        return url + (user.isEmpty() ? "" : " as " + user);
    }
}
