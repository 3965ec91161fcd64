// idemcheck/spec/broker_rules.hpp
//
// THE BROKER'S SEQUENCE RULES, BY IMPLEMENTATION AND VERSION.
//
// What a broker answers to an idempotent producer's batch depends on which
// broker it is: Kafka changed the rules five times between 0.11 and 2.5,
// changes them again in 4.5, and Redpanda, AutoMQ and franz-go's kfake decide
// differently again. Each variant here is one decision table, evaluated top
// to bottom (the first matching row wins), over the broker's entry for the
// producer on the partition and the incoming batch. The reference model of a
// partition (partition_model.hpp) answers by the table its BrokerConfig
// names; the default, kafka-2.5, is the model the rest of the project checks.
//
// Notation (the rows below use it): E = entry epoch (-1: no entry), C = the
// cached batches, oldest first, L = last sequence of the newest cached batch
// (-1 if C is empty); the batch is (e, f, l) = (epoch, first, last sequence),
// l = f + count - 1 mod 2^31; H = the partition's log has held a record.
// "No entry" includes an entry of epoch -1 met by a batch with an epoch
// (Kafka's NO_PRODUCER_EPOCH: checkSequence skips the sequence check then).
// "dup" = success with the cached batch's offsets, nothing written.
//
// Kafka (ProducerStateManager.checkSequence / ProducerAppendInfo.checkSequence
// at each release tag; dedup in Log.analyzeAndValidateProducerState, later
// UnifiedLog; core/src/main/scala/kafka/log/ProducerStateManager.scala up to
// 3.x, storage/src/main/java/org/apache/kafka/storage/internals/log/
// ProducerAppendInfo.java after):
//   row                                        0.11  1.0.0 1.0.2 2.0.1  2.5   4.5     19880
//                                                          2.0.0 2.4
//   K1 e = E, (f,l) equals a batch in C        dup   dup   dup   dup    dup   dup     dup
//      (then K2..K7; after them:)
//   K0 e = E = -1, an entry written by batches without an epoch: write (the
//      reference model's degenerate case, kept in every Kafka variant)
//   K2 e = E, l != 0, oldest.f != MAX,         -     DUP   -     -      -     -       -
//      l < oldest.f ("too old")
//   K3 e < E                                   IPE   IPE   IPE   IPE    IPE   IPE     IPE
//   K4 no entry, f != 0                        OOSE  UPID  UPID  UPID   write OOSE/¬H UPID
//                                                                             write/H
//   K5 no entry, f = 0                         write (every version)
//   K6 e > E >= 0, f != 0                      OOSE (every version)
//   K7 e > E >= 0, f = 0                       write, C := {batch} (every version)
//   K8 e = E >= 0, C empty, f != 0             OOSE  OOSE  OOSE  UPID   OOSE  OOSE    OOSE
//   K9 e = E, f = L + 1 (or L = MAX, f = 0)    write (every version)
//   K10 otherwise (gap, overlap, too old)      OOSE (every version)
//   ("-": the row does not apply; "2.0.1" covers 2.0.1 to 2.3, "2.4" the same
//   rows with the entry kept past retention, "2.5" 2.5 to 4.4.) 0.11 caches
//   one batch per producer, the others five. 4.5 is KAFKA-15591 (apache/kafka
//   #23234); 19880 the open proposal KAFKA-19880 (#22619), whose rule for
//   K8 is not described and is taken as 2.5's. Sources per version: 0.11.0.0
//   ProducerStateManager.validateAppend (the unknown entry has epoch -1), Log
//   .isDuplicate (newest batch only); 1.0.0 checkSequence and isDuplicate
//   (KAFKA-5494, KAFKA-5793); 1.0.2 KAFKA-6683; 2.0.1 KAFKA-7298; 2.5.0
//   KAFKA-8710.
//
// Redpanda (current: src/v/cluster/producer_state.cc try_emplace_request and
// rm_stm.cc do_idempotent_replicate; finished requests only -- appends here
// are atomic, so a request is never in flight at the broker):
//   P0 f > l (a batch that wraps)              INVALID_REQUEST
//   P1 known, e > E                            the entry restarts with epoch e, then P4..
//   P2 not known, f != 0                       write (any f; PR #22687)
//   P4 (f,l) equals a finished request         dup (any epoch: no epoch check, P8)
//   P6 C empty and f = 0, or f = L + 1, or     write
//      L = MAX and f = 0
//   P7 otherwise                               OOSE
//   P8 e < E: no epoch check in the idempotent path; judged by P4..P7 against
//      the current epoch's requests, and the entry keeps epoch E.
//
// AutoMQ (storage/.../log/ProducerStateEntry.java, ProducerStateManager.java;
// before Kafka 2.5's rows, which apply otherwise):
//   A1 e = E, (f,l) equals a cached batch      dup
//   A2 e = E, the front cached batch was recovered from a snapshot, and
//      [f, l] lies within [front.f, front.l]   DUP
//   A3 e = E, C not empty, l in [front.f - 65536, front.f - 1] mod 2^31  DUP
//   A4 C empty (or no entry), f != 0, and less than 120 s since the broker
//      opened the log                          OOSE
//   then Kafka 2.5's rows. (AutoMQ's snapshot holds the whole window as one
//   range, the recovered batch A2 reads: partition_model.hpp.)
//
// kfake (franz-go pkg/kfake/00_produce.go, txns.go; commit adb3a18a):
//   F1 e < the producer's epoch                IPE (producer-wide in kfake;
//                                              per partition here, see below)
//   F2 no window on the partition              write, any f
//   F3 e != window epoch, f != 0               OOSE
//   F4 e != window epoch, f = 0                write, window := {batch}
//   F5 (f, f + n) equals a cached entry        dup
//   F6 f = next                                write
//   F7 otherwise                               OOSE
//   where next = (f + n) mod (2^31 - 1) of the newest batch: kfake wraps
//   modulo 2^31 - 1, not 2^31, so a client that wraps correctly meets OOSE.
//
// Simplifications (the verdicts they can change)
//   * kfake keeps one epoch per producer across partitions (F1): a retry of an
//     older epoch on another partition gets IPE where Kafka would deduplicate
//     it. One partition cannot show that; the row uses the partition's entry.
//   * Redpanda's in-flight chaining (a retry waits for the original's result),
//     raft terms, and RP-b's last-sequence-only dedup are not modelled: an
//     append here completes before the next one starts.
//   * AutoMQ's 120 s after log open uses the batch's timestamp as the clock and
//     the last restart (or time 0) as the log's opening.
//   * Kafka 0.11 to 2.3 evicted an entry once retention passed its last offset;
//     the model has no retention, so those versions differ from 2.4 only in K8.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string_view>

