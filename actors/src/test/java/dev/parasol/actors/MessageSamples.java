package dev.parasol.actors;

import dev.parasol.actors.dataplane.Endpoint;
import dev.parasol.actors.jobapi.JobManager;
import dev.parasol.actors.jobapi.JobResult;
import dev.parasol.actors.jobapi.JobSpec;
import dev.parasol.actors.jobapi.JobStatus;
import dev.parasol.actors.jobapi.PartitionSpec;
import dev.parasol.actors.jobapi.ProgressEvent;
import dev.parasol.actors.jobapi.ShardTelemetry;
import dev.parasol.actors.scheduler.Scheduler;
import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.actors.scheduler.SyncPolicy;
import dev.parasol.engine.compress.CompressorSpec;
import dev.parasol.engine.model.Workload;
import org.apache.pekko.actor.typed.ActorRef;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Instances of control-plane messages for the serialization tests.
 * <p>
 * Every record is built through its canonical constructor from values generated for the declared type of each
 * component, so a message added tomorrow gets a round-trip case without anyone writing one, and a message holding a
 * type that cannot be generated (or that Jackson cannot read back) fails the guard by name. Types whose constructor
 * checks its values, or whose realistic values matter to the wire (paths, policies, the job spec, the result's
 * untyped metrics), come from {@link #fixed}; whole messages whose edge cases matter (nulls, NaN, nested collections,
 * a job list large enough to be compressed) come from {@link #representative()}.
 */
final class MessageSamples
{
    static final Instant INSTANT = Instant.parse("2026-11-26T05:30:00.123456789Z");

    private static final int MAX_DEPTH = 8;

    private final ActorRef<Object> ref;
    private final List<Class<?>> concreteMessages;
    private final Map<Class<?>, Supplier<Object>> fixed = new HashMap<>();
    private long counter;

    MessageSamples(final ActorRef<Object> ref, final List<Class<?>> concreteMessages)
    {
        this.ref = ref;
        this.concreteMessages = concreteMessages;
        fixed.put(Path.class, () -> Path.of("data", "fashion-mnist"));
        fixed.put(Instant.class, () -> INSTANT);
        fixed.put(ActorRef.class, () -> this.ref);
        fixed.put(Endpoint.class, () -> new Endpoint("127.0.0.1", 40_123, 1001));
        fixed.put(SyncPolicy.class, () -> SyncPolicy.ssp(3));
        fixed.put(StalenessPolicy.class, () -> StalenessPolicy.drop(2));
        fixed.put(PartitionSpec.class, () -> PartitionSpec.dirichlet(0.5));
        fixed.put(CompressorSpec.class, () -> CompressorSpec.parse("qsgd:4:256"));
        fixed.put(JobSpec.class, MessageSamples::fullSpec);
        fixed.put(JobResult.class, MessageSamples::richResult);
    }

    /**
     * A spec that sets every field away from its default, with a relative data directory and an absolute
     * checkpoint directory.
     */
    static JobSpec fullSpec()
    {
        return JobSpec.builder()
            .name("serialization")
            .workload(Workload.W1)
            .dataDir(Path.of("data", "fashion-mnist"))
            .partition("dirichlet:0.3")
            .workers(3)
            .shards(4)
            .sync("ssp:2")
            .staleness("drop:5")
            .compress("topk:0.01")
            .errorFeedback(false)
            .optimizer("adam")
            .learningRate(0.003)
            .batchSize(32)
            .steps(12_345)
            .targetAccuracy(0.83)
            .evalInterval(0.5)
            .checkpointDir(Path.of("/var/lib/parasol/jobs/j1"))
            .seed(-7L)
            .warmupSteps(100)
            .watchdogFallbackToDense(true)
            .build();
    }

    /**
     * A result whose metrics hold every kind of value a report has: text, integers of both widths, doubles, a
     * float, NaN, booleans, a null, a nested map and a list of maps.
     */
    static JobResult richResult()
    {
        final Map<String, Object> staleness = new LinkedHashMap<>();
        staleness.put("p50", 1L);
        staleness.put("p99", 7L);
        final Map<String, Object> evaluation = new LinkedHashMap<>();
        evaluation.put("epoch", 0.25);
        evaluation.put("test_accuracy", 0.71);
        final Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put(JobResult.WORKLOAD, "W2");
        metrics.put(JobResult.FINAL_TEST_ACCURACY, 0.8812);
        metrics.put(JobResult.TIME_TO_TARGET_S, null);
        metrics.put(JobResult.TARGET_REACHED, false);
        metrics.put(JobResult.STEPS, 4_200L);
        metrics.put(JobResult.BYTES_UP, 9_876_543_210L);
        metrics.put("workers", 2);
        metrics.put("learning_rate", 0.01f);
        metrics.put("final_test_loss", Double.NaN);
        metrics.put("staleness", staleness);
        metrics.put("evaluations", List.of(evaluation, evaluation));
        metrics.put("warnings", List.of("divergence watchdog fired at step 300"));
        return new JobResult(metrics, Path.of("parasol-jobs", "job-1-abcd", "model.safetensors"), null);
    }

    static ProgressEvent progress(final String jobId)
    {
        return ProgressEvent.builder(jobId)
            .elapsedSeconds(12.5)
            .progress(1_000, 64_000, 1.0667)
            .samplesPerSecond(5_120.0)
            .lastTestAccuracy(0.79)
            .bytes(123_456_789L, 98_765L)
            .staleness(1, 3, 9)
            .shards(List.of(
                new ShardTelemetry(0, 1_176, 0.0123, 0.01, 2.5, 1_000_000L, 2_000_000L),
                new ShardTelemetry(1, 117_573, Double.NaN, 1.0, 0.0, 3_000_000L, 4_000_000L)))
            .warnings(List.of("loss rose 3 evaluations in a row"))
            .counter("updates_applied", 1_990)
            .counter("updates_dropped_stale", 10)
            .build();
    }

    static JobStatus endedStatus(final String jobId)
    {
        final JobSpec spec = fullSpec();
        return new JobStatus(jobId, spec.summary(), spec, JobStatus.State.SUCCEEDED, INSTANT, INSTANT.plusSeconds(1),
            INSTANT.plusSeconds(60), progress(jobId), richResult(), null, false, -1);
    }

    /**
     * Get the hand-written messages, on top of the generated one of each class.
     *
     * @return instances whose edge cases matter.
     */
    List<Object> representative()
    {
        final JobSpec defaults = JobSpec.builder().build();
        final List<JobStatus> many = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            many.add(endedStatus("job-" + i + "-0f0f"));
        }
        return List.of(
            defaults,
            fullSpec(),
            new JobResult(null, null, null),
            richResult(),
            progress("job-1-abcd"),
            ProgressEvent.builder("job-2-abcd").build(),
            new JobStatus("job-3-abcd", defaults.summary(), defaults, JobStatus.State.QUEUED, INSTANT, null, null, null,
                null, null, false, 0),
            new JobStatus("job-4-abcd", defaults.summary(), defaults, JobStatus.State.FAILED, INSTANT, INSTANT,
                INSTANT, null, null, "the job runner crashed: java.lang.IllegalStateException: boom", true, -1),
            endedStatus("job-5-abcd"),
            new JobManager.JobList(many),
            new JobManager.JobList(List.of()),
            new JobManager.Rejected(List.of("workers=0: expected an integer in [1, 1024]", "lr=-1.0: expected > 0")),
            new JobManager.JobEnded(endedStatus("job-6-abcd")),
            new JobManager.JobFinished("job-7-abcd", new JobResult(Map.of(), null, null)),
            new PartitionSpec(PartitionSpec.Kind.IID, 0.0),
            new Scheduler.PermitGranted(1, 10, 8, Map.of(0, 8L, 1, 10L, 2, 9L)));
    }

    /**
     * Build one instance of a concrete class: an enum's last constant, or a record from generated components.
     *
     * @param type a record or enum implementing {@link CborSerializable}.
     * @return the instance.
     * @throws AssertionError naming the component that cannot be generated or the constructor's complaint.
     */
    Object instanceOf(final Class<?> type)
    {
        return sample(type, type.getName(), 0);
    }

    private Object sample(final Type type, final String where, final int depth)
    {
        if (depth > MAX_DEPTH)
        {
            throw new AssertionError(where + ": types nest deeper than " + MAX_DEPTH + "; register a sample");
        }
        if (type instanceof Class<?> c)
        {
            return sampleOf(c, List.of(), where, depth);
        }
        if (type instanceof ParameterizedType p)
        {
            return sampleOf((Class<?>)p.getRawType(), List.of(p.getActualTypeArguments()), where, depth);
        }
        if (type instanceof WildcardType w)
        {
            return sample(w.getUpperBounds()[0], where, depth);
        }
        if (type instanceof TypeVariable<?>)
        {
            return "untyped-" + next();
        }
        throw new AssertionError(where + ": no sample for type " + type.getTypeName());
    }

    private Object sampleOf(final Class<?> c, final List<Type> args, final String where, final int depth)
    {
        final Supplier<Object> supplier = fixed.get(c);
        if (supplier != null)
        {
            return supplier.get();
        }
        final Object scalar = scalar(c);
        if (scalar != null)
        {
            return scalar;
        }
        if (c.isEnum())
        {
            final Object[] constants = c.getEnumConstants();
            return constants[constants.length - 1];
        }
        if (c.isArray())
        {
            final Object array = Array.newInstance(c.getComponentType(), 3);
            for (int i = 0; i < 3; i++)
            {
                Array.set(array, i, sample(c.getComponentType(), where + "[" + i + "]", depth + 1));
            }
            return array;
        }
        if (Map.class.isAssignableFrom(c))
        {
            final Map<Object, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < 2; i++)
            {
                final Object key = sample(args.get(0), where + ".key", depth + 1);
                map.put(key, sample(args.get(1), where + "[" + key + "]", depth + 1));
            }
            return map;
        }
        if (Set.class.isAssignableFrom(c))
        {
            return new LinkedHashSet<>(elements(args.get(0), where, depth));
        }
        if (Collection.class.isAssignableFrom(c))
        {
            return elements(args.get(0), where, depth);
        }
        if (c.isRecord())
        {
            return record(c, where, depth);
        }
        if (c.isInterface() || Modifier.isAbstract(c.getModifiers()))
        {
            for (final Class<?> candidate : concreteMessages)
            {
                if (c.isAssignableFrom(candidate))
                {
                    return sample(candidate, where + "<" + candidate.getSimpleName() + ">", depth + 1);
                }
            }
        }
        throw new AssertionError(where + ": no sample for type " + c.getName() + "; register one in MessageSamples");
    }

    private List<Object> elements(final Type elementType, final String where, final int depth)
    {
        final List<Object> list = new ArrayList<>();
        for (int i = 0; i < 2; i++)
        {
            list.add(sample(elementType, where + "[" + i + "]", depth + 1));
        }
        return list;
    }

    private Object scalar(final Class<?> c)
    {
        final long n = next();
        if (c == int.class || c == Integer.class)
        {
            return (int)(2 + n % 50);
        }
        if (c == long.class || c == Long.class)
        {
            return (1L << 40) + n;
        }
        if (c == double.class || c == Double.class)
        {
            return 0.25 + n / 1024.0;
        }
        if (c == float.class || c == Float.class)
        {
            return 0.5f + n / 1024.0f;
        }
        if (c == boolean.class || c == Boolean.class)
        {
            return Boolean.TRUE;
        }
        if (c == short.class || c == Short.class)
        {
            return (short)(n % 100);
        }
        if (c == byte.class || c == Byte.class)
        {
            return (byte)(n % 100);
        }
        if (c == char.class || c == Character.class)
        {
            return (char)('a' + n % 26);
        }
        if (c == String.class)
        {
            return "text-" + n;
        }
        if (c == Object.class)
        {
            return "untyped-" + n;
        }
        return null;
    }

    private Object record(final Class<?> c, final String where, final int depth)
    {
        final RecordComponent[] components = c.getRecordComponents();
        final Class<?>[] types = new Class<?>[components.length];
        final Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++)
        {
            types[i] = components[i].getType();
            values[i] = sample(components[i].getGenericType(), where + "." + components[i].getName(), depth + 1);
        }
        try
        {
            final Constructor<?> constructor = c.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return constructor.newInstance(values);
        }
        catch (final InvocationTargetException ex)
        {
            throw new AssertionError(where + ": the constructor refused generated values (" + ex.getCause() +
                "); register a sample of " + c.getName() + " in MessageSamples", ex.getCause());
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new AssertionError(where + ": cannot call the canonical constructor of " + c.getName(), ex);
        }
    }

    private long next()
    {
        return ++counter;
    }
}
