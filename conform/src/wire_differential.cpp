#include "idemcheck/conform/wire_differential.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <thread>
#include <utility>

#include "idemcheck/shrinkers/op_list_shrinker.hpp"
#include "idemcheck/spec/broker_partition.hpp"

namespace idemcheck::conform {

namespace {

using K = WireOp::Kind;
namespace ec = wire::error_code;

constexpr std::int32_t kMaxEpoch = 32'767;
constexpr int kMaxLostInARow = 3;       // connections lost in a row without an answer before giving up
constexpr int kInitAttempts = 6;        // InitProducerId requests per new producer id

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Whether `code` is a value of spec::Error (W2).
bool in_spec_vocabulary(std::int16_t code) {
  switch (static_cast<spec::Error>(code)) {
    case spec::Error::none:
    case spec::Error::request_timed_out:
    case spec::Error::not_leader_or_follower:
    case spec::Error::network_exception:
    case spec::Error::not_enough_replicas:
    case spec::Error::not_enough_replicas_after_append:
    case spec::Error::invalid_request:
    case spec::Error::out_of_order_sequence_number:
    case spec::Error::duplicate_sequence_number:
    case spec::Error::invalid_producer_epoch:
    case spec::Error::unknown_producer_id:
    case spec::Error::invalid_record: return true;
    default: return false;
  }
}

std::string describe(const spec::Batch& b) {
  const std::string records = std::to_string(b.record_count) + (b.record_count == 1 ? " record" : " records");
  if (b.producer_id < 0) return "Produce without producer id (" + records + ")";
  return "Produce pid " + std::to_string(b.producer_id) + " epoch " + std::to_string(b.epoch) + " seq " +
         std::to_string(b.first_sequence) + ".." + std::to_string(spec::last_sequence(b.first_sequence, b.record_count)) +
         " (" + records + ")";
}

std::string describe(const ProduceAnswer& a) {
  if (a.error_code == ec::none) return "NONE @" + std::to_string(a.base_offset);
  std::string s = kafka_error_name(a.error_code);
  if (!in_spec_vocabulary(a.error_code)) s += " (code " + std::to_string(a.error_code) + ")";
  return s;
}

// What the harness remembers of one producer slot (W7).
struct Slot {
  std::int64_t producer_id = -1;  // -1: not started
  std::int32_t epoch = 0;
  std::int64_t next_sequence = 0;
  std::vector<spec::Batch> record;  // batches answered NONE or of unknown fate, once each, oldest first
};

// One way the lost answers so far may have gone (W5).
struct Branch {
  std::unique_ptr<spec::BrokerPartition> spec;
  std::optional<std::int64_t> delta;  // broker offset - spec offset, once a NONE answer fixed it
  std::string label;                  // which lost batches it took as written ("" for the only branch)
};

}  // namespace

std::string_view name(DivergenceKind k) {
  switch (k) {
    case DivergenceKind::error_code: return "error code";
    case DivergenceKind::unknown_error_code: return "unknown error code";
    case DivergenceKind::base_offset: return "base offset";
  }
  return "unknown";
}

std::string signature(const Divergence& d) {
  std::string spec = kafka_error_name(d.spec_error);
  if (d.spec_error == 0) spec += d.spec_duplicate ? " (duplicate)" : " (written)";
  std::string broker = kafka_error_name(d.broker_error);
  if (!in_spec_vocabulary(d.broker_error)) broker += " (code " + std::to_string(d.broker_error) + ")";
  return std::string(name(d.kind)) + ": spec " + spec + " vs broker " + broker;
}

void RunStats::merge(const RunStats& o) {
  runs += o.runs;
  ops += o.ops;
  produce_requests += o.produce_requests;
  init_producer_id_requests += o.init_producer_id_requests;
  lost_answers += o.lost_answers;
  unknown_fate += o.unknown_fate;
  not_written += o.not_written;
  reconnects += o.reconnects;
  bump_fallbacks += o.bump_fallbacks;
  reused_producer_ids += o.reused_producer_ids;
  max_branches = std::max(max_branches, o.max_branches);
}

// ---------------------------------------------------------------- the session

namespace {

// What outlives a run: the connection, the leader, the producer ids used.
struct Session {
  WireTarget target;
  spec::BrokerConfig broker;
  std::optional<KafkaConnection> conn;
  std::optional<Endpoint> leader;
  std::set<std::int64_t> used_producer_ids;

