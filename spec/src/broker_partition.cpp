#include "idemcheck/spec/broker_partition.hpp"

namespace idemcheck::spec {

namespace {

class ReferencePartition final : public BrokerPartition {
 public:
  explicit ReferencePartition(const BrokerConfig& config) : model_(config) {}
  std::string_view name() const override { return "spec"; }
  AppendOutcome append(const Batch& batch) override { return model_.append(batch); }
  void replicate(const Batch& batch) override { model_.replicate(batch); }
  void expire(std::int64_t now) override { model_.expire(now); }
  void take_snapshot() override { model_.take_snapshot(); }
  void restart(std::int64_t now, bool clean, SnapshotDamage damage = SnapshotDamage::none) override {
    model_.restart(now, clean, damage);
  }
  std::int64_t log_end_offset() const override { return model_.log_end_offset(); }
  std::vector<ProducerEntry> producers() const override { return model_.producers(); }
  std::vector<std::int64_t> snapshot_offsets() const override { return model_.snapshot_offsets(); }
  std::unique_ptr<BrokerPartition> clone() const override { return std::make_unique<ReferencePartition>(*this); }

 private:
  PartitionModel model_;
};

}  // namespace

std::unique_ptr<BrokerPartition> make_reference_partition(const BrokerConfig& config) {
  return std::make_unique<ReferencePartition>(config);
}

}  // namespace idemcheck::spec
