// idemcheck/impl/producer_state_table.hpp
//
// The broker-side producer-state table of one partition: for every producer
// id, its epoch, the timestamp that drives expiry and a window of the last N
// appended batches used for duplicate detection. It is the optimized
// counterpart of spec/'s reference model, built so that a broker can keep a
// million idempotent producers per partition in memory and validate appends
// at memory-latency speed.
//
// Guarantees (each is checked against the reference model by properties/):
//  * Same observable behaviour as Kafka >= 2.5 for client appends (decision
//    table of the README / spec header), replicated appends, expiry, snapshot
//    and reload. Sequence arithmetic wraps at INT32_MAX exactly as Kafka's.
//  * check() is const and never mutates; commit() applies a checked batch.
//    append() is check-then-commit. A rejected append changes nothing.
//  * Errors are values: nothing on the append path throws or allocates,
//    except when the table grows (a new entry chunk or a rehash) or a batch
//    needs the rare "wide" encoding (see below).
//  * Snapshots are a compact, versioned binary format protected by CRC32C;
//    a truncated, corrupt, wrong-version or impossible snapshot is rejected
//    with a SnapshotError naming the problem, never undefined behaviour.
//  * Library code never prints and never aborts on bad input.
//
// Memory layout
// -------------
//   index:   buckets of one cache line: 8 slots of {u32 entry id, u32 hash
//            tag}, tags first so that one vector compare scans a bucket.
//            The home bucket is fastrange(tag, buckets) = (tag * buckets)
//            >> 32, so the bucket count need not be a power of two (growth
//            x1.5, not x2). Linear probing over buckets: a producer is in
//            the first bucket from its home that had a free slot, so a
//            bucket with a free slot ends a search; backward-shift deletion
//            (no tombstones, so probe lengths never degrade after expiry
//            sweeps). Max load 7/8 of the slots, so the index costs
//            8 / [0.58, 0.875] = 9.1 .. 13.7 bytes per producer; at such
//            loads nearly every producer sits in its home bucket: one line.
//            A lookup compares tags and touches an entry only on a tag
//            match (false match rate ~ 8/2^32 per lookup).
//   entries: dense array of fixed-size records in chunks of 256 (no
//            vector-doubling waste, no per-producer allocation). Deletion
//            moves the last entry into the hole and repoints its index slot.
//            Each producer has a hot Entry<W> and a parallel cold record:
//              Entry (W = 5: 64 bytes, one cache line, line-aligned):
//                i64 producer_id, i64 last_timestamp, i64 newest_last_offset,
//                u32 newest_last_seq, i16 epoch, u8 batch count, u8 flags,
//                u32 back[W], u16 offset_delta[W]
//              where back[i] = newest_last_offset - last_offset[i] and
//              offset_delta[i] = last_offset[i] - first_offset[i];
//              Cold (W = 5: 16 bytes): u32 last_seq[W - 1].
//            A window is "contiguous" when each batch's first sequence is
//            the previous batch's last + 1 (always so for client appends in
//            one epoch); then every older last_seq follows from the newest
//            one and the offset deltas, and the cold record is not read.
//            Otherwise (replication or snapshot gaps, epoch -1 producers)
//            the entry is flagged "scattered" and the older last_seq live in
//            the cold record. So check() and commit() of the common case
//            touch the index bucket and one entry line: two lines.
//            Chunks are gathered into 2 MiB slabs advised for transparent
//            huge pages as soon as a slab's worth (128 chunks) exists; the
//            fewer than 128 newest chunks stay separate blocks, so no slab
//            is partly used. (A random access per append over a table much
//            larger than the TLB reach otherwise pays a page walk; the index
//            is advised likewise once it is at least 2 MiB.)
//   wide:    a batch with offset_delta >= 2^16 (more than 65536 records) or a
//            window spanning >= 2^32 offsets does not fit the compact form;
//            its entry is flagged "wide" and its window lives exactly in a
//            side hash map keyed by producer id (allocation only then). The
//            entry returns to the compact form as soon as its window fits.
//   Bytes per producer (W = 5, no wide entries): 64 (entry) + 16 (cold) +
//   9.1..13.7 (index) + < 0.1 (chunk pointers) = 89..94 bytes; 93.4 at one
//   million producers. memory_bytes() reports the exact figure (the side
//   map is estimated: node + bucket sizes).
//
// Request pipeline: append_request() hashes each item once, prefetches its
// index bucket a request's worth of items ahead and, half as far ahead,
// scans the bucket (vector compare) and prefetches the entry for writing;
// applying an item is then one check of the producer id in that entry plus
// an in-place update (no Decision round trip, no second probe), falling
// back to check() + commit() for anything but the common case.
//
// Thread safety: none inside; one table per partition, guarded by the
// caller's partition lock (as Kafka's log lock guards its state manager).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "idemcheck/impl/detail/table_layout.hpp"
#include "idemcheck/impl/types.hpp"

