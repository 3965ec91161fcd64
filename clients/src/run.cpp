#include "idemcheck/clients/run.hpp"

#include <sstream>

#include "idemcheck/frontend/server.hpp"
#include "idemcheck/properties/world_run.hpp"

namespace idemcheck::clients {

std::string default_kafkajs_dir() { return IDEMCHECK_KAFKAJS_DIR; }

std::vector<spec::SendRecord> sends_of(const DriverResult& driver, const Application& app) {
  std::vector<spec::SendRecord> out;
  out.reserve(driver.reports.size());
  for (const DeliveryReport& r : driver.reports) {
    spec::SendRecord s;
    s.partition = r.partition;
    s.records = spec::RecordRange{app.app, r.record, 1};
    s.batch_id = static_cast<std::uint64_t>(r.record);
    if (!r.reported) {
      s.outcome.state = spec::SendOutcome::State::pending;
    } else if (r.error == spec::Error::none) {
      s.outcome.state = spec::SendOutcome::State::acknowledged;
      s.outcome.offset = r.offset;
    } else {
      s.outcome.state = spec::SendOutcome::State::failed;
      s.outcome.error = r.error;
    }
    out.push_back(s);
  }
  return out;
}

std::vector<spec::AnomalyReport> judge(const std::vector<std::vector<spec::LoggedBatch>>& logs,
                                       const DriverResult& driver, const Application& app, int acks) {
  const auto sends = sends_of(driver, app);
  // acks=0 acknowledgements carry no offset (the checker then skips lost-write and offsets).
  spec::IncrementalChecker checker(app.partitions, acks);
  for (std::size_t q = 0; q < logs.size(); ++q) {
    for (const auto& entry : logs[q]) checker.add_log_entry(static_cast<int>(q), entry);
  }
  for (const auto& s : sends) checker.add_send(s);
  std::vector<spec::AnomalyReport> out = checker.anomalies();
  std::ostringstream stuck;
  std::int64_t stuck_count = 0;
  for (const auto& r : driver.reports) {
    if (r.reported) continue;
    if (stuck_count < 5) stuck << (stuck_count ? ", " : "") << r.record;
    ++stuck_count;
  }
  // A client that ended fatally stops reporting: that is its own finding, not a stuck send.
  if (stuck_count > 0 && driver.fatal.empty()) {
    std::ostringstream d;
    d << stuck_count << " record(s) never reported by the deadline (" << app.deadline_ms << " ms), first: "
      << stuck.str();
    out.push_back(spec::AnomalyReport{spec::Anomaly::stuck_send, 0, d.str()});
  }
  return out;
}

int judged_acks(const ProducerSettings& settings) { return settings.client_defaults ? -1 : settings.acks; }

RunResult run_client(const RunConfig& config) {
  frontend::ClusterConfig cluster = config.cluster;
  cluster.partitions = config.app.partitions;
  cluster.topic = config.app.topic;
  if (config.impl) cluster.partition = properties::impl_components().partition;
  frontend::FrontEnd front(cluster);
  front.start();
  RunResult out;
  out.driver = run_driver(config.client, front.bootstrap(), config.settings, config.app,
                          config.kafkajs_dir.empty() ? default_kafkajs_dir() : config.kafkajs_dir);
  front.stop();
  out.trace = front.cluster().trace();
  out.logs = front.cluster().logs();
  out.produce_requests = front.cluster().produce_requests();

  out.anomalies = judge(out.logs, out.driver, config.app, judged_acks(config.settings));
  out.deviation = first_deviation(out.trace);
  out.model_deviation = first_model_deviation(out.trace);
  for (const auto& r : out.driver.reports) {
    if (!r.reported) {
      ++out.pending;
    } else if (r.error == spec::Error::none) {
      ++out.acknowledged;
    } else {
      ++out.failed;
    }
  }
  return out;
}

}  // namespace idemcheck::clients
