// The reference model: every query answers from the replay of the whole
// history, advanced from a checkpoint (see the header).
#include "idemcheck/spec/partition_model.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <stdexcept>

namespace idemcheck::spec {

namespace {

constexpr std::int64_t kSequenceModulus = kMaxSequence + 1;  // 2^31

using Entries = std::map<std::int64_t, ProducerEntry>;

// Writing a batch into an entry, the same for client and replicated writes.
// Returns whether the oldest cached batch changed (evicted, or the cache
// restarted with a new epoch). `keep_epoch`: Redpanda's lower-epoch write.
bool add_batch(ProducerEntry& entry, const PartitionModel::Written& w, int window, bool keep_epoch = false) {
  bool front_changed = entry.batches.empty();
  if (entry.epoch != w.batch.epoch && !keep_epoch) {
    entry.batches.clear();
    entry.epoch = w.batch.epoch;
    front_changed = true;
  }
  entry.batches.push_back(CachedBatch{w.batch.first_sequence, last_sequence(w.batch.first_sequence, w.batch.record_count),
                                      w.first_offset, w.last_offset});
  while (static_cast<int>(entry.batches.size()) > window) {
    entry.batches.erase(entry.batches.begin());
    front_changed = true;
  }
  entry.last_timestamp = w.batch.max_timestamp;
  return front_changed;
}

bool expired(const ProducerEntry& entry, std::int64_t now, std::int64_t expiration_ms) {
  return now - entry.last_timestamp >= expiration_ms;
}

void drop_expired(Entries& entries, std::int64_t now, std::int64_t expiration_ms) {
  std::erase_if(entries, [&](const auto& kv) { return expired(kv.second, now, expiration_ms); });
}

// What a snapshot keeps of the entries (Kafka: only the newest batch).
Entries reduce_for_snapshot(const Entries& entries, const BrokerConfig& config) {
  Entries kept = entries;
  if (config.rules == BrokerRules::automq) {  // the whole window as one batch
    for (auto& [pid, entry] : kept) {
      if (entry.batches.size() > 1) {
        const CachedBatch whole{entry.batches.front().first_sequence, entry.batches.back().last_sequence,
                                entry.batches.front().first_offset, entry.batches.back().last_offset};
        entry.batches.assign(1, whole);
      }
    }
    return kept;
  }
  const bool keeps_window = config.snapshot_keeps_window || config.rules == BrokerRules::redpanda ||
                            config.rules == BrokerRules::kfake;
  if (!keeps_window) {
    for (auto& [pid, entry] : kept) {
      if (entry.batches.size() > 1) entry.batches.erase(entry.batches.begin(), entry.batches.end() - 1);
    }
  }
  return kept;
}

}  // namespace

std::int64_t next_sequence(std::int64_t s) { return (s + 1) % kSequenceModulus; }

std::int64_t last_sequence(std::int64_t first, std::int64_t count) { return (first + count - 1) % kSequenceModulus; }

PartitionModel::PartitionModel(BrokerConfig config) : config_(config) {
  if (config_.window < 1) throw std::invalid_argument("window must be at least 1");
  if (config_.producer_id_expiration_ms < 1) throw std::invalid_argument("producer.id.expiration.ms must be at least 1");
}

namespace {

// One step of the replay: `event` applied to the state `d` the events before
// it arrived at. Both the replay from scratch and the checkpoint use it.
template <class Derived, class Event>
void step(const BrokerConfig& config, const std::vector<PartitionModel::Written>& log, Derived& d, const Event& event) {
  using Kind = typename Event::Kind;
  const int window = effective_window(config.rules, config.window);
  auto write = [&](const PartitionModel::Written& w) {
    d.log_end = w.last_offset + 1;
    if (w.batch.producer_id < 0) return;  // R1: no producer state
    auto [it, inserted] = d.entries.try_emplace(w.batch.producer_id);
    if (inserted) it->second.producer_id = w.batch.producer_id;
    if (add_batch(it->second, w, window, w.keep_entry_epoch)) d.recovered_front.erase(w.batch.producer_id);
  };
  // AutoMQ's rule A2 reads whether the oldest cached batch came from a reload.
  auto mark_loaded = [&] {
    d.recovered_front.clear();
    if (config.rules != BrokerRules::automq) return;
    for (const auto& [pid, entry] : d.entries) {
      if (!entry.batches.empty()) d.recovered_front.insert(pid);
    }
  };
  auto snapshot_now = [&] { d.snapshots[d.log_end] = reduce_for_snapshot(d.entries, config); };
  // Load the newest snapshot (or nothing), then replay as replicated appends
  // what the log held at restart time and the snapshot lacks.
  auto recover = [&](std::int64_t now) {
    const bool has_snapshot = !d.snapshots.empty();
    d.entries = has_snapshot ? d.snapshots.rbegin()->second : Entries{};
    drop_expired(d.entries, now, config.producer_id_expiration_ms);
    mark_loaded();
    d.opened_at = now;
    const std::int64_t from = has_snapshot ? d.snapshots.rbegin()->first : 0;
    // Offsets only grow along the log (every write is at the log end, record
    // counts >= 1), so the entries written at or after `from` and before the
    // restart are one stretch of it: start there, stop past the log end.
    auto w = std::partition_point(log.begin(), log.end(), [&](const auto& x) { return x.first_offset < from; });
    for (; w != log.end() && w->first_offset <= d.log_end; ++w) {
      if (w->first_offset >= from && w->last_offset < d.log_end && w->batch.producer_id >= 0) {
        auto [it, inserted] = d.entries.try_emplace(w->batch.producer_id);
        if (inserted) it->second.producer_id = w->batch.producer_id;
        if (add_batch(it->second, *w, window)) d.recovered_front.erase(w->batch.producer_id);
      }
    }
    snapshot_now();
  };
  // A damaged snapshot cannot be read: it is deleted (Kafka: loadFromSnapshot).
  auto delete_newest = [&] {
    if (!d.snapshots.empty()) d.snapshots.erase(std::prev(d.snapshots.end()));
  };
  switch (event.kind) {
    case Kind::write:
      write(log[event.log_index]);
      break;
    case Kind::expire:
      drop_expired(d.entries, event.now, config.producer_id_expiration_ms);
      break;
    case Kind::snapshot:
      snapshot_now();
      break;
    case Kind::restart_clean:
      snapshot_now();  // at shutdown, at the log end
      if (event.damage == SnapshotDamage::none) {
        d.entries = d.snapshots.rbegin()->second;  // nothing after it to replay
        drop_expired(d.entries, event.now, config.producer_id_expiration_ms);
        mark_loaded();
        d.opened_at = event.now;
      } else {
        delete_newest();  // the shutdown snapshot
        recover(event.now);
      }
      break;
    case Kind::restart_unclean:
      if (event.damage != SnapshotDamage::none) delete_newest();
      recover(event.now);
      break;
  }
}

}  // namespace

const PartitionModel::Derived& PartitionModel::derived() const {
  for (; checkpoint_events_ < history_.size(); ++checkpoint_events_) {
    step(config_, log_, checkpoint_, history_[checkpoint_events_]);
  }
  return checkpoint_;
}

bool PartitionModel::checkpoint_matches_rederivation() const {
  Derived from_scratch;
  for (const Event& event : history_) step(config_, log_, from_scratch, event);
  return derived() == from_scratch;
}

AppendOutcome PartitionModel::append(const Batch& batch) {
  const Derived& d = derived();
  auto write = [&](bool keep_entry_epoch = false) -> AppendOutcome {
    // d refers to the checkpoint, which the push below does not touch (it
    // moves only when a query folds the new event in).
    Written w{batch, d.log_end, d.log_end + batch.record_count - 1, false, keep_entry_epoch};
    log_.push_back(w);
    history_.push_back(Event{Event::Kind::write, log_.size() - 1, 0, SnapshotDamage::none});
    return AppendOutcome{Error::none, false, w.first_offset, w.last_offset};
  };
  auto reject = [](Error e) { return AppendOutcome{e, false, -1, -1}; };

  if (batch.producer_id < 0) return write();                                    // R1
  if (batch.first_sequence < 0) return reject(Error::invalid_record);           // R2

  const auto found = d.entries.find(batch.producer_id);
  EntryView entry;
  if (found != d.entries.end()) {
    entry.exists = true;
    entry.epoch = found->second.epoch;
    entry.batches = found->second.batches;
    entry.front_recovered = d.recovered_front.contains(batch.producer_id);
  }
  const PartitionFacts facts{d.log_end > 0, batch.max_timestamp - d.opened_at};
  // R3..R10 (kafka-2.5), or the configured variant's table.
  const SequenceDecision decision = decide(config_.rules, entry, batch, facts);
  switch (decision.kind) {
    case SequenceDecision::Kind::duplicate: {
      const CachedBatch& b = found->second.batches.at(decision.cached);  // a duplicate has an entry
      return AppendOutcome{Error::none, true, b.first_offset, b.last_offset};
    }
    case SequenceDecision::Kind::reject:
      return reject(decision.error);
    case SequenceDecision::Kind::write:
      break;
  }
  return write(decision.keep_entry_epoch);
}

void PartitionModel::replicate(const Batch& batch) {
  const std::int64_t leo = log_end_offset();
  log_.push_back(Written{batch, leo, leo + batch.record_count - 1, true, false});
  history_.push_back(Event{Event::Kind::write, log_.size() - 1, 0, SnapshotDamage::none});
}

void PartitionModel::expire(std::int64_t now) {
  history_.push_back(Event{Event::Kind::expire, 0, now, SnapshotDamage::none});
}

void PartitionModel::take_snapshot() { history_.push_back(Event{Event::Kind::snapshot, 0, 0, SnapshotDamage::none}); }

void PartitionModel::restart(std::int64_t now, bool clean, SnapshotDamage damage) {
  history_.push_back(Event{clean ? Event::Kind::restart_clean : Event::Kind::restart_unclean, 0, now, damage});
}

std::vector<std::int64_t> PartitionModel::snapshot_offsets() const {
  const Derived& d = derived();
  std::vector<std::int64_t> out;
  for (const auto& [offset, entries] : d.snapshots) out.push_back(offset);
  return out;
}

std::int64_t PartitionModel::log_end_offset() const { return log_.empty() ? 0 : log_.back().last_offset + 1; }

std::vector<ProducerEntry> PartitionModel::producers() const {
  const Derived& d = derived();
  std::vector<ProducerEntry> out;
  for (const auto& [pid, entry] : d.entries) out.push_back(entry);
  return out;
}

std::optional<ProducerEntry> PartitionModel::producer(std::int64_t producer_id) const {
  const Derived& d = derived();
  const auto it = d.entries.find(producer_id);
  if (it == d.entries.end()) return std::nullopt;
  return it->second;
}

}  // namespace idemcheck::spec
