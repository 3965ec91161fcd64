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
// it reached.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
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
  SequencerCoverage coverage;
};

/// Play `history` on the reference and the optimized sequencer, call by call.
SequencerRunResult run_sequencer_differential(const SequencerHistory& history);

/// A history: no producer id yet or a start (often one or two bumps from
/// epoch exhaustion), then min_length..max_length calls (the length is
/// ours, not RapidCheck's size, which stays <= 100).
rc::Gen<SequencerHistory> gen_sequencer_history(int min_length = 20, int max_length = 400);

}  // namespace idemcheck::properties
