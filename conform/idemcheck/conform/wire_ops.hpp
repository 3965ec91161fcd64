// idemcheck/conform/wire_ops.hpp
//
// The operations of the wire differential (wire_differential.hpp), as plain
// data, with their text form and their generator.
//
// As in the in-process broker differential (properties/broker_ops.hpp), an
// operation names a producer slot and says what to send relative to that
// producer's own record ("retry its 2nd most recent batch", "skip 3
// sequences"); the run turns it into a concrete batch from the record, so any
// sublist of a list is a meaningful list (what the shrinker needs).
//
// Text form, one op: `KIND [pSLOT] [ARG] [rRECORDS]`, ops separated by ';':
//   "append_next p0; retry_recent p0 2; pipeline p1 3 r2; reconnect"
// KIND as to_string spells it ('-' is accepted for '_'); pSLOT for every kind
// that names a producer (default p0); ARG for the kinds that take one (default
// as below); rRECORDS the records of each batch the op sends (default 1).
// to_string prints the canonical form and parse_ops(to_string(ops)) == ops for
// every canonical list (generate_ops makes only canonical ones).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace idemcheck::conform {

/// Producer slots an op list draws from.
inline constexpr int kWireSlots = 3;
/// The most batches one pipeline op sends back to back (Kafka's in-flight limit).
inline constexpr int kMaxPipeline = 5;
/// The most records one batch carries.
inline constexpr std::int64_t kMaxRecords = 100;

/// One operation of the wire differential.
struct WireOp {
  enum class Kind : std::uint8_t {
    append_next,         ///< the slot's next batch, in sequence
    retry_recent,        ///< resend its arg-th most recent batch (1 = newest); a plain append if it has none that old
    retry_evicted,       ///< resend the batch arg places older than the broker's window (5 batches)
    partial_overlap,     ///< a batch starting where the arg-th most recent one starts, one record longer
                         ///< (shorter when that batch has more than one record and rRECORDS is even)
    gap,                 ///< the next batch arg sequences ahead of the expected one (modulo 2^31)
    bump_epoch,          ///< epoch + 1 at sequence 0
    bump_epoch_nonzero,  ///< epoch + 1 at the old next sequence
    stale_epoch,         ///< epoch - 1 at the next sequence
    new_producer,        ///< InitProducerId, then the first batch; arg: 0 sequence 0, 1 mid-stream (sequence
                         ///< 1000 + k, epoch + 3), 2 about to wrap (sequence 2^31 - 1 - k), 3 last epochs
                         ///< (sequence 2^31 - 3, epoch 32766); k counts the run's producers modulo 4
    init_bump,           ///< InitProducerId with the slot's id and epoch (KIP-360, v3+), then the first batch of
                         ///< whatever it answers; a broker without v3, or an error answer: as new_producer 0
    no_producer_id,      ///< a batch without producer id (not idempotent)
    lose_answer,         ///< send the slot's next batch, close the connection without reading the answer, reconnect
    reconnect,           ///< close the connection and open a new one
    pipeline,            ///< the slot's next arg batches back to back on one connection, then their arg answers
  };
  Kind kind = Kind::append_next;
  int producer = 0;          ///< slot in [0, kWireSlots); 0 for kinds without a producer
  std::int64_t arg = 0;      ///< see Kind; 0 for kinds without an argument
  std::int64_t records = 1;  ///< 1..kMaxRecords; 1 for reconnect
  friend bool operator==(const WireOp&, const WireOp&) = default;
};

/// "append_next", "retry_recent", ...
std::string_view name(WireOp::Kind);
/// Whether the kind names a producer slot (all but no_producer_id and reconnect).
bool has_producer(WireOp::Kind);
/// Whether the kind takes an argument (retry_recent, retry_evicted, partial_overlap, gap, new_producer, pipeline).
bool has_arg(WireOp::Kind);
/// Whether the kind sends a batch whose record count the op sets (all but reconnect).
bool has_records(WireOp::Kind);

/// The canonical text of one op ("retry_recent p0 2", "pipeline p1 3 r2").
std::string to_string(const WireOp&);
/// The ops joined with "; ".
std::string to_string(const std::vector<WireOp>&);
/// Parse a list in the text form above. Returns the ops, or an error naming
/// the op (by its 1-based position and text) and what is wrong with it.
std::variant<std::vector<WireOp>, std::string> parse_ops(std::string_view text);

/// The op list of run `run` of a check seeded with `seed`: 1..max_ops ops
/// (max_ops >= 1), weighted toward appends and retries. A fixed generator
/// (splitmix64): the same (seed, run, max_ops) gives the same list on every
/// platform and compiler.
std::vector<WireOp> generate_ops(std::uint64_t seed, std::uint64_t run, int max_ops);

/// Simpler variants of `op`, simplest first (one record, slot 0, smaller
/// arguments, a plainer kind: lose_answer and pipeline to append_next,
/// init_bump to new_producer), for the shrinker.
std::vector<WireOp> simpler(const WireOp& op);

}  // namespace idemcheck::conform
