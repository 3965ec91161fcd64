// The simulated world (see world.hpp for the model).
#include "idemcheck/spec/world.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <stdexcept>

#include "fifo.hpp"

namespace idemcheck::spec {

namespace {

// A batch on the wire: what the broker sees, plus the payload it writes.
struct WireBatch {
  int partition = 0;
  std::uint64_t batch_id = 0;
  Batch header;
  RecordRange records;
};

struct Request {
  std::uint64_t id = 0;
  int producer = 0;
  std::vector<WireBatch> batches;
};

struct Answer {
  int partition = 0;
  std::uint64_t batch_id = 0;
  Error error = Error::none;
  std::int64_t offset = -1;
  bool duplicate = false;
};

struct Response {
  std::uint64_t request = 0;
  std::vector<Answer> answers;
};

// One direction pair of a TCP connection between a producer and a broker.
struct Connection {
  detail::Fifo<Request> to_broker;
  detail::Fifo<Response> to_producer;
};

// What the producer remembers of a request it is waiting on.
struct Outstanding {
  std::uint64_t request = 0;
  std::int64_t sent_ms = 0;
  std::vector<std::uint64_t> batches;
};

struct ProducerBatch {
  std::uint64_t id = 0;
  int partition = 0;
  RecordRange records;
  std::size_t send_index = 0;
  std::int64_t created_ms = 0;
  int sends = 0;                 // how many times it went on the wire
  std::int64_t reenqueues = 0;   // Kafka's ProducerBatch.attempts(): re-enqueues, not sends
  std::int64_t last_attempt_ms = 0;  // Kafka's lastAttemptMs: creation, then each re-enqueue
  std::optional<int> leader_epoch;   // Kafka's currentLeaderEpoch
  std::int64_t reenqueues_at_leader_change = 0;  // Kafka's attemptsWhenLeaderLastChanged
  bool has_stamp = false;
  BatchStamp stamp;
  bool in_retry = false;  // re-enqueued at least once (Kafka: inRetry)
  bool done = false;      // the application has its outcome
  bool in_flight = false; // part of an outstanding request
};

struct Producer {
  int session = 0;
  std::unique_ptr<Sequencer> sequencer;  // null without idempotence
  bool awaiting_producer_id = false;     // an InitProducerId round trip is under way
  std::map<std::uint64_t, ProducerBatch> batches;
  std::vector<detail::Fifo<std::uint64_t>> queues;     // per partition (the accumulator's deques)
  std::vector<std::vector<std::uint64_t>> in_flight;  // per partition, in drain order (Sender.inFlightBatches)
  std::vector<detail::Fifo<Outstanding>> outstanding;  // per broker
  std::vector<std::size_t> drain_index;              // per broker (RecordAccumulator.nodesDrainIndex)
  std::vector<std::int64_t> created_ms;              // per batch id: when it was created (the timers' fast path)
  std::uint64_t next_batch_id = 1;
  // `batches` keeps every batch of the session; these index the few that
  // matter, so that no step scans them all.
  std::set<std::uint64_t> live;                     // not done, in id (= send) order
  std::vector<int> in_flight_batches;               // per partition: batches with in_flight set
};

struct Partition {
  std::unique_ptr<BrokerPartition> state;
  int leader = 0;
  std::vector<LoggedBatch> log;
  int leader_epoch = 0;  // raised by every leader election (a move, a restart of its leader)
};

}  // namespace

struct World::State {
  WorldConfig config;
  Components components;
  std::int64_t now = 0;
  std::uint64_t next_request = 1;
  std::int64_t next_producer_id = 0;
  std::vector<Producer> producers;
  std::vector<std::int64_t> next_serial;  // per application
  std::vector<Partition> partitions;
  std::vector<std::vector<Connection>> net;  // [producer][broker]
  std::vector<detail::Fifo<Request>> zombies;  // per broker
  std::vector<SendRecord> sends;
  std::vector<std::optional<std::size_t>> last_own_send;  // per application: its producer's last send of its own records
  std::vector<Effect>* out = nullptr;        // effects of the event being applied

  State(const WorldConfig& c, Components comp) : config(c), components(std::move(comp)) {}

  State(const State& o)
      : config(o.config),
        components(o.components),
        now(o.now),
        next_request(o.next_request),
        next_producer_id(o.next_producer_id),
        next_serial(o.next_serial),
        net(o.net),
        zombies(o.zombies),
        sends(o.sends),
        last_own_send(o.last_own_send) {
    for (const Producer& p : o.producers) {
      Producer c;
      c.session = p.session;
      c.sequencer = p.sequencer ? p.sequencer->clone() : nullptr;
      c.awaiting_producer_id = p.awaiting_producer_id;
      c.batches = p.batches;
      c.queues = p.queues;
      c.in_flight = p.in_flight;
      c.outstanding = p.outstanding;
      c.drain_index = p.drain_index;
      c.created_ms = p.created_ms;
      c.next_batch_id = p.next_batch_id;
      c.live = p.live;
      c.in_flight_batches = p.in_flight_batches;
      producers.push_back(std::move(c));
    }
    for (const Partition& p : o.partitions) partitions.push_back(Partition{p.state->clone(), p.leader, p.log, p.leader_epoch});
  }

  bool idempotent() const { return config.producer.idempotence; }

  void emit(Effect e) {
    if (out != nullptr) out->push_back(e);
  }

  // --- producers -----------------------------------------------------------

  void init_producer(int p) {
    Producer& pr = producers[static_cast<std::size_t>(p)];
    pr.batches.clear();
    pr.live.clear();
    pr.in_flight_batches.assign(static_cast<std::size_t>(config.partitions), 0);
    pr.queues.assign(static_cast<std::size_t>(config.partitions), {});
    pr.in_flight.assign(static_cast<std::size_t>(config.partitions), {});
    pr.outstanding.assign(static_cast<std::size_t>(config.brokers), {});
    pr.drain_index.assign(static_cast<std::size_t>(config.brokers), 0);
    pr.awaiting_producer_id = false;
    pr.sequencer = idempotent() ? components.sequencer(config.client_rules) : nullptr;
    if (pr.sequencer) assign_producer_id(p, config.initial_epoch);
  }

  // The answer to InitProducerId. A producer's first id comes with the
  // model's initial epoch (a parameter, to reach exhaustion in few events); a
  // new id after exhaustion starts at epoch 0, as the broker hands it out.
  void assign_producer_id(int p, std::int32_t epoch) {
    Producer& pr = producers[static_cast<std::size_t>(p)];
    const PidEpoch id{next_producer_id++, epoch};
    pr.sequencer->set_producer_id(id);
    pr.awaiting_producer_id = false;
    Effect e{Effect::Kind::producer_id_assigned};
    e.producer = p;
    e.stamp.stamp = id;
    emit(e);
  }

  std::size_t new_send(int p, int partition, RecordRange records) {
    Producer& pr = producers[static_cast<std::size_t>(p)];
    ProducerBatch b;
    b.id = pr.next_batch_id++;
    b.partition = partition;
    b.records = records;
    b.send_index = sends.size();
    b.created_ms = now;
    sends.push_back(SendRecord{p, pr.session, partition, records, b.id, {}});
    if (records.origin == p) last_own_send[static_cast<std::size_t>(p)] = b.send_index;
    pr.live.insert(b.id);
    if (pr.created_ms.size() <= b.id) pr.created_ms.resize(b.id + 1, 0);
    pr.created_ms[b.id] = now;
    pr.queues[static_cast<std::size_t>(partition)].push_back(b.id);
    pr.batches.emplace(b.id, b);
    Effect e{Effect::Kind::records_sent};
    e.producer = p;
    e.partition = partition;
    e.batch = b.id;
    e.value = records.count;
    emit(e);
    return b.send_index;
  }

