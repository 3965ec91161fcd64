// idemcheck/impl/producer_sequencer.hpp
//
// The producer-side sequence bookkeeping of one idempotent producer: which
// producer id, epoch and sequence every batch of every partition gets, when a
// partition may send, what a response does to the sequence state, and when the
// producer bumps its epoch and re-stamps its in-flight batches. It is the
// optimized counterpart of the reference sequencer in spec/ (rules S1..S8 of
// the spec's sequencer header), built the way a fast client would build it:
// dense per-partition state, no tree sets, no allocation per batch.
//
// Guarantees (each is checked against the reference by properties/):
//  * Same observable behaviour as the Java client's idempotent (non
//    transactional) producer: drain gating, stamping, response handling,
//    retry classification, unresolved sequences, local epoch bumps, producer
//    id reset at epoch 32767, lazy switch of other partitions to a new epoch.
//  * Java int arithmetic exactly: a batch's last sequence is base + count - 1
//    wrapped to 32-bit two's complement (negative past INT32_MAX), "is next"
//    is a 32-bit subtraction equal to 1, the next sequence wraps mod 2^31,
//    the last acknowledged sequence only moves up (a wrapped, negative last
//    sequence never moves it).
//  * Errors are values: a call with an argument outside the domain (a
//    partition index outside [0, max_partitions), a record count < 1, a batch
//    without a sequence where a stamped one is required) returns an error and
//    changes nothing. Nothing throws except std::bad_alloc when state grows,
//    and Result::value() on an error (a programming error).
//  * No allocation on the hot path: stamping, draining queries and completions
//    do not allocate, except the first use of a partition beyond the current
//    array (growth) and an in-flight list that outgrows its inline capacity
//    of 8 (rare path, see below). The in-flight count per partition is not
//    limited: a list that exceeds 8 moves to a heap array that doubles.
//  * Deterministic order: in-flight batches are kept sorted by (producer id,
//    epoch, base sequence); batches with equal keys keep their insertion
//    order, and a re-stamp sorts stably, so the observable order is defined
//    even in the degenerate case of equal base sequences after a wrap.
//
// Memory layout
// -------------
//   partitions: one dense std::vector<PartitionState>, indexed by partition
//               index, grown on first mutating use of an index. A
//               PartitionState is 304 bytes on LP64:
//                 header (32 B): i64 stamp producer id, i64 last acked
//                   offset, i32 next sequence, i32 last acked sequence,
//                   i32 unresolved sequence, i16 stamp epoch, u8 flags
//                   (seen, unresolved), 1 B padding;
//                 in-flight list (272 B): u32 size, u32 capacity, heap
//                   pointer (null while inline), 8 inline BatchStamps of 32 B
//                   (i64 batch id, i64 producer id, i32 base sequence, i32
//                   record count, i16 epoch, u8 reopened, 5 B padding).
//               A partition whose list spilled additionally owns
//               32 * capacity bytes of heap (capacity a power of two >= 16).
//   rewrite:    the partitions that requested an epoch bump, a sorted vector
//               of 4-byte indices (allocates only when a bump is requested).
//   restamps:   a reused output buffer of 40-byte Restamps for
//               begin_send_loop() (allocates only when it must grow).
//
// Thread safety: none inside; the producer's sender thread owns it, as the
// Java client's sender owns its transaction manager's partition map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "idemcheck/impl/types.hpp"

