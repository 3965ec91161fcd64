// The incremental checker (see checker.hpp): the same definitions as
// find_anomalies, kept as indexes that each new log entry, send or outcome
// updates locally.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "idemcheck/spec/checker.hpp"

#include "checker_rules.hpp"

namespace idemcheck::spec {

namespace {

using detail::overlaps;
using detail::contains;
using detail::cat;
using detail::admits_write;

struct Send {
  SendRecord record;
  std::int64_t at = -1;  // first offset of its records in the log, -1 while they are not there
};

// One application's record ranges in one partition's log.
struct Origin {
  // Distinct ranges written: first record -> count -> the first log entry holding exactly that range.
  std::map<std::int64_t, std::map<std::int64_t, std::size_t>> ranges;
  std::int64_t max_count = 0;
  // Every two distinct ranges are disjoint (and non-empty): then the only range that can hold a
  // record before a range's start is the one starting last before it. Once false, scans widen.
  bool disjoint = true;
  // Sends whose records are not in the log yet, by first record.
  std::map<std::int64_t, std::set<std::size_t>> waiting;
};

struct Partition {
  std::vector<LoggedBatch> log;
  std::map<int, Origin> origins;
  std::optional<std::pair<std::size_t, std::size_t>> duplicate;  // the first overlapping pair (i, j), i < j
  std::map<std::int64_t, std::vector<std::size_t>> by_offset;     // first offset -> log entries
  std::map<std::int64_t, std::set<std::size_t>> unmatched_at;     // acknowledged offset -> inconsistent sends
  std::set<std::size_t> lost, inconsistent, failed_written, nonmonotonic;
  // Per (producer, session): its sends in the log, send index -> first offset.
  std::map<std::pair<int, int>, std::map<std::size_t, std::int64_t>> in_log;
};

}  // namespace

struct IncrementalChecker::State {
  int acks = -1;
  CheckSet checks;
  std::vector<Partition> partitions;
  std::vector<Send> sends;
  std::map<std::pair<int, std::uint64_t>, std::size_t> by_batch;  // (producer, batch id) -> send
  std::vector<std::size_t> logs_seen;                               // observe(): entries taken per partition
  mutable bool dirty = false;
  mutable std::vector<AnomalyReport> reports;

  Partition* partition(int q) {
    return q >= 0 && static_cast<std::size_t>(q) < partitions.size() ? &partitions[static_cast<std::size_t>(q)]
                                                                      : nullptr;
  }

  // Where a scan for the ranges of `o` that overlap or contain `r` starts: at the last one
  // starting at or before r.first while the ranges are disjoint (no earlier one can reach
  // past it), else as far back as the longest range reaches.
  static auto scan_from(const Origin& o, const RecordRange& r) {
    if (o.disjoint) {
      auto it = o.ranges.upper_bound(r.first);
      return it == o.ranges.begin() ? it : std::prev(it);
    }
    return o.ranges.lower_bound(r.first - o.max_count);
  }

  // The first log entry (in log order) whose records contain `r`, if any.
  std::optional<std::size_t> first_holding(const Partition& p, const RecordRange& r) const {
    const auto oi = p.origins.find(r.origin);
    if (oi == p.origins.end()) return std::nullopt;
    const Origin& o = oi->second;
    std::optional<std::size_t> best;
    for (auto it = scan_from(o, r); it != o.ranges.end() && it->first <= r.first; ++it) {
      for (const auto& [count, index] : it->second) {
        if (contains(RecordRange{r.origin, it->first, count}, r) && (!best || index < *best)) best = index;
      }
    }
    return best;
  }

  bool acknowledged(const Send& s) const {
    return acks != 0 && s.record.outcome.state == SendOutcome::State::acknowledged;
  }
  bool failed_qualifies(const Send& s) const {
    const SendOutcome& o = s.record.outcome;
    return o.state == SendOutcome::State::failed && !admits_write(o.error) &&
           (!checks.failed_single_attempt_only || o.attempts == 1);
  }
  static bool offset_holds(const Partition& p, std::int64_t offset, const RecordRange& r) {
    const auto it = p.by_offset.find(offset);
    if (it == p.by_offset.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(), [&](std::size_t i) { return p.log[i].records == r; });
  }

  // Send `i` of partition `p` has just found its records in the log.
  void now_in_log(Partition& p, std::size_t i) {
    Send& s = sends[i];
    p.lost.erase(i);
    if (failed_qualifies(s)) p.failed_written.insert(i);
    auto& seq = p.in_log[{s.record.producer, s.record.session}];
    const auto [it, inserted] = seq.emplace(i, s.at);
    const auto next = std::next(it);
    if (next != seq.end()) {
      p.nonmonotonic.erase(next->first);
      if (next->second < s.at) p.nonmonotonic.insert(next->first);
    }
    if (it != seq.begin() && s.at < std::prev(it)->second) p.nonmonotonic.insert(i);
  }

