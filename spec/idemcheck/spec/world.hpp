// idemcheck/spec/world.hpp
//
// THE SIMULATED WORLD: producers, the network, brokers and partitions, with
// logical time. Deterministic: the same history always gives the same run.
//
// Model
// -----
// Producers. Each has an application that sends records (one batch per send,
// records numbered per application), an accumulator with a queue per
// partition, a sender loop and one connection per broker. Its sequence
// bookkeeping is a pluggable Sequencer (spec/sequencer.hpp); the rest follows
// the Java client (clients/.../producer/internals/, trunk of late 2024; file
// and method named per rule):
//   W1 one loop iteration (Sender.runOnce): the sequencer's start of loop
//      (resolve unresolved sequences, bump the epoch if required, S8); if the
//      bump ran out of epochs, InitProducerId is sent and, until its answer
//      (the `init-producer-id` event), no iteration drains or expires
//      anything (Sender.maybeSendAndPollTransactionalRequest returns before
//      sendProducerData); a new producer id starts at epoch 0. Otherwise
//      sendProducerData: every partition's head batch learns its leader's
//      epoch (RecordAccumulator.ready); drain one broker (W2); expire (W3);
//      send what was drained, expired batches included (Sender
//      sendProducerData: drain, then expiry, then sendProduceRequests). The
//      poll that ends the iteration is the history's next events.
//   W2 drain (RecordAccumulator.drainBatchesForOneNode): a broker with
//      max.in.flight requests outstanding is not ready and drains nothing.
//      Otherwise the partitions it leads, in index order from the node's
//      stored drain index: a muted partition (max.in.flight = 1 with a batch
//      in flight), an empty queue or a head batch in retry backoff is
//      skipped; a head batch the sequencer stops (S0, S2, S3) ends the drain
//      of the whole node, and the stored index stays on it. A drained batch
//      is stamped on its first drain (S1) and loses `reopened` on every
//      drain (ProducerBatch.close()). One request takes at most one batch
//      per partition.
//   W3 expiry (Sender.getExpiredInflightBatches, RecordAccumulator
//      expiredBatches): per partition, the in-flight batches in drain order
//      and the queue from its head, each scan stopping at its first batch
//      that has not reached delivery.timeout.ms (ProducerBatch
//      hasReachedDeliveryTimeout: timeout <= now - created). A retried batch
//      is drained again behind younger ones, so it can stay in flight past
//      its deadline. Expired batches fail (no epoch bump) and leave their
//      sequence unresolved if they had been retried (S7).
//   W4 a response, per batch (Sender.completeBatch): success reaches the
//      sequencer (S4) even for a batch that is done already (handleCompleted
//      Batch runs before ProducerBatch.complete); otherwise the batch is
//      re-enqueued if its delivery deadline has not passed, attempts <
//      retries, it is not done, and the error is retriable (with
//      idempotence: the sequencer's can_retry, S5), where `attempts` counts
//      re-enqueues (ProducerBatch.attempts, reenqueued()), so retries = N
//      allows N retries; re-enqueue is in sequence order with idempotence,
//      at the front without. Else it fails (S6, adjust = attempts <
//      retries), and only a batch that is not done yet reaches the
//      sequencer (Sender.failBatch checks completeExceptionally()).
//   W5 retry backoff (RecordAccumulator.shouldBackoff, ExponentialBackoff):
//      a re-enqueued batch waits from its re-enqueue time at least the
//      shortest backoff Kafka's jitter allows, 0.8 * retry.backoff.ms *
//      2^(attempts - 1), capped at retry.backoff.max.ms; not at all when its
//      leader changed since (ProducerBatch.hasLeaderChangedForTheOngoingRetry).
//      A leader's epoch rises at every move and at a restart of its leader.
//   W6 the sender's timers: its poll never sleeps past the next batch expiry
//      (sendProducerData's poll timeout) nor longer than request.timeout.ms
//      (NetworkClient.poll), and every poll times requests out. So before an
//      event that touches a producer (a drain, what a poll brings, a request
//      the broker reads from its connection), the timers that passed since
//      are met in time order: a request timeout closes its connection (W7,
//      `request-timeout`); a delivery deadline of a scan head runs an
//      iteration that drains nothing (`sender-woke`): its expiry comes before
//      the event. Within one millisecond the default order is the common one:
//      a deadline's iteration before a request timeout or a response of that
//      millisecond, and a drain at a deadline is that iteration (drain, then
//      expiry). Only an event the history marks `late_poll` (the poll was
//      under way when the deadline passed: Kafka's race of about a
//      millisecond, or a poll delayed past it) is handled before the timers
//      from that deadline on; the timeline, chart and file say so
//      (`late-poll`).
//   W7 request timeouts (NetworkClient.handleTimedOutRequests, InFlight
//      Requests.hasExpiredRequest): a request times out strictly after
//      request.timeout.ms; the connection closes and every request on it
//      fails with REQUEST_TIMED_OUT (cancelInFlightRequests with timedOut).
//      A broken connection fails its requests with NETWORK_EXCEPTION. Both are
//      retriable.
//   * without idempotence the producer has no id: batches carry no sequence and
//     a retried batch goes to the front of its queue, so with several requests
//     in flight a retry can overtake later batches.
//   * acks=0: a batch completes (offset unknown) as soon as it is sent, and the
//     broker sends no response.
// Simplifications of the producer (and the verdicts they can change):
//   * A `drain` event is one loop iteration that drains one broker; in that
//     iteration the other brokers are not ready (connecting, or their send
//     buffers full). Between events no iteration drains anything: the history
//     chooses when a node is ready. This admits every order of drains Kafka
//     can make, and more only where a real node would have been ready sooner.
//   * Retry backoff uses the low end of Kafka's jitter (0.8), so the world
//     admits every drain time the jitter can produce; it never forbids one.
//   * Metadata is always fresh: a drain goes to the partition's current
//     leader, and a batch learns a new leader epoch at the next iteration.
//   * InitProducerId is modelled as a round trip that cannot fail; its delay
//     is the history's. The first InitProducerId of a producer (and after a
//     producer restart) completes at once, with the model's initial epoch.
//   * No linger, batch size, request size, MESSAGE_TOO_LARGE splitting or
//     throttling; no transactions.
// Network. One connection per (producer, broker), TCP-like: requests and
// responses each arrive in order. A response can be lost while the connection
// lives; the client then sees the next response answer the wrong request and
// disconnects (Kafka's correlation-id check), or times the request out. A
// broken connection loses what it carried, except requests the broker had
// already read: those become zombies and are processed later, their answers
// lost. The producer retries on a new connection.
// Brokers and partitions. Each partition has a leader and one log with its
// producer state (a pluggable BrokerPartition, spec/broker_partition.hpp).
// Followers are not modelled separately: replication keeps their producer
// state equal to the leader's (Kafka keeps the full window on followers), so a
// leader move changes only who answers. A broker restart reloads the producer
// state of the partitions it leads from their snapshots, as with replication
// factor 1 or every replica restarting; a broker that does not lead a
// partition answers NOT_LEADER_OR_FOLLOWER and appends nothing.
// Producer restart. The producer gets a new id and starts empty; its
// application may re-send every record not yet acknowledged (at-least-once).
// State key (World::state_key, for an explicit-state search that keeps a
// visited set). A byte string of everything that can change a future step or
// a verdict of the checker's duplicate, lost-write, nonmonotonic-send,
// inconsistent-offsets and failed-but-written, with these abstractions; each
// is sound (equal keys give equal futures and equal verdicts) only under the
// condition it names, which the small world (spec/small_world.hpp) meets:
//   * Time is kept only relative to `now`: the age of each outstanding
//     request (W7 compares it with request.timeout.ms). Batch creation times
//     (W3's delivery deadlines), re-enqueue times (W5) and the broker's
//     producer timestamps (producer-id expiry) are dropped. Sound while no
//     delivery deadline is reached, the backoff is 0 (retry.backoff.ms = 0:
//     W5 never waits) and no `expire` event runs.
//   * Request ids are renumbered in the order the key meets them: the world
//     compares them only for equality (the correlation check, Kafka's
//     NetworkClient correlation ids) and takes fresh ones above all others.
//   * Epochs (>= 0) are replaced by their rank among the epochs present in
//     the key: the sequencer (S1..S8) and the broker (R3..R10) compare them
//     only by order and equality, and a bump (S8) takes one above every epoch
//     present. Sound while no epoch reaches 32767 (exhaustion, S8).
//   * A batch's re-enqueue count is kept as "none / some" and whether it
//     changed since its leader last did (W5), its send count as 0 / 1 / more
//     (a retry's mark): sound while the re-enqueues stay below `retries` and
//     the backoff is 0.
//   * The log is kept per partition as, for each distinct record range in it,
//     how often it was written (1 or "2 or more"), and whether the first
//     writes are in each producer session's send order; every offset held
//     anywhere (acknowledged outcomes, answers in transit, the broker's
//     cached batches) is replaced by the records the log holds there. The
//     world's rules never read an offset except to hand it on (R3 answers a
//     duplicate with the cached offsets; the sequencer's last acknowledged
//     offset is kept but never read, so it is dropped), and the checker
//     reads offsets only to find the records at them or to order first
//     writes, which a write never reorders (the log only grows). The
//     checker's verdicts on the log are therefore functions of the key, and
//     a log that grows without bound still has finitely many keys. Sound
//     while no broker restart replays the log, and only for the checker's
//     anomalies (two duplicated logs of different lengths have equal keys).
//   * A batch that is done and in no outstanding request is kept only as
//     done: no rule reads it again (W4 completes only the batches of an
//     answered request; a zombie's answer is lost; its send record stays).
//   * Kept whole: the sends and their outcomes, the producer's other batches, queues,
//     in-flight lists and drain index, the sequencer's state, the broker's
//     producer entries, the partitions' leaders and leader epochs, the
//     requests and responses in transit and the zombies.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "idemcheck/spec/broker_partition.hpp"
#include "idemcheck/spec/history.hpp"
#include "idemcheck/spec/sequencer.hpp"

