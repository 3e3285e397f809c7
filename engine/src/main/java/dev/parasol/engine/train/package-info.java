/**
 * The single-process baseline: training with the engine alone, no actors and no network. Every distributed figure is
 * divided by what this trainer reaches on the same cores, so it is built to be as fast as the engine can be.
 */
package dev.parasol.engine.train;
