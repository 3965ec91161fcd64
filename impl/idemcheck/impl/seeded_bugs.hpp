// idemcheck/impl/seeded_bugs.hpp
//
// Seeded bugs: a catalogue of realistic mistakes planted in the dedup core
// (broker producer-state table and producer sequencer), each switched on at
// run time in a dedicated build, so that `idemcheck mutate` can measure how
// strong the property suite is: every seeded bug must be caught.
//
// A seeded bug sits at the right spot of impl/ as
//
//     if (IDEMCHECK_SEEDED_BUG(evict_newest)) { ...wrong... } else { ...right... }
//
// In the normal build (IDEMCHECK_SEEDED_BUGS undefined, CMake option
// IDEMCHECK_SEEDED_BUGS=OFF) the macro is the constant `false`: the wrong
// branch is dead code the compiler removes, no name, description or switch
// exists in the binary and nothing is checked at run time. In the seeded
// build (the `mutants` preset) the macro asks which bug is active: at most
// one, chosen by activate() or, for a process that never calls it, by the
// environment variable IDEMCHECK_SEEDED_BUG=<name> (so that the ordinary test
// binaries can be run against one bug).
#pragma once

#if defined(IDEMCHECK_SEEDED_BUGS)

#include <span>
#include <string_view>

// X(name, side, one-line description). Order = the table's order.
#define IDEMCHECK_SEEDED_BUG_LIST(X)                                                                                  \
  X(cache_window_off_by_one, broker, "the broker caches window - 1 batches per producer (off-by-one in the size)")   \
  X(evict_newest, broker, "a full window evicts its newest batch instead of its oldest")                             \
  X(duplicate_first_seq_only, broker, "a duplicate is matched on its first sequence only, not first and last")       \
  X(duplicate_ignores_epoch, broker, "a duplicate is matched in the cache whatever the batch's epoch")               \
  X(duplicate_newest_offsets, broker, "a duplicate is answered with the newest cached batch's offsets")              \
  X(too_old_duplicate, broker, "a sequence older than the cached window is answered as a duplicate (KAFKA-6683)")    \
  X(no_sequence_wraparound, broker, "the in-sequence check has no wrap-around: INT32_MAX is not followed by 0")       \
  X(new_epoch_any_sequence, broker, "a new epoch is accepted at any sequence, not only at 0")                         \
  X(unknown_producer_needs_zero, broker, "an unknown producer must start at 0 (pre-KIP-360), else OOSE")             \
  X(stale_epoch_as_oose, broker, "a lower epoch is answered OUT_OF_ORDER_SEQUENCE, not INVALID_PRODUCER_EPOCH")       \
  X(epoch_before_commit, broker, "a rejected new-epoch batch has already moved the entry's epoch (mutates before commit)") \
  X(epoch_bump_keeps_window, broker, "a new epoch keeps the old epoch's cached batches")                            \
  X(timestamp_not_refreshed, broker, "an append to a known producer does not refresh its expiry timestamp")          \
  X(expiry_off_by_one, broker, "a producer expires only after, not at, producer.id.expiration.ms (> for >=)")        \
  X(reload_loses_batches, broker, "loading a snapshot loses the cached batches (the entries stay, empty)")           \
  X(snapshot_keeps_oldest, broker, "a snapshot keeps each producer's oldest cached batch, not its newest")           \
  X(reload_keeps_expired, broker, "a snapshot load keeps producers that expired before the restart")               \
  X(replication_skips_cache, broker, "replicated batches only advance the log, they are not cached")                  \
  X(copy_drops_cold, broker, "a copied table does not copy the cold records (the older sequences of a scattered window)") \
  X(tag_match_is_key_match, broker, "a lookup takes a matching hash tag for the producer id (no key compare)")        \
  X(deletion_loses_shifted, broker, "backward-shift deletion empties the slot it shifts a producer into (an id leaves the index)") \
  X(restamp_every_partition, producer, "an epoch bump re-stamps every partition's in-flight batches (KAFKA-12152)")   \
  X(stale_partition_keeps_sequence, producer, "a partition switching to a new epoch keeps its old sequence (KAFKA-12152)") \
  X(inflight_keyed_by_sequence, producer, "in-flight batches keyed by sequence alone: an ack removes all with its base (KAFKA-13794)") \
  X(last_acked_moves_down, producer, "an ack sets the last acked sequence even when it is lower")                    \
  X(next_sequence_no_wrap, producer, "the producer's next sequence does not wrap at 2^31")                           \
  X(oose_always_bumps, producer, "every OUT_OF_ORDER_SEQUENCE bumps the epoch, also on collateral batches")           \
  X(oose_reopened_bumps, producer, "an OOSE on a re-stamped batch bumps again (sequenceHasBeenReset ignored)")       \
  X(restamp_keeps_last_acked, producer, "a re-stamp keeps the old epoch's last acked sequence")                      \
  X(restamp_not_reopened, producer, "re-stamped batches are not marked reopened")                                    \
  X(drain_keeps_reopened, producer, "a re-drained batch stays reopened (ProducerBatch.close() not modelled)")         \
  X(drain_ignores_unresolved, producer, "a new batch is drained while the partition has an unresolved sequence")      \
  X(drain_over_stale_epoch, producer, "a new-epoch batch is drained while old-epoch batches are in flight")           \
  X(retry_not_first_in_flight, producer, "any in-flight batch may be retried, not only the lowest sequence")          \
  X(unresolved_off_by_one, producer, "an expired batch leaves the partition unresolved up to its last, not last + 1") \
  X(resolve_with_in_flight, producer, "an unresolved sequence resolves while batches are still in flight")            \
  X(epoch_overflow_wraps, producer, "the epoch wraps after 32767 instead of asking for a new producer id")           \
  X(adjust_ignored, producer, "a final failure with retries left does not request an epoch bump (KAFKA-8805)")

