// idemcheck/spec/checker.hpp
//
// The safety claims of the idempotent producer, checked on a world's logs and
// on what its applications were told. Named as Jepsen's Kafka checker names
// them where the notion is the same.
//
//   duplicate             a record is in a partition's log at two offsets
//   lost-write            a record whose send was acknowledged is not in the log
//   nonmonotonic-send     two records one producer session sent to a partition,
//                         in that order, are in the log in the other order
//   inconsistent-offsets  an acknowledged offset does not hold the record it
//                         was acknowledged for
//   failed-but-written    a record whose send failed with an error that does not
//                         admit a write (not a timeout, a disconnect or
//                         NOT_ENOUGH_REPLICAS_AFTER_APPEND) is in the log
//   stuck-send            (liveness, checked by liveness.hpp, not here) a send
//                         still has no outcome long after the faults stopped
//
// Records are identified by their application and number, so two producers
// sending "the same records" (send-same) or a restarted producer re-sending
// them are visible as duplicates, exactly as a consumer would see them.
//
// Two checkers give the same answer. find_anomalies is the reference: it reads
// the whole log and every send each time it is asked, by the definitions above
// and nothing else (quadratic in the log, so asking after every step of a long
// history is cubic). IncrementalChecker is fed one step at a time and keeps an
// index of the log (per application, the distinct record ranges written and
// the first log entry holding each) and of the sends (which are in the log,
// at which offset, and the candidates for each anomaly), so that a step costs
// what it adds: O(log n) per log entry and per send when, as in every world,
// two record ranges of one application are equal or disjoint (a send takes
// fresh record numbers; send-same and re-sends copy a whole range). Ranges
// that partly overlap are still checked exactly, through a slower scan. That
// the two agree after every step is a property of the suite
// (incremental_checker_test: random world histories, and random logs and
// sends with partly overlapping ranges).
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "idemcheck/spec/world.hpp"

namespace idemcheck::spec {

/// The anomalies the checker knows.
enum class Anomaly : std::uint8_t {
  duplicate,
  lost_write,
  nonmonotonic_send,
  inconsistent_offsets,
  failed_but_written,
  stuck_send,  ///< liveness (liveness.hpp): never reported by find_anomalies, which reads one moment
};

/// Jepsen-style name: "duplicate", "lost-write", ...
std::string_view name(Anomaly);
/// Parse such a name; false if unknown.
bool parse_anomaly(std::string_view text, Anomaly& out);

/// One anomaly found.
struct AnomalyReport {
  Anomaly kind;
  int partition = 0;
  std::string detail;  ///< which records, where
  friend bool operator==(const AnomalyReport&, const AnomalyReport&) = default;
};

std::ostream& operator<<(std::ostream&, const AnomalyReport&);

/// Which anomalies to look for.
struct CheckSet {
  bool duplicate = true;
  bool lost_write = true;
  bool nonmonotonic_send = true;
  bool inconsistent_offsets = true;
  bool failed_but_written = true;
  /// Narrow failed-but-written to sends that failed on their first and only
  /// attempt (an earlier attempt of a retried send may have been written).
  bool failed_single_attempt_only = false;
  /// The liveness check (liveness.hpp): off unless asked for, since it runs the world on
  /// after the history; the checkers here ignore it, run_world and explore run it.
  bool stuck_send = false;
  /// Only this one anomaly.
  static CheckSet only(Anomaly a);
  [[nodiscard]] bool has(Anomaly a) const;
};

/// Every anomaly of the requested kinds in the world as it is now, at most
/// one report per kind and partition.
std::vector<AnomalyReport> find_anomalies(const World& world, const CheckSet& checks = {});
/// The same check on plain data: `logs[q]` is partition q's log, `sends` every
/// send in send order, `acks` the producer's acks setting (0: acknowledgements
/// carry no offset and lost-write and inconsistent-offsets do not apply).
std::vector<AnomalyReport> find_anomalies(const std::vector<std::vector<LoggedBatch>>& logs,
                                          const std::vector<SendRecord>& sends, int acks, const CheckSet& checks = {});

/// find_anomalies kept up to date one step at a time (see the top of this
/// file): after it has been given a world's logs and sends, anomalies() equals
/// find_anomalies on them, reports, order and text included. Record ranges
/// must have a count >= 1 (every world's do).
class IncrementalChecker {
 public:
  /// A checker for `partitions` partitions (>= 0) and a producer with `acks`.
  IncrementalChecker(int partitions, int acks, CheckSet checks = {});
  /// A checker for a world built from `config`.
  explicit IncrementalChecker(const WorldConfig& config, CheckSet checks = {});
  IncrementalChecker(IncrementalChecker&&) noexcept;
  IncrementalChecker& operator=(IncrementalChecker&&) noexcept;
  ~IncrementalChecker();

  /// Partition `partition`'s log grew by `batch` (entries in log order). A
  /// partition outside [0, partitions) is ignored, as find_anomalies ignores it.
  void add_log_entry(int partition, const LoggedBatch& batch);
  /// The next send, in send order (its index is the number of sends added before).
  void add_send(const SendRecord& send);
  /// Send `index` (< the number added) now has `outcome`.
  void set_outcome(std::size_t index, const SendOutcome& outcome);
  /// Take in one step of `world`: the log entries and sends it added since the
  /// last call, and the sends it finished, found in `effects` (what
  /// World::apply returned; a send's outcome changes only with a
  /// batch-acknowledged or batch-failed effect, or to abandoned, which no
  /// check reads). Requires a checker built from the world's config and
  /// given every step of that one world, from its first, and nothing else.
  void observe(const World& world, const std::vector<Effect>& effects);
  /// The anomalies of the data given so far; valid until the next change.
  [[nodiscard]] const std::vector<AnomalyReport>& anomalies() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace idemcheck::spec
