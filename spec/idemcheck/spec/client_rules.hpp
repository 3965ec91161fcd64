// idemcheck/spec/client_rules.hpp
//
// THE CLIENT'S SEQUENCE RULES, BY VERSION.
//
// How an idempotent producer answers the broker's errors changed with KIP-360
// (Kafka 2.5): before it, an OUT_OF_ORDER_SEQUENCE_NUMBER on the next
// expected batch, or an unknown producer id the client cannot explain, made
// the Java client drop its producer id and ask for a new one (and the batch
// failed); from 2.5 on the client bumps the epoch itself and retries. The
// KAFKA-14034 proposal changes one more branch. The reference sequencer
// (sequencer.hpp, rules S1..S8) follows the variant a WorldConfig names; the
// default, java-2.5, is the model the rest of the project checks, and the
// only variant the impl sequencer has (the differential runs on it alone).
//
// Differences from java-2.5 (TransactionManager, Sender and RecordAccumulator
// under clients/src/main/java/org/apache/kafka/clients/producer/internals/):
//
// java-2.4 (Kafka 0.11 to 2.4; read at tag 2.4.0):
//   C1 no epoch bump ever. Where 2.5 bumps, 2.4 resets the producer id
//      (TransactionManager.resetProducerId): every partition's sequence state
//      and every unresolved mark is dropped and InitProducerId is sent; a new
//      producer id starts at epoch 0 (the world's `init-producer-id` event).
//      It resets on: a batch failed with OUT_OF_ORDER_SEQUENCE_NUMBER or
//      UNKNOWN_PRODUCER_ID (handleFailedBatch; UnknownProducerIdException is an
//      OutOfOrderSequenceException), and an unresolved partition with nothing
//      in flight whose next sequence is not last-acked + 1 (runOnce ->
//      resetProducerIdIfNeeded -> shouldResetProducerStateAfterResolving
//      Sequences).
//   C2 a batch of an earlier producer id or epoch is ignored by the
//      bookkeeping (handleCompletedBatch, handleFailedBatch return early); it
//      is never retried (canRetry returns false; a retriable error fails it,
//      Sender.completeBatch "the producer id changed"), and when it is still
//      queued it is drained with its old stamp (RecordAccumulator.drain keeps
//      a batch's sequence once set).
//   C3 can_retry: OUT_OF_ORDER_SEQUENCE_NUMBER is retried only when the
//      partition has no unresolved sequence and the batch was re-stamped or
//      is not next; UNKNOWN_PRODUCER_ID is retried when the batch was
//      re-stamped, or when nothing of the partition was acknowledged at an
//      offset at or above the log start (lastAckedOffset < logStartOffset):
//      then the partition's in-flight batches restart at sequence 0 under
//      their own id and epoch (startSequencesAtBeginning). Otherwise neither
//      is retried. Other errors: retried iff retriable.
//   C4 a definitive failure with retries left (adjust) shifts the later
//      in-flight batches of the partition down by the failed batch's count,
//      same id and epoch, and the next sequence with them
//      (adjustSequencesDueToFailedBatch).
//   C5 a new batch is not drained while the partition is unresolved, and a
//      stamped one only if it is the first in flight -- or nothing of the
//      partition is in flight under the current bookkeeping (firstInFlight
//      Sequence is NO_SEQUENCE after a reset). There is no S2 wait for older
//      epochs: nothing ever runs under two ids of one session except what C2
//      describes.
// kafka-14034 (apache/kafka#13796, closed unmerged; the 2.5 client with one
//   branch changed): a definitive failure with retries left marks the
//   partition's sequence unresolved up to the batch's end (S7's mark) instead
//   of requesting an epoch bump, so the bump waits until nothing of the
//   partition is in flight and is skipped if what followed was acknowledged.
// java-2.5 also answers UNKNOWN_PRODUCER_ID (which only broker variants send):
//   a re-stamped batch is retried as is, any other is retried after an epoch
//   bump (2.5.0 canRetry: the truncation case and "otherwise" both bump for an
//   idempotent producer). Every variant takes DUPLICATE_SEQUENCE_NUMBER as a
//   success with an unknown offset (Sender.completeBatch), which the world
//   does for all of them.
//
// Not a variant: franz-go's kgo client. Its rules act only on the response
// for a partition's first buffered batch, re-send every later batch in order,
// keep one request in flight until the first answer, and never fail a sent
// batch while its outcome is unknown; the world's producer (W1..W7) answers
// every batch of a response and fails batches by timeout and retries, so
// kgo's rules cannot be expressed as a sequencer over it.
//
// Simplifications (and the verdicts they can change):
//   * java-2.4, C2: the application sees the response's error, not Kafka's
//     synthetic OUT_OF_ORDER_SEQUENCE_NUMBER ("the producer id changed"); the
//     batch fails either way, so no verdict changes.
//   * java-2.4, C3: the broker's log start offset is 0 (the world does not
//     delete records), so "lastAckedOffset < logStartOffset" holds exactly
//     when nothing was acknowledged at a known offset.
//   * java-2.4, C4: where Kafka would throw IllegalStateException (the next
//     sequence would go negative, only after a wrap), the sequences are left
//     as they are.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <span>
#include <string_view>

namespace idemcheck::spec {

/// A client's sequence rules (see the banner).
enum class ClientRules : std::uint8_t {
  java_2_4,     ///< the Java client up to 2.4: producer-id reset instead of an epoch bump
  java_2_5,     ///< the Java client 2.5 and later: the project's reference model
  kafka_14034,  ///< the KAFKA-14034 proposal: wait for in-flight batches before a bump
};

/// Every variant, in the order above.
std::span<const ClientRules> all_client_rules();
/// The variant's name as settings and history files spell it ("java-2.4", ...).
std::string_view name(ClientRules);
/// The variant named `text` into `out`; false, leaving `out` unchanged, for any
/// other text.
bool parse_client_rules(std::string_view text, ClientRules& out);
std::ostream& operator<<(std::ostream&, ClientRules);

}  // namespace idemcheck::spec