  // Re-place send `i` in the sets its outcome decides, after `old` (its previous outcome).
  void place_outcome(Partition& p, std::size_t i, const SendOutcome& old) {
    const Send& s = sends[i];
    p.lost.erase(i);
    p.inconsistent.erase(i);
    p.failed_written.erase(i);
    if (const auto it = p.unmatched_at.find(old.offset); it != p.unmatched_at.end()) {
      it->second.erase(i);
      if (it->second.empty()) p.unmatched_at.erase(it);
    }
    if (acknowledged(s)) {
      if (s.at < 0) p.lost.insert(i);
      const std::int64_t o = s.record.outcome.offset;
      if (o >= 0 && !offset_holds(p, o, s.record.records)) {
        p.inconsistent.insert(i);
        p.unmatched_at[o].insert(i);
      }
    }
    if (failed_qualifies(s) && s.at >= 0) p.failed_written.insert(i);
  }

  void add_log_entry(int q, const LoggedBatch& b) {
    Partition* pp = partition(q);
    if (pp == nullptr) return;
    Partition& p = *pp;
    const std::size_t index = p.log.size();
    p.log.push_back(b);
    dirty = true;
    const RecordRange& r = b.records;
    Origin& o = p.origins[r.origin];

    // duplicate: the earliest entry this one overlaps.
    if (r.count < 1) o.disjoint = false;
    std::optional<std::size_t> earliest;
    bool partial = false;
    for (auto it = scan_from(o, r); it != o.ranges.end() && it->first < r.first + r.count; ++it) {
      for (const auto& [count, i] : it->second) {
        if (!overlaps(RecordRange{r.origin, it->first, count}, r)) continue;
        if (!earliest || i < *earliest) earliest = i;
        if (it->first != r.first || count != r.count) partial = true;
      }
    }
    if (earliest && (!p.duplicate || *earliest < p.duplicate->first)) p.duplicate = std::pair{*earliest, index};
    o.ranges[r.first].try_emplace(r.count, index);
    o.max_count = std::max(o.max_count, r.count);
    if (partial || o.ranges[r.first].size() > 1) o.disjoint = false;

    // inconsistent-offsets: acknowledged sends waiting for exactly this entry at this offset.
    p.by_offset[b.first_offset].push_back(index);
    if (const auto it = p.unmatched_at.find(b.first_offset); it != p.unmatched_at.end()) {
      for (auto s = it->second.begin(); s != it->second.end();) {
        if (sends[*s].record.records == r) {
          p.inconsistent.erase(*s);
          s = it->second.erase(s);
        } else {
          ++s;
        }
      }
      if (it->second.empty()) p.unmatched_at.erase(it);
    }

    // Sends whose records this entry holds, if no entry held them before.
    for (auto it = o.waiting.lower_bound(r.first); it != o.waiting.end() && it->first <= r.first + r.count;) {
      for (auto s = it->second.begin(); s != it->second.end();) {
        Send& send = sends[*s];
        if (contains(r, send.record.records)) {
          send.at = b.first_offset + (send.record.records.first - r.first);
          now_in_log(p, *s);
          s = it->second.erase(s);
        } else {
          ++s;
        }
      }
      it = it->second.empty() ? o.waiting.erase(it) : std::next(it);
    }
  }

  void add_send(const SendRecord& record) {
    const std::size_t i = sends.size();
    sends.push_back(Send{record, -1});
    by_batch[{record.producer, record.batch_id}] = i;
    dirty = true;
    Partition* pp = partition(record.partition);
    if (pp == nullptr) return;
    Partition& p = *pp;
    if (const auto at = first_holding(p, record.records)) {
      sends[i].at = p.log[*at].first_offset + (record.records.first - p.log[*at].records.first);
      now_in_log(p, i);
    } else {
      p.origins[record.records.origin].waiting[record.records.first].insert(i);
    }
    place_outcome(p, i, SendOutcome{});
  }

  void set_outcome(std::size_t i, const SendOutcome& outcome) {
    Send& s = sends.at(i);
    if (s.record.outcome == outcome) return;
    const SendOutcome old = s.record.outcome;
    s.record.outcome = outcome;
    dirty = true;
    if (Partition* p = partition(s.record.partition)) place_outcome(*p, i, old);
  }

