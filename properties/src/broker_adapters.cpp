#include "idemcheck/properties/broker_adapters.hpp"

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

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
    case impl::Errc::offset_overflow:
      // The spec's log starts at 0 and grows by at most 2^31 - 1 records a
      // batch, so it never gets near INT64_MAX; impl refusing there is a defect.
      throw std::logic_error("impl refused a write with offset_overflow at a log end the spec cannot reach");
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

// A broker's damage to a snapshot file, done to the bytes themselves so that
// impl's real decoder has to notice it. Torn: the second half is lost (Kafka's
// testLoadFromTruncatedSnapshotFile cuts the file to half its size).
// Corrupt: the last byte is flipped -- after the header when the snapshot
// holds a producer, else the header's last byte; either is covered by the CRC.
void damage_bytes(std::vector<std::byte>& bytes, spec::SnapshotDamage damage) {
  switch (damage) {
    case spec::SnapshotDamage::none: return;
    case spec::SnapshotDamage::torn: bytes.resize(bytes.size() / 2); return;
    case spec::SnapshotDamage::corrupt:
      if (!bytes.empty()) bytes.back() ^= std::byte{0xFF};
      return;
  }
  throw std::logic_error("unknown snapshot damage " + std::to_string(static_cast<int>(damage)));
}

// The impl table holds producer state only; a broker also has the log and the
// snapshot files, which this adapter keeps (the files as their bytes, oldest
// first, one per offset as a broker names them) so that a restart can replay
// the log after the snapshot it loads, as Kafka's log recovery does.
template <int MaxWindow, class Hash>
class ImplPartition final : public spec::BrokerPartition {
  using Table = impl::BasicProducerStateTable<MaxWindow, Hash>;

 public:
  ImplPartition(const spec::BrokerConfig& config, Hash hash)
      : config_{config.window, config.producer_id_expiration_ms, config.snapshot_keeps_window}, table_(config_, hash) {}

  std::string_view name() const override { return "impl"; }

  spec::AppendOutcome append(const spec::Batch& batch) override {
    const impl::AppendResult r = table_.append(to_impl(batch));
    verify("append");
    if (r.error == impl::Errc::none && !r.duplicate) log_.push_back(Logged{batch, r.first_offset.value});
    return spec::AppendOutcome{to_spec(r.error), r.duplicate, r.first_offset.value, r.last_offset.value};
  }

  void replicate(const spec::Batch& batch) override {
    log_.push_back(Logged{batch, table_.log_end_offset().value});
    replay(batch);
    verify("replicate");
  }

  void expire(std::int64_t now) override {
    table_.expire(impl::Timestamp{now});
    verify("expire");
  }

  void take_snapshot() override {
    SnapshotFile file{table_.log_end_offset().value, table_.snapshot()};
    if (!snapshots_.empty() && snapshots_.back().offset == file.offset) {
      snapshots_.back() = std::move(file);  // the same file name: overwritten
    } else {
      snapshots_.push_back(std::move(file));
    }
  }

  void restart(std::int64_t now, bool clean, spec::SnapshotDamage damage = spec::SnapshotDamage::none) override {
    const std::int64_t log_end = table_.log_end_offset().value;
    if (clean) take_snapshot();
    const bool damaged = damage != spec::SnapshotDamage::none && !snapshots_.empty();
    if (damaged) damage_bytes(snapshots_.back().bytes, damage);

    // Read the files newest first; the ones that do not decode are deleted.
    std::vector<std::span<const std::byte>> newest_first;
    for (auto it = snapshots_.rbegin(); it != snapshots_.rend(); ++it) newest_first.emplace_back(it->bytes);
    auto recovered = Table::load_newest_valid(newest_first, config_, impl::Timestamp{now}, table_.hash());
    const std::size_t expected_rejections = damaged ? 1 : 0;
    if (recovered.rejected.size() < expected_rejections) {
      throw std::logic_error("impl loaded a " + std::string(spec::name(damage)) + " snapshot at offset " +
                             std::to_string(snapshots_.back().offset) + " instead of rejecting it");
    }
    if (recovered.rejected.size() > expected_rejections) {
      throw std::logic_error("impl could not load its own snapshot: " +
                             recovered.rejected[expected_rejections].message);
    }
    snapshots_.resize(snapshots_.size() - recovered.rejected.size());
    table_ = std::move(recovered.table);

    // Log recovery: replay what the loaded snapshot does not cover (all of
    // the log when none loaded), as replicated appends.
    const std::int64_t from = table_.log_end_offset().value;
    for (const Logged& l : log_) {
      if (l.first_offset >= from && l.first_offset < log_end) replay(l.batch);
    }
    take_snapshot();
    verify("restart");
  }

