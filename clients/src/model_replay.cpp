// The replay of a client's trace on the reference sequencer (model_replay.hpp,
// rules M1..M8). The model producer here is only the part of the Java client
// a trace can drive: its batches (with their stamps and where their last
// attempt stands) and one spec::Sequencer; everything the sequencer decides is
// asked of it, so this file adds no sequence rule of its own.
#include "idemcheck/clients/model_replay.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "idemcheck/spec/sequencer.hpp"
#include "trace_records.hpp"

namespace idemcheck::clients {

namespace {

using frontend::BatchTrace;
using frontend::TraceEvent;
using frontend::TraceKind;
using spec::Error;
using Records = std::vector<spec::RecordRange>;
using RecordKey = std::pair<int, std::int64_t>;      // (app, record number)
using BatchKey = std::pair<int, Records>;            // (partition, records)

enum class State : std::uint8_t {
  in_flight,       // an attempt was sent and its answer has not reached the client (yet)
  awaiting_retry,  // the client saw its last attempt fail retriably
  acknowledged,
  failed,          // failed for good (S5 said no)
  expired,         // given up by the client (its own limits; see the header)
};

std::string_view describe(State s) {
  switch (s) {
    case State::in_flight: return "sent, its answer not yet with the client";
    case State::awaiting_retry: return "failed retriably, waiting for its retry";
    case State::acknowledged: return "acknowledged";
    case State::failed: return "failed for good";
    case State::expired: return "given up";
  }
  return "?";
}

struct Attempt {
  std::uint64_t connection = 0;
  std::int32_t correlation_id = -1;
  bool held = false;     // a hold-response fault held its answer past the client's timeout, or it waited behind one
  bool unread = false;   // sent in a request the front end never read
  std::size_t index = 0; // the produce event's trace index
  BatchTrace answer;
};

struct ModelBatch {
  std::uint64_t id = 0;
  int partition = 0;
  Records records;
  spec::BatchStamp stamp;
  State state = State::in_flight;
  Attempt attempt;                   // the latest
  std::string last_failure;          // why the last attempt failed, for details
  std::size_t last_sent = 0;         // the last trace index where the client sends these records
};

// Where a batch's records first and last appear in the trace.
struct Appearance {
  std::size_t first = 0;
  std::size_t last = 0;
  spec::Batch first_header;
};

using detail::known_identity;
using detail::show_record;

// Records named as conformance.cpp names them; a long batch by its ends and size.
std::string show(const Records& rs) {
  std::ostringstream o;
  if (rs.size() > 4) {
    std::int64_t n = 0;
    for (const auto& r : rs) n += std::max<std::int64_t>(r.count, 1);
    show_record(o, rs[0]);
    o << ',';
    show_record(o, rs[1]);
    o << ",...,";
    show_record(o, rs.back());
    o << " (" << n << " records)";
    return o.str();
  }
  for (std::size_t i = 0; i < rs.size(); ++i) {
    if (i) o << ',';
    show_record(o, rs[i]);
  }
  return o.str();
}

std::string show(std::int64_t pid, std::int64_t epoch, std::int64_t seq) {
  std::ostringstream o;
  o << "pid " << pid << " epoch " << epoch << " seq " << seq;
  return o.str();
}

std::string show(const spec::BatchStamp& s) { return show(s.stamp.producer_id, s.stamp.epoch, s.base_sequence); }

std::string show(const spec::Batch& h) { return show(h.producer_id, h.epoch, h.first_sequence); }

std::string show(const ModelBatch& b) {
  std::ostringstream o;
  o << show(b.records) << " (" << show(b.stamp) << ", " << describe(b.state);
  if (!b.last_failure.empty() && (b.state == State::awaiting_retry || b.state == State::failed)) {
    o << ": " << b.last_failure;
  }
  o << ')';
  return o.str();
}

std::vector<RecordKey> keys_of(const Records& rs) {
  std::vector<RecordKey> keys;
  for (const auto& r : rs) {
    for (std::int64_t n = r.first; n < r.first + std::max<std::int64_t>(r.count, 1); ++n) keys.emplace_back(r.origin, n);
  }
  return keys;
}


// Kafka's int16 error code as the model's Error; codes the model does not name
// are non-retriable (see the header), which a cast gives them (spec::retriable).
Error to_error(std::int16_t code) {
  switch (static_cast<Error>(code)) {
    case Error::none:
    case Error::request_timed_out:
    case Error::not_leader_or_follower:
    case Error::network_exception:
    case Error::not_enough_replicas:
    case Error::not_enough_replicas_after_append:
    case Error::invalid_request:
    case Error::out_of_order_sequence_number:
    case Error::duplicate_sequence_number:
    case Error::invalid_producer_epoch:
    case Error::unknown_producer_id:
    case Error::invalid_record:
      return static_cast<Error>(code);
    case Error::delivery_timeout:
    case Error::not_persisted:
      break;  // the client's own pseudo-errors; never a broker's code
  }
  return code < 0 ? static_cast<Error>(-1) : static_cast<Error>(code);  // -1: UNKNOWN_SERVER_ERROR
}

std::string show_error(std::int16_t code) {
  std::ostringstream o;
  const Error e = to_error(code);
  if (spec::name(e) == "UNKNOWN_ERROR") {
    o << "error " << code;
  } else {
    o << spec::name(e);
  }
  return o.str();
}

// What the whole trace says, read ahead once: where each batch appears, and
// which Produce requests a hold-response fault held or that waited behind one.
struct Context {
  std::map<BatchKey, Appearance> seen;
  std::set<std::int64_t> held;
  std::map<std::int64_t, std::int64_t> queued;  // Produce request -> when the held answer it waited behind left

