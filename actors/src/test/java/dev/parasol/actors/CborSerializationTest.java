package dev.parasol.actors;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.typesafe.config.ConfigFactory;
import dev.parasol.actors.jobapi.JobManager;
import dev.parasol.actors.jobapi.JobResult;
import dev.parasol.actors.jobapi.JobRunnerCommand;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.scheduler.Scheduler;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every control-plane message crosses a node as Jackson CBOR and comes back equal: the classes of this module that
 * implement {@link CborSerializable} are found by scanning its compiled classes, so a message added later is tested
 * (or fails by name) without being listed here. The actor system runs the cluster provider, so typed ActorRefs in
 * messages are written with a real address, as between two nodes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CborSerializationTest
{
    /**
     * Classes that implement the marker only through a protocol interface and never leave their node, with why.
     * Prefer making such a message serializable; an entry here is checked to still exist.
     */
    private static final Map<String, String> LOCAL_ONLY = Map.of(
        "dev.parasol.actors.job.JobRunner$HostsListed",
        "the runner's own message adapter wraps a Receptionist.Listing, which has no Jackson form; it is delivered " +
        "on the runner's node only",
        "dev.parasol.actors.jobapi.JobManager$SubmissionRecorded",
        "the manager's own ask adapter: the job it carries is the manager's in-memory record, never sent",
        "dev.parasol.actors.jobapi.JobManager$CancelRecorded",
        "the manager's own ask adapter for a cancel being recorded; it carries the journal's failure, never sent",
        "dev.parasol.actors.host.NodeHost$WorkerStopReply",
        "the host's own ask adapter, carrying the host's collection of replies to one StopJob",
        "dev.parasol.actors.host.NodeHost$BackupHandedOver",
        "the host's own ask adapter, carrying a backup copy's live ShardState to the shard that takes it over on " +
        "the same node");

    private static ActorTestKit testKit;
    private static Serialization serialization;
    private static List<Class<?>> messageClasses;
    private static MessageSamples samples;

    record NotBound(String text) implements Serializable
    {
        private static final long serialVersionUID = 1L;
    }

    @BeforeAll
    static void start()
    {
        testKit = ActorTestKit.create("cbor", ConfigFactory.parseString(
            "pekko.actor.provider = cluster\n" +
            "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"\n" +
            "pekko.remote.artery.canonical.port = 0\n" +
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"));
        serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
        messageClasses = scanMessageClasses();
        final TestProbe<Object> probe = testKit.createTestProbe();
        samples = new MessageSamples(probe.ref(), messageClasses);
    }

    @AfterAll
    static void stop()
    {
        testKit.shutdownTestKit();
    }

    @Test
    void shouldFindTheProtocolMessagesWhenScanningTheModule()
    {
        for (final Class<?> expected : List.of(JobSpec.class, JobResult.class, JobManager.SubmitJob.class,
            JobManager.CancelJob.class, JobRunnerCommand.Stop.class, Scheduler.RequestPermit.class,
            Scheduler.Stop.class))
        {
            assertTrue(messageClasses.contains(expected), expected + " in " + messageClasses);
        }
        for (final String name : LOCAL_ONLY.keySet())
        {
            assertTrue(messageClasses.stream().anyMatch((c) -> c.getName().equals(name)),
                "stale LOCAL_ONLY entry " + name + ": no such CborSerializable class any more");
        }
    }

    @Test
    void shouldBuildARoundTripCaseWhenClassIsCborSerializable()
    {
        final List<String> missing = new ArrayList<>();
        for (final Class<?> type : messageClasses)
        {
            if (LOCAL_ONLY.containsKey(type.getName()))
            {
                continue;
            }
            try
            {
                samples.instanceOf(type);
            }
            catch (final AssertionError ex)
            {
                missing.add(ex.getMessage());
            }
        }
        assertTrue(missing.isEmpty(), "messages without a round-trip case:\n" + String.join("\n", missing));
    }

    @Test
    void shouldNameEverySubtypeWhenInterfaceCarriesTypeInfo()
    {
        final List<String> unnamed = new ArrayList<>();
        for (final Class<?> type : messageClasses)
        {
            for (final Class<?> parent : supertypes(type))
            {
                final JsonSubTypes subTypes = parent.getAnnotation(JsonSubTypes.class);
                if (parent.isAnnotationPresent(JsonTypeInfo.class) && (subTypes == null ||
                    Stream.of(subTypes.value()).noneMatch((t) -> t.value() == type)))
                {
                    unnamed.add(type.getName() + " is missing from @JsonSubTypes of " + parent.getName());
                }
            }
        }
        assertTrue(unnamed.isEmpty(), String.join("\n", unnamed));
    }

    @TestFactory
    Stream<DynamicTest> shouldReadBackAnEqualMessageWhenItCrossesNodesAsCbor()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Class<?> type : messageClasses)
        {
            if (LOCAL_ONLY.containsKey(type.getName()))
            {
                continue;
            }
            if (type.isEnum())
            {
                for (final Object constant : type.getEnumConstants())
                {
                    tests.add(DynamicTest.dynamicTest(type.getName() + "." + constant,
                        () -> assertSame(constant, roundTrip(constant))));
                }
            }
            else
            {
                tests.add(DynamicTest.dynamicTest(type.getName(), () ->
                {
                    final Object message = samples.instanceOf(type);
                    SameValue.assertSameValue(message, roundTrip(message), type.getSimpleName());
                }));
            }
        }
        for (final Object message : samples.representative())
        {
            tests.add(DynamicTest.dynamicTest("representative " + message.getClass().getName(),
                () -> SameValue.assertSameValue(message, roundTrip(message), message.getClass().getSimpleName())));
        }
        return tests.stream();
    }

    @Test
    void shouldKeepSingletonsWhenStopMessagesAreReadBack()
    {
        assertSame(Scheduler.Stop.INSTANCE, roundTrip(Scheduler.Stop.INSTANCE));
        assertSame(JobRunnerCommand.Stop.INSTANCE, roundTrip(JobRunnerCommand.Stop.INSTANCE));
    }

    @Test
    void shouldKeepRelativePathsRelativeWhenSpecCrossesNodes()
    {
        final JobSpec spec = MessageSamples.fullSpec();

        final JobSpec copy = (JobSpec)roundTrip(spec);

        assertNotSame(spec, copy);
        assertEquals(spec, copy);
        assertEquals(Path.of("data", "fashion-mnist"), copy.dataDir());
        assertFalse(copy.dataDir().isAbsolute(), copy.dataDir().toString());
        assertEquals(Path.of("/var/lib/parasol/jobs/j1"), copy.checkpointDir());
        assertEquals(spec.toHocon(), copy.toHocon());
    }

    @Test
    void shouldReadMetricsAsJavaValuesWhenResultCrossesNodes()
    {
        final JobResult result = MessageSamples.richResult();

        final JobResult copy = (JobResult)roundTrip(result);

        assertInstanceOf(List.class, copy.metric("evaluations"));
        assertInstanceOf(Map.class, ((List<?>)copy.metric("evaluations")).get(0));
        assertInstanceOf(Map.class, copy.metric("staleness"));
        assertEquals(9_876_543_210L, copy.metric(JobResult.BYTES_UP));
        assertEquals(4_200L, ((Number)copy.metric(JobResult.STEPS)).longValue());
        assertEquals(0.01f, copy.metric("learning_rate"));
        assertTrue(copy.metrics().containsKey(JobResult.TIME_TO_TARGET_S));
        assertEquals(0.8812, copy.finalTestAccuracy());
        assertEquals(List.copyOf(result.metrics().keySet()), List.copyOf(copy.metrics().keySet()));
        assertEquals(result.modelPath(), copy.modelPath());
    }

    @Test
    void shouldCarryStatusRepliesWithoutJavaSerializationWhenAcknowledgingOrFailing()
    {
        final StatusReply<Done> ack = StatusReply.ack();
        final StatusReply<Done> error = StatusReply.error("unknown job id 'job-9-0000'");
        final StatusReply<JobResult> success = StatusReply.success(MessageSamples.richResult());

        assertEquals(ack, deserialize(ack, serializeWithAnySerializer(ack)));
        final StatusReply<?> errorCopy = (StatusReply<?>)deserialize(error, serializeWithAnySerializer(error));
        assertTrue(errorCopy.isError());
        assertEquals("unknown job id 'job-9-0000'", errorCopy.getError().getMessage());
        final StatusReply<?> successCopy = (StatusReply<?>)deserialize(success, serializeWithAnySerializer(success));
        assertTrue(successCopy.isSuccess());
        SameValue.assertSameValue(success.getValue(), successCopy.getValue(), "StatusReply.value");
    }

    @Test
    void shouldCompressWhenJobListIsLargerThanThreshold()
    {
        final List<Object> representative = samples.representative();
        final JobManager.JobList large = representative.stream()
            .filter((m) -> m instanceof JobManager.JobList list && list.jobs().size() == 100)
            .map(JobManager.JobList.class::cast)
            .findFirst()
            .orElseThrow();

        final byte[] bytes = serialization.serialize(large).get();

        assertEquals((byte)0x1f, bytes[0], "gzip magic");
        assertEquals((byte)0x8b, bytes[1], "gzip magic");
        assertTrue(bytes.length < 32 * 1024, "compressed to " + bytes.length + " bytes");
        SameValue.assertSameValue(large, roundTrip(large), "JobList");
    }

    @Test
    void shouldRefuseJavaSerializationWhenMessageIsNotBound()
    {
        assertTrue(serialization.serialize(new NotBound("x")).isFailure());
        assertTrue(serialization.serialize(new ArrayList<>(List.of("x"))).isFailure());
    }

    private static Object roundTrip(final Object message)
    {
        final Serializer serializer = serialization.findSerializerFor(message);
        assertInstanceOf(JacksonCborSerializer.class, serializer,
            () -> message.getClass().getName() + " is bound to " + serializer.getClass().getName());
        return deserialize(message, serialization.serialize(message).get());
    }

    private static byte[] serializeWithAnySerializer(final Object message)
    {
        return serialization.serialize(message).get();
    }

    private static Object deserialize(final Object original, final byte[] bytes)
    {
        final Serializer serializer = serialization.findSerializerFor(original);
        final String manifest = Serializers.manifestFor(serializer, original);
        return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
    }

    /**
     * Find the concrete classes of this module that implement {@link CborSerializable}, in name order.
     */
    private static List<Class<?>> scanMessageClasses()
    {
        final Map<String, Class<?>> found = new TreeMap<>();
        for (final String name : classNames())
        {
            final Class<?> type;
            try
            {
                type = Class.forName(name, false, CborSerializationTest.class.getClassLoader());
            }
            catch (final ClassNotFoundException | LinkageError ex)
            {
                continue;
            }
            if (CborSerializable.class.isAssignableFrom(type) && !type.isInterface() && !type.isAnonymousClass() &&
                !Modifier.isAbstract(type.getModifiers()))
            {
                found.put(name, type);
            }
        }
        final List<Class<?>> classes = new ArrayList<>(found.values());
        classes.sort(Comparator.comparing(Class::getName));
        return classes;
    }

    private static List<String> classNames()
    {
        try
        {
            final Path root = Path.of(
                CborSerializable.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(root))
            {
                try (Stream<Path> files = Files.walk(root))
                {
                    return files
                        .filter((p) -> p.toString().endsWith(".class"))
                        .map((p) -> toClassName(root.relativize(p).toString().replace('\\', '/')))
                        .toList();
                }
            }
            try (JarFile jar = new JarFile(root.toFile()))
            {
                return jar.stream()
                    .map((e) -> e.getName())
                    .filter((n) -> n.endsWith(".class"))
                    .map(CborSerializationTest::toClassName)
                    .toList();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static List<Class<?>> supertypes(final Class<?> type)
    {
        final List<Class<?>> all = new ArrayList<>();
        final List<Class<?>> pending = new ArrayList<>(List.of(type));
        while (!pending.isEmpty())
        {
            final Class<?> next = pending.remove(pending.size() - 1);
            if (next.getSuperclass() != null)
            {
                pending.add(next.getSuperclass());
                all.add(next.getSuperclass());
            }
            for (final Class<?> parent : next.getInterfaces())
            {
                pending.add(parent);
                all.add(parent);
            }
        }
        return all;
    }

    private static String toClassName(final String relativePath)
    {
        return relativePath.substring(0, relativePath.length() - ".class".length()).replace('/', '.');
    }
}