  void finish(int p, ProducerBatch& b, SendOutcome outcome) {
    if (b.done) return;
    b.done = true;
    producers[static_cast<std::size_t>(p)].live.erase(b.id);
    outcome.attempts = b.sends;
    sends[b.send_index].outcome = outcome;
    Effect e{outcome.state == SendOutcome::State::acknowledged ? Effect::Kind::batch_acknowledged
                                                               : Effect::Kind::batch_failed};
    e.producer = p;
    e.partition = b.partition;
    e.batch = b.id;
    e.error = outcome.error;
    e.offset = outcome.offset;
    e.stamp = b.stamp;
    emit(e);
  }

  // Kafka's insertInSequenceOrder (idempotent) or addFirst (not).
  void reenqueue(Producer& pr, ProducerBatch& b) {
    auto& q = pr.queues[static_cast<std::size_t>(b.partition)];
    if (!pr.sequencer) {
      q.push_front(b.id);
      return;
    }
    auto sequenced_below = [&](std::uint64_t id) {
      const ProducerBatch& h = pr.batches.at(id);
      return h.has_stamp && h.stamp.base_sequence < b.stamp.base_sequence;
    };
    std::vector<std::uint64_t> lower;
    while (!q.empty() && sequenced_below(q.front())) {
      lower.push_back(q.front());
      q.pop_front();
    }
    q.push_front(b.id);
    for (auto it = lower.rbegin(); it != lower.rend(); ++it) q.push_front(*it);
  }

  static void set_in_flight(Producer& pr, ProducerBatch& b, bool in_flight) {
    if (b.in_flight == in_flight) return;
    b.in_flight = in_flight;
    pr.in_flight_batches[static_cast<std::size_t>(b.partition)] += in_flight ? 1 : -1;
  }

  // Sender.maybeRemoveFromInflightBatches.
  static void leave_in_flight_list(Producer& pr, const ProducerBatch& b) {
    auto& list = pr.in_flight[static_cast<std::size_t>(b.partition)];
    list.erase(std::remove(list.begin(), list.end(), b.id), list.end());
  }

  bool reached_delivery_timeout(const ProducerBatch& b) const {
    return config.producer.delivery_timeout_ms <= now - b.created_ms;  // ProducerBatch.hasReachedDeliveryTimeout
  }

  // Sender.completeBatch for one batch's answer (Sender.java, completeBatch /
  // failBatch / canRetry).
  void complete(int p, std::uint64_t batch_id, Error error, std::int64_t offset) {
    Producer& pr = producers[static_cast<std::size_t>(p)];
    auto it = pr.batches.find(batch_id);
    if (it == pr.batches.end()) return;
    ProducerBatch& b = it->second;
    set_in_flight(pr, b, false);
    leave_in_flight_list(pr, b);
    const ProducerConfig& c = config.producer;
    if (error == Error::none) {
      acknowledge(p, b, offset);
      return;
    }
    // canRetry: evaluated in Kafka's order, the sequencer last.
    bool retry = !reached_delivery_timeout(b) && b.reenqueues < c.retries && !b.done;
    if (retry && pr.sequencer) {
      retry = pr.sequencer->can_retry(b.partition, b.stamp, error);
      apply_restamps(p);
    } else if (retry) {
      retry = retriable(error);
    }
    if (!retry && error == Error::duplicate_sequence_number && pr.sequencer) {
      // The broker has written the batch but no longer knows where: the client
      // reports success without an offset (Sender.completeBatch, every version).
      acknowledge(p, b, -1);
      return;
    }
    if (retry) {
      // Sender.reenqueueBatch -> ProducerBatch.reenqueued(now).
      ++b.reenqueues;
      b.last_attempt_ms = std::max(b.created_ms, now);
      b.in_retry = true;
      reenqueue(pr, b);
      Effect e{Effect::Kind::batch_retried};
      e.producer = p;
      e.partition = b.partition;
      e.batch = b.id;
      e.error = error;
      e.stamp = b.stamp;
      emit(e);
      return;
    }
    // failBatch: handleFailedBatch runs only if completeExceptionally()
    // succeeds, that is only for a batch that is not done yet.
    if (b.done) return;
    if (pr.sequencer) {
      pr.sequencer->on_failure(b.partition, b.stamp, error, b.reenqueues < c.retries);
      apply_restamps(p);
    }
    finish(p, b, SendOutcome{SendOutcome::State::failed, -1, error});
  }

  // Sender.completeBatch(batch, response): handleCompletedBatch runs before batch.complete(),
  // so even the late success of a batch that is done (expired while its request was in flight)
  // reaches the sequencer.
  void acknowledge(int p, ProducerBatch& b, std::int64_t offset) {
    Producer& pr = producers[static_cast<std::size_t>(p)];
    if (pr.sequencer) pr.sequencer->on_success(b.partition, b.stamp, offset);
    finish(p, b, SendOutcome{SendOutcome::State::acknowledged, offset, Error::none});
  }

  // New stamps the sequencer gave in-flight batches outside the start of a loop (java-2.4's
  // startSequencesAtBeginning and adjustSequencesDueToFailedBatch), onto the world's batches.
  void apply_restamps(int p) {
    Producer& pr = producers[static_cast<std::size_t>(p)];
    for (const Restamp& r : pr.sequencer->take_restamps()) restamp(p, r);
  }

  void restamp(int p, const Restamp& r) {
    Producer& pr = producers[static_cast<std::size_t>(p)];
    auto it = pr.batches.find(r.batch.batch_id);
    if (it == pr.batches.end()) return;
    it->second.stamp = r.batch;
    Effect e{Effect::Kind::batch_restamped};
    e.producer = p;
    e.partition = r.partition;
    e.batch = r.batch.batch_id;
    e.stamp = r.batch;
    emit(e);
  }

  // Fail every request outstanding on the connection (client side of a break
  // or a request timeout): NetworkClient.cancelInFlightRequests hands every
  // request on the connection back as disconnected, or as timed out when a
  // request timeout closed it (Sender.handleProduceResponse turns those into
  // NETWORK_EXCEPTION and REQUEST_TIMED_OUT).
  void disconnect_client(int p, int broker, Error error) {
    Producer& pr = producers[static_cast<std::size_t>(p)];
    auto pending = std::move(pr.outstanding[static_cast<std::size_t>(broker)]);
    pr.outstanding[static_cast<std::size_t>(broker)].clear();
    for (const Outstanding& o : pending) {
      for (std::uint64_t id : o.batches) complete(p, id, error, -1);
    }
  }

  bool has_traffic(int p, int broker) const {
    const Connection& c = net[static_cast<std::size_t>(p)][static_cast<std::size_t>(broker)];
    return !c.to_broker.empty() || !c.to_producer.empty() ||
           !producers[static_cast<std::size_t>(p)].outstanding[static_cast<std::size_t>(broker)].empty();
  }

  void break_connection(int p, int broker, std::int64_t read_by_broker, Error error = Error::network_exception) {
    Connection& c = net[static_cast<std::size_t>(p)][static_cast<std::size_t>(broker)];
    if (!has_traffic(p, broker)) return;
    std::int64_t taken = 0;
    while (!c.to_broker.empty() && taken < read_by_broker) {
      Effect z{Effect::Kind::zombie_created};
      z.producer = p;
      z.broker = broker;
      z.request = c.to_broker.front().id;
      emit(z);
      zombies[static_cast<std::size_t>(broker)].push_back(std::move(c.to_broker.front()));
      c.to_broker.pop_front();
      ++taken;
    }
    c.to_broker.clear();
    c.to_producer.clear();
    Effect e{Effect::Kind::connection_broken};
    e.producer = p;
    e.broker = broker;
    e.value = taken;
    e.error = error;
    emit(e);
    disconnect_client(p, broker, error);
  }

  void expire(int p, ProducerBatch& b) {
    Producer& pr = producers[static_cast<std::size_t>(p)];
    Effect e{Effect::Kind::batch_expired};
    e.producer = p;
    e.partition = b.partition;
    e.batch = b.id;
    e.stamp = b.stamp;
    e.value = now - b.created_ms;
    emit(e);
    // failBatch(TimeoutException, adjust = false), then markSequenceUnresolved
    // if the batch had been re-enqueued; the sequencer's on_expired does both.
    if (!b.done && pr.sequencer && b.has_stamp) pr.sequencer->on_expired(b.partition, b.stamp, b.in_retry);
    finish(p, b, SendOutcome{SendOutcome::State::failed, -1, Error::delivery_timeout});
  }

