// idemcheck/clients/run_timeline.hpp
//
// A client run (run_file.hpp) as numbered rows, for `replay`'s text timeline
// and its HTML chart alike: every trace event and every delivery report,
// merged by time (the front end's and the driver's clocks start within a
// few milliseconds of each other, so the merge is close, not exact; within
// a millisecond the broker's events come first). Data only: cli/ prints the
// rows, report/ draws them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "idemcheck/clients/run_file.hpp"

namespace idemcheck::clients {

struct RunRow {
  enum class Kind : std::uint8_t {
    connection,  ///< a connection opened or closed
    request,     ///< a request arrived (client -> broker)
    response,    ///< an answer left (broker -> client)
    fault,       ///< a fault fired
    cluster,     ///< the cluster changed (leader, restart, expiry, producer id)
    report,      ///< the client reported a record to the application
    rejected,    ///< the broker could not parse a request
  };
  Kind kind = Kind::request;
  std::int64_t ms = 0;
  int broker = -1;               ///< -1: the client's side only
  std::uint64_t connection = 0;
  std::string text;
  bool bad = false;              ///< part of an anomaly (a duplicate write, a failed report)
};

/// "ApiVersions", "Metadata", "InitProducerId", "Produce", or "api N".
std::string api_name(std::int16_t api_key);

/// The rows of a run, in time order.
std::vector<RunRow> run_timeline(const RunFile& file);

/// The header lines: client, configuration, application, cluster, schedule.
std::vector<std::string> run_header(const RunFile& file);

}  // namespace idemcheck::clients
