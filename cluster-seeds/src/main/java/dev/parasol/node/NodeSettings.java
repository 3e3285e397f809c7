package dev.parasol.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import dev.parasol.actors.dataplane.DataPlaneContext;
import dev.parasol.actors.dataplane.MediaDriverMode;

import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings of a cluster node, read from HOCON ({@code parasol.node} and {@code parasol.data-plane}, see the
 * module's {@code reference.conf}) with command-line flags laid over it, and validated as a whole: a bad
 * configuration fails with one {@link NodeSettingsException} that names every bad value. From them come the Pekko
 * configuration of the node's actor system ({@link #pekkoConfig()}) and the node's data plane
 * ({@link #dataPlaneContext()}).
 *
 * @param clusterName   the name of the cluster and of every node's actor system.
 * @param roles         what the node hosts; not empty.
 * @param bind          the control-plane address, bound and advertised; port 0 for an ephemeral port.
 * @param seeds         the seed nodes; not empty.
 * @param dataBind      the data-plane address; port 0 for ephemeral ports per receiver.
 * @param dataAdvertise the data-plane address peers are told to send to instead of {@code dataBind} (a NAT's or a
 *                      relay's), or null to advertise {@code dataBind}; only with a fixed {@code dataBind} port.
 * @param mediaDriver   where the Aeron media driver runs.
 * @param aeronDir      the Aeron directory, or null to let the data plane choose.
 * @param workerSlots   how many workers the node runs at once.
 * @param dataDir       the directory of the node's copy of the data set, or null for the usual search.
 * @param dataPlane     the data-plane settings.
 * @param config        the resolved configuration these were read from, with every other key (Pekko's).
 */
public record NodeSettings(
    String clusterName,
    Set<NodeRole> roles,
    HostPort bind,
    List<HostPort> seeds,
    HostPort dataBind,
    HostPort dataAdvertise,
    MediaDriverMode mediaDriver,
    String aeronDir,
    int workerSlots,
    Path dataDir,
    DataPlaneSettings dataPlane,
    Config config)
{
    /**
     * Key of the cluster name.
     */
    public static final String CLUSTER_NAME_KEY = "parasol.node.cluster-name";

    /**
     * Key of the roles; flag {@code --roles}.
     */
    public static final String ROLES_KEY = "parasol.node.roles";

    /**
     * Key of the control-plane address; flag {@code --bind}.
     */
    public static final String BIND_KEY = "parasol.node.bind";

    /**
     * Key of the seed nodes; flag {@code --seeds}.
     */
    public static final String SEEDS_KEY = "parasol.node.seeds";

    /**
     * Key of the data-plane address; flag {@code --data-bind}.
     */
    public static final String DATA_BIND_KEY = "parasol.node.data-bind";

    /**
     * Key of the advertised data-plane address; flag {@code --data-advertise}.
     */
    public static final String DATA_ADVERTISE_KEY = "parasol.node.data-advertise";

    /**
     * Key of the media driver mode; flag {@code --media-driver}.
     */
    public static final String MEDIA_DRIVER_KEY = "parasol.node.media-driver";

    /**
     * Key of the Aeron directory; flag {@code --aeron-dir}.
     */
    public static final String AERON_DIR_KEY = "parasol.node.aeron-dir";

    /**
     * Key of the worker slots; flag {@code --worker-slots}.
     */
    public static final String WORKER_SLOTS_KEY = "parasol.node.worker-slots";

    /**
     * Key of the data directory; flag {@code --data-dir}.
     */
    public static final String DATA_DIR_KEY = "parasol.node.data-dir";

    /**
     * The flag of each key that has one, to name it in messages when the value came from the command line.
     */
    public static final Map<String, String> FLAG_NAMES = Map.of(
        ROLES_KEY, "--roles",
        BIND_KEY, "--bind",
        SEEDS_KEY, "--seeds",
        DATA_BIND_KEY, "--data-bind",
        DATA_ADVERTISE_KEY, "--data-advertise",
        MEDIA_DRIVER_KEY, "--media-driver",
        AERON_DIR_KEY, "--aeron-dir",
        WORKER_SLOTS_KEY, "--worker-slots",
        DATA_DIR_KEY, "--data-dir");

    /**
     * The most worker slots a node accepts.
     */
    public static final int MAX_WORKER_SLOTS = 4096;

    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

    /**
     * Check that nothing is missing and freeze the collections.
     */
    public NodeSettings
    {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(dataBind, "dataBind");
        Objects.requireNonNull(mediaDriver, "mediaDriver");
        Objects.requireNonNull(dataPlane, "dataPlane");
        Objects.requireNonNull(config, "config");
        if (roles.isEmpty() || seeds.isEmpty())
        {
            throw new IllegalArgumentException("roles and seeds must not be empty");
        }
        roles = Collections.unmodifiableSet(EnumSet.copyOf(roles));
        seeds = List.copyOf(seeds);
    }

    /**
     * Load the configuration and read the settings: see {@link #loadConfig(Path, Map)} and {@link #from(Config)}.
     *
     * @param configFile the {@code --config} file, or null for {@code application.conf} as Typesafe Config finds it.
     * @param flags      values of the flags given, by key ({@link #BIND_KEY}...); strings as typed.
     * @return the validated settings.
     * @throws NodeSettingsException naming every bad setting, or the file if it cannot be read.
     */
    public static NodeSettings load(final Path configFile, final Map<String, ?> flags)
    {
        return from(loadConfig(configFile, flags));
    }

    /**
     * Load a node's configuration. Precedence, highest first: {@code overrides} (the flags), JVM system properties,
     * the file (or {@code application.conf}), this module's {@code reference.conf}, then every other
     * {@code reference.conf} on the class path. This module's reference is laid explicitly above the others because
     * Typesafe Config merges same-named resources in class-path order, and it sets some of Pekko's keys.
     *
     * @param configFile the file, or null for {@code application.conf} as Typesafe Config finds it.
     * @param overrides  values by key laid over everything; their origin is recorded as a command-line flag.
     * @return the resolved configuration.
     * @throws NodeSettingsException if the file is missing or not valid HOCON.
     */
    public static Config loadConfig(final Path configFile, final Map<String, ?> overrides)
    {
        final String source = null == configFile ? "application.conf" : "--config=" + configFile;
        try
        {
            final Config file;
            if (null == configFile)
            {
                file = ConfigFactory.defaultApplication();
            }
            else if (!Files.isRegularFile(configFile))
            {
                throw new NodeSettingsException(List.of(source + ": no such file"));
            }
            else
            {
                file = ConfigFactory.parseFile(
                    configFile.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            }

            return ConfigFactory.parseMap(overrides, SettingsReader.FLAG_ORIGIN)
                .withFallback(ConfigFactory.defaultOverrides())
                .withFallback(file)
                .withFallback(parasolReference())
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
        }
        catch (final ConfigException ex)
        {
            throw new NodeSettingsException(List.of(source + ": " + ex.getMessage()));
        }
    }

    /**
     * Read and validate the settings from a resolved configuration.
     *
     * @param config the configuration, from {@link #loadConfig(Path, Map)}.
     * @return the settings.
     * @throws NodeSettingsException naming every bad setting.
     */
    public static NodeSettings from(final Config config)
    {
        final SettingsReader reader = new SettingsReader(config, FLAG_NAMES);
        final String clusterName = reader.string(CLUSTER_NAME_KEY);
        if (null != clusterName && !CLUSTER_NAME.matcher(clusterName).matches())
        {
            reader.problem(CLUSTER_NAME_KEY, "expected letters, digits, '-' and '_', starting with a letter or digit");
        }
        final Set<NodeRole> roles = readRoles(reader);
        final HostPort bind = readAdvertised(reader, BIND_KEY);
        final List<HostPort> seeds = readSeeds(reader, bind);
        final HostPort dataBind = readDataBind(reader, bind);
        final HostPort dataAdvertise = readDataAdvertise(reader, dataBind);
        final MediaDriverMode mediaDriver = readMediaDriver(reader);
        final String aeronDir = readAeronDir(reader);
        final Integer workerSlots = readWorkerSlots(reader);
        final Path dataDir = readDataDir(reader);
        final DataPlaneSettings dataPlane = DataPlaneSettings.read(reader);
        // Checked now, so that a bad journal URL stops the node at once; derived again where Pekko needs it.
        JournalSettings.read(reader);
        reader.throwIfProblems();

        return new NodeSettings(clusterName, roles, bind, seeds, dataBind, dataAdvertise, mediaDriver, aeronDir,
            workerSlots, dataDir, dataPlane, config);
    }

    /**
     * Read the Aeron directory alone, for a standalone media driver.
     *
     * @param config the resolved configuration.
     * @return the directory, or null when left empty.
     * @throws NodeSettingsException if the value is not a string.
     */
    public static String aeronDirOf(final Config config)
    {
        final SettingsReader reader = new SettingsReader(config, FLAG_NAMES);
        final String aeronDir = readAeronDir(reader);
        reader.throwIfProblems();
        return aeronDir;
    }

    /**
     * Does the node have a role?
     *
     * @param role the role.
     * @return true if the node hosts it.
     */
    public boolean hasRole(final NodeRole role)
    {
        return roles.contains(role);
    }

    /**
     * Does this node found a one-node cluster on an ephemeral port? Its only seed is its own {@code bind} with port
     * 0, an address no one can know in advance, so the node joins its actual address once bound instead of going
     * through Pekko's seed-node process.
     *
     * @return true if the node joins itself directly.
     */
    public boolean joinsItself()
    {
        return 0 == bind.port() && seeds.equals(List.of(bind));
    }

    /**
     * Get the Pekko address of a node of this cluster.
     *
     * @param node the node's {@code bind}.
     * @return {@code pekko://CLUSTER-NAME@HOST:PORT}.
     */
    public String pekkoAddress(final HostPort node)
    {
        return "pekko://" + clusterName + "@" + node;
    }

    /**
     * Build the configuration of the node's actor system: Artery's canonical host and port from {@code bind}, the
     * cluster roles, the seed nodes, and the cluster provider, over everything else of the loaded configuration
     * (Split Brain Resolver, failure detector, frame size...). A file's values for these derived keys are replaced.
     *
     * @return the configuration for {@code ActorSystem.create}.
     */
    public Config pekkoConfig()
    {
        final List<String> roleNames = new ArrayList<>();
        for (final NodeRole role : roles)
        {
            roleNames.add(role.roleName());
        }
        final List<String> seedAddresses = new ArrayList<>();
        if (!joinsItself())
        {
            for (final HostPort seed : seeds)
            {
                seedAddresses.add(pekkoAddress(seed));
            }
        }

        final Map<String, Object> derived = new HashMap<>();
        derived.put("pekko.actor.provider", "cluster");
        derived.put("pekko.remote.artery.canonical.hostname", bind.host());
        derived.put("pekko.remote.artery.canonical.port", bind.port());
        derived.put("pekko.cluster.roles", roleNames);
        derived.put("pekko.cluster.seed-nodes", seedAddresses);
        derived.putAll(journal().pekkoSettings());
        return ConfigFactory.parseMap(derived, "parasol.node settings").withFallback(config);
    }

    /**
     * Get where the job manager of this node, if it hosts it, records its jobs.
     *
     * @return the {@code parasol.jobs.journal} settings.
     */
    public JournalSettings journal()
    {
        final SettingsReader reader = new SettingsReader(config, FLAG_NAMES);
        final JournalSettings journal = JournalSettings.read(reader);
        reader.throwIfProblems();
        return journal;
    }

    /**
     * Build a fresh, not yet concluded, data-plane context for this node: bind host and data port from
     * {@code data-bind}, the advertised address from {@code data-advertise}, the media driver mode, the Aeron
     * directory and every {@code parasol.data-plane} setting.
     *
     * @return a new context; launch it with {@code DataPlane.launch}.
     */
    public DataPlaneContext dataPlaneContext()
    {
        return dataPlane.applyTo(new DataPlaneContext())
            .bindHost(dataBind.host())
            .dataPort(dataBind.port())
            .advertisedHost(null == dataAdvertise ? null : dataAdvertise.host())
            .advertisedPort(null == dataAdvertise ? 0 : dataAdvertise.port())
            .mediaDriverMode(mediaDriver)
            .aeronDirectoryName(aeronDir);
    }

    /**
     * Describe the settings on one line, for the node's start-up message.
     *
     * @return a summary.
     */
    public String describe()
    {
        final StringBuilder text = new StringBuilder()
            .append("cluster ").append(clusterName)
            .append(", roles ").append(roleNamesText())
            .append(", bind ").append(bind)
            .append(", seeds ").append(seeds)
            .append(", data-bind ").append(dataBind);
        if (null != dataAdvertise)
        {
            text.append(" advertised as ").append(dataAdvertise);
        }
        text.append(", media driver ").append(mediaDriver.name().toLowerCase(Locale.ROOT));
        if (null != aeronDir)
        {
            text.append(" in ").append(aeronDir);
        }
        if (hasRole(NodeRole.WORKER))
        {
            text.append(", worker slots ").append(workerSlots);
            text.append(", data ").append(null == dataDir ? "(default search)" : dataDir.toString());
        }
        return text.toString();
    }

    /**
     * Describe the settings without the whole configuration they came from.
     *
     * @return {@code NodeSettings[...]} with {@link #describe()}.
     */
    @Override
    public String toString()
    {
        return "NodeSettings[" + describe() + "]";
    }

    private String roleNamesText()
    {
        final StringBuilder text = new StringBuilder();
        for (final NodeRole role : roles)
        {
            text.append(text.length() == 0 ? "" : ",").append(role.roleName());
        }
        return text.toString();
    }

    private static Set<NodeRole> readRoles(final SettingsReader reader)
    {
        final List<String> names = reader.list(ROLES_KEY);
        if (null == names)
        {
            return null;
        }
        final Set<NodeRole> roles = new LinkedHashSet<>();
        final List<String> unknown = new ArrayList<>();
        for (final String name : names)
        {
            try
            {
                roles.add(NodeRole.of(name));
            }
            catch (final IllegalArgumentException ex)
            {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty() || roles.isEmpty())
        {
            reader.problem(ROLES_KEY, (unknown.isEmpty() ? "no role given" : "unknown role " + unknown) +
                "; expected one or more of coordinator, ps, worker");
            return null;
        }
        return roles;
    }

    private static HostPort readHostPort(final SettingsReader reader, final String path, final String text)
    {
        try
        {
            return HostPort.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            reader.problem(path, ex.getMessage());
            return null;
        }
    }

    /**
     * Read an address other nodes are told to connect to: no wildcard.
     */
    private static HostPort readAdvertised(final SettingsReader reader, final String path)
    {
        final String text = reader.string(path);
        final HostPort address = null == text ? null : readHostPort(reader, path, text);
        if (null != address && address.isWildcard())
        {
            reader.problem(path, "a wildcard address cannot be advertised to other nodes; give this host's " +
                "address on the cluster network");
            return null;
        }
        return address;
    }

    private static List<HostPort> readSeeds(final SettingsReader reader, final HostPort bind)
    {
        final List<String> texts = reader.list(SEEDS_KEY);
        if (null == texts)
        {
            return null;
        }
        if (texts.isEmpty())
        {
            reader.problem(SEEDS_KEY, "expected at least one HOST:PORT (this node's own bind founds a new cluster)");
            return null;
        }

        final List<HostPort> seeds = new ArrayList<>();
        final List<String> bad = new ArrayList<>();
        for (final String text : texts)
        {
            try
            {
                seeds.add(HostPort.parse(text));
            }
            catch (final IllegalArgumentException ex)
            {
                bad.add("'" + text + "' (" + ex.getMessage() + ")");
            }
        }
        if (!bad.isEmpty())
        {
            reader.problem(SEEDS_KEY, "bad seed " + String.join(", ", bad) + "; expected HOST:PORT,HOST:PORT...");
            return null;
        }

        for (final HostPort seed : seeds)
        {
            if (0 == seed.port() && !(seeds.size() == 1 && seed.equals(bind)))
            {
                reader.problem(SEEDS_KEY, "seed " + seed + " has no fixed port; only a node founding a one-node " +
                    "cluster on an ephemeral port may list itself (its own bind) as HOST:0");
                return null;
            }
        }
        return seeds;
    }

    private static HostPort readDataBind(final SettingsReader reader, final HostPort bind)
    {
        final String text = reader.string(DATA_BIND_KEY);
        if (null != text && text.isEmpty())
        {
            return null == bind ? null : new HostPort(bind.host(), 0);
        }
        return readAdvertised(reader, DATA_BIND_KEY);
    }

    /**
     * Read the advertised data-plane address: empty for none; else a fixed HOST:PORT, and only with a fixed
     * {@code data-bind} port, which every receiver of the node shares (by stream id) so that one address reaches them
     * all.
     */
    private static HostPort readDataAdvertise(final SettingsReader reader, final HostPort dataBind)
    {
        final String text = reader.string(DATA_ADVERTISE_KEY);
        if (null == text || text.isEmpty())
        {
            return null;
        }
        final HostPort address = readAdvertised(reader, DATA_ADVERTISE_KEY);
        if (null == address)
        {
            return null;
        }
        if (0 == address.port())
        {
            reader.problem(DATA_ADVERTISE_KEY, "expected a fixed port: the one peers send to (the NAT's or the " +
                "relay's), which forwards to data-bind");
            return null;
        }
        if (null != dataBind && 0 == dataBind.port())
        {
            reader.problem(DATA_ADVERTISE_KEY, "needs a fixed data-bind port, but data-bind is " + dataBind +
                " (ephemeral: each receiver of the node would bind a port of its own, which one advertised " +
                "HOST:PORT cannot stand for); give --data-bind HOST:PORT with a fixed port");
            return null;
        }
        return address;
    }

    private static MediaDriverMode readMediaDriver(final SettingsReader reader)
    {
        final String text = reader.string(MEDIA_DRIVER_KEY);
        if (null == text)
        {
            return null;
        }
        try
        {
            return MediaDriverMode.valueOf(text.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            reader.problem(MEDIA_DRIVER_KEY, "expected embedded or external");
            return null;
        }
    }

    private static String readAeronDir(final SettingsReader reader)
    {
        final String text = reader.string(AERON_DIR_KEY);
        return null == text || text.isEmpty() ? null : text;
    }

    private static Integer readWorkerSlots(final SettingsReader reader)
    {
        final String text = reader.string(WORKER_SLOTS_KEY);
        if (null == text)
        {
            return null;
        }
        if (SettingsReader.AUTO.equalsIgnoreCase(text))
        {
            return Runtime.getRuntime().availableProcessors();
        }
        return reader.intValue(WORKER_SLOTS_KEY, 1, MAX_WORKER_SLOTS);
    }

    private static Path readDataDir(final SettingsReader reader)
    {
        final String text = reader.string(DATA_DIR_KEY);
        if (null == text || text.isEmpty())
        {
            return null;
        }
        final Path dir = Path.of(text);
        if (!Files.isDirectory(dir))
        {
            reader.problem(DATA_DIR_KEY, "not a directory; expected the directory of this node's copy of the " +
                "data set (or leave it empty for the usual search)");
            return null;
        }
        return dir;
    }

    /**
     * Parse this module's own {@code reference.conf}, found through the code source of this class rather than by
     * name, so that it wins over Pekko's reference whatever the class-path order.
     */
    private static Config parasolReference()
    {
        final CodeSource codeSource = NodeSettings.class.getProtectionDomain().getCodeSource();
        if (null == codeSource || null == codeSource.getLocation())
        {
            return ConfigFactory.empty();
        }

        try
        {
            final URL location = codeSource.getLocation();
            final URL reference = location.getPath().endsWith("/") ?
                new URL(location, "reference.conf") :
                new URL("jar:" + location + "!/reference.conf");
            return ConfigFactory.parseURL(reference, ConfigParseOptions.defaults().setAllowMissing(false));
        }
        catch (final MalformedURLException | ConfigException ex)
        {
            // Not laid out as a directory or a jar: the merged class-path reference still holds these settings.
            return ConfigFactory.empty();
        }
    }
}
