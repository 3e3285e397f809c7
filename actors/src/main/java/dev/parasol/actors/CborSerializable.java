package dev.parasol.actors;

/**
 * Marker for control-plane messages that may cross node boundaries: Pekko serialises every implementation with
 * Jackson CBOR (bound in {@code application.conf}), so Java serialization stays off. Gradients never implement it;
 * they travel over Aeron only.
 */
public interface CborSerializable
{
}
