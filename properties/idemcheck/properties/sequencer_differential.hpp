// idemcheck/properties/sequencer_differential.hpp
//
// The sequencer differential check: sequences of the calls an idempotent
// producer makes on its sequencer, run on the reference sequencer and on the
// optimized one, must get the same answer from every call and leave the same
// observable state after every call. The harness plays the producer: it only
// refers to batches that are in flight, applies every re-stamp to its
// batches, drains a new batch only when the sequencer allows it, marks a
// batch "in retry" once a retry was allowed and drains such a batch again
// (on_drained) when the sequencer allows it. It counts the interesting paths
// it reached. The sequencer under test is impl's, or any made by a
// SequencerFactory (a user's class, through the conformance kit).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidcheck.h>

#include "idemcheck/spec/sequencer.hpp"

namespace idemcheck::properties {

/// One call of the producer, relative to what is in flight.
struct SequencerStep {
  enum class Kind : int { drain_new, drain_retry, success, can_retry, failure, expire, send_loop, set_pid, clone };
  Kind kind = Kind::drain_new;
  int partition_choice = 0;        ///< index into the harness's partitions {0, 1, 2, 9}
  std::uint32_t batch_choice = 0;  ///< index into the partition's in-flight batches (mod their count)
  std::int64_t records = 1;        ///< for a new batch
  int error_choice = 0;            ///< index into the harness's error list
  bool flag = false;               ///< adjust (failure), unknown offset (success)
  int epoch_choice = 0;            ///< for set_pid
  friend bool operator==(const SequencerStep&, const SequencerStep&) = default;
};

/// RapidCheck prints a counterexample's steps with this (found by ADL).
void showValue(const SequencerStep& s, std::ostream& os);

/// A whole history: the producer id set first (if any) and the calls.
struct SequencerHistory {
  std::optional<spec::PidEpoch> initial;
  std::vector<SequencerStep> steps;
};

/// The interesting paths a history can reach, counted on the spec side.
enum class SequencerCase : int {
  oose_bump_next,            ///< OOSE on the next expected batch: bump
  oose_collateral_not_next,  ///< OOSE on a batch that is not next: retry as is
  oose_collateral_reopened,  ///< OOSE on a re-stamped next batch: retry as is
  oose_unresolved_bump,      ///< OOSE on the batch at the unresolved sequence: bump
  oose_unresolved_no_bump,   ///< OOSE on another batch of an unresolved partition
  failure_adjust_bump,       ///< definitive non-OOSE failure with retries left: bump
  expired_in_retry,          ///< makes the partition unresolved
  resolved_without_bump,
  resolved_with_bump,
  restamp,                   ///< a bump re-stamped in-flight batches
  restamp_two_partitions,    ///< ... of two partitions in one loop
  epoch_exhaustion,          ///< bump at epoch 32767: producer id reset
  stale_epoch_gating,        ///< a new batch held back behind old-epoch batches
  unresolved_gating,         ///< a new batch held back by an unresolved sequence
  lazy_epoch_switch,         ///< a stale partition restarts at 0 on its next stamp
  last_sequence_overflow,    ///< a stamped batch whose Java-int last sequence is negative
  next_sequence_wrap,        ///< next wrapped past 2^31 - 1
  success_wrapped_last,      ///< an ack whose Java-int last sequence is negative: last acked stays
  retry_drain_refused,       ///< may_drain_retry false: not the lowest in flight
  redrain_clears_reopened,   ///< on_drained of a re-stamped (reopened) batch in retry
  in_flight_spill,           ///< more than 8 in flight on one partition
  count
};
inline constexpr std::size_t kSequencerCaseCount = static_cast<std::size_t>(SequencerCase::count);
std::string_view name(SequencerCase);

/// How often each path occurred.
struct SequencerCoverage {
  std::array<long, kSequencerCaseCount> counts{};
  long histories = 0;
  long steps = 0;
  void hit(SequencerCase c) { ++counts[static_cast<std::size_t>(c)]; }
  void merge(const SequencerCoverage& other);
  /// The cases that never occurred.
  [[nodiscard]] std::vector<SequencerCase> missing() const;
};

/// The result of playing one history.
struct SequencerRunResult {
  std::optional<std::string> divergence;  ///< the first disagreement, with the last calls and both states
  /// With a divergence: the index of the step it happened at (none: at the initial set_producer_id).
  std::optional<std::size_t> step;
  SequencerCoverage coverage;
};

/// Makes a fresh sequencer under test for a client variant. The differential
/// asks for java-2.5 only (the variant its harness plays); a sequencer that
/// follows one variant may ignore the argument.
using SequencerFactory = std::function<std::unique_ptr<spec::Sequencer>(spec::ClientRules)>;

/// Play `history` on the reference and the optimized sequencer, call by call.
SequencerRunResult run_sequencer_differential(const SequencerHistory& history);
/// Play `history` on the reference sequencer and on a fresh one from `make`,
/// call by call; the reports name it by its name(). An exception from a call
/// on either is a divergence (its message is reported); one from the factory
/// propagates, and a factory that returns no sequencer throws std::invalid_argument.
SequencerRunResult run_sequencer_differential(const SequencerHistory& history, const SequencerFactory& make);

/// Settings of a sequencer check.
struct SequencerCheckOptions {
  std::uint64_t seed = 1;
  std::uint64_t histories = 200;
  int min_length = 20;   ///< calls per history, as gen_sequencer_history takes them
  int max_length = 400;
  bool shrink = true;
};

/// The first diverging history of a sequencer check.
struct SequencerCheckFailure {
  std::uint64_t index = 0;         ///< which history (reproduce with the seed and histories = index + 1)
  SequencerHistory original;       ///< as drawn
  SequencerHistory shrunk;         ///< a 1-minimal step list that still diverges (the original without shrink)
  std::string divergence;          ///< the shrunk history's divergence
  std::optional<std::size_t> step; ///< the step of the shrunk history it happened at
  std::size_t replays = 0;         ///< runs the shrink took
};

/// The result of a whole sequencer check.
struct SequencerCheckResult {
  SequencerCoverage coverage;
  std::optional<SequencerCheckFailure> failure;
};

/// Draw `histories` histories from `seed` (history i from its own seed, as
/// the broker check does) and play each on the reference sequencer and on
/// `make`'s until one diverges; shrink it (shrinkers::shrink_op_list, with
/// simpler steps: one record, partition and batch choice 0, no flag).
/// Deterministic in (seed, histories, lengths, sequencer).
SequencerCheckResult check_sequencer(const SequencerFactory& make, const SequencerCheckOptions& options);

/// The history's start and steps, one per line ("    3: can_retry(p#0 ...)"), up to and including `last`.
std::string format_steps(const SequencerHistory& history, std::size_t last);

/// A history: no producer id yet or a start (often one or two bumps from
/// epoch exhaustion), then min_length..max_length calls (the length is
/// ours, not RapidCheck's size, which stays <= 100).
rc::Gen<SequencerHistory> gen_sequencer_history(int min_length = 20, int max_length = 400);

}  // namespace idemcheck::properties
