package dev.parasol.bench.codec;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH auxiliary counter of the message bytes a benchmark encoded or decoded. Reported as a rate beside the
 * operations, so the {@code messageBytes} line of a throughput result reads directly in bytes per second (divide by
 * 10^9 for GB/s).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class MessageBytes
{
    /**
     * Bytes of whole messages (header and payload) processed in the current iteration.
     */
    public long messageBytes;

    /**
     * Start each iteration from zero.
     */
    @Setup(Level.Iteration)
    public void reset()
    {
        messageBytes = 0;
    }
}
