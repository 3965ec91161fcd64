// idemcheck/report/timeline.hpp
//
// A history replayed step by step on the reference world and, in lockstep,
// on the world built from impl components (as run_world_differential does),
// keeping what each step did: its effects on each side, the producer state
// on the brokers and the producers' in-flight batches after it, the
// anomalies present after it. Unlike the differential run it does not stop
// at the first disagreement: both worlds run to the end, and the first step
// where they disagree is marked. Data only; cli/ prints it, html_chart draws it.
// What is shown only where the worlds disagree (the impl side, the component
// observation) is kept only at those steps, so that a replay of a long history
// holds per step little more than what the timeline prints.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "idemcheck/io/history_file.hpp"
#include "idemcheck/spec/checker.hpp"
#include "idemcheck/spec/history.hpp"
#include "idemcheck/spec/world.hpp"

namespace idemcheck::report {

/// One world's view of one step.
struct SideStep {
  std::vector<spec::Effect> effects;
  std::vector<std::vector<spec::ProducerEntry>> entries;                // per partition, after the step
  std::vector<std::vector<std::pair<int, spec::BatchStamp>>> in_flight;  // per producer (partition, stamp), after
  spec::WorldObservation observation;  // after the step; kept only where the step disagrees (else empty)
  std::vector<spec::AnomalyReport> anomalies;                           // present after the step
};

/// A log entry a step appended: partition and index in that partition's log.
struct LogRef {
  int partition = 0;
  std::size_t index = 0;
  friend bool operator==(const LogRef&, const LogRef&) = default;
};

/// One step of the replay.
struct Step {
  spec::Event event;
  SideStep spec;
  std::optional<SideStep> impl;       ///< where the step disagrees, when the impl world ran (and did not fail earlier)
  bool effects_differ = false;
  bool state_differs = false;         ///< the components' observable state differs
  std::string impl_failure;           ///< the impl world threw at this step
  std::vector<int> changed_partitions;  ///< reference: producer entries changed by this step
  std::vector<int> changed_producers;   ///< reference: in-flight batches changed by this step
  std::vector<LogRef> written;        ///< reference: log entries this step appended
  [[nodiscard]] bool disagrees() const { return effects_differ || state_differs || !impl_failure.empty(); }
};

/// What an anomaly report is about: the log entries and the sends involved.
struct Involved {
  std::size_t report = 0;              ///< index into Timeline::anomalies
  std::vector<LogRef> log_entries;     ///< in log order
  std::vector<std::size_t> sends;      ///< indexes into Timeline::sends, in send order
};

/// A whole replay.
struct Timeline {
  spec::WorldConfig config;
  bool impl_ran = false;
  std::string impl_skipped;  ///< why the impl world did not run although asked (a rule variant), else empty
  std::vector<Step> steps;
  std::optional<std::size_t> first_divergence;  ///< first step where spec and impl disagree
  std::optional<std::size_t> first_anomaly;     ///< first step after which the reference shows an anomaly
  std::vector<spec::AnomalyReport> anomalies;   ///< reference, after the last step (every check on, liveness too)
  std::vector<std::vector<spec::LoggedBatch>> logs;  ///< reference, per partition, after the last step
  std::vector<spec::SendRecord> sends;          ///< reference, after the last step
  std::vector<Involved> involved;               ///< per anomaly report
};

/// Replay `history`; `run_impl` also runs the impl world in lockstep, unless the
/// history names a rule variant the impl core does not have (then `impl_skipped`
/// says so). The anomalies after the last step include the liveness check's.
/// Requires a valid history (io::to_history() makes one).
Timeline build_timeline(const spec::History& history, bool run_impl = true);

/// The outcome to compare with a file's expectation.
io::ReplayOutcome replay_outcome(const Timeline& t);

/// A batch as a short label: "b2 seq 0..1" / "b2" without idempotence.
std::string batch_label(const spec::BatchStamp& s);
/// A cached batch as a short label: "seq 0..1 @0..1".
std::string cached_label(const spec::CachedBatch& b);
/// A record range: "A0:1" / "A0:1..3".
std::string records_label(const spec::RecordRange& r);

}  // namespace idemcheck::report
