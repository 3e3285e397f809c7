/**
 * Binary formats of every data-plane message: a fixed little-endian header with a CRC32C, dense, sparse top-k,
 * QSGD-quantised and scaled-sign payloads, an optional HMAC-SHA256 authentication tag under a per-job
 * {@link dev.parasol.wire.JobKey}, allocation-free encoders and decoders over Agrona buffers, and the validation of
 * untrusted bytes into one {@link dev.parasol.wire.RejectReason} per bad message.
 * <p>
 * The byte layout, every validation rule and every reject reason are specified in {@code docs/wire-format.md}.
 * <p>
 * Sending: set the header fields, compute the exact length, then encode in place into an Aeron {@code BufferClaim}
 * when the message fits one frame ({@code publication.maxPayloadLength()}), otherwise into a reused buffer passed to
 * {@code publication.offer}, which fragments. With the job's key, every message is signed, and is
 * {@code header.trailerLength()} bytes longer than the static {@code length} methods say:
 * <pre>{@code
 * header.authenticator(new MessageAuthenticator(jobKey));   // once per sender thread
 * header.messageType(MessageType.GRADIENT_PUSH).jobId(jobId).shardId(shard).workerId(worker)
 *     .sequence(++sequence).baseVersion(version).keyRange(keyStart, keyLength);
 * final int length = SparseEncoder.length(Encoding.SPARSE_F32, indices, count) + header.trailerLength();
 * if (length <= publication.maxPayloadLength())
 * {
 *     if (publication.tryClaim(length, claim) > 0)
 *     {
 *         SparseEncoder.encode(claim.buffer(), claim.offset(), header, Encoding.SPARSE_F32, indices, values, count);
 *         claim.commit();
 *     }
 * }
 * else
 * {
 *     SparseEncoder.encode(sendBuffer, 0, header, Encoding.SPARSE_F32, indices, values, count);
 *     publication.offer(sendBuffer, 0, length);
 * }
 * }</pre>
 * Receiving, in a fragment handler of a decoder given the same key once
 * ({@code headerDecoder.authenticator(new MessageAuthenticator(jobKey))}), so that unsigned, forged and
 * other jobs' messages are rejected before any field is read:
 * <pre>{@code
 * RejectReason reason = headerDecoder.wrap(buffer, offset, length, jobId, ownedStart, ownedEnd);
 * if (reason == RejectReason.NONE)
 * {
 *     switch (headerDecoder.encoding())
 *     {
 *         case SPARSE_F32:
 *         case SPARSE_F16:
 *             reason = SparseDecoder.decode(headerDecoder, indices, values);
 *             break;
 *         default:
 *             ...
 *     }
 * }
 * if (counters.record(reason))
 * {
 *     // apply: key of entry i = headerDecoder.rangeStart() + indices[i]
 * }
 * }</pre>
 */
package dev.parasol.wire;