namespace idemcheck::impl {

/// A producer id with its epoch; the default {-1, -1} is "no producer id".
struct ProducerIdEpoch {
  ProducerId producer_id;
  Epoch epoch;
  friend constexpr auto operator<=>(const ProducerIdEpoch&, const ProducerIdEpoch&) = default;
};

/// A dense partition index chosen by the caller, in [0, max_partitions).
struct PartitionIndex {
  std::int32_t value = 0;
  friend constexpr auto operator<=>(PartitionIndex, PartitionIndex) = default;
};

/// The producer's identity of one batch, unique among its in-flight batches.
struct BatchId {
  std::uint64_t value = 0;
  friend constexpr auto operator<=>(BatchId, BatchId) = default;
};

/// The number of records in a batch; a valid count is in [1, INT32_MAX].
struct RecordCount {
  std::int32_t value = 1;
  friend constexpr auto operator<=>(RecordCount, RecordCount) = default;
};

/// Errors a produce attempt can end with, as the sequencer classifies them.
/// Values are Kafka's wire codes, except delivery_timeout, which is the
/// client's own delivery timeout (not a wire code). A value outside this list
/// (cast from a code) is treated as a non-retriable error.
enum class ClientError : std::int16_t {
  none = 0,
  not_leader_or_follower = 6,
  request_timed_out = 7,
  network_exception = 13,
  not_enough_replicas = 19,
  not_enough_replicas_after_append = 20,
  out_of_order_sequence_number = 45,
  invalid_producer_epoch = 47,
  invalid_record = 87,
  delivery_timeout = -100,
};

/// Whether the Java client treats the error as retriable (its exception is a
/// RetriableException): the timeouts, the leadership and replica errors and
/// network errors. none, out_of_order_sequence_number (handled separately),
/// invalid_producer_epoch, invalid_record and unknown codes are not.
[[nodiscard]] bool is_retriable(ClientError error) noexcept;

/// Why a call was refused. A refused call changes nothing.
enum class [[nodiscard]] SequencerError : std::uint8_t {
  none = 0,
  partition_out_of_range,     ///< partition index < 0 or >= max_partitions
  record_count_out_of_range,  ///< record count < 1
  batch_not_stamped,          ///< the batch has no sequence (base < 0) where a stamped batch is required
  offset_out_of_range,        ///< an acknowledged batch would end past offset INT64_MAX (base offset + count - 1)
};

/// The stamp of one batch: what the producer keeps on the batch and passes
/// back on every call about it. 32 bytes, trivially copyable.
struct BatchStamp {
  BatchId id;
  ProducerId producer_id;  ///< the id the sequence belongs to
  Sequence base_sequence;  ///< -1 before the first drain
  RecordCount record_count;
  Epoch epoch;             ///< the epoch the sequence belongs to
  bool reopened = false;   ///< re-stamped by an epoch bump (Kafka: sequenceHasBeenReset)
  /// The producer id and epoch of the stamp.
  [[nodiscard]] constexpr ProducerIdEpoch stamp() const noexcept { return {producer_id, epoch}; }
  friend constexpr bool operator==(const BatchStamp&, const BatchStamp&) = default;
};

/// A new stamp for an in-flight batch after an epoch bump.
struct Restamp {
  PartitionIndex partition;
  BatchStamp batch;  ///< batch.id identifies the batch; the rest is its new stamp
  friend constexpr bool operator==(const Restamp&, const Restamp&) = default;
};

/// Read-only view of one partition's sequence state. in_flight is valid until
/// the next mutating call on the sequencer.
struct PartitionView {
  ProducerIdEpoch stamp;                   ///< id/epoch its sequences belong to
  Sequence next_sequence;                  ///< base of the next new batch, in [0, 2^31)
  Sequence last_acked_sequence;            ///< -1 = none
  Offset last_acked_offset;                ///< -1 = none
  std::optional<Sequence> unresolved;      ///< unresolved up to this sequence
  std::span<const BatchStamp> in_flight;   ///< ordered by (producer id, epoch, base sequence)
};

/// Construction parameters.
struct SequencerConfig {
  /// Partition indices must be below this. Bounds the memory a wrong index
  /// can make the sequencer allocate (304 bytes per index up to the largest used).
  std::int32_t max_partitions = 1 << 16;
};

/// A value or the reason there is none.
template <class T>
class [[nodiscard]] Result {
 public:
  /// A success holding `value`.
  constexpr Result(T value) noexcept : value_(value) {}  // NOLINT(google-explicit-constructor)
  /// A failure; `error` must not be SequencerError::none.
  constexpr Result(SequencerError error) noexcept : error_(error) {}  // NOLINT(google-explicit-constructor)
  /// True iff it holds a value.
  [[nodiscard]] constexpr bool ok() const noexcept { return error_ == SequencerError::none; }
  /// The error, SequencerError::none on success.
  [[nodiscard]] constexpr SequencerError error() const noexcept { return error_; }
  /// The value. Throws std::logic_error on a failure (reading it is a programming error).
  [[nodiscard]] const T& value() const;

