package dev.parasol.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads typed values from a resolved configuration and collects a problem for each value that is missing or of the
 * wrong type instead of stopping at the first, so that {@link NodeSettingsException} can name every bad setting.
 * A problem names the flag the value came from, or else the key and where it was set.
 */
final class SettingsReader
{
    /**
     * Origin description of values that came from command-line flags.
     */
    static final String FLAG_ORIGIN = "command-line flag";

    /**
     * Value of a size setting that means "let the data plane choose".
     */
    static final String AUTO = "auto";

    private final Config config;
    private final Map<String, String> flagNames;
    private final List<String> problems = new ArrayList<>();

    SettingsReader(final Config config, final Map<String, String> flagNames)
    {
        this.config = config;
        this.flagNames = flagNames;
    }

    /**
     * Record a problem with the value at a path.
     */
    void problem(final String path, final String expectation)
    {
        problems.add(nameOf(path) + "=" + render(path) + ": " + expectation + whereSet(path));
    }

    /**
     * Record a problem not tied to one value.
     */
    void problem(final String message)
    {
        problems.add(message);
    }

    /**
     * Throw a {@link NodeSettingsException} naming every problem recorded, if any.
     */
    void throwIfProblems()
    {
        if (!problems.isEmpty())
        {
            throw new NodeSettingsException(problems);
        }
    }

    boolean hasProblems()
    {
        return !problems.isEmpty();
    }

    String string(final String path)
    {
        try
        {
            final ConfigValue value = config.getValue(path);
            if (ConfigValueType.STRING != value.valueType() && ConfigValueType.NUMBER != value.valueType() &&
                ConfigValueType.BOOLEAN != value.valueType())
            {
                problem(path, "expected a single value, not " + value.valueType().name().toLowerCase(Locale.ROOT));
                return null;
            }
            return String.valueOf(value.unwrapped()).trim();
        }
        catch (final ConfigException ex)
        {
            missing(path);
            return null;
        }
    }

    /**
     * Read a list given either as a HOCON list or as one comma-separated string (the form of a flag).
     */
    List<String> list(final String path)
    {
        try
        {
            final ConfigValue value = config.getValue(path);
            final List<String> items = new ArrayList<>();
            if (ConfigValueType.LIST == value.valueType())
            {
                for (final Object item : (List<?>)value.unwrapped())
                {
                    items.add(String.valueOf(item).trim());
                }
            }
            else if (ConfigValueType.STRING == value.valueType())
            {
                for (final String item : ((String)value.unwrapped()).split(","))
                {
                    if (!item.isBlank())
                    {
                        items.add(item.trim());
                    }
                }
            }
            else
            {
                problem(path, "expected a list or a comma-separated string");
                return null;
            }
            return items;
        }
        catch (final ConfigException ex)
        {
            missing(path);
            return null;
        }
    }

    Integer intValue(final String path, final int min, final int max)
    {
        try
        {
            final int value = config.getInt(path);
            if (value < min || value > max)
            {
                problem(path, "expected " + min + " to " + max);
                return null;
            }
            return value;
        }
        catch (final ConfigException.Missing ex)
        {
            missing(path);
            return null;
        }
        catch (final ConfigException ex)
        {
            problem(path, "expected a whole number from " + min + " to " + max);
            return null;
        }
    }

    /**
     * Read a size in bytes that fits an int, or {@link #AUTO} which returns {@code autoValue}.
     */
    Integer bytes(final String path, final boolean allowAuto, final int autoValue)
    {
        try
        {
            if (allowAuto && AUTO.equalsIgnoreCase(String.valueOf(config.getValue(path).unwrapped()).trim()))
            {
                return autoValue;
            }

            final long value = config.getBytes(path);
            if (value <= 0 || value > Integer.MAX_VALUE)
            {
                problem(path, "expected a positive size below 2GiB" + (allowAuto ? " or auto" : ""));
                return null;
            }
            return (int)value;
        }
        catch (final ConfigException.Missing ex)
        {
            missing(path);
            return null;
        }
        catch (final ConfigException ex)
        {
            problem(path, "expected a size such as 65504, 64KiB or 4MiB" + (allowAuto ? ", or auto" : ""));
            return null;
        }
    }

    /**
     * Read a duration, positive unless {@code allowZero}.
     */
    Duration duration(final String path, final boolean allowZero)
    {
        try
        {
            final Duration value = config.getDuration(path);
            if (value.isNegative() || (!allowZero && value.isZero()))
            {
                problem(path, allowZero ? "expected zero or a positive duration" : "expected a positive duration");
                return null;
            }
            return value;
        }
        catch (final ConfigException.Missing ex)
        {
            missing(path);
            return null;
        }
        catch (final ConfigException ex)
        {
            problem(path, "expected a duration such as 200ms or 10s");
            return null;
        }
    }

    /**
     * Get the name of a setting for messages: the flag when its value came from one, else the HOCON key.
     */
    String nameOf(final String path)
    {
        final String flag = flagNames.get(path);
        if (null != flag && config.hasPath(path) && FLAG_ORIGIN.equals(config.getValue(path).origin().description()))
        {
            return flag;
        }
        return path;
    }

    private void missing(final String path)
    {
        problems.add(nameOf(path) + ": missing; set it (see the reference.conf of cluster-seeds)");
    }

    private String render(final String path)
    {
        if (!config.hasPath(path))
        {
            return "null";
        }
        final Object value = config.getValue(path).unwrapped();
        return value instanceof String ? "'" + value + "'" : String.valueOf(value);
    }

    private String whereSet(final String path)
    {
        if (!config.hasPath(path))
        {
            return "";
        }
        final ConfigOrigin origin = config.getValue(path).origin();
        if (FLAG_ORIGIN.equals(origin.description()))
        {
            return "";
        }
        return " (set in " + origin.description() + ")";
    }
}