  explicit Context(const frontend::Trace& trace) {
    std::set<std::pair<std::uint64_t, std::int32_t>> held_requests;  // (connection, correlation id)
    std::map<std::uint64_t, std::int64_t> released;                  // connection -> when its held answer left
    for (std::size_t i = 0; i < trace.size(); ++i) {
      const TraceEvent& e = trace[i];
      // The schedule's hold always outlasts the client's request timeout (faults.cpp).
      if (e.kind == TraceKind::fault && e.text.rfind("hold-response", 0) == 0) held.insert(e.number);
      if (e.kind == TraceKind::response && held_requests.count({e.connection, e.correlation_id})) {
        released[e.connection] = e.ms;
      }
      if (e.kind != TraceKind::produce) continue;
      if (held.count(e.number)) {
        held_requests.insert({e.connection, e.correlation_id});
      } else if (const auto r = released.find(e.connection); r != released.end() && e.ms <= r->second + 1) {
        // Read as the held answer left: it waited in the socket while the connection was muted.
        held.insert(e.number);
        queued[e.number] = r->second;
      }
      for (const BatchTrace& b : e.batches) {
        if (!detail::idempotent_batch(b) || !known_identity(b.records)) continue;
        const auto [it, inserted] = seen.try_emplace(BatchKey{b.partition, b.records}, Appearance{i, i, b.header});
        it->second.last = i;
        (void)inserted;
      }
    }
  }
};

// The model producer: its batches and its sequencer. Copyable, so that a
// request can be judged on a copy first (see first_model_deviation).
class Model {
 public:
  explicit Model(const Context& context) : ctx_(&context) {}
  Model(const Model& o)
      : ctx_(o.ctx_), sequencer_(o.sequencer_->clone()), batches_(o.batches_), owner_(o.owner_),
        by_records_(o.by_records_), given_up_(o.given_up_), have_id_(o.have_id_), fresh_id_(o.fresh_id_),
        stopped_(o.stopped_) {}
  Model& operator=(Model&&) noexcept = default;
  Model(Model&&) noexcept = default;
  Model& operator=(const Model&) = delete;
  ~Model() = default;

  [[nodiscard]] bool stopped() const { return stopped_; }

