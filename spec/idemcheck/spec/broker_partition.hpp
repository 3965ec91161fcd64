// idemcheck/spec/broker_partition.hpp
//
// The pluggable broker component of the simulated world: one partition's
// producer-state handling behind an interface, so that the same world runs
// with the reference model (make_reference_partition, here) or with the
// optimized core (its adapter lives in properties/, which may see both).
//
// The spec's value types are the vocabulary of the interface. An
// implementation must behave as spec::PartitionModel does; the differential
// properties check exactly that.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "idemcheck/spec/broker_types.hpp"
#include "idemcheck/spec/partition_model.hpp"

namespace idemcheck::spec {

/// One partition's log offsets and producer state, as a broker holds them.
class BrokerPartition {
 public:
  virtual ~BrokerPartition() = default;
  /// Which implementation this is ("spec", "impl", ...), for reports.
  [[nodiscard]] virtual std::string_view name() const = 0;
  /// A client append (rules R1..R10 of partition_model.hpp).
  virtual AppendOutcome append(const Batch& batch) = 0;
  /// A replicated append: no validation, written at the log end.
  virtual void replicate(const Batch& batch) = 0;
  /// An expiry sweep at `now`.
  virtual void expire(std::int64_t now) = 0;
  /// Write a snapshot at the log end.
  virtual void take_snapshot() = 0;
  /// Restart and reload producer state; `damage` hits the newest snapshot
  /// the restart reads, which is then deleted and the restart falls back to
  /// the next-newest one (see PartitionModel::restart). A caller that passes
  /// no damage gets the restart as it was before damage existed.
  virtual void restart(std::int64_t now, bool clean, SnapshotDamage damage = SnapshotDamage::none) = 0;
  /// Offset of the next write.
  [[nodiscard]] virtual std::int64_t log_end_offset() const = 0;
  /// Every producer entry, sorted by producer id.
  [[nodiscard]] virtual std::vector<ProducerEntry> producers() const = 0;
  /// The offsets of the producer-state snapshots on disk, oldest first
  /// (see PartitionModel::snapshot_offsets).
  [[nodiscard]] virtual std::vector<std::int64_t> snapshot_offsets() const = 0;
  /// A copy with the same state (the world is a value; so are its parts).
  [[nodiscard]] virtual std::unique_ptr<BrokerPartition> clone() const = 0;
};

/// The reference model behind the interface.
std::unique_ptr<BrokerPartition> make_reference_partition(const BrokerConfig& config);

}  // namespace idemcheck::spec
