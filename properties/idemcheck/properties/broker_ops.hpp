// idemcheck/properties/broker_ops.hpp
//
// Histories of broker operations for the differential check, as plain data.
//
// An operation names a producer by its slot in a small pool and says what to
// do relative to what that producer sent before ("retry the 3rd most recent
// batch", "skip 4 sequences"): the interpreter turns it into a concrete batch
// at run time, from the producer's own record. This keeps every generated or
// shrunk history meaningful: removing an operation never leaves another one
// pointing at a batch that no longer exists.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "idemcheck/spec/broker_types.hpp"
#include "idemcheck/spec/partition_model.hpp"

namespace idemcheck::properties {

/// Number of producer slots a history draws from.
inline constexpr int kProducerSlots = 4;

/// One operation of a broker history.
struct BrokerOp {
  enum class Kind : std::uint8_t {
    append_next,         ///< the producer's next batch, in sequence
    retry_recent,        ///< resend the arg-th most recent batch (1 = newest)
    retry_evicted,       ///< resend a batch arg places older than the window
    partial_overlap,     ///< a batch that overlaps the arg-th most recent one without matching it
    gap,                 ///< next batch arg sequences ahead of the expected one
    bump_epoch,          ///< epoch + 1 at sequence 0
    bump_epoch_nonzero,  ///< epoch + 1 at the old next sequence (must be rejected unless that is 0)
    stale_epoch,         ///< epoch - 1 at the next sequence
    new_producer,        ///< the slot gets a fresh producer id; arg picks the starting sequence
    no_producer_id,      ///< a batch without a producer id
    negative_sequence,   ///< a batch with a producer id and a negative sequence
    replicate_next,      ///< the producer's next batch arrives through replication
    expire,              ///< advance time by arg ms, then sweep expired producers
    advance_time,        ///< advance time by arg ms
    take_snapshot,       ///< write a producer-state snapshot
    restart_clean,       ///< clean broker restart
    restart_unclean,     ///< unclean broker restart: snapshot + log replay
    restart_clean_damaged,    ///< clean restart whose shutdown snapshot is damaged (arg 1: torn, 2: corrupt)
    restart_unclean_damaged,  ///< unclean restart whose newest snapshot is damaged (arg 1: torn, 2: corrupt)
    crowd,       ///< arg producers no slot tracks append one batch each (fresh ids): the table grows, and under
                 ///< a colliding hash buckets overflow; left alone, they expire together later
    copy_table,  ///< the newest impl partition is copied (arg 0: copy-constructed, 1: copy-assigned); the copy
                 ///< joins the ones running: every later op runs on each and each is compared with the spec
  };
  Kind kind = Kind::append_next;
  int producer = 0;        ///< slot in [0, kProducerSlots)
  std::int64_t arg = 0;    ///< see Kind
  std::int64_t records = 1;  ///< record count of the batch the op sends, where it sends one
  friend bool operator==(const BrokerOp&, const BrokerOp&) = default;
};

/// A whole history: the broker's configuration, the impl table's hash and
/// the operations in order.
struct BrokerHistory {
  spec::BrokerConfig config;
  std::vector<BrokerOp> ops;
  /// 0: the impl table's own hash; n >= 1: a colliding hash of n tags
  /// (properties::CollidingHash), so that producers share tags and buckets.
  int hash_classes = 0;
};

std::string to_string(BrokerOp::Kind);
/// The snapshot damage a restart operation applies (none for every other op).
spec::SnapshotDamage snapshot_damage(const BrokerOp&);
std::ostream& operator<<(std::ostream&, const BrokerOp&);
std::ostream& operator<<(std::ostream&, const BrokerHistory&);

/// Generator of one operation, weighted toward the interesting cases.
rc::Gen<BrokerOp> gen_broker_op();
/// Generator of a broker configuration around Kafka's defaults (window 1..8,
/// short expiry so that histories reach it).
rc::Gen<spec::BrokerConfig> gen_broker_config();
/// Generator of a history whose length grows with RapidCheck's size
/// (up to 5 * size operations; size stays <= 100); two in five use a
/// colliding hash of 1 to 3 tags.
rc::Gen<BrokerHistory> gen_broker_history();

}  // namespace idemcheck::properties

namespace rc {
/// Lets RapidCheck print and shrink histories.
template <>
struct Arbitrary<idemcheck::properties::BrokerHistory> {
  static Gen<idemcheck::properties::BrokerHistory> arbitrary() { return idemcheck::properties::gen_broker_history(); }
};
}  // namespace rc