  void rebuild() const {
    reports.clear();
    for (std::size_t q = 0; q < partitions.size(); ++q) {
      const Partition& p = partitions[q];
      const int qi = static_cast<int>(q);
      if (checks.duplicate && p.duplicate) {
        const LoggedBatch& a = p.log[p.duplicate->first];
        const LoggedBatch& b = p.log[p.duplicate->second];
        reports.push_back({Anomaly::duplicate, qi,
                           cat("records ", a.records, " at offset ", a.first_offset, " and ", b.records, " at offset ",
                               b.first_offset)});
      }
      // The whole-history checker reports these three in the order of the sends that show them.
      std::vector<std::pair<std::pair<std::size_t, int>, AnomalyReport>> by_send;
      if (checks.lost_write && !p.lost.empty()) {
        const SendRecord& s = sends[*p.lost.begin()].record;
        by_send.push_back({{*p.lost.begin(), 0},
                           {Anomaly::lost_write, qi,
                            cat("records ", s.records, " acknowledged at offset ", s.outcome.offset,
                                " are not in the log")}});
      }
      if (checks.inconsistent_offsets && !p.inconsistent.empty()) {
        const SendRecord& s = sends[*p.inconsistent.begin()].record;
        by_send.push_back({{*p.inconsistent.begin(), 1},
                           {Anomaly::inconsistent_offsets, qi,
                            cat("records ", s.records, " acknowledged at offset ", s.outcome.offset,
                                ", which holds other records")}});
      }
      if (checks.failed_but_written && !p.failed_written.empty()) {
        const Send& s = sends[*p.failed_written.begin()];
        by_send.push_back({{*p.failed_written.begin(), 2},
                           {Anomaly::failed_but_written, qi,
                            cat("records ", s.record.records, " failed with ", name(s.record.outcome.error),
                                " but are in the log at offset ", s.at)}});
      }
      std::sort(by_send.begin(), by_send.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
      for (auto& [key, report] : by_send) reports.push_back(std::move(report));
      if (checks.nonmonotonic_send && !p.nonmonotonic.empty()) {
        const std::size_t i = *p.nonmonotonic.begin();
        const Send& s = sends[i];
        const auto& seq = p.in_log.at({s.record.producer, s.record.session});
        const auto before = std::prev(seq.find(i));
        reports.push_back({Anomaly::nonmonotonic_send, qi,
                           cat("P", s.record.producer, " sent ", sends[before->first].record.records, " before ",
                               s.record.records, ", but the log has them at offsets ", before->second, " and ", s.at)});
      }
    }
    dirty = false;
  }
};

IncrementalChecker::IncrementalChecker(int partitions, int acks, CheckSet checks) : s_(std::make_unique<State>()) {
  s_->acks = acks;
  s_->checks = checks;
  s_->partitions.resize(static_cast<std::size_t>(std::max(partitions, 0)));
  s_->logs_seen.assign(s_->partitions.size(), 0);
}

IncrementalChecker::IncrementalChecker(const WorldConfig& config, CheckSet checks)
    : IncrementalChecker(config.partitions, config.producer.acks, checks) {}

IncrementalChecker::IncrementalChecker(IncrementalChecker&&) noexcept = default;
IncrementalChecker& IncrementalChecker::operator=(IncrementalChecker&&) noexcept = default;
IncrementalChecker::~IncrementalChecker() = default;

void IncrementalChecker::add_log_entry(int partition, const LoggedBatch& batch) { s_->add_log_entry(partition, batch); }
void IncrementalChecker::add_send(const SendRecord& send) { s_->add_send(send); }
void IncrementalChecker::set_outcome(std::size_t index, const SendOutcome& outcome) { s_->set_outcome(index, outcome); }

void IncrementalChecker::observe(const World& world, const std::vector<Effect>& effects) {
  State& s = *s_;
  for (std::size_t q = 0; q < s.partitions.size(); ++q) {
    const std::vector<LoggedBatch>& log = world.log(static_cast<int>(q));
    for (std::size_t k = s.logs_seen[q]; k < log.size(); ++k) s.add_log_entry(static_cast<int>(q), log[k]);
    s.logs_seen[q] = log.size();
  }
  const std::vector<SendRecord>& sends = world.sends();
  for (std::size_t k = s.sends.size(); k < sends.size(); ++k) s.add_send(sends[k]);
  for (const Effect& e : effects) {
    if (e.kind != Effect::Kind::batch_acknowledged && e.kind != Effect::Kind::batch_failed) continue;
    const auto it = s.by_batch.find({e.producer, e.batch});
    if (it != s.by_batch.end()) s.set_outcome(it->second, sends[it->second].outcome);
  }
}

const std::vector<AnomalyReport>& IncrementalChecker::anomalies() const {
  if (s_->dirty) s_->rebuild();
  return s_->reports;
}

}  // namespace idemcheck::spec
