#include "idemcheck/clients/campaign.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>

#include "idemcheck/clients/run_file.hpp"

namespace idemcheck::clients {

namespace {

std::string slug(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += c;
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

bool has_kind(const RunResult& r, spec::Anomaly k) {
  for (const auto& a : r.anomalies) {
    if (a.kind == k) return true;
  }
  return false;
}

}  // namespace

std::vector<Configuration> default_configurations() {
  std::vector<Configuration> out;
  ProducerSettings s;
  s.idempotence = true;
  s.max_in_flight = 5;
  out.push_back({"idempotent, in-flight 5", s});
  s.max_in_flight = 1;
  out.push_back({"idempotent, in-flight 1", s});
  s.idempotence = false;
  s.max_in_flight = 5;
  out.push_back({"plain, in-flight 5", s});
  s.max_in_flight = 1;
  out.push_back({"plain, in-flight 1", s});
  ProducerSettings d;
  d.client_defaults = true;
  out.push_back({"client defaults", d});
  return out;
}

std::uint64_t schedule_seed(std::uint64_t seed, Client client, std::size_t configuration, int index) {
  std::uint64_t h = seed * 0x9E3779B97F4A7C15ULL;
  h ^= (static_cast<std::uint64_t>(client) + 1) * 0xBF58476D1CE4E5B9ULL;
  h ^= (configuration + 1) * 0x94D049BB133111EBULL;
  h += static_cast<std::uint64_t>(index) + 1;
  return h;
}

frontend::FaultSchedule cell_schedule(const CampaignConfig& c, Client client, std::size_t configuration, int index) {
  const std::uint64_t seed = schedule_seed(c.seed, client, configuration, index);
  if (c.faults < 1) return {};
  // Faults fire among the first requests, while records are still being sent.
  const std::int64_t window = std::max<std::int64_t>(1, std::min<std::int64_t>(c.app.records / 2, 20));
  frontend::ScheduleOptions first;
  const std::size_t k = (configuration * static_cast<std::size_t>(c.schedules) + static_cast<std::size_t>(index)) %
                        std::size(frontend::kAllFaultKinds);
  first.kinds = {frontend::kAllFaultKinds[k]};
  first.faults = 1;
  first.requests = window;
  first.request_timeout_ms = c.configurations[configuration].settings.request_timeout_ms;
  frontend::FaultSchedule s = frontend::random_schedule(seed, first);
  if (c.faults > 1) {
    frontend::ScheduleOptions rest = first;
    rest.kinds.assign(std::begin(frontend::kAllFaultKinds), std::end(frontend::kAllFaultKinds));
    rest.faults = c.faults - 1;
    rest.requests = window;
    const auto more = frontend::random_schedule(seed ^ 0x5851F42D4C957F2DULL, rest);
    for (const auto& [at, f] : more.at) s.at.emplace(at, f);  // the first fault keeps its request
  }
  return s;
}

CampaignResult run_campaign(const CampaignConfig& c, const std::function<void(const Cell&, const RunResult&)>& progress) {
  using Clock = std::chrono::steady_clock;
  CampaignResult out;
  for (const Client client : c.clients) {
    ClientSummary summary;
    summary.client = client;
    if (client == Client::kafkajs) {
      summary.unavailable = kafkajs_unavailable(c.kafkajs_dir.empty() ? default_kafkajs_dir() : c.kafkajs_dir);
    }
    if (!summary.unavailable.empty()) {
      out.clients.push_back(summary);
      continue;
    }
    const auto t0 = Clock::now();
    for (std::size_t j = 0; j < c.configurations.size(); ++j) {
      Cell cell;
      cell.client = client;
      cell.configuration = c.configurations[j].name;
      std::set<spec::Anomaly> found;
      bool found_fatal = false;
      for (int i = 0; i < c.schedules; ++i) {
        RunConfig rc;
        rc.client = client;
        rc.settings = c.configurations[j].settings;
        rc.app = c.app;
        rc.cluster.brokers = c.brokers;
        rc.cluster.faults = cell_schedule(c, client, j, i);
        rc.impl = c.impl;
        rc.kafkajs_dir = c.kafkajs_dir;
        const RunResult r = run_client(rc);
        ++cell.runs;
        ++summary.runs;
        if (summary.version.empty()) summary.version = r.driver.client_version;
        if (!r.driver.fatal.empty()) {
          ++cell.fatal;
          if (cell.first_fatal.empty()) cell.first_fatal = r.driver.fatal;
        }
        for (const auto& e : r.trace) {
          if (e.kind != frontend::TraceKind::fault) continue;
          const auto it = rc.cluster.faults.at.find(e.number);
          if (it != rc.cluster.faults.at.end()) cell.kinds.insert(it->second.kind);
        }
        std::set<spec::Anomaly> kinds;
        for (const auto& a : r.anomalies) kinds.insert(a.kind);
        for (const auto k : kinds) ++cell.runs_with[k];
        const std::uint64_t seed = schedule_seed(c.seed, client, j, i);
        // Each run's trace goes to `trace_dir/<client>-<configuration>-<what>.json`.
        const auto save = [&](const std::string& what) -> std::string {
          if (c.trace_dir.empty()) return {};
          std::filesystem::create_directories(c.trace_dir);
          const auto path = std::filesystem::path(c.trace_dir) /
                            (std::string(name(client)) + "-" + slug(cell.configuration) + "-" + what + ".json");
          std::ofstream file(path);
          file << to_json(to_run_file(rc, r, cell.configuration, seed)) << '\n';
          return file ? path.string() : std::string();
        };
        // A deviation is a finding to explain too: the first of each check in a cell keeps its trace.
        if (cell.stamps.add(r.deviation, seed)) {
          cell.stamps.trace = save("invariant-" + r.deviation->rule);
        }
        if (cell.model.add(r.model_deviation, seed)) {
          cell.model.trace = save("model-" + r.model_deviation->rule);
        }
        cell.acknowledged += r.acknowledged;
        cell.failed += r.failed;
        cell.pending += r.pending;
        cell.produce_requests += r.produce_requests;
        if (progress) progress(cell, r);
        // A finding per anomaly kind, and one for a fatal error, each at its first run.
        struct Seen {
          bool fatal;
          spec::Anomaly kind;
          std::string detail;
        };
        std::vector<Seen> fresh;
        if (!r.driver.fatal.empty() && !found_fatal) {
          found_fatal = true;
          fresh.push_back({true, spec::Anomaly::duplicate, r.driver.fatal});
        }
        for (const auto& a : r.anomalies) {
          if (found.insert(a.kind).second) fresh.push_back({false, a.kind, a.detail});
        }
        for (const Seen& seen : fresh) {
          Finding f;
          f.client = client;
          f.configuration = cell.configuration;
          f.kind = seen.kind;
          f.fatal = seen.fatal;
          f.detail = seen.detail;
          f.seed = seed;
          f.schedule = rc.cluster.faults;
          f.reruns = c.reruns;
          for (int k = 0; k < c.reruns; ++k) {
            const RunResult again = run_client(rc);
            ++summary.runs;
            if (seen.fatal ? !again.driver.fatal.empty() : has_kind(again, seen.kind)) ++f.reproduced;
          }
          f.trace = save(seen.fatal ? "fatal-error" : std::string(spec::name(seen.kind)));
          out.findings.push_back(std::move(f));
        }
      }
      out.cells.push_back(std::move(cell));
    }
    summary.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    out.clients.push_back(summary);
  }
  return out;
}

}  // namespace idemcheck::clients
