// idemcheck/spec/broker_types.hpp
//
// Values of the reference model's broker side: the batch a client or a
// replica appends, the answer to an append, and what an observer can see of
// a producer's state. Independent of impl/ on purpose (see README).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string_view>
#include <vector>

namespace idemcheck::spec {

/// Kafka's sentinels (RecordBatch.NO_PRODUCER_ID / NO_PRODUCER_EPOCH / NO_SEQUENCE).
inline constexpr std::int64_t kNoProducerId = -1;
inline constexpr std::int32_t kNoEpoch = -1;
inline constexpr std::int64_t kNoSequence = -1;
/// The largest sequence; its successor is 0.
inline constexpr std::int64_t kMaxSequence = 2'147'483'647;

/// A record batch as the broker sees it. Plain integers, wide enough that the
/// model's arithmetic cannot overflow.
struct Batch {
  std::int64_t producer_id = kNoProducerId;  ///< < 0: no producer id
  std::int32_t epoch = kNoEpoch;             ///< int16 on the wire
  std::int64_t first_sequence = kNoSequence; ///< int32 on the wire
  std::int64_t record_count = 1;             ///< >= 1
  std::int64_t max_timestamp = 0;            ///< ms
  friend bool operator==(const Batch&, const Batch&) = default;
};

/// Error codes, with Kafka's numbers. The broker's producer-state handling
/// answers none, out_of_order_sequence_number, invalid_producer_epoch and
/// invalid_record under the reference rules (kafka-2.5), and, under other
/// broker variants (broker_rules.hpp), also invalid_request,
/// duplicate_sequence_number and unknown_producer_id; the others come from the
/// rest of the simulated world.
enum class Error : std::int16_t {
  none = 0,
  request_timed_out = 7,                 ///< broker: replication did not finish in time
  not_leader_or_follower = 6,            ///< broker: not the partition's leader
  network_exception = 13,                ///< client: the connection broke (or timed out)
  not_enough_replicas = 19,              ///< broker: ISR too small, nothing written
  not_enough_replicas_after_append = 20, ///< broker: written, but ISR shrank before acks
  invalid_request = 42,                  ///< broker variant: a malformed batch (Redpanda: one that wraps)
  out_of_order_sequence_number = 45,
  duplicate_sequence_number = 46,        ///< broker variant: a retry older than the cache (Kafka 1.0.0, AutoMQ)
  invalid_producer_epoch = 47,
  unknown_producer_id = 59,              ///< broker variant: no state for the producer (Kafka 1.0.0 to 2.4)
  invalid_record = 87,
  delivery_timeout = -100,               ///< client: delivery.timeout.ms passed (Kafka's TimeoutException)
  not_persisted = -101,                  ///< a real client: failed, and it says the record was never written
                                         ///< (librdkafka's RD_KAFKA_MSG_STATUS_NOT_PERSISTED); never in the world
};

/// Whether the Java client treats the error as retriable (a RetriableException).
bool retriable(Error);

/// The answer to a client append.
struct AppendOutcome {
  Error error = Error::none;
  bool duplicate = false;          ///< answered from the producer's cached batches; nothing written
  std::int64_t first_offset = -1;  ///< -1 on error
  std::int64_t last_offset = -1;   ///< -1 on error
  friend bool operator==(const AppendOutcome&, const AppendOutcome&) = default;
};

/// One batch in a producer's window of cached batches.
struct CachedBatch {
  std::int64_t first_sequence = 0;
  std::int64_t last_sequence = 0;
  std::int64_t first_offset = 0;
  std::int64_t last_offset = 0;
  friend bool operator==(const CachedBatch&, const CachedBatch&) = default;
};

/// Damage to the newest producer-state snapshot a broker restart reads
/// (see PartitionModel::restart). Kafka rejects either kind with a
/// CorruptSnapshotException (ProducerStateManager.readSnapshot), deletes the
/// file and falls back to the next-newest one (loadFromSnapshot).
enum class SnapshotDamage : std::uint8_t {
  none,     ///< the snapshot reads back as written
  torn,     ///< the file is cut short (a crash while writing it, or an empty file)
  corrupt,  ///< its bytes changed after it was written: the CRC no longer matches
};

/// "none", "torn" or "corrupt".
std::string_view name(SnapshotDamage);
/// The damage named `text` (exactly as name() spells it) into `out`; false,
/// leaving `out` unchanged, for any other text.
bool parse_snapshot_damage(std::string_view text, SnapshotDamage& out);

/// What an observer sees of one producer's entry.
struct ProducerEntry {
  std::int64_t producer_id = kNoProducerId;
  std::int32_t epoch = kNoEpoch;
  std::int64_t last_timestamp = 0;
  std::vector<CachedBatch> batches;  ///< oldest first
  friend bool operator==(const ProducerEntry&, const ProducerEntry&) = default;
};

std::string_view name(Error);
std::ostream& operator<<(std::ostream&, Error);
std::ostream& operator<<(std::ostream&, SnapshotDamage);
std::ostream& operator<<(std::ostream&, const Batch&);
std::ostream& operator<<(std::ostream&, const AppendOutcome&);
std::ostream& operator<<(std::ostream&, const CachedBatch&);
std::ostream& operator<<(std::ostream&, const ProducerEntry&);

}  // namespace idemcheck::spec
