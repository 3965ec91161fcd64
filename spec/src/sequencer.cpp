// The reference sequencer (rules S1..S8 of sequencer.hpp, and the client
// variants' C1..C5 of client_rules.hpp), kept close to the shape of Kafka's
// client so that each rule can be checked against it.
#include "idemcheck/spec/sequencer.hpp"

#include <algorithm>
#include <ostream>
#include <utility>

namespace idemcheck::spec {

std::int64_t java_int(std::int64_t v) {
  // Two's-complement wrap to 32 bits, without relying on implementation-defined casts.
  const std::int64_t m = std::int64_t{1} << 32;
  std::int64_t r = ((v % m) + m) % m;
  return r >= (std::int64_t{1} << 31) ? r - m : r;
}

std::int64_t client_last_sequence(const BatchStamp& b) { return java_int(b.base_sequence + b.record_count - 1); }

std::int64_t increment_sequence(std::int64_t s, std::int64_t n) { return (s + n) % (kMaxSequence + 1); }

std::ostream& operator<<(std::ostream& os, const PidEpoch& p) {
  return os << "(pid " << p.producer_id << ", epoch " << p.epoch << ")";
}

std::ostream& operator<<(std::ostream& os, const BatchStamp& b) {
  os << "batch#" << b.batch_id << " " << b.stamp << " seq " << b.base_sequence << "+" << b.record_count;
  return b.reopened ? os << " reopened" : os;
}

std::ostream& operator<<(std::ostream& os, const SequencerState& s) {
  os << "current " << s.current << (s.epoch_bump_required ? ", bump required" : "");
  for (const auto& [p, st] : s.partitions) {
    os << "; p" << p << ": " << st.stamp << " next " << st.next_sequence << " acked " << st.last_acked_sequence;
    if (st.unresolved) os << " unresolved<" << *st.unresolved;
    os << " in-flight {";
    for (std::size_t i = 0; i < st.in_flight.size(); ++i) os << (i ? ", " : "") << st.in_flight[i].base_sequence;
    os << "}";
  }
  return os;
}

namespace {

bool by_stamp_then_sequence(const BatchStamp& a, const BatchStamp& b) {
  if (a.stamp != b.stamp) return a.stamp < b.stamp;
  return a.base_sequence < b.base_sequence;
}

class ReferenceSequencer final : public Sequencer {
 public:
  explicit ReferenceSequencer(ClientRules rules) : rules_(rules) {}

  std::string_view name() const override { return "spec"; }

  void set_producer_id(PidEpoch id) override { state_.current = id; }
  PidEpoch current() const override { return state_.current; }

  bool may_drain_new(int partition) const override {
    if (state_.current.producer_id < 0) return false;  // awaiting InitProducerId
    const PartitionSequenceState* p = find(partition);
    if (p == nullptr) return true;
    if (pre_kip_360()) return !p->unresolved.has_value();  // C5: no second id to wait for
    const bool stale = p->stamp != state_.current;
    if (stale && !p->in_flight.empty()) return false;  // S2: don't let a new epoch overtake old batches
    return !p->unresolved.has_value();                  // S2: wait until the sequence resolves
  }

  bool may_drain_retry(int partition, const BatchStamp& batch) const override {
    if (state_.current.producer_id < 0) return false;  // awaiting InitProducerId stops retries too
    const PartitionSequenceState* p = find(partition);
    const std::int64_t first = (p == nullptr || p->in_flight.empty()) ? kNoSequence : p->in_flight.front().base_sequence;
    if (pre_kip_360() && first == kNoSequence) return true;  // C5: firstInFlightSequence is NO_SEQUENCE
    return batch.base_sequence == first;  // S3
  }

  BatchStamp stamp(int partition, std::uint64_t batch_id, std::int64_t record_count) override {
    PartitionSequenceState& p = entry(partition);
    if (p.stamp != state_.current && p.in_flight.empty()) start_at_beginning(partition, state_.current);  // S1
    BatchStamp b{batch_id, state_.current, p.next_sequence, record_count, false};
    p.next_sequence = increment_sequence(p.next_sequence, record_count);
    p.in_flight.push_back(b);
    std::stable_sort(p.in_flight.begin(), p.in_flight.end(), by_stamp_then_sequence);
    return b;
  }

  BatchStamp on_drained(int partition, const BatchStamp& batch) override {
    // S3: a drain closes the batch (Kafka: ProducerBatch.close() sets reopened = false). The
    // in-flight copy is the current stamp; a batch not in flight comes back as given, closed.
    BatchStamp now = batch;
    if (const auto it = state_.partitions.find(partition); it != state_.partitions.end()) {
      bool found = false;
      for (BatchStamp& b : it->second.in_flight) {
        if (b.batch_id != batch.batch_id) continue;
        b.reopened = false;
        if (!found) now = b;
        found = true;
      }
    }
    now.reopened = false;
    return now;
  }

