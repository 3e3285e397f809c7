package dev.parasol.engine.model;

import dev.parasol.engine.exceptions.EngineException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkloadTest
{
    @Test
    void shouldParseIdWhenCaseAndBlanksDiffer()
    {
        assertEquals(Workload.W1, Workload.parse("w1"));
        assertEquals(Workload.W2, Workload.parse(" W2 "));
        assertEquals(Workload.W3, Workload.parse("w3"));
    }

    @Test
    void shouldListAcceptedIdsWhenNameIsUnknown()
    {
        final EngineException unknown = assertThrows(EngineException.class, () -> Workload.parse("w9"));
        assertTrue(unknown.getMessage().contains("'w9'") && unknown.getMessage().contains("[W1, W2, W3]"),
            unknown.getMessage());
        assertThrows(EngineException.class, () -> Workload.parse(null));
        assertThrows(EngineException.class, () -> Workload.parse(""));
    }

    @Test
    void shouldCarryWorkloadsTableWhenQueried()
    {
        assertEquals("sgd", Workload.W1.optimiserName());
        assertEquals(0.1f, Workload.W1.learningRate());
        assertEquals(0.840, Workload.W1.targetAccuracy());
        assertEquals("momentum", Workload.W2.optimiserName());
        assertEquals(0.01f, Workload.W2.learningRate());
        assertEquals(0.9f, Workload.W2.momentum());
        assertEquals(0.880, Workload.W2.targetAccuracy());
        assertEquals(0.900, Workload.W3.targetAccuracy());
        for (final Workload w : Workload.values())
        {
            assertEquals(64, w.batchSize());
            final Model model = w.create(2);
            assertEquals(w.parameterCount(), model.layout().size(), w.name());
            assertEquals(2, model.maxBatch());
        }
    }
}
