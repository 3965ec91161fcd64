// The sequencer differential property: random sequences of the calls an
// idempotent producer makes on its sequencer, run on the reference sequencer
// and on the optimized one, must get the same answer from every call and leave
// the same observable state after every call. The harness plays the producer:
// it only refers to batches that are in flight, applies every re-stamp to its
// batches, drains a new batch only when the sequencer allows it and marks a
// batch "in retry" once a retry was allowed. It counts the interesting paths
// it reached and fails if one never occurred.
//
// Also: unit tests of the optimized sequencer on its own API.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "idemcheck/impl/producer_sequencer.hpp"
#include "idemcheck/properties/sequencer_adapter.hpp"
#include "idemcheck/spec/sequencer.hpp"

namespace idemcheck {
namespace {

// ---------------------------------------------------------------------------
// The generated history.

enum class Kind : int { drain_new, drain_retry, success, can_retry, failure, expire, send_loop, set_pid, clone };

struct Step {
  Kind kind = Kind::drain_new;
  int partition_choice = 0;    // index into kPartitions
  std::uint32_t batch_choice = 0;  // index into the partition's in-flight batches (mod their count)
  std::int64_t records = 1;    // for a new batch
  int error_choice = 0;        // index into kErrors
  bool flag = false;           // adjust (failure), unknown offset (success), sequencer-side pid choice
  int epoch_choice = 0;        // for set_pid
};

// RapidCheck prints a counterexample's steps with this (found by ADL).
[[maybe_unused]] void showValue(const Step& s, std::ostream& os) {
  static constexpr std::array<const char*, 9> kNames{"drain_new", "drain_retry", "success", "can_retry", "failure",
                                                     "expire",    "send_loop",   "set_pid", "clone"};
  os << kNames[static_cast<std::size_t>(s.kind)] << "(p#" << s.partition_choice << " b#" << s.batch_choice << " n"
     << s.records << " e#" << s.error_choice << (s.flag ? " flag" : "") << " epoch#" << s.epoch_choice << ")";
}

struct History {
  std::optional<spec::PidEpoch> initial;
  std::vector<Step> steps;
};

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
// Coverage.

enum class Case : int {
  oose_bump_next,             // OOSE on the next expected batch: bump
  oose_collateral_not_next,   // OOSE on a batch that is not next: retry as is
  oose_collateral_reopened,   // OOSE on a re-stamped next batch: retry as is
  oose_unresolved_bump,       // OOSE on the batch at the unresolved sequence: bump
  oose_unresolved_no_bump,    // OOSE on another batch of an unresolved partition
  failure_adjust_bump,        // definitive non-OOSE failure with retries left: bump
  expired_in_retry,           // makes the partition unresolved
  resolved_without_bump,
  resolved_with_bump,
  restamp,                    // a bump re-stamped in-flight batches
  restamp_two_partitions,     // ... of two partitions in one loop
  epoch_exhaustion,           // bump at epoch 32767: producer id reset
  stale_epoch_gating,         // a new batch held back behind old-epoch batches
  unresolved_gating,          // a new batch held back by an unresolved sequence
  lazy_epoch_switch,          // a stale partition restarts at 0 on its next stamp
  last_sequence_overflow,     // a stamped batch whose Java-int last sequence is negative
  next_sequence_wrap,         // next wrapped past 2^31 - 1
  success_wrapped_last,       // an ack whose Java-int last sequence is negative: last acked stays
  retry_drain_refused,        // may_drain_retry false: not the lowest in flight
  in_flight_spill,            // more than 8 in flight on one partition
  count
};
constexpr std::size_t kCaseCount = static_cast<std::size_t>(Case::count);

const char* name(Case c) {
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
    case Case::in_flight_spill: return "more than 8 in flight";
    case Case::count: break;
  }
  return "?";
}

struct Coverage {
  std::array<long, kCaseCount> counts{};
  long histories = 0;
  long steps = 0;
  void hit(Case c) { ++counts[static_cast<std::size_t>(c)]; }
};

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
  Harness() : ref_(spec::make_reference_sequencer()), imp_(properties::make_impl_sequencer()) {}