namespace idemcheck::spec {

/// A run of records one application sent together: records
/// [first, first + count) of application `origin`.
struct RecordRange {
  int origin = 0;
  std::int64_t first = 0;
  std::int64_t count = 1;
  friend auto operator<=>(const RecordRange&, const RecordRange&) = default;
};

/// How a send ended, as the application sees it.
struct SendOutcome {
  enum class State : std::uint8_t { pending, acknowledged, failed, abandoned };
  State state = State::pending;
  std::int64_t offset = -1;   ///< acknowledged: base offset (-1 if unknown)
  Error error = Error::none;  ///< failed: why (the last attempt's error)
  int attempts = 0;           ///< how many times the batch was sent
  friend bool operator==(const SendOutcome&, const SendOutcome&) = default;
};

/// One send of one application.
struct SendRecord {
  int producer = 0;        ///< which producer sent it
  int session = 0;         ///< which producer session (incremented by restarts)
  int partition = 0;
  RecordRange records;
  std::uint64_t batch_id = 0;
  SendOutcome outcome;
  friend bool operator==(const SendRecord&, const SendRecord&) = default;
};

/// A batch as it sits in a partition's log.
struct LoggedBatch {
  std::int64_t first_offset = 0;
  RecordRange records;
  Batch header;     ///< what the broker saw (producer id, epoch, sequence)
  bool zombie = false;  ///< written by a zombie request
  friend bool operator==(const LoggedBatch&, const LoggedBatch&) = default;
};

/// Something that happened during one event: the step's observable result.
struct Effect {
  enum class Kind : std::uint8_t {
    records_sent,        ///< application handed a batch to the producer
    request_sent,        ///< producer sent request `request` to `broker` with batches
    batch_in_request,    ///< one batch of that request (stamp), `retry` if not its first attempt
    request_processed,   ///< broker processed request (zombie if `zombie`)
    batch_answered,      ///< broker's answer for a batch: error / offset / duplicate
    response_received,   ///< producer received the response to `request`
    response_lost,       ///< the response to `request` was lost
    correlation_mismatch,  ///< producer saw a response that does not answer its oldest request
    connection_broken,   ///< connection to `broker` broke (client disconnect or fault)
    zombie_created,      ///< a request read by the broker before the break
    batch_acknowledged,  ///< the application's send succeeded
    batch_retried,       ///< re-enqueued after `error`
    batch_failed,        ///< the send failed for good with `error`
    batch_expired,       ///< delivery.timeout.ms passed
    epoch_bumped,        ///< the producer's epoch (or id) changed
    batch_restamped,     ///< an in-flight batch got a new stamp
    producer_id_assigned,
    leader_moved,
    broker_restarted,
    producer_state_expired,
    producer_restarted,
    time_advanced,
    sender_woke,            ///< a sender-loop iteration at a delivery deadline, before the poll's events
    request_timeout,        ///< a request passed request.timeout.ms: the client closes its connection
    late_poll,              ///< the poll crossed a delivery deadline: its events come before the expiry
    producer_id_requested,  ///< InitProducerId sent after epoch exhaustion; draining waits for it
  };
  Kind kind;
  int producer = -1;
  int broker = -1;
  int partition = -1;
  std::uint64_t request = 0;
  std::uint64_t batch = 0;
  BatchStamp stamp{};
  Error error = Error::none;
  std::int64_t offset = -1;
  bool duplicate = false;
  bool retry = false;
  bool zombie = false;
  std::int64_t value = 0;  ///< kind-specific: time, count, new epoch ...
  friend bool operator==(const Effect&, const Effect&) = default;
};

std::string_view name(Effect::Kind);
std::ostream& operator<<(std::ostream&, const Effect&);
std::ostream& operator<<(std::ostream&, const RecordRange&);

/// The state of the world an observer can compare between two runs.
struct WorldObservation {
  std::int64_t now = 0;
  std::vector<std::vector<ProducerEntry>> partition_producers;  ///< per partition
  std::vector<std::int64_t> log_end_offsets;                    ///< per partition
  std::vector<SequencerState> sequencers;                       ///< per producer (empty state without idempotence)
  friend bool operator==(const WorldObservation&, const WorldObservation&) = default;
};

/// The pluggable parts.
struct Components {
  std::function<std::unique_ptr<BrokerPartition>(const BrokerConfig&)> partition;
  /// A producer's sequencer, following the client variant of the world's config.
  std::function<std::unique_ptr<Sequencer>(ClientRules)> sequencer;
};

/// The reference model's components.
Components reference_components();

/// The world. A value: copying it copies everything, components included.
class World {
 public:
  /// A world in its initial state. Requires a config accepted by check_world_config().
  explicit World(const WorldConfig& config, Components components = reference_components());
  World(const World&);
  World& operator=(const World&);
  World(World&&) noexcept;
  World& operator=(World&&) noexcept;
  ~World();

