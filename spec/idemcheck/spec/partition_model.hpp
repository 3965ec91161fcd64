// idemcheck/spec/partition_model.hpp
//
// THE REFERENCE MODEL OF ONE PARTITION ON THE BROKER (Kafka 2.5 and later).
//
// Written to be obviously right, not fast. The model keeps the whole history
// of what happened to the partition -- every write with its offsets, every
// expiry sweep, snapshot and restart -- and the producer state it answers
// from is, by definition, what replaying that history from the start arrives
// at: a fold of one step per history event over the empty state.
//
// Checkpoint. Replaying everything on every query made a run quadratic in its
// length, so a query instead extends a checkpoint: the fold's state after the
// first k events, kept with k, is advanced by the events added since (the
// same step function, no other code). A left fold computed in two parts is
// the fold computed at once, so the answer is unchanged; the suite also
// proves it (partition_checkpoint_test: random broker-op histories, the
// checkpoint compared with a replay from scratch -- entries, log end and the
// contents of every snapshot -- after random steps, copies included;
// checkpoint_matches_rederivation below). The rules are unchanged.
//
// Model
// -----
// * The partition has an append-only log of batches; a batch of n records
//   written at log end offset o occupies offsets [o, o + n - 1].
// * Per producer id there is an entry: the epoch and the last `window`
//   batches written by that producer in that epoch (Kafka keeps 5), each as
//   (first sequence, last sequence, first offset, last offset), and the max
//   timestamp of its newest batch.
// * Sequences live in [0, 2^31 - 1]; the successor of 2^31 - 1 is 0.
//
// A client (leader) append of batch (pid, e, f, n) with l = f + n - 1 mod 2^31
// is decided by the first matching rule (E = entry epoch or -1 without entry,
// C = its cached batches, L = last sequence of its newest batch or -1):
//   R1  pid < 0                          -> written; no producer state touched
//   R2  f < 0                            -> INVALID_RECORD            (log validation runs first)
//   R3  e == E and (f, l) matches b in C -> success with b's offsets; nothing written
//   R4  e <  E                           -> INVALID_PRODUCER_EPOCH
//   R5  e >  E and no entry (E == -1)    -> written, any f
//   R6  e >  E and f == 0                -> written; the cache restarts with this batch
//   R7  e >  E and f != 0                -> OUT_OF_ORDER_SEQUENCE_NUMBER
//   R8  e == E == -1                     -> written (degenerate)
//   R9  e == E and f == L + 1 mod 2^31   -> written; oldest cached batch evicted beyond `window`
//   R10 e == E otherwise                 -> OUT_OF_ORDER_SEQUENCE_NUMBER
//                                          (gap, partial overlap, duplicate older than the cache)
// A rejected append changes nothing. Any write by a producer with an epoch
// different from its entry's clears the entry's cache first.
//
// Broker variants. The rules above are Kafka 2.5 to 4.4 (BrokerConfig::rules
// = kafka-2.5, the default). Another variant replaces R3..R10 by its table in
// broker_rules.hpp (R1 and R2, the log's own validation, stay), and changes
// the lifecycle where its source says so: Kafka 0.11 caches one batch per
// producer; a Redpanda snapshot keeps the whole window (up to 5 finished
// requests), as kfake's persistence does; an AutoMQ snapshot keeps the whole
// window as ONE batch spanning it (first sequence of the oldest to last of the
// newest; ElasticProducerStateManager writes offsetDelta = lastSeq - firstSeq
// of the window), flagged as recovered after the reload until it is evicted or
// the epoch changes (what AutoMQ's rule A2 reads); a Redpanda write of a lower
// epoch keeps the entry's epoch (no epoch check, P8). H ("the log has held a
// record", Kafka 4.5) is "the log end offset is above 0": the model never
// deletes records. AutoMQ's time since the log opened is the batch's timestamp
// minus the last restart's time (0 before any).
//
// Other operations
//   replicate  a follower's (or log recovery's) append: no duplicate check, no
//              sequence check, a lower epoch is adopted; written at the log end.
//   expire     removes every entry with now - last_timestamp >= producer.id.expiration.ms.
//   snapshot   records, at the log end offset, each producer's epoch, last
//              timestamp and its NEWEST cached batch only (Kafka's format);
//              with `snapshot_keeps_window` the whole window (to study the
//              difference). Snapshots are kept as a broker keeps its files,
//              one per offset (Kafka names the file after it): a snapshot at
//              an offset that already has one replaces it.
//   restart    clean: snapshot at the log end, then reload it. Unclean: reload
//              the latest snapshot (or nothing), then replay the log written
//              after it as replicated appends. Either way, entries expired at
//              the restart time are dropped from the snapshot as it loads, and
//              an unclean restart writes a snapshot at the log end afterwards.
//
// Damaged snapshots (restart with SnapshotDamage torn or corrupt)
//   The damage hits the newest snapshot the restart would read: for a clean
//   restart the one it has just written at shutdown, for an unclean one the
//   newest on disk (with no snapshot on disk there is nothing to damage and
//   the restart is the undamaged one). The damaged snapshot cannot be read, so
//   it is deleted -- gone for every later restart too -- and the restart falls
//   back to the next-newest snapshot, or to empty state if none is left, and
//   replays the log written after that snapshot's offset (all of it without a
//   snapshot) as replicated appends: producers active after the fallback
//   snapshot get their window (up to `window` batches) back from the log,
//   older ones keep the one batch the snapshot holds. Then, as after any
//   replay, a snapshot is written at the log end. Expiry applies to the loaded
//   entries as above. A further damaged snapshot would be deleted in turn;
//   the model damages only the newest, so the fallback always reads.
//   Kafka: ProducerStateManager.loadFromSnapshot (storage/src/main/java/org/
//   apache/kafka/storage/internals/log/ProducerStateManager.java) deletes a
//   snapshot whose read throws CorruptSnapshotException (unknown version,
//   schema failure -- a truncated file -- or CRC mismatch) and tries the
//   next-latest, ending at empty state at the log start offset; it is called
//   from truncateAndReload, which UnifiedLog.rebuildProducerState (storage/
//   .../log/UnifiedLog.java) runs on every load that finds a snapshot file or
//   follows an unclean shutdown, before replaying the segments after the
//   loaded offset with origin REPLICATION and snapshotting at the log end.
//   Tests: ProducerStateManagerTest.testLoadFromEmptySnapshotFile,
//   testLoadFromTruncatedSnapshotFile, testLoadFromCorruptSnapshotFile.
//
// Simplifications (stated so that a reader can check them)
//   * One batch per partition per request; no transactions, markers or
//     coordinator epochs; no log truncation or retention (Kafka >= 2.5 keeps
//     producer state past retention anyway).
//   * Expiry happens when the history says so (an `expire` event), not on a
//     scheduler; a replayed entry is not expired during replay.
//   * The duplicate answer's log-append time is not modelled.
//   * Snapshots are never deleted except a damaged one at a restart. Kafka
//     also deletes them with their segments (retention, DeleteRecords,
//     compaction: deleteSnapshotsBefore / removeAndMarkSnapshotForDeletion),
//     on truncation (truncateAndReload drops those above the log end or at or
//     below the log start offset), and on load the "stray" ones that match no
//     segment base offset except the largest (removeStraySnapshots). The
//     model has no segments, so it keeps every snapshot it took, as if each
//     were at a segment base offset; an older snapshot is therefore always
//     there to fall back to. During a replay Kafka also snapshots at the base
//     offsets of the last two segments; the model only at the log end.
//   * Kafka skips a snapshot whose offset did not move since the last one
//     (testSkipSnapshotIfOffsetUnchanged); the model replaces it. The two
//     differ only in producers that expired in between, which a load drops
//     anyway as long as restarts come at non-decreasing times. Kafka never
//     writes a snapshot at offset 0 (the log start); the model may, and it
//     holds no producer, so loading it is the same as loading none.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "idemcheck/spec/broker_rules.hpp"
#include "idemcheck/spec/broker_types.hpp"