  void on_producer_id(std::int64_t pid) {
    if (!have_id_) {
      have_id_ = true;
      sequencer_->set_producer_id(spec::PidEpoch{pid, 0});
      return;
    }
    // A later id is the client's bump (model_replay.hpp, "New producer ids"): with a bump
    // pending, epoch -1 makes S8's increment land on (new id, 0).
    if (sequencer_->state().epoch_bump_required) {
      sequencer_->set_producer_id(spec::PidEpoch{pid, spec::kNoEpoch});
      fresh_id_ = false;
    } else {
      sequencer_->set_producer_id(spec::PidEpoch{pid, 0});
      fresh_id_ = true;
    }
  }

  std::optional<Deviation> on_produce(std::size_t i, const TraceEvent& e) {
    send_loop();
    for (const BatchTrace& b : e.batches) {
      if (!detail::idempotent_batch(b)) continue;
      if (!known_identity(b.records)) {
        stopped_ = true;
        return std::nullopt;
      }
      ModelBatch* sent = nullptr;
      if (auto d = judge(i, e, b, sent)) return d;
      sent->state = State::in_flight;
      sent->attempt = Attempt{e.connection, e.correlation_id, ctx_->held.count(e.number) > 0, false, i, b};
    }
    return std::nullopt;
  }

  void on_response(const TraceEvent& e) {
    for (ModelBatch& b : batches_) {
      if (b.state != State::in_flight || b.attempt.unread) continue;
      if (b.attempt.connection != e.connection || b.attempt.correlation_id != e.correlation_id) continue;
      // A held answer came past the client's request timeout; a client with a coarse timer
      // (librdkafka scans once a second) may still take it. It did not if it sends the records again.
      if (b.attempt.held && b.last_sent > b.attempt.index) {
        fail(b, Error::network_exception, "its answer was held past the client's request timeout");
      } else {
        answer(b);
      }
    }
  }

  void on_disconnected(const TraceEvent& e) {
    for (ModelBatch& b : batches_) {
      if (b.state != State::in_flight || b.attempt.unread || b.attempt.connection != e.connection) continue;
      fail(b, Error::network_exception, "its connection closed before the answer reached the client");
    }
  }

 private:
  // --- the model producer ---

  // Sender.runOnce's start (S8); a fresh id from the client takes the bump (header).
  void send_loop() {
    if (fresh_id_ && sequencer_->state().epoch_bump_required) {
      sequencer_->set_producer_id(spec::PidEpoch{sequencer_->current().producer_id, spec::kNoEpoch});
      fresh_id_ = false;
    }
    apply(sequencer_->begin_send_loop());
  }

  void apply(const std::vector<spec::Restamp>& restamps) {
    for (const spec::Restamp& r : restamps) {
      if (r.batch.batch_id == 0 || r.batch.batch_id > batches_.size()) continue;
      batches_[r.batch.batch_id - 1].stamp = r.batch;
      fresh_id_ = false;
    }
  }

  // Sender.completeBatch for an answer that reached the client.
  void answer(ModelBatch& b) {
    const BatchTrace& a = b.attempt.answer;
    const Error error = to_error(a.error);
    if (error == Error::none || error == Error::duplicate_sequence_number) {
      // DUPLICATE_SEQUENCE_NUMBER: written, offset unknown (Sender.completeBatch, every version).
      sequencer_->on_success(b.partition, b.stamp, error == Error::none ? a.base_offset : -1);
      b.state = State::acknowledged;
      return;
    }
    fail(b, error, std::string("answered ").append(show_error(a.error)));
  }

  // Sender.completeBatch / failBatch for an error: retry if S5 allows, else S6.
  void fail(ModelBatch& b, Error error, std::string why) {
    b.last_failure = std::move(why);
    const bool retry = sequencer_->can_retry(b.partition, b.stamp, error);
    apply(sequencer_->take_restamps());
    if (retry) {
      b.state = State::awaiting_retry;
      return;
    }
    sequencer_->on_failure(b.partition, b.stamp, error, /*adjust=*/true);
    apply(sequencer_->take_restamps());
    b.state = State::failed;
  }

