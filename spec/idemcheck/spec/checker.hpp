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
//
// Records are identified by their application and number, so two producers
// sending "the same records" (send-same) or a restarted producer re-sending
// them are visible as duplicates, exactly as a consumer would see them.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "idemcheck/spec/world.hpp"

namespace idemcheck::spec {

/// The anomalies the checker knows.
enum class Anomaly : std::uint8_t { duplicate, lost_write, nonmonotonic_send, inconsistent_offsets, failed_but_written };

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
  /// Only this one anomaly.
  static CheckSet only(Anomaly a);
  [[nodiscard]] bool has(Anomaly a) const;
};

/// Every anomaly of the requested kinds in the world as it is now, at most
/// one report per kind and partition.
std::vector<AnomalyReport> find_anomalies(const World& world, const CheckSet& checks = {});

}  // namespace idemcheck::spec
