package dev.parasol.bench.channel;

import com.sun.management.OperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of the calling thread and of the whole process, read at the edges of a measured window (never per
 * message): with the sending and receiving threads' own shares, the rest is the media driver's.
 */
final class CpuTime
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final OperatingSystemMXBean OS =
        (OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();

    private CpuTime()
    {
    }

    /**
     * Get the CPU time of the calling thread.
     *
     * @return nanoseconds, or 0 where the JVM cannot tell.
     */
    static long currentThreadNs()
    {
        final long nanos = THREADS.getCurrentThreadCpuTime();
        return Math.max(0, nanos);
    }

    /**
     * Get the CPU time of the process, every thread together.
     *
     * @return nanoseconds, or 0 where the JVM cannot tell.
     */
    static long processNs()
    {
        return Math.max(0, OS.getProcessCpuTime());
    }
}