  std::int64_t log_end_offset() const override { return table_.log_end_offset().value; }

  std::unique_ptr<spec::BrokerPartition> clone() const override { return std::make_unique<ImplPartition>(*this); }

  // copy_impl_partition(..., CopyHow::assign): a partition with state of its
  // own -- more producers than `from` has, so a bigger index and more entry
  // chunks -- then assigned from `from`.
  std::unique_ptr<ImplPartition> assigned_copy() const {
    auto p = std::make_unique<ImplPartition>(spec::BrokerConfig{config_.window, config_.producer_id_expiration_ms,
                                                                config_.snapshot_keeps_window},
                                             table_.hash());
    const std::int64_t others = static_cast<std::int64_t>(table_.size()) * 2 + 300;
    for (std::int64_t pid = 0; pid < others; ++pid) p->replicate(spec::Batch{1'000'000 + pid, 0, pid % 7, 1, 0});
    *p = *this;
    return p;
  }

  std::vector<spec::ProducerEntry> producers() const override {
    std::vector<spec::ProducerEntry> out;
    for (const impl::EntryView& v : table_.entries()) out.push_back(to_spec(v));
    return out;
  }

  std::vector<std::int64_t> snapshot_offsets() const override {
    std::vector<std::int64_t> out;
    for (const SnapshotFile& f : snapshots_) out.push_back(f.offset);
    return out;
  }

 private:
  // A replicated write the spec accepted: impl must write it too.
  void replay(const spec::Batch& batch) {
    const impl::Errc e = table_.replicate(to_impl(batch));
    if (e == impl::Errc::offset_overflow) (void)to_spec(e);  // throws: the spec cannot get there
  }

  // A probe that ran around the whole index (checked builds) is a defect of
  // the core: reported, not carried on.
  void verify(const char* op) const {
    if (const std::string_view broken = table_.broken_invariant(); !broken.empty()) {
      throw std::logic_error(std::string("impl table's index is broken after ") + op + ": " + std::string(broken));
    }
  }

  struct Logged {
    spec::Batch batch;
    std::int64_t first_offset;
  };
  struct SnapshotFile {
    std::int64_t offset;           // the log end offset it was taken at (Kafka's file name)
    std::vector<std::byte> bytes;  // impl's encoding, damaged in place by a damaged restart
  };

  impl::TableConfig config_;
  Table table_;
  std::vector<Logged> log_;
  std::vector<SnapshotFile> snapshots_;  // oldest first
};

}  // namespace

std::unique_ptr<spec::BrokerPartition> make_impl_partition(const spec::BrokerConfig& config) {
  return make_impl_partition_hashed(config, 0);
}

std::unique_ptr<spec::BrokerPartition> make_impl_partition_hashed(const spec::BrokerConfig& config, int hash_classes) {
  if (config.window < 1 || config.window > 8) {
    throw std::invalid_argument("the impl table supports a window of 1 to 8 batches, not " +
                                std::to_string(config.window));
  }
  if (hash_classes < 0) throw std::invalid_argument("hash_classes must be >= 0, not " + std::to_string(hash_classes));
  using Default = impl::DefaultProducerIdHash;
  if (hash_classes == 0) {
    if (config.window <= 5) return std::make_unique<ImplPartition<5, Default>>(config, Default{});
    return std::make_unique<ImplPartition<8, Default>>(config, Default{});
  }
  const CollidingHash colliding{static_cast<std::uint32_t>(hash_classes)};
  if (config.window <= 5) return std::make_unique<ImplPartition<5, CollidingHash>>(config, colliding);
  return std::make_unique<ImplPartition<8, CollidingHash>>(config, colliding);
}

namespace {

template <class P>
std::unique_ptr<spec::BrokerPartition> copy_as(const spec::BrokerPartition& from, CopyHow how) {
  const auto* p = dynamic_cast<const P*>(&from);
  if (p == nullptr) return nullptr;
  if (how == CopyHow::assign) return p->assigned_copy();
  return std::make_unique<P>(*p);
}

}  // namespace

std::unique_ptr<spec::BrokerPartition> copy_impl_partition(const spec::BrokerPartition& from, CopyHow how) {
  using Default = impl::DefaultProducerIdHash;
  if (auto p = copy_as<ImplPartition<5, Default>>(from, how)) return p;
  if (auto p = copy_as<ImplPartition<8, Default>>(from, how)) return p;
  if (auto p = copy_as<ImplPartition<5, CollidingHash>>(from, how)) return p;
  if (auto p = copy_as<ImplPartition<8, CollidingHash>>(from, how)) return p;
  throw std::invalid_argument("copy_impl_partition: not an impl partition (" + std::string(from.name()) + ")");
}

}  // namespace idemcheck::properties