  // Runs the history; returns a description of the first divergence, if any.
  std::optional<std::string> run(const History& h, Coverage& cov) {
    try {
      if (h.initial) {
        log("set_producer_id " + to_string(*h.initial));
        ref_->set_producer_id(*h.initial);
        imp_->set_producer_id(*h.initial);
        if (auto d = compare_state()) return d;
      }
      for (const Step& s : h.steps) {
        ++cov.steps;
        if (auto d = apply(s, cov)) return d;
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
    os << "\n  spec state: " << describe(ref_->state()) << "\n  impl state: " << describe(imp_->state());
    return os.str();
  }

  template <class T>
  std::optional<std::string> compare(const char* what, const T& a, const T& b) const {
    if (a == b) return std::nullopt;
    return fail(std::string(what) + " differs: spec " + to_string(a) + ", impl " + to_string(b));
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
        log("stamp p" + std::to_string(p) + " batch#" + std::to_string(id) + " +" + std::to_string(s.records));
        const spec::BatchStamp b = ref_->stamp(p, id, s.records);
        if (auto d = compare("stamp", describe(b), describe(imp_->stamp(p, id, s.records)))) return d;
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
        const TrackedBatch& b = batches[s.batch_choice % batches.size()];
        log("may_drain_retry p" + std::to_string(p) + " " + describe(b.stamp));
        const bool a = ref_->may_drain_retry(p, b.stamp);
        if (!a) cov.hit(Case::retry_drain_refused);
        return compare("may_drain_retry", a, imp_->may_drain_retry(p, b.stamp));
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
        if (imp_->name() != "impl" || ref_->name() != "spec") return fail("clone changed the name");
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
  std::array<std::vector<TrackedBatch>, kPartitions.size()> in_flight_;
  std::uint64_t next_batch_id_ = 1;
  std::int64_t next_offset_ = 0;
  std::int64_t next_pid_ = 1000;
  std::vector<std::string> trace_;
};

TEST(SequencerDifferential, SpecAndImplAgreeAtEveryCall) {
  Coverage coverage;
  const auto result = rc::check("spec and impl sequencers agree on every call", [&] {
    History h;
    const int start = *rc::gen::resize(100, rc::gen::inRange(0, 10));
    if (start > 0) {
      // 0: no producer id yet (it arrives with a set_pid step); else a start,
      // often one or two bumps away from exhaustion.
      const int epoch_choice = start <= 3 ? 1 : start <= 4 ? 2 : start <= 7 ? 0 : 3;
      h.initial = spec::PidEpoch{*rc::gen::resize(100, rc::gen::inRange<std::int64_t>(0, 1000)), epoch_of(epoch_choice)};
    }
    // The length is ours, not RapidCheck's size (which stays <= 100).
    const int length = *rc::gen::resize(100, rc::gen::inRange(20, 400));
    h.steps = *rc::gen::container<std::vector<Step>>(static_cast<std::size_t>(length), gen_step());

    Coverage local;
    Harness harness;
    const auto divergence = harness.run(h, local);
    coverage.histories += 1;
    coverage.steps += local.steps;
    for (std::size_t i = 0; i < kCaseCount; ++i) coverage.counts[i] += local.counts[i];
    if (divergence) RC_FAIL(*divergence);
  });
  ASSERT_TRUE(result) << "see RapidCheck's output above for the seed and the reproduce string";

  std::ostringstream report;
  report << "coverage over " << coverage.histories << " histories, " << coverage.steps << " steps:\n";
  for (std::size_t i = 0; i < kCaseCount; ++i) {
    report << "  " << name(static_cast<Case>(i)) << ": " << coverage.counts[i] << "\n";
  }
  std::cout << report.str();
  for (std::size_t i = 0; i < kCaseCount; ++i) {
    if (coverage.counts[i] == 0) {
      ADD_FAILURE() << "the histories never reached the case '" << name(static_cast<Case>(i)) << "'\n" << report.str();
    }
  }
}

// ---------------------------------------------------------------------------
// Unit tests of the optimized sequencer on its own API.

using impl::BatchId;
using impl::BatchStamp;
using impl::ClientError;
using impl::Epoch;
using impl::Offset;
using impl::PartitionIndex;
using impl::ProducerId;
using impl::ProducerIdEpoch;
using impl::ProducerSequencer;
using impl::RecordCount;
using impl::Sequence;
using impl::SequencerError;

constexpr ProducerIdEpoch pid(std::int64_t id, std::int16_t epoch) { return {ProducerId{id}, Epoch{epoch}}; }

BatchStamp stamp_ok(ProducerSequencer& s, int partition, std::uint64_t id, std::int32_t records) {
  const auto r = s.stamp(PartitionIndex{partition}, BatchId{id}, RecordCount{records});
  EXPECT_TRUE(r.ok()) << r.error();
  return r.value();
}

std::vector<std::uint64_t> in_flight_ids(const ProducerSequencer& s, int partition) {
  std::vector<std::uint64_t> ids;
  if (const auto v = s.partition(PartitionIndex{partition})) {
    for (const BatchStamp& b : v->in_flight) ids.push_back(b.id.value);
  }
  return ids;
}

TEST(ProducerSequencer, EpochExhaustionResetsTheProducerIdAndRestampsWithNone) {
  ProducerSequencer s;
  s.set_producer_id(pid(7, 32'767));
  const BatchStamp b1 = stamp_ok(s, 0, 1, 3);
  const BatchStamp b2 = stamp_ok(s, 0, 2, 2);
  EXPECT_EQ(b2.base_sequence, Sequence{3});
  EXPECT_EQ(s.on_failure(PartitionIndex{0}, b1, ClientError::invalid_record, /*adjust=*/true), SequencerError::none);
  EXPECT_TRUE(s.epoch_bump_required());

  const auto restamps = s.begin_send_loop();
  EXPECT_EQ(s.current(), ProducerIdEpoch{});
  ASSERT_EQ(restamps.size(), 1u);
  EXPECT_EQ(restamps[0].partition, PartitionIndex{0});
  EXPECT_EQ(restamps[0].batch.id, BatchId{2});
  EXPECT_EQ(restamps[0].batch.stamp(), ProducerIdEpoch{});
  EXPECT_EQ(restamps[0].batch.base_sequence, Sequence{0});
  EXPECT_TRUE(restamps[0].batch.reopened);
  const auto v = s.partition(PartitionIndex{0});
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->next_sequence, Sequence{2});
  EXPECT_EQ(v->last_acked_sequence, Sequence{-1});
  EXPECT_FALSE(s.may_drain_new(PartitionIndex{0}).value()) << "no producer id";

  // A new producer id: the partition switches lazily once its old batch is done.
  s.set_producer_id(pid(8, 0));
  EXPECT_FALSE(s.may_drain_new(PartitionIndex{0}).value()) << "an old-epoch batch is still in flight";
  EXPECT_EQ(s.on_success(PartitionIndex{0}, restamps[0].batch, Offset{10}), SequencerError::none);
  EXPECT_TRUE(s.may_drain_new(PartitionIndex{0}).value());
  const BatchStamp b3 = stamp_ok(s, 0, 3, 1);
  EXPECT_EQ(b3.stamp(), pid(8, 0));
  EXPECT_EQ(b3.base_sequence, Sequence{0});
  EXPECT_EQ(s.partition(PartitionIndex{0})->last_acked_offset, Offset{11});
}

TEST(ProducerSequencer, RestampsGoPartitionByPartitionInSequenceOrder) {
  ProducerSequencer s;
  s.set_producer_id(pid(1, 4));
  stamp_ok(s, 3, 10, 1);
  const BatchStamp a = stamp_ok(s, 1, 20, 2);
  const BatchStamp b = stamp_ok(s, 1, 21, 5);
  const BatchStamp c = stamp_ok(s, 1, 22, 1);
  stamp_ok(s, 2, 30, 1);  // partition 2 does not ask: it keeps its stamp
  // OOSE on partition 1's next expected batch, collateral on the others.
  EXPECT_TRUE(s.can_retry(PartitionIndex{1}, a, ClientError::out_of_order_sequence_number).value());
  EXPECT_TRUE(s.can_retry(PartitionIndex{1}, b, ClientError::out_of_order_sequence_number).value());
  EXPECT_TRUE(s.on_failure(PartitionIndex{3}, BatchStamp{BatchId{10}, ProducerId{1}, Sequence{0}, RecordCount{1},
                                                         Epoch{4}, false},
                           ClientError::invalid_record, true) == SequencerError::none);
  stamp_ok(s, 3, 11, 4);  // same epoch still: partition 3 continues at 1
  const auto rewrite = s.partitions_to_rewrite();
  ASSERT_EQ(rewrite.size(), 2u);
  EXPECT_EQ(rewrite[0], PartitionIndex{1});
  EXPECT_EQ(rewrite[1], PartitionIndex{3});

  const auto r = s.begin_send_loop();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].partition, PartitionIndex{1});
  EXPECT_EQ(r[0].batch.id, a.id);
  EXPECT_EQ(r[0].batch.base_sequence, Sequence{0});
  EXPECT_EQ(r[1].batch.id, b.id);
  EXPECT_EQ(r[1].batch.base_sequence, Sequence{2});
  EXPECT_EQ(r[2].batch.id, c.id);
  EXPECT_EQ(r[2].batch.base_sequence, Sequence{7});
  EXPECT_EQ(r[3].partition, PartitionIndex{3});
  EXPECT_EQ(r[3].batch.id, BatchId{11});
  EXPECT_EQ(r[3].batch.base_sequence, Sequence{0});
  for (const auto& x : r) EXPECT_EQ(x.batch.stamp(), pid(1, 5));
  EXPECT_EQ(s.partition(PartitionIndex{1})->next_sequence, Sequence{8});
  EXPECT_EQ(s.partition(PartitionIndex{2})->in_flight[0].stamp(), pid(1, 4));
  EXPECT_FALSE(s.may_drain_new(PartitionIndex{2}).value()) << "stale epoch with a batch in flight";
  // Partition 0 was never used: nothing there.
  EXPECT_FALSE(s.partition(PartitionIndex{0}).has_value());
}

TEST(ProducerSequencer, RestampAfterAWrapKeepsEqualSequencesInOrder) {
  ProducerSequencer s;
  s.set_producer_id(pid(1, 0));
  const BatchStamp a = stamp_ok(s, 0, 1, 1 << 30);        // base 0
  stamp_ok(s, 0, 2, (1 << 30) - 1);                        // base 2^30
  stamp_ok(s, 0, 3, 5);                                    // base 2^31 - 1, next wraps to 4
  const BatchStamp d = stamp_ok(s, 0, 4, 1);               // base 4
  EXPECT_EQ(d.base_sequence, Sequence{4});
  EXPECT_EQ(in_flight_ids(s, 0), (std::vector<std::uint64_t>{1, 4, 2, 3}));
  // OOSE on the next expected batch: bump; re-stamping in that order gives
  // 1 -> 0, 4 -> 2^30, 2 -> 2^30 + 1, 3 -> 2^31 mod 2^31 = 0: a key equal to
  // batch 1's, which must stay behind it.
  EXPECT_TRUE(s.can_retry(PartitionIndex{0}, a, ClientError::out_of_order_sequence_number).value());
  const auto r = s.begin_send_loop();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].batch.id, BatchId{1});
  EXPECT_EQ(r[0].batch.base_sequence, Sequence{0});
  EXPECT_EQ(r[1].batch.id, BatchId{3});
  EXPECT_EQ(r[1].batch.base_sequence, Sequence{0});
  EXPECT_EQ(r[2].batch.id, BatchId{4});
  EXPECT_EQ(r[2].batch.base_sequence, Sequence{1 << 30});
  EXPECT_EQ(r[3].batch.id, BatchId{2});
  EXPECT_EQ(r[3].batch.base_sequence, Sequence{(1 << 30) + 1});
  EXPECT_EQ(s.partition(PartitionIndex{0})->next_sequence, Sequence{5});

