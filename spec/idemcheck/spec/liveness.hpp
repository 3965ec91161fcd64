// idemcheck/spec/liveness.hpp
//
// LIVENESS: ONCE THE FAULTS STOP, EVERY SEND COMPLETES.
//
// The safety claims (checker.hpp) say nothing of a producer that never
// answers its application: a rule variant that leaves a partition waiting for
// good (a sequence that never resolves, a retry the broker rejects forever)
// passes them all. This check states the missing claim and checks it:
//
//   stuck-send  after the last event of a history, with no fault from then
//               on, (1) a send is neither acknowledged nor failed (nor
//               abandoned by a producer restart) within delivery.timeout.ms +
//               request.timeout.ms of logical time; or (2) once every send has
//               completed, a new send of one record from each producer to each
//               partition (a probe) is not acknowledged within the same bound:
//               the producer is stuck on that partition, failing sends with no
//               fault left to explain it (for at least a delivery timeout, or
//               for good).
//
// Part (1) is the letter of the claim: the Java client's delivery timeout
// makes it hold for every client variant here (a send that cannot be written
// fails), so it guards the model itself. Part (2) is what a user means by a
// stuck producer: a rule that makes the broker reject a producer, or a client
// that does not recover from an answer, shows up there and only there
// (tests/corpus/stuck-after-first-attempt-expiry.json: Kafka's own rules).
//
// The bound is the Java client's promise: delivery.timeout.ms bounds the time
// from send() to its outcome (KIP-91; ProducerConfig's documentation of
// delivery.timeout.ms), and a batch in flight at its deadline is expired when
// its request completes or times out, at most request.timeout.ms later
// (Sender.getExpiredInflightBatches, NetworkClient.handleTimedOutRequests).
//
// The run after the faults is a fixed, fair schedule of events the real
// system runs when nothing fails, so a stuck send found here is a schedule a
// real client and broker can follow: in rounds, every InitProducerId a
// producer waits for is answered; every zombie request is processed; each
// producer runs one sender-loop iteration per broker (drain); each broker
// reads every request on each connection; each producer reads every
// response. Time advances after each round, by 10 ms when the round moved
// something and otherwise by twice the last idle step (at most 5 s, or a 64th
// of the bound if that is more), never past the bound, and a last round runs
// at the bound itself, so an idle world reaches its bound in a few dozen rounds. A world that keeps
// moving (a retry every backoff) costs about 100 rounds per second of logical
// time; the run stops after kMaxTailEvents events, and a run cut short so
// (`exhausted`) refutes nothing: it counts as live.
//
// The check runs on a copy: the world given is left as it is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "idemcheck/spec/history.hpp"
#include "idemcheck/spec/world.hpp"

namespace idemcheck::spec {

/// What the fault-free run after a history found.
struct LivenessResult {
  bool live = true;                  ///< every send completed within the bound (or the run was exhausted)
  bool exhausted = false;            ///< stopped at kMaxTailEvents before the bound: no verdict
  std::int64_t faults_stopped_ms = 0;  ///< the world's time at the end of the history
  std::int64_t bound_ms = 0;         ///< delivery.timeout.ms + request.timeout.ms
  std::int64_t settled_ms = 0;       ///< the time the run stopped (all settled, or the bound passed)
  std::vector<std::size_t> pending;  ///< indexes into the run's sends of the sends still pending
  std::vector<std::size_t> failed_probes;  ///< indexes into the run's sends of the probes not acknowledged
  std::vector<SendRecord> sends;           ///< every send of the run at its end, probes included
  std::vector<Event> tail;           ///< the fault-free events run, in order (append them to replay the run)
  friend bool operator==(const LivenessResult&, const LivenessResult&) = default;
};

/// The most fault-free events one check runs.
inline constexpr std::size_t kMaxTailEvents = 200'000;

/// Run a copy of `world` on without faults, by the schedule above, until
/// every send has completed or the bound has passed.
LivenessResult check_liveness(const World& world);

}  // namespace idemcheck::spec
