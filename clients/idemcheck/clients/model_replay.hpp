// idemcheck/clients/model_replay.hpp
//
// A STEP-BY-STEP REPLAY OF A REAL CLIENT'S RUN ON THE REFERENCE PRODUCER.
//
// conformance.hpp checks invariants of the stamps a client sent. This goes
// further: it walks the front end's trace (frontend/trace.hpp) in order with
// one reference sequencer (spec/sequencer.hpp, rules S0..S8 of the Java
// client's TransactionManager, variant java-2.5), feeds it the answers the
// client actually got, and at every Produce batch the client sent asks what
// the model producer would send in the same situation: would it send this
// batch now at all, and with which producer id, epoch and first sequence. The
// first point where the two differ is reported. A deviation is a finding to
// explain (a design difference or a bug), not a failure of the harness.
//
// How the trace drives the model:
//   * `producer_id`: the producer's id (epoch 0: the front end's K4); see
//     "new producer ids" below for every one after the first.
//   * `produce`: first the start of a sender loop (S8: a bump the model asked
//     for lands here, re-stamping the batches it covers); then each batch that
//     carries a producer id is a new batch (records never seen before: S1, S2)
//     or a retry of the model batch that carried the same records (S3).
//   * `response` (an answer left for the client on that connection and
//     correlation id): the answers of that request's batches reach the model:
//     no error or a duplicate is S4 (DUPLICATE_SEQUENCE_NUMBER too, an
//     acknowledgement without an offset: Sender.completeBatch); an error goes
//     through S5 (can_retry) and, when the model would not retry, S6
//     (on_failure, retries remaining). New stamps those calls give are applied.
//     An answer reaches the model before a request the front end read in a
//     later millisecond. One that left in the same millisecond may not have
//     reached the client when it wrote that request (it pipelines, and the
//     front end answers and reads one connection in turn): the request is
//     judged without it and, if it deviates, again with it, and deviates only
//     if it fits neither (the state it fits is kept).
//   * An attempt whose answer never reached the client fails with
//     NETWORK_EXCEPTION (retriable: the client's request timed out or its
//     connection broke; Sender.handleDisconnection / NetworkClient's request
//     timeout): at its connection's `disconnected`, or when the client sends
//     the same records again, whichever comes first. A late answer of an
//     attempt already resent is ignored (the client dropped that request).
//   * An answer a hold-response fault held leaves past the client's request
//     timeout (faults.cpp), but a client whose timer is coarse may still take
//     it (librdkafka 2.0.2 took a 1379 ms hold with a 1000 ms timeout: its
//     broker thread scans for timed-out requests once a second, rdkafka_broker.c
//     rd_kafka_broker_timeout_scan): it counts as
//     received unless the client sends the same records again later in the
//     trace; then it counts as the timeout, when it leaves. The same holds for
//     a request the front end read from that connection as the held answer
//     left (it waited in the socket while the connection was muted, so the
//     client's timer ran for it too); such a request was written before the
//     held answer left, so it is judged without the answers that left since
//     (and, failing that, with them, as for the same millisecond above).
//
// Rules (each is a point where a client differs from the model). Every batch
// is checked against M1; then a new batch against M2, M3, M4, M5 and a retry
// against M8, M6, M7, in that order; the first that applies is the deviation:
//   M1 records moved: a batch carries some, but not exactly all, of the
//      records of an earlier batch, or an earlier batch's records on another
//      partition. A batch's records are fixed when it is first drained
//      (RecordAccumulator.drainBatchesForOneNode closes it) and a retry resends
//      that batch; the only split (ProducerBatch.split on MESSAGE_TOO_LARGE,
//      Sender.completeBatch) follows an error the front end never answers.
//   M2 sequence reused: a new batch under the producer id and epoch the model
//      uses for the partition starts below the model's next sequence, so it
//      takes sequences the model already gave other batches (TransactionManager
//      .incrementSequenceNumber: a partition's sequences only move forward;
//      only an epoch bump or a new id restarts them, startSequencesAtBeginning).
//      The broker takes such a batch for a duplicate of the earlier one. Checked
//      before M3..M5 because it is the deviation that costs records.
//   M3 new batch the model holds back: the model has no producer id (S0), or
//      the partition has batches in flight under an earlier id or epoch, or an
//      unresolved sequence (S2; RecordAccumulator.shouldStopDrainBatchesFor
//      Partition).
//   M4 new batch overtakes a retry: the partition has a batch the client has
//      seen fail with a retriable error and has not sent again. The Java client
//      puts a retried batch back at the head of its partition's queue in
//      sequence order (Sender.reenqueueBatch, RecordAccumulator.reenqueue /
//      insertInSequenceOrder) and drains only the head of each queue
//      (drainBatchesForOneNode, peekFirst), so nothing new goes first.
//   M5 new batch stamped differently: producer id, epoch or first sequence is
//      not what S1 gives it (TransactionManager.sequenceNumber /
//      producerIdAndEpoch; S8's bump: bumpIdempotentProducerEpoch).
//   M6 retry the model holds back: the batch is not the lowest in flight of
//      its partition (S3: shouldStopDrainBatchesForPartition, "while retrying,
//      one in flight": firstInFlightSequence). A client that resends every
//      in-flight batch at once after a failure differs here by design.
//   M7 retry stamped differently: a retry keeps its stamp unless an epoch bump
//      re-stamped it (S8: TransactionManager.startSequencesAtBeginning); the
//      client sent another producer id, epoch or first sequence (for one, it
//      kept the old epoch after the model's bump, or re-stamped a batch the
//      model keeps).
//   M8 a finished batch sent again: the model had seen it acknowledged (S4,
//      Sender.completeBatch completes it) or failed for good (S5 said no:
//      Sender.failBatch), and never sends a completed batch again.
//
// New producer ids. The front end answers every InitProducerId with a new id at
// epoch 0 (K4), so a client that bumps through InitProducerId shows a new id
// where the Java idempotent producer bumps its epoch locally (KIP-360,
// TransactionManager.bumpIdempotentEpochAndResetIdIfNeeded). A `producer_id`
// event after the first therefore stands for the model's bump when the model
// has one pending, or asks for one before it has stamped anything under the
// new id: that bump lands on the new id at epoch 0 (same re-stamping, S8).
// Without a bump, the new id replaces the model's as InitProducerId would
// (partitions switch lazily, S1; batches in flight keep their stamps).
//
// Requests the front end never read (lose-request, restart-broker, what a
// broken connection swallowed) leave no batches in the trace, though the
// client stamped theirs. When a new batch's first sequence is ahead of the
// model's next one under the same id and epoch, batches of that partition
// that first appear later in the trace under that id and epoch, and whose
// sequences exactly fill the gap, are taken to have been drained in such a
// request: the model stamps them there, their lost attempt fails with
// NETWORK_EXCEPTION, and the batch at hand is then judged (usually M4: it
// went before their retries). If no such batches fill the gap: M5. A batch
// whose only earlier attempts went unread and that the client then sends
// under another sequence looks new when it first shows: so kafkajs's rollback
// after a lost request (its sequence taken back before the front end saw it)
// is not seen, where the same rollback after a zombie or a timeout is M2.
//
// Simplifications, and the verdicts they can change:
//   * The client's limits are not in the trace: its delivery timeout and its
//     retry count (on_failure is always told retries remained). A batch the
//     client gives up on simply never comes back. When a model batch that
//     waits for its retry blocks a later drain (M3's older epoch, M4, M6) and
//     the client never sends its records again, the replay takes it as expired
//     there (S7, in retry: its sequence becomes unresolved) followed by a
//     sender loop (S8), and judges the blocked batch again. Conservative: a
//     batch that comes back later is never expired, so M4/M6 on a batch the
//     client later drops are avoided; but the expiry is placed as late as
//     possible, so a new batch the Java client would have stamped after the
//     expiry (under a bumped epoch) may be judged under the older epoch, and
//     the deviation then shows later, usually as M5. A deviation found after
//     such a guess names the batches taken as given up in its detail.
//   * When the client read an answer is not in the trace: one that left in an
//     earlier millisecond than a request was read counts as known when the
//     client wrote it. A request written earlier but read later (a busy or
//     muted connection) is judged as if the client knew, which can give a
//     spurious M3, M4 or M5; the same-millisecond rule above covers the usual
//     case, a pipelined request read right after the answer before it. The
//     converse: a request that fits only if the client had not yet read an
//     answer of the same millisecond is accepted, so a deviation that close
//     to an answer can be missed. An answer that waited on a muted
//     connection behind a held one counts as received, though the client may
//     have timed it out (then a later resend is M8 instead of a retry).
//   * The request timeout is not in the trace, so a failed attempt that was
//     neither disconnected nor held is noticed only when its records are sent
//     again; until then the model counts it in flight, which delays M4.
//   * Sender loops (S8) run only before each Produce request: a bump the
//     model asks for takes effect at the client's next drain. The Java client
//     may run loops in between; only the reopened mark of a batch whose answer
//     comes between can differ (S5), which changes no stamp in one bump.
//   * The client's batching and the order in which records reach its
//     accumulator are taken as given: which records form a new batch, and
//     which partition's batch goes first, are the client's (the anomaly check
//     sees send order: nonmonotonic-send). max.in.flight, the per-connection
//     limit and the muting of max.in.flight=1 are not in the trace and not
//     checked.
//   * Error codes the model does not name (spec::Error) are non-retriable;
//     the front end answers such codes (UNKNOWN_TOPIC_OR_PARTITION,
//     CORRUPT_MESSAGE, ...) only to requests the drivers never send.
//   * M2 compares sequences without the 2^31 wrap (a run sends far fewer).
//   * Batches without a producer id are ignored (a run without idempotence
//     has no deviation); a batch with records of unknown identity ends the
//     replay without a verdict (nothing after it can be matched).
#pragma once

#include <optional>

#include "idemcheck/clients/conformance.hpp"
#include "idemcheck/frontend/trace.hpp"

namespace idemcheck::clients {

/// The first point where a client's Produce requests differ from what the
/// reference producer model (java-2.5) would send given the same answers:
/// rule "M1".."M8" (above), the produce event's index in `trace`, its request
/// number, the partition, and a detail naming the records (as A<app>:<n>),
/// what the client sent and what the model would have sent. nullopt if the
/// replay finds none (always, for a trace without producer ids). Pure: the
/// same trace gives the same answer.
std::optional<Deviation> first_model_deviation(const frontend::Trace& trace);

}  // namespace idemcheck::clients
