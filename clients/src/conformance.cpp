#include "idemcheck/clients/conformance.hpp"

#include <map>
#include <sstream>
#include <tuple>
#include <vector>

#include "idemcheck/spec/partition_model.hpp"
#include "trace_records.hpp"

namespace idemcheck::clients {

namespace {

using Records = std::vector<spec::RecordRange>;

struct Stamp {
  std::int64_t pid = -1;
  std::int32_t epoch = -1;
  std::int64_t seq = -1;
};

struct PartitionState {
  bool any = false;
  std::int64_t pid = -1;
  std::int32_t epoch = -1;
  std::int64_t next = 0;
  std::map<Records, Stamp> sent;                              // each batch's last attempt
  std::map<std::pair<int, std::int64_t>, const Records*> owner;  // record -> the batch that carried it
};

std::string show(const Records& rs) {
  std::ostringstream o;
  for (std::size_t i = 0; i < rs.size(); ++i) {
    if (i) o << ',';
    detail::show_record(o, rs[i]);
  }
  return o.str();
}

}  // namespace

std::optional<Deviation> first_deviation(const frontend::Trace& trace) {
  std::map<int, PartitionState> parts;
  std::map<std::int64_t, std::int32_t> top_epoch;  // per producer id
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const auto& e = trace[i];
    if (e.kind != frontend::TraceKind::produce) continue;
    for (const auto& b : e.batches) {
      if (!detail::idempotent_batch(b) || !detail::known_identity(b.records)) continue;
      auto deviation = [&](std::string rule, std::string detail) {
        return Deviation{std::move(rule), i, e.number, b.partition, std::move(detail)};
      };
      const std::int64_t pid = b.header.producer_id;
      const std::int32_t epoch = b.header.epoch;
      const std::int64_t seq = b.header.first_sequence;
      if (auto it = top_epoch.find(pid); it != top_epoch.end() && epoch < it->second) {
        std::ostringstream d;
        d << "producer id " << pid << " sent epoch " << epoch << " after epoch " << it->second;
        return deviation("C5", d.str());
      }
      top_epoch[pid] = std::max(top_epoch[pid], epoch);
      PartitionState& p = parts[b.partition];
      const Records& rs = b.records;
      if (const auto it = p.sent.find(rs); it != p.sent.end()) {
        // A retry.
        if (it->second.pid == pid && it->second.epoch == epoch && it->second.seq != seq) {
          std::ostringstream d;
          d << "records " << show(rs) << " retried as pid " << pid << " epoch " << epoch << " seq " << seq
            << ", but their previous attempt under the same id and epoch had seq " << it->second.seq;
          return deviation("C3", d.str());
        }
        it->second = Stamp{pid, epoch, seq};
        if (pid != p.pid || epoch != p.epoch) {
          // Re-stamped under a new id or epoch: the partition's sequences continue from here.
          p.pid = pid;
          p.epoch = epoch;
          p.next = spec::next_sequence(spec::last_sequence(seq, b.header.record_count));
        }
        continue;
      }
      for (const auto& r : rs) {
        if (const auto o = p.owner.find({r.origin, r.first}); o != p.owner.end()) {
          std::ostringstream d;
          d << "batch " << show(rs) << " carries A" << r.origin << ':' << r.first << " of the earlier batch "
            << show(*o->second);
          return deviation("C4", d.str());
        }
      }
      if (!p.any || pid != p.pid || epoch != p.epoch) {
        if (seq != 0) {
          std::ostringstream d;
          d << "first batch " << show(rs) << " under pid " << pid << " epoch " << epoch << " has seq " << seq
            << ", not 0";
          return deviation("C2", d.str());
        }
      } else if (seq != p.next) {
        std::ostringstream d;
        d << "new batch " << show(rs) << " has seq " << seq << " where the next is " << p.next;
        return deviation("C1", d.str());
      }
      p.any = true;
      p.pid = pid;
      p.epoch = epoch;
      p.next = spec::next_sequence(spec::last_sequence(seq, b.header.record_count));
      const auto [slot, inserted] = p.sent.emplace(rs, Stamp{pid, epoch, seq});
      for (const auto& r : rs) p.owner[{r.origin, r.first}] = &slot->first;
      (void)inserted;
    }
  }
  return std::nullopt;
}

}  // namespace idemcheck::clients