namespace idemcheck::impl {

/// Configuration of one table. window in [1, MaxWindow].
struct TableConfig {
  int window = 5;                                   ///< batches cached per producer (Kafka: 5)
  std::int64_t producer_id_expiration_ms = 86'400'000;  ///< Kafka's producer.id.expiration.ms
  bool snapshot_keeps_window = false;               ///< false = Kafka: only the newest batch survives a snapshot
};

/// Read-only view of one producer's entry (batches oldest first).
struct EntryView {
  ProducerId producer_id;    ///< the key
  Epoch epoch;               ///< epoch of the cached batches
  Timestamp last_timestamp;  ///< max timestamp of the newest batch; drives expiry
  int batch_count = 0;       ///< valid prefix of batches, <= config.window
  CachedBatch batches[8];    ///< oldest first
};

/// Why a snapshot was rejected.
struct SnapshotError {
  enum class Kind { truncated, bad_magic, unsupported_version, crc_mismatch, impossible_value, trailing_bytes };
  Kind kind;
  std::string message;  ///< human-readable, names the field or byte offset
};

/// The outcome of BasicProducerStateTable::load_newest_valid(): the table
/// built from the newest snapshot that decoded, which one that was, and why
/// every newer one was rejected.
template <class Table>
struct SnapshotRecovery {
  Table table;                          ///< from snapshots[*loaded]; without one, empty at log end offset 0
  std::optional<std::size_t> loaded;    ///< index (newest first) of the snapshot that decoded; empty if none did
  std::vector<SnapshotError> rejected;  ///< rejected[i]: why snapshots[i] did not decode, for i < loaded (or all)
};

/// One item of a multi-partition produce request for append_request().
template <class Table>
struct RequestItem {
  Table* table;       ///< the partition's table (items may share one)
  BatchHeader batch;  ///< the partition's batch, appended as by append()
};

/// Apply the items of one produce request in order, as if each were append()ed,
/// overlapping the memory accesses of later items with the validation of
/// earlier ones. out.size() must equal items.size().
template <class Table>
void append_request(std::span<const RequestItem<Table>> items, std::span<AppendResult> out) noexcept;

/// The table's default hash: murmur3's 64-bit finalizer, high half. Any
/// hash is correct (the table compares producer ids on every tag match and
/// the tag alone places a producer); a worse one only costs probes. Tests
/// pass a colliding one so that tag matches that are not key matches, full
/// buckets and long probe runs happen on purpose.
struct DefaultProducerIdHash {
  /// The 32-bit tag of a producer id.
  [[nodiscard]] constexpr std::uint32_t operator()(std::int64_t pid) const noexcept { return detail::tag_of(pid); }
};

/// Hash: a copyable callable std::uint32_t(std::int64_t) noexcept that is a
/// pure function of the producer id. An empty one (the default) costs no
/// storage and inlines to what a hard-coded hash would be.
template <int MaxWindow, class Hash = DefaultProducerIdHash>
class BasicProducerStateTable {
  static_assert(MaxWindow >= 1 && MaxWindow <= 8, "EntryView holds at most 8 batches");
  static_assert(std::is_nothrow_invocable_r_v<std::uint32_t, const Hash&, std::int64_t>,
                "Hash: std::uint32_t(std::int64_t) const noexcept");

