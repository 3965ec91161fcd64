// The sequencer differential check (see the header): the generator and the
// harness that plays the producer against both sequencers.
#include "idemcheck/properties/sequencer_differential.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "idemcheck/properties/search.hpp"
#include "idemcheck/properties/sequencer_adapter.hpp"
#include "idemcheck/shrinkers/op_list_shrinker.hpp"

namespace idemcheck::properties {

namespace {

using Kind = SequencerStep::Kind;
using Step = SequencerStep;
using History = SequencerHistory;
using Case = SequencerCase;
using Coverage = SequencerCoverage;
constexpr std::size_t kCaseCount = kSequencerCaseCount;


// Sparse on purpose: partition 9 leaves unseen indices between the used ones.
constexpr std::array<int, 4> kPartitions{0, 1, 2, 9};

constexpr std::array<spec::Error, 10> kErrors{
    spec::Error::out_of_order_sequence_number, spec::Error::out_of_order_sequence_number,
    spec::Error::out_of_order_sequence_number, spec::Error::network_exception,
    spec::Error::request_timed_out,          spec::Error::not_leader_or_follower,
    spec::Error::not_enough_replicas_after_append, spec::Error::invalid_producer_epoch,
    spec::Error::invalid_record,             spec::Error::delivery_timeout,
};

constexpr int kEpochChoices = 5;
std::int32_t epoch_of(int choice) {
  switch (choice) {
    case 0: return 0;
    case 1: return 32'766;  // two bumps from exhaustion
    case 2: return 32'767;  // one bump from exhaustion
    case 3: return 5;
    default: return 32'765;
  }
}

constexpr std::size_t kMaxInFlightPerPartition = 16;  // > the inline capacity of 8: exercises the spill

rc::Gen<std::int64_t> gen_records() {
  return rc::gen::weightedOneOf<std::int64_t>({
      {85, rc::gen::inRange<std::int64_t>(1, 6)},
      {10, rc::gen::inRange<std::int64_t>(std::int64_t{1} << 29, (std::int64_t{1} << 30) + 1)},
      {5, rc::gen::element<std::int64_t>(std::int64_t{1} << 30, (std::int64_t{1} << 30) - 1,
                                         (std::int64_t{1} << 30) + 1)},
      // 0: as many records as end the batch exactly at the wrap, so that the
      // next batch starts at 0 while older batches may still be in flight.
      {4, rc::gen::just<std::int64_t>(0)},
  });
}

rc::Gen<Kind> gen_kind() {
  return rc::gen::weightedElement<Kind>({
      {30, Kind::drain_new},
      {8, Kind::drain_retry},
      {16, Kind::success},
      {20, Kind::can_retry},
      {5, Kind::failure},
      {8, Kind::expire},
      {14, Kind::send_loop},
      {3, Kind::set_pid},
      {1, Kind::clone},
  });
}

// Fixed size: the choices must not shrink with RapidCheck's size parameter
// (small sizes would pin every choice to its first value).
rc::Gen<Step> gen_step() {
  return rc::gen::resize(100, rc::gen::map(
      rc::gen::tuple(gen_kind(), rc::gen::weightedElement<int>({{5, 0}, {3, 1}, {2, 2}, {1, 3}}),
                     rc::gen::inRange<std::uint32_t>(0, 64), gen_records(),
                     rc::gen::inRange<int>(0, static_cast<int>(kErrors.size())), rc::gen::arbitrary<bool>(),
                     rc::gen::inRange<int>(0, kEpochChoices)),
      [](const auto& t) {
        Step s;
        s.kind = std::get<0>(t);
        s.partition_choice = std::get<1>(t);
        s.batch_choice = std::get<2>(t);
        s.records = std::get<3>(t);
        s.error_choice = std::get<4>(t);
        s.flag = std::get<5>(t);
        s.epoch_choice = std::get<6>(t);
        return s;
      }));
}

// ---------------------------------------------------------------------------
// Printing of the spec's state in full (its operator<< is a summary).

std::string describe(const spec::BatchStamp& b) {
  std::ostringstream os;
  os << b;
  return os.str();
}

std::string describe(const spec::SequencerState& s) {
  std::ostringstream os;
  os << "current " << s.current << (s.epoch_bump_required ? ", bump required" : "") << ", rewrite {";
  for (std::size_t i = 0; i < s.partitions_to_rewrite.size(); ++i) os << (i ? "," : "") << s.partitions_to_rewrite[i];
  os << "}";
  for (const auto& [p, st] : s.partitions) {
    os << "\n      p" << p << ": " << st.stamp << " next " << st.next_sequence << " acked " << st.last_acked_sequence
       << " acked-offset " << st.last_acked_offset;
    if (st.unresolved) os << " unresolved<" << *st.unresolved;
    os << " in-flight {";
    for (std::size_t i = 0; i < st.in_flight.size(); ++i) os << (i ? ", " : "") << describe(st.in_flight[i]);
    os << "}";
  }
  return os.str();
}

std::string describe(const std::vector<spec::Restamp>& v) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << "p" << v[i].partition << " " << describe(v[i].batch);
  return os.str() + "]";
}

// ---------------------------------------------------------------------------
// The harness: plays the producer against both sequencers.

struct TrackedBatch {
  spec::BatchStamp stamp;
  bool in_retry = false;  // re-enqueued at least once
};

class Harness {
 public:
  // The sequencer under test comes from `make`, asked for the variant the
  // harness plays (java-2.5); it is named after its own name() in reports.
  explicit Harness(const SequencerFactory& make)
      : ref_(spec::make_reference_sequencer(spec::ClientRules::java_2_5)), imp_(make(spec::ClientRules::java_2_5)) {
    if (!imp_) throw std::invalid_argument("the sequencer factory returned no sequencer");
    label_ = std::string(imp_->name());
  }

