// The example core (see my_partition.hpp). Rule names follow the table in
// the idemcheck README ("Broker side"): R1..R10 for Kafka 2.5 and later.
#include "my_partition.hpp"

#include <stdexcept>

namespace example {

namespace spec = idemcheck::spec;

namespace {

constexpr std::int64_t kModulus = spec::kMaxSequence + 1;  // sequences wrap at 2^31

std::int64_t last_of(std::int64_t first, std::int64_t records) { return (first + records - 1) % kModulus; }

}  // namespace

MyPartition::MyPartition(const spec::BrokerConfig& config) : config_(config) {
  if (config.rules != spec::BrokerRules::kafka_2_5) {
    throw std::invalid_argument("MyPartition has Kafka 2.5's rules only");
  }
  if (config.window < 1 || config.producer_id_expiration_ms < 1) throw std::invalid_argument("bad config");
}

spec::AppendOutcome MyPartition::append(const spec::Batch& b) {
  auto reject = [](spec::Error e) { return spec::AppendOutcome{e, false, -1, -1}; };
  if (b.producer_id < 0) return write(b);                                         // R1
  if (b.first_sequence < 0) return reject(spec::Error::invalid_record);           // R2
  const auto it = producers_.find(b.producer_id);
  if (it == producers_.end()) {
    // Without an entry the epoch is -1: only an epoch below it is stale.
    if (b.epoch < spec::kNoEpoch) return reject(spec::Error::invalid_producer_epoch);
    return write(b);                                                              // R5
  }
  const spec::ProducerEntry& e = it->second;
  const std::int64_t last = last_of(b.first_sequence, b.record_count);
  if (b.epoch == e.epoch) {                                                       // R3
    for (const spec::CachedBatch& c : e.batches) {
      if (c.first_sequence == b.first_sequence && c.last_sequence == last) {
        return {spec::Error::none, true, c.first_offset, c.last_offset};  // answered from the cache, not written
      }
    }
  }
  if (b.epoch < e.epoch) return reject(spec::Error::invalid_producer_epoch);      // R4
  // An entry of epoch -1 holds no producer state for a batch with an epoch.
  if (e.epoch == spec::kNoEpoch && b.epoch != e.epoch) return write(b);
  if (b.epoch > e.epoch) {                                                        // R6, R7
    return b.first_sequence == 0 ? write(b) : reject(spec::Error::out_of_order_sequence_number);
  }
  if (e.epoch == spec::kNoEpoch) return write(b);                                 // R8
  if (e.batches.empty()) {
    return b.first_sequence == 0 ? write(b) : reject(spec::Error::out_of_order_sequence_number);
  }
  if (b.first_sequence == (e.batches.back().last_sequence + 1) % kModulus) return write(b);  // R9
  return reject(spec::Error::out_of_order_sequence_number);                       // R10
}

void MyPartition::replicate(const spec::Batch& batch) { write(batch); }

spec::AppendOutcome MyPartition::write(const spec::Batch& b) {
  const spec::AppendOutcome written{spec::Error::none, false, log_end_, log_end_ + b.record_count - 1};
  log_end_ += b.record_count;
  if (b.producer_id < 0) return written;
  spec::ProducerEntry& e = producers_[b.producer_id];
  e.producer_id = b.producer_id;
  if (e.epoch != b.epoch) {
    // A new epoch starts a new window.
    e.batches.clear();
    e.epoch = b.epoch;
  }
  e.batches.push_back({b.first_sequence, last_of(b.first_sequence, b.record_count), written.first_offset,
                       written.last_offset});
  if (static_cast<int>(e.batches.size()) > config_.window) e.batches.erase(e.batches.begin());
  e.last_timestamp = b.max_timestamp;
  return written;
}

void MyPartition::expire(std::int64_t now) {
  std::erase_if(producers_,
                [&](const auto& kv) { return now - kv.second.last_timestamp >= config_.producer_id_expiration_ms; });
}

void MyPartition::take_snapshot() { throw std::logic_error("MyPartition keeps no snapshots"); }

void MyPartition::restart(std::int64_t, bool, spec::SnapshotDamage) {
  throw std::logic_error("MyPartition does not restart");
}

std::vector<spec::ProducerEntry> MyPartition::producers() const {
  std::vector<spec::ProducerEntry> out;
  for (const auto& [id, entry] : producers_) out.push_back(entry);
  return out;
}

std::unique_ptr<spec::BrokerPartition> MyPartition::clone() const { return std::make_unique<MyPartition>(*this); }

}  // namespace example