  // The reference agrees on the same calls.
  auto ref = spec::make_reference_sequencer();
  ref->set_producer_id(spec::PidEpoch{1, 0});
  const spec::BatchStamp ra = ref->stamp(0, 1, 1 << 30);
  (void)ref->stamp(0, 2, (1 << 30) - 1);
  (void)ref->stamp(0, 3, 5);
  (void)ref->stamp(0, 4, 1);
  EXPECT_TRUE(ref->can_retry(0, ra, spec::Error::out_of_order_sequence_number));
  const auto rr = ref->begin_send_loop();
  ASSERT_EQ(rr.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(rr[i].batch.batch_id, r[i].batch.id.value);
    EXPECT_EQ(rr[i].batch.base_sequence, r[i].batch.base_sequence.value);
  }
}

TEST(ProducerSequencer, UnresolvedSequenceResolvesWhenALaterBatchWasAcked) {
  ProducerSequencer s;
  s.set_producer_id(pid(1, 0));
  const BatchStamp a = stamp_ok(s, 0, 1, 3);
  const BatchStamp b = stamp_ok(s, 0, 2, 2);
  EXPECT_TRUE(s.can_retry(PartitionIndex{0}, a, ClientError::request_timed_out).value());
  EXPECT_EQ(s.on_expired(PartitionIndex{0}, a, /*in_retry=*/true), SequencerError::none);
  EXPECT_EQ(s.partition(PartitionIndex{0})->unresolved, Sequence{3});
  EXPECT_FALSE(s.may_drain_new(PartitionIndex{0}).value());
  EXPECT_TRUE(s.begin_send_loop().empty());  // b still in flight: nothing resolves
  EXPECT_TRUE(s.partition(PartitionIndex{0})->unresolved.has_value());
  EXPECT_EQ(s.on_success(PartitionIndex{0}, b, Offset{-1}), SequencerError::none);
  EXPECT_TRUE(s.begin_send_loop().empty());
  EXPECT_FALSE(s.epoch_bump_required());
  EXPECT_EQ(s.current(), pid(1, 0));
  EXPECT_FALSE(s.partition(PartitionIndex{0})->unresolved.has_value());
  EXPECT_TRUE(s.may_drain_new(PartitionIndex{0}).value());
}