  /// Apply one event; returns what happened (possibly nothing).
  std::vector<Effect> apply(const Event& event);
  /// The same, into `effects` (cleared first), for callers that apply many events and keep one
  /// buffer: the explicit-state search applies one per successor it tries.
  void apply(const Event& event, std::vector<Effect>& effects);

  /// What the pluggable components hold now.
  [[nodiscard]] WorldObservation observe() const;

  /// Logical time, ms.
  [[nodiscard]] std::int64_t now() const;
  /// Every send of every application, in the order they were made.
  [[nodiscard]] const std::vector<SendRecord>& sends() const;
  /// A partition's log.
  [[nodiscard]] const std::vector<LoggedBatch>& log(int partition) const;
  /// The configuration.
  [[nodiscard]] const WorldConfig& config() const;
  /// Batches a producer is still working on (queued or in flight), for timelines.
  [[nodiscard]] std::vector<std::pair<int, BatchStamp>> in_flight(int producer) const;
  /// A partition's producer-state entries (from its component).
  [[nodiscard]] std::vector<ProducerEntry> producer_entries(int partition) const;
  /// What is on one producer's connection to one broker.
  struct ConnectionLoad {
    std::size_t outstanding = 0;  ///< requests the producer waits on
    std::size_t unread = 0;       ///< requests in transit the broker has not read yet
    std::size_t responses = 0;    ///< responses in transit
  };
  /// The load of `producer`'s connection to `broker`.
  [[nodiscard]] ConnectionLoad connection_load(int producer, int broker) const;
  /// Zombie requests waiting on `broker`.
  [[nodiscard]] std::size_t zombies_waiting(int broker) const;
  /// The world's state as a compact byte string, abstracted as "State key" above says: two
  /// worlds of one config and one set of components with equal keys have equal futures and
  /// equal checker verdicts under the conditions stated there. Costs O(state + log x sends).
  [[nodiscard]] std::string state_key() const;
  /// The same key, into `out` (replaced), reusing its memory.
  void state_key(std::string& out) const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

/// Empty if the config describes a world World can build, else why not.
std::string check_world_config(const WorldConfig& config);

}  // namespace idemcheck::spec
