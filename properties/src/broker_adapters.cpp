#include "idemcheck/properties/broker_adapters.hpp"

#include <stdexcept>
#include <string>
#include <variant>

#include "idemcheck/impl/producer_state_table.hpp"

namespace idemcheck::properties {

namespace {

impl::BatchHeader to_impl(const spec::Batch& b) {
  return impl::BatchHeader{impl::ProducerId{b.producer_id}, impl::Epoch{static_cast<std::int16_t>(b.epoch)},
                           impl::Sequence{static_cast<std::int32_t>(b.first_sequence)},
                           static_cast<std::int32_t>(b.record_count - 1), impl::Timestamp{b.max_timestamp}};
}

spec::Error to_spec(impl::Errc e) {
  switch (e) {
    case impl::Errc::none: return spec::Error::none;
    case impl::Errc::out_of_order_sequence_number: return spec::Error::out_of_order_sequence_number;
    case impl::Errc::invalid_producer_epoch: return spec::Error::invalid_producer_epoch;
    case impl::Errc::invalid_record: return spec::Error::invalid_record;
  }
  throw std::logic_error("impl returned an error code the spec does not know: " +
                         std::to_string(static_cast<int>(e)));
}

spec::ProducerEntry to_spec(const impl::EntryView& v) {
  spec::ProducerEntry e;
  e.producer_id = v.producer_id.value;
  e.epoch = v.epoch.value;
  e.last_timestamp = v.last_timestamp.ms;
  for (int i = 0; i < v.batch_count; ++i) {
    const impl::CachedBatch& b = v.batches[i];
    e.batches.push_back(spec::CachedBatch{b.first_sequence.value, b.last_sequence.value, b.first_offset.value,
                                          b.last_offset.value});
  }
  return e;
}

// The impl table holds producer state only; a broker also has the log and the
// snapshot files, which this adapter keeps so that an unclean restart can
// replay the log after the snapshot, as Kafka's log recovery does.
template <int MaxWindow>
class ImplPartition final : public spec::BrokerPartition {
  using Table = impl::BasicProducerStateTable<MaxWindow>;

 public:
  explicit ImplPartition(const spec::BrokerConfig& config)
      : config_{config.window, config.producer_id_expiration_ms, config.snapshot_keeps_window}, table_(config_) {}

  std::string_view name() const override { return "impl"; }

  spec::AppendOutcome append(const spec::Batch& batch) override {
    const impl::AppendResult r = table_.append(to_impl(batch));
    if (r.error == impl::Errc::none && !r.duplicate) log_.push_back(Logged{batch, r.first_offset.value});
    return spec::AppendOutcome{to_spec(r.error), r.duplicate, r.first_offset.value, r.last_offset.value};
  }

  void replicate(const spec::Batch& batch) override {
    log_.push_back(Logged{batch, table_.log_end_offset().value});
    table_.replicate(to_impl(batch));
  }

  void expire(std::int64_t now) override { table_.expire(impl::Timestamp{now}); }

  void take_snapshot() override {
    snapshot_ = table_.snapshot();
    snapshot_offset_ = table_.log_end_offset().value;
  }

  void restart(std::int64_t now, bool clean) override {
    const std::int64_t log_end = table_.log_end_offset().value;
    if (clean) take_snapshot();
    if (snapshot_.empty()) {
      table_ = Table(config_);
    } else {
      table_ = load_or_throw(snapshot_, impl::Timestamp{now});
    }
    // Log recovery: replay what the snapshot does not cover.
    for (const Logged& l : log_) {
      if (l.first_offset >= (snapshot_.empty() ? 0 : snapshot_offset_) && l.first_offset < log_end) {
        table_.replicate(to_impl(l.batch));
      }
    }
    take_snapshot();
  }

  std::int64_t log_end_offset() const override { return table_.log_end_offset().value; }

  std::unique_ptr<spec::BrokerPartition> clone() const override { return std::make_unique<ImplPartition>(*this); }

  std::vector<spec::ProducerEntry> producers() const override {
    std::vector<spec::ProducerEntry> out;
    for (const impl::EntryView& v : table_.entries()) out.push_back(to_spec(v));
    return out;
  }

 private:
  struct Logged {
    spec::Batch batch;
    std::int64_t first_offset;
  };

  Table load_or_throw(const std::vector<std::byte>& bytes, impl::Timestamp now) const {
    auto loaded = Table::load(bytes, config_, now);
    if (auto* err = std::get_if<impl::SnapshotError>(&loaded)) {
      throw std::logic_error("impl could not load its own snapshot: " + err->message);
    }
    return std::get<Table>(std::move(loaded));
  }

  impl::TableConfig config_;
  Table table_;
  std::vector<Logged> log_;
  std::vector<std::byte> snapshot_;
  std::int64_t snapshot_offset_ = 0;
};

}  // namespace

std::unique_ptr<spec::BrokerPartition> make_impl_partition(const spec::BrokerConfig& config) {
  if (config.window < 1 || config.window > 8) {
    throw std::invalid_argument("the impl table supports a window of 1 to 8 batches, not " +
                                std::to_string(config.window));
  }
  if (config.window <= 5) return std::make_unique<ImplPartition<5>>(config);
  return std::make_unique<ImplPartition<8>>(config);
}

}  // namespace idemcheck::properties