namespace idemcheck::spec {

/// Parameters of the broker model.
struct BrokerConfig {
  int window = 5;                                       ///< batches cached per producer (Kafka: 5); >= 1
  std::int64_t producer_id_expiration_ms = 86'400'000;  ///< Kafka: producer.id.expiration.ms; >= 1
  bool snapshot_keeps_window = false;                   ///< Kafka: false (only the newest batch survives)
  BrokerRules rules = BrokerRules::kafka_2_5;           ///< the sequence rules (broker_rules.hpp)
  friend bool operator==(const BrokerConfig&, const BrokerConfig&) = default;
};

/// Successor of a sequence: s + 1 modulo 2^31.
std::int64_t next_sequence(std::int64_t s);
/// Last sequence of a batch of `count` records starting at `first`: first + count - 1 modulo 2^31.
std::int64_t last_sequence(std::int64_t first, std::int64_t count);

/// One partition's log and producer state, kept as a whole history.
/// A value type: copying it copies the history.
class PartitionModel {
 public:
  /// A model of an empty partition. Requires config.window >= 1 and
  /// config.producer_id_expiration_ms >= 1.
  explicit PartitionModel(BrokerConfig config = {});

  /// A client (leader) append, decided by rules R1..R10 above.
  AppendOutcome append(const Batch& batch);
  /// A replicated (or recovered) append: no validation, written at the log end.
  void replicate(const Batch& batch);
  /// An expiry sweep at logical time `now`.
  void expire(std::int64_t now);
  /// Write a producer-state snapshot at the log end offset.
  void take_snapshot();
  /// Restart the broker at `now`, cleanly or not, with `damage` to the newest
  /// snapshot it reads (see "Damaged snapshots" above). With
  /// SnapshotDamage::none the restart reads every snapshot as written.
  void restart(std::int64_t now, bool clean, SnapshotDamage damage = SnapshotDamage::none);

