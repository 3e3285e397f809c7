package dev.parasol.node;

import dev.parasol.actors.exceptions.ConfigurationException;

import java.util.List;

/**
 * Settings of a node (or of a standalone media driver) that cannot work: every bad one is named, each as
 * {@code name=value: what was expected}, where the name is the flag when the value came from one and the HOCON
 * key otherwise, so that one run reports everything to fix.
 */
public final class NodeSettingsException extends ConfigurationException
{
    private static final long serialVersionUID = 1L;

    /**
     * The problems, one per bad setting, in the order they were found.
     */
    private final List<String> problems;

    /**
     * Construct from the problems found.
     *
     * @param problems one line per bad setting; not empty.
     */
    public NodeSettingsException(final List<String> problems)
    {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    /**
     * Get the problems, one per bad setting.
     *
     * @return the problems in the order they were found.
     */
    public List<String> problems()
    {
        return problems;
    }

    private static String format(final List<String> problems)
    {
        if (1 == problems.size())
        {
            return problems.get(0);
        }

        return problems.size() + " bad settings:\n  " + String.join("\n  ", problems);
    }
}