  // Runs the history; returns a description of the first divergence, if any,
  // and sets `step` to the index of the step it happened at.
  std::optional<std::string> run(const History& h, Coverage& cov, std::optional<std::size_t>& step) {
    try {
      if (h.initial) {
        log("set_producer_id " + to_string(*h.initial));
        ref_->set_producer_id(*h.initial);
        imp_->set_producer_id(*h.initial);
        if (auto d = compare_state()) return d;
      }
      for (std::size_t i = 0; i < h.steps.size(); ++i) {
        step = i;
        ++cov.steps;
        if (auto d = apply(h.steps[i], cov)) return d;
        if (auto d = compare_state()) return d;
        if (auto d = check_harness()) return d;
      }
    } catch (const std::exception& e) {
      return fail(std::string("exception: ") + e.what());
    }
    return std::nullopt;
  }

 private:
  template <class T>
  static std::string to_string(const T& v) {
    std::ostringstream os;
    os << v;
    return os.str();
  }

  void log(const std::string& what) { trace_.push_back(what); }

  std::string fail(const std::string& what) const {
    std::ostringstream os;
    os << what << "\n  after " << trace_.size() << " calls; the last ones:";
    const std::size_t from = trace_.size() > 12 ? trace_.size() - 12 : 0;
    for (std::size_t i = from; i < trace_.size(); ++i) os << "\n    " << i << ": " << trace_[i];
    os << "\n  spec state: " << describe(ref_->state()) << "\n  " << label_ << " state: " << describe(imp_->state());
    return os.str();
  }

  template <class T>
  std::optional<std::string> compare(const char* what, const T& a, const T& b) const {
    if (a == b) return std::nullopt;
    return fail(std::string(what) + " differs: spec " + to_string(a) + ", " + label_ + " " + to_string(b));
  }

  std::optional<std::string> compare_state() const {
    const spec::SequencerState a = ref_->state();
    const spec::SequencerState b = imp_->state();
    if (a == b) return std::nullopt;
    return fail("state differs");
  }

  // The harness's own bookkeeping must match the reference's in-flight sets:
  // otherwise the harness would be making illegal calls.
  std::optional<std::string> check_harness() const {
    const spec::SequencerState s = ref_->state();
    for (const int p : kPartitions) {
      std::set<std::uint64_t> mine;
      for (const TrackedBatch& b : in_flight_[index_of(p)]) mine.insert(b.stamp.batch_id);
      std::set<std::uint64_t> theirs;
      if (const auto it = s.partitions.find(p); it != s.partitions.end()) {
        for (const spec::BatchStamp& b : it->second.in_flight) {
          theirs.insert(b.batch_id);
          const auto tracked = std::find_if(in_flight_[index_of(p)].begin(), in_flight_[index_of(p)].end(),
                                            [&](const TrackedBatch& t) { return t.stamp.batch_id == b.batch_id; });
          if (tracked != in_flight_[index_of(p)].end() && !(tracked->stamp == b)) {
            return fail("harness stamp of " + describe(tracked->stamp) + " differs from the sequencer's " + describe(b));
          }
        }
      }
      if (mine != theirs) return fail("harness in-flight set of p" + std::to_string(p) + " differs from the sequencer's");
    }
    return std::nullopt;
  }