 public:
  /// Opaque outcome of check(): what commit() would do. It records where the
  /// producer was found (or where it would be inserted) so that commit() does
  /// not probe again; hence it is only valid on the unchanged table.
  struct Decision {
    enum class Kind : std::uint8_t { no_producer_id, rejected, duplicate, insert, update };
    Kind kind = Kind::rejected;
    Errc error = Errc::none;      ///< rejected only
    bool clear_window = false;    ///< update only: the epoch changes
    std::uint32_t position = 0;   ///< insert: index slot; update: entry id
    Offset first_offset;          ///< duplicate only
    Offset last_offset;           ///< duplicate only
  };

  /// An empty table at log end offset 0 that places producers by `hash`.
  /// Throws std::invalid_argument if config.window is outside [1, MaxWindow]
  /// or the expiration is negative: a misconfiguration is a programming
  /// error, not a data error.
  explicit BasicProducerStateTable(TableConfig config = {}, Hash hash = {});
  /// Deep copies: tests and properties fork a table to compare futures.
  BasicProducerStateTable(const BasicProducerStateTable& other);
  /// Deep copy assignment (strong guarantee: copy then swap).
  BasicProducerStateTable& operator=(const BasicProducerStateTable& other);
  /// Moves leave the source empty but usable only for destruction/assignment.
  BasicProducerStateTable(BasicProducerStateTable&&) noexcept = default;
  /// See the move constructor.
  BasicProducerStateTable& operator=(BasicProducerStateTable&&) noexcept = default;
  ~BasicProducerStateTable() = default;

  /// Log end offset: where the next batch is written.
  [[nodiscard]] Offset log_end_offset() const noexcept;

  /// Validate a client batch against the table without changing anything.
  /// A batch with last_offset_delta < 0 (a malformed header Kafka's record
  /// validation would refuse) is rejected with invalid_record. A batch that
  /// would be written but would end at or past offset INT64_MAX (the log end
  /// offset after it would not exist) is rejected with offset_overflow; a
  /// duplicate is still answered from the cache.
  [[nodiscard]] Decision check(const BatchHeader& batch) const noexcept;
  /// Apply a decision produced by check() on this unchanged table; returns the result.
  /// Growth may allocate; if that allocation fails the program terminates
  /// (noexcept), as with any allocation failure on a broker's hot path.
  AppendResult commit(const BatchHeader& batch, const Decision& decision) noexcept;
  /// check() + commit().
  AppendResult append(const BatchHeader& batch) noexcept;

  /// Append a batch from replication or log recovery: no dedup, no sequence
  /// check, a lower epoch is adopted; the batch is written at log_end_offset().
  /// A batch with a producer id but base_sequence < 0 carries no sequence to
  /// cache: it only advances the log (like a batch without producer id). A
  /// batch with last_offset_delta < 0 is ignored (invalid_record). A batch
  /// that would end at or past INT64_MAX is not written (offset_overflow);
  /// either way nothing changes. Errc::none when written.
  Errc replicate(const BatchHeader& batch) noexcept;

  /// Remove every producer with now - last_timestamp >= producer_id_expiration_ms.
  /// Returns how many were removed. The difference is computed without
  /// overflow: a difference beyond int64 counts as +/- infinity.
  std::size_t expire(Timestamp now) noexcept;

  /// Number of producers with an entry.
  [[nodiscard]] std::size_t size() const noexcept;
  /// Pre-size for n producers (avoids rehashing).
  void reserve(std::size_t n);
  /// The entry of a producer, if any.
  [[nodiscard]] std::optional<EntryView> find(ProducerId id) const noexcept;
  /// Every entry, sorted by producer id (for comparison; not a hot path).
  [[nodiscard]] std::vector<EntryView> entries() const;
  /// Bytes of heap memory owned by the table (index + entry storage + overflow).
  [[nodiscard]] std::size_t memory_bytes() const noexcept;
  /// The configuration the table was built with.
  [[nodiscard]] const TableConfig& config() const noexcept { return config_; }
  /// The hash the table places producers by.
  [[nodiscard]] const Hash& hash() const noexcept { return hash_; }
  /// Empty while the index is sound. In builds with probe checks (any build
  /// without NDEBUG, and the seeded-bug build) a probe that runs once around
  /// the whole index without the free slot or the entry it must find, which
  /// a sound index cannot do, stops there and records what broke (the first
  /// such event) instead of looping forever; the operation then completes
  /// without touching the index further, and the table is to be discarded.
  /// Release builds compile the check away and this is always empty.
  [[nodiscard]] std::string_view broken_invariant() const noexcept { return broken_ ? broken_ : std::string_view{}; }

