#include "idemcheck/clients/run_file.hpp"

#include <nlohmann/json.hpp>

#include "idemcheck/spec/history.hpp"

namespace idemcheck::clients {

namespace {

using nlohmann::json;
constexpr const char* kFormat = "idemcheck-client-run";

json records_json(const std::vector<spec::RecordRange>& rs) {
  json a = json::array();
  for (const auto& r : rs) a.push_back(json::array({r.origin, r.first, r.count}));
  return a;
}

std::vector<spec::RecordRange> records_from(const json& a) {
  std::vector<spec::RecordRange> out;
  for (const auto& r : a) out.push_back(spec::RecordRange{r.at(0).get<int>(), r.at(1).get<std::int64_t>(),
                                                          r.at(2).get<std::int64_t>()});
  return out;
}

json header_json(const spec::Batch& b) {
  return json{{"producer_id", b.producer_id},
              {"epoch", b.epoch},
              {"sequence", b.first_sequence},
              {"count", b.record_count},
              {"max_timestamp", b.max_timestamp}};
}

spec::Batch header_from(const json& j) {
  spec::Batch b;
  b.producer_id = j.at("producer_id").get<std::int64_t>();
  b.epoch = j.at("epoch").get<std::int32_t>();
  b.first_sequence = j.at("sequence").get<std::int64_t>();
  b.record_count = j.at("count").get<std::int64_t>();
  b.max_timestamp = j.at("max_timestamp").get<std::int64_t>();
  return b;
}

std::optional<frontend::TraceKind> trace_kind(const std::string& s) {
  for (int k = 0; k <= static_cast<int>(frontend::TraceKind::rejected); ++k) {
    const auto kind = static_cast<frontend::TraceKind>(k);
    if (frontend::name(kind) == s) return kind;
  }
  return std::nullopt;
}

}  // namespace

RunFile to_run_file(const RunConfig& config, const RunResult& result, std::string configuration, std::uint64_t seed) {
  RunFile f;
  f.client = config.client;
  f.client_version = result.driver.client_version;
  f.configuration = std::move(configuration);
  f.settings = config.settings;
  f.app = config.app;
  f.brokers = config.cluster.brokers;
  f.impl = config.impl;
  f.seed = seed;
  f.schedule = config.cluster.faults;
  f.trace = result.trace;
  f.logs = result.logs;
  f.reports = result.driver.reports;
  f.anomalies = result.anomalies;
  f.fatal = result.driver.fatal;
  f.elapsed_ms = result.driver.elapsed_ms;
  return f;
}

std::vector<spec::AnomalyReport> judge(const RunFile& f) {
  DriverResult driver;
  driver.reports = f.reports;
  driver.fatal = f.fatal;
  return judge(f.logs, driver, f.app, judged_acks(f.settings));
}

RunConfig rerun_config(const RunFile& f) {
  RunConfig c;
  c.client = f.client;
  c.settings = f.settings;
  c.app = f.app;
  c.cluster.brokers = f.brokers;
  c.cluster.faults = f.schedule;
  c.impl = f.impl;
  return c;
}

std::string to_json(const RunFile& f) {
  json j;
  j["format"] = kFormat;
  j["version"] = 1;
  j["client"] = std::string(name(f.client));
  j["client_version"] = f.client_version;
  j["configuration"] = f.configuration;
  const auto& s = f.settings;
  j["settings"] = json{{"idempotence", s.idempotence},       {"max_in_flight", s.max_in_flight},
                       {"acks", s.acks},                     {"request_timeout_ms", s.request_timeout_ms},
                       {"delivery_timeout_ms", s.delivery_timeout_ms}, {"retries", s.retries},
                       {"retry_backoff_ms", s.retry_backoff_ms}, {"linger_ms", s.linger_ms},
                       {"client_defaults", s.client_defaults}};
  const auto& a = f.app;
  j["application"] = json{{"app", a.app},       {"topic", a.topic},
                          {"partitions", a.partitions}, {"records", a.records},
                          {"send_interval_ms", a.send_interval_ms}, {"deadline_ms", a.deadline_ms}};
  j["cluster"] = json{{"brokers", f.brokers}, {"core", f.impl ? "impl" : "spec"}};
  j["seed"] = f.seed;
  json faults = json::array();
  for (const auto& [at, fault] : f.schedule.at) {
    faults.push_back(json{{"at", at},
                          {"kind", std::string(frontend::name(fault.kind))},
                          {"error", fault.error},
                          {"hold_ms", fault.hold_ms},
                          {"clean", fault.clean}});
  }
  j["faults"] = faults;
  json trace = json::array();
  for (const auto& e : f.trace) {
    json t{{"kind", std::string(frontend::name(e.kind))}, {"ms", e.ms}, {"broker", e.broker}, {"connection", e.connection}};
    if (e.api_key >= 0) t["api_key"] = e.api_key;
    if (e.api_version >= 0) t["api_version"] = e.api_version;
    if (e.correlation_id >= 0) t["correlation_id"] = e.correlation_id;
    if (e.number) t["number"] = e.number;
    if (e.partition >= 0) t["partition"] = e.partition;
    if (e.value) t["value"] = e.value;
    if (!e.text.empty()) t["text"] = e.text;
    if (!e.batches.empty()) {
      json bs = json::array();
      for (const auto& b : e.batches) {
        bs.push_back(json{{"partition", b.partition},      {"header", header_json(b.header)},
                          {"records", records_json(b.records)}, {"error", b.error},
                          {"base_offset", b.base_offset},  {"duplicate", b.duplicate},
                          {"appended", b.appended}});
      }
      t["batches"] = bs;
    }
    trace.push_back(t);
  }
  j["trace"] = trace;
  json logs = json::array();
  for (const auto& log : f.logs) {
    json l = json::array();
    for (const auto& e : log) {
      l.push_back(json{{"offset", e.first_offset},
                       {"records", records_json({e.records})},
                       {"header", header_json(e.header)},
                       {"zombie", e.zombie}});
    }
    logs.push_back(l);
  }
  j["logs"] = logs;
  json reports = json::array();
  for (const auto& r : f.reports) {
    reports.push_back(json{{"record", r.record}, {"partition", r.partition}, {"reported", r.reported},
                           {"offset", r.offset}, {"error", std::string(spec::name(r.error))},
                           {"client_error", r.client_error}, {"ms", r.ms}});
  }
  j["reports"] = reports;
  json anomalies = json::array();
  for (const auto& an : f.anomalies) {
    anomalies.push_back(json{{"kind", std::string(spec::name(an.kind))}, {"partition", an.partition}, {"detail", an.detail}});
  }
  j["anomalies"] = anomalies;
  j["fatal"] = f.fatal;
  j["elapsed_ms"] = f.elapsed_ms;
  return j.dump(1);
}

bool is_run_file(const std::string& text) {
  const auto j = json::parse(text, nullptr, false);
  return !j.is_discarded() && j.is_object() && j.value("format", std::string()) == kFormat;
}

std::optional<RunFile> from_json(const std::string& text, std::string& error) {
  const auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  try {
    if (j.at("format").get<std::string>() != kFormat) {
      error = "not a client-run file (format is not " + std::string(kFormat) + ")";
      return std::nullopt;
    }
    if (j.at("version").get<int>() != 1) {
      error = "unknown client-run file version";
      return std::nullopt;
    }
    RunFile f;
    const auto client = parse_client(j.at("client").get<std::string>());
    if (!client) {
      error = "unknown client '" + j.at("client").get<std::string>() + "'";
      return std::nullopt;
    }
    f.client = *client;
    f.client_version = j.at("client_version").get<std::string>();
    f.configuration = j.at("configuration").get<std::string>();
    const auto& s = j.at("settings");
    f.settings.idempotence = s.at("idempotence").get<bool>();
    f.settings.max_in_flight = s.at("max_in_flight").get<int>();
    f.settings.acks = s.at("acks").get<int>();
    f.settings.request_timeout_ms = s.at("request_timeout_ms").get<int>();
    f.settings.delivery_timeout_ms = s.at("delivery_timeout_ms").get<int>();
    f.settings.retries = s.at("retries").get<int>();
    f.settings.retry_backoff_ms = s.at("retry_backoff_ms").get<int>();
    f.settings.linger_ms = s.at("linger_ms").get<int>();
    f.settings.client_defaults = s.at("client_defaults").get<bool>();
    const auto& a = j.at("application");
    f.app.app = a.at("app").get<int>();
    f.app.topic = a.at("topic").get<std::string>();
    f.app.partitions = a.at("partitions").get<int>();
    f.app.records = a.at("records").get<int>();
    f.app.send_interval_ms = a.at("send_interval_ms").get<int>();
    f.app.deadline_ms = a.at("deadline_ms").get<int>();
    if (f.app.partitions < 1 || f.app.records < 0) {
      error = "application: partitions must be >= 1 and records >= 0";
      return std::nullopt;
    }
    f.brokers = j.at("cluster").at("brokers").get<int>();
    f.impl = j.at("cluster").at("core").get<std::string>() == "impl";
    f.seed = j.at("seed").get<std::uint64_t>();
    for (const auto& fj : j.at("faults")) {
      frontend::Fault fault;
      const auto kind = frontend::parse_fault_kind(fj.at("kind").get<std::string>());
      if (!kind) {
        error = "unknown fault kind '" + fj.at("kind").get<std::string>() + "'";
        return std::nullopt;
      }
      fault.kind = *kind;
      fault.error = fj.at("error").get<std::int16_t>();
      fault.hold_ms = fj.at("hold_ms").get<std::int64_t>();
      fault.clean = fj.at("clean").get<bool>();
      f.schedule.at[fj.at("at").get<std::int64_t>()] = fault;
    }
    for (const auto& t : j.at("trace")) {
      frontend::TraceEvent e;
      const auto kind = trace_kind(t.at("kind").get<std::string>());
      if (!kind) {
        error = "unknown trace event '" + t.at("kind").get<std::string>() + "'";
        return std::nullopt;
      }
      e.kind = *kind;
      e.ms = t.at("ms").get<std::int64_t>();
      e.broker = t.at("broker").get<int>();
      e.connection = t.at("connection").get<std::uint64_t>();
      e.api_key = t.value("api_key", std::int16_t{-1});
      e.api_version = t.value("api_version", std::int16_t{-1});
      e.correlation_id = t.value("correlation_id", std::int32_t{-1});
      e.number = t.value("number", std::int64_t{0});
      e.partition = t.value("partition", -1);
      e.value = t.value("value", std::int64_t{0});
      e.text = t.value("text", std::string());
      if (t.contains("batches")) {
        for (const auto& b : t.at("batches")) {
          frontend::BatchTrace bt;
          bt.partition = b.at("partition").get<int>();
          bt.header = header_from(b.at("header"));
          bt.records = records_from(b.at("records"));
          bt.error = b.at("error").get<std::int16_t>();
          bt.base_offset = b.at("base_offset").get<std::int64_t>();
          bt.duplicate = b.at("duplicate").get<bool>();
          bt.appended = b.at("appended").get<bool>();
          e.batches.push_back(std::move(bt));
        }
      }
      f.trace.push_back(std::move(e));
    }
    for (const auto& l : j.at("logs")) {
      std::vector<spec::LoggedBatch> log;
      for (const auto& e : l) {
        spec::LoggedBatch lb;
        lb.first_offset = e.at("offset").get<std::int64_t>();
        const auto rs = records_from(e.at("records"));
        if (rs.size() != 1) {
          error = "a log entry must hold one record range";
          return std::nullopt;
        }
        lb.records = rs.front();
        lb.header = header_from(e.at("header"));
        lb.zombie = e.at("zombie").get<bool>();
        log.push_back(lb);
      }
      f.logs.push_back(std::move(log));
    }
    for (const auto& r : j.at("reports")) {
      DeliveryReport d;
      d.record = r.at("record").get<std::int64_t>();
      d.partition = r.at("partition").get<int>();
      d.reported = r.at("reported").get<bool>();
      d.offset = r.at("offset").get<std::int64_t>();
      const std::string err = r.at("error").get<std::string>();
      if (!spec::parse_error(err, d.error)) {
        error = "unknown error name '" + err + "' in a report";
        return std::nullopt;
      }
      d.client_error = r.at("client_error").get<std::string>();
      d.ms = r.at("ms").get<std::int64_t>();
      f.reports.push_back(std::move(d));
    }
    for (const auto& an : j.at("anomalies")) {
      spec::Anomaly kind{};
      if (!spec::parse_anomaly(an.at("kind").get<std::string>(), kind)) {
        error = "unknown anomaly '" + an.at("kind").get<std::string>() + "'";
        return std::nullopt;
      }
      f.anomalies.push_back(spec::AnomalyReport{kind, an.at("partition").get<int>(), an.at("detail").get<std::string>()});
    }
    f.fatal = j.at("fatal").get<std::string>();
    f.elapsed_ms = j.at("elapsed_ms").get<std::int64_t>();
    return f;
  } catch (const nlohmann::json::exception& e) {
    error = std::string("malformed client-run file: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace idemcheck::clients
