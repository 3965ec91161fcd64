// idemcheck/spec/sequencer.hpp
//
// THE PRODUCER'S SEQUENCE BOOKKEEPING (the Java client's idempotent
// TransactionManager and its per-partition entries), as a pluggable component
// of the simulated world.
//
// The producer around it (spec/producer.hpp) owns the batches, the queues and
// the connections; it asks the sequencer every question whose answer depends
// on sequence state, and tells it every completion. The reference answers
// (ReferenceSequencer, below) follow Kafka's client:
//
// Per partition: the producer id and epoch its sequences belong to; the next
// sequence; the last acknowledged sequence (-1 none); the in-flight batches
// ordered by (producer id, epoch, base sequence); the last acknowledged offset;
// whether a sequence is unresolved (and up to where).
//
//   S1 stamping (first drain): if the partition's id/epoch is stale and it has
//      nothing in flight, its sequences restart at 0 under the current id/epoch;
//      the batch gets (current id/epoch, next sequence); next += records (mod 2^31).
//   S0 nothing is drained while the producer has no id (awaiting InitProducerId).
//   S2 a new batch may not be drained while the partition has in-flight batches
//      under a stale id/epoch, or has an unresolved sequence.
//   S3 a retried batch keeps its stamp and may be drained only if its base
//      sequence is the lowest in flight ("while retrying, one in flight").
//      Every drain of a batch stamped already clears its `reopened` mark
//      (Kafka: ProducerBatch.close() at each drain), so the mark covers only
//      answers to the request that was in flight when the bump re-stamped it.
//   S4 success: last acknowledged := max(it, batch's last sequence); the batch
//      leaves the in-flight set.
//   S5 can_retry on OUT_OF_ORDER_SEQUENCE_NUMBER: retry; request an epoch bump
//      when the batch is the next expected one (base - lastAcked == 1) or when it
//      carries the partition's unresolved sequence, unless it was re-stamped
//      already and not drained since (S3). Other errors: retry iff retriable.
//   S6 failure: the batch leaves the in-flight set; an OUT_OF_ORDER failure, or
//      any failure while retries remained (adjust), requests an epoch bump.
//   S7 expiry (delivery timeout): the batch leaves the in-flight set; if it had
//      been retried, its partition's sequence becomes unresolved up to its end.
//   S8 at the start of each sender loop: unresolved partitions with nothing in
//      flight resolve if everything stamped was acknowledged, else request a
//      bump; then a requested bump raises the epoch locally (at epoch 32767 the
//      producer id is reset and a new one is needed) and re-stamps the in-flight
//      batches of the partitions that asked for it from sequence 0, in sequence
//      order; other partitions switch lazily (S1).
//
// Client arithmetic is Java's: a batch's last sequence is base + records - 1
// in 32-bit two's complement (it goes negative past INT32_MAX), "is next" is a
// 32-bit subtraction, and last-acked only moves up. Only `next` wraps mod 2^31.
#pragma once

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "idemcheck/spec/broker_types.hpp"
#include "idemcheck/spec/client_rules.hpp"

namespace idemcheck::spec {

/// A producer id with its epoch. {-1, -1} is "none".
struct PidEpoch {
  std::int64_t producer_id = kNoProducerId;
  std::int32_t epoch = kNoEpoch;
  friend auto operator<=>(const PidEpoch&, const PidEpoch&) = default;
};

/// What the sequencer knows of one batch: its stamp. The producer keeps it on
/// the batch and passes it back on every call about that batch.
struct BatchStamp {
  std::uint64_t batch_id = 0;  ///< unique within the producer
  PidEpoch stamp;              ///< id/epoch the sequence belongs to
  std::int64_t base_sequence = kNoSequence;
  std::int64_t record_count = 1;
  bool reopened = false;       ///< re-stamped by an epoch bump (Kafka: sequenceHasBeenReset)
  friend bool operator==(const BatchStamp&, const BatchStamp&) = default;
};

/// A new stamp for an in-flight batch, produced by an epoch bump.
struct Restamp {
  int partition = 0;
  BatchStamp batch;  ///< batch_id identifies it; the other fields are the new stamp
  friend bool operator==(const Restamp&, const Restamp&) = default;
};

/// Observable sequence state of one partition.
struct PartitionSequenceState {
  PidEpoch stamp;
  std::int64_t next_sequence = 0;
  std::int64_t last_acked_sequence = -1;
  std::int64_t last_acked_offset = -1;
  std::optional<std::int64_t> unresolved;  ///< the sequence up to which it is unresolved
  std::vector<BatchStamp> in_flight;       ///< ordered by (id, epoch, base sequence)
  friend bool operator==(const PartitionSequenceState&, const PartitionSequenceState&) = default;
};

/// Observable state of a whole sequencer.
struct SequencerState {
  PidEpoch current;
  bool epoch_bump_required = false;
  std::vector<int> partitions_to_rewrite;                 ///< ascending
  std::map<int, PartitionSequenceState> partitions;       ///< partitions it has seen
  friend bool operator==(const SequencerState&, const SequencerState&) = default;
};

std::ostream& operator<<(std::ostream&, const PidEpoch&);
std::ostream& operator<<(std::ostream&, const BatchStamp&);
std::ostream& operator<<(std::ostream&, const SequencerState&);

/// The sequence bookkeeping of one idempotent producer (rules S1..S8).
class Sequencer {
 public:
  virtual ~Sequencer() = default;
  /// "spec" or "impl".
  [[nodiscard]] virtual std::string_view name() const = 0;

