#include "idemcheck/spec/history.hpp"

#include "name_table.hpp"

#include <array>
#include <ostream>
#include <utility>

namespace idemcheck::spec {

namespace {

constexpr std::array<std::pair<Event::Kind, std::string_view>, 16> kEventNames{{
    {Event::Kind::send, "send"},
    {Event::Kind::send_same, "send-same"},
    {Event::Kind::drain, "drain"},
    {Event::Kind::deliver_request, "deliver-request"},
    {Event::Kind::fail_request, "fail-request"},
    {Event::Kind::deliver_response, "deliver-response"},
    {Event::Kind::lose_response, "lose-response"},
    {Event::Kind::break_connection, "break-connection"},
    {Event::Kind::process_zombie, "process-zombie"},
    {Event::Kind::timeout, "timeout"},
    {Event::Kind::tick, "tick"},
    {Event::Kind::move_leader, "move-leader"},
    {Event::Kind::restart_broker, "restart-broker"},
    {Event::Kind::expire, "expire"},
    {Event::Kind::restart_producer, "restart-producer"},
    {Event::Kind::init_producer_id, "init-producer-id"},
}};

// Every error name(Error) prints; a history file restricts which it accepts where.
constexpr std::array<Error, 14> kErrors{Error::none,
                                        Error::request_timed_out,
                                        Error::not_leader_or_follower,
                                        Error::network_exception,
                                        Error::not_enough_replicas,
                                        Error::not_enough_replicas_after_append,
                                        Error::out_of_order_sequence_number,
                                        Error::invalid_producer_epoch,
                                        Error::invalid_record,
                                        Error::delivery_timeout,
                                        Error::invalid_request,
                                        Error::duplicate_sequence_number,
                                        Error::unknown_producer_id,
                                        Error::not_persisted};

}  // namespace

std::string_view name(Event::Kind k) {
  return detail::name_of(kEventNames, k, "unknown-event");
}

bool parse_event_kind(std::string_view text, Event::Kind& out) {
  return detail::parse_name(kEventNames, text, out);
}

bool parse_error(std::string_view text, Error& out) {
  for (Error e : kErrors) {
    if (name(e) == text) {
      out = e;
      return true;
    }
  }
  return false;
}

std::ostream& operator<<(std::ostream& os, const Event& e) {
  using K = Event::Kind;
  os << name(e.kind);
  if (e.late_poll) os << " [late poll: crosses a delivery deadline]";
  switch (e.kind) {
    case K::send: return os << " P" << e.producer << " -> p" << e.partition << " (" << e.count << " records)";
    case K::send_same: return os << " P" << e.producer << " re-sends P" << e.other << "'s last records";
    case K::drain: return os << " P" << e.producer << " -> B" << e.broker;
    case K::deliver_request:
    case K::deliver_response:
    case K::lose_response: return os << " P" << e.producer << " <-> B" << e.broker;
    case K::fail_request:
      return os << " P" << e.producer << " -> B" << e.broker << " " << name(e.error)
                << ((e.error == Error::not_enough_replicas_after_append ||
                     (e.error == Error::request_timed_out && e.flag))
                        ? " after append"
                        : " before append");
    case K::break_connection:
    case K::timeout: return os << " P" << e.producer << " <-> B" << e.broker << " (" << e.count << " read by broker)";
    case K::process_zombie: return os << " B" << e.broker;
    case K::tick: return os << " +" << e.ms << " ms";
    case K::move_leader: return os << " p" << e.partition << " -> B" << e.broker;
    case K::restart_broker:
      os << " B" << e.broker << (e.flag ? " clean" : " unclean");
      return e.damage == SnapshotDamage::none ? os : os << ", its newest snapshot " << name(e.damage);
    case K::expire: return os;
    case K::restart_producer: return os << " P" << e.producer << (e.flag ? " re-sending unacknowledged" : "");
    case K::init_producer_id: return os << " P" << e.producer;
  }
  return os;
}

std::string check_event(const Event& e, const WorldConfig& c) {
  using K = Event::Kind;
  auto in = [](int v, int n) { return v >= 0 && v < n; };
  const bool uses_producer = e.kind != K::process_zombie && e.kind != K::tick && e.kind != K::move_leader &&
                             e.kind != K::restart_broker && e.kind != K::expire;
  const bool uses_broker = e.kind == K::drain || e.kind == K::deliver_request || e.kind == K::fail_request ||
                           e.kind == K::deliver_response || e.kind == K::lose_response ||
                           e.kind == K::break_connection || e.kind == K::timeout || e.kind == K::process_zombie ||
                           e.kind == K::move_leader || e.kind == K::restart_broker;
  const bool uses_partition = e.kind == K::send || e.kind == K::move_leader;
  if (uses_producer && !in(e.producer, c.producers)) {
    return "producer " + std::to_string(e.producer) + " does not exist (producers: " + std::to_string(c.producers) + ")";
  }
  if (uses_broker && !in(e.broker, c.brokers)) {
    return "broker " + std::to_string(e.broker) + " does not exist (brokers: " + std::to_string(c.brokers) + ")";
  }
  if (uses_partition && !in(e.partition, c.partitions)) {
    return "partition " + std::to_string(e.partition) + " does not exist (partitions: " +
           std::to_string(c.partitions) + ")";
  }
  if (e.kind == K::send_same && !in(e.other, c.producers)) {
    return "producer " + std::to_string(e.other) + " does not exist";
  }
  if (e.kind == K::send && (e.count < 1 || e.count > 2'147'483'647)) {
    return "a send needs 1 to 2147483647 records, not " + std::to_string(e.count);
  }
  if ((e.kind == K::break_connection || e.kind == K::timeout || e.kind == K::restart_producer) &&
      (e.count < 0 || e.count > 1'000'000)) {
    return "the number of requests read by the broker must be in [0, 1000000], not " + std::to_string(e.count);
  }
  if (e.kind == K::tick && (e.ms < 0 || e.ms > (std::int64_t{1} << 40))) {
    return "a tick must advance time by 0 to 2^40 ms, not " + std::to_string(e.ms);
  }
  if (e.late_poll && e.kind != K::deliver_response && e.kind != K::timeout && e.kind != K::break_connection) {
    return std::string("only deliver-response, timeout and break-connection are handled in a poll (late_poll), not ") +
           std::string(name(e.kind));
  }
  if (e.damage != SnapshotDamage::none && e.kind != K::restart_broker) {
    return std::string("only a restart-broker reads a snapshot (damage), not ") + std::string(name(e.kind));
  }
  if (e.kind == K::fail_request) {
    switch (e.error) {
      case Error::not_leader_or_follower:
      case Error::not_enough_replicas:
      case Error::request_timed_out:
      case Error::not_enough_replicas_after_append:
        break;
      default:
        return std::string("a broker can fail a request with NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, "
                           "REQUEST_TIMED_OUT or NOT_ENOUGH_REPLICAS_AFTER_APPEND, not ") +
               std::string(name(e.error));
    }
  }
  return {};
}

}  // namespace idemcheck::spec