  // The expiry step of Sender.sendProducerData: in-flight batches per
  // partition in drain order (getExpiredInflightBatches) and queued batches
  // from each deque's head (RecordAccumulator.expiredBatches), each scan
  // stopping at its first unexpired batch; the queued ones fail first.
  void expire_batches(int p) {
    Producer& pr = producers[static_cast<std::size_t>(p)];
    if (const auto d = next_deadline(p); !d || *d > now) return;  // the common case: no head has expired
    std::vector<std::uint64_t> in_flight_expired;
    std::vector<std::uint64_t> queued_expired;
    for (std::size_t q = 0; q < pr.queues.size(); ++q) {
      auto& list = pr.in_flight[q];
      std::size_t n = 0;
      while (n < list.size() && reached_delivery_timeout(pr.batches.at(list[n]))) ++n;
      in_flight_expired.insert(in_flight_expired.end(), list.begin(), list.begin() + static_cast<std::ptrdiff_t>(n));
      list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(n));
      auto& queue = pr.queues[q];
      while (!queue.empty() && reached_delivery_timeout(pr.batches.at(queue.front()))) {
        queued_expired.push_back(queue.front());
        queue.pop_front();
      }
    }
    for (std::uint64_t id : queued_expired) expire(p, pr.batches.at(id));
    for (std::uint64_t id : in_flight_expired) expire(p, pr.batches.at(id));
  }

  // The start of Sender.runOnce: resolve unresolved sequences and bump the
  // epoch if required (the sequencer's S8); a producer id reset by epoch
  // exhaustion sends InitProducerId.
  void begin_send_loop(int p) {
    Producer& pr = producers[static_cast<std::size_t>(p)];
    if (!pr.sequencer) return;
    const PidEpoch before = pr.sequencer->current();
    for (const Restamp& r : pr.sequencer->begin_send_loop()) restamp(p, r);
    if (pr.sequencer->current() != before) {
      Effect e{Effect::Kind::epoch_bumped};
      e.producer = p;
      e.stamp.stamp = pr.sequencer->current();
      emit(e);
    }
    if (pr.sequencer->current().producer_id < 0 && !pr.awaiting_producer_id) {
      // bumpIdempotentEpochAndResetIdIfNeeded enqueues InitProducerId; the
      // sender sends it and, until its answer (the init-producer-id event),
      // runs no sendProducerData: nothing is drained and nothing expires.
      pr.awaiting_producer_id = true;
      Effect e{Effect::Kind::producer_id_requested};
      e.producer = p;
      emit(e);
    }
  }

  bool partition_has_in_flight(const Producer& pr, int partition) const {
    return !pr.in_flight[static_cast<std::size_t>(partition)].empty() ||
           pr.in_flight_batches[static_cast<std::size_t>(partition)] > 0;
  }

  // ExponentialBackoff(retry.backoff.ms, 2, retry.backoff.max.ms, jitter 0.2)
  // .backoff(attempts), at the low end of its jitter: the drain waits at least
  // this long, and Kafka's random factor can make the wait exactly this short,
  // so every drain the world allows is one the client can make.
  std::int64_t shortest_backoff(std::int64_t attempts) const {
    const ProducerConfig& c = config.producer;
    const std::int64_t max = c.retry_backoff_max_ms;
    const std::int64_t initial = std::min(max, c.retry_backoff_ms);
    if (max <= initial) return initial;  // expMax == 0: a constant backoff, no jitter
    const double exp_max = std::log(static_cast<double>(max) / static_cast<double>(std::max<std::int64_t>(initial, 1))) /
                           std::log(2.0);
    const double term = static_cast<double>(initial) * std::pow(2.0, std::min(static_cast<double>(attempts), exp_max));
    return std::min(static_cast<std::int64_t>(0.8 * term), max);
  }

  // RecordAccumulator.shouldBackoff with ProducerBatch.hasLeaderChangedForTheOngoingRetry.
  bool backing_off(const ProducerBatch& b) const {
    if (b.reenqueues == 0) return false;
    if (b.reenqueues == b.reenqueues_at_leader_change) return false;  // a retry to a new leader does not wait
    return std::max<std::int64_t>(0, now - b.last_attempt_ms) < shortest_backoff(b.reenqueues - 1);
  }

  // ProducerBatch.maybeUpdateLeaderEpoch, as ready() and drain call it on
  // every partition's head batch in each sendProducerData.
  void refresh_leader_epochs(Producer& pr) {
    for (std::size_t q = 0; q < pr.queues.size(); ++q) {
      if (pr.queues[q].empty()) continue;
      ProducerBatch& b = pr.batches.at(pr.queues[q].front());
      const int latest = partitions[q].leader_epoch;
      if (!b.leader_epoch || *b.leader_epoch < latest) {
        b.reenqueues_at_leader_change = b.reenqueues;
        b.leader_epoch = latest;
      }
    }
  }

  // RecordAccumulator.drainBatchesForOneNode for `broker`: its partitions in
  // index order from the node's drain index; a muted partition, an empty
  // queue or a head batch in backoff is skipped; a partition the sequencer
  // stops (S0, S2, S3) ends the drain of the whole node, and the next drain
  // starts with it. A node with max.in.flight requests outstanding is not
  // ready and drains nothing.
  Request drain(int p, int broker) {
    Producer& pr = producers[static_cast<std::size_t>(p)];
    const ProducerConfig& c = config.producer;
    Request req{0, p, {}};
    if (static_cast<int>(pr.outstanding[static_cast<std::size_t>(broker)].size()) >= c.max_in_flight) return req;
    std::array<int, 8> parts{};  // check_world_config: at most 8 partitions
    std::size_t n = 0;
    for (int q = 0; q < config.partitions; ++q) {
      if (partitions[static_cast<std::size_t>(q)].leader == broker) parts[n++] = q;
    }
    if (n == 0) return req;
    std::size_t& stored = pr.drain_index[static_cast<std::size_t>(broker)];
    std::size_t index = stored % n;
    const std::size_t start = index;
    do {
      const int q = parts[index];
      stored = index;
      index = (index + 1) % n;
      if (c.max_in_flight == 1 && partition_has_in_flight(pr, q)) continue;  // guaranteeMessageOrder mutes
      auto& queue = pr.queues[static_cast<std::size_t>(q)];
      if (queue.empty()) continue;
      ProducerBatch& b = pr.batches.at(queue.front());
      if (backing_off(b)) continue;
      if (pr.sequencer) {
        if (b.has_stamp ? !pr.sequencer->may_drain_retry(q, b.stamp) : !pr.sequencer->may_drain_new(q)) break;
      }
      queue.pop_front();
      if (pr.sequencer) {
        if (!b.has_stamp) {
          b.stamp = pr.sequencer->stamp(q, b.id, b.records.count);
          b.has_stamp = true;
        } else {
          b.stamp = pr.sequencer->on_drained(q, b.stamp);  // ProducerBatch.close(): reopened is cleared
        }
      } else {
        b.stamp = BatchStamp{b.id, PidEpoch{}, kNoSequence, b.records.count, false};
      }
      set_in_flight(pr, b, true);
      pr.in_flight[static_cast<std::size_t>(q)].push_back(b.id);  // Sender.addToInflightBatches
      const Batch header{b.stamp.stamp.producer_id, b.stamp.stamp.epoch, b.stamp.base_sequence, b.records.count,
                         b.created_ms};
      req.batches.push_back(WireBatch{q, b.id, header, b.records});
    } while (index != start);
    return req;
  }

