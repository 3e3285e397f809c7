/**
 * Local mode: one JVM that is a one-node cluster with every role, an embedded media driver and the job manager, for
 * a single machine and for tests.
 */
package dev.parasol.actors.local;
