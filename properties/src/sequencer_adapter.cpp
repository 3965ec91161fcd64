// The impl sequencer behind spec::Sequencer: translation of values and of
// refusals, nothing else (see the header).
#include "idemcheck/properties/sequencer_adapter.hpp"

#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "idemcheck/impl/producer_sequencer.hpp"

namespace idemcheck::properties {

namespace {

constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();

[[noreturn]] void refuse(const std::string& what) { throw std::invalid_argument("impl sequencer adapter: " + what); }

template <class T>
std::string str(const T& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

impl::PartitionIndex to_impl_partition(int partition) {
  if (partition < 0 || partition >= impl::SequencerConfig{}.max_partitions) {
    refuse("partition outside [0, max_partitions): " + std::to_string(partition));
  }
  return impl::PartitionIndex{partition};
}

impl::ProducerIdEpoch to_impl(const spec::PidEpoch& p) {
  if (p.epoch < -1 || p.epoch > std::numeric_limits<std::int16_t>::max()) {
    refuse("epoch outside int16: " + std::to_string(p.epoch));
  }
  return impl::ProducerIdEpoch{impl::ProducerId{p.producer_id}, impl::Epoch{static_cast<std::int16_t>(p.epoch)}};
}

spec::PidEpoch to_spec(const impl::ProducerIdEpoch& p) { return spec::PidEpoch{p.producer_id.value, p.epoch.value}; }

impl::RecordCount to_impl_count(std::int64_t records) {
  if (records < 1 || records > kInt32Max) refuse("record count outside [1, 2^31 - 1]: " + std::to_string(records));
  return impl::RecordCount{static_cast<std::int32_t>(records)};
}

impl::BatchStamp to_impl(const spec::BatchStamp& b) {
  if (b.base_sequence < -1 || b.base_sequence > kInt32Max) {
    refuse("base sequence outside [-1, 2^31 - 1]: " + std::to_string(b.base_sequence));
  }
  const impl::ProducerIdEpoch stamp = to_impl(b.stamp);
  return impl::BatchStamp{impl::BatchId{b.batch_id},
                          stamp.producer_id,
                          impl::Sequence{static_cast<std::int32_t>(b.base_sequence)},
                          to_impl_count(b.record_count),
                          stamp.epoch,
                          b.reopened};
}

spec::BatchStamp to_spec(const impl::BatchStamp& b) {
  return spec::BatchStamp{b.id.value, to_spec(b.stamp()), b.base_sequence.value, b.record_count.value, b.reopened};
}

impl::ClientError to_impl(spec::Error e) {
  switch (e) {
    case spec::Error::none: return impl::ClientError::none;
    case spec::Error::request_timed_out: return impl::ClientError::request_timed_out;
    case spec::Error::not_leader_or_follower: return impl::ClientError::not_leader_or_follower;
    case spec::Error::network_exception: return impl::ClientError::network_exception;
    case spec::Error::not_enough_replicas: return impl::ClientError::not_enough_replicas;
    case spec::Error::not_enough_replicas_after_append: return impl::ClientError::not_enough_replicas_after_append;
    case spec::Error::out_of_order_sequence_number: return impl::ClientError::out_of_order_sequence_number;
    case spec::Error::invalid_producer_epoch: return impl::ClientError::invalid_producer_epoch;
    case spec::Error::invalid_record: return impl::ClientError::invalid_record;
    case spec::Error::delivery_timeout: return impl::ClientError::delivery_timeout;
    // Only broker variants answer these; the impl sequencer takes any other code as a non-retriable one.
    case spec::Error::invalid_request:
    case spec::Error::duplicate_sequence_number:
    case spec::Error::unknown_producer_id:
      return static_cast<impl::ClientError>(static_cast<std::int16_t>(e));
    case spec::Error::not_persisted: break;  // a real client's report, never a sequencer's input
  }
  refuse("error code unknown to the adapter: " + std::to_string(static_cast<int>(e)));
}

void check(impl::SequencerError e, const char* call) {
  if (e != impl::SequencerError::none) {
    throw std::logic_error(std::string("impl sequencer refused ") + call + ": " + str(e));
  }
}

template <class T>
T check(const impl::Result<T>& r, const char* call) {
  check(r.error(), call);
  return r.value();
}

class ImplSequencer final : public spec::Sequencer {
 public:
  std::string_view name() const override { return "impl"; }

  void set_producer_id(spec::PidEpoch id) override { seq_.set_producer_id(to_impl(id)); }
  spec::PidEpoch current() const override { return to_spec(seq_.current()); }

  bool may_drain_new(int partition) const override {
    return check(seq_.may_drain_new(to_impl_partition(partition)), "may_drain_new");
  }

  bool may_drain_retry(int partition, const spec::BatchStamp& batch) const override {
    return check(seq_.may_drain_retry(to_impl_partition(partition), to_impl(batch)), "may_drain_retry");
  }

  spec::BatchStamp stamp(int partition, std::uint64_t batch_id, std::int64_t record_count) override {
    return to_spec(check(seq_.stamp(to_impl_partition(partition), impl::BatchId{batch_id}, to_impl_count(record_count)),
                         "stamp"));
  }

  spec::BatchStamp on_drained(int partition, const spec::BatchStamp& batch) override {
    return to_spec(check(seq_.on_drained(to_impl_partition(partition), to_impl(batch)), "on_drained"));
  }

  void on_success(int partition, const spec::BatchStamp& batch, std::int64_t base_offset) override {
    check(seq_.on_success(to_impl_partition(partition), to_impl(batch), impl::Offset{base_offset}), "on_success");
  }

  bool can_retry(int partition, const spec::BatchStamp& batch, spec::Error error) override {
    return check(seq_.can_retry(to_impl_partition(partition), to_impl(batch), to_impl(error)), "can_retry");
  }

  void on_failure(int partition, const spec::BatchStamp& batch, spec::Error error, bool adjust) override {
    check(seq_.on_failure(to_impl_partition(partition), to_impl(batch), to_impl(error), adjust), "on_failure");
  }

  void on_expired(int partition, const spec::BatchStamp& batch, bool in_retry) override {
    check(seq_.on_expired(to_impl_partition(partition), to_impl(batch), in_retry), "on_expired");
  }

  std::vector<spec::Restamp> begin_send_loop() override {
    std::vector<spec::Restamp> out;
    for (const impl::Restamp& r : seq_.begin_send_loop()) out.push_back(spec::Restamp{r.partition.value, to_spec(r.batch)});
    return out;
  }

  spec::SequencerState state() const override {
    spec::SequencerState s;
    s.current = to_spec(seq_.current());
    s.epoch_bump_required = seq_.epoch_bump_required();
    for (const impl::PartitionIndex p : seq_.partitions_to_rewrite()) s.partitions_to_rewrite.push_back(p.value);
    for (std::int32_t i = 0; i < seq_.partition_bound(); ++i) {
      const auto v = seq_.partition(impl::PartitionIndex{i});
      if (!v) continue;
      spec::PartitionSequenceState& p = s.partitions[i];
      p.stamp = to_spec(v->stamp);
      p.next_sequence = v->next_sequence.value;
      p.last_acked_sequence = v->last_acked_sequence.value;
      p.last_acked_offset = v->last_acked_offset.value;
      if (v->unresolved) p.unresolved = v->unresolved->value;
      for (const impl::BatchStamp& b : v->in_flight) p.in_flight.push_back(to_spec(b));
    }
    return s;
  }

  std::unique_ptr<spec::Sequencer> clone() const override { return std::make_unique<ImplSequencer>(*this); }

 private:
  impl::ProducerSequencer seq_;
};

}  // namespace

std::unique_ptr<spec::Sequencer> make_impl_sequencer() { return std::make_unique<ImplSequencer>(); }

}  // namespace idemcheck::properties
