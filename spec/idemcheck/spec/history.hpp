// idemcheck/spec/history.hpp
//
// A history of the simulated world, as plain data: the world's configuration
// and a list of events. The generator produces histories, a file holds them,
// and World replays them exactly: the world is deterministic, so a history is
// a complete, replayable counterexample.
//
// Events that do not apply in the state the world is in (delivering on an
// empty connection, draining a producer with nothing ready, ...) are no-ops:
// every list of events is a valid history, which is what lets a shrinker drop
// any event without repairing the others.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string_view>
#include <vector>

#include "idemcheck/spec/broker_types.hpp"
#include "idemcheck/spec/client_rules.hpp"
#include "idemcheck/spec/partition_model.hpp"
#include "idemcheck/spec/producer_config.hpp"

namespace idemcheck::spec {

/// One thing that happens in the world.
struct Event {
  enum class Kind : std::uint8_t {
    send,              ///< producer's application sends `count` new records to `partition` (one batch)
    send_same,         ///< producer's application sends the records producer `other` sent last (same partition);
                       ///< a no-op when `other` is the producer itself
    drain,             ///< producer runs its sender loop once and sends at most one request to `broker`
    deliver_request,   ///< broker takes the oldest request on the producer's connection and answers it
    fail_request,      ///< as deliver_request, but the broker answers `error`: NOT_ENOUGH_REPLICAS_AFTER_APPEND
                       ///< after appending, REQUEST_TIMED_OUT after appending if `flag`, the others before
    deliver_response,  ///< producer receives the oldest response on its connection to `broker`
    lose_response,     ///< the oldest response on that connection is lost (the ack never arrives)
    break_connection,  ///< the connection breaks; the first `count` requests in transit were read already (zombies)
    process_zombie,    ///< broker processes its oldest zombie request; nobody hears the answer
    timeout,           ///< time moves to just past the oldest in-flight request's deadline (request.timeout.ms + 1 ms
                       ///< after it was sent); the client closes the connection (`count` zombies) and every
                       ///< request on it fails with REQUEST_TIMED_OUT
    tick,              ///< time advances by `ms`
    move_leader,       ///< `partition`'s leader becomes `broker`
    restart_broker,    ///< `broker` restarts (cleanly if `flag`) and reloads the producer state of what it leads
                       ///< from its newest readable snapshot (`damage`: the newest is torn or corrupt)
    expire,            ///< every partition runs its producer-state expiry sweep
    restart_producer,  ///< producer restarts with a new producer id; if `flag` its application re-sends what was not acknowledged
    init_producer_id,  ///< the InitProducerId answer a producer waits for after epoch exhaustion arrives:
                       ///< a new producer id at epoch 0 (a no-op when it waits for none)
  };
  Kind kind = Kind::tick;
  int producer = 0;
  int broker = 0;
  int partition = 0;
  int other = 0;
  std::int64_t count = 1;
  std::int64_t ms = 0;
  Error error = Error::none;
  bool flag = false;
  /// deliver-response, timeout, break-connection: the producer's poll that handles the event was
  /// already under way when a batch's delivery deadline passed, so the event is handled before the
  /// sender-loop iteration that expires the batch (Kafka's race of about a millisecond). Without it,
  /// that iteration runs first. No effect when no deadline passed.
  bool late_poll = false;
  /// restart-broker: the newest producer-state snapshot the restart reads is torn or corrupt, so
  /// it falls back to the previous readable one, or to none, and replays the log after it.
  SnapshotDamage damage = SnapshotDamage::none;
  friend bool operator==(const Event&, const Event&) = default;
};

/// The shape and settings of a world.
struct WorldConfig {
  int producers = 1;   ///< 1..8
  int partitions = 1;  ///< 1..8
  int brokers = 1;     ///< 1..8; partition i starts led by broker i mod brokers
  BrokerConfig broker;
  ProducerConfig producer;
  std::int32_t initial_epoch = 0;  ///< epoch InitProducerId hands out (a model parameter, to reach exhaustion)
  ClientRules client_rules = ClientRules::java_2_5;  ///< the producers' sequence rules (client_rules.hpp)
  friend bool operator==(const WorldConfig&, const WorldConfig&) = default;
};

/// A whole history.
struct History {
  WorldConfig config;
  std::vector<Event> events;
  friend bool operator==(const History&, const History&) = default;
};

/// Kebab-case name of an event kind ("deliver-request").
std::string_view name(Event::Kind);
/// Parse a kebab-case event-kind name; false if unknown.
bool parse_event_kind(std::string_view text, Event::Kind& out);
/// Parse an error name as printed by name(Error); false if unknown.
bool parse_error(std::string_view text, Error& out);

std::ostream& operator<<(std::ostream&, const Event&);

/// Is the event well-formed for the config (indices in range, counts sane)?
/// Returns an empty string if so, else what is wrong.
std::string check_event(const Event& e, const WorldConfig& config);

}  // namespace idemcheck::spec
