package dev.parasol.actors.jobapi;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.parasol.actors.exceptions.JobSpecException;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads and writes the HOCON form of a {@link JobSpec}: one {@code job { ... }} block with kebab-case keys. Every
 * problem is collected (unknown key, wrong type, bad value) so that one {@link JobSpecException} names them all.
 */
final class JobSpecHocon
{
    static final String JOB = "job";
    static final String NAME = "name";
    static final String WORKLOAD = "workload";
    static final String DATA_DIR = "data-dir";
    static final String PARTITION = "partition";
    static final String WORKERS = "workers";
    static final String SHARDS = "shards";
    static final String SYNC = "sync";
    static final String STALENESS = "staleness";
    static final String COMPRESS = "compress";
    static final String ERROR_FEEDBACK = "error-feedback";
    static final String OPTIMIZER = "optimizer";
    static final String LR = "lr";
    static final String BATCH_SIZE = "batch-size";
    static final String EPOCHS = "epochs";
    static final String STEPS = "steps";
    static final String TARGET = "target";
    static final String EVAL_INTERVAL = "eval-interval";
    static final String CHECKPOINT_DIR = "checkpoint-dir";
    static final String SEED = "seed";
    static final String WARMUP_STEPS = "warmup-steps";
    static final String WATCHDOG = "watchdog";
    static final String OVERLAP = "overlap";
    static final String FALLBACK_TO_DENSE = "fallback-to-dense";

    /**
     * Every key of the job block, in the order they are read and documented.
     */
    static final List<String> KEYS = List.of(
        NAME, WORKLOAD, DATA_DIR, PARTITION, WORKERS, SHARDS, SYNC, STALENESS, COMPRESS, ERROR_FEEDBACK, OPTIMIZER,
        LR, BATCH_SIZE, EPOCHS, STEPS, TARGET, EVAL_INTERVAL, CHECKPOINT_DIR, SEED, WARMUP_STEPS, WATCHDOG, OVERLAP);