  /// Encode the producer state as of log_end_offset() (Kafka: newest batch per
  /// producer only unless config.snapshot_keeps_window).
  [[nodiscard]] std::vector<std::byte> snapshot() const;
  /// Decode a snapshot into a table with the given config; producers expired at
  /// `now` are dropped (as Kafka does on load). log_end_offset() becomes the
  /// snapshot's offset. Throws std::invalid_argument only for a bad config.
  /// Every field is range-checked before any arithmetic uses it; an
  /// impossible value is rejected as impossible_value with a message that
  /// names the field and its byte offset. `hash` places the loaded producers.
  static std::variant<BasicProducerStateTable, SnapshotError> load(std::span<const std::byte> bytes, TableConfig config,
                                                                   Timestamp now, Hash hash = {});
  /// A broker's fallback on load (Kafka: ProducerStateManager.loadFromSnapshot):
  /// decode the snapshots with load(), newest first, and keep the first that
  /// decodes; every one before it is reported in `rejected` (a broker deletes
  /// those files). If none decodes (or there are none), the table is empty at
  /// log end offset 0, from where the caller replays its whole log. Bad bytes
  /// are never an exception; throws std::invalid_argument only for a bad
  /// config, as load() does.
  static SnapshotRecovery<BasicProducerStateTable> load_newest_valid(
      std::span<const std::span<const std::byte>> newest_first, TableConfig config, Timestamp now, Hash hash = {});

 private:
  template <class T>
  friend void append_request(std::span<const RequestItem<T>> items, std::span<AppendResult> out) noexcept;

  using Entry = detail::Entry<MaxWindow>;
  using Cold = detail::ColdEntry<MaxWindow>;
  using Bucket = detail::IndexBucket;
  static constexpr unsigned kSlots = detail::kBucketSlots;
  struct Probe {
    bool found;
    std::uint32_t slot;  // bucket * kSlots + lane; found: the entry's slot; else the free slot to insert at
    std::uint32_t id;    // entry id when found
  };
  struct Meta;  // one batch in full width (decode/encode of the window)

  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
  // Probe bounds: on in every build with assertions and in the seeded-bug
  // build (whose campaign must report a broken index as caught, not hang).
#if !defined(NDEBUG) || defined(IDEMCHECK_SEEDED_BUGS)
  static constexpr bool kCheckProbes = true;
#else
  static constexpr bool kCheckProbes = false;
#endif
  // With kCheckProbes: a probe that has visited every bucket records `what`
  // and stops. Returns true when the caller must stop (never without checks).
  [[nodiscard]] bool probe_exhausted(std::uint32_t visited, const char* what) const noexcept {
    if constexpr (kCheckProbes) {
      if (visited <= buckets_) return false;
      if (broken_ == nullptr) broken_ = what;
      return true;
    } else {
      (void)visited;
      (void)what;
      return false;
    }
  }
  static constexpr unsigned kChunkShift = 8;
  static constexpr std::uint32_t kChunkSize = 1u << kChunkShift;
  static constexpr std::size_t kChunkBytes = kChunkSize * sizeof(Entry);
  // Entry chunks live in full 2 MiB huge-page slabs of kChunksPerSlab
  // chunks, except the last (fewer than kChunksPerSlab) chunks, which are
  // separate blocks: no slab is ever partly used, so no memory is wasted.
  static constexpr bool kUseSlabs = detail::kHugePage % kChunkBytes == 0;
  static constexpr std::size_t kChunksPerSlab = detail::kHugePage / kChunkBytes;

