/**
 * The Parasol runtime: job manager, scheduler, parameter-server shards and workers as Pekko typed actors, and the
 * Aeron data plane that carries their gradients. Built by the runtime issue; this module holds only its dependencies
 * until then.
 */
package dev.parasol.actors;
