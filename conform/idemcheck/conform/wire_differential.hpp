// idemcheck/conform/wire_differential.hpp
//
// THE BROKER DIFFERENTIAL OVER THE WIRE (`idemcheck conform`).
//
// What it is for. The in-process broker differential (properties/
// broker_check.hpp) compares the reference partition with a dedup core linked
// into the process. This one compares it with a RUNNING broker that speaks
// Kafka's protocol -- a Kafka cluster, the project's own front end, librdkafka's
// mock cluster, any other implementation -- reached only through its socket.
// The project's own minimal producer (kafka_connection.hpp) sends exactly the
// batches a list of operations (wire_ops.hpp) chooses, including ones no
// correct producer sends (gaps, stale epochs, retries of evicted batches), can
// drop answers, reconnect, pipeline and bump epochs; every answer is compared
// with what the reference partition (spec::make_reference_partition, rules
// R1..R10 of spec/partition_model.hpp, or the BrokerConfig's variant) answers
// for the same batch, step by step. A divergence is shrunk to a shortest op
// list that still diverges in the same way, each candidate replayed against
// the same broker from fresh producers.
//
// The model. One topic, its partition 0, on whichever broker leads it
// (Metadata). Up to kWireSlots producers, each with its own producer id from
// InitProducerId and its own record of what it sent. The broker's side is one
// spec partition per run, fed exactly the batches the broker was sent, in the
// order the broker handles them; its answers are compared with the broker's.
//
// Rules (each names the Kafka source it follows; paths in apache/kafka):
//   W1 order. Requests on one connection are handled one at a time, in order
//      (core/src/main/scala/kafka/network/SocketServer.scala: a Processor
//      mutes a channel until its response is sent). The harness waits for
//      every answer before it sends the next request, except in a pipeline op,
//      whose batches go out back to back on one connection; either way the
//      spec is fed the batches in the order they were sent.
//   W2 the decision. The error code of an answer is compared with the spec's
//      (Kafka's numbers, which spec::Error uses: the producer-state checks of
//      storage/src/main/java/org/apache/kafka/storage/internals/log/
//      ProducerAppendInfo.java and ProducerStateManager.java, run by
//      UnifiedLog.analyzeAndValidateProducerState; INVALID_RECORD for a
//      negative sequence from LogValidator). A code that is no value of
//      spec::Error is a divergence of kind unknown_error_code naming its number
//      -- except the four of W4.
//   W3 duplicates and offsets. The wire does not say "duplicate": Kafka
//      answers a duplicate NONE with the ORIGINAL batch's base offset
//      (UnifiedLog.append returns the duplicate's BatchMetadata offsets and
//      writes nothing), a new batch with the offset it was written at. So a
//      NONE answer's base offset is compared: it must be the spec's first
//      offset plus a delta, the delta fixed by the run's first NONE answer
//      (the broker's log may hold records from earlier runs: the run's spec
//      partition starts empty). A broker that writes a duplicate again, or
//      answers it with a new offset, diverges here (kind base_offset).
//   W4 answers whose effect the protocol leaves open. NOT_LEADER_OR_FOLLOWER
//      (6) and NOT_ENOUGH_REPLICAS (19) are answered before the leader's log
//      append (core/src/main/scala/kafka/server/ReplicaManager.scala
//      appendRecords, cluster/Partition.scala appendRecordsToLeader): the
//      batch is taken as not written and not judged (6 also makes the harness
//      look the leader up again). REQUEST_TIMED_OUT (7) and
//      NOT_ENOUGH_REPLICAS_AFTER_APPEND (20) come after the leader's append
//      (kafka/server/DelayedProduce.scala): the batch may or may not be
//      written, judged as a lost answer (W5). A connection that breaks or
//      stays silent past the timeout while an answer is due is a lost answer
//      too, for every request on it still unanswered.
//   W5 lost answers, soundly. A lost answer (lose_answer closes the
//      connection unread; W4) leaves open whether the broker handled the
//      request: it may have read it before it saw the close, or not. The
//      judge keeps every possibility: each spec branch is forked into one
//      without the batch and, when the spec would have written it, one with
//      it (spec partitions are cheap to clone()). At every later answer a
//      branch survives only if it predicts that answer (W2, W3, each branch
//      with its own offset delta); the run diverges only when no branch does.
//      Branches with equal state are merged; more than kMaxBranches is no
//      verdict (RunResult::inconclusive), never a divergence.
//   W6 producer ids (core/src/main/scala/kafka/coordinator/transaction/
//      TransactionCoordinator.scala handleInitProducerId: without a
//      transactional id, always a new id at epoch 0; KIP-360's request with the
//      current id and epoch, v3+). The answers are not judged -- the
//      coordinator is not the dedup core -- the slot adopts what it is given:
//      the same id at a new epoch (a bump: sequence 0 next) or a new id. An
//      error answer to a bump falls back to a new id (RunStats::bump_fallbacks);
//      an id already used in this session is asked again, so that each run's
//      producers are unknown to the broker as they are to the run's spec.
//   W7 the producer's record. An op's batch is computed from its slot's record
//      (as properties/broker_differential does): the record holds the batches
//      answered NONE and those of unknown fate (W4, W5), each once, in order;
//      the next sequence follows the newest batch that entered it. It depends
//      only on what the broker answered, so a run is reproducible from its op
//      list against a deterministic broker.
//
// Simplifications, and the verdicts they can change:
//   S1 every run uses fresh producer ids, and no expiry, restart, snapshot,
//      leader move or replication is driven over the wire: none of the spec's
//      expiry, restart and snapshot rules (producer.id.expiration.ms, the
//      snapshot's newest-batch-only reload, log recovery) is checked here. A
//      broker that expires or reloads producer state during a run (an
//      expiration shorter than the run, a restart) can be reported as
//      diverging where Kafka legitimately would answer so.
//   S2 a lost request is taken to be handled (or dropped) before the next
//      request the harness sends after it. The harness makes that so as far as
//      a client can: it closes the connection after the whole request is
//      written, and reconnects with a full ApiVersions round trip before the
//      next request. A broker that handles a closed connection's request later
//      still (Kafka's request handler threads could, in principle, reorder it
//      after the new connection's request) can show a divergence at a step
//      after a lose_answer that a legitimate schedule produces;
//      Divergence::after_lost_answer marks every such verdict.
//   S3 one partition, one batch per request, acks=-1, no compression, no
//      transactions, no headers or keys: the broker's request validation
//      beyond the producer-state checks is not exercised.
//   S4 the harness must be the partition's only writer during a run: another
//      writer's records shift offsets after the delta is fixed (W3) and show
//      as base_offset divergences.
//   S5 the spec's BrokerConfig (window of 5 cached batches, kafka-2.5 rules,
//      unless the caller says otherwise) is taken to be the broker's: a broker
//      that caches another number of batches diverges on retries (retry_recent
//      of an older batch, retry_evicted), as it should.
//   S6 InitProducerId answers, timestamps, log_append_time and
//      log_start_offset are not compared (W6).
//
// Guarantees: the library never prints. A target that cannot be talked to as
// a Kafka broker (a bad address, nothing listening, a malformed answer, no
// common API version, no leader for the topic) is a ConformError with a
// message naming it -- never a crash and never a verdict. A run is
// deterministic in its op list and the broker's answers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "idemcheck/conform/kafka_connection.hpp"
#include "idemcheck/conform/wire_ops.hpp"
#include "idemcheck/spec/partition_model.hpp"

