/**
 * Models over a flat parameter vector: layouts of named tensors, key ranges that shards own, and the reference
 * workloads' networks with their batched forward and backward passes.
 */
package dev.parasol.engine.model;