  // Sender.sendProduceRequests: what was drained goes on the wire, expired
  // batches included (their outcome is already the timeout).
  void send_request(int p, int broker, Request req) {
    if (req.batches.empty()) return;
    Producer& pr = producers[static_cast<std::size_t>(p)];
    req.id = next_request++;
    Effect sent{Effect::Kind::request_sent};
    sent.producer = p;
    sent.broker = broker;
    sent.request = req.id;
    sent.value = static_cast<std::int64_t>(req.batches.size());
    emit(sent);
    Outstanding o{req.id, now, {}};
    for (const WireBatch& w : req.batches) {
      ProducerBatch& b = pr.batches.at(w.batch_id);
      ++b.sends;
      Effect e{Effect::Kind::batch_in_request};
      e.producer = p;
      e.broker = broker;
      e.partition = w.partition;
      e.request = req.id;
      e.batch = w.batch_id;
      e.stamp = b.stamp;
      e.retry = b.sends > 1;
      e.value = b.done ? 1 : 0;  // already expired: sent anyway
      emit(e);
      o.batches.push_back(w.batch_id);
    }
    net[static_cast<std::size_t>(p)][static_cast<std::size_t>(broker)].to_broker.push_back(req);
    if (config.producer.acks == 0) {
      // Fire and forget: the send is done once on the wire.
      for (std::uint64_t id : o.batches) {
        ProducerBatch& b = pr.batches.at(id);
        set_in_flight(pr, b, false);
        leave_in_flight_list(pr, b);
        finish(p, b, SendOutcome{SendOutcome::State::acknowledged, -1, Error::none});
      }
      return;
    }
    pr.outstanding[static_cast<std::size_t>(broker)].push_back(o);
  }

  // One iteration of Sender.runOnce: resolve and bump (S8); unless an
  // InitProducerId is under way, sendProducerData: drain `broker` (-1: no node
  // is ready, nothing is drained), expire, send what was drained. The poll
  // that ends the iteration is the history's next events.
  void run_once(int p, int broker) {
    begin_send_loop(p);
    Producer& pr = producers[static_cast<std::size_t>(p)];
    if (pr.awaiting_producer_id) return;
    refresh_leader_epochs(pr);
    Request req = broker >= 0 ? drain(p, broker) : Request{0, p, {}};
    expire_batches(p);
    if (broker >= 0) send_request(p, broker, std::move(req));
  }

  // --- the sender's timers -------------------------------------------------------

  // The earliest delivery deadline the expiry of W3 would act on: the heads of
  // the in-flight lists and of the queues (the scans stop at the first
  // unexpired batch, so nothing behind a head matters; they are also what
  // bounds the sender's poll). None while InitProducerId is under way: no
  // iteration expires anything then.
  std::optional<std::int64_t> next_deadline(int p) const {
    const Producer& pr = producers[static_cast<std::size_t>(p)];
    if (pr.awaiting_producer_id) return std::nullopt;
    std::optional<std::int64_t> out;
    auto consider = [&](std::uint64_t id) {
      const std::int64_t d = pr.created_ms[id] + config.producer.delivery_timeout_ms;
      if (!out || d < *out) out = d;
    };
    for (std::size_t q = 0; q < pr.queues.size(); ++q) {
      if (!pr.in_flight[q].empty()) consider(pr.in_flight[q].front());
      if (!pr.queues[q].empty()) consider(pr.queues[q].front());
    }
    return out;
  }

  // The earliest request timeout (time, broker): the oldest request of each
  // connection times out strictly after request.timeout.ms.
  std::optional<std::pair<std::int64_t, int>> next_request_timeout(int p) const {
    const Producer& pr = producers[static_cast<std::size_t>(p)];
    std::optional<std::pair<std::int64_t, int>> out;
    for (int b = 0; b < config.brokers; ++b) {
      const auto& o = pr.outstanding[static_cast<std::size_t>(b)];
      if (o.empty()) continue;
      const std::int64_t t = o.front().sent_ms + config.producer.request_timeout_ms + 1;
      if (!out || t < out->first) out = std::pair{t, b};
    }
    return out;
  }

  // Bring producer p's sender up to `until`, in time order, as Kafka's sender
  // meets its timers: every request timeout before `until` (at it too if
  // `timeout_at_until`) closes its connection (NetworkClient.poll's
  // handleTimedOutRequests, which every poll runs, and the poll never sleeps
  // longer than request.timeout.ms); every delivery deadline before `until`
  // (at it too if `deadline_at_until`) wakes the sender for an iteration that
  // drains nothing and expires (the poll never sleeps past the next batch
  // expiry). Of two timers in the same millisecond the deadline's iteration
  // comes first: the other order (the poll that returns at the deadline
  // handles a request timeout of that very millisecond first) is the
  // millisecond race that only a `late_poll` event asks for. A head batch
  // whose deadline passed while it was behind another one is met as soon as
  // it becomes a head.
  void catch_up(int p, std::int64_t until, bool deadline_at_until, bool timeout_at_until) {
    const std::int64_t saved = now;
    std::int64_t clock = std::numeric_limits<std::int64_t>::min();
    for (;;) {
      const auto d = next_deadline(p);
      const auto r = next_request_timeout(p);
      const bool d_due = d && (*d < until || (*d == until && deadline_at_until));
      const bool r_due = r && (r->first < until || (r->first == until && timeout_at_until));
      if (!d_due && !r_due) break;
      if (r_due && (!d_due || r->first < *d)) {
        clock = std::max(clock, r->first);
        now = clock;
        Effect e{Effect::Kind::request_timeout};
        e.producer = p;
        e.broker = r->second;
        e.value = clock;
        emit(e);
        break_connection(p, r->second, 0, Error::request_timed_out);
      } else {
        clock = std::max(clock, *d);
        now = clock;
        Effect e{Effect::Kind::sender_woke};
        e.producer = p;
        e.value = clock;
        emit(e);
        run_once(p, -1);
      }
    }
    now = saved;
  }

  // Before the producer handles what a poll brought at `now` (a response, a
  // disconnect, a request timeout): the timers that passed come first, a
  // deadline in this very millisecond included (W6). A `late` poll was under
  // way when the earliest due deadline passed: only the timers before that
  // deadline come first; the rest follow the event (at the next event that
  // touches the producer).
  void poll(int p, bool late) {
    if (late) {
      const auto d = next_deadline(p);
      if (d && *d <= now) {
        catch_up(p, *d, false, false);
        Effect e{Effect::Kind::late_poll};
        e.producer = p;
        e.value = *d;
        emit(e);
        return;
      }
    }
    catch_up(p, now, true, false);
  }

  // --- brokers ---------------------------------------------------------------

  Response process(const Request& req, int broker, Error injected, bool after_append, bool zombie) {
    Response resp{req.id, {}};
    Effect pe{Effect::Kind::request_processed};
    pe.producer = req.producer;
    pe.broker = broker;
    pe.request = req.id;
    pe.zombie = zombie;
    pe.error = injected;
    emit(pe);
    for (const WireBatch& w : req.batches) {
      Partition& part = partitions[static_cast<std::size_t>(w.partition)];
      Answer a{w.partition, w.batch_id, Error::none, -1, false};
      if (part.leader != broker) {
        a.error = Error::not_leader_or_follower;
      } else if (injected != Error::none && !after_append) {
        a.error = injected;
      } else {
        const AppendOutcome o = part.state->append(w.header);
        a.error = o.error;
        a.offset = o.first_offset;
        a.duplicate = o.duplicate;
        if (o.error == Error::none && !o.duplicate) part.log.push_back(LoggedBatch{o.first_offset, w.records, w.header, zombie});
        if (injected != Error::none && o.error == Error::none) {
          a.error = injected;  // written (or a duplicate), but the producer hears an error
          a.offset = -1;
        }
      }
      Effect e{Effect::Kind::batch_answered};
      e.producer = req.producer;
      e.broker = broker;
      e.partition = w.partition;
      e.request = req.id;
      e.batch = w.batch_id;
      e.stamp = BatchStamp{w.batch_id, PidEpoch{w.header.producer_id, w.header.epoch}, w.header.first_sequence,
                           w.header.record_count, false};
      e.error = a.error;
      e.offset = a.offset;
      e.duplicate = a.duplicate;
      e.zombie = zombie;
      emit(e);
      resp.answers.push_back(a);
    }
    return resp;
  }

