package dev.parasol.bench.channel;

/**
 * Whole messages delivered over a measured time: every message counted was sent, received and (on the gradient
 * channel) applied before the clock stopped.
 *
 * @param messages messages delivered.
 * @param bytes    bytes of those messages.
 * @param nanos    from the first offer to the last message handled.
 * @param senderCpuNs   CPU time of the sending thread.
 * @param receiverCpuNs CPU time of the receiving thread.
 * @param processCpuNs  CPU time of the whole process: both threads, the media driver's threads and the rest.
 */
record Rate(long messages, long bytes, long nanos, long senderCpuNs, long receiverCpuNs, long processCpuNs)
{
    static final Rate ZERO = new Rate(0, 0, 0, 0, 0, 0);

    double messagesPerSecond()
    {
        return nanos > 0 ? messages * 1e9 / nanos : 0.0;
    }

    double megabytesPerSecond()
    {
        return nanos > 0 ? bytes * 1e3 / nanos : 0.0;
    }

    double microsPerMessage()
    {
        return messages > 0 ? nanos / 1e3 / messages : Double.NaN;
    }

    double senderCpuMicrosPerMessage()
    {
        return perMessageMicros(senderCpuNs);
    }

    double receiverCpuMicrosPerMessage()
    {
        return perMessageMicros(receiverCpuNs);
    }

    /**
     * CPU per message of everything but the two threads: the media driver's conductor and its sender/receiver
     * thread, plus the JVM's own (JIT, GC) and whatever else the process runs.
     */
    double otherCpuMicrosPerMessage()
    {
        return perMessageMicros(Math.max(0, processCpuNs - senderCpuNs - receiverCpuNs));
    }

    double processCpuMicrosPerMessage()
    {
        return perMessageMicros(processCpuNs);
    }

    /**
     * Cores the process kept busy on average over the window.
     */
    double coresBusy()
    {
        return nanos > 0 ? (double)processCpuNs / nanos : 0.0;
    }

    Rate plus(final Rate other)
    {
        return new Rate(messages + other.messages, bytes + other.bytes, nanos + other.nanos,
            senderCpuNs + other.senderCpuNs, receiverCpuNs + other.receiverCpuNs, processCpuNs + other.processCpuNs);
    }

    private double perMessageMicros(final long cpuNs)
    {
        return messages > 0 ? cpuNs / 1e3 / messages : Double.NaN;
    }
}