#include "idemcheck/spec/broker_types.hpp"

namespace idemcheck::spec {

/// A broker's sequence rules: one decision table each (see the banner).
enum class BrokerRules : std::uint8_t {
  kafka_0_11,   ///< Kafka 0.11.0.x
  kafka_1_0_0,  ///< Kafka 1.0.0 and 1.0.1
  kafka_1_0_2,  ///< Kafka 1.0.2, 1.1.x and 2.0.0
  kafka_2_0_1,  ///< Kafka 2.0.1 to 2.3
  kafka_2_4,    ///< Kafka 2.4
  kafka_2_5,    ///< Kafka 2.5 to 4.4: the project's reference model
  kafka_4_5,    ///< Kafka 4.5 (KAFKA-15591)
  kafka_19880,  ///< the KAFKA-19880 proposal (apache/kafka#22619, open)
  redpanda,     ///< Redpanda v24.3 and later
  automq,       ///< AutoMQ 1.3 and later
  kfake,        ///< franz-go's kfake
};

/// Every variant, in the order above.
std::span<const BrokerRules> all_broker_rules();
/// The variant's name as settings and history files spell it ("kafka-2.5", "redpanda", ...).
std::string_view name(BrokerRules);
/// The variant named `text` into `out`; false, leaving `out` unchanged, for any
/// other text. "kafka-4.4" is accepted for kafka-2.5 (the same rules).
bool parse_broker_rules(std::string_view text, BrokerRules& out);
std::ostream& operator<<(std::ostream&, BrokerRules);
/// Batches a producer's entry keeps under the variant, given the configured
/// window (Kafka 0.11 keeps one whatever the configuration).
int effective_window(BrokerRules, int configured);

/// What the broker holds for one producer on the partition, as a decision
/// reads it: a view, so that an append does not copy the cached batches
/// (whoever builds it keeps them alive across the decide() call).
struct EntryView {
  bool exists = false;
  std::int32_t epoch = kNoEpoch;           ///< exists only
  std::span<const CachedBatch> batches;    ///< oldest first
  /// AutoMQ: the oldest cached batch came from a snapshot reload (and may span a whole former window).
  bool front_recovered = false;
  friend bool operator==(const EntryView& a, const EntryView& b) {
    return a.exists == b.exists && a.epoch == b.epoch && a.front_recovered == b.front_recovered &&
           std::ranges::equal(a.batches, b.batches);
  }
};

/// What a decision reads of the partition besides the entry.
struct PartitionFacts {
  bool ever_held_record = false;        ///< H: the log has held a record
  std::int64_t ms_since_log_open = 0;   ///< AutoMQ A4
  friend bool operator==(const PartitionFacts&, const PartitionFacts&) = default;
};

/// The answer to a client append of an idempotent batch.
struct SequenceDecision {
  enum class Kind : std::uint8_t {
    write,      ///< append at the log end
    duplicate,  ///< success with the offsets of `batches[cached]`; nothing written
    reject,     ///< `error`; nothing changes
  };
  Kind kind = Kind::write;
  Error error = Error::none;   ///< reject only
  std::size_t cached = 0;      ///< duplicate only: which cached batch
  /// The entry keeps its epoch though the batch's is lower (Redpanda P8).
  bool keep_entry_epoch = false;
  std::string_view rule;       ///< the row that decided, as the banner names it ("K4", "P2", ...)
  friend bool operator==(const SequenceDecision&, const SequenceDecision&) = default;
};
std::ostream& operator<<(std::ostream&, const SequenceDecision&);

/// The row of `rules` that decides `batch` (a producer id >= 0 and a first
/// sequence >= 0; the log's own validation runs before) against `entry`.
SequenceDecision decide(BrokerRules rules, const EntryView& entry, const Batch& batch, const PartitionFacts& facts);

}  // namespace idemcheck::spec
