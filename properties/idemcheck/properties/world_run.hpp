// idemcheck/properties/world_run.hpp
//
// Running histories through worlds: one world alone (anomalies), or the
// reference world and the world built from impl components side by side
// (the world differential: every step's effects and the components' whole
// observable state must be equal), with coverage of the interesting paths.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "idemcheck/spec/checker.hpp"
#include "idemcheck/spec/history.hpp"
#include "idemcheck/spec/world.hpp"

namespace idemcheck::properties {

/// The world built from impl components (broker table and sequencer).
spec::Components impl_components();

/// The paths through the world a run can take, counted on the reference side.
enum class WorldPath : std::uint8_t {
  lost_ack_then_retry,       ///< a written batch's answer was lost, and the batch was sent again
  duplicate_from_cache,      ///< the broker answered a batch as a duplicate
  out_of_order_rejection,    ///< the broker answered OUT_OF_ORDER_SEQUENCE_NUMBER
  epoch_bump,                ///< a producer bumped its epoch (or got a new id)
  unresolved_sequence,       ///< a partition's sequence became unresolved
  wrap_around,               ///< a batch's sequences crossed INT32_MAX
  restart,                   ///< a broker or producer restarted
  expiry,                    ///< producer state expired on a broker
  zombie_write,              ///< a zombie request was processed
  delivery_timeout,          ///< a batch expired in the producer
  count_
};
inline constexpr std::size_t kWorldPathCount = static_cast<std::size_t>(WorldPath::count_);
std::string_view name(WorldPath);

/// How often each path occurred.
struct WorldCoverage {
  std::array<std::uint64_t, kWorldPathCount> counts{};
  std::uint64_t histories = 0;
  std::uint64_t events = 0;
  void merge(const WorldCoverage& other);
  /// Paths that never occurred, among `required`.
  [[nodiscard]] std::vector<WorldPath> missing(const std::vector<WorldPath>& required) const;
};

/// Counts paths from the effects of steps, remembering what it needs across steps.
class PathCounter {
 public:
  /// Account for one step.
  void add(const std::vector<spec::Effect>& effects, const spec::WorldObservation& after, WorldCoverage& cov);

 private:
  std::set<std::pair<int, std::uint64_t>> written_unacked_;  // (producer, batch) answered written, not yet acked
};

/// The first step where the two worlds disagree.
struct WorldDivergence {
  std::size_t step = 0;
  std::string event;
  std::string what;
  std::string spec_side;
  std::string impl_side;
};

/// The result of running a history.
struct WorldRunResult {
  std::optional<WorldDivergence> divergence;   ///< differential runs only
  std::vector<spec::AnomalyReport> anomalies;  ///< on the reference world, after the last event (checked as it ran)
  WorldCoverage coverage;
  std::int64_t end_time = 0;                   ///< the reference world's logical time after the last event
};

/// Run on the reference world only. With checks.stuck_send, the liveness check
/// (spec/liveness.hpp) runs after the last event.
WorldRunResult run_world(const spec::History& history, const spec::CheckSet& checks);

/// The stuck-send report of the liveness check on `world` as it is, or none when it is live.
std::optional<spec::AnomalyReport> stuck_send_report(const spec::World& world);
/// Run on the reference world and the impl world in lockstep.
WorldRunResult run_world_differential(const spec::History& history, const spec::CheckSet& checks);
/// Run on the reference world and a world built from `components` (a core
/// under test as the broker: a user's class, a subprocess) in lockstep,
/// compared after every event as the impl world is.
WorldRunResult run_world_differential(const spec::History& history, const spec::CheckSet& checks,
                                      const spec::Components& components);

}  // namespace idemcheck::properties