  void deliver_request(int p, int broker, Error injected, bool after_append) {
    catch_up(p, now, false, false);  // a connection the client closed before now carries nothing
    Connection& c = net[static_cast<std::size_t>(p)][static_cast<std::size_t>(broker)];
    if (c.to_broker.empty()) return;
    const Request req = std::move(c.to_broker.front());
    c.to_broker.pop_front();
    Response resp = process(req, broker, injected, after_append, false);
    if (config.producer.acks != 0) c.to_producer.push_back(std::move(resp));
  }

  void deliver_response(int p, int broker, bool late) {
    Connection& c = net[static_cast<std::size_t>(p)][static_cast<std::size_t>(broker)];
    if (c.to_producer.empty()) return;
    poll(p, late);
    if (c.to_producer.empty()) return;  // the client closed the connection (a request timeout) before it arrived
    const Response resp = std::move(c.to_producer.front());
    c.to_producer.pop_front();
    Producer& pr = producers[static_cast<std::size_t>(p)];
    auto& outstanding = pr.outstanding[static_cast<std::size_t>(broker)];
    if (outstanding.empty() || outstanding.front().request != resp.request) {
      // The answer is not to the oldest request: an answer went missing. The
      // client's correlation check fails and it drops the connection.
      Effect e{Effect::Kind::correlation_mismatch};
      e.producer = p;
      e.broker = broker;
      e.request = resp.request;
      emit(e);
      break_connection(p, broker, 0);
      return;
    }
    outstanding.pop_front();
    Effect e{Effect::Kind::response_received};
    e.producer = p;
    e.broker = broker;
    e.request = resp.request;
    emit(e);
    for (const Answer& a : resp.answers) complete(p, a.batch_id, a.error, a.offset);
  }

  void lose_response(int p, int broker) {
    catch_up(p, now, false, false);
    Connection& c = net[static_cast<std::size_t>(p)][static_cast<std::size_t>(broker)];
    if (c.to_producer.empty()) return;
    Effect e{Effect::Kind::response_lost};
    e.producer = p;
    e.broker = broker;
    e.request = c.to_producer.front().request;
    emit(e);
    c.to_producer.pop_front();
  }

  void process_zombie(int broker) {
    auto& z = zombies[static_cast<std::size_t>(broker)];
    if (z.empty()) return;
    const Request req = std::move(z.front());
    z.pop_front();
    process(req, broker, Error::none, false, true);
  }

  // NetworkClient.handleTimedOutRequests: a request times out only strictly
  // after request.timeout.ms (InFlightRequests: elapsed > timeout); the
  // connection closes and every request on it fails with REQUEST_TIMED_OUT.
  void timeout(int p, int broker, std::int64_t read_by_broker, bool late) {
    const auto& outstanding = producers[static_cast<std::size_t>(p)].outstanding[static_cast<std::size_t>(broker)];
    if (outstanding.empty()) return;
    const std::int64_t deadline = outstanding.front().sent_ms + config.producer.request_timeout_ms + 1;
    if (deadline > now) {
      Effect e{Effect::Kind::time_advanced};
      e.value = deadline - now;
      emit(e);
      now = deadline;
    }
    poll(p, late);  // may have timed the request out already, if its time had passed before this event
    if (producers[static_cast<std::size_t>(p)].outstanding[static_cast<std::size_t>(broker)].empty()) return;
    Effect e{Effect::Kind::request_timeout};
    e.producer = p;
    e.broker = broker;
    e.value = now;
    emit(e);
    break_connection(p, broker, read_by_broker, Error::request_timed_out);
  }

  void restart_broker(int broker, bool clean, SnapshotDamage damage) {
    for (int p = 0; p < config.producers; ++p) {
      if (!has_traffic(p, broker)) continue;
      poll(p, false);
      break_connection(p, broker, 0);
    }
    zombies[static_cast<std::size_t>(broker)].clear();
    for (Partition& part : partitions) {
      if (part.leader != broker) continue;
      part.state->restart(now, clean, damage);
      ++part.leader_epoch;  // the partition is offline, then led by the restarted broker again
    }
    Effect e{Effect::Kind::broker_restarted};
    e.broker = broker;
    e.value = clean ? 1 : 0;
    e.error = Error::none;
    e.offset = static_cast<std::int64_t>(damage);
    emit(e);
  }

  void restart_producer(int p, bool resend, std::int64_t read_by_broker) {
    for (int b = 0; b < config.brokers; ++b) {
      Connection& c = net[static_cast<std::size_t>(p)][static_cast<std::size_t>(b)];
      std::int64_t taken = 0;
      while (!c.to_broker.empty() && taken++ < read_by_broker) {
        zombies[static_cast<std::size_t>(b)].push_back(std::move(c.to_broker.front()));
        c.to_broker.pop_front();
      }
      c.to_broker.clear();
      c.to_producer.clear();
    }
    // The producer's pending sends are its live batches' (finish() ends both), in send order.
    Producer& pr = producers[static_cast<std::size_t>(p)];
    std::vector<std::size_t> unacknowledged;
    for (std::uint64_t id : pr.live) {
      const std::size_t i = pr.batches.at(id).send_index;
      SendRecord& s = sends[i];
      if (s.producer != p || s.outcome.state != SendOutcome::State::pending) continue;
      s.outcome.state = SendOutcome::State::abandoned;
      unacknowledged.push_back(i);
    }
    ++pr.session;
    Effect e{Effect::Kind::producer_restarted};
    e.producer = p;
    e.value = pr.session;
    emit(e);
    init_producer(p);
    if (resend) {
      for (std::size_t i : unacknowledged) new_send(p, sends[i].partition, sends[i].records);
    }
  }
};

Components reference_components() {
  return Components{make_reference_partition, [](ClientRules rules) { return make_reference_sequencer(rules); }};
}

