package dev.parasol.node;

import java.util.Locale;

/**
 * What a cluster node hosts; a node may hold several roles. Each role is a Pekko cluster role of the same name.
 */
public enum NodeRole
{
    /**
     * The job manager and the per-job schedulers, as cluster singletons that move when their node dies.
     */
    COORDINATOR,

    /**
     * Parameter-server shards, placed by Cluster Sharding: one entity per job and key range.
     */
    PS,

    /**
     * Training workers, each loading its slice of the data set from this node's copy.
     */
    WORKER;

    private final String roleName = name().toLowerCase(Locale.ROOT);

    /**
     * Get the name of the role as written in settings and used as the Pekko cluster role.
     *
     * @return the lower-case name.
     */
    public String roleName()
    {
        return roleName;
    }

    /**
     * Find a role by its name.
     *
     * @param name the name, case-insensitive, surrounding blanks ignored.
     * @return the role.
     * @throws IllegalArgumentException if no role has that name.
     */
    public static NodeRole of(final String name)
    {
        final String wanted = null == name ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (final NodeRole role : values())
        {
            if (role.roleName.equals(wanted))
            {
                return role;
            }
        }

        throw new IllegalArgumentException("unknown role '" + name + "', expected coordinator, ps or worker");
    }
}
