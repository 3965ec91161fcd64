#include "idemcheck/clients/run_timeline.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace idemcheck::clients {

namespace {

std::string records_text(const std::vector<spec::RecordRange>& rs) {
  // Consecutive numbers of one application as one range: "A0:3..5,8".
  std::ostringstream o;
  std::size_t i = 0;
  while (i < rs.size()) {
    std::size_t j = i;
    while (j + 1 < rs.size() && rs[j + 1].origin == rs[i].origin && rs[j + 1].first == rs[j].first + 1) ++j;
    if (i > 0) o << ',';
    if (rs[i].origin < 0) {
      o << "?";
    } else {
      o << 'A' << rs[i].origin << ':' << rs[i].first;
      if (j > i) o << ".." << rs[j].first;
    }
    i = j + 1;
  }
  return o.str();
}

std::string batch_text(const frontend::BatchTrace& b) {
  std::ostringstream o;
  o << "p" << b.partition;
  if (b.header.producer_id >= 0) {
    o << " pid " << b.header.producer_id << " e" << b.header.epoch << " seq " << b.header.first_sequence;
    if (b.header.record_count > 1) o << ".." << b.header.first_sequence + b.header.record_count - 1;
  }
  o << " [" << records_text(b.records) << "] -> ";
  if (b.appended) o << "appended @" << (b.base_offset >= 0 ? std::to_string(b.base_offset) : std::string("?"));
  if (b.duplicate) o << "duplicate of @" << b.base_offset;
  if (b.error != 0) {
    if (b.appended) o << ", then ";
    o << spec::name(static_cast<spec::Error>(b.error));
    if (spec::name(static_cast<spec::Error>(b.error)) == "UNKNOWN_ERROR") o << " (" << b.error << ")";
  }
  return o.str();
}

}  // namespace

std::string api_name(std::int16_t k) {
  switch (k) {
    case 0: return "Produce";
    case 1: return "Fetch";
    case 3: return "Metadata";
    case 18: return "ApiVersions";
    case 22: return "InitProducerId";
    default: return "api " + std::to_string(k);
  }
}

std::vector<std::string> run_header(const RunFile& f) {
  std::vector<std::string> out;
  std::ostringstream a;
  a << "client run: " << f.client_version << ", configuration \"" << f.configuration << "\"";
  if (!f.settings.client_defaults) {
    a << " (enable.idempotence=" << (f.settings.idempotence ? "true" : "false")
      << ", max.in.flight=" << f.settings.max_in_flight << ", acks=" << f.settings.acks << ")";
  }
  out.push_back(a.str());
  std::ostringstream b;
  b << "application A" << f.app.app << ": " << f.app.records << " records to " << f.app.partitions
    << " partition(s) of '" << f.app.topic << "', one every " << f.app.send_interval_ms << " ms; request timeout "
    << f.settings.request_timeout_ms << " ms, delivery timeout " << f.settings.delivery_timeout_ms << " ms";
  out.push_back(b.str());
  std::ostringstream c;
  c << "cluster: " << f.brokers << " broker(s), " << (f.impl ? "impl" : "spec") << " core; faults (seed " << f.seed
    << "): " << frontend::describe(f.schedule);
  out.push_back(c.str());
  return out;
}

std::vector<RunRow> run_timeline(const RunFile& f) {
  // Which log offsets are part of a duplicate, to mark the writes that made them.
  std::set<std::pair<int, std::int64_t>> dup_offsets;
  for (std::size_t q = 0; q < f.logs.size(); ++q) {
    std::map<std::pair<int, std::int64_t>, std::vector<std::int64_t>> where;
    for (const auto& e : f.logs[q]) {
      if (e.records.origin >= 0) where[{e.records.origin, e.records.first}].push_back(e.first_offset);
    }
    for (const auto& [rec, offs] : where) {
      if (offs.size() > 1) {
        for (const auto o : offs) dup_offsets.insert({static_cast<int>(q), o});
      }
    }
  }
  std::vector<RunRow> rows;
  for (const auto& e : f.trace) {
    RunRow r;
    r.ms = e.ms;
    r.broker = e.broker;
    r.connection = e.connection;
    std::ostringstream t;
    switch (e.kind) {
      case frontend::TraceKind::connected:
        r.kind = RunRow::Kind::connection;
        t << "connected";
        break;
      case frontend::TraceKind::disconnected:
        r.kind = RunRow::Kind::connection;
        t << "disconnected (" << e.text << ")";
        break;
      case frontend::TraceKind::request:
        r.kind = RunRow::Kind::request;
        t << api_name(e.api_key) << " v" << e.api_version << " corr " << e.correlation_id;
        break;
      case frontend::TraceKind::produce: {
        r.kind = RunRow::Kind::request;
        t << "Produce #" << e.number << " v" << e.api_version << " corr " << e.correlation_id << " acks " << e.value
          << ":";
        for (const auto& b : e.batches) {
          t << ' ' << batch_text(b) << ';';
          for (std::size_t i = 0; b.appended && i < b.records.size(); ++i) {
            if (dup_offsets.contains({b.partition, b.base_offset + static_cast<std::int64_t>(i)})) r.bad = true;
          }
        }
        break;
      }
      case frontend::TraceKind::response:
        r.kind = RunRow::Kind::response;
        t << "answer corr " << e.correlation_id;
        break;
      case frontend::TraceKind::fault:
        r.kind = RunRow::Kind::fault;
        t << "FAULT at Produce #" << e.number << ": " << e.text;
        break;
      case frontend::TraceKind::producer_id:
        r.kind = RunRow::Kind::cluster;
        t << "InitProducerId answered: producer id " << e.value << ", epoch 0";
        break;
      case frontend::TraceKind::leader_moved:
        r.kind = RunRow::Kind::cluster;
        t << "partition " << e.partition << " now led by broker " << e.broker << " (leader epoch " << e.value << ")";
        break;
      case frontend::TraceKind::broker_restarted:
        r.kind = RunRow::Kind::cluster;
        t << "broker " << e.broker << " restarted (" << e.text << ")";
        break;
      case frontend::TraceKind::producers_expired:
        r.kind = RunRow::Kind::cluster;
        t << "every partition's producer state expired";
        break;
      case frontend::TraceKind::rejected:
        r.kind = RunRow::Kind::rejected;
        t << "rejected (connection closed): " << e.text;
        break;
    }
    r.text = t.str();
    rows.push_back(std::move(r));
  }
  const std::size_t broker_rows = rows.size();
  for (const auto& rep : f.reports) {
    RunRow r;
    r.kind = RunRow::Kind::report;
    r.ms = rep.ms;
    std::ostringstream t;
    t << "report A" << f.app.app << ':' << rep.record << " (p" << rep.partition << "): ";
    if (!rep.reported) {
      t << "no report by the deadline";
      r.ms = f.elapsed_ms;
      r.bad = true;
    } else if (rep.error == spec::Error::none) {
      t << "acknowledged @" << rep.offset;
    } else {
      t << "failed: " << rep.client_error << " (read as " << spec::name(rep.error) << ")";
      r.bad = true;
    }
    r.text = t.str();
    rows.push_back(std::move(r));
  }
  // Stable by time, broker events first within a millisecond.
  std::vector<std::size_t> order(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (rows[a].ms != rows[b].ms) return rows[a].ms < rows[b].ms;
    return (a < broker_rows) && !(b < broker_rows);
  });
  std::vector<RunRow> out;
  out.reserve(rows.size());
  for (const auto i : order) out.push_back(std::move(rows[i]));
  return out;
}

}  // namespace idemcheck::clients
