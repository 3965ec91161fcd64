// idemcheck/impl/types.hpp
//
// Strong value types of the optimized dedup core: producer id, epoch,
// sequence, offset and timestamp, the header of a record batch as the broker
// sees it, and the result of an append.
//
// Guarantees: every type is a trivially copyable value, totally ordered where
// an order means something, and printable with operator<<. Nothing here
// allocates. This header is part of impl/ and depends on nothing else in the
// project (the reference model in spec/ has its own, independent types).
#pragma once

#include <compare>
#include <cstdint>
#include <iosfwd>

namespace idemcheck::impl {

/// A producer id. Values below zero mean "no producer id" (Kafka's -1).
struct ProducerId {
  std::int64_t value = -1;
  friend constexpr auto operator<=>(ProducerId, ProducerId) = default;
  /// True iff this is a real producer id (value >= 0).
  [[nodiscard]] constexpr bool valid() const noexcept { return value >= 0; }
};

/// A producer epoch. -1 means "no epoch".
struct Epoch {
  std::int16_t value = -1;
  friend constexpr auto operator<=>(Epoch, Epoch) = default;
};

/// A sequence number in [0, 2^31 - 1]; arithmetic on it wraps at INT32_MAX.
struct Sequence {
  std::int32_t value = -1;
  friend constexpr auto operator<=>(Sequence, Sequence) = default;
};

/// A log offset.
struct Offset {
  std::int64_t value = -1;
  friend constexpr auto operator<=>(Offset, Offset) = default;
};

/// A logical time or record timestamp in milliseconds.
struct Timestamp {
  std::int64_t ms = 0;
  friend constexpr auto operator<=>(Timestamp, Timestamp) = default;
};

/// The fields of a record batch header that producer-state handling reads.
/// A batch holds last_offset_delta + 1 records; its last sequence is
/// base_sequence + last_offset_delta modulo 2^31.
struct BatchHeader {
  ProducerId producer_id;
  Epoch epoch;
  Sequence base_sequence;
  std::int32_t last_offset_delta = 0;  ///< record count - 1, >= 0
  Timestamp max_timestamp;
  friend constexpr bool operator==(const BatchHeader&, const BatchHeader&) = default;
};

/// Kafka error codes an append can produce (values are Kafka's wire codes).
enum class Errc : std::int16_t {
  none = 0,
  out_of_order_sequence_number = 45,
  invalid_producer_epoch = 47,
  invalid_record = 87,
  /// The batch would end at or past offset INT64_MAX. Kafka has no check of
  /// its own there (a log never gets near it); its produce path answers an
  /// unexpected exception with UNKNOWN_SERVER_ERROR (-1), whose code this is.
  offset_overflow = -1,
};

/// The outcome of one client append.
struct AppendResult {
  Errc error = Errc::none;
  bool duplicate = false;  ///< answered from the cache, nothing written
  Offset first_offset;     ///< -1 unless error == none
  Offset last_offset;      ///< -1 unless error == none
  friend constexpr bool operator==(const AppendResult&, const AppendResult&) = default;
};

/// One batch in a producer's duplicate-detection window.
struct CachedBatch {
  Sequence first_sequence;
  Sequence last_sequence;
  Offset first_offset;
  Offset last_offset;
  friend constexpr bool operator==(const CachedBatch&, const CachedBatch&) = default;
};

std::ostream& operator<<(std::ostream&, ProducerId);
std::ostream& operator<<(std::ostream&, Epoch);
std::ostream& operator<<(std::ostream&, Sequence);
std::ostream& operator<<(std::ostream&, Offset);
std::ostream& operator<<(std::ostream&, Timestamp);
std::ostream& operator<<(std::ostream&, const BatchHeader&);
std::ostream& operator<<(std::ostream&, Errc);
std::ostream& operator<<(std::ostream&, const AppendResult&);
std::ostream& operator<<(std::ostream&, const CachedBatch&);

}  // namespace idemcheck::impl
