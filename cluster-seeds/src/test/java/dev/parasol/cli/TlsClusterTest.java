package dev.parasol.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parasol.cli.ClusterProcesses.Started;
import dev.parasol.engine.data.DatasetLocator;
import dev.parasol.engine.data.FashionMnist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The control plane over TLS as docs/deployment.md (section 13) tells an operator to set it up: the test makes a
 * certificate authority, a key store per node and for a client, and a trust store with the JDK's keytool and the
 * commands of the docs, writes the docs' {@code pekko.remote.artery} block (transport {@code tls-tcp}, mutual
 * authentication, hostname verification), starts two {@code parasol node} JVMs with {@code --config} and trains W1
 * to its target from a {@code parasol submit} JVM given the same block through {@code -Dconfig.file}. Meanwhile three
 * intruders try to join: a client on plain {@code tcp}; a client whose key store another authority of the same name
 * signed (it has the cluster's public trust store); a client with a certificate of the cluster's authority for another
 * host's address. Each fails within a bounded time with a message saying what to check, none becomes a member, and
 * the job is undisturbed. The nodes log that they run {@code tls-tcp}, and the keytool probe the docs give shows the
 * node's certificate on its control port.
 */
@Timeout(180)
class TlsClusterTest
{
    private static final Path DATA = Path.of(DatasetLocator.SYSTEM_DIRECTORY_DEFAULT);
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);
    // A client that cannot join gives up after 10 s (ClusterConnection), plus its JVM's start and stop.
    private static final Duration REFUSAL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration KEYTOOL_TIMEOUT = Duration.ofSeconds(60);
    // Every process binds 127.0.0.1, the address its peers connect to: the name hostname verification checks.
    private static final String LOOPBACK = "ip:127.0.0.1";
    // Another host's names (TEST-NET-1): a certificate of the cluster's authority that is not this host's.
    private static final String ELSEWHERE = "dns:elsewhere.example,ip:192.0.2.10";
    private static final String TLS_STARTED = "Remoting started with transport [Artery tls-tcp]";
    private static final Pattern CLIENT_MEMBER = Pattern.compile("member (pekko://\\S+) \\w+: status \\w+, roles " +
        "\\[[^]]*client");

    // Literal test passwords, handed to keytool and to the nodes through the environment as the docs do.
    private static final Map<String, String> PASSWORDS = Map.of(
        "PARASOL_CA_PASS", "test-ca-secret",
        "PARASOL_KEY_PASS", "test-key-secret",
        "PARASOL_TRUST_PASS", "test-trust-secret");

    @TempDir
    Path dir;

    private ClusterProcesses processes;

    @BeforeEach
    void createProcesses()
    {
        processes = new ClusterProcesses(dir);
    }

    @AfterEach
    void stopEveryProcess() throws IOException, InterruptedException
    {
        processes.stopAll();
    }

    @Test
    void shouldTrainW1AndRefuseClientsWithoutAClusterCertificateWhenTheControlPlaneRunsTls() throws Exception
    {
        assumeTrue(Files.isRegularFile(DATA.resolve(FashionMnist.TRAIN_IMAGES + ".gz")),
            "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist");
        final Path tls = Files.createDirectories(dir.resolve("tls"));
        makeKeys(tls);
        final Path trustStore = tls.resolve("truststore.p12");
        final Path node1Config = writeConfig("node-1.conf", tls.resolve("node-1.p12"), trustStore);
        final Path node2Config = writeConfig("node-2.conf", tls.resolve("node-2.p12"), trustStore);
        final Path clientConfig = writeConfig("client.conf", tls.resolve("client.p12"), trustStore);
        final Path rogueConfig = writeConfig("rogue.conf", tls.resolve("rogue.p12"), trustStore);
        final Path misnamedConfig = writeConfig("misnamed.conf", tls.resolve("misnamed.p12"), trustStore);

        final int[] control = ClusterProcesses.freeTcpPorts(2);
        final String seed = "127.0.0.1:" + control[0];
        // Ephemeral data ports: the data plane is not under test here, and receivers of one node sharing a fixed
        // port is a matter of its own.
        final Started node1 = processes.startNode("node-1", "coordinator,ps,worker", control[0], 0, seed,
            List.of(), PASSWORDS, List.of("--config", node1Config.toString()));
        processes.awaitUp(node1);
        final Started node2 = processes.startNode("node-2", "worker", control[1], 0, seed,
            List.of(), PASSWORDS, List.of("--config", node2Config.toString()));
        processes.awaitUp(node2);

        final Path report = dir.resolve("report.json");
        final long startNs = System.nanoTime();
        final Started client = processes.start("client", "-Xmx512m", List.of("-Dconfig.file=" + clientConfig),
            PASSWORDS, "submit", "--contact", seed,
            "--workload", "W1", "--workers", "2", "--shards", "2", "--sync", "ssp:2", "--compress", "topk:0.01",
            "--epochs", "15", "--data-dir", DATA.toString(), "--checkpoint-dir", dir.resolve("job").toString(),
            "--follow", "--report", report.toString(), "--timeout", Long.toString(JOB_TIMEOUT.toSeconds()));
        final Started plain = processes.start("intruder-plain", "-Xmx256m", List.of(), "list", "--contact", seed);
        final Started rogue = processes.start("intruder-rogue", "-Xmx256m", List.of("-Dconfig.file=" + rogueConfig),
            PASSWORDS, "list", "--contact", seed);
        final Started misnamed = processes.start("intruder-misnamed", "-Xmx256m",
            List.of("-Dconfig.file=" + misnamedConfig), PASSWORDS, "list", "--contact", seed);

        final long refusalDeadlineNs = startNs + REFUSAL_TIMEOUT.toNanos();
        for (final Started intruder : List.of(plain, rogue, misnamed))
        {
            if (!intruder.process().waitFor(refusalDeadlineNs - System.nanoTime(), TimeUnit.NANOSECONDS))
            {
                fail(intruder.name() + " did not give up within " + REFUSAL_TIMEOUT + ":\n" + processes.describeAll());
            }
            final String output = Files.readString(intruder.log(), StandardCharsets.UTF_8);
            assertEquals(2, intruder.process().exitValue(), output);
            assertTrue(output.contains("parasol: --contact " + seed + ": no member let this client into the cluster"),
                output);
        }
        // The rogue's certificate was refused in the TLS handshake: the seed does not trust its authority.
        assertTrue(Files.readString(rogue.log(), StandardCharsets.UTF_8).contains("SSLHandshakeException"),
            () -> ClusterProcesses.tail(rogue));
        // The misnamed client's certificate is the cluster's, for another address: the seed's hostname verification
        // refused it when the seed connected back to the client's address.
        final String seedLog = Files.readString(node1.log(), StandardCharsets.UTF_8);
        assertTrue(seedLog.contains("No subject alternative names matching IP address 127.0.0.1 found"), seedLog);

        if (!client.process().waitFor(JOB_TIMEOUT.toSeconds() + 15, TimeUnit.SECONDS))
        {
            fail("the client did not finish within " + JOB_TIMEOUT + ":\n" + processes.describeAll());
        }
        assertEquals(0, client.process().exitValue(), processes::describeAll);
        final JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertTrue(json.get("target_reached").asBoolean(), () -> "W1 did not reach its target: " + json);
        assertEquals("cluster", json.get("mode").asText(), json::toString);
        assertEquals(0, json.get("messages_rejected").asLong(), json::toString);

        for (final Started node : List.of(node1, node2))
        {
            final String log = Files.readString(node.log(), StandardCharsets.UTF_8);
            assertTrue(log.contains(TLS_STARTED), () -> node.name() + " did not start on tls-tcp:\n" + log);
            assertFalse(log.contains("unreachable"), () -> node.name() + " lost a member:\n" + log);
        }
        // The seed saw every member come and go: the one client that holds a certificate of the cluster's authority
        // joined, no intruder did.
        final Set<String> clients = new TreeSet<>();
        final Matcher member = CLIENT_MEMBER.matcher(Files.readString(node1.log(), StandardCharsets.UTF_8));
        while (member.find())
        {
            clients.add(member.group(1));
        }
        assertEquals(1, clients.size(), () -> "client members " + clients + ":\n" + processes.describeAll());

        // The check the docs give an operator: the control port answers TLS with the node's certificate.
        final String probe = keytool(tls, "-printcert", "-sslserver", seed);
        assertTrue(probe.contains("Owner: CN=node-1") && probe.contains("Issuer: CN=parasol-ca"), probe);
    }

    /**
     * The keytool commands of docs/deployment.md, section 13, for node-1, node-2 and a client, plus a rogue client
     * whose authority has the cluster authority's name but not its key. Independent stores are made two at a time.
     */
    private static void makeKeys(final Path tls) throws Exception
    {
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        try
        {
            final List<CompletableFuture<Void>> requests = new ArrayList<>();
            requests.add(run(pool, () -> makeAuthority(tls, "ca")));
            requests.add(run(pool, () -> makeAuthority(tls, "rogue-ca")));
            for (final String name : List.of("node-1", "node-2", "client", "misnamed", "rogue"))
            {
                requests.add(run(pool, () -> makeKeyPair(tls, name)));
            }
            join(requests);

            final List<CompletableFuture<Void>> signatures = new ArrayList<>();
            signatures.add(run(pool, () -> keytool(tls, "-importcert", "-noprompt", "-alias", "parasol-ca",
                "-file", "ca.pem", "-keystore", "truststore.p12", "-storetype", "PKCS12",
                "-storepass:env", "PARASOL_TRUST_PASS")));
            for (final String name : List.of("node-1", "node-2", "client"))
            {
                signatures.add(run(pool, () -> sign(tls, name, "ca", LOOPBACK)));
            }
            signatures.add(run(pool, () -> sign(tls, "misnamed", "ca", ELSEWHERE)));
            signatures.add(run(pool, () -> sign(tls, "rogue", "rogue-ca", LOOPBACK)));
            join(signatures);
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private static void makeAuthority(final Path tls, final String name) throws IOException, InterruptedException
    {
        keytool(tls, "-genkeypair", "-alias", "parasol-ca", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=parasol-ca", "-ext", "bc:c", "-validity", "3650", "-keystore", name + ".p12",
            "-storetype", "PKCS12", "-storepass:env", "PARASOL_CA_PASS");
        keytool(tls, "-exportcert", "-alias", "parasol-ca", "-keystore", name + ".p12",
            "-storepass:env", "PARASOL_CA_PASS", "-rfc", "-file", name + ".pem");
    }

    private static void makeKeyPair(final Path tls, final String name) throws IOException, InterruptedException
    {
        keytool(tls, "-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=" + name, "-validity", "825", "-keystore", name + ".p12", "-storetype", "PKCS12",
            "-storepass:env", "PARASOL_KEY_PASS");
        keytool(tls, "-certreq", "-alias", "node", "-keystore", name + ".p12", "-storepass:env", "PARASOL_KEY_PASS",
            "-file", name + ".csr");
    }

    /**
     * Sign a key pair's request by an authority for the names in {@code san} and put the chain back in its store.
     */
    private static void sign(final Path tls, final String name, final String authority, final String san)
        throws IOException, InterruptedException
    {
        keytool(tls, "-gencert", "-alias", "parasol-ca", "-keystore", authority + ".p12",
            "-storepass:env", "PARASOL_CA_PASS", "-infile", name + ".csr", "-outfile", name + ".pem",
            "-ext", "ku:c=digitalSignature", "-ext", "eku=serverAuth,clientAuth", "-ext", "san=" + san,
            "-validity", "825", "-rfc");
        keytool(tls, "-importcert", "-noprompt", "-alias", "parasol-ca", "-file", authority + ".pem",
            "-keystore", name + ".p12", "-storepass:env", "PARASOL_KEY_PASS");
        keytool(tls, "-importcert", "-alias", "node", "-file", name + ".pem", "-keystore", name + ".p12",
            "-storepass:env", "PARASOL_KEY_PASS");
    }

    private static String keytool(final Path workDir, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            // A short-lived JVM: the fast start-up flags halve the time of each call.
            "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(args));
        // Output to a file, not a pipe, so that the timeout holds even if keytool never closes its output.
        final Path output = Files.createTempFile(workDir, "keytool", ".out");
        final ProcessBuilder builder = new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
        builder.environment().putAll(PASSWORDS);
        final Process process = builder.start();
        try
        {
            if (!process.waitFor(KEYTOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
            {
                fail("keytool " + String.join(" ", args) + " did not finish within " + KEYTOOL_TIMEOUT);
            }
            final String text = Files.readString(output, StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), () -> "keytool " + String.join(" ", args) + ":\n" + text);
            return text;
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    /**
     * Write a host's configuration: the block of docs/deployment.md, section 13, with this host's key store.
     */
    private Path writeConfig(final String name, final Path keyStore, final Path trustStore) throws IOException
    {
        final String text = String.join("\n",
            "pekko.remote.artery {",
            "  transport = tls-tcp",
            "  ssl.config-ssl-engine {",
            "    key-store = \"" + keyStore + "\"",
            "    trust-store = \"" + trustStore + "\"",
            "    key-store-password = ${PARASOL_KEY_PASS}",
            "    key-password = ${PARASOL_KEY_PASS}",
            "    trust-store-password = ${PARASOL_TRUST_PASS}",
            "    protocol = \"TLSv1.3\"",
            "    enabled-algorithms = [\"TLS_AES_128_GCM_SHA256\", \"TLS_AES_256_GCM_SHA384\"]",
            "    require-mutual-authentication = on",
            "    hostname-verification = on",
            "  }",
            "}",
            "");
        final Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private interface Step
    {
        void run() throws Exception;
    }

    private static CompletableFuture<Void> run(final ExecutorService pool, final Step step)
    {
        return CompletableFuture.runAsync(() ->
        {
            try
            {
                step.run();
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }, pool);
    }

    private static void join(final List<CompletableFuture<Void>> steps)
    {
        CompletableFuture.allOf(steps.toArray(new CompletableFuture<?>[0])).join();
    }
}