  [[nodiscard]] Entry& entry(std::uint32_t id) noexcept;
  [[nodiscard]] const Entry& entry(std::uint32_t id) const noexcept;
  [[nodiscard]] Cold& cold(std::uint32_t id) noexcept;
  [[nodiscard]] const Cold& cold(std::uint32_t id) const noexcept;
  [[nodiscard]] std::uint32_t home(std::uint32_t tag) const noexcept;
  [[nodiscard]] Probe probe(std::int64_t pid, std::uint32_t tag) const noexcept;
  [[nodiscard]] std::uint32_t slot_of(std::uint32_t id, std::uint32_t tag) const noexcept;
  [[nodiscard]] std::uint32_t next_bucket(std::uint32_t b) const noexcept { return b + 1 == buckets_ ? 0 : b + 1; }
  [[nodiscard]] std::uint32_t& slot_id(std::uint32_t slot) noexcept { return index_[slot / kSlots].id[slot % kSlots]; }
  [[nodiscard]] std::uint32_t& slot_tag(std::uint32_t slot) noexcept { return index_[slot / kSlots].tag[slot % kSlots]; }
  void commit_into(const BatchHeader& batch, const Decision& decision, AppendResult& out) noexcept;
  // The request pipeline's per-item steps: forced inline into its loop.
  [[gnu::always_inline]] inline void append_into(const BatchHeader& batch, std::uint32_t hint,
                                                 AppendResult& out) noexcept;
  [[gnu::always_inline]] inline void prefetch_bucket(std::int64_t pid, std::uint32_t tag) const noexcept;
  [[gnu::always_inline]] [[nodiscard]] inline std::uint32_t locate(std::int64_t pid, std::uint32_t tag) const noexcept;

  void add_chunk();
  void pop_chunk() noexcept;
  void move_chunks(std::size_t first, std::byte* slab) noexcept;
  void allocate_index(std::uint32_t buckets);
  std::uint32_t insert_entry(std::uint32_t bucket, std::int64_t pid, std::uint32_t tag, std::int16_t epoch);
  void erase_entry(std::uint32_t id) noexcept;
  void drop_entry(std::uint32_t id) noexcept;
  void rehash(std::uint32_t new_buckets);
  [[nodiscard]] std::uint32_t free_slot_from(std::uint32_t bucket) const noexcept;
  void grow_for_one_more();
  [[gnu::always_inline]] [[nodiscard]] inline bool push_compact(Entry& e, std::int32_t last_seq, std::int64_t last_offset,
                                  std::int32_t offset_delta) noexcept;
  void push_batch(std::uint32_t id, std::int32_t last_seq, std::int64_t last_offset, std::int32_t offset_delta);
  void clear_window(Entry& e) noexcept;
  int decode(std::uint32_t id, Meta* out) const noexcept;
  void encode(std::uint32_t id, const Meta* in, int n);
  [[nodiscard]] EntryView view(std::uint32_t id) const noexcept;
  [[nodiscard]] bool expired(const Entry& e, Timestamp now) const noexcept;
  // Whether a batch of delta + 1 records fits at the log end: its last
  // offset must stay below INT64_MAX, so that the next log end offset exists.
  [[nodiscard]] bool fits(std::int32_t delta) const noexcept {
    return log_end_offset_ < std::numeric_limits<std::int64_t>::max() - delta;
  }
  [[nodiscard]] bool find_duplicate(std::uint32_t id, std::int32_t first_seq, std::int32_t last_seq,
                                    Decision& d) const noexcept;

  TableConfig config_;
  [[no_unique_address]] Hash hash_;
  mutable const char* broken_ = nullptr;  // see broken_invariant(); set only with kCheckProbes
  std::int64_t log_end_offset_ = 0;
  std::uint32_t size_ = 0;
  std::uint32_t buckets_ = 0;   // index buckets of kSlots slots
  detail::Block index_block_;   // buckets_ buckets
  Bucket* index_ = nullptr;
  std::vector<Entry*> chunks_;                  // hot entries, kChunkSize per chunk
  std::vector<std::unique_ptr<Cold[]>> colds_;  // cold records, parallel to chunks_
  std::vector<detail::Block> slabs_;            // own chunks [0, slabs_.size() * kChunksPerSlab)
  std::vector<detail::Block> tail_;             // own the remaining chunks, one each
  std::unordered_map<std::int64_t, detail::WideWindow<MaxWindow>> wide_;
};

/// The table as Kafka sizes it: 5 cached batches per producer.
using ProducerStateTable = BasicProducerStateTable<5>;

}  // namespace idemcheck::impl

#include "idemcheck/impl/detail/producer_state_table_impl.hpp"