  /// The producer got an id and epoch (InitProducerId).
  virtual void set_producer_id(PidEpoch id) = 0;
  /// The current id and epoch ({-1,-1} until set, and after epoch exhaustion).
  [[nodiscard]] virtual PidEpoch current() const = 0;

  /// S2: may the partition's head batch, not yet stamped, be drained?
  [[nodiscard]] virtual bool may_drain_new(int partition) const = 0;
  /// S3: may the partition's head batch, stamped already, be drained again?
  [[nodiscard]] virtual bool may_drain_retry(int partition, const BatchStamp& batch) const = 0;
  /// S1: stamp a batch on its first drain and track it as in flight.
  virtual BatchStamp stamp(int partition, std::uint64_t batch_id, std::int64_t record_count) = 0;
  /// A batch stamped already is drained again (Kafka: ProducerBatch.close() at drain): its
  /// in-flight copy loses `reopened`. Returns the batch's stamp as it is now.
  virtual BatchStamp on_drained(int partition, const BatchStamp& batch) = 0;

  /// S4: the broker acknowledged the batch at `base_offset` (-1 if unknown).
  virtual void on_success(int partition, const BatchStamp& batch, std::int64_t base_offset) = 0;
  /// S5: may the batch be retried after `error`? May request an epoch bump.
  /// Called only when the producer's own limits (retries, delivery timeout) allow a retry.
  virtual bool can_retry(int partition, const BatchStamp& batch, Error error) = 0;
  /// S6: the batch failed for good with `error`; `adjust` is true when retries remained.
  virtual void on_failure(int partition, const BatchStamp& batch, Error error, bool adjust) = 0;
  /// S7: the batch expired (delivery timeout); `in_retry` when it had been re-enqueued.
  virtual void on_expired(int partition, const BatchStamp& batch, bool in_retry) = 0;

  /// S8: the start of a sender loop. Returns the new stamps of re-stamped batches.
  virtual std::vector<Restamp> begin_send_loop() = 0;
  /// New stamps that can_retry or on_failure gave in-flight batches (client
  /// variants before KIP-360 re-stamp there, not at the start of a loop), in
  /// the order given; the list is empty afterwards. The caller applies them
  /// to its batches after each of those calls.
  virtual std::vector<Restamp> take_restamps() { return {}; }

  /// The whole observable state.
  [[nodiscard]] virtual SequencerState state() const = 0;
  /// A copy with the same state.
  [[nodiscard]] virtual std::unique_ptr<Sequencer> clone() const = 0;
};

/// The reference sequencer: maps and sets, written to be read against Kafka,
/// following the client variant `rules` (client_rules.hpp).
std::unique_ptr<Sequencer> make_reference_sequencer(ClientRules rules);
/// The reference sequencer of the default variant, java-2.5.
std::unique_ptr<Sequencer> make_reference_sequencer();

/// Java's int arithmetic on sequences, which the client uses.
std::int64_t java_int(std::int64_t v);
/// The client's last sequence of a batch: java_int(base + records - 1).
std::int64_t client_last_sequence(const BatchStamp& b);
/// Kafka's incrementSequence: (s + n) mod 2^31 for s in [0, 2^31).
std::int64_t increment_sequence(std::int64_t s, std::int64_t n);

}  // namespace idemcheck::spec