std::string check_world_config(const WorldConfig& c) {
  if (c.producers < 1 || c.producers > 8) return "producers must be 1 to 8";
  if (c.partitions < 1 || c.partitions > 8) return "partitions must be 1 to 8";
  if (c.brokers < 1 || c.brokers > 8) return "brokers must be 1 to 8";
  if (c.broker.window < 1 || c.broker.window > 8) return "the broker's cached batches must be 1 to 8";
  if (c.broker.producer_id_expiration_ms < 1) return "producer.id.expiration.ms must be at least 1";
  if (c.producer.max_in_flight < 1 || c.producer.max_in_flight > 64) {
    return "max.in.flight.requests.per.connection must be 1 to 64 in the model";
  }
  if (c.producer.retries < 0) return "retries must be at least 0";
  if (c.producer.request_timeout_ms < 0 || c.producer.delivery_timeout_ms < 0 || c.producer.retry_backoff_ms < 0) {
    return "timeouts and backoff must not be negative";
  }
  if (c.producer.acks != -1 && c.producer.acks != 0 && c.producer.acks != 1) return "acks must be all (-1), 0 or 1";
  if (c.initial_epoch < 0 || c.initial_epoch > 32'767) return "the initial epoch must be 0 to 32767";
  return {};
}

World::World(const WorldConfig& config, Components components)
    : s_(std::make_unique<State>(config, std::move(components))) {
  if (const std::string why = check_world_config(config); !why.empty()) throw std::invalid_argument(why);
  State& s = *s_;
  s.producers.resize(static_cast<std::size_t>(config.producers));
  s.next_serial.assign(static_cast<std::size_t>(config.producers), 0);
  s.last_own_send.assign(static_cast<std::size_t>(config.producers), std::nullopt);
  for (int q = 0; q < config.partitions; ++q) {
    s.partitions.push_back(Partition{s.components.partition(config.broker), q % config.brokers, {}});
  }
  s.net.assign(static_cast<std::size_t>(config.producers), std::vector<Connection>(static_cast<std::size_t>(config.brokers)));
  s.zombies.assign(static_cast<std::size_t>(config.brokers), {});
  for (int p = 0; p < config.producers; ++p) s.init_producer(p);
}

World::World(const World& o) : s_(std::make_unique<State>(*o.s_)) {}
World& World::operator=(const World& o) {
  if (this != &o) s_ = std::make_unique<State>(*o.s_);
  return *this;
}
World::World(World&&) noexcept = default;
World& World::operator=(World&&) noexcept = default;
World::~World() = default;

std::vector<Effect> World::apply(const Event& ev) {
  std::vector<Effect> effects;
  apply(ev, effects);
  return effects;
}

void World::apply(const Event& ev, std::vector<Effect>& effects) {
  State& s = *s_;
  if (const std::string why = check_event(ev, s.config); !why.empty()) throw std::invalid_argument(why);
  effects.clear();
  s.out = &effects;
  using K = Event::Kind;
  switch (ev.kind) {
    case K::send: {
      const RecordRange r{ev.producer, s.next_serial[static_cast<std::size_t>(ev.producer)], ev.count};
      s.next_serial[static_cast<std::size_t>(ev.producer)] += ev.count;
      s.new_send(ev.producer, ev.partition, r);
      break;
    }
    case K::send_same: {
      if (ev.other == ev.producer) break;  // the same application sending twice is restart-producer's story
      if (const auto last = s.last_own_send[static_cast<std::size_t>(ev.other)]) {
        const SendRecord copy = s.sends[*last];
        s.new_send(ev.producer, copy.partition, copy.records);
      }
      break;
    }
    case K::drain:
      // This iteration is the one at a deadline of this very millisecond (drain, then expiry).
      s.catch_up(ev.producer, s.now, false, false);
      s.run_once(ev.producer, ev.broker);
      break;
    case K::deliver_request: s.deliver_request(ev.producer, ev.broker, Error::none, false); break;
    case K::fail_request: {
      // Only a replication timeout can come either side of the append;
      // NOT_ENOUGH_REPLICAS_AFTER_APPEND always follows it, the others precede it.
      const bool after = ev.error == Error::not_enough_replicas_after_append ||
                         (ev.error == Error::request_timed_out && ev.flag);
      s.deliver_request(ev.producer, ev.broker, ev.error, after);
      break;
    }
    case K::deliver_response: s.deliver_response(ev.producer, ev.broker, ev.late_poll); break;
    case K::lose_response: s.lose_response(ev.producer, ev.broker); break;
    case K::break_connection:
      if (s.has_traffic(ev.producer, ev.broker)) {
        s.poll(ev.producer, ev.late_poll);
        s.break_connection(ev.producer, ev.broker, ev.count);
      }
      break;
    case K::process_zombie: s.process_zombie(ev.broker); break;
    case K::timeout: s.timeout(ev.producer, ev.broker, ev.count, ev.late_poll); break;
    case K::tick: {
      if (ev.ms > 0) {
        s.now += ev.ms;
        Effect e{Effect::Kind::time_advanced};
        e.value = ev.ms;
        s.emit(e);
      }
      break;
    }
    case K::move_leader: {
      Partition& part = s.partitions[static_cast<std::size_t>(ev.partition)];
      if (part.leader != ev.broker) {
        part.leader = ev.broker;
        ++part.leader_epoch;
        Effect e{Effect::Kind::leader_moved};
        e.partition = ev.partition;
        e.broker = ev.broker;
        s.emit(e);
      }
      break;
    }
    case K::restart_broker: s.restart_broker(ev.broker, ev.flag, ev.damage); break;
    case K::expire: {
      for (std::size_t q = 0; q < s.partitions.size(); ++q) {
        const std::size_t before = s.partitions[q].state->producers().size();
        s.partitions[q].state->expire(s.now);
        const std::size_t after = s.partitions[q].state->producers().size();
        if (after < before) {
          Effect e{Effect::Kind::producer_state_expired};
          e.partition = static_cast<int>(q);
          e.value = static_cast<std::int64_t>(before - after);
          s.emit(e);
        }
      }
      break;
    }
    case K::restart_producer: s.restart_producer(ev.producer, ev.flag, ev.count); break;
    case K::init_producer_id: {
      Producer& pr = s.producers[static_cast<std::size_t>(ev.producer)];
      if (pr.sequencer && pr.awaiting_producer_id) {
        s.catch_up(ev.producer, s.now, true, false);
        s.assign_producer_id(ev.producer, 0);
      }
      break;
    }
  }
  s.out = nullptr;
}

WorldObservation World::observe() const {
  WorldObservation o;
  o.now = s_->now;
  for (const Partition& p : s_->partitions) {
    o.partition_producers.push_back(p.state->producers());
    o.log_end_offsets.push_back(p.state->log_end_offset());
  }
  for (const Producer& p : s_->producers) o.sequencers.push_back(p.sequencer ? p.sequencer->state() : SequencerState{});
  return o;
}

std::int64_t World::now() const { return s_->now; }
const std::vector<SendRecord>& World::sends() const { return s_->sends; }
const std::vector<LoggedBatch>& World::log(int partition) const {
  return s_->partitions.at(static_cast<std::size_t>(partition)).log;
}
const WorldConfig& World::config() const { return s_->config; }

std::vector<std::pair<int, BatchStamp>> World::in_flight(int producer) const {
  std::vector<std::pair<int, BatchStamp>> out;
  const Producer& pr = s_->producers.at(static_cast<std::size_t>(producer));
  for (std::uint64_t id : pr.live) {
    const ProducerBatch& b = pr.batches.at(id);
    if (b.has_stamp) out.emplace_back(b.partition, b.stamp);
  }
  return out;
}

std::vector<ProducerEntry> World::producer_entries(int partition) const {
  return s_->partitions.at(static_cast<std::size_t>(partition)).state->producers();
}

World::ConnectionLoad World::connection_load(int producer, int broker) const {
  const auto p = static_cast<std::size_t>(producer);
  const auto b = static_cast<std::size_t>(broker);
  const Connection& c = s_->net.at(p).at(b);
  return ConnectionLoad{s_->producers.at(p).outstanding.at(b).size(), c.to_broker.size(), c.to_producer.size()};
}

std::size_t World::zombies_waiting(int broker) const { return s_->zombies.at(static_cast<std::size_t>(broker)).size(); }

// --- the state key (see "State key" in world.hpp) ------------------------------

namespace {

// Appends small integers to a byte string: zigzag varints, so that the common
// values (indices, counts, sequences, -1 sentinels) take one byte.
class KeyWriter {
 public:
  // Writes through a raw cursor into `out`'s own buffer (the search asks for a key per successor,
  // and a checked append per byte was a tenth of its time); finish() trims it to what was written.
  explicit KeyWriter(std::string& out) : out_(out) {
    out_.resize(std::max<std::size_t>(out_.capacity(), 256));
    at_ = out_.data();
    end_ = at_ + out_.size();
  }
  void put(std::int64_t v) {
    if (end_ - at_ < 10) grow();
    auto u = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
    while (u >= 0x80) {
      *at_++ = static_cast<char>((u & 0x7f) | 0x80);
      u >>= 7;
    }
    *at_++ = static_cast<char>(u);
  }
  void put(const RecordRange& r) {
    put(r.origin);
    put(r.first);
    put(r.count);
  }
  // The key is what was put, nothing more. Call once, last.
  void finish() { out_.resize(static_cast<std::size_t>(at_ - out_.data())); }

 private:
  void grow() {
    const auto used = static_cast<std::size_t>(at_ - out_.data());
    out_.resize(out_.size() * 2);
    at_ = out_.data() + used;
    end_ = out_.data() + out_.size();
  }
  std::string& out_;
  char* at_ = nullptr;
  char* end_ = nullptr;
};

}  // namespace

std::string World::state_key() const {
  std::string key;
  key.reserve(256);
  state_key(key);
  return key;
}

void World::state_key(std::string& out) const {
  const State& s = *s_;
  KeyWriter k(out);

  // Epoch ranks: every epoch the key holds, sorted; an epoch is written as its index.
  // A batch that is done and in no outstanding request is never read again: complete() runs
  // only for the batches of an answered request, and a zombie's answer is lost; so only its
  // existence is kept (its send record keeps the rest).
  auto forgotten = [](const Producer& p, const ProducerBatch& b) {
    if (!b.done) return false;
    for (const auto& list : p.outstanding) {
      for (const Outstanding& o : list) {
        if (std::find(o.batches.begin(), o.batches.end(), b.id) != o.batches.end()) return false;
      }
    }
    return true;
  };
  // Scratch reused across calls on this thread: the explicit search asks for a key per successor.
  thread_local std::vector<std::int32_t> epochs;
  epochs.clear();
  auto note = [&](std::int32_t e) {
    if (e >= 0) epochs.push_back(e);
  };
  std::vector<SequencerState> sequencers(s.producers.size());
  for (std::size_t pi = 0; pi < s.producers.size(); ++pi) {
    const Producer& p = s.producers[pi];
    if (p.sequencer) {
      sequencers[pi] = p.sequencer->state();
      const SequencerState& q = sequencers[pi];
      note(q.current.epoch);
      for (const auto& [part, st] : q.partitions) {
        note(st.stamp.epoch);
        for (const BatchStamp& b : st.in_flight) note(b.stamp.epoch);
      }
    }
    for (const auto& [id, b] : p.batches) {
      if (b.has_stamp && !forgotten(p, b)) note(b.stamp.stamp.epoch);
    }
  }
  auto note_request = [&](const Request& r) {
    for (const WireBatch& w : r.batches) note(w.header.epoch);
  };
  for (const auto& row : s.net) {
    for (const Connection& c : row) {
      for (const Request& r : c.to_broker) note_request(r);
    }
  }
  for (const auto& z : s.zombies) {
    for (const Request& r : z) note_request(r);
  }
  std::vector<std::vector<ProducerEntry>> entries;
  for (const Partition& part : s.partitions) {
    entries.push_back(part.state->producers());
    for (const ProducerEntry& e : entries.back()) note(e.epoch);
  }
  std::sort(epochs.begin(), epochs.end());
  epochs.erase(std::unique(epochs.begin(), epochs.end()), epochs.end());
  auto epoch = [&](std::int32_t e) {
    if (e < 0) return k.put(e);
    k.put(std::lower_bound(epochs.begin(), epochs.end(), e) - epochs.begin());
  };
  auto pid_epoch = [&](const PidEpoch& x) {
    k.put(x.producer_id);
    epoch(x.epoch);
  };
  auto stamp = [&](const BatchStamp& b) {
    k.put(static_cast<std::int64_t>(b.batch_id));
    pid_epoch(b.stamp);
    k.put(b.base_sequence);
    k.put(b.record_count);
    k.put(b.reopened ? 1 : 0);
  };

  // An offset of partition q: the records the log holds there (and where in them), or where it
  // lies past the log's end; -1 (unknown) as itself.
  auto offset = [&](int q, std::int64_t o) {
    if (o < 0) return k.put(-1);
    const std::vector<LoggedBatch>& log = s.partitions.at(static_cast<std::size_t>(q)).log;
    auto it = std::upper_bound(log.begin(), log.end(), o,
                               [](std::int64_t x, const LoggedBatch& b) { return x < b.first_offset; });
    if (it != log.begin()) {
      const LoggedBatch& b = *std::prev(it);
      if (o < b.first_offset + b.records.count) {
        k.put(0);
        k.put(b.records);
        k.put(o - b.first_offset);
        return;
      }
    }
    k.put(1);
    k.put(o - s.partitions.at(static_cast<std::size_t>(q)).state->log_end_offset());
  };

  // Request ids, renumbered in the order met.
  thread_local std::vector<std::pair<std::uint64_t, std::int64_t>> ids;
  ids.clear();
  auto request_id = [&](std::uint64_t id) {
    for (const auto& [old, fresh] : ids) {
      if (old == id) return k.put(fresh);
    }
    ids.emplace_back(id, static_cast<std::int64_t>(ids.size()));
    k.put(static_cast<std::int64_t>(ids.size()) - 1);
  };
  auto request = [&](const Request& r) {
    request_id(r.id);
    k.put(r.producer);
    k.put(static_cast<std::int64_t>(r.batches.size()));
    for (const WireBatch& w : r.batches) {
      k.put(w.partition);
      k.put(static_cast<std::int64_t>(w.batch_id));
      k.put(w.header.producer_id);
      epoch(w.header.epoch);
      k.put(w.header.first_sequence);
      k.put(w.header.record_count);
      k.put(w.records);
    }
  };
  auto capped = [](std::int64_t v, std::int64_t cap) { return std::min(v, cap); };

  k.put(s.next_producer_id);
  for (std::int64_t n : s.next_serial) k.put(n);
  for (const auto& last : s.last_own_send) k.put(last ? static_cast<std::int64_t>(*last) : -1);

  // Producers.
  for (std::size_t pi = 0; pi < s.producers.size(); ++pi) {
    const Producer& p = s.producers[pi];
    k.put(p.session);
    k.put(p.awaiting_producer_id ? 1 : 0);
    k.put(static_cast<std::int64_t>(p.next_batch_id));
    k.put(static_cast<std::int64_t>(p.batches.size()));
    for (const auto& [id, b] : p.batches) {
      k.put(static_cast<std::int64_t>(id));
      if (forgotten(p, b)) {
        k.put(-1);
        continue;
      }
      k.put(b.partition);
      k.put(b.records);
      k.put(static_cast<std::int64_t>(b.send_index));
      k.put(capped(b.sends, 2));
      k.put(capped(b.reenqueues, 1));
      k.put(b.reenqueues == b.reenqueues_at_leader_change ? 1 : 0);
      k.put(b.leader_epoch ? *b.leader_epoch : -1);
      k.put(b.has_stamp ? 1 : 0);
      if (b.has_stamp) stamp(b.stamp);
      k.put((b.in_retry ? 1 : 0) | (b.done ? 2 : 0) | (b.in_flight ? 4 : 0));
    }
    for (const auto& q : p.queues) {
      k.put(static_cast<std::int64_t>(q.size()));
      for (std::uint64_t id : q) k.put(static_cast<std::int64_t>(id));
    }
    for (const auto& q : p.in_flight) {
      k.put(static_cast<std::int64_t>(q.size()));
      for (std::uint64_t id : q) k.put(static_cast<std::int64_t>(id));
    }
    for (std::size_t b = 0; b < p.outstanding.size(); ++b) {
      k.put(static_cast<std::int64_t>(p.drain_index[b]));
      k.put(static_cast<std::int64_t>(p.outstanding[b].size()));
      for (const Outstanding& o : p.outstanding[b]) {
        request_id(o.request);
        k.put(s.now - o.sent_ms);
        k.put(static_cast<std::int64_t>(o.batches.size()));
        for (std::uint64_t id : o.batches) k.put(static_cast<std::int64_t>(id));
      }
    }
    k.put(p.sequencer ? 1 : 0);
    if (p.sequencer) {
      const SequencerState& q = sequencers[pi];
      pid_epoch(q.current);
      k.put(q.epoch_bump_required ? 1 : 0);
      k.put(static_cast<std::int64_t>(q.partitions_to_rewrite.size()));
      for (int part : q.partitions_to_rewrite) k.put(part);
      k.put(static_cast<std::int64_t>(q.partitions.size()));
      for (const auto& [part, st] : q.partitions) {  // last_acked_offset: never read (see the banner)
        k.put(part);
        pid_epoch(st.stamp);
        k.put(st.next_sequence);
        k.put(st.last_acked_sequence);
        k.put(st.unresolved ? *st.unresolved : -2);
        k.put(static_cast<std::int64_t>(st.in_flight.size()));
        for (const BatchStamp& b : st.in_flight) stamp(b);
      }
    }
    // Its connections.
    for (const Connection& c : s.net[pi]) {
      k.put(static_cast<std::int64_t>(c.to_broker.size()));
      for (const Request& r : c.to_broker) request(r);
      k.put(static_cast<std::int64_t>(c.to_producer.size()));
      for (const Response& r : c.to_producer) {
        request_id(r.request);
        k.put(static_cast<std::int64_t>(r.answers.size()));
        for (const Answer& a : r.answers) {
          k.put(a.partition);
          k.put(static_cast<std::int64_t>(a.batch_id));
          k.put(static_cast<std::int64_t>(a.error));
          offset(a.partition, a.offset);
          k.put(a.duplicate ? 1 : 0);
        }
      }
    }
  }
  for (const auto& z : s.zombies) {
    k.put(static_cast<std::int64_t>(z.size()));
    for (const Request& r : z) request(r);
  }

  // Sends and their outcomes.
  k.put(static_cast<std::int64_t>(s.sends.size()));
  for (const SendRecord& r : s.sends) {
    k.put(r.producer);
    k.put(r.session);
    k.put(r.partition);
    k.put(r.records);
    k.put(static_cast<std::int64_t>(r.batch_id));
    k.put(static_cast<std::int64_t>(r.outcome.state));
    k.put(static_cast<std::int64_t>(r.outcome.error));
    k.put(capped(r.outcome.attempts, 2));
    if (r.outcome.state == SendOutcome::State::acknowledged) offset(r.partition, r.outcome.offset);
  }

  // Partitions: leader, broker entries, the log as counts per record range and first-write order.
  for (std::size_t q = 0; q < s.partitions.size(); ++q) {
    const Partition& part = s.partitions[q];
    k.put(part.leader);
    k.put(part.leader_epoch);
    k.put(static_cast<std::int64_t>(entries[q].size()));
    for (const ProducerEntry& e : entries[q]) {  // last_timestamp: producer-id expiry only
      k.put(e.producer_id);
      epoch(e.epoch);
      k.put(static_cast<std::int64_t>(e.batches.size()));
      for (const CachedBatch& c : e.batches) {
        k.put(c.first_sequence);
        k.put(c.last_sequence);
        offset(static_cast<int>(q), c.first_offset);
        offset(static_cast<int>(q), c.last_offset);
      }
    }
    std::vector<std::pair<RecordRange, int>> written;  // distinct ranges, written once or more
    for (const LoggedBatch& b : part.log) {
      auto it = std::find_if(written.begin(), written.end(), [&](const auto& x) { return x.first == b.records; });
      if (it == written.end()) {
        written.emplace_back(b.records, 1);
      } else {
        it->second = 2;
      }
    }
    // First writes in each session's send order (the checker's nonmonotonic-send, which no
    // later write undoes): the first offsets of the sends, in send order, rise per session.
    bool in_order = true;
    std::map<std::pair<int, int>, std::int64_t> last_first;
    for (const SendRecord& r : s.sends) {
      if (r.partition != static_cast<int>(q)) continue;
      std::int64_t at = -1;
      for (const LoggedBatch& b : part.log) {
        if (b.records.origin == r.records.origin && b.records.first <= r.records.first &&
            r.records.first + r.records.count <= b.records.first + b.records.count) {
          at = b.first_offset + (r.records.first - b.records.first);
          break;
        }
      }
      if (at < 0) continue;
      auto [it, fresh] = last_first.try_emplace({r.producer, r.session}, at);
      if (!fresh && at < it->second) in_order = false;
      it->second = at;
    }
    std::sort(written.begin(), written.end());
    k.put(static_cast<std::int64_t>(written.size()));
    for (const auto& [range, times] : written) {
      k.put(range);
      k.put(times);
    }
    k.put(in_order ? 1 : 0);
  }
  k.finish();
}

// --- printing ---------------------------------------------------------------

std::string_view name(Effect::Kind k) {
  using K = Effect::Kind;
  switch (k) {
    case K::records_sent: return "records-sent";
    case K::request_sent: return "request-sent";
    case K::batch_in_request: return "batch-in-request";
    case K::request_processed: return "request-processed";
    case K::batch_answered: return "batch-answered";
    case K::response_received: return "response-received";
    case K::response_lost: return "response-lost";
    case K::correlation_mismatch: return "correlation-mismatch";
    case K::connection_broken: return "connection-broken";
    case K::zombie_created: return "zombie-created";
    case K::batch_acknowledged: return "batch-acknowledged";
    case K::batch_retried: return "batch-retried";
    case K::batch_failed: return "batch-failed";
    case K::batch_expired: return "batch-expired";
    case K::epoch_bumped: return "epoch-bumped";
    case K::batch_restamped: return "batch-restamped";
    case K::producer_id_assigned: return "producer-id-assigned";
    case K::leader_moved: return "leader-moved";
    case K::broker_restarted: return "broker-restarted";
    case K::producer_state_expired: return "producer-state-expired";
    case K::producer_restarted: return "producer-restarted";
    case K::time_advanced: return "time-advanced";
    case K::sender_woke: return "sender-woke";
    case K::request_timeout: return "request-timeout";
    case K::late_poll: return "late-poll";
    case K::producer_id_requested: return "producer-id-requested";
  }
  return "unknown-effect";
}

std::ostream& operator<<(std::ostream& os, const RecordRange& r) {
  if (r.count == 1) return os << "A" << r.origin << ":" << r.first;
  return os << "A" << r.origin << ":" << r.first << ".." << r.first + r.count - 1;
}

std::ostream& operator<<(std::ostream& os, const Effect& e) {
  using K = Effect::Kind;
  os << name(e.kind);
  switch (e.kind) {
    case K::records_sent: return os << " P" << e.producer << " batch#" << e.batch << " -> p" << e.partition << " (" << e.value << " records)";
    case K::request_sent: return os << " P" << e.producer << " -> B" << e.broker << " req#" << e.request;
    case K::batch_in_request:
      return os << " req#" << e.request << " p" << e.partition << " " << e.stamp << (e.retry ? " (retry)" : "")
                << (e.value != 0 ? " (expired already, sent anyway)" : "");
    case K::request_processed:
      os << " B" << e.broker << " req#" << e.request << (e.zombie ? " (zombie)" : "");
      return e.error != Error::none ? os << " injecting " << name(e.error) : os;
    case K::batch_answered:
      os << " p" << e.partition << " batch#" << e.batch << ": ";
      if (e.error != Error::none) return os << name(e.error);
      return os << (e.duplicate ? "DUPLICATE @" : "WRITTEN @") << e.offset;
    case K::response_received:
    case K::response_lost:
    case K::correlation_mismatch: return os << " P" << e.producer << " <- B" << e.broker << " req#" << e.request;
    case K::connection_broken:
      return os << " P" << e.producer << " <-> B" << e.broker << " (" << e.value << " zombies; requests fail with "
                << name(e.error) << ")";
    case K::zombie_created: return os << " B" << e.broker << " req#" << e.request;
    case K::batch_acknowledged: return os << " P" << e.producer << " batch#" << e.batch << " @" << e.offset;
    case K::batch_retried:
    case K::batch_failed: return os << " P" << e.producer << " batch#" << e.batch << " after " << name(e.error);
    case K::batch_expired: return os << " P" << e.producer << " batch#" << e.batch << " after " << e.value << " ms";
    case K::epoch_bumped:
    case K::producer_id_assigned: return os << " P" << e.producer << " now " << e.stamp.stamp;
    case K::batch_restamped: return os << " P" << e.producer << " " << e.stamp;
    case K::leader_moved: return os << " p" << e.partition << " -> B" << e.broker;
    case K::broker_restarted:
      os << " B" << e.broker << (e.value ? " clean" : " unclean");
      return e.offset == 0 ? os
                           : os << ", newest snapshot " << name(static_cast<SnapshotDamage>(e.offset))
                                << ": falls back to the previous one";
    case K::producer_state_expired: return os << " p" << e.partition << " (" << e.value << " producers)";
    case K::producer_restarted: return os << " P" << e.producer << " session " << e.value;
    case K::time_advanced: return os << " +" << e.value << " ms";
    case K::sender_woke:
      return os << " P" << e.producer << " at t=" << e.value << ", a delivery deadline (an iteration that drains nothing)";
    case K::request_timeout:
      return os << " P" << e.producer << " <-> B" << e.broker << " at t=" << e.value
                << ": a request is older than request.timeout.ms; the client closes the connection";
    case K::late_poll:
      return os << " P" << e.producer << ": the poll crossed the delivery deadline t=" << e.value
                << "; handled before the expiry";
    case K::producer_id_requested: return os << " P" << e.producer << " sends InitProducerId; draining waits";
  }
  return os;
}

}  // namespace idemcheck::spec
