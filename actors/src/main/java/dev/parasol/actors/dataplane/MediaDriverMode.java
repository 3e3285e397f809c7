package dev.parasol.actors.dataplane;

/**
 * Where the Aeron media driver of a node runs.
 */
public enum MediaDriverMode
{
    /**
     * The data plane launches a media driver inside its own JVM, in a directory of its own that it deletes on start
     * and on close. The default: nothing to install or start beside Parasol.
     */
    EMBEDDED,

    /**
     * The data plane connects to a media driver already running on the machine (for example the C driver
     * {@code aeronmd}) through its Aeron directory, and leaves both alone on close.
     */
    EXTERNAL
}
