package dev.parasol.actors;

/**
 * Marker for control-plane messages that may cross node boundaries: Pekko serialises every implementation with
 * Jackson CBOR (bound to {@code jackson-cbor} in this module's {@code reference.conf}), so Java serialization stays
 * off. Gradients never implement it; they travel over Aeron only. Implementations are records or enums of plain
 * values; {@code docs/architecture.md} (Serialization) says what a message may hold.
 */
public interface CborSerializable
{
}