TEST(ProducerSequencer, UnresolvedSequenceBumpsWhenNothingLaterWasAcked) {
  ProducerSequencer s;
  s.set_producer_id(pid(1, 0));
  const BatchStamp a = stamp_ok(s, 5, 1, 3);
  EXPECT_TRUE(s.can_retry(PartitionIndex{5}, a, ClientError::network_exception).value());
  EXPECT_EQ(s.on_expired(PartitionIndex{5}, a, true), SequencerError::none);
  EXPECT_TRUE(s.begin_send_loop().empty());  // bumped, but nothing to re-stamp
  EXPECT_EQ(s.current(), pid(1, 1));
  const auto v = s.partition(PartitionIndex{5});
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->stamp, pid(1, 1));
  EXPECT_EQ(v->next_sequence, Sequence{0});
  EXPECT_FALSE(v->unresolved.has_value());
}

TEST(ProducerSequencer, JavaIntLastSequenceOverflowNeverMovesLastAcked) {
  ProducerSequencer s;
  s.set_producer_id(pid(1, 0));
  const BatchStamp a = stamp_ok(s, 0, 1, 2'147'483'647);  // 0 .. 2^31 - 2
  const BatchStamp b = stamp_ok(s, 0, 2, 3);              // base 2^31 - 1, last wraps negative
  EXPECT_EQ(b.base_sequence, Sequence{2'147'483'647});
  EXPECT_EQ(impl::client_last_sequence(b.base_sequence, b.record_count), Sequence{-2'147'483'647});
  EXPECT_EQ(s.partition(PartitionIndex{0})->next_sequence, Sequence{2});
  EXPECT_EQ(s.on_success(PartitionIndex{0}, a, Offset{0}), SequencerError::none);
  EXPECT_EQ(s.partition(PartitionIndex{0})->last_acked_sequence, Sequence{2'147'483'646});
  EXPECT_EQ(s.on_success(PartitionIndex{0}, b, Offset{-1}), SequencerError::none);
  EXPECT_EQ(s.partition(PartitionIndex{0})->last_acked_sequence, Sequence{2'147'483'646});
  EXPECT_TRUE(impl::is_next_sequence(Sequence{0}, Sequence{-1}));
  EXPECT_TRUE(impl::is_next_sequence(Sequence{-2'147'483'648}, Sequence{2'147'483'647}));
}

TEST(ProducerSequencer, ManyInFlightSpillToTheHeapAndCopyDeeply) {
  ProducerSequencer s;
  s.set_producer_id(pid(1, 0));
  const std::size_t before = s.memory_bytes();
  std::vector<BatchStamp> batches;
  for (std::uint64_t i = 0; i < 40; ++i) batches.push_back(stamp_ok(s, 2, i, 1));
  EXPECT_GT(s.memory_bytes(), before);
  ASSERT_EQ(s.partition(PartitionIndex{2})->in_flight.size(), 40u);
  ProducerSequencer copy = s;
  for (std::uint64_t i = 0; i < 40; i += 3) {
    EXPECT_EQ(s.on_success(PartitionIndex{2}, batches[i], Offset{-1}), SequencerError::none);
  }
  EXPECT_EQ(copy.partition(PartitionIndex{2})->in_flight.size(), 40u);
  const auto v = s.partition(PartitionIndex{2});
  ASSERT_EQ(v->in_flight.size(), 26u);
  for (std::size_t i = 1; i < v->in_flight.size(); ++i) {
    EXPECT_LT(v->in_flight[i - 1].base_sequence, v->in_flight[i].base_sequence);
  }
  EXPECT_TRUE(s.may_drain_retry(PartitionIndex{2}, batches[1]).value());
  EXPECT_FALSE(s.may_drain_retry(PartitionIndex{2}, batches[2]).value());
  ProducerSequencer moved = std::move(copy);
  EXPECT_EQ(moved.partition(PartitionIndex{2})->in_flight.size(), 40u);
  copy = s;  // assign into a moved-from object
  EXPECT_EQ(copy.partition(PartitionIndex{2})->in_flight.size(), 26u);
}

TEST(ProducerSequencer, RefusedCallsAreErrorValuesAndChangeNothing) {
  ProducerSequencer s;
  s.set_producer_id(pid(1, 0));
  const BatchStamp a = stamp_ok(s, 0, 1, 1);
  std::ostringstream before;
  before << s;

  EXPECT_EQ(s.stamp(PartitionIndex{-1}, BatchId{2}, RecordCount{1}).error(), SequencerError::partition_out_of_range);
  EXPECT_EQ(s.stamp(PartitionIndex{1 << 16}, BatchId{2}, RecordCount{1}).error(),
            SequencerError::partition_out_of_range);
  EXPECT_EQ(s.stamp(PartitionIndex{0}, BatchId{2}, RecordCount{0}).error(), SequencerError::record_count_out_of_range);
  BatchStamp unstamped = a;
  unstamped.base_sequence = Sequence{-1};
  EXPECT_EQ(s.on_success(PartitionIndex{0}, unstamped, Offset{0}), SequencerError::batch_not_stamped);
  EXPECT_EQ(s.can_retry(PartitionIndex{0}, unstamped, ClientError::out_of_order_sequence_number).error(),
            SequencerError::batch_not_stamped);
  BatchStamp empty = a;
  empty.record_count = RecordCount{0};
  EXPECT_EQ(s.on_expired(PartitionIndex{0}, empty, true), SequencerError::record_count_out_of_range);
  EXPECT_EQ(s.on_failure(PartitionIndex{70'000}, a, ClientError::invalid_record, true),
            SequencerError::partition_out_of_range);
  EXPECT_EQ(s.may_drain_new(PartitionIndex{-3}).error(), SequencerError::partition_out_of_range);

  std::ostringstream after;
  after << s;
  EXPECT_EQ(before.str(), after.str());
  EXPECT_FALSE(s.epoch_bump_required());
  EXPECT_THROW((void)s.may_drain_new(PartitionIndex{-3}).value(), std::logic_error);
  EXPECT_THROW(ProducerSequencer(impl::SequencerConfig{0}), std::invalid_argument);
}

TEST(ProducerSequencer, AdapterRefusesWhatImplCannotRepresent) {
  auto s = properties::make_impl_sequencer();
  EXPECT_THROW(s->set_producer_id(spec::PidEpoch{1, 40'000}), std::invalid_argument);
  s->set_producer_id(spec::PidEpoch{1, 0});
  EXPECT_THROW((void)s->stamp(0, 1, std::int64_t{1} << 31), std::invalid_argument);
  EXPECT_THROW((void)s->stamp(-1, 1, 1), std::invalid_argument);
  EXPECT_EQ(s->stamp(0, 1, 1).base_sequence, 0);
}

}  // namespace
}  // namespace idemcheck