  // The leader of partition 0, asked of the bootstrap brokers; the connection
  // used for the question stays open when it is the leader's.
  Endpoint find_leader() {
    std::string failures;
    std::optional<KafkaConnection> c;
    for (const Endpoint& e : target.bootstrap) {
      try {
        c.emplace(e, target.timeout_ms, target.client_id);
        break;
      } catch (const ConformError& err) {
        failures += std::string(failures.empty() ? "" : "; ") + err.what();
      }
    }
    if (!c) throw ConformError("no bootstrap broker answers: " + failures);
    const auto patience = std::chrono::milliseconds(std::max(0, target.metadata_patience_ms));
    const auto deadline = std::chrono::steady_clock::now() + patience;
    std::string last;
    while (true) {
      wire::MetadataRequest req;
      req.topics = std::vector<std::string>{target.topic};
      req.allow_auto_topic_creation = true;
      wire::MetadataResponse resp;
      try {
        resp = c->metadata(req);
      } catch (const ConnectionLost& e) {
        throw ConformError(std::string(e.what()) + " (asking Metadata for topic '" + target.topic + "')");
      }
      last = "no entry for the topic in the answer";
      for (const auto& t : resp.topics) {
        if (t.name != target.topic) continue;
        if (t.error_code != ec::none) {
          last = kafka_error_name(t.error_code);
          break;
        }
        last = "no partition 0";
        for (const auto& p : t.partitions) {
          if (p.partition_index != 0) continue;
          if (p.error_code != ec::none && p.leader_id < 0) {
            last = "partition 0: " + kafka_error_name(p.error_code);
            break;
          }
          if (p.leader_id < 0) {
            last = "partition 0 has no leader";
            break;
          }
          for (const auto& b : resp.brokers) {
            if (b.node_id != p.leader_id) continue;
            Endpoint found{b.host, b.port};
            if (found == c->endpoint()) conn.emplace(std::move(*c));
            return found;
          }
          last = "partition 0's leader " + std::to_string(p.leader_id) + " is not among the brokers listed";
        }
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        throw ConformError("topic '" + target.topic + "' on " + to_string(c->endpoint()) + ": " + last + " after " +
                           std::to_string(patience.count()) +
                           " ms of Metadata requests (does the topic exist, or may the broker create it?)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // An open connection to the leader (W1); a new one after a drop.
  KafkaConnection& connection() {
    if (conn && conn->is_open()) return *conn;
    conn.reset();
    if (!leader) leader = find_leader();
    if (!conn) conn.emplace(*leader, target.timeout_ms, target.client_id);
    return *conn;
  }
};

}  // namespace

struct WireDifferential::Impl : Session {};

WireDifferential::WireDifferential(WireTarget target, spec::BrokerConfig broker) : impl_(std::make_unique<Impl>()) {
  if (target.bootstrap.empty()) throw ConformError("no bootstrap broker given");
  if (target.topic.empty()) throw ConformError("no topic given");
  impl_->target = std::move(target);
  impl_->broker = broker;
  (void)impl_->connection();
}

WireDifferential::~WireDifferential() = default;

Endpoint WireDifferential::leader() const { return impl_->leader.value_or(Endpoint{}); }
ChosenVersions WireDifferential::versions() const { return impl_->conn ? impl_->conn->versions() : ChosenVersions{}; }
const WireTarget& WireDifferential::target() const { return impl_->target; }
const spec::BrokerConfig& WireDifferential::broker_config() const { return impl_->broker; }

// ---------------------------------------------------------------- one run

namespace {

class Runner {
 public:
  Runner(Session& session, const std::vector<WireOp>& ops) : s_(session), ops_(ops) {
    Branch b;
    b.spec = spec::make_reference_partition(s_.broker);
    branches_.push_back(std::move(b));
    result_.stats.runs = 1;
  }

  RunResult run() {
    for (std::size_t i = 0; i < ops_.size() && !stopped(); ++i) {
      step_ = i;
      ++result_.stats.ops;
      execute(ops_[i]);
    }
    return std::move(result_);
  }

 private:
  bool stopped() const { return result_.divergence.has_value() || result_.inconclusive.has_value(); }

  Slot& started(int p) {
    Slot& slot = slots_[static_cast<std::size_t>(p)];
    if (slot.producer_id < 0) init_producer(p, 0, false);
    return slot;
  }

  spec::Batch batch(const Slot& slot, std::int32_t epoch, std::int64_t first, std::int64_t records) const {
    return spec::Batch{slot.producer_id, epoch, first, records, wall_ms()};
  }

  // ------------------------------------------------------------ InitProducerId (W6)

  void init_producer(int p, std::int64_t mode, bool bump) {
    Slot& slot = slots_[static_cast<std::size_t>(p)];
    bool try_bump = bump && slot.producer_id >= 0;
    if (try_bump && s_.connection().versions().init_producer_id < 3) {
      try_bump = false;
      ++result_.stats.bump_fallbacks;
    }
    int lost_in_a_row = 0;
    for (int attempt = 0; attempt < kInitAttempts; ++attempt) {
      KafkaConnection& c = s_.connection();
      wire::InitProducerIdRequest req;
      req.transaction_timeout_ms = 60'000;
      if (try_bump) {
        req.producer_id = slot.producer_id;
        req.producer_epoch = static_cast<std::int16_t>(slot.epoch);
      }
      Exchange ex;
      ex.op = step_;
      ex.request = "InitProducerId v" + std::to_string(c.versions().init_producer_id) +
                   (try_bump ? " (bump pid " + std::to_string(slot.producer_id) + " epoch " + std::to_string(slot.epoch) + ")"
                             : std::string(" (new id)"));
      ++result_.stats.init_producer_id_requests;
      wire::InitProducerIdResponse resp;
      try {
        resp = c.init_producer_id(req);
      } catch (const ConnectionLost& e) {
        ex.broker = std::string("lost: ") + e.what();
        result_.exchanges.push_back(std::move(ex));
        if (++lost_in_a_row >= kMaxLostInARow) throw ConformError(std::string("InitProducerId: ") + e.what());
        continue;
      }
      lost_in_a_row = 0;
      ex.broker = resp.error_code == ec::none
                      ? "pid " + std::to_string(resp.producer_id) + " epoch " + std::to_string(resp.producer_epoch)
                      : kafka_error_name(resp.error_code);
      result_.exchanges.push_back(std::move(ex));
      if (resp.error_code != ec::none) {
        if (try_bump) {
          try_bump = false;
          ++result_.stats.bump_fallbacks;
          continue;
        }
        const std::int16_t e = resp.error_code;
        if (e == 7 || e == 14 || e == 15 || e == 16 || e == 5) {  // retriable coordinator states
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          continue;
        }
        throw ConformError("InitProducerId (no transactional id) answered " + kafka_error_name(e) + " (code " +
                           std::to_string(e) + ")");
      }
      if (resp.producer_id < 0 || resp.producer_epoch < 0) {
        throw ConformError("InitProducerId answered NONE with producer id " + std::to_string(resp.producer_id) +
                           " epoch " + std::to_string(resp.producer_epoch));
      }
      if (try_bump && resp.producer_id == slot.producer_id) {
        // KIP-360: the same id at a new epoch starts at sequence 0.
        slot.epoch = resp.producer_epoch;
        slot.next_sequence = 0;
        return;
      }
      if (!s_.used_producer_ids.insert(resp.producer_id).second) {
        ++result_.stats.reused_producer_ids;
        continue;
      }
      slot = Slot{};
      slot.producer_id = resp.producer_id;
      slot.epoch = resp.producer_epoch;
      const std::int64_t k = started_++ % 4;
      switch (mode) {
        case 1:
          slot.next_sequence = 1000 + k;
          slot.epoch = std::min(kMaxEpoch, slot.epoch + 3);
          break;
        case 2: slot.next_sequence = spec::kMaxSequence - k; break;
        case 3:
          slot.next_sequence = spec::kMaxSequence - 2;
          slot.epoch = kMaxEpoch - 1;
          break;
        default: break;
      }
      return;
    }
    throw ConformError("no usable producer id after " + std::to_string(kInitAttempts) + " InitProducerId requests");
  }

  // ------------------------------------------------------------ branches (W5)

  void fork(const spec::Batch& b, const std::string& why) {
    std::vector<Branch> added;
    for (Branch& br : branches_) {
      auto copy = br.spec->clone();
      const spec::AppendOutcome o = copy->append(b);
      if (o.error != spec::Error::none || o.duplicate) continue;  // the spec would not write it: one branch
      Branch with{std::move(copy), br.delta, br.label};
      with.label += std::string(with.label.empty() ? "" : ", ") + why + " written";
      br.label += std::string(br.label.empty() ? "" : ", ") + why + " not written";
      added.push_back(std::move(with));
    }
    // The written branch first: a broker that saw the bytes before the close usually handled them.
    std::vector<Branch> next;
    next.reserve(branches_.size() + added.size());
    for (auto& a : added) next.push_back(std::move(a));
    for (auto& br : branches_) next.push_back(std::move(br));
    branches_ = std::move(next);
    lost_open_ = true;
    merge_branches();
  }

  void merge_branches() {
    if (branches_.size() == 1) {
      branches_.front().label.clear();  // one way left: nothing to tell apart
      return;
    }
    std::vector<Branch> kept;
    for (Branch& br : branches_) {
      const auto state = br.spec->producers();
      const auto end = br.spec->log_end_offset();
      const bool same = std::any_of(kept.begin(), kept.end(), [&](const Branch& k) {
        return k.delta == br.delta && k.spec->log_end_offset() == end && k.spec->producers() == state;
      });
      if (!same) kept.push_back(std::move(br));
    }
    branches_ = std::move(kept);
    if (branches_.size() == 1) branches_.front().label.clear();
    result_.stats.max_branches = std::max(result_.stats.max_branches, branches_.size());
    if (branches_.size() > kMaxBranches) {
      result_.inconclusive = "more than " + std::to_string(kMaxBranches) + " ways the lost answers up to op " +
                             std::to_string(step_) + " could have gone";
    }
  }

  // The spec's answer of one branch, in the broker's offsets where known.
  static std::string describe_branch(const Branch& br, const spec::AppendOutcome& o) {
    std::string s;
    if (!br.label.empty()) s += "[" + br.label + "] ";
    if (o.error != spec::Error::none) return s + std::string(spec::name(o.error));
    if (br.delta) {
      s += "NONE @" + std::to_string(o.first_offset + *br.delta);
    } else {
      s += "NONE (spec offset " + std::to_string(o.first_offset) + "; no broker offset seen yet)";
    }
    if (o.duplicate) s += " (duplicate: the original's offset)";
    return s;
  }

  // ------------------------------------------------------------ judging (W2..W5)

  // Record `b` as sent by its slot (W7).
  void record(const spec::Batch& b) {
    if (b.producer_id < 0) return;
    for (Slot& slot : slots_) {
      if (slot.producer_id != b.producer_id) continue;
      // The same batch (a retry is sent as it was first sent; timestamps aside) enters once.
      const auto same = [&](const spec::Batch& r) {
        return r.epoch == b.epoch && r.first_sequence == b.first_sequence && r.record_count == b.record_count;
      };
      if (std::any_of(slot.record.begin(), slot.record.end(), same)) return;
      slot.record.push_back(b);
      slot.epoch = b.epoch;
      slot.next_sequence = spec::next_sequence(spec::last_sequence(b.first_sequence, b.record_count));
      return;
    }
  }

  void unknown_fate(const spec::Batch& b, Exchange ex, const std::string& why, const std::string& broker) {
    ++result_.stats.unknown_fate;
    ex.broker = broker;
    ex.spec = "either (" + why + ")";
    result_.exchanges.push_back(std::move(ex));
    fork(b, "op " + std::to_string(step_) + "'s batch");
    record(b);
  }

  void judge(const spec::Batch& b, const ProduceAnswer& a, Exchange ex) {
    ex.broker = describe(a);
    const std::int16_t code = a.error_code;
    if (code == ec::not_leader_or_follower || code == ec::not_enough_replicas) {
      ++result_.stats.not_written;
      ex.spec = "not judged (answered before the append: nothing written)";
      result_.exchanges.push_back(std::move(ex));
      if (code == ec::not_leader_or_follower) {
        s_.leader.reset();
        if (s_.conn) s_.conn->drop();
      }
      return;
    }
    if (code == ec::request_timed_out || code == ec::not_enough_replicas_after_append) {
      unknown_fate(b, std::move(ex), "answered after the leader's append", describe(a));
      return;
    }
    std::vector<Branch> survivors;
    std::string spec_text;
    std::optional<spec::AppendOutcome> first;
    for (Branch& br : branches_) {
      const spec::AppendOutcome o = br.spec->append(b);
      spec_text += std::string(spec_text.empty() ? "" : " | ") + describe_branch(br, o);
      if (!first) first = o;
      bool ok = static_cast<std::int16_t>(o.error) == code;
      if (ok && code == ec::none) {
        if (br.delta) {
          ok = a.base_offset == o.first_offset + *br.delta;
        } else {
          br.delta = a.base_offset - o.first_offset;
        }
      }
      if (ok) survivors.push_back(std::move(br));
    }
    ex.spec = spec_text;
    if (survivors.empty()) {
      Divergence d;
      d.step = step_;
      d.operation = to_string(ops_[step_]);
      d.request = ex.request;
      d.spec_answer = spec_text;
      d.broker_answer = ex.broker;
      if (a.error_message && !a.error_message->empty()) d.broker_answer += " (message: " + *a.error_message + ")";
      d.spec_error = static_cast<std::int16_t>(first->error);
      d.spec_duplicate = first->duplicate;
      d.broker_error = code;
      d.after_lost_answer = lost_open_;
      if (!in_spec_vocabulary(code)) {
        d.kind = DivergenceKind::unknown_error_code;
      } else if (d.spec_error != code) {
        d.kind = DivergenceKind::error_code;
      } else {
        d.kind = DivergenceKind::base_offset;
      }
      result_.exchanges.push_back(std::move(ex));
      result_.divergence = std::move(d);
      return;
    }
    result_.exchanges.push_back(std::move(ex));
    branches_ = std::move(survivors);
    merge_branches();
    if (code == ec::none) record(b);
  }

  // ------------------------------------------------------------ sending

  void connection_lost(const ConnectionLost& e) {
    if (++lost_in_a_row_ >= kMaxLostInARow) {
      throw ConformError("the broker broke the connection " + std::to_string(lost_in_a_row_) +
                         " times in a row without answering; last: " + e.what());
    }
  }

  // Send `batches` back to back on one connection, then read their answers in order (W1).
  void produce(const std::vector<spec::Batch>& batches) {
    KafkaConnection& c = s_.connection();
    std::vector<std::int32_t> ids;
    std::vector<Exchange> exchanges;
    std::optional<ConnectionLost> broken;
    for (const spec::Batch& b : batches) {
      Exchange ex;
      ex.op = step_;
      ex.request = describe(b);
      ++result_.stats.produce_requests;
      try {
        ids.push_back(c.send_produce(make_produce_request(s_.target.topic, b, b.max_timestamp)));
        exchanges.push_back(std::move(ex));
      } catch (const ConnectionLost& e) {
        broken = e;  // this request may be partly out: unknown fate; the later ones were never sent
        ids.push_back(-1);
        exchanges.push_back(std::move(ex));
        break;
      }
    }
    for (std::size_t i = 0; i < ids.size() && !stopped(); ++i) {
      const spec::Batch& b = batches[i];
      if (broken) {
        unknown_fate(b, std::move(exchanges[i]), "the connection broke", std::string("lost: ") + broken->what());
        continue;
      }
      wire::ProduceResponse resp;
      try {
        resp = c.receive_produce(ids[i]);
      } catch (const ConnectionLost& e) {
        broken = e;
        unknown_fate(b, std::move(exchanges[i]), "the connection broke", std::string("lost: ") + e.what());
        continue;
      }
      lost_in_a_row_ = 0;
      const auto a = find_partition_answer(resp, s_.target.topic);
      if (!a) {
        throw ConformError(to_string(c.endpoint()) + ": malformed Produce answer: no entry for partition 0 of '" +
                           s_.target.topic + "'");
      }
      judge(b, *a, std::move(exchanges[i]));
    }
    if (broken) connection_lost(*broken);
  }

  // Send the slot's next batch and close the connection unread (W5).
  void lose(const spec::Batch& b) {
    ++result_.stats.lost_answers;
    ++result_.stats.produce_requests;
    Exchange ex;
    ex.op = step_;
    ex.request = describe(b);
    KafkaConnection& c = s_.connection();
    try {
      (void)c.send_produce(make_produce_request(s_.target.topic, b, b.max_timestamp));
    } catch (const ConnectionLost& e) {
      connection_lost(e);
    }
    c.drop();
    ex.broker = "not read (connection closed)";
    ex.spec = "either (answer dropped)";
    result_.exchanges.push_back(std::move(ex));
    fork(b, "op " + std::to_string(step_) + "'s lost batch");
    record(b);
    reconnect(false);
  }

  void reconnect(bool count) {
    if (s_.conn) s_.conn->drop();
    if (count) ++result_.stats.reconnects;
    (void)s_.connection();  // connect and the ApiVersions round trip now (S2)
  }

  void execute(const WireOp& op) {
    switch (op.kind) {
      case K::append_next: {
        Slot& slot = started(op.producer);
        produce({batch(slot, slot.epoch, slot.next_sequence, op.records)});
        break;
      }
      case K::retry_recent:
      case K::retry_evicted:
      case K::partial_overlap: {
        Slot& slot = started(op.producer);
        const std::int64_t back = op.kind == K::retry_evicted ? s_.broker.window + op.arg : op.arg;
        if (back < 1 || static_cast<std::int64_t>(slot.record.size()) < back) {
          produce({batch(slot, slot.epoch, slot.next_sequence, op.records)});  // nothing that old: a plain append
          break;
        }
        spec::Batch b = slot.record[slot.record.size() - static_cast<std::size_t>(back)];
        if (op.kind == K::partial_overlap) {
          b.record_count = b.record_count > 1 && op.records % 2 == 0 ? b.record_count - 1 : b.record_count + 1;
        }
        if (op.kind == K::partial_overlap) b.max_timestamp = wall_ms();  // a new batch; a retry is sent as it was
        produce({b});
        break;
      }
      case K::gap: {
        Slot& slot = started(op.producer);
        produce({batch(slot, slot.epoch, (slot.next_sequence + op.arg) % (spec::kMaxSequence + 1), op.records)});
        break;
      }
      case K::bump_epoch:
      case K::bump_epoch_nonzero: {
        Slot& slot = started(op.producer);
        const std::int32_t e = std::min(kMaxEpoch, slot.epoch + 1);
        produce({batch(slot, e, op.kind == K::bump_epoch ? 0 : slot.next_sequence, op.records)});
        break;
      }
      case K::stale_epoch: {
        Slot& slot = started(op.producer);
        produce({batch(slot, slot.epoch - 1, slot.next_sequence, op.records)});
        break;
      }
      case K::new_producer:
      case K::init_bump: {
        if (op.kind == K::init_bump) {
          (void)started(op.producer);
          init_producer(op.producer, 0, true);
        } else {
          init_producer(op.producer, op.arg, false);
        }
        Slot& slot = slots_[static_cast<std::size_t>(op.producer)];
        produce({batch(slot, slot.epoch, slot.next_sequence, op.records)});
        break;
      }
      case K::no_producer_id:
        produce({spec::Batch{spec::kNoProducerId, spec::kNoEpoch, spec::kNoSequence, op.records, wall_ms()}});
        break;
      case K::lose_answer: {
        Slot& slot = started(op.producer);
        lose(batch(slot, slot.epoch, slot.next_sequence, op.records));
        break;
      }
      case K::reconnect: reconnect(true); break;
      case K::pipeline: {
        Slot& slot = started(op.producer);
        std::vector<spec::Batch> batches;
        std::int64_t first = slot.next_sequence;
        for (std::int64_t i = 0; i < std::clamp<std::int64_t>(op.arg, 1, kMaxPipeline); ++i) {
          batches.push_back(batch(slot, slot.epoch, first, op.records));
          first = spec::next_sequence(spec::last_sequence(first, op.records));
        }
        produce(batches);
        break;
      }
    }
  }

  Session& s_;
  const std::vector<WireOp>& ops_;
  std::array<Slot, kWireSlots> slots_{};
  std::vector<Branch> branches_;
  RunResult result_;
  std::size_t step_ = 0;
  std::int64_t started_ = 0;  // producers started in this run
  bool lost_open_ = false;    // some answer of unknown fate came before (S2)
  int lost_in_a_row_ = 0;
};

}  // namespace

RunResult WireDifferential::run(const std::vector<WireOp>& ops) { return Runner(*impl_, ops).run(); }

// ---------------------------------------------------------------- shrinking and checks

ShrinkOutcome shrink(WireDifferential& d, const std::vector<WireOp>& failing, const Divergence& original,
                     std::size_t max_replays) {
  const std::string wanted = signature(original);
  ShrinkOutcome out;
  shrinkers::OpListShrinkStats stats;
  const std::function<shrinkers::OpListVerdict(const std::vector<WireOp>&)> still_fails =
      [&](const std::vector<WireOp>& ops) {
        const RunResult r = d.run(ops);
        if (!r.divergence || signature(*r.divergence) != wanted) return shrinkers::OpListVerdict{};
        return shrinkers::OpListVerdict{true, r.divergence->step};
      };
  const std::function<std::vector<WireOp>(const WireOp&)> simplify = [](const WireOp& op) { return simpler(op); };
  out.ops = shrinkers::shrink_op_list<WireOp>(failing, still_fails, simplify, stats, max_replays);
  out.budget_exhausted = stats.budget_exhausted;
  // Slots are interchangeable (a run numbers its producers in the order they
  // start, whatever their slots): renumbered in order of first use, the list
  // means the same and reads p0, p1, ... The shrinker's one-op-at-a-time slot
  // simplification cannot do that when several ops share a slot.
  {
    std::array<int, kWireSlots> to{};
    to.fill(-1);
    int next = 0;
    std::vector<WireOp> renamed = out.ops;
    for (WireOp& op : renamed) {
      if (!has_producer(op.kind)) continue;
      int& slot = to[static_cast<std::size_t>(op.producer)];
      if (slot < 0) slot = next++;
      op.producer = slot;
    }
    if (renamed != out.ops && !stats.budget_exhausted && still_fails(renamed).fails) out.ops = std::move(renamed);
    ++stats.candidates;
  }
  // The shrinker cuts a failing candidate after its failing step without running
  // the cut list: run the result itself (a few times, for a broker whose answers race).
  for (int attempt = 0; attempt < 3; ++attempt) {
    ++stats.candidates;
    RunResult r = d.run(out.ops);
    if (r.divergence && signature(*r.divergence) == wanted) {
      out.result = std::move(r);
      out.replays = stats.candidates;
      return out;
    }
  }
  out.reproduced = false;
  out.ops = failing;
  out.result = d.run(failing);
  out.replays = stats.candidates + 1;
  return out;
}

CheckResult check(WireDifferential& d, const CheckOptions& options) {
  using Clock = std::chrono::steady_clock;
  CheckResult result;
  std::map<std::string, std::size_t> seen;  // group -> index into failures
  const std::uint64_t first = options.only_run.value_or(0);
  const std::uint64_t last = options.only_run ? *options.only_run + 1 : options.runs;
  for (std::uint64_t run = first; run < last; ++run) {
    const std::vector<WireOp> ops = generate_ops(options.seed, run, std::max(1, options.max_ops));
    const auto start = Clock::now();
    RunResult r = d.run(ops);
    result.run_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    result.stats.merge(r.stats);
    if (r.inconclusive) ++result.inconclusive_runs;
    if (!r.divergence) continue;
    const std::string sig = signature(*r.divergence) + " at " + std::string(name(ops[r.divergence->step].kind));
    if (const auto it = seen.find(sig); it != seen.end()) {
      ++result.failures[it->second].occurrences;
      continue;
    }
    Failure f;
    f.group = sig;
    f.run = run;
    f.ops = ops;
    f.result = std::move(r);
    if (options.shrink) {
      const auto shrink_start = Clock::now();
      f.shrunk = shrink(d, f.ops, *f.result.divergence, options.max_shrink_replays);
      result.shrink_seconds += std::chrono::duration<double>(Clock::now() - shrink_start).count();
    }
    seen.emplace(sig, result.failures.size());
    result.failures.push_back(std::move(f));
    if (!options.keep_going) break;
  }
  return result;
}

}  // namespace idemcheck::conform