  void on_success(int partition, const BatchStamp& batch, std::int64_t base_offset) override {
    if (pre_kip_360() && batch.stamp != state_.current) return;  // C2: handleCompletedBatch ignores it
    PartitionSequenceState& p = entry(partition);
    const std::int64_t last = client_last_sequence(batch);
    if (last > p.last_acked_sequence) p.last_acked_sequence = last;  // S4: only moves up
    if (base_offset >= 0) p.last_acked_offset = std::max(p.last_acked_offset, base_offset + batch.record_count - 1);
    remove_in_flight(p, batch);
  }

  bool can_retry(int partition, const BatchStamp& batch, Error error) override {
    if (pre_kip_360()) return can_retry_2_4(partition, batch, error);
    if (error == Error::unknown_producer_id) {
      // 2.5.0 canRetry: the broker lost the producer's state; a batch re-stamped by the
      // bump that answer asked for is retried as is, any other asks for a bump and retries.
      if (!batch.reopened) request_bump(partition);
      return true;
    }
    if (error != Error::out_of_order_sequence_number) return retriable(error);
    const bool unresolved = has_unresolved(partition);
    if (!unresolved && (batch.reopened || !is_next_sequence(partition, batch.base_sequence))) {
      return true;  // S5: collateral of an earlier failure: retry as is
    }
    if (!unresolved || batch.base_sequence == *entry(partition).unresolved) request_bump(partition);
    return true;  // S5: the idempotent producer retries every OOSE
  }

  void on_failure(int partition, const BatchStamp& batch, Error error, bool adjust) override {
    if (pre_kip_360()) return on_failure_2_4(partition, batch, error, adjust);
    PartitionSequenceState& p = entry(partition);
    remove_in_flight(p, batch);
    const bool sequence_error = error == Error::out_of_order_sequence_number || error == Error::unknown_producer_id;
    if (rules_ == ClientRules::kafka_14034 && !sequence_error && adjust) {
      mark_unresolved(p, batch);  // #13796: wait for what is in flight instead of bumping now
      return;
    }
    if (sequence_error || adjust) request_bump(partition);  // S6
  }

  void on_expired(int partition, const BatchStamp& batch, bool in_retry) override {
    if (pre_kip_360() && batch.stamp != state_.current) return;  // C2: handleFailedBatch ignores it
    PartitionSequenceState& p = entry(partition);
    remove_in_flight(p, batch);
    if (in_retry) mark_unresolved(p, batch);  // S7
  }

  std::vector<Restamp> begin_send_loop() override {
    // S8, first half: resolve what can be resolved.
    for (auto& [partition, p] : state_.partitions) {
      if (!p.unresolved || !p.in_flight.empty()) continue;
      if (!is_next_sequence(partition, p.next_sequence)) {
        if (pre_kip_360()) {  // C1: shouldResetProducerStateAfterResolvingSequences
          reset_producer_id();
          return {};
        }
        request_bump(partition);
      }
      p.unresolved.reset();
    }
    // S8, second half: bump locally and re-stamp the partitions that asked.
    std::vector<Restamp> restamps;
    if (!state_.epoch_bump_required) return restamps;
    if (state_.current.epoch == 32'767) {
      state_.current = PidEpoch{};  // epoch exhausted: a new producer id is needed
    } else {
      state_.current.epoch += 1;
    }
    for (int partition : state_.partitions_to_rewrite) {
      for (const BatchStamp& b : start_at_beginning(partition, state_.current)) restamps.push_back(Restamp{partition, b});
      entry(partition).unresolved.reset();
    }
    state_.partitions_to_rewrite.clear();
    state_.epoch_bump_required = false;
    return restamps;
  }

  std::vector<Restamp> take_restamps() override { return std::exchange(restamps_, {}); }

  SequencerState state() const override { return state_; }
  std::unique_ptr<Sequencer> clone() const override { return std::make_unique<ReferenceSequencer>(*this); }

 private:
  bool pre_kip_360() const { return rules_ == ClientRules::java_2_4; }