  ModelBatch& add_batch(int partition, const Records& records, const spec::BatchStamp& stamp) {
    ModelBatch b;
    b.id = batches_.size() + 1;
    b.partition = partition;
    b.records = records;
    b.stamp = stamp;
    if (const auto it = ctx_->seen.find(BatchKey{partition, records}); it != ctx_->seen.end()) {
      b.last_sent = it->second.last;
    }
    batches_.push_back(std::move(b));
    ModelBatch& added = batches_.back();
    by_records_[BatchKey{partition, records}] = added.id;
    for (const RecordKey& k : keys_of(records)) owner_[k] = added.id;
    fresh_id_ = false;
    return added;
  }

  ModelBatch* batch(std::uint64_t id) { return id == 0 || id > batches_.size() ? nullptr : &batches_[id - 1]; }

  // The client gave up on these (model_replay.hpp, simplifications): S7, then a sender loop.
  bool expire_if_abandoned(const std::vector<ModelBatch*>& blockers, std::size_t now) {
    if (blockers.empty()) return false;
    for (const ModelBatch* b : blockers) {
      if (b == nullptr || b->state != State::awaiting_retry || b->last_sent >= now) return false;
    }
    for (ModelBatch* b : blockers) {
      sequencer_->on_expired(b->partition, b->stamp, /*in_retry=*/true);
      b->state = State::expired;
      std::string& note = given_up_[b->partition];
      note.append(note.empty() ? "" : ",").append(show(b->records));
    }
    send_loop();
    return true;
  }

  // A verdict that rests on the replay's guess that the client gave a batch up says so.
  Deviation deviation(std::string rule, std::size_t i, const TraceEvent& e, int partition, std::string detail) const {
    if (const auto it = given_up_.find(partition); it != given_up_.end()) {
      detail.append("; the replay took ").append(it->second).append(
          " as given up by the client (never sent again): S7 left the partition's sequence unresolved, and S8"
          " bumps the epoch once nothing is in flight unless everything stamped was acknowledged");
    }
    return Deviation{std::move(rule), i, e.number, partition, std::move(detail)};
  }

  std::optional<Deviation> judge(std::size_t i, const TraceEvent& e, const BatchTrace& b, ModelBatch*& sent) {
    std::set<std::uint64_t> owners;
    RecordKey shared{};
    bool any_new = false;
    for (const RecordKey& k : keys_of(b.records)) {
      if (const auto it = owner_.find(k); it != owner_.end()) {
        if (owners.empty()) shared = k;
        owners.insert(it->second);
      } else {
        any_new = true;
      }
    }
    if (owners.empty()) return new_batch(i, e, b, sent);
    ModelBatch& first = *batch(owner_.at(shared));
    if (owners.size() == 1 && !any_new && first.records == b.records && first.partition == b.partition) {
      return retry(i, e, b, first, sent);
    }
    std::ostringstream d;
    if (first.records == b.records) {
      d << "records " << show(b.records) << " of the batch sent to partition " << first.partition
        << " now go to partition " << b.partition;
    } else {
      d << "batch " << show(b.records) << " carries A" << shared.first << ':' << shared.second
        << " of the earlier batch " << show(first.records)
        << ": the model resends a batch whole and never moves records to another";
    }
    return deviation("M1", i, e, b.partition, d.str());
  }

