// idemcheck/frontend/faults.hpp
//
// Faults the Kafka front end injects at the protocol layer, and the schedule
// that says when. A real client keeps its own timers, so a schedule is keyed
// by what the client does, not by time: fault k fires at the k-th Produce
// request the cluster receives (counted over every broker, from 1). The same
// client sending the same requests therefore meets the same faults; what it
// does after one may still depend on its timers (see README "Real clients").
//
// Each fault is one the world's history vocabulary has (spec/history.hpp),
// made of what a Kafka broker and a TCP connection can really do:
//   lose-request      the connection breaks as the request arrives: the
//                     broker never reads it (world: break-connection, 0 read)
//   zombie            the broker reads and processes the request, then the
//                     connection breaks before the answer goes out (a zombie
//                     whose answer is lost; world: break-connection, read)
//   lose-response     the request is processed and the answer is never sent;
//                     the connection stays open but muted: Kafka's socket
//                     server reads nothing more from a connection until its
//                     answer is out (SocketServer.Processor mutes it per
//                     request), so what follows on it waits until the client
//                     times the request out and closes the connection. (An
//                     open connection that went on answering later requests
//                     would be one no Kafka broker can show: librdkafka, for
//                     one, then stops with a fatal "rewound sequence" error.)
//   hold-response     the answer is sent `hold_ms` late, past the client's
//                     request timeout; the broker reads nothing more from that
//                     connection meanwhile, as Kafka's socket server mutes a
//                     connection until its response is out (world: timeout)
//   error-before      the request is answered with `error` and nothing is
//                     appended (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS,
//                     REQUEST_TIMED_OUT; world: fail-request)
//   error-after       the batches are appended, then answered with `error`
//                     (NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT: a
//                     replication timeout comes after the leader's append)
//   move-leader       before the request is handled, the leadership of its
//                     first partition moves to the next broker (leader epoch
//                     + 1); the request then meets NOT_LEADER_OR_FOLLOWER and
//                     the next Metadata shows the new leader
//   restart-broker    before the request is handled, the broker that got it
//                     restarts: every connection to it closes (the request is
//                     lost) and the partitions it leads reload their producer
//                     state (cleanly, from a snapshot at the log end, or
//                     not: from the last snapshot and the log after it)
//   expire-producers  before the request is handled, the producer state of
//                     every partition expires (producer.id.expiration.ms passes)
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idemcheck::frontend {

/// What a fault does (see the top of this file).
enum class FaultKind : std::uint8_t {
  lose_request,
  zombie,
  lose_response,
  hold_response,
  error_before,
  error_after,
  move_leader,
  restart_broker,
  expire_producers,
};

/// Every kind, in declaration order.
inline constexpr FaultKind kAllFaultKinds[] = {
    FaultKind::lose_request,  FaultKind::zombie,       FaultKind::lose_response,
    FaultKind::hold_response, FaultKind::error_before, FaultKind::error_after,
    FaultKind::move_leader,   FaultKind::restart_broker, FaultKind::expire_producers,
};

/// "lose-request", "zombie", ...
std::string_view name(FaultKind);
/// The kind `text` names (as name() spells it); nullopt otherwise.
std::optional<FaultKind> parse_fault_kind(std::string_view text);

/// One fault.
struct Fault {
  FaultKind kind = FaultKind::lose_response;
  std::int16_t error = 0;     ///< error-before / error-after: the Kafka error code answered
  std::int64_t hold_ms = 0;   ///< hold-response: how late the answer goes out
  bool clean = true;          ///< restart-broker: a clean shutdown (snapshot at the log end)
  friend bool operator==(const Fault&, const Fault&) = default;
};

/// Which faults fire at which Produce request (1-based, see above).
struct FaultSchedule {
  std::map<std::int64_t, Fault> at;
  friend bool operator==(const FaultSchedule&, const FaultSchedule&) = default;
};

/// What a random schedule may contain.
struct ScheduleOptions {
  std::vector<FaultKind> kinds{std::begin(kAllFaultKinds), std::end(kAllFaultKinds)};
  std::int64_t requests = 40;        ///< faults may fire at Produce requests 1..requests
  int faults = 3;                    ///< how many (at distinct requests; fewer if requests < faults)
  std::int64_t request_timeout_ms = 1000;  ///< the client's, so that hold-response outlasts it
};

/// A schedule drawn from `seed` (a fixed generator: the same seed gives the
/// same schedule on every platform and compiler). Error codes are drawn from
/// the ones Kafka answers on that side of the append.
FaultSchedule random_schedule(std::uint64_t seed, const ScheduleOptions& options);

/// "at 3: zombie; at 7: error-after NOT_ENOUGH_REPLICAS_AFTER_APPEND" (for reports).
std::string describe(const FaultSchedule&);
std::string describe(const Fault&);
std::ostream& operator<<(std::ostream&, const Fault&);

}  // namespace idemcheck::frontend