  // C2, C3: TransactionManager.canRetry at 2.4.0, behind Sender.canRetry's
  // RetriableException test (a retriable error of an old-id batch fails it).
  bool can_retry_2_4(int partition, const BatchStamp& batch, Error error) {
    if (batch.stamp != state_.current) return false;
    if (error == Error::out_of_order_sequence_number) {
      return !has_unresolved(partition) && (batch.reopened || !is_next_sequence(partition, batch.base_sequence));
    }
    if (error == Error::unknown_producer_id) {
      if (batch.reopened) return true;
      if (entry(partition).last_acked_offset < kLogStartOffset) {
        // The log's head went: restart from 0. Under 2.4 every tracked batch has the current id
        // and epoch (a reset drops the rest), so "same id and epoch" is the current one.
        for (const BatchStamp& b : start_at_beginning(partition, state_.current)) restamps_.push_back(Restamp{partition, b});
        return true;
      }
      return false;
    }
    return retriable(error);
  }

  // C1, C2, C4: TransactionManager.handleFailedBatch at 2.4.0.
  void on_failure_2_4(int partition, const BatchStamp& batch, Error error, bool adjust) {
    if (batch.stamp != state_.current) return;
    if (error == Error::out_of_order_sequence_number || error == Error::unknown_producer_id) {
      reset_producer_id();
      return;
    }
    PartitionSequenceState& p = entry(partition);
    remove_in_flight(p, batch);
    if (!adjust || p.next_sequence - batch.record_count < 0) return;
    p.next_sequence -= batch.record_count;  // adjustSequencesDueToFailedBatch
    for (BatchStamp& b : p.in_flight) {
      if (b.base_sequence < batch.base_sequence || b.base_sequence - batch.record_count < 0) continue;
      b.base_sequence -= batch.record_count;
      b.reopened = true;
      restamps_.push_back(Restamp{partition, b});
    }
  }

  // C1: TransactionManager.resetProducerId. The world sees the id gone and sends InitProducerId.
  void reset_producer_id() {
    state_.current = PidEpoch{};
    state_.partitions.clear();
    state_.partitions_to_rewrite.clear();
    state_.epoch_bump_required = false;
  }

  static void mark_unresolved(PartitionSequenceState& p, const BatchStamp& batch) {
    const std::int64_t next = java_int(client_last_sequence(batch) + 1);
    p.unresolved = p.unresolved ? std::max(*p.unresolved, next) : next;
  }

  const PartitionSequenceState* find(int partition) const {
    const auto it = state_.partitions.find(partition);
    return it == state_.partitions.end() ? nullptr : &it->second;
  }

  PartitionSequenceState& entry(int partition) { return state_.partitions[partition]; }

  bool has_unresolved(int partition) const {
    const PartitionSequenceState* p = find(partition);
    return p != nullptr && p->unresolved.has_value();
  }

  // Kafka: sequence - lastAcked == 1, in int arithmetic.
  bool is_next_sequence(int partition, std::int64_t sequence) const {
    const PartitionSequenceState* p = find(partition);
    const std::int64_t last = p == nullptr ? -1 : p->last_acked_sequence;
    return java_int(sequence - last) == 1;
  }

  void request_bump(int partition) {
    state_.epoch_bump_required = true;
    auto& v = state_.partitions_to_rewrite;
    if (std::find(v.begin(), v.end(), partition) == v.end()) {
      v.push_back(partition);
      std::sort(v.begin(), v.end());
    }
  }

  static void remove_in_flight(PartitionSequenceState& p, const BatchStamp& batch) {
    std::erase_if(p.in_flight, [&](const BatchStamp& b) { return b.batch_id == batch.batch_id; });
  }

  // Kafka's startSequencesAtBeginning: every in-flight batch, in order, gets
  // the new id/epoch and sequences from 0; next follows them; nothing is acked.
  std::vector<BatchStamp> start_at_beginning(int partition, PidEpoch id) {
    PartitionSequenceState& p = entry(partition);
    std::int64_t sequence = 0;
    for (BatchStamp& b : p.in_flight) {
      b.stamp = id;
      b.base_sequence = sequence;
      b.reopened = true;
      sequence = increment_sequence(sequence, b.record_count);
    }
    std::stable_sort(p.in_flight.begin(), p.in_flight.end(), by_stamp_then_sequence);
    p.stamp = id;
    p.next_sequence = sequence;
    p.last_acked_sequence = -1;
    return p.in_flight;
  }

  // The broker's log start offset as the client reads it from an error answer: the world
  // never deletes records (client_rules.hpp, simplifications).
  static constexpr std::int64_t kLogStartOffset = 0;

  ClientRules rules_;
  SequencerState state_;
  std::vector<Restamp> restamps_;
};

}  // namespace

std::unique_ptr<Sequencer> make_reference_sequencer(ClientRules rules) { return std::make_unique<ReferenceSequencer>(rules); }

std::unique_ptr<Sequencer> make_reference_sequencer() { return make_reference_sequencer(ClientRules::java_2_5); }

}  // namespace idemcheck::spec