  /// Offset of the next batch written.
  [[nodiscard]] std::int64_t log_end_offset() const;
  /// Every producer entry, sorted by producer id.
  [[nodiscard]] std::vector<ProducerEntry> producers() const;
  /// The offsets of the producer-state snapshots on disk, oldest first (a
  /// broker's snapshot files, named after their offsets).
  [[nodiscard]] std::vector<std::int64_t> snapshot_offsets() const;
  /// One producer's entry, if it has one.
  [[nodiscard]] std::optional<ProducerEntry> producer(std::int64_t producer_id) const;
  /// The configuration the model was built with.
  [[nodiscard]] const BrokerConfig& config() const { return config_; }

  /// A batch in the log with the offsets it was written at.
  struct Written {
    Batch batch;
    std::int64_t first_offset = 0;
    std::int64_t last_offset = 0;
    bool replicated = false;
    bool keep_entry_epoch = false;  ///< Redpanda: a lower-epoch write that left the entry's epoch
    friend bool operator==(const Written&, const Written&) = default;
  };
  /// The whole log, oldest first.
  [[nodiscard]] const std::vector<Written>& log() const { return log_; }

  /// For tests: whether the checkpoint, brought up to date, equals the state
  /// replayed from the whole history anew (entries, log end, every snapshot
  /// with its contents). Replays everything: O(history).
  [[nodiscard]] bool checkpoint_matches_rederivation() const;

 private:
  /// One thing that happened to producer state, in order.
  struct Event {
    enum class Kind { write, expire, snapshot, restart_clean, restart_unclean };
    Kind kind;
    std::size_t log_index = 0;  ///< kind == write: which log_ entry
    std::int64_t now = 0;       ///< kind == expire / restart_*
    SnapshotDamage damage = SnapshotDamage::none;  ///< kind == restart_*
  };
  /// The state a replay of the history arrives at.
  struct Derived {
    std::map<std::int64_t, ProducerEntry> entries;
    std::int64_t log_end = 0;
    /// The snapshots on disk: log end offset when taken -> entries as they
    /// would load (reduced per the config). The newest is the last.
    std::map<std::int64_t, std::map<std::int64_t, ProducerEntry>> snapshots;
    /// The time of the last restart (0 before any): when the broker opened the log.
    std::int64_t opened_at = 0;
    /// AutoMQ: producers whose oldest cached batch came from a snapshot reload.
    std::set<std::int64_t> recovered_front;
    friend bool operator==(const Derived&, const Derived&) = default;
  };
  /// The checkpoint advanced over every event of history_.
  const Derived& derived() const;

  BrokerConfig config_;
  std::vector<Written> log_;
  std::vector<Event> history_;
  // The fold over history_[0, checkpoint_events_). Mutable: queries advance it
  // (so a model is not safe to query from two threads at once).
  mutable Derived checkpoint_;
  mutable std::size_t checkpoint_events_ = 0;
};

}  // namespace idemcheck::spec
