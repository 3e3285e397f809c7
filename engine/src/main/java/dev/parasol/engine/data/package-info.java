/**
 * The data layer: IDX file reading, the Fashion-MNIST reference data set and where to find or fetch it, in-memory
 * data sets, seeded mini-batch iteration, and IID and Dirichlet non-IID partitioning over workers.
 * <p>
 * Entry points: {@link dev.parasol.engine.data.FashionMnist#load(java.nio.file.Path)} to load both splits,
 * {@link dev.parasol.engine.data.DatasetDownloader#fashionMnist()} for {@code --download},
 * {@link dev.parasol.engine.data.MiniBatchIterator} for batches, and
 * {@link dev.parasol.engine.data.Partitioner} for slicing a training set over workers.
 */
package dev.parasol.engine.data;
