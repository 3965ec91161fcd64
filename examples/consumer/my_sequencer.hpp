// my_sequencer.hpp
//
// An example user's producer-side sequencer. To keep the example short it
// delegates every call to idemcheck's reference sequencer: it shows how a
// sequencer is plugged into the conformance kit, not how one is written (a
// real one would keep its own per-partition state here).
//
// Guarantees: answers exactly as spec::make_reference_sequencer(rules) does;
// name() is "my-sequencer", copies included.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include <idemcheck/spec/client_rules.hpp>
#include <idemcheck/spec/sequencer.hpp>

namespace example {

class MySequencer final : public idemcheck::spec::Sequencer {
 public:
  /// A sequencer with no producer id yet, following the client variant `rules`.
  explicit MySequencer(idemcheck::spec::ClientRules rules);

  [[nodiscard]] std::string_view name() const override { return "my-sequencer"; }
  void set_producer_id(idemcheck::spec::PidEpoch id) override { inner_->set_producer_id(id); }
  [[nodiscard]] idemcheck::spec::PidEpoch current() const override { return inner_->current(); }
  [[nodiscard]] bool may_drain_new(int partition) const override { return inner_->may_drain_new(partition); }
  [[nodiscard]] bool may_drain_retry(int partition, const idemcheck::spec::BatchStamp& batch) const override {
    return inner_->may_drain_retry(partition, batch);
  }
  idemcheck::spec::BatchStamp stamp(int partition, std::uint64_t batch_id, std::int64_t record_count) override {
    return inner_->stamp(partition, batch_id, record_count);
  }
  idemcheck::spec::BatchStamp on_drained(int partition, const idemcheck::spec::BatchStamp& batch) override {
    return inner_->on_drained(partition, batch);
  }
  void on_success(int partition, const idemcheck::spec::BatchStamp& batch, std::int64_t base_offset) override {
    inner_->on_success(partition, batch, base_offset);
  }
  bool can_retry(int partition, const idemcheck::spec::BatchStamp& batch, idemcheck::spec::Error error) override {
    return inner_->can_retry(partition, batch, error);
  }
  void on_failure(int partition, const idemcheck::spec::BatchStamp& batch, idemcheck::spec::Error error,
                  bool adjust) override {
    inner_->on_failure(partition, batch, error, adjust);
  }
  void on_expired(int partition, const idemcheck::spec::BatchStamp& batch, bool in_retry) override {
    inner_->on_expired(partition, batch, in_retry);
  }
  std::vector<idemcheck::spec::Restamp> begin_send_loop() override { return inner_->begin_send_loop(); }
  std::vector<idemcheck::spec::Restamp> take_restamps() override { return inner_->take_restamps(); }
  [[nodiscard]] idemcheck::spec::SequencerState state() const override { return inner_->state(); }
  [[nodiscard]] std::unique_ptr<idemcheck::spec::Sequencer> clone() const override;

 private:
  explicit MySequencer(std::unique_ptr<idemcheck::spec::Sequencer> inner) : inner_(std::move(inner)) {}
  std::unique_ptr<idemcheck::spec::Sequencer> inner_;
};

}  // namespace example
