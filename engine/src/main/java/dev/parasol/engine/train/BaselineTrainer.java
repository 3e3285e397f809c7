package dev.parasol.engine.train;

import dev.parasol.engine.data.IidPartitioner;
import dev.parasol.engine.data.InMemoryDataset;
import dev.parasol.engine.data.MiniBatchIterator;
import dev.parasol.engine.model.Model;
import dev.parasol.engine.optim.Optimiser;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Trains a model with the engine alone: no actors, no network. With T threads, each thread owns an IID slice of the
 * training set and computes a gradient on its own mini-batch; when all have one, the gradients are applied one after
 * another by a single optimiser over the whole vector, in thread order. That is what a parameter server does with the
 * pushes of T workers under BSP, minus the network, so it is the compute ceiling a distributed run is divided by.
 * <p>
 * The threads meet at a {@link CyclicBarrier} whose action applies the step, counts progress, evaluates the test set
 * every {@code 1 / evaluationsPerEpoch} of an epoch and decides whether to stop; evaluation time is excluded from
 * samples per second but included in the wall time to target.
 */
public final class BaselineTrainer
{
    private static final int EVALUATION_CHUNK = 500;

    private final BaselineConfig config;
    private final String blas;

    /**
     * Construct a trainer.
     *
     * @param config what to train and how.
     * @param blas   name of the matrix implementation the models use, for the report.
     */
    public BaselineTrainer(final BaselineConfig config, final String blas)
    {
        this.config = config;
        this.blas = blas;
    }

    /**
     * Train until the target accuracy or the epoch budget is reached.
     *
     * @param train    the training set.
     * @param test     the test set, evaluated in full.
     * @param listener receives each evaluation as it happens, e.g. to print a line.
     * @return what the run reached.
     */
    public BaselineResult train(
        final InMemoryDataset train, final InMemoryDataset test, final Consumer<Evaluation> listener)
    {
        final SplittableRandom root = new SplittableRandom(config.seed());
        final Model evalModel = config.modelFactory().apply(EVALUATION_CHUNK);
        final float[] params = new float[evalModel.layout().size()];
        evalModel.initialiseInPlace(params, root.split());

        final Optimiser optimiser = config.optimiser().newOptimiser();
        optimiser.initialise(params.length);

        final int threads = config.threads();
        final int[][] slices = new IidPartitioner(root.nextLong()).partition(train, threads);
        final GradientTask[] tasks = new GradientTask[threads];
        for (int t = 0; t < threads; t++)
        {
            final InMemoryDataset slice = threads == 1 ? train : train.subset(slices[t]);
            tasks[t] = new GradientTask(
                config.modelFactory().apply(config.batchSize()),
                new MiniBatchIterator(slice, config.batchSize(), root.split()),
                params);
        }

        final StepCoordinator coordinator = new StepCoordinator(
            config, train.size(), params, optimiser, tasks, new TestSetEvaluator(test, evalModel), listener);
        runThreads(tasks, coordinator);
        return coordinator.result(config.workloadName(), blas);
    }

    private static void runThreads(final GradientTask[] tasks, final StepCoordinator coordinator)
    {
        final CyclicBarrier barrier = new CyclicBarrier(tasks.length, coordinator::onAllGradientsReady);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        for (int t = 1; t < tasks.length; t++)
        {
            final GradientTask task = tasks[t];
            final Thread thread = new Thread(() -> loop(task, barrier, coordinator, failure), "parasol-baseline-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        coordinator.start();
        loop(tasks[0], barrier, coordinator, failure);
        for (final Thread thread : threads)
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the baseline threads", ex);
            }
        }
        final Throwable error = failure.get();
        if (error != null)
        {
            throw new IllegalStateException("baseline training failed: " + error, error);
        }
    }

    private static void loop(
        final GradientTask task,
        final CyclicBarrier barrier,
        final StepCoordinator coordinator,
        final AtomicReference<Throwable> failure)
    {
        try
        {
            while (!coordinator.isDone())
            {
                task.computeGradient();
                barrier.await();
            }
        }
        catch (final BrokenBarrierException ex)
        {
            failure.compareAndSet(null, ex);
        }
        catch (final InterruptedException ex)
        {
            failure.compareAndSet(null, ex);
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException | Error ex)
        {
            failure.compareAndSet(null, ex);
            barrier.reset();
        }
    }
}
