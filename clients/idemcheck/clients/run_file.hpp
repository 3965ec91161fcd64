// idemcheck/clients/run_file.hpp
//
// A real client's run as a file (JSON, "format": "idemcheck-client-run",
// version 1): the client and its settings, the application, the cluster and
// its fault schedule, everything the front end saw and answered (the trace),
// every log entry, every delivery report and the verdicts. `idemcheck replay`
// renders it as a numbered timeline and an HTML chart; `idemcheck clients
// --rerun FILE` runs its schedule again. The file is the evidence of a
// finding: it is written whole after the run, so it never mixes two runs.
//
// Guarantees: load() rejects a malformed or foreign file with a message that
// names the problem, never a crash; save() then load() gives back every field.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "idemcheck/clients/run.hpp"

namespace idemcheck::clients {

/// A run as saved: what was asked and what happened.
struct RunFile {
  Client client = Client::librdkafka;
  std::string client_version;
  std::string configuration;  ///< the campaign's name for the settings
  ProducerSettings settings;
  Application app;
  int brokers = 3;
  bool impl = false;
  std::uint64_t seed = 0;     ///< the schedule's seed (0: given by hand)
  frontend::FaultSchedule schedule;
  frontend::Trace trace;
  std::vector<std::vector<spec::LoggedBatch>> logs;
  std::vector<DeliveryReport> reports;
  std::vector<spec::AnomalyReport> anomalies;
  std::string fatal;
  std::int64_t elapsed_ms = 0;
};

/// The file of a run.
RunFile to_run_file(const RunConfig& config, const RunResult& result, std::string configuration, std::uint64_t seed);
/// The config that runs the file's schedule again.
RunConfig rerun_config(const RunFile& file);

/// The verdicts on a saved run, judged again from its log and reports (what
/// `replay` compares with the file's own).
std::vector<spec::AnomalyReport> judge(const RunFile& file);

std::string to_json(const RunFile& file);
/// Parse; on failure `error` says why and the result is empty.
std::optional<RunFile> from_json(const std::string& text, std::string& error);
/// Whether `text` looks like a client-run file (its "format" field), for replay.
bool is_run_file(const std::string& text);

}  // namespace idemcheck::clients