  static std::size_t index_of(int partition) {
    return static_cast<std::size_t>(std::find(kPartitions.begin(), kPartitions.end(), partition) - kPartitions.begin());
  }

  static bool is_next(const spec::SequencerState& s, int partition, std::int64_t sequence) {
    const auto it = s.partitions.find(partition);
    const std::int64_t last = it == s.partitions.end() ? -1 : it->second.last_acked_sequence;
    return spec::java_int(sequence - last) == 1;
  }

  std::optional<std::string> apply(const Step& s, Coverage& cov) {
    const int p = kPartitions[static_cast<std::size_t>(s.partition_choice)];
    std::vector<TrackedBatch>& batches = in_flight_[index_of(p)];
    const spec::SequencerState before = ref_->state();
    const auto entry = before.partitions.find(p);
    const spec::PartitionSequenceState* ps = entry == before.partitions.end() ? nullptr : &entry->second;

    switch (s.kind) {
      case Kind::drain_new: {
        log("may_drain_new p" + std::to_string(p));
        const bool a = ref_->may_drain_new(p);
        if (auto d = compare("may_drain_new", a, imp_->may_drain_new(p))) return d;
        if (!a) {
          if (before.current.producer_id >= 0 && ps != nullptr) {
            if (ps->stamp != before.current && !ps->in_flight.empty()) cov.hit(Case::stale_epoch_gating);
            else if (ps->unresolved) cov.hit(Case::unresolved_gating);
          }
          return std::nullopt;
        }
        if (batches.size() >= kMaxInFlightPerPartition) return std::nullopt;
        const std::uint64_t id = next_batch_id_++;
        std::int64_t records = s.records;
        if (records == 0) {
          const std::int64_t next = ps == nullptr ? 0 : ps->next_sequence;
          records = std::clamp<std::int64_t>(spec::kMaxSequence + 1 - next, 1, spec::kMaxSequence);
        }
        log("stamp p" + std::to_string(p) + " batch#" + std::to_string(id) + " +" + std::to_string(records));
        const spec::BatchStamp b = ref_->stamp(p, id, records);
        if (auto d = compare("stamp", describe(b), describe(imp_->stamp(p, id, records)))) return d;
        if (ps != nullptr && ps->stamp != before.current && ps->in_flight.empty() &&
            (ps->next_sequence != 0 || ps->last_acked_sequence != -1)) {
          cov.hit(Case::lazy_epoch_switch);
        }
        if (spec::client_last_sequence(b) < 0) cov.hit(Case::last_sequence_overflow);
        if (b.base_sequence + b.record_count >= spec::kMaxSequence + 1) cov.hit(Case::next_sequence_wrap);
        batches.push_back(TrackedBatch{b, false});
        if (batches.size() > 8) cov.hit(Case::in_flight_spill);
        return std::nullopt;
      }
      case Kind::drain_retry: {
        if (batches.empty()) return std::nullopt;
        TrackedBatch& b = batches[s.batch_choice % batches.size()];
        log("may_drain_retry p" + std::to_string(p) + " " + describe(b.stamp));
        const bool a = ref_->may_drain_retry(p, b.stamp);
        if (!a) cov.hit(Case::retry_drain_refused);
        if (auto d = compare("may_drain_retry", a, imp_->may_drain_retry(p, b.stamp))) return d;
        // The producer drains a batch stamped already only once it was re-enqueued
        // (a retry was allowed) and the sequencer lets it go.
        if (!a || !b.in_retry) return std::nullopt;
        log("on_drained p" + std::to_string(p) + " " + describe(b.stamp));
        if (b.stamp.reopened) cov.hit(Case::redrain_clears_reopened);
        const spec::BatchStamp now = ref_->on_drained(p, b.stamp);
        if (auto d = compare("on_drained", describe(now), describe(imp_->on_drained(p, b.stamp)))) return d;
        b.stamp = now;
        return std::nullopt;
      }
      case Kind::success: {
        if (batches.empty()) return std::nullopt;
        const std::size_t i = s.batch_choice % batches.size();
        const spec::BatchStamp b = batches[i].stamp;
        std::int64_t offset = -1;
        if (!s.flag) {
          offset = next_offset_;
          next_offset_ += b.record_count;
        }
        log("on_success p" + std::to_string(p) + " " + describe(b) + " @" + std::to_string(offset));
        if (spec::client_last_sequence(b) < 0) cov.hit(Case::success_wrapped_last);
        ref_->on_success(p, b, offset);
        imp_->on_success(p, b, offset);
        batches.erase(batches.begin() + static_cast<std::ptrdiff_t>(i));
        return std::nullopt;
      }
      case Kind::can_retry: {
        if (batches.empty()) return std::nullopt;
        const std::size_t i = s.batch_choice % batches.size();
        const spec::BatchStamp b = batches[i].stamp;
        const spec::Error error = kErrors[static_cast<std::size_t>(s.error_choice)];
        if (error == spec::Error::out_of_order_sequence_number) {
          const bool unresolved = ps != nullptr && ps->unresolved.has_value();
          if (!unresolved) {
            if (b.reopened && is_next(before, p, b.base_sequence)) cov.hit(Case::oose_collateral_reopened);
            else if (!is_next(before, p, b.base_sequence)) cov.hit(Case::oose_collateral_not_next);
            else cov.hit(Case::oose_bump_next);
          } else {
            cov.hit(b.base_sequence == *ps->unresolved ? Case::oose_unresolved_bump : Case::oose_unresolved_no_bump);
          }
        }
        log("can_retry p" + std::to_string(p) + " " + describe(b) + " " + to_string(error));
        const bool a = ref_->can_retry(p, b, error);
        if (auto d = compare("can_retry", a, imp_->can_retry(p, b, error))) return d;
        if (a) {
          batches[i].in_retry = true;
          return std::nullopt;
        }
        // Not retriable: the producer fails the batch (adjust: retries remained).
        return fail_batch(p, batches, i, error, s.flag, cov);
      }
      case Kind::failure: {
        if (batches.empty()) return std::nullopt;
        const std::size_t i = s.batch_choice % batches.size();
        return fail_batch(p, batches, i, kErrors[static_cast<std::size_t>(s.error_choice)], s.flag, cov);
      }
      case Kind::expire: {
        if (batches.empty()) return std::nullopt;
        const std::size_t i = s.batch_choice % batches.size();
        const TrackedBatch b = batches[i];
        log("on_expired p" + std::to_string(p) + " " + describe(b.stamp) + (b.in_retry ? " in retry" : ""));
        if (b.in_retry) cov.hit(Case::expired_in_retry);
        ref_->on_expired(p, b.stamp, b.in_retry);
        imp_->on_expired(p, b.stamp, b.in_retry);
        batches.erase(batches.begin() + static_cast<std::ptrdiff_t>(i));
        return std::nullopt;
      }
      case Kind::send_loop: {
        for (const auto& [q, st] : before.partitions) {
          if (!st.unresolved || !st.in_flight.empty()) continue;
          cov.hit(is_next(before, q, st.next_sequence) ? Case::resolved_without_bump : Case::resolved_with_bump);
        }
        log("begin_send_loop");
        const std::vector<spec::Restamp> a = ref_->begin_send_loop();
        const spec::SequencerState after = ref_->state();
        if (auto d = compare("begin_send_loop", describe(a), describe(imp_->begin_send_loop()))) return d;
        if (before.epoch_bump_required || after.current != before.current) {
          if (before.current.epoch == 32'767 && after.current == spec::PidEpoch{}) cov.hit(Case::epoch_exhaustion);
        }
        std::set<int> restamped;
        for (const spec::Restamp& r : a) {
          auto& list = in_flight_[index_of(r.partition)];
          const auto it = std::find_if(list.begin(), list.end(),
                                       [&](const TrackedBatch& t) { return t.stamp.batch_id == r.batch.batch_id; });
          if (it == list.end()) return fail("restamp of a batch that is not in flight: " + describe(r.batch));
          it->stamp = r.batch;
          restamped.insert(r.partition);
        }
        if (!a.empty()) cov.hit(Case::restamp);
        if (restamped.size() >= 2) cov.hit(Case::restamp_two_partitions);
        return std::nullopt;
      }
      case Kind::set_pid: {
        if (before.current.producer_id >= 0) return std::nullopt;  // only after exhaustion (InitProducerId)
        const spec::PidEpoch id{next_pid_++, epoch_of(s.epoch_choice)};
        log("set_producer_id " + to_string(id));
        ref_->set_producer_id(id);
        imp_->set_producer_id(id);
        return compare("current", to_string(ref_->current()), to_string(imp_->current()));
      }
      case Kind::clone: {
        log("clone");
        ref_ = ref_->clone();
        imp_ = imp_->clone();
        if (imp_->name() != label_ || ref_->name() != "spec") return fail("clone changed the name");
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> fail_batch(int p, std::vector<TrackedBatch>& batches, std::size_t i, spec::Error error,
                                        bool adjust, Coverage& cov) {
    const spec::BatchStamp b = batches[i].stamp;
    log("on_failure p" + std::to_string(p) + " " + describe(b) + " " + to_string(error) + (adjust ? " adjust" : ""));
    if (adjust && error != spec::Error::out_of_order_sequence_number) cov.hit(Case::failure_adjust_bump);
    ref_->on_failure(p, b, error, adjust);
    imp_->on_failure(p, b, error, adjust);
    batches.erase(batches.begin() + static_cast<std::ptrdiff_t>(i));
    return std::nullopt;
  }

  std::unique_ptr<spec::Sequencer> ref_;
  std::unique_ptr<spec::Sequencer> imp_;
  std::string label_;
  std::array<std::vector<TrackedBatch>, kPartitions.size()> in_flight_;
  std::uint64_t next_batch_id_ = 1;
  std::int64_t next_offset_ = 0;
  std::int64_t next_pid_ = 1000;
  std::vector<std::string> trace_;
};
}  // namespace

void showValue(const SequencerStep& s, std::ostream& os) {
  static constexpr std::array<const char*, 9> kNames{"drain_new", "drain_retry", "success", "can_retry", "failure",
                                                     "expire",    "send_loop",   "set_pid", "clone"};
  os << kNames[static_cast<std::size_t>(s.kind)] << "(p#" << s.partition_choice << " b#" << s.batch_choice << " n"
     << s.records << " e#" << s.error_choice << (s.flag ? " flag" : "") << " epoch#" << s.epoch_choice << ")";
}

std::string_view name(SequencerCase c) {
  switch (c) {
    case Case::oose_bump_next: return "OOSE on next batch, bump";
    case Case::oose_collateral_not_next: return "OOSE on non-next batch, no bump";
    case Case::oose_collateral_reopened: return "OOSE on reopened batch, no bump";
    case Case::oose_unresolved_bump: return "OOSE at unresolved sequence, bump";
    case Case::oose_unresolved_no_bump: return "OOSE while unresolved, other batch";
    case Case::failure_adjust_bump: return "failure with adjust, bump";
    case Case::expired_in_retry: return "expired in retry (unresolved)";
    case Case::resolved_without_bump: return "unresolved resolved without bump";
    case Case::resolved_with_bump: return "unresolved resolved with bump";
    case Case::restamp: return "restamp";
    case Case::restamp_two_partitions: return "restamp of two partitions in one loop";
    case Case::epoch_exhaustion: return "epoch exhaustion (pid reset)";
    case Case::stale_epoch_gating: return "stale-epoch drain gating";
    case Case::unresolved_gating: return "unresolved drain gating";
    case Case::lazy_epoch_switch: return "lazy epoch switch";
    case Case::last_sequence_overflow: return "Java-int overflow of last sequence";
    case Case::next_sequence_wrap: return "next sequence wrap";
    case Case::success_wrapped_last: return "ack with negative last sequence";
    case Case::retry_drain_refused: return "retry drain refused";
    case Case::redrain_clears_reopened: return "re-drain of a reopened batch";
    case Case::in_flight_spill: return "more than 8 in flight";
    case Case::count: break;
  }
  return "?";
}

void SequencerCoverage::merge(const SequencerCoverage& other) {
  histories += other.histories;
  steps += other.steps;
  for (std::size_t i = 0; i < kCaseCount; ++i) counts[i] += other.counts[i];
}

std::vector<SequencerCase> SequencerCoverage::missing() const {
  std::vector<SequencerCase> out;
  for (std::size_t i = 0; i < kCaseCount; ++i) {
    if (counts[i] == 0) out.push_back(static_cast<SequencerCase>(i));
  }
  return out;
}

SequencerRunResult run_sequencer_differential(const SequencerHistory& history, const SequencerFactory& make) {
  SequencerRunResult r;
  r.coverage.histories = 1;
  Harness harness(make);
  std::optional<std::size_t> step;
  r.divergence = harness.run(history, r.coverage, step);
  if (r.divergence) r.step = step;
  return r;
}

SequencerRunResult run_sequencer_differential(const SequencerHistory& history) {
  static const SequencerFactory impl = [](spec::ClientRules) { return make_impl_sequencer(); };
  return run_sequencer_differential(history, impl);
}

namespace {
std::vector<SequencerStep> simpler_steps(const SequencerStep& s) {
  // Simplest first: the shrinker keeps the first variant that still diverges.
  std::vector<SequencerStep> out;
  auto add = [&](SequencerStep v) {
    if (!(v == s) && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  };
  SequencerStep v = s;
  if (s.records != 1) {
    v.records = 1;
    add(v);
  }
  v = s;
  if (s.partition_choice != 0) {
    v.partition_choice = 0;
    add(v);
  }
  v = s;
  if (s.batch_choice != 0) {
    v.batch_choice = 0;
    add(v);
  }
  v = s;
  if (s.flag) {
    v.flag = false;
    add(v);
  }
  return out;
}
}  // namespace

SequencerCheckResult check_sequencer(const SequencerFactory& make, const SequencerCheckOptions& options) {
  SequencerCheckResult result;
  const auto gen = gen_sequencer_history(options.min_length, options.max_length);
  for (std::uint64_t i = 0; i < options.histories; ++i) {
    // The generator fixes its own sizes (every choice is drawn at size 100),
    // so the history depends on the seed alone.
    const SequencerHistory h = gen(rc::Random(history_seed(options.seed, i)), 100).value();
    const SequencerRunResult run = run_sequencer_differential(h, make);
    result.coverage.merge(run.coverage);
    if (!run.divergence) continue;
    SequencerCheckFailure failure;
    failure.index = i;
    failure.original = h;
    failure.shrunk = h;
    failure.divergence = *run.divergence;
    failure.step = run.step;
    if (options.shrink) {
      shrinkers::OpListShrinkStats stats;
      const std::function<shrinkers::OpListVerdict(const std::vector<SequencerStep>&)> still_fails =
          [&](const std::vector<SequencerStep>& steps) {
            SequencerHistory candidate = h;
            candidate.steps = steps;
            const SequencerRunResult r = run_sequencer_differential(candidate, make);
            return shrinkers::OpListVerdict{r.divergence.has_value(), r.step};
          };
      failure.shrunk.steps = shrinkers::shrink_op_list<SequencerStep>(h.steps, still_fails, simpler_steps, stats);
      const SequencerRunResult last = run_sequencer_differential(failure.shrunk, make);
      if (last.divergence) {
        failure.divergence = *last.divergence;
        failure.step = last.step;
      } else {
        // Only a sequencer whose answers depend on more than its calls gets here.
        failure.shrunk = h;
      }
      failure.replays = stats.candidates + 1;
    }
    result.failure = std::move(failure);
    break;
  }
  return result;
}

std::string format_steps(const SequencerHistory& history, std::size_t last) {
  std::ostringstream os;
  if (history.initial) os << "    start: set_producer_id " << *history.initial << "\n";
  for (std::size_t k = 0; k <= last && k < history.steps.size(); ++k) {
    os << "    " << k << ": ";
    showValue(history.steps[k], os);
    os << "\n";
  }
  return os.str();
}

rc::Gen<SequencerHistory> gen_sequencer_history(int min_length, int max_length) {
  return rc::gen::exec([min_length, max_length] {
    History h;
    const int start = *rc::gen::resize(100, rc::gen::inRange(0, 10));
    if (start > 0) {
      // 0: no producer id yet (it arrives with a set_pid step); else a start,
      // often one or two bumps away from exhaustion.
      const int epoch_choice = start <= 3 ? 1 : start <= 4 ? 2 : start <= 7 ? 0 : 3;
      h.initial = spec::PidEpoch{*rc::gen::resize(100, rc::gen::inRange<std::int64_t>(0, 1000)), epoch_of(epoch_choice)};
    }
    const int length = *rc::gen::resize(100, rc::gen::inRange(min_length, max_length));
    h.steps = *rc::gen::container<std::vector<Step>>(static_cast<std::size_t>(length), gen_step());
    return h;
  });
}

}  // namespace idemcheck::properties
