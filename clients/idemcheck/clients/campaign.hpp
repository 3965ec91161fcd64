// idemcheck/clients/campaign.hpp
//
// A campaign: for each real client and producer configuration, runs of the
// same application under seeded fault schedules (faults.hpp), judged as
// run.hpp judges one run. Each schedule's first fault cycles through every
// fault kind, so a campaign of at least as many schedules per client as
// there are kinds meets each kind with each client. Every anomaly kind a
// (client, configuration) shows is a finding: its first schedule is run
// again `reruns` times (a real client keeps its own timers, so a schedule
// need not give the same story twice) and the finding says how often it came
// back, with the trace of its first run saved. The first run of a cell that
// deviates from the model producer (conformance.hpp, model_replay.hpp) keeps
// its trace too: a deviation is a finding to explain.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "idemcheck/clients/run.hpp"
#include "idemcheck/frontend/faults.hpp"

namespace idemcheck::clients {

/// A named producer configuration.
struct Configuration {
  std::string name;
  ProducerSettings settings;
};

/// The campaign's configurations: idempotence on and off, max.in.flight 5
/// and 1, and the client's own defaults.
std::vector<Configuration> default_configurations();

struct CampaignConfig {
  std::vector<Client> clients{Client::librdkafka, Client::kafkajs};
  std::vector<Configuration> configurations = default_configurations();
  std::uint64_t seed = 1;
  int schedules = 9;   ///< per client and configuration
  int faults = 2;      ///< per schedule
  int reruns = 3;      ///< of each finding's schedule
  Application app;
  int brokers = 3;
  bool impl = false;
  std::string trace_dir;    ///< where each finding's trace is written ("" : nowhere)
  std::string kafkajs_dir;  ///< "" : the source tree's
};

/// The seed of schedule `index` of a cell (fixed arithmetic, the same everywhere).
std::uint64_t schedule_seed(std::uint64_t campaign_seed, Client client, std::size_t configuration, int index);
/// Schedule `index` of a cell: its first fault is of kind kAllFaultKinds[(configuration * schedules + index) mod 9].
frontend::FaultSchedule cell_schedule(const CampaignConfig& config, Client client, std::size_t configuration,
                                      int index);

struct Finding {
  Client client = Client::librdkafka;
  std::string configuration;
  spec::Anomaly kind = spec::Anomaly::duplicate;  ///< meaningful unless `fatal`
  bool fatal = false;  ///< the client ended in a fatal error (not an anomaly of the log: a finding to explain)
  std::string detail;
  std::uint64_t seed = 0;
  frontend::FaultSchedule schedule;
  int reproduced = 0;  ///< reruns that showed the same anomaly kind
  int reruns = 0;
  std::string trace;   ///< the saved trace ("" if none was written)
};

/// How many runs of a cell deviate by one of the conformance checks, and the first.
struct Deviations {
  int runs = 0;
  std::optional<Deviation> first;
  std::uint64_t first_seed = 0;  ///< the schedule seed of the first deviating run
  std::string trace;             ///< the first deviating run's saved trace ("" if none was written)
  /// Count a run's deviation (if any) of schedule `seed`; true if it is the cell's first.
  bool add(const std::optional<Deviation>& d, std::uint64_t seed) {
    if (!d) return false;
    if (runs++ > 0) return false;
    first = d;
    first_seed = seed;
    return true;
  }
};

struct Cell {
  Client client = Client::librdkafka;
  std::string configuration;
  int runs = 0;
  int fatal = 0;                     ///< runs the client could not start or ended fatally
  std::string first_fatal;
  std::map<spec::Anomaly, int> runs_with;  ///< per anomaly kind, how many runs showed it
  std::set<frontend::FaultKind> kinds;     ///< fault kinds that fired
  Deviations stamps;                       ///< runs whose stamps break the model's invariants (conformance.hpp)
  Deviations model;                        ///< runs the model producer would not have sent so (model_replay.hpp)
  std::int64_t acknowledged = 0, failed = 0, pending = 0, produce_requests = 0;
};

struct ClientSummary {
  Client client = Client::librdkafka;
  std::string version;
  std::string unavailable;  ///< non-empty: the client could not run here (why)
  int runs = 0;
  double seconds = 0;       ///< wall time of its runs, reruns included
};

struct CampaignResult {
  std::vector<Cell> cells;
  std::vector<Finding> findings;
  std::vector<ClientSummary> clients;
};

/// Run the campaign; `progress` (may be empty) hears of each run as it ends.
CampaignResult run_campaign(const CampaignConfig& config,
                            const std::function<void(const Cell&, const RunResult&)>& progress = {});

}  // namespace idemcheck::clients
