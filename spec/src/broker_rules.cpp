// The broker variants' decision tables (see broker_rules.hpp): one function
// per family, each row marked with the name the banner gives it.
#include "idemcheck/spec/broker_rules.hpp"

#include <array>

#include "idemcheck/spec/partition_model.hpp"

namespace idemcheck::spec {

namespace {

constexpr std::int64_t kModulus = kMaxSequence + 1;  // 2^31

constexpr std::array kAll{BrokerRules::kafka_0_11, BrokerRules::kafka_1_0_0, BrokerRules::kafka_1_0_2,
                          BrokerRules::kafka_2_0_1, BrokerRules::kafka_2_4,   BrokerRules::kafka_2_5,
                          BrokerRules::kafka_4_5,   BrokerRules::kafka_19880, BrokerRules::redpanda,
                          BrokerRules::automq,      BrokerRules::kfake};

SequenceDecision write(std::string_view rule) { return SequenceDecision{SequenceDecision::Kind::write, Error::none, 0, false, rule}; }
SequenceDecision reject(Error e, std::string_view rule) {
  return SequenceDecision{SequenceDecision::Kind::reject, e, 0, false, rule};
}
SequenceDecision duplicate(std::size_t i, std::string_view rule) {
  return SequenceDecision{SequenceDecision::Kind::duplicate, Error::none, i, false, rule};
}

// The cached batch equal to (f, l), if any.
std::optional<std::size_t> find_exact(const EntryView& entry, std::int64_t f, std::int64_t l) {
  for (std::size_t i = 0; i < entry.batches.size(); ++i) {
    if (entry.batches[i].first_sequence == f && entry.batches[i].last_sequence == l) return i;
  }
  return std::nullopt;
}

// f continues the newest cached batch (wrapping at 2^31 - 1 -> 0).
bool follows(const EntryView& entry, std::int64_t f) {
  return !entry.batches.empty() && f == next_sequence(entry.batches.back().last_sequence);
}

SequenceDecision kafka(BrokerRules v, const EntryView& entry, const Batch& b, const PartitionFacts& facts) {
  const std::int64_t e = b.epoch, f = b.first_sequence, l = last_sequence(f, b.record_count);
  const std::int64_t E = entry.exists ? entry.epoch : kNoEpoch;
  if (entry.exists && e == E) {
    if (const auto i = find_exact(entry, f, l)) return duplicate(*i, "K1");
    if (v == BrokerRules::kafka_1_0_0 && !entry.batches.empty()) {
      const std::int64_t oldest = entry.batches.front().first_sequence;
      if (l != 0 && oldest != kMaxSequence && l < oldest) return reject(Error::duplicate_sequence_number, "K2");
    }
  }
  // Without an entry E is -1 (Kafka's empty entry), so only an epoch below -1 fails here.
  if (e < E) return reject(Error::invalid_producer_epoch, "K3");
  // No producer state: no entry, or one of epoch -1 (Kafka's NO_PRODUCER_EPOCH), which a batch with an
  // epoch meets as if there were none.
  if (!entry.exists || (E == kNoEpoch && e != E)) {
    if (f == 0) return write("K5");
    switch (v) {
      case BrokerRules::kafka_0_11: return reject(Error::out_of_order_sequence_number, "K4");
      case BrokerRules::kafka_2_5: return write("K4");
      case BrokerRules::kafka_4_5:
        return facts.ever_held_record ? write("K4") : reject(Error::out_of_order_sequence_number, "K4");
      default: return reject(Error::unknown_producer_id, "K4");  // 1.0.0 to 2.4, 19880
    }
  }
  if (e > E) return f == 0 ? write("K7") : reject(Error::out_of_order_sequence_number, "K6");
  if (E == kNoEpoch) return write("K0");
  if (entry.batches.empty()) {
    if (f == 0) return write("K9");
    const bool upid = v == BrokerRules::kafka_2_0_1 || v == BrokerRules::kafka_2_4;
    return reject(upid ? Error::unknown_producer_id : Error::out_of_order_sequence_number, "K8");
  }
  if (follows(entry, f)) return write("K9");
  return reject(Error::out_of_order_sequence_number, "K10");
}

SequenceDecision redpanda(const EntryView& entry, const Batch& b) {
  const std::int64_t f = b.first_sequence, l = last_sequence(f, b.record_count);
  if (f > l) return reject(Error::invalid_request, "P0");
  if (!entry.exists) return write(f == 0 ? "P6" : "P2");
  const bool new_epoch = b.epoch > entry.epoch;
  // P1: a higher epoch empties the request lists before the other rows.
  const EntryView none{true, b.epoch, {}, false};
  const EntryView& judged = new_epoch ? none : entry;
  if (const auto i = find_exact(judged, f, l)) return duplicate(*i, "P4");
  const bool lower = b.epoch < entry.epoch;  // P8: no epoch check
  if ((judged.batches.empty() && f == 0) || follows(judged, f)) {
    SequenceDecision d = write(new_epoch ? "P1" : lower ? "P8" : "P6");
    d.keep_entry_epoch = lower;
    return d;
  }
  return reject(Error::out_of_order_sequence_number, new_epoch ? "P1" : lower ? "P8" : "P7");
}

// Is x within the 2^31-modular range [from, to]?
bool within(std::int64_t x, std::int64_t from, std::int64_t to) {
  return ((x - from + kModulus) % kModulus) <= ((to - from + kModulus) % kModulus);
}

constexpr std::int64_t kAutomqTooOldSpan = 65'536;
constexpr std::int64_t kAutomqAwaitSeqZeroMs = 120'000;

SequenceDecision automq(const EntryView& entry, const Batch& b, const PartitionFacts& facts) {
  const std::int64_t f = b.first_sequence, l = last_sequence(f, b.record_count);
  if (entry.exists && b.epoch == entry.epoch) {
    if (const auto i = find_exact(entry, f, l)) return duplicate(*i, "A1");
    if (!entry.batches.empty()) {
      const CachedBatch& front = entry.batches.front();
      if (entry.front_recovered && within(f, front.first_sequence, front.last_sequence) &&
          within(l, f, front.last_sequence)) {
        return reject(Error::duplicate_sequence_number, "A2");
      }
      const std::int64_t lo = (front.first_sequence - kAutomqTooOldSpan + kModulus) % kModulus;
      const std::int64_t hi = (front.first_sequence - 1 + kModulus) % kModulus;
      if (within(l, lo, hi)) return reject(Error::duplicate_sequence_number, "A3");
    }
  }
  if (entry.batches.empty() && f != 0 && facts.ms_since_log_open < kAutomqAwaitSeqZeroMs) {
    return reject(Error::out_of_order_sequence_number, "A4");
  }
  return kafka(BrokerRules::kafka_2_5, entry, b, facts);
}

SequenceDecision kfake(const EntryView& entry, const Batch& b) {
  const std::int64_t f = b.first_sequence, n = b.record_count;
  if (entry.exists && b.epoch < entry.epoch) return reject(Error::invalid_producer_epoch, "F1");
  if (!entry.exists || entry.batches.empty()) return write("F2");
  if (b.epoch != entry.epoch) return f == 0 ? write("F4") : reject(Error::out_of_order_sequence_number, "F3");
  // kfake stores (first, next) with next = (first + n) mod (2^31 - 1).
  constexpr std::int64_t kMaxInt32 = kMaxSequence;
  auto next_of = [&](const CachedBatch& c) {
    const std::int64_t count = (c.last_sequence - c.first_sequence + kModulus) % kModulus + 1;
    return (c.first_sequence + count) % kMaxInt32;
  };
  const std::int64_t next = (f + n) % kMaxInt32;
  for (std::size_t i = 0; i < entry.batches.size(); ++i) {
    if (entry.batches[i].first_sequence == f && next_of(entry.batches[i]) == next) return duplicate(i, "F5");
  }
  if (f == next_of(entry.batches.back())) return write("F6");
  return reject(Error::out_of_order_sequence_number, "F7");
}

}  // namespace

std::span<const BrokerRules> all_broker_rules() { return kAll; }

std::string_view name(BrokerRules r) {
  switch (r) {
    case BrokerRules::kafka_0_11: return "kafka-0.11";
    case BrokerRules::kafka_1_0_0: return "kafka-1.0.0";
    case BrokerRules::kafka_1_0_2: return "kafka-1.0.2";
    case BrokerRules::kafka_2_0_1: return "kafka-2.0.1";
    case BrokerRules::kafka_2_4: return "kafka-2.4";
    case BrokerRules::kafka_2_5: return "kafka-2.5";
    case BrokerRules::kafka_4_5: return "kafka-4.5";
    case BrokerRules::kafka_19880: return "kafka-19880";
    case BrokerRules::redpanda: return "redpanda";
    case BrokerRules::automq: return "automq";
    case BrokerRules::kfake: return "kfake";
  }
  return "?";
}

bool parse_broker_rules(std::string_view text, BrokerRules& out) {
  if (text == "kafka-4.4") {
    out = BrokerRules::kafka_2_5;
    return true;
  }
  for (BrokerRules r : kAll) {
    if (name(r) == text) {
      out = r;
      return true;
    }
  }
  return false;
}

std::ostream& operator<<(std::ostream& os, BrokerRules r) { return os << name(r); }

int effective_window(BrokerRules r, int configured) { return r == BrokerRules::kafka_0_11 ? 1 : configured; }

std::ostream& operator<<(std::ostream& os, const SequenceDecision& d) {
  os << d.rule << ": ";
  switch (d.kind) {
    case SequenceDecision::Kind::write: os << "write"; break;
    case SequenceDecision::Kind::duplicate: os << "duplicate of cached batch " << d.cached; break;
    case SequenceDecision::Kind::reject: os << d.error; break;
  }
  if (d.keep_entry_epoch) os << " (entry keeps its epoch)";
  return os;
}

SequenceDecision decide(BrokerRules rules, const EntryView& entry, const Batch& batch, const PartitionFacts& facts) {
  switch (rules) {
    case BrokerRules::redpanda: return redpanda(entry, batch);
    case BrokerRules::automq: return automq(entry, batch, facts);
    case BrokerRules::kfake: return kfake(entry, batch);
    default: return kafka(rules, entry, batch, facts);
  }
}

}  // namespace idemcheck::spec
