/**
 * The exceptions of the engine: one root, {@link dev.parasol.engine.exceptions.EngineException}, with a category.
 */
package dev.parasol.engine.exceptions;