namespace idemcheck::conform {

/// The most spec branches a run keeps open (W5).
inline constexpr std::size_t kMaxBranches = 64;

/// What disagreed (W2, W3).
enum class DivergenceKind : std::uint8_t {
  error_code,          ///< the broker answered another error code than the spec (both in spec::Error)
  unknown_error_code,  ///< the broker answered a code that is no value of spec::Error
  base_offset,         ///< both NONE, at different base offsets (a duplicate written again, or its offset wrong)
};
/// "error code", "unknown error code", "base offset".
std::string_view name(DivergenceKind);

/// One request of a run and its answers, for reports.
struct Exchange {
  std::size_t op = 0;   ///< index of the op that sent it
  std::string request;  ///< "Produce pid 1000 epoch 0 seq 3..4 (2 records)", "InitProducerId (new id)"
  std::string broker;   ///< the broker's answer ("NONE @12", "OUT_OF_ORDER_SEQUENCE_NUMBER", "lost")
  std::string spec;     ///< the spec's answer in the broker's offsets (every branch's, when several); "" if not judged
};

/// The first answer no spec branch predicts.
struct Divergence {
  DivergenceKind kind = DivergenceKind::error_code;
  std::size_t step = 0;         ///< index of the op whose answer diverged
  std::string operation;        ///< that op's text
  std::string request;          ///< the concrete batch it sent
  std::string spec_answer;      ///< what the spec answers (each branch's)
  std::string broker_answer;    ///< what the broker answered
  std::int16_t spec_error = 0;  ///< the first branch's error code
  bool spec_duplicate = false;  ///< the first branch took the batch for a duplicate
  std::int16_t broker_error = 0;
  bool after_lost_answer = false;  ///< a lost answer was open in the run before this step (S2)
};
/// Two divergences are the same failure when their kind, the spec's answer
/// (code, duplicate or not) and the broker's code agree; the op kind may
/// differ. "base offset: spec NONE (duplicate) vs broker NONE".
std::string signature(const Divergence&);

/// Counts of one run (or, merged, of many).
struct RunStats {
  std::uint64_t runs = 0;                       ///< op lists run
  std::uint64_t ops = 0;                        ///< ops executed (a run stops at its divergence)
  std::uint64_t produce_requests = 0;           ///< Produce requests sent (lost ones included)
  std::uint64_t init_producer_id_requests = 0;  ///< InitProducerId requests sent
  std::uint64_t lost_answers = 0;         ///< lose_answer ops
  std::uint64_t unknown_fate = 0;         ///< answers of unknown effect (W4: 7, 20, broken connections)
  std::uint64_t not_written = 0;          ///< answers 6 and 19 (W4), not judged
  std::uint64_t reconnects = 0;           ///< reconnect ops (a lose_answer's reconnect is not counted)
  std::uint64_t bump_fallbacks = 0;       ///< init_bump answered with an error, or no v3: a new id instead
  std::uint64_t reused_producer_ids = 0;  ///< InitProducerId answers naming an id already used (asked again)
  std::size_t max_branches = 1;           ///< the most spec branches open at once (W5)
  /// Add `other`'s counts (max_branches: the larger).
  void merge(const RunStats& other);
};

/// The result of one run.
struct RunResult {
  std::optional<Divergence> divergence;     ///< the first answer no branch predicts; the run stopped there
  std::optional<std::string> inconclusive;  ///< why the run stopped without a verdict
  std::vector<Exchange> exchanges;          ///< every request, in order
  RunStats stats;                           ///< this run's counts
};

/// Where the broker is.
struct WireTarget {
  std::vector<Endpoint> bootstrap;           ///< tried in order until one answers
  std::string topic = "idemcheck-conform";   ///< auto-created through Metadata when the broker allows it
  int timeout_ms = 5000;                     ///< every connect, write and read
  /// How long Metadata may go on saying the topic has no leader yet (auto-creation takes a moment).
  int metadata_patience_ms = 10000;
  std::string client_id = "idemcheck-conform";
};

/// A session with one broker: the connection, the leader, the producer ids used.
class WireDifferential {
 public:
  /// Connects (bootstrap, ApiVersions, Metadata of the topic until partition 0
  /// has a leader, then the leader). Throws ConformError naming what failed.
  /// `broker` configures the spec partition (S5).
  explicit WireDifferential(WireTarget target, spec::BrokerConfig broker = {});
  WireDifferential(const WireDifferential&) = delete;
  WireDifferential& operator=(const WireDifferential&) = delete;
  ~WireDifferential();

