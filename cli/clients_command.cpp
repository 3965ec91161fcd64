// `idemcheck clients`: real Kafka clients against the wire front end.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "idemcheck/clients/campaign.hpp"
#include "idemcheck/clients/run_file.hpp"
#include "options.hpp"

namespace idemcheck::cli {

namespace {

const char* kUsage =
    "usage: idemcheck clients [options]\n"
    "\n"
    "Runs real Kafka clients (librdkafka through its C API, kafkajs through node)\n"
    "against the project's Kafka front end: a cluster on loopback whose partitions\n"
    "are the model's, which injects faults at the protocol layer from seeded\n"
    "schedules (lost requests, zombies, lost or late answers, errors before and\n"
    "after the append, leader moves, broker restarts, producer-state expiry).\n"
    "Each run is judged on the broker's log and the client's delivery reports:\n"
    "duplicate, lost-write, nonmonotonic-send, inconsistent-offsets,\n"
    "failed-but-written, stuck-send; and against the model producer: the runs\n"
    "whose stamps break its invariants (C1..C5) and those it would not have sent\n"
    "so given the same answers (M1..M8), each with its first deviation. Prints a\n"
    "table per client and every finding\n"
    "with how often its schedule reproduces it (k of n reruns) and its trace,\n"
    "which `idemcheck replay` renders. Exit status: 0 the campaign ran (findings\n"
    "are results, not failures), 1 a client asked for could not run, 2 bad usage.\n"
    "\n"
    "options:\n"
    "  --client LIST      librdkafka, kafkajs (default: both)\n"
    "  --config LIST      idempotent-5, idempotent-1, plain-5, plain-1, defaults\n"
    "                     (default: all; the number is max.in.flight)\n"
    "  --seed N           campaign seed (default 1)\n"
    "  --schedules N      fault schedules per client and configuration (default 9:\n"
    "                     every fault kind once)\n"
    "  --faults N         faults per schedule (default 2)\n"
    "  --reruns N         reruns of each finding's schedule (default 3)\n"
    "  --records N        records the application sends (default 40)\n"
    "  --partitions N     partitions of the topic (default 2)\n"
    "  --brokers N        brokers (default 3)\n"
    "  --core spec|impl   the partitions' producer-state core (default spec)\n"
    "  --traces DIR       write each finding's trace there\n"
    "  --kafkajs-dir DIR  where clients/kafkajs is (default: the source tree's)\n"
    "  --rerun FILE       run the schedule of a saved run --reruns times instead,\n"
    "                     and say how often each of its anomalies comes back\n";

std::string slug_of(const std::string& name) {
  if (name == "idempotent, in-flight 5") return "idempotent-5";
  if (name == "idempotent, in-flight 1") return "idempotent-1";
  if (name == "plain, in-flight 5") return "plain-5";
  if (name == "plain, in-flight 1") return "plain-1";
  return "defaults";
}

std::string split_error(const std::string& option, const std::string& item) {
  return fmt::format("{}: unknown value '{}'", option, item);
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(item);
  if (out.empty()) out.push_back("");
  return out;
}

constexpr spec::Anomaly kColumns[] = {spec::Anomaly::duplicate,         spec::Anomaly::lost_write,
                                      spec::Anomaly::nonmonotonic_send, spec::Anomaly::inconsistent_offsets,
                                      spec::Anomaly::failed_but_written, spec::Anomaly::stuck_send};

void print_tables(const clients::CampaignResult& r, std::FILE* out) {
  for (const auto& summary : r.clients) {
    fmt::print(out, "\n{} ({})\n", clients::name(summary.client),
               summary.unavailable.empty() ? summary.version : "not run: " + summary.unavailable);
    if (!summary.unavailable.empty()) continue;
    fmt::print(out, "  {:<26} {:>4} {:>5} {:>14}", "configuration", "runs", "kinds", "ack/fail/pend");
    for (const auto a : kColumns) fmt::print(out, " {:>12}", spec::name(a).substr(0, 12));
    fmt::print(out, " {:>6} {:>9} {:>9}\n", "fatal", "invariant", "model");
    for (const auto& cell : r.cells) {
      if (cell.client != summary.client) continue;
      fmt::print(out, "  {:<26} {:>4} {:>5} {:>14}", cell.configuration, cell.runs, cell.kinds.size(),
                 fmt::format("{}/{}/{}", cell.acknowledged, cell.failed, cell.pending));
      for (const auto a : kColumns) {
        const auto it = cell.runs_with.find(a);
        const int n = it == cell.runs_with.end() ? 0 : it->second;
        fmt::print(out, " {:>12}", n == 0 ? std::string("-") : fmt::format("{} of {}", n, cell.runs));
      }
      const auto count = [&](const clients::Deviations& d) {
        return d.runs == 0 ? std::string("-") : fmt::format("{} of {}", d.runs, cell.runs);
      };
      fmt::print(out, " {:>6} {:>9} {:>9}\n", cell.fatal, count(cell.stamps), count(cell.model));
    }
    const auto first = [&](const clients::Cell& cell, const clients::Deviations& d, std::string_view what) {
      if (!d.first) return;
      fmt::print(out, "  {}: first {} ({}, schedule seed {}, Produce #{}, p{}): {}\n", cell.configuration, what,
                 d.first->rule, d.first_seed, d.first->request, d.first->partition, d.first->detail);
      if (!d.trace.empty()) fmt::print(out, "    trace: {}\n", d.trace);
    };
    for (const auto& cell : r.cells) {
      if (cell.client != summary.client) continue;
      first(cell, cell.stamps, "break of the model's stamp invariants");
      first(cell, cell.model, "request the model producer would not send");
    }
    for (const auto& cell : r.cells) {
      if (cell.client == summary.client && cell.fatal > 0) {
        fmt::print(out, "  {}: {} fatal run(s), first: {}\n", cell.configuration, cell.fatal, cell.first_fatal);
      }
    }
    fmt::print(out, "  {} runs in {:.1f} s: {:.2f} runs/s\n", summary.runs, summary.seconds,
               summary.seconds > 0 ? summary.runs / summary.seconds : 0.0);
  }
  fmt::print(out, "\nfindings: {}\n", r.findings.size());
  for (const auto& f : r.findings) {
    fmt::print(out, "  {} / {}: {} (reproduced {} of {} reruns)\n    schedule (seed {}): {}\n    {}\n",
               clients::name(f.client), f.configuration, f.fatal ? std::string_view("fatal error") : spec::name(f.kind), f.reproduced,
               f.reruns, f.seed,
               frontend::describe(f.schedule), f.detail);
    if (!f.trace.empty()) fmt::print(out, "    trace: {}  (idemcheck replay {})\n", f.trace, f.trace);
  }
}

}  // namespace

int run_clients_command(const Args& args, std::FILE* out, std::FILE* err) {
  const auto started = start_command("clients", args,
                                     {{"--client", true},
                                      {"--config", true},
                                      {"--seed", true},
                                      {"--schedules", true},
                                      {"--faults", true},
                                      {"--reruns", true},
                                      {"--records", true},
                                      {"--partitions", true},
                                      {"--brokers", true},
                                      {"--core", true},
                                      {"--traces", true},
                                      {"--kafkajs-dir", true},
                                      {"--rerun", true}},
                                     kUsage, out, err);
  if (const int* status = std::get_if<int>(&started)) return *status;
  const ParsedOptions& o = std::get<ParsedOptions>(started);
  auto fail = [&](const std::string& message) {
    fmt::print(err, "idemcheck clients: {}\n", message);
    return 2;
  };
  clients::CampaignConfig c;
  c.app.partitions = 2;
  c.app.records = 40;
  if (const auto v = o.value("--client")) {
    c.clients.clear();
    for (const auto& item : split(*v)) {
      const auto client = clients::parse_client(item);
      if (!client) return fail(split_error("--client", item));
      c.clients.push_back(*client);
    }
  }
  if (const auto v = o.value("--config")) {
    const auto all = clients::default_configurations();
    c.configurations.clear();
    for (const auto& item : split(*v)) {
      bool known = false;
      for (const auto& conf : all) {
        if (slug_of(conf.name) == item) {
          c.configurations.push_back(conf);
          known = true;
        }
      }
      if (!known) return fail(split_error("--config", item));
    }
  }
  std::uint64_t seed = 1, schedules = 9, faults = 2, reruns = 3, records = 40, partitions = 2, brokers = 3;
  for (auto e : {read_unsigned(o, "--seed", 0, UINT64_MAX, seed), read_unsigned(o, "--schedules", 1, 100000, schedules),
                 read_unsigned(o, "--faults", 0, 100, faults), read_unsigned(o, "--reruns", 0, 1000, reruns),
                 read_unsigned(o, "--records", 1, 100000, records), read_unsigned(o, "--partitions", 1, 64, partitions),
                 read_unsigned(o, "--brokers", 1, 16, brokers)}) {
    if (e) return fail(*e);
  }
  c.seed = seed;
  c.schedules = static_cast<int>(schedules);
  c.faults = static_cast<int>(faults);
  c.reruns = static_cast<int>(reruns);
  c.app.records = static_cast<int>(records);
  c.app.partitions = static_cast<int>(partitions);
  c.brokers = static_cast<int>(brokers);
  const std::string core = o.value("--core").value_or("spec");
  if (core != "spec" && core != "impl") return fail(fmt::format("--core is spec or impl, not '{}'", core));
  c.impl = core == "impl";
  c.trace_dir = o.value("--traces").value_or("");
  c.kafkajs_dir = o.value("--kafkajs-dir").value_or("");
  // The deadline: every record's delivery timeout, with the sends' spread and margin for reconnects.
  c.app.deadline_ms = 5000 + c.app.records * c.app.send_interval_ms + 8000;

  if (const auto path = o.value("--rerun")) {
    std::ifstream in(*path);
    if (!in) return fail(fmt::format("cannot read '{}'", *path));
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    const auto file = clients::from_json(text.str(), error);
    if (!file) return fail(fmt::format("{}: {}", *path, error));
    const auto rc = clients::rerun_config(*file);
    fmt::print(out, "{} / {}: schedule {}\n", clients::name(file->client), file->configuration,
               frontend::describe(file->schedule));
    std::map<spec::Anomaly, int> back;
    for (std::uint64_t i = 0; i < reruns; ++i) {
      const auto r = clients::run_client(rc);
      std::set<spec::Anomaly> kinds;
      for (const auto& a : r.anomalies) kinds.insert(a.kind);
      for (const auto k : kinds) ++back[k];
      if (!r.driver.fatal.empty()) {
        fmt::print(err, "idemcheck clients: {}\n", r.driver.fatal);
        return 1;
      }
    }
    for (const auto& a : file->anomalies) {
      fmt::print(out, "  {}: back in {} of {} reruns\n", spec::name(a.kind), back[a.kind], reruns);
    }
    if (file->anomalies.empty()) fmt::print(out, "  (the saved run had no anomaly)\n");
    return 0;
  }

  const auto result = clients::run_campaign(c);
  print_tables(result, out);
  for (const auto& s : result.clients) {
    if (!s.unavailable.empty() && o.value("--client")) {
      fmt::print(err, "idemcheck clients: {} could not run: {}\n", clients::name(s.client), s.unavailable);
      return 1;
    }
  }
  return 0;
}

}  // namespace idemcheck::cli