  // Batches of `partition` the client stamped in a request the front end never
  // read, filling [from, to) under `id` (model_replay.hpp).
  bool adopt_unread(std::size_t now, int partition, spec::PidEpoch id, std::int64_t from, std::int64_t to) {
    std::vector<std::pair<std::int64_t, const BatchKey*>> found;
    for (const auto& [key, seen] : ctx_->seen) {
      if (key.first != partition || seen.first <= now || by_records_.count(key) > 0) continue;
      if (seen.first_header.producer_id != id.producer_id || seen.first_header.epoch != id.epoch) continue;
      if (seen.first_header.first_sequence < from || seen.first_header.first_sequence >= to) continue;
      const auto keys = keys_of(key.second);
      if (std::any_of(keys.begin(), keys.end(), [&](const RecordKey& k) { return owner_.count(k) > 0; })) continue;
      found.emplace_back(seen.first_header.first_sequence, &key);
    }
    std::sort(found.begin(), found.end());
    std::int64_t next = from;
    std::vector<const BatchKey*> fill;
    for (const auto& [seq, key] : found) {
      if (seq != next) break;
      fill.push_back(key);
      next = spec::increment_sequence(next, ctx_->seen.at(*key).first_header.record_count);
    }
    if (next != to || fill.empty()) return false;
    for (const BatchKey* key : fill) {
      const spec::Batch& h = ctx_->seen.at(*key).first_header;
      const spec::BatchStamp s = sequencer_->stamp(partition, batches_.size() + 1, h.record_count);
      ModelBatch& m = add_batch(partition, key->second, s);
      m.attempt.unread = true;
      m.state = State::in_flight;
      fail(m, Error::network_exception, "its first attempt was in a request the front end never read");
    }
    return true;
  }

  std::vector<ModelBatch*> in_flight_of(int partition, const spec::SequencerState& st,
                                        bool (*pick)(const spec::BatchStamp&, const spec::SequencerState&)) {
    std::vector<ModelBatch*> out;
    const auto it = st.partitions.find(partition);
    if (it == st.partitions.end()) return out;
    for (const spec::BatchStamp& s : it->second.in_flight) {
      if (pick(s, st)) out.push_back(batch(s.batch_id));
    }
    return out;
  }

  static std::string list(const std::vector<ModelBatch*>& bs) {
    std::ostringstream o;
    for (std::size_t k = 0; k < bs.size(); ++k) o << (k ? "; " : "") << (bs[k] ? show(*bs[k]) : std::string("?"));
    return o.str();
  }