  /// Play `ops` from fresh producers against the broker and a fresh spec
  /// partition, until the end, the first divergence or an inconclusive state.
  /// Throws ConformError when the broker cannot be talked to.
  RunResult run(const std::vector<WireOp>& ops);

  /// The leader of partition 0 (as Metadata last named it).
  [[nodiscard]] Endpoint leader() const;
  /// The versions used with the leader (all 0 while no connection is open).
  [[nodiscard]] ChosenVersions versions() const;
  /// The target as given.
  [[nodiscard]] const WireTarget& target() const;
  /// The spec partition's configuration.
  [[nodiscard]] const spec::BrokerConfig& broker_config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A shrunk divergence.
struct ShrinkOutcome {
  std::vector<WireOp> ops;  ///< the shortest list found that still diverges with the same signature
  RunResult result;         ///< its run (the divergence with its step)
  std::size_t replays = 0;  ///< runs against the broker it took
  bool budget_exhausted = false;
  bool reproduced = true;   ///< false: the shrunk list did not diverge again (a broker that is not deterministic):
                            ///< ops and result are then the original's
};
/// Shrink `failing` (whose run diverged as `original`) with
/// shrinkers::shrink_op_list, each candidate run from fresh producers on `d`.
/// Throws ConformError as run() does.
ShrinkOutcome shrink(WireDifferential& d, const std::vector<WireOp>& failing, const Divergence& original,
                     std::size_t max_replays = 1000);

/// Settings of a check.
struct CheckOptions {
  std::uint64_t seed = 1;                 ///< with a run number, picks the op list (generate_ops)
  std::uint64_t runs = 100;               ///< runs 0..runs-1
  int max_ops = 40;                       ///< each run's op list holds 1..max_ops ops
  std::optional<std::uint64_t> only_run;  ///< run only this run number
  bool shrink = true;                     ///< shrink each failure kept
  bool keep_going = false;                ///< go on after a divergence: the first run of every group (Failure::group)
  std::size_t max_shrink_replays = 1000;  ///< runs one shrink may take
};

/// One diverging run of a check.
struct Failure {
  std::string group;              ///< the divergence's signature and the kind of the op that diverged
  std::uint64_t run = 0;          ///< reproduce with the seed and this run number
  std::vector<WireOp> ops;        ///< as generated
  RunResult result;               ///< the run of `ops` (its divergence set)
  std::optional<ShrinkOutcome> shrunk;  ///< when the check shrinks
  std::uint64_t occurrences = 1;  ///< runs that diverged in this group (keep_going)
};

/// The result of a check.
struct CheckResult {
  RunStats stats;                       ///< every run's counts, merged (not the shrinks')
  std::uint64_t inconclusive_runs = 0;  ///< runs that ended without a verdict
  std::vector<Failure> failures;  ///< the first (or, keep_going, the first of each signature)
  double run_seconds = 0;         ///< time in the runs
  double shrink_seconds = 0;      ///< time in shrinking
};

/// Run the generated op lists of (seed, run) on `d`; stop at the first
/// divergence (or, keep_going, go on to the end) and shrink it (each shrink
/// keeps the divergence's signature, not its group: the diverging op may
/// become another kind that diverges the same way).
CheckResult check(WireDifferential& d, const CheckOptions& options);

}  // namespace idemcheck::conform
