// The small world and its claims (see small_world.hpp).
#include "idemcheck/spec/small_world.hpp"

#include "name_table.hpp"

#include <algorithm>
#include <array>
#include <sstream>
#include <stdexcept>
#include <variant>

#include "idemcheck/spec/checker.hpp"

namespace idemcheck::spec {

namespace {

constexpr std::array<std::pair<SymbolicClaim, std::string_view>, 5> kClaimNames{{
    {SymbolicClaim::duplicate, "duplicate"},
    {SymbolicClaim::nonmonotonic_send, "nonmonotonic-send"},
    {SymbolicClaim::lost_write, "lost-write"},
    {SymbolicClaim::inconsistent_offsets, "inconsistent-offsets"},
    {SymbolicClaim::retry_is_duplicate, "retry-is-duplicate"},
}};

}  // namespace

// --- configuration -----------------------------------------------------------

int default_batches(int max_in_flight, int window, bool known_producer) {
  return std::min(max_in_flight, window) + 1 + (known_producer ? 1 : 0);
}

SymbolicConfig resolve(SymbolicConfig c) {
  if (c.batches == 0) c.batches = default_batches(c.max_in_flight, c.window, c.known_producer);
  if (c.zombies == 0) c.zombies = c.max_in_flight;
  return c;
}

std::string check_symbolic_config(const SymbolicConfig& raw) {
  const SymbolicConfig c = resolve(raw);
  if (c.max_in_flight < 1 || c.max_in_flight > 8) return "m (max.in.flight) must be 1 to 8";
  if (c.window < 1 || c.window > 8) return "w (the broker's cached batches) must be 1 to 8";
  if (c.batches < 1 || c.batches > 8) return "the number of sends must be 1 to 8";
  if (c.known_producer && c.batches < 2) return "the known-producer setting needs at least 2 sends (its prefix spends one)";
  if (c.zombies < 1 || c.zombies > 16) return "the zombie capacity must be 1 to 16";
  return {};
}

WorldConfig small_world_config(const SymbolicConfig& raw) {
  if (const std::string why = check_symbolic_config(raw); !why.empty()) throw std::invalid_argument(why);
  const SymbolicConfig c = resolve(raw);
  const ProducerSettings settings{{"enable.idempotence", c.idempotence ? "true" : "false"},
                                  {"max.in.flight.requests.per.connection", std::to_string(c.max_in_flight)},
                                  {"retry.backoff.ms", "0"},
                                  {"request.timeout.ms", "30000"},
                                  {"delivery.timeout.ms", "2147483647"}};
  auto v = validate_producer_settings(settings, true);
  if (auto* e = std::get_if<ConfigError>(&v)) throw std::invalid_argument(e->message);
  WorldConfig w;
  w.producers = 1;
  w.partitions = 1;
  w.brokers = 1;
  w.broker.window = c.window;
  w.producer = std::get<ProducerConfig>(v);
  w.producer.notes.clear();
  return w;
}

std::vector<Event> known_producer_prefix(const SymbolicConfig& config) {
  if (!config.known_producer) return {};
  std::vector<Event> prefix(4);
  prefix[0].kind = Event::Kind::send;
  prefix[0].count = 1;
  prefix[1].kind = Event::Kind::drain;
  prefix[2].kind = Event::Kind::deliver_request;
  prefix[3].kind = Event::Kind::deliver_response;
  return prefix;
}

std::string_view name(SymbolicClaim c) {
  return detail::name_of(kClaimNames, c, "unknown-claim");
}

bool parse_symbolic_claim(std::string_view text, SymbolicClaim& out) {
  return detail::parse_name(kClaimNames, text, out);
}

const std::vector<SymbolicClaim>& all_symbolic_claims() {
  static const std::vector<SymbolicClaim> all{SymbolicClaim::duplicate, SymbolicClaim::nonmonotonic_send,
                                              SymbolicClaim::lost_write, SymbolicClaim::inconsistent_offsets,
                                              SymbolicClaim::retry_is_duplicate};
  return all;
}

std::string concrete_violation(const History& history, SymbolicClaim claim, const Components& components) {
  World world(history.config, components);
  if (claim == SymbolicClaim::retry_is_duplicate) {
    for (std::size_t i = 0; i < history.events.size(); ++i) {
      std::vector<std::int64_t> in_log;
      for (const LoggedBatch& b : world.log(0)) in_log.push_back(b.records.first);
      for (const Effect& e : world.apply(history.events[i])) {
        if (e.kind != Effect::Kind::batch_answered || e.zombie || e.error == Error::not_enough_replicas) continue;
        std::int64_t record = -1;
        for (const SendRecord& s : world.sends()) {
          if (s.batch_id == e.batch) record = s.records.first;
        }
        if (std::find(in_log.begin(), in_log.end(), record) != in_log.end() && !e.duplicate) {
          std::ostringstream os;
          os << "step " << i + 1 << ": batch#" << e.batch << " is in the log, but the broker answered ";
          if (e.error != Error::none) {
            os << name(e.error);
          } else {
            os << "WRITTEN @" << e.offset;
          }
          return os.str();
        }
      }
    }
    return {};
  }
  for (const Event& e : history.events) world.apply(e);
  Anomaly a = Anomaly::duplicate;
  switch (claim) {
    case SymbolicClaim::duplicate: a = Anomaly::duplicate; break;
    case SymbolicClaim::nonmonotonic_send: a = Anomaly::nonmonotonic_send; break;
    case SymbolicClaim::lost_write: a = Anomaly::lost_write; break;
    case SymbolicClaim::inconsistent_offsets: a = Anomaly::inconsistent_offsets; break;
    case SymbolicClaim::retry_is_duplicate: break;
  }
  const auto found = find_anomalies(world, CheckSet::only(a));
  if (found.empty()) return {};
  std::ostringstream os;
  os << found.front();
  return os.str();
}

}  // namespace idemcheck::spec