namespace idemcheck::impl::seeded_bugs {

/// The bugs, as enumerators named like the macro's argument.
enum class Id : int {
#define IDEMCHECK_SEEDED_BUG_ENUM(name, side, description) name,
  IDEMCHECK_SEEDED_BUG_LIST(IDEMCHECK_SEEDED_BUG_ENUM)
#undef IDEMCHECK_SEEDED_BUG_ENUM
      count_
};

/// Which component a bug is planted in.
enum class Side : unsigned char { broker, producer };

/// One entry of the catalogue.
struct SeededBug {
  Id id;
  std::string_view name;
  Side side;
  std::string_view description;
};

/// Every seeded bug, in catalogue order.
std::span<const SeededBug> catalogue() noexcept;
/// The bug with this name, or nullptr.
const SeededBug* find(std::string_view name) noexcept;
/// Activate the named bug (deactivating any other); false, and nothing
/// active, when the name is unknown. The empty name deactivates.
bool activate(std::string_view name) noexcept;
/// No bug active (also overrides the environment variable).
void deactivate() noexcept;
/// The active bug, or nullptr.
const SeededBug* active() noexcept;
/// True iff bug `id` is active. Before the first activate()/deactivate() the
/// environment variable IDEMCHECK_SEEDED_BUG decides (an unknown name there
/// activates nothing; the mutate command and tests check names).
bool is_active(Id id) noexcept;
/// "broker" or "producer".
std::string_view name(Side side) noexcept;

}  // namespace idemcheck::impl::seeded_bugs

#define IDEMCHECK_SEEDED_BUG(name) \
  (::idemcheck::impl::seeded_bugs::is_active(::idemcheck::impl::seeded_bugs::Id::name))
/// 1 in the seeded build: for `if constexpr`, where a seeded bug needs calls
/// that the normal build must not even instantiate.
#define IDEMCHECK_SEEDED_BUGS_COMPILED 1

#else  // the normal build: no bug, no trace, no cost

#define IDEMCHECK_SEEDED_BUG(name) false
#define IDEMCHECK_SEEDED_BUGS_COMPILED 0

#endif
