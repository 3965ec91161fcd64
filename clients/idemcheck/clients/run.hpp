// idemcheck/clients/run.hpp
//
// One run of a real client against the front end: start a cluster with a
// fault schedule, run the client's application, stop, and judge. The
// verdicts are the world's (spec/checker.hpp) on the broker's log and the
// client's reports: duplicate, lost-write, nonmonotonic-send,
// inconsistent-offsets, failed-but-written; and stuck-send for a record the
// client never reported by the deadline, which is set well past the client's
// delivery timeout.
//
// Records map to the checker's vocabulary one to one: each record is a send
// (producer 0, session 0, its partition, records {app, n, 1}), and each
// record in the log is one log entry. A client's failure counts as "may have
// been written" unless the client itself says it was not (driver.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "idemcheck/clients/conformance.hpp"
#include "idemcheck/clients/driver.hpp"
#include "idemcheck/clients/model_replay.hpp"
#include "idemcheck/frontend/cluster.hpp"
#include "idemcheck/spec/checker.hpp"

namespace idemcheck::clients {

struct RunConfig {
  Client client = Client::librdkafka;
  ProducerSettings settings;
  Application app;
  frontend::ClusterConfig cluster;  ///< partitions are app.partitions; faults inside
  bool impl = false;                ///< the impl core behind every partition instead of the spec's
  std::string kafkajs_dir;          ///< empty: the source tree's clients/kafkajs
};

struct RunResult {
  DriverResult driver;
  frontend::Trace trace;
  std::vector<std::vector<spec::LoggedBatch>> logs;
  std::vector<spec::AnomalyReport> anomalies;  ///< stuck-send included
  std::optional<Deviation> deviation;          ///< the first stamp that breaks the model's invariants (conformance.hpp)
  std::optional<Deviation> model_deviation;    ///< the first batch the model producer would not send so (model_replay.hpp)
  std::int64_t produce_requests = 0;
  std::int64_t acknowledged = 0;
  std::int64_t failed = 0;
  std::int64_t pending = 0;
};

/// The sends the checker reads, built from the client's reports.
std::vector<spec::SendRecord> sends_of(const DriverResult& driver, const Application& app);

/// The verdicts on a log and a client's reports (what run_client judges, and
/// what `replay` judges again from a saved run).
std::vector<spec::AnomalyReport> judge(const std::vector<std::vector<spec::LoggedBatch>>& logs,
                                       const DriverResult& driver, const Application& app, int acks);

/// The acks the checker reads for these settings (-1 for the client's defaults: both default to all).
int judged_acks(const ProducerSettings& settings);

/// Run once. Throws std::invalid_argument for a config the cluster rejects,
/// std::runtime_error if the front end cannot listen.
RunResult run_client(const RunConfig& config);

/// The default kafkajs directory (the source tree's clients/kafkajs).
std::string default_kafkajs_dir();

}  // namespace idemcheck::clients