    private static final String QUOTE_HINT =
        " (in HOCON, values holding ':' such as \"ssp:3\" or \"topk:0.01\" must be quoted)";
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d{1,3})?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,18}");
    private static final long MAX_EXACT_DOUBLE_INTEGER = 1L << 53;

    private JobSpecHocon()
    {
    }

    static JobSpec parse(final String hocon)
    {
        if (hocon == null)
        {
            throw new JobSpecException(List.of("job spec text=null: expected HOCON with a job { ... } block"));
        }
        final Config config;
        try
        {
            config = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF))
                .resolve();
        }
        catch (final ConfigException ex)
        {
            throw new JobSpecException(List.of("cannot parse job spec: " + ex.getMessage() + QUOTE_HINT));
        }
        return fromConfig(config, true);
    }

    static JobSpec load(final Path file)
    {
        if (file == null)
        {
            throw new JobSpecException(List.of("job spec file=null: expected the path of a HOCON file"));
        }
        if (!Files.isRegularFile(file))
        {
            throw new JobSpecException(List.of("job spec file=" + file + ": expected an existing regular file"));
        }
        final Config config;
        try
        {
            config = ConfigFactory.parseFile(
                file.toFile(), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false))
                .resolve();
        }
        catch (final ConfigException ex)
        {
            throw new JobSpecException(List.of("cannot parse job spec " + file + ": " + ex.getMessage() +
                QUOTE_HINT));
        }
        return fromConfig(config, true);
    }

    static JobSpec fromConfig(final Config config, final boolean strictRoot)
    {
        if (config == null)
        {
            throw new JobSpecException(List.of("job spec config=null: expected a configuration with a job block"));
        }
        final List<String> errors = new ArrayList<>();
        final ConfigObject root = config.root();
        if (strictRoot)
        {
            for (final String key : new TreeSet<>(root.keySet()))
            {
                if (!JOB.equals(key))
                {
                    errors.add("unknown key '" + key + "' at the top level: expected every key inside job { ... }");
                }
            }
        }
        final ConfigValue jobValue = root.get(JOB);
        if (jobValue == null || jobValue.valueType() != ConfigValueType.OBJECT)
        {
            errors.add(jobValue == null ? "missing the job { ... } block: expected every key inside job { ... }" :
                JOB + "=" + display(jobValue) + ": expected an object job { ... }");
            throw new JobSpecException(errors);
        }
        final ConfigObject job = (ConfigObject)jobValue;
        for (final String key : new TreeSet<>(job.keySet()))
        {
            if (!KEYS.contains(key))
            {
                errors.add(unknownKey(JOB + "." + key, key, KEYS));
            }
        }

        final JobSpec.Builder builder = JobSpec.builder();
        for (final String key : KEYS)
        {
            final ConfigValue value = job.get(key);
            if (value != null && value.valueType() != ConfigValueType.NULL)
            {
                read(builder, key, value, errors);
            }
        }
        if (isSet(job, EPOCHS) && isSet(job, STEPS))
        {
            errors.add(EPOCHS + "=" + display(job.get(EPOCHS)) + " and " + STEPS + "=" + display(job.get(STEPS)) +
                ": expected only one of epochs or steps");
        }

        final JobSpec spec = builder.resolve(errors, true);
        if (!errors.isEmpty())
        {
            throw new JobSpecException(errors);
        }
        return spec;
    }

    static Config toConfig(final JobSpec spec)
    {
        final Map<String, Object> job = new LinkedHashMap<>();
        if (spec.name() != null)
        {
            job.put(NAME, spec.name());
        }
        job.put(WORKLOAD, spec.workload().name());
        if (spec.dataDir() != null)
        {
            job.put(DATA_DIR, spec.dataDir().toString());
        }
        job.put(PARTITION, spec.partition().toString());
        job.put(WORKERS, spec.workers());
        job.put(SHARDS, spec.shards());
        job.put(SYNC, spec.sync().toString());
        job.put(STALENESS, spec.staleness().toString());
        job.put(COMPRESS, spec.compress().toString());
        job.put(ERROR_FEEDBACK, spec.errorFeedback());
        job.put(OPTIMIZER, spec.optimizer().name().toLowerCase(Locale.ROOT));
        // the float's shortest decimal, so 0.01f is written 0.01 and reads back as the same float
        job.put(LR, Double.parseDouble(Float.toString(spec.learningRate())));
        job.put(BATCH_SIZE, spec.batchSize());
        if (spec.byEpochs())
        {
            job.put(EPOCHS, spec.epochs());
        }
        else
        {
            job.put(STEPS, spec.steps());
        }
        job.put(TARGET, spec.targetAccuracy());
        job.put(EVAL_INTERVAL, spec.evalInterval());
        if (spec.checkpointDir() != null)
        {
            job.put(CHECKPOINT_DIR, spec.checkpointDir().toString());
        }
        job.put(SEED, spec.seed());
        job.put(WARMUP_STEPS, spec.warmupSteps());
        job.put(WATCHDOG, Map.of(FALLBACK_TO_DENSE, spec.watchdogFallbackToDense()));
        job.put(OVERLAP, spec.overlap());
        return ConfigValueFactory.fromMap(Map.of(JOB, job)).toConfig();
    }

    static String render(final JobSpec spec)
    {
        return toConfig(spec).root().render(
            ConfigRenderOptions.defaults().setOriginComments(false).setComments(false).setJson(false));
    }

    private static void read(
        final JobSpec.Builder b, final String key, final ConfigValue value, final List<String> errors)
    {
        switch (key)
        {
            case NAME -> b.name(string(key, value, errors));
            case WORKLOAD -> b.workload(string(key, value, errors));
            case DATA_DIR -> b.dataDir(path(key, value, errors));
            case PARTITION -> b.partition(string(key, value, errors));
            case WORKERS -> b.workers(integer(key, value, errors, 1, JobSpec.MAX_WORKERS, JobSpec.DEFAULT_WORKERS));
            case SHARDS -> b.shards(integer(key, value, errors, 1, Integer.MAX_VALUE, JobSpec.DEFAULT_SHARDS));
            case SYNC -> b.sync(string(key, value, errors));
            case STALENESS -> b.staleness(string(key, value, errors));
            case COMPRESS -> b.compress(string(key, value, errors));
            case ERROR_FEEDBACK -> b.errorFeedback(bool(key, value, errors, true));
            case OPTIMIZER -> b.optimizer(string(key, value, errors));
            case LR -> readLearningRate(b, value, errors);
            case BATCH_SIZE -> b.batchSize(
                integer(key, value, errors, 1, JobSpec.MAX_BATCH_SIZE, JobSpec.DEFAULT_BATCH_SIZE));
            case EPOCHS -> readEpochs(b, value, errors);
            case STEPS -> readSteps(b, value, errors);
            case TARGET -> readTarget(b, value, errors);
            case EVAL_INTERVAL -> b.evalInterval(
                number(key, value, errors, "a finite fraction of an epoch > 0", JobSpec.DEFAULT_EVAL_INTERVAL));
            case CHECKPOINT_DIR -> b.checkpointDir(path(key, value, errors));
            case SEED -> b.seed(longInteger(key, value, errors, "an integer", JobSpec.DEFAULT_SEED));
            case WARMUP_STEPS -> b.warmupSteps(longInteger(key, value, errors, "an integer >= 0", 0L));
            case WATCHDOG -> readWatchdog(b, value, errors);
            case OVERLAP -> b.overlap(bool(key, value, errors, false));
            default -> throw new IllegalStateException("no reader for key " + key);
        }
    }

    private static void readLearningRate(final JobSpec.Builder b, final ConfigValue value, final List<String> errors)
    {
        final Double lr = numberOrNull(value);
        if (lr == null)
        {
            errors.add(LR + "=" + display(value) + ": expected a finite number > 0");
        }
        else
        {
            b.learningRate(lr);
        }
    }

    private static void readEpochs(final JobSpec.Builder b, final ConfigValue value, final List<String> errors)
    {
        final Double epochs = numberOrNull(value);
        if (epochs == null)
        {
            errors.add(EPOCHS + "=" + display(value) + ": expected a finite number > 0");
        }
        else
        {
            b.epochs(epochs);
        }
    }

    private static void readSteps(final JobSpec.Builder b, final ConfigValue value, final List<String> errors)
    {
        final Long steps = integerOrNull(value);
        if (steps == null)
        {
            errors.add(STEPS + "=" + display(value) + ": expected an integer > 0");
        }
        else
        {
            b.steps(steps);
        }
    }

    private static void readTarget(final JobSpec.Builder b, final ConfigValue value, final List<String> errors)
    {
        final Double target = numberOrNull(value);
        if (target == null)
        {
            errors.add(TARGET + "=" + display(value) + ": expected a test accuracy in (0, 1]");
        }
        else
        {
            b.targetAccuracy(target);
        }
    }

    private static void readWatchdog(final JobSpec.Builder b, final ConfigValue value, final List<String> errors)
    {
        if (value.valueType() != ConfigValueType.OBJECT)
        {
            errors.add(WATCHDOG + "=" + display(value) + ": expected an object watchdog { " + FALLBACK_TO_DENSE +
                " = BOOLEAN }");
            return;
        }
        final ConfigObject watchdog = (ConfigObject)value;
        for (final String key : new TreeSet<>(watchdog.keySet()))
        {
            if (!FALLBACK_TO_DENSE.equals(key))
            {
                errors.add(unknownKey(JOB + "." + WATCHDOG + "." + key, key, List.of(FALLBACK_TO_DENSE)));
            }
        }
        final ConfigValue fallback = watchdog.get(FALLBACK_TO_DENSE);
        if (fallback != null && fallback.valueType() != ConfigValueType.NULL)
        {
            b.watchdogFallbackToDense(bool(WATCHDOG + "." + FALLBACK_TO_DENSE, fallback, errors, false));
        }
    }

    private static String string(final String key, final ConfigValue value, final List<String> errors)
    {
        switch (value.valueType())
        {
            case STRING:
            case NUMBER:
            case BOOLEAN:
                return String.valueOf(value.unwrapped());
            default:
                errors.add(key + "=" + display(value) + ": expected a string");
                return null;
        }
    }

    private static Path path(final String key, final ConfigValue value, final List<String> errors)
    {
        final String text = value.valueType() == ConfigValueType.STRING ? (String)value.unwrapped() : null;
        if (text == null || text.isBlank())
        {
            errors.add(key + "=" + display(value) + ": expected a directory path");
            return null;
        }
        try
        {
            return Path.of(text);
        }
        catch (final InvalidPathException ex)
        {
            errors.add(key + "=" + text + ": expected a directory path (" + ex.getMessage() + ")");
            return null;
        }
    }

    private static int integer(
        final String key,
        final ConfigValue value,
        final List<String> errors,
        final int min,
        final int max,
        final int fallback)
    {
        final Long v = integerOrNull(value);
        if (v == null || v < min || v > max)
        {
            final String expected = max == Integer.MAX_VALUE ? "an integer >= " + min :
                "an integer in [" + min + ", " + max + "]";
            errors.add(key + "=" + display(value) + ": expected " + expected);
            return fallback;
        }
        return v.intValue();
    }

    private static long longInteger(
        final String key,
        final ConfigValue value,
        final List<String> errors,
        final String expected,
        final long fallback)
    {
        final Long v = integerOrNull(value);
        if (v == null)
        {
            errors.add(key + "=" + display(value) + ": expected " + expected);
            return fallback;
        }
        return v;
    }

    private static double number(
        final String key,
        final ConfigValue value,
        final List<String> errors,
        final String expected,
        final double fallback)
    {
        final Double v = numberOrNull(value);
        if (v == null)
        {
            errors.add(key + "=" + display(value) + ": expected " + expected);
            return fallback;
        }
        return v;
    }

    private static boolean bool(
        final String key, final ConfigValue value, final List<String> errors, final boolean fallback)
    {
        if (value.valueType() == ConfigValueType.BOOLEAN)
        {
            return (Boolean)value.unwrapped();
        }
        if (value.valueType() == ConfigValueType.STRING)
        {
            switch (((String)value.unwrapped()).trim().toLowerCase(Locale.ROOT))
            {
                case "true":
                case "yes":
                case "on":
                    return true;
                case "false":
                case "no":
                case "off":
                    return false;
                default:
                    break;
            }
        }
        errors.add(key + "=" + display(value) + ": expected true or false");
        return fallback;
    }

    private static Long integerOrNull(final ConfigValue value)
    {
        if (value.valueType() == ConfigValueType.NUMBER)
        {
            final Number n = (Number)value.unwrapped();
            if (n instanceof Integer || n instanceof Long)
            {
                return n.longValue();
            }
            final double d = n.doubleValue();
            return d == Math.rint(d) && Math.abs(d) <= MAX_EXACT_DOUBLE_INTEGER ? (long)d : null;
        }
        if (value.valueType() == ConfigValueType.STRING)
        {
            final String text = ((String)value.unwrapped()).trim();
            return INTEGER.matcher(text).matches() ? Long.parseLong(text) : null;
        }
        return null;
    }

    private static Double numberOrNull(final ConfigValue value)
    {
        if (value.valueType() == ConfigValueType.NUMBER)
        {
            return ((Number)value.unwrapped()).doubleValue();
        }
        if (value.valueType() == ConfigValueType.STRING)
        {
            final String text = ((String)value.unwrapped()).trim();
            return DECIMAL.matcher(text).matches() ? Double.parseDouble(text) : null;
        }
        return null;
    }

    private static boolean isSet(final ConfigObject job, final String key)
    {
        final ConfigValue value = job.get(key);
        return value != null && value.valueType() != ConfigValueType.NULL;
    }

    private static String display(final ConfigValue value)
    {
        return value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST ?
            value.render(ConfigRenderOptions.concise()) : String.valueOf(value.unwrapped());
    }

    private static String unknownKey(final String path, final String key, final List<String> known)
    {
        String closest = null;
        int best = Integer.MAX_VALUE;
        for (final String candidate : known)
        {
            final int distance = editDistance(key, candidate);
            if (distance < best)
            {
                best = distance;
                closest = candidate;
            }
        }
        final boolean close = closest != null && best <= Math.max(2, key.length() / 3);
        return "unknown key '" + path + "'" + (close ? " (did you mean '" + closest + "'?)" : "") +
            ": expected one of " + String.join(", ", known);
    }

    private static int editDistance(final String a, final String b)
    {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
