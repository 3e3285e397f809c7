package dev.parasol.actors.job;

import dev.parasol.actors.worker.Evaluator;
import dev.parasol.engine.model.ParameterLayout;

/**
 * A job's final model, put together from the chunks the evaluator sends: its replica after the last evaluation,
 * which holds exactly the shards' parameters once the workers have stopped.
 */
final class ModelAssembly
{
    private final ParameterLayout layout;
    private final float[] params;
    private int received;

    ModelAssembly(final ParameterLayout layout)
    {
        this.layout = layout;
        this.params = new float[layout.size()];
    }

    /**
     * Add a chunk.
     *
     * @return true when the whole vector has arrived.
     */
    boolean add(final Evaluator.ModelChunk chunk)
    {
        if (chunk.total() != params.length || chunk.offset() < 0 ||
            chunk.offset() + chunk.values().length > params.length)
        {
            throw new IllegalArgumentException("model chunk at " + chunk.offset() + " of " + chunk.values().length +
                " values does not fit a model of " + params.length + " parameters (total " + chunk.total() + ")");
        }
        System.arraycopy(chunk.values(), 0, params, chunk.offset(), chunk.values().length);
        received += chunk.values().length;
        return isComplete();
    }

    boolean isComplete()
    {
        return received >= params.length;
    }

    ParameterLayout layout()
    {
        return layout;
    }

    float[] parameters()
    {
        if (!isComplete())
        {
            throw new IllegalStateException("the model is incomplete: " + received + " of " + params.length +
                " parameters received");
        }
        return params;
    }
}
