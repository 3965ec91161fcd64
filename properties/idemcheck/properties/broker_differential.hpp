// idemcheck/properties/broker_differential.hpp
//
// The broker differential check: play one history against the reference
// model and the optimized core, compare every answer and the whole observable
// state (log end offset, every producer's epoch, timestamp and cached batches)
// after every step -- and the offsets of the snapshots on disk after every
// snapshot and restart, damaged or not -- and count which interesting cases
// the history reached. A copy-table op forks the impl side: the copy (made by
// the table's copy constructor or copy assignment) runs every later op next
// to the original (up to three copies, copies of copies included) and is
// compared with the spec exactly as the original is. The history chooses the
// impl table's hash, sometimes a colliding one (see BrokerHistory).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "idemcheck/properties/broker_ops.hpp"

namespace idemcheck::properties {

/// The interesting cases a broker history can reach, counted on the spec side.
enum class BrokerCase : std::uint8_t {
  append_in_sequence,
  duplicate_from_cache,
  evicted_retry_rejected,
  partial_overlap_rejected,
  gap_rejected,
  epoch_bump_accepted,
  epoch_bump_nonzero_rejected,
  stale_epoch_rejected,
  unknown_producer_accepted,
  sequence_wrapped,
  no_producer_id,
  invalid_record,
  replicated_append,
  expiry_removed_producer,
  restart_shrank_window,
  unclean_restart_replayed,
  damaged_snapshot_fell_back,
  damaged_snapshot_rebuilt_from_log,
  damaged_restart_restored_window,
  retry_after_expiry_rewritten,
  large_batch,
  copy_checked,
  copy_of_copy_checked,
  copied_scattered_window,
  copied_after_expiry,
  copied_after_growth,
  tag_shared,
  full_bucket,
  deletion_in_full_bucket,
  count_  // number of cases
};
inline constexpr std::size_t kBrokerCaseCount = static_cast<std::size_t>(BrokerCase::count_);

/// Human-readable name of a case.
std::string_view name(BrokerCase);

/// How often each case occurred.
struct BrokerCoverage {
  std::array<std::uint64_t, kBrokerCaseCount> counts{};
  std::uint64_t histories = 0;
  std::uint64_t steps = 0;
  /// Adds another run's counts.
  void merge(const BrokerCoverage& other);
  /// The cases that never occurred.
  [[nodiscard]] std::vector<BrokerCase> missing() const;
};

/// The first step where spec and impl disagreed.
struct BrokerDivergence {
  std::size_t step = 0;        ///< index into the history's ops
  std::string operation;       ///< the op and the concrete batch it sent
  std::string spec_side;       ///< what the spec answered / held
  std::string impl_side;       ///< what the impl answered / held
  std::string what;            ///< which observation differed
};

/// The result of playing one history.
struct BrokerRunResult {
  std::optional<BrokerDivergence> divergence;  ///< empty when both agreed at every step
  BrokerCoverage coverage;
};

/// Play `history` on spec and impl, step by step.
BrokerRunResult run_broker_differential(const BrokerHistory& history);

}  // namespace idemcheck::properties