 private:
  T value_{};
  SequencerError error_ = SequencerError::none;
};

/// Throws std::logic_error naming `error`. (Result::value()'s failure path.)
[[noreturn]] void throw_bad_result_access(SequencerError error);

template <class T>
const T& Result<T>::value() const {
  if (!ok()) throw_bad_result_access(error_);
  return value_;
}

/// The client's last sequence of a batch: base + count - 1 in 32-bit two's
/// complement (Java's int; negative when it passes INT32_MAX).
[[nodiscard]] constexpr Sequence client_last_sequence(Sequence base, RecordCount count) noexcept {
  return Sequence{static_cast<std::int32_t>(static_cast<std::uint32_t>(base.value) +
                                            static_cast<std::uint32_t>(count.value) - 1u)};
}

/// Kafka's incrementSequence: (s + n) mod 2^31, for s in [0, 2^31) and n in [1, 2^31).
[[nodiscard]] constexpr Sequence increment_sequence(Sequence s, RecordCount n) noexcept {
  return Sequence{static_cast<std::int32_t>((static_cast<std::uint32_t>(s.value) +
                                             static_cast<std::uint32_t>(n.value)) & 0x7FFF'FFFFu)};
}

/// Kafka's isNextSequence: s - last_acked == 1 in 32-bit two's complement.
[[nodiscard]] constexpr bool is_next_sequence(Sequence s, Sequence last_acked) noexcept {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(s.value) - static_cast<std::uint32_t>(last_acked.value)) ==
         1;
}

/// The sequence bookkeeping of one idempotent producer.
class ProducerSequencer {
 public:
  /// An empty sequencer without a producer id. Throws std::invalid_argument if
  /// config.max_partitions < 1 (a misconfiguration, not a data error).
  explicit ProducerSequencer(SequencerConfig config = {});
  /// Deep copy (properties fork a sequencer to compare futures).
  ProducerSequencer(const ProducerSequencer&);
  /// Deep copy assignment (strong guarantee).
  ProducerSequencer& operator=(const ProducerSequencer&);
  /// Moves leave the source valid but unspecified (only destroy or assign it).
  ProducerSequencer(ProducerSequencer&&) noexcept;
  /// See the move constructor.
  ProducerSequencer& operator=(ProducerSequencer&&) noexcept;
  ~ProducerSequencer();

  /// The producer got `id` (InitProducerId). Existing partitions keep their
  /// stamps and switch lazily (S1).
  void set_producer_id(ProducerIdEpoch id) noexcept;
  /// The current id and epoch ({-1, -1} until set, and after epoch exhaustion).
  [[nodiscard]] ProducerIdEpoch current() const noexcept;

  /// S2: may the partition's head batch, not yet stamped, be drained? False
  /// without a producer id, while the partition has in-flight batches under a
  /// stale id/epoch, and while it has an unresolved sequence.
  [[nodiscard]] Result<bool> may_drain_new(PartitionIndex partition) const noexcept;
  /// S3: may `batch`, stamped already, be drained again? True iff its base
  /// sequence is the lowest in flight on the partition. Requires a stamped batch.
  [[nodiscard]] Result<bool> may_drain_retry(PartitionIndex partition, const BatchStamp& batch) const noexcept;
  /// S1: stamp a batch on its first drain with (current id/epoch, next
  /// sequence), advance next by `count` (mod 2^31) and track it as in flight.
  /// A partition under a stale id/epoch with nothing in flight first restarts
  /// at sequence 0. Precondition (not checked): `id` is not in flight.
  /// Allocates only on a partition's first use or an in-flight spill.
  [[nodiscard]] Result<BatchStamp> stamp(PartitionIndex partition, BatchId id, RecordCount count);
  /// S3: `batch`, stamped already, is drained again (Kafka: ProducerBatch.close()
  /// at every drain): its in-flight copy (matched by id) loses `reopened`, so an
  /// OUT_OF_ORDER_SEQUENCE_NUMBER answer to this new attempt is judged like any
  /// other. Returns the in-flight copy as it is now; a batch that is not in
  /// flight is returned as given with `reopened` cleared, and no state is
  /// created for its partition. Requires a stamped batch with a valid count.
  /// Does not allocate.
  [[nodiscard]] Result<BatchStamp> on_drained(PartitionIndex partition, const BatchStamp& batch) noexcept;

  /// S4: the broker acknowledged `batch` at `base_offset` (-1 if unknown): the
  /// last acked sequence moves up to the batch's client last sequence, the
  /// last acked offset up to base_offset + count - 1, and the batch leaves the
  /// in-flight set (if it is there; the sequence state is updated regardless,
  /// as in the Java client). A base offset whose batch would end past
  /// INT64_MAX is no broker's answer: offset_out_of_range, nothing changes.
  SequencerError on_success(PartitionIndex partition, const BatchStamp& batch, Offset base_offset);
  /// S5: may `batch` be retried after `error`? Call only when the producer's
  /// own limits (retries, delivery timeout) still allow a retry. On
  /// out_of_order_sequence_number the answer is always true, and an epoch bump
  /// is requested for the partition when the batch is the next expected one
  /// and was not re-stamped, or when it starts at the partition's unresolved
  /// sequence. Other errors: is_retriable(error), no side effect.
  [[nodiscard]] Result<bool> can_retry(PartitionIndex partition, const BatchStamp& batch, ClientError error);
  /// S6: `batch` failed for good with `error`; `adjust` is true when retries
  /// remained. The batch leaves the in-flight set; out_of_order_sequence_number
  /// or `adjust` requests an epoch bump for the partition.
  SequencerError on_failure(PartitionIndex partition, const BatchStamp& batch, ClientError error, bool adjust);
  /// S7: `batch` expired (delivery timeout); `in_retry` when it had been
  /// re-enqueued. The batch leaves the in-flight set; if in_retry, the
  /// partition becomes unresolved up to max(previous, client last sequence + 1).
  SequencerError on_expired(PartitionIndex partition, const BatchStamp& batch, bool in_retry);

  /// S8: the start of a sender loop. First, every unresolved partition with
  /// nothing in flight resolves: if its next sequence is the next expected one
  /// nothing else happens, otherwise it requests an epoch bump. Then, if a bump
  /// was requested, the epoch is raised locally (at epoch 32767 the producer
  /// id is reset to {-1, -1}: a new one is needed) and every requesting
  /// partition, in ascending index order, re-stamps its in-flight batches in
  /// their order from sequence 0 under the new id/epoch, marking them reopened,
  /// drops its acked sequence and its unresolved sequence.
  /// Returns the new stamps, partition by partition, each in in-flight order;
  /// the span is valid until the next mutating call.
  std::span<const Restamp> begin_send_loop();

  /// Whether an epoch bump is pending for the next sender loop.
  [[nodiscard]] bool epoch_bump_required() const noexcept;
  /// The partitions that requested a bump, ascending (they may be unseen).
  [[nodiscard]] std::span<const PartitionIndex> partitions_to_rewrite() const noexcept;
  /// One past the largest index that has state; partition() of every index at
  /// or above it is empty.
  [[nodiscard]] std::int32_t partition_bound() const noexcept;
  /// The state of a partition the sequencer has seen (stamped, completed,
  /// failed, expired or re-stamped a batch on); empty for any other index.
  [[nodiscard]] std::optional<PartitionView> partition(PartitionIndex partition) const noexcept;
  /// Bytes of heap memory owned by the sequencer.
  [[nodiscard]] std::size_t memory_bytes() const noexcept;
  /// The configuration it was built with.
  [[nodiscard]] const SequencerConfig& config() const noexcept { return config_; }

 private:
  struct InFlightList;
  struct PartitionState;

  [[nodiscard]] SequencerError check_partition(PartitionIndex p) const noexcept;
  [[nodiscard]] static SequencerError check_batch(const BatchStamp& b) noexcept;
  [[nodiscard]] const PartitionState* find(PartitionIndex p) const noexcept;
  PartitionState& touch(PartitionIndex p);
  void request_bump(PartitionIndex p);
  void start_at_beginning(PartitionIndex index, PartitionState& p, ProducerIdEpoch id, bool emit);

  SequencerConfig config_;
  ProducerIdEpoch current_;
  bool bump_required_ = false;
  std::int32_t unresolved_count_ = 0;
  std::vector<PartitionState> partitions_;
  std::vector<PartitionIndex> rewrite_;
  std::vector<Restamp> restamps_;
};

std::ostream& operator<<(std::ostream&, const ProducerIdEpoch&);
std::ostream& operator<<(std::ostream&, PartitionIndex);
std::ostream& operator<<(std::ostream&, BatchId);
std::ostream& operator<<(std::ostream&, RecordCount);
std::ostream& operator<<(std::ostream&, ClientError);
std::ostream& operator<<(std::ostream&, SequencerError);
std::ostream& operator<<(std::ostream&, const BatchStamp&);
std::ostream& operator<<(std::ostream&, const Restamp&);
std::ostream& operator<<(std::ostream&, const PartitionView&);
/// The whole state, one partition per line (for test failure messages).
std::ostream& operator<<(std::ostream&, const ProducerSequencer&);

}  // namespace idemcheck::impl
