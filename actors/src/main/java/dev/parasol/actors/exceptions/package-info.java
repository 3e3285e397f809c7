/**
 * The exceptions the actors module raises on purpose: invalid configuration and job specs, rejected submissions and
 * unknown jobs. Each names the offending value and what was expected.
 */
package dev.parasol.actors.exceptions;
