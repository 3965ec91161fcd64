#include "idemcheck/properties/broker_differential.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <sstream>

#include "idemcheck/properties/broker_adapters.hpp"
#include "idemcheck/properties/broker_check.hpp"

namespace idemcheck::properties {

std::string_view name(BrokerCase c) {
  switch (c) {
    case BrokerCase::append_in_sequence: return "append in sequence";
    case BrokerCase::duplicate_from_cache: return "duplicate answered from the cache";
    case BrokerCase::evicted_retry_rejected: return "retry of an evicted batch rejected";
    case BrokerCase::partial_overlap_rejected: return "partial overlap rejected";
    case BrokerCase::gap_rejected: return "sequence gap rejected";
    case BrokerCase::epoch_bump_accepted: return "epoch bump at sequence 0 accepted";
    case BrokerCase::epoch_bump_nonzero_rejected: return "epoch bump at nonzero sequence rejected";
    case BrokerCase::stale_epoch_rejected: return "stale epoch rejected";
    case BrokerCase::unknown_producer_accepted: return "unknown producer accepted";
    case BrokerCase::sequence_wrapped: return "sequence wrapped past INT32_MAX";
    case BrokerCase::no_producer_id: return "batch without producer id";
    case BrokerCase::invalid_record: return "negative sequence rejected (INVALID_RECORD)";
    case BrokerCase::replicated_append: return "replicated append";
    case BrokerCase::expiry_removed_producer: return "expiry removed a producer";
    case BrokerCase::restart_shrank_window: return "restart shrank a window";
    case BrokerCase::unclean_restart_replayed: return "unclean restart replayed the log";
    case BrokerCase::damaged_snapshot_fell_back: return "damaged snapshot: fell back to an older one";
    case BrokerCase::damaged_snapshot_rebuilt_from_log: return "damaged snapshot: none left, whole log replayed";
    case BrokerCase::damaged_restart_restored_window: return "damaged restart kept more batches than undamaged";
    case BrokerCase::retry_after_expiry_rewritten: return "retry after expiry written again";
    case BrokerCase::large_batch: return "batch of more than 65,535 records";
    case BrokerCase::copy_checked: return "a copied table checked after a later write";
    case BrokerCase::copy_of_copy_checked: return "a copy of a copy checked after a later write";
    case BrokerCase::copied_scattered_window: return "a table copied while a window was scattered";
    case BrokerCase::copied_after_expiry: return "a table copied after expiry removed producers";
    case BrokerCase::copied_after_growth: return "a table copied after it grew (more than 14 producers)";
    case BrokerCase::tag_shared: return "a batch of a producer sharing its hash tag";
    case BrokerCase::full_bucket: return "more than 8 live producers on one tag";
    case BrokerCase::deletion_in_full_bucket: return "expiry removed one of more than 8 on a tag";
    case BrokerCase::count_: break;
  }
  return "unknown case";
}

void BrokerCoverage::merge(const BrokerCoverage& other) {
  for (std::size_t i = 0; i < kBrokerCaseCount; ++i) counts[i] += other.counts[i];
  histories += other.histories;
  steps += other.steps;
}

std::vector<BrokerCase> BrokerCoverage::missing() const {
  std::vector<BrokerCase> out;
  for (std::size_t i = 0; i < kBrokerCaseCount; ++i) {
    if (counts[i] == 0) out.push_back(static_cast<BrokerCase>(i));
  }
  return out;
}

namespace {

using K = BrokerOp::Kind;

// What the harness remembers of one producer slot: enough to build its next
// batch, its retries and its mistakes.
struct Slot {
  std::int64_t producer_id = -1;  // -1: not started yet
  std::int32_t epoch = 0;
  std::int64_t next_sequence = 0;
  std::vector<spec::Batch> written;  // every batch the broker wrote for it, oldest first
};

template <class T>
std::string show(const T& value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

std::string show_entries(const std::vector<spec::ProducerEntry>& entries) {
  std::ostringstream os;
  for (const auto& e : entries) os << "\n      " << e;
  return entries.empty() ? std::string(" (none)") : os.str();
}

std::string show_offsets(const std::vector<std::int64_t>& offsets) {
  std::ostringstream os;
  os << "snapshots at {";
  for (std::size_t i = 0; i < offsets.size(); ++i) os << (i ? ", " : "") << offsets[i];
  return os.str() + "}";
}

// A window is scattered when a batch does not start right after the one
// before it (replication, snapshot gaps, producers without an epoch): the
// impl table then keeps its older sequences in the cold records.
bool scattered(const spec::ProducerEntry& e) {
  for (std::size_t i = 1; i < e.batches.size(); ++i) {
    if (e.batches[i].first_sequence != spec::next_sequence(e.batches[i - 1].last_sequence)) return true;
  }
  return false;
}

// One impl partition of the run: the original or a copy.
struct ImplSide {
  std::unique_ptr<spec::BrokerPartition> partition;
  std::string label;   // "impl", "impl copy 2 (copy-assigned from copy 1 at step 17)"
  int generation = 0;  // 0: the original; a copy is one more than what it was copied from
  int number = 0;      // copies are numbered from 1 in the order they were made
};

class Interpreter {
 public:
  Interpreter(const BrokerHistory& h, const CoreUnderTest& core)
      : core_(core), config_(h.config), hash_classes_(h.hash_classes), spec_(spec::make_reference_partition(h.config)) {
    impls_.push_back(ImplSide{core_.make(h.config, h.hash_classes), core_.name, 0, 0});
  }

  BrokerRunResult run(const std::vector<BrokerOp>& ops) {
    BrokerRunResult result;
    result.coverage.histories = 1;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      ++result.coverage.steps;
      step_ = i;
      if (auto d = step(ops[i], result.coverage)) {
        d->step = i;
        result.divergence = std::move(d);
        return result;
      }
    }
    return result;
  }

 private:
  Slot& started(int index) {
    Slot& s = slots_[static_cast<std::size_t>(index)];
    if (s.producer_id < 0) start(s, 0);
    return s;
  }

  void start(Slot& s, std::int64_t mode) {
    s = Slot{};
    s.producer_id = next_producer_id_++;
    switch (mode) {
      case 0: break;
      case 1: s.next_sequence = 1000 + s.producer_id; s.epoch = 3; break;              // mid-stream producer
      case 2: s.next_sequence = spec::kMaxSequence - (s.producer_id % 4); break;        // about to wrap
      default: s.next_sequence = spec::kMaxSequence - 2; s.epoch = 32'766; break;       // last epochs too
    }
  }

  spec::Batch batch(const Slot& s, std::int32_t epoch, std::int64_t first, std::int64_t records) const {
    return spec::Batch{s.producer_id, epoch, first, records, now_};
  }

  // How many live producers share each tag (colliding hash only).
  std::map<std::int64_t, int> per_tag(const std::vector<spec::ProducerEntry>& entries) const {
    std::map<std::int64_t, int> n;
    if (hash_classes_ > 0) {
      for (const auto& e : entries) ++n[e.producer_id % hash_classes_];
    }
    return n;
  }

  // Forks the impl side: a copy of the newest impl partition joins the run.
  void copy_table(const BrokerOp& op, const std::vector<spec::ProducerEntry>& state, BrokerCoverage& cov) {
    auto count = [&](BrokerCase c) { ++cov.counts[static_cast<std::size_t>(c)]; };
    const ImplSide& from = impls_.back();
    const CopyHow how = op.arg == 1 ? CopyHow::assign : CopyHow::construct;
    ImplSide copy{core_.copy ? core_.copy(*from.partition, how) : from.partition->clone(), "", from.generation + 1,
                  ++copies_};
    copy.label = core_.name + " copy " + std::to_string(copy.number) + " (copy-" +
                 (how == CopyHow::assign ? "assigned" : "constructed") + " from " +
                 (from.generation == 0 ? std::string("the original") : "copy " + std::to_string(from.number)) +
                 " at step " + std::to_string(step_) + ")";
    if (std::any_of(state.begin(), state.end(), scattered)) count(BrokerCase::copied_scattered_window);
    if (expired_any_) count(BrokerCase::copied_after_expiry);
    if (state.size() > 14) count(BrokerCase::copied_after_growth);  // an empty table's index holds 14
    // The original and the three newest copies run; an older copy retires.
    if (impls_.size() == 4) impls_.erase(impls_.begin() + 1);
    impls_.push_back(std::move(copy));
  }

  std::optional<BrokerDivergence> step(const BrokerOp& op, BrokerCoverage& cov) {
    auto count = [&](BrokerCase c) { ++cov.counts[static_cast<std::size_t>(c)]; };
    const auto before = spec_->producers();
    std::optional<spec::Batch> sent;
    bool replicated = false;
    K effective = op.kind;  // what the op turned into (a retry with nothing to retry is a plain append)

    switch (op.kind) {
      case K::append_next: {
        Slot& s = started(op.producer);
        sent = batch(s, s.epoch, s.next_sequence, op.records);
        break;
      }
      case K::retry_recent:
      case K::retry_evicted:
      case K::partial_overlap: {
        Slot& s = started(op.producer);
        const std::int64_t back = op.kind == K::retry_evicted ? config_.window + op.arg : op.arg;
        if (back < 1 || static_cast<std::int64_t>(s.written.size()) < back) {
          sent = batch(s, s.epoch, s.next_sequence, op.records);  // nothing that old yet: a plain append
          effective = K::append_next;
          break;
        }
        spec::Batch b = s.written[s.written.size() - static_cast<std::size_t>(back)];
        if (op.kind == K::partial_overlap) {
          // Same start, one record more (or fewer): overlaps without matching.
          b.record_count = b.record_count > 1 && op.records % 2 == 0 ? b.record_count - 1 : b.record_count + 1;
        }
        sent = b;
        break;
      }
      case K::gap: {
        Slot& s = started(op.producer);
        sent = batch(s, s.epoch, (s.next_sequence + op.arg) % (spec::kMaxSequence + 1), op.records);
        break;
      }
      case K::bump_epoch:
      case K::bump_epoch_nonzero: {
        Slot& s = started(op.producer);
        const std::int32_t e = s.epoch < 32'767 ? s.epoch + 1 : s.epoch;
        sent = batch(s, e, op.kind == K::bump_epoch ? 0 : s.next_sequence, op.records);
        break;
      }
      case K::stale_epoch: {
        Slot& s = started(op.producer);
        sent = batch(s, s.epoch - 1, s.next_sequence, op.records);
        break;
      }
      case K::new_producer: {
        Slot& s = slots_[static_cast<std::size_t>(op.producer)];
        start(s, op.arg);
        sent = batch(s, s.epoch, s.next_sequence, op.records);
        break;
      }
      case K::no_producer_id:
        sent = spec::Batch{spec::kNoProducerId, spec::kNoEpoch, spec::kNoSequence, op.records, now_};
        break;
      case K::negative_sequence: {
        Slot& s = started(op.producer);
        sent = batch(s, s.epoch, op.arg == 0 ? -1 : std::numeric_limits<std::int32_t>::min(), op.records);
        break;
      }
      case K::replicate_next: {
        Slot& s = started(op.producer);
        sent = batch(s, s.epoch, s.next_sequence, op.records);
        replicated = true;
        break;
      }
      case K::expire:
      case K::advance_time:
        now_ += op.arg;
        if (op.kind == K::expire) {
          spec_->expire(now_);
          for (ImplSide& m : impls_) m.partition->expire(now_);
          const auto after = spec_->producers();
          if (after.size() < before.size()) {
            count(BrokerCase::expiry_removed_producer);
            expired_any_ = true;
            const auto was = per_tag(before);
            const auto now = per_tag(after);
            for (const auto& [tag, n] : was) {
              const auto it = now.find(tag);
              if (n > 8 && (it == now.end() || it->second < n)) count(BrokerCase::deletion_in_full_bucket);
            }
          }
        }
        break;
      case K::take_snapshot:
        spec_->take_snapshot();
        for (ImplSide& m : impls_) m.partition->take_snapshot();
        writes_since_snapshot_ = false;
        break;
      case K::restart_clean:
      case K::restart_unclean:
      case K::restart_clean_damaged:
      case K::restart_unclean_damaged: {
        const bool clean = op.kind == K::restart_clean || op.kind == K::restart_clean_damaged;
        const spec::SnapshotDamage damage = snapshot_damage(op);
        if (!clean && writes_since_snapshot_) count(BrokerCase::unclean_restart_replayed);
        // A clean restart always has its shutdown snapshot to damage; an
        // unclean one only a snapshot already on disk.
        const bool damaged = damage != spec::SnapshotDamage::none && (clean || !spec_->snapshot_offsets().empty());
        std::unique_ptr<spec::BrokerPartition> undamaged;  // what the same restart gives without the damage
        if (damaged) {
          undamaged = spec_->clone();
          undamaged->restart(now_, clean);
        }
        spec_->restart(now_, clean, damage);
        for (ImplSide& m : impls_) m.partition->restart(now_, clean, damage);
        writes_since_snapshot_ = false;
        const auto after = spec_->producers();
        for (const auto& a : after) {
          auto it = std::find_if(before.begin(), before.end(), [&](const auto& b) { return b.producer_id == a.producer_id; });
          if (it != before.end() && a.batches.size() < it->batches.size()) {
            count(BrokerCase::restart_shrank_window);
            break;
          }
        }
        if (damaged) {
          // After the restart: the snapshots left below the new one at the log end.
          count(spec_->snapshot_offsets().size() >= 2 ? BrokerCase::damaged_snapshot_fell_back
                                                       : BrokerCase::damaged_snapshot_rebuilt_from_log);
          const auto baseline = undamaged->producers();
          for (const auto& a : after) {
            auto it = std::find_if(baseline.begin(), baseline.end(),
                                   [&](const auto& b) { return b.producer_id == a.producer_id; });
            if (it != baseline.end() && a.batches.size() > it->batches.size()) {
              count(BrokerCase::damaged_restart_restored_window);
              break;
            }
          }
        }
        break;
      }
      case K::copy_table:
        copy_table(op, before, cov);
        break;
      case K::crowd:
        for (std::int64_t k = 0; k < op.arg; ++k) {
          const spec::Batch b{next_producer_id_++, 0, 0, 1, now_};
          const spec::AppendOutcome s = spec_->append(b);
          for (ImplSide& m : impls_) {
            const spec::AppendOutcome o = m.partition->append(b);
            if (!(s == o)) {
              return BrokerDivergence{0, show(op) + " sends " + show(b), show(s), show(o), what("append outcome", m)};
            }
          }
          writes_since_snapshot_ = true;
        }
        break;
    }

    std::string operation = show(op);
    bool wrote = false;
    if (sent) {
      operation += " sends " + show(*sent);
      if (sent->producer_id >= 0 && hash_classes_ > 0) {
        const auto tags = per_tag(before);
        const auto it = tags.find(sent->producer_id % hash_classes_);
        const bool known = std::any_of(before.begin(), before.end(),
                                       [&](const auto& e) { return e.producer_id == sent->producer_id; });
        if (it != tags.end() && it->second > (known ? 1 : 0)) count(BrokerCase::tag_shared);
      }
      if (replicated) {
        spec_->replicate(*sent);
        for (ImplSide& m : impls_) m.partition->replicate(*sent);
        count(BrokerCase::replicated_append);
        record_write(op, *sent);
        wrote = true;
      } else {
        const spec::AppendOutcome s = spec_->append(*sent);
        for (ImplSide& m : impls_) {
          const spec::AppendOutcome o = m.partition->append(*sent);
          if (!(s == o)) return BrokerDivergence{0, operation, show(s), show(o), what("append outcome", m)};
        }
        BrokerOp as_run = op;
        as_run.kind = effective;
        classify(as_run, *sent, s, before, cov);
        if (s.error == spec::Error::none && !s.duplicate) {
          record_write(op, *sent);
          wrote = true;
        }
      }
    }

    const bool files_changed = op.kind == K::take_snapshot || op.kind == K::restart_clean ||
                               op.kind == K::restart_unclean || snapshot_damage(op) != spec::SnapshotDamage::none;
    const auto spec_files = files_changed ? spec_->snapshot_offsets() : std::vector<std::int64_t>{};
    const auto spec_state = spec_->producers();
    for (const ImplSide& m : impls_) {
      if (spec_->log_end_offset() != m.partition->log_end_offset()) {
        return BrokerDivergence{0, operation, show(spec_->log_end_offset()), show(m.partition->log_end_offset()),
                                what("log end offset", m)};
      }
      if (files_changed) {
        const auto impl_files = m.partition->snapshot_offsets();
        if (spec_files != impl_files) {
          return BrokerDivergence{0, operation, show_offsets(spec_files), show_offsets(impl_files),
                                  what("snapshot offsets", m)};
        }
      }
      const auto impl_state = m.partition->producers();
      if (spec_state != impl_state) {
        return BrokerDivergence{0, operation, show_entries(spec_state), show_entries(impl_state),
                                what("producer state", m)};
      }
      if (wrote && m.generation >= 1) count(BrokerCase::copy_checked);
      if (wrote && m.generation >= 2) count(BrokerCase::copy_of_copy_checked);
    }
    for (const auto& [tag, n] : per_tag(spec_state)) {
      if (n > 8) {
        count(BrokerCase::full_bucket);
        break;
      }
    }
    return std::nullopt;
  }

  // The observation, and which impl side it was made on when not the original.
  static std::string what(const std::string& observation, const ImplSide& m) {
    return m.generation == 0 ? observation : observation + " of " + m.label;
  }

  // The broker wrote `b`: the producer's next batch follows it.
  void record_write(const BrokerOp& op, const spec::Batch& b) {
    writes_since_snapshot_ = true;
    if (b.producer_id < 0) return;
    Slot& s = slots_[static_cast<std::size_t>(op.producer)];
    if (s.producer_id != b.producer_id) return;
    s.epoch = b.epoch;
    s.next_sequence = spec::next_sequence(spec::last_sequence(b.first_sequence, b.record_count));
    s.written.push_back(b);
  }

  void classify(const BrokerOp& op, const spec::Batch& b, const spec::AppendOutcome& o,
                const std::vector<spec::ProducerEntry>& before, BrokerCoverage& cov) const {
    auto count = [&](BrokerCase c) { ++cov.counts[static_cast<std::size_t>(c)]; };
    const bool written = o.error == spec::Error::none && !o.duplicate;
    if (b.producer_id < 0) {
      count(BrokerCase::no_producer_id);
      return;
    }
    const bool known = std::any_of(before.begin(), before.end(), [&](const auto& e) { return e.producer_id == b.producer_id; });
    if (o.duplicate) count(BrokerCase::duplicate_from_cache);
    if (o.error == spec::Error::invalid_record) count(BrokerCase::invalid_record);
    if (o.error == spec::Error::invalid_producer_epoch) count(BrokerCase::stale_epoch_rejected);
    const bool oose = o.error == spec::Error::out_of_order_sequence_number;
    if (oose && op.kind == K::retry_evicted) count(BrokerCase::evicted_retry_rejected);
    if (oose && op.kind == K::partial_overlap) count(BrokerCase::partial_overlap_rejected);
    if (oose && op.kind == K::gap) count(BrokerCase::gap_rejected);
    if (oose && op.kind == K::bump_epoch_nonzero) count(BrokerCase::epoch_bump_nonzero_rejected);
    if (written && !known) count(BrokerCase::unknown_producer_accepted);
    if (written && known && op.kind == K::bump_epoch) count(BrokerCase::epoch_bump_accepted);
    if (written && known && op.kind == K::append_next) count(BrokerCase::append_in_sequence);
    if (written && !known && op.kind == K::retry_recent) count(BrokerCase::retry_after_expiry_rewritten);
    if (written && spec::last_sequence(b.first_sequence, b.record_count) < b.first_sequence) {
      count(BrokerCase::sequence_wrapped);
    }
    if (written && b.record_count > 65'535) count(BrokerCase::large_batch);
  }

  const CoreUnderTest& core_;
  spec::BrokerConfig config_;
  int hash_classes_ = 0;
  std::unique_ptr<spec::BrokerPartition> spec_;
  std::vector<ImplSide> impls_;  // the original first, then the running copies, oldest first
  std::size_t step_ = 0;
  int copies_ = 0;
  bool expired_any_ = false;
  Slot slots_[kProducerSlots];
  std::int64_t next_producer_id_ = 0;
  std::int64_t now_ = 0;
  bool writes_since_snapshot_ = false;
};

}  // namespace

BrokerRunResult run_broker_differential(const BrokerHistory& history, const CoreUnderTest& core) {
  return Interpreter(history, core).run(history.ops);
}

BrokerRunResult run_broker_differential(const BrokerHistory& history) {
  static const CoreUnderTest impl = impl_core();
  return run_broker_differential(history, impl);
}

}  // namespace idemcheck::properties