  std::optional<Deviation> new_batch(std::size_t i, const TraceEvent& e, const BatchTrace& b, ModelBatch*& sent) {
    const int p = b.partition;
    const spec::Batch& h = b.header;
    const spec::PidEpoch client{h.producer_id, h.epoch};
    bool adopted = false;
    for (;;) {
      // What S1 would give it, asked of a copy so that nothing is stamped before it may go.
      const spec::BatchStamp expected = sequencer_->clone()->stamp(p, batches_.size() + 1, h.record_count);
      if (!adopted && expected.stamp == client && h.first_sequence > expected.base_sequence &&
          adopt_unread(i, p, client, expected.base_sequence, h.first_sequence)) {
        adopted = true;
        continue;
      }
      const spec::SequencerState st = sequencer_->state();
      const auto part = st.partitions.find(p);
      // M2: sequences of this id and epoch below `next` were handed out already.
      if (part != st.partitions.end() && part->second.stamp == client && h.first_sequence < part->second.next_sequence) {
        std::ostringstream d;
        d << "new batch " << show(b.records) << " sent as " << show(h) << ", but the model gave seq "
          << h.first_sequence << " under that id and epoch already";
        for (const ModelBatch& m : batches_) {
          if (m.partition != p || m.stamp.stamp != client) continue;
          if (h.first_sequence < m.stamp.base_sequence ||
              h.first_sequence > spec::client_last_sequence(m.stamp)) continue;
          d << ", to " << show(m);
        }
        d << "; its next is " << part->second.next_sequence << " (" << show(expected)
          << "): the client took sequences back, and the broker will take this batch for a duplicate";
        return deviation("M2", i, e, p, d.str());
      }
      // M3: S0 / S2.
      if (!sequencer_->may_drain_new(p)) {
        std::vector<ModelBatch*> blockers;
        std::ostringstream d;
        d << "new batch " << show(b.records) << " sent as " << show(h) << ", which the model holds back: ";
        if (st.current.producer_id < 0) {
          d << "it has no producer id (S0: awaiting InitProducerId)";
        } else if (part != st.partitions.end() && part->second.unresolved) {
          blockers = in_flight_of(p, st, [](const spec::BatchStamp&, const spec::SequencerState&) { return true; });
          d << "the partition's sequence is unresolved up to " << *part->second.unresolved
            << " (S2: a retried batch expired; it waits until nothing is in flight";
          if (!blockers.empty()) d << ": " << list(blockers);
          d << ')';
        } else {
          blockers = in_flight_of(p, st, [](const spec::BatchStamp& s, const spec::SequencerState& q) {
            return s.stamp != q.current;
          });
          d << "batches under an earlier id or epoch are in flight (S2: a new epoch does not overtake them): "
            << list(blockers);
        }
        if (expire_if_abandoned(blockers, i)) continue;
        return deviation("M3", i, e, p, d.str());
      }
      // M4: a retry waits at the head of the partition's queue.
      std::vector<ModelBatch*> waiting;
      for (ModelBatch& m : batches_) {
        if (m.partition == p && m.state == State::awaiting_retry) waiting.push_back(&m);
      }
      if (!waiting.empty()) {
        if (expire_if_abandoned(waiting, i)) continue;
        std::ostringstream d;
        d << "new batch " << show(b.records) << " sent as " << show(h) << " before the retry of " << list(waiting)
          << ": the model puts a retried batch back at the head of its partition's queue and drains only the head";
        return deviation("M4", i, e, p, d.str());
      }
      // M5: S1.
      const spec::BatchStamp s = sequencer_->stamp(p, batches_.size() + 1, h.record_count);
      ModelBatch& m = add_batch(p, b.records, s);
      sent = &m;
      if (s.stamp != client || s.base_sequence != h.first_sequence) {
        std::ostringstream d;
        d << "new batch " << show(b.records) << " sent as " << show(h) << " where the model stamps it " << show(s);
        if (s.stamp != client) {
          d << " (the model's id and epoch for it differ";
          if (s.stamp.producer_id == client.producer_id && s.stamp.epoch > client.epoch) {
            d << ": the model bumped the epoch (S8), the client did not";
          }
          d << ')';
        } else if (h.first_sequence > s.base_sequence) {
          d << " (sequences " << s.base_sequence << ".." << h.first_sequence - 1
            << " belong to no batch the front end saw or will see)";
        }
        return deviation("M5", i, e, p, d.str());
      }
      return std::nullopt;
    }
  }

  std::optional<Deviation> retry(std::size_t i, const TraceEvent& e, const BatchTrace& b, ModelBatch& m,
                                 ModelBatch*& sent) {
    const int p = b.partition;
    const spec::Batch& h = b.header;
    if (m.state == State::in_flight) {
      // Nothing answered the last attempt: the client resends only after its timeout or a break.
      fail(m, Error::network_exception, "its last attempt's answer never reached the client");
    }
    if (m.state == State::acknowledged || m.state == State::failed || m.state == State::expired) {
      std::ostringstream d;
      d << "batch " << show(b.records) << " sent again as " << show(h) << " after the model finished it: "
        << show(m);
      return deviation("M8", i, e, p, d.str());
    }
    for (;;) {
      if (!sequencer_->may_drain_retry(p, m.stamp)) {
        const spec::SequencerState st = sequencer_->state();
        std::vector<ModelBatch*> lower;
        if (const auto part = st.partitions.find(p); part != st.partitions.end()) {
          for (const spec::BatchStamp& s : part->second.in_flight) {
            if (s.batch_id == m.id) break;
            lower.push_back(batch(s.batch_id));
          }
        }
        if (expire_if_abandoned(lower, i)) continue;
        std::ostringstream d;
        d << "retry of " << show(b.records) << " sent as " << show(h) << " while lower in flight: " << list(lower)
          << "; the model, like the Java client, resends only the lowest in-flight batch while retrying and waits"
          << " for its answer (S3); resending several in-flight batches at once is a design difference, not by"
          << " itself a loss";
        return deviation("M6", i, e, p, d.str());
      }
      break;
    }
    const bool restamped = m.stamp.reopened;  // the drain clears the mark
    m.stamp = sequencer_->on_drained(p, m.stamp);
    sent = &m;
    if (m.stamp.stamp.producer_id != h.producer_id || m.stamp.stamp.epoch != h.epoch ||
        m.stamp.base_sequence != h.first_sequence) {
      std::ostringstream d;
      d << "retry of " << show(b.records) << " sent as " << show(h) << " where the model resends it as "
        << show(m.stamp);
      if (restamped && m.stamp.stamp.producer_id == h.producer_id && m.stamp.stamp.epoch > h.epoch) {
        d << " (the model's epoch bump re-stamped it, S8; the client kept its old stamp)";
      } else if (restamped) {
        d << " (the model's epoch bump re-stamped it, S8)";
      } else {
        d << " (the model keeps a retry's stamp unless its own bump re-stamps it)";
      }
      return deviation("M7", i, e, p, d.str());
    }
    return std::nullopt;
  }

