#include "idemcheck/spec/checker.hpp"

#include "checker_rules.hpp"

#include "name_table.hpp"

#include <array>
#include <map>
#include <ostream>
#include <sstream>

namespace idemcheck::spec {

namespace {

using detail::overlaps;
using detail::contains;
using detail::cat;

constexpr std::array<std::pair<Anomaly, std::string_view>, 6> kNames{{
    {Anomaly::duplicate, "duplicate"},
    {Anomaly::lost_write, "lost-write"},
    {Anomaly::nonmonotonic_send, "nonmonotonic-send"},
    {Anomaly::inconsistent_offsets, "inconsistent-offsets"},
    {Anomaly::failed_but_written, "failed-but-written"},
    {Anomaly::stuck_send, "stuck-send"},
}};


}  // namespace

std::string_view name(Anomaly a) {
  return detail::name_of(kNames, a, "unknown-anomaly");
}

bool parse_anomaly(std::string_view text, Anomaly& out) {
  return detail::parse_name(kNames, text, out);
}

std::ostream& operator<<(std::ostream& os, const AnomalyReport& r) {
  return os << name(r.kind) << " on p" << r.partition << ": " << r.detail;
}

CheckSet CheckSet::only(Anomaly a) {
  CheckSet c{false, false, false, false, false, false};
  switch (a) {
    case Anomaly::duplicate: c.duplicate = true; break;
    case Anomaly::lost_write: c.lost_write = true; break;
    case Anomaly::nonmonotonic_send: c.nonmonotonic_send = true; break;
    case Anomaly::inconsistent_offsets: c.inconsistent_offsets = true; break;
    case Anomaly::failed_but_written: c.failed_but_written = true; break;
    case Anomaly::stuck_send: c.stuck_send = true; break;
  }
  return c;
}

bool CheckSet::has(Anomaly a) const {
  switch (a) {
    case Anomaly::duplicate: return duplicate;
    case Anomaly::lost_write: return lost_write;
    case Anomaly::nonmonotonic_send: return nonmonotonic_send;
    case Anomaly::inconsistent_offsets: return inconsistent_offsets;
    case Anomaly::failed_but_written: return failed_but_written;
    case Anomaly::stuck_send: return stuck_send;
  }
  return false;
}

namespace {

// The whole-history check, over any source of logs (`log_of(q)`).
template <class LogOf>
std::vector<AnomalyReport> check_whole(int partitions, const LogOf& log_of, const std::vector<SendRecord>& sends,
                                       int acks, const CheckSet& checks) {
  std::vector<AnomalyReport> out;
  for (int q = 0; q < partitions; ++q) {
    const std::vector<LoggedBatch>& log = log_of(q);

    if (checks.duplicate) {
      bool found = false;
      for (std::size_t i = 0; i < log.size() && !found; ++i) {
        for (std::size_t j = i + 1; j < log.size() && !found; ++j) {
          if (overlaps(log[i].records, log[j].records)) {
            out.push_back({Anomaly::duplicate, q,
                           cat("records ", log[i].records, " at offset ", log[i].first_offset, " and ", log[j].records,
                               " at offset ", log[j].first_offset)});
            found = true;
          }
        }
      }
    }

    // First offset at which each send's records appear, or -1.
    auto first_offset_of = [&](const RecordRange& r) -> std::int64_t {
      for (const LoggedBatch& b : log) {
        if (contains(b.records, r)) return b.first_offset + (r.first - b.records.first);
      }
      return -1;
    };

    bool lost = false, inconsistent = false, failed = false;
    for (const SendRecord& s : sends) {
      if (s.partition != q) continue;
      const auto& o = s.outcome;
      if (o.state == SendOutcome::State::acknowledged && acks != 0) {
        const std::int64_t at = first_offset_of(s.records);
        if (checks.lost_write && !lost && at < 0) {
          out.push_back({Anomaly::lost_write, q, cat("records ", s.records, " acknowledged at offset ", o.offset,
                                                     " are not in the log")});
          lost = true;
        }
        if (checks.inconsistent_offsets && !inconsistent && o.offset >= 0) {
          bool holds = false;
          for (const LoggedBatch& b : log) {
            if (b.first_offset == o.offset && b.records == s.records) holds = true;
          }
          if (!holds) {
            out.push_back({Anomaly::inconsistent_offsets, q,
                           cat("records ", s.records, " acknowledged at offset ", o.offset, ", which holds other records")});
            inconsistent = true;
          }
        }
      }
      if (checks.failed_but_written && !failed && o.state == SendOutcome::State::failed &&
          !detail::admits_write(o.error) &&
          (!checks.failed_single_attempt_only || o.attempts == 1) &&
          first_offset_of(s.records) >= 0) {
        out.push_back({Anomaly::failed_but_written, q,
                       cat("records ", s.records, " failed with ", name(o.error), " but are in the log at offset ",
                           first_offset_of(s.records))});
        failed = true;
      }
    }

    if (checks.nonmonotonic_send) {
      // Per producer session, sends in send order must appear in increasing offsets.
      std::map<std::pair<int, int>, std::pair<std::int64_t, RecordRange>> last_seen;  // (producer, session) -> last offset
      bool found = false;
      for (const SendRecord& s : sends) {
        if (s.partition != q || found) continue;
        const std::int64_t at = first_offset_of(s.records);
        if (at < 0) continue;
        const auto key = std::make_pair(s.producer, s.session);
        const auto it = last_seen.find(key);
        if (it != last_seen.end() && at < it->second.first) {
          out.push_back({Anomaly::nonmonotonic_send, q,
                         cat("P", s.producer, " sent ", it->second.second, " before ", s.records,
                             ", but the log has them at offsets ", it->second.first, " and ", at)});
          found = true;
        }
        last_seen[key] = {at, s.records};
      }
    }
  }
  return out;
}

}  // namespace

std::vector<AnomalyReport> find_anomalies(const World& world, const CheckSet& checks) {
  return check_whole(
      world.config().partitions, [&](int q) -> const std::vector<LoggedBatch>& { return world.log(q); }, world.sends(),
      world.config().producer.acks, checks);
}

std::vector<AnomalyReport> find_anomalies(const std::vector<std::vector<LoggedBatch>>& logs,
                                          const std::vector<SendRecord>& sends, int acks, const CheckSet& checks) {
  return check_whole(
      static_cast<int>(logs.size()),
      [&](int q) -> const std::vector<LoggedBatch>& { return logs[static_cast<std::size_t>(q)]; }, sends, acks, checks);
}

}  // namespace idemcheck::spec
