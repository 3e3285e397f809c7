package dev.parasol.actors.dataplane;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DynamicAgentRunnerTest
{
    private static final Duration WAIT = Duration.ofSeconds(10);

    /**
     * Counts its duty cycles and remembers the threads its life-cycle calls ran on.
     */
    private static final class CountingAgent implements Agent
    {
        final String name;
        final AtomicLong cycles = new AtomicLong();
        final AtomicReference<Thread> startThread = new AtomicReference<>();
        final AtomicReference<Thread> closeThread = new AtomicReference<>();

        CountingAgent(final String name)
        {
            this.name = name;
        }

        public void onStart()
        {
            startThread.set(Thread.currentThread());
        }

        public int doWork()
        {
            cycles.incrementAndGet();
            return 0;
        }

        public void onClose()
        {
            closeThread.set(Thread.currentThread());
        }

        public String roleName()
        {
            return name;
        }
    }

    private static void awaitCycles(final CountingAgent agent, final long atLeast) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + WAIT.toNanos();
        while (agent.cycles.get() < atLeast)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, agent.name + " did not run");
            Thread.sleep(1);
        }
    }

    @Test
    void shouldRunAddedAgentsOnOneThreadAndCloseRemovedOneThereWhenShared() throws InterruptedException
    {
        final TrainingCounters counters = TrainingCounters.standalone("job=shared");
        final CountingAgent first = new CountingAgent("shard-0");
        final CountingAgent second = new CountingAgent("shard-1");
        try (DynamicAgentRunner group = DynamicAgentRunner.start("shards", AgentThreadingMode.SHARED,
            () -> new SleepingMillisIdleStrategy(1), Throwable::printStackTrace,
            counters.counter(TrainingCounterDescriptor.ERRORS)))
        {
            assertTrue(group.add(first, WAIT));
            assertTrue(group.add(second, WAIT));
            awaitCycles(first, 10);
            awaitCycles(second, 10);
            assertSame(first.startThread.get(), second.startThread.get());
            assertEquals("shards", first.startThread.get().getName());

            assertTrue(group.remove(first, WAIT));
            // Agrona marks the removal done as it closes the agent; give the close a moment to be visible.
            final long closeDeadlineNs = System.nanoTime() + WAIT.toNanos();
            while (first.closeThread.get() == null && System.nanoTime() - closeDeadlineNs < 0)
            {
                Thread.sleep(1);
            }
            assertSame(first.startThread.get(), first.closeThread.get());
            final long frozen = first.cycles.get();
            awaitCycles(second, second.cycles.get() + 10);
            assertEquals(frozen, first.cycles.get());
        }
        assertTrue(null != second.closeThread.get());
    }

    @Test
    void shouldRunAgentsOnlyWhenInvokedInInvokerMode()
    {
        final CountingAgent agent = new CountingAgent("invoked");
        try (DynamicAgentRunner group = DynamicAgentRunner.start("test", AgentThreadingMode.INVOKER,
            SleepingMillisIdleStrategy::new, Throwable::printStackTrace, null))
        {
            assertTrue(group.add(agent, WAIT));
            assertSame(Thread.currentThread(), agent.startThread.get());
            final long before = agent.cycles.get();

            group.invoke();
            group.invoke();

            assertEquals(before + 2, agent.cycles.get());
            assertTrue(group.remove(agent, WAIT));
            assertSame(Thread.currentThread(), agent.closeThread.get());
        }
    }

    @Test
    void shouldGiveEachAgentItsOwnThreadWhenDedicated() throws InterruptedException
    {
        final CountingAgent first = new CountingAgent("worker-0");
        final CountingAgent second = new CountingAgent("worker-1");
        try (DynamicAgentRunner group = DynamicAgentRunner.start("workers", AgentThreadingMode.DEDICATED,
            () -> new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null))
        {
            assertTrue(group.add(first, WAIT));
            assertTrue(group.add(second, WAIT));
            awaitCycles(first, 5);
            awaitCycles(second, 5);

            assertEquals("workers-worker-0", first.startThread.get().getName());
            assertEquals("workers-worker-1", second.startThread.get().getName());
            assertTrue(group.remove(first, WAIT));
            // Agrona marks the removal done as it closes the agent; give the close a moment to be visible.
            final long closeDeadlineNs = System.nanoTime() + WAIT.toNanos();
            while (first.closeThread.get() == null && System.nanoTime() - closeDeadlineNs < 0)
            {
                Thread.sleep(1);
            }
            assertSame(first.startThread.get(), first.closeThread.get());
            assertThrows(IllegalStateException.class, group::invoke);
        }
    }

    @Test
    void shouldCountAndReportErrorsWhenAgentThrows() throws InterruptedException
    {
        final TrainingCounters counters = TrainingCounters.standalone("job=errors");
        final AtomicCounter errors = counters.counter(TrainingCounterDescriptor.ERRORS);
        final List<Throwable> reported = new CopyOnWriteArrayList<>();
        final AtomicReference<String> threadName = new AtomicReference<>();
        final Agent failing = new Agent()
        {
            private int cycle;

            public int doWork()
            {
                threadName.set(Thread.currentThread().getName());
                if (++cycle <= 3)
                {
                    throw new IllegalStateException("cycle " + cycle);
                }
                return 0;
            }

            public String roleName()
            {
                return "failing";
            }
        };

        final AgentRunner runner = AgentRunners.start(
            failing, new SleepingMillisIdleStrategy(1), reported::add, errors, "failing-agent");
        final long deadlineNs = System.nanoTime() + WAIT.toNanos();
        while (errors.get() < 3)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "errors not counted");
            Thread.sleep(1);
        }
        runner.close();

        assertEquals(3, errors.get());
        assertEquals(3, reported.size());
        assertEquals("failing-agent", threadName.get());
        assertTrue(runner.isClosed());
    }
}