  const Context* ctx_;
  std::unique_ptr<spec::Sequencer> sequencer_ = spec::make_reference_sequencer();
  std::deque<ModelBatch> batches_;            // batch id = index + 1; a deque keeps references stable
  std::map<RecordKey, std::uint64_t> owner_;  // record -> the model batch that carries it
  std::map<BatchKey, std::uint64_t> by_records_;
  std::map<int, std::string> given_up_;       // per partition, the batches taken as given up
  bool have_id_ = false;
  bool fresh_id_ = false;  // the client's latest new id has not been used by the model yet
  bool stopped_ = false;   // records of unknown identity: no verdict from here on
};

}  // namespace

std::optional<Deviation> first_model_deviation(const frontend::Trace& trace) {
  const Context context(trace);
  Model model(context);
  // Answers that left but may not have reached the client before it wrote the next request.
  std::vector<const TraceEvent*> pending;
  auto flush = [&](Model& m, auto&& which) {
    std::vector<const TraceEvent*> rest;
    for (const TraceEvent* r : pending) {
      if (which(*r)) {
        m.on_response(*r);
      } else {
        rest.push_back(r);
      }
    }
    return rest;
  };
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const TraceEvent& e = trace[i];
    switch (e.kind) {
      case TraceKind::producer_id:
        // The client asked for it after what it had read; a bump pending must be seen first.
        pending = flush(model, [](const TraceEvent&) { return true; });
        model.on_producer_id(e.value);
        break;
      case TraceKind::response: pending.push_back(&e); break;
      case TraceKind::disconnected:
        // Answers go out in order on a connection, so those it carried came first.
        pending = flush(model, [&](const TraceEvent& r) { return r.connection == e.connection; });
        model.on_disconnected(e);
        break;
      case TraceKind::produce: {
        // An answer that left in an earlier millisecond than this request was read reached the
        // client first; one of the same millisecond may not have (the client pipelines). A
        // request that waited behind a held answer was written before that answer left.
        const auto q = context.queued.find(e.number);
        const std::int64_t written_by = q == context.queued.end() ? e.ms : q->second;
        pending = flush(model, [&](const TraceEvent& r) { return r.ms < written_by; });
        if (pending.empty()) {
          if (auto d = model.on_produce(i, e)) return d;
          if (model.stopped()) return std::nullopt;
          break;
        }
        Model without(model);
        auto d = without.on_produce(i, e);
        if (!d) {
          model = std::move(without);
        } else {
          // Judged again as a client that had read every answer that left: a deviation only if
          // the request fits neither.
          Model with(model);
          for (const TraceEvent* r : pending) with.on_response(*r);
          pending.clear();
          if (auto d2 = with.on_produce(i, e)) return d2;
          model = std::move(with);
        }
        if (model.stopped()) return std::nullopt;
        break;
      }
      default: break;
    }
  }
  return std::nullopt;
}

}  // namespace idemcheck::clients
