// my_partition.hpp
//
// An example user's dedup core: one partition's producer state for Kafka's
// idempotent producer (the broker rules of Kafka 2.5 and later), written from
// scratch on a std::map, as a user of the conformance kit would bring their
// own. It keeps no snapshots and never restarts (an in-memory core): it says
// so to the kit, whose tests that need those skip.
//
// Guarantees: answers every client append, replicated append and expiry
// sweep as Kafka's ProducerStateManager and UnifiedLog do (which is what the
// conformance test checks); take_snapshot and restart throw std::logic_error.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include <idemcheck/spec/broker_partition.hpp>

namespace example {

class MyPartition final : public idemcheck::spec::BrokerPartition {
 public:
  /// An empty partition. Requires the kafka-2.5 rules, a window >= 1 and an
  /// expiration >= 1 ms (std::invalid_argument otherwise).
  explicit MyPartition(const idemcheck::spec::BrokerConfig& config);

  [[nodiscard]] std::string_view name() const override { return "my-partition"; }
  idemcheck::spec::AppendOutcome append(const idemcheck::spec::Batch& batch) override;
  void replicate(const idemcheck::spec::Batch& batch) override;
  void expire(std::int64_t now) override;
  /// Not supported: throws std::logic_error.
  void take_snapshot() override;
  /// Not supported: throws std::logic_error.
  void restart(std::int64_t now, bool clean, idemcheck::spec::SnapshotDamage damage) override;
  [[nodiscard]] std::int64_t log_end_offset() const override { return log_end_; }
  [[nodiscard]] std::vector<idemcheck::spec::ProducerEntry> producers() const override;
  /// Always empty: this core writes no snapshots.
  [[nodiscard]] std::vector<std::int64_t> snapshot_offsets() const override { return {}; }
  [[nodiscard]] std::unique_ptr<idemcheck::spec::BrokerPartition> clone() const override;

 private:
  // Writes at the log end and records the batch in its producer's window.
  idemcheck::spec::AppendOutcome write(const idemcheck::spec::Batch& batch);

  idemcheck::spec::BrokerConfig config_;
  std::int64_t log_end_ = 0;
  std::map<std::int64_t, idemcheck::spec::ProducerEntry> producers_;  // sorted by id, as producers() must be
};

}  // namespace example
