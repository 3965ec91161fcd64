// idemcheck/impl/detail/producer_state_table_impl.hpp -- private to impl/.
//
// Member definitions of BasicProducerStateTable. Header-only because the
// table is a template over MaxWindow and because the hot path (check,
// commit, append_request) must inline into the caller's request loop.
#pragma once

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "idemcheck/impl/crc32c.hpp"
#include "idemcheck/impl/detail/snapshot_codec.hpp"
#include "idemcheck/impl/seeded_bugs.hpp"

namespace idemcheck::impl {

template <int W, class H>
struct BasicProducerStateTable<W, H>::Meta {
  std::int32_t last_seq;
  std::int32_t offset_delta;
  std::int64_t last_offset;
};

// ---------------------------------------------------------------- lifecycle

template <int W, class H>
BasicProducerStateTable<W, H>::BasicProducerStateTable(TableConfig config, H hash) : config_(config), hash_(hash) {
  if (config.window < 1 || config.window > W) throw std::invalid_argument("TableConfig.window outside [1, MaxWindow]");
  if (config.producer_id_expiration_ms < 0) throw std::invalid_argument("TableConfig.producer_id_expiration_ms < 0");
  rehash(2);
}

template <int W, class H>
BasicProducerStateTable<W, H>::BasicProducerStateTable(const BasicProducerStateTable& o)
    : config_(o.config_), hash_(o.hash_), broken_(o.broken_), log_end_offset_(o.log_end_offset_), size_(o.size_),
      wide_(o.wide_) {
  allocate_index(o.buckets_);
  std::copy_n(o.index_, buckets_, index_);
  chunks_.reserve(o.chunks_.size());
  colds_.reserve(o.colds_.size());
  for (std::size_t c = 0; c < o.chunks_.size(); ++c) {
    add_chunk();
    std::memcpy(static_cast<void*>(chunks_[c]), o.chunks_[c], kChunkBytes);
    if (!IDEMCHECK_SEEDED_BUG(copy_drops_cold)) std::copy_n(o.colds_[c].get(), kChunkSize, colds_[c].get());
  }
}

template <int W, class H>
auto BasicProducerStateTable<W, H>::operator=(const BasicProducerStateTable& o) -> BasicProducerStateTable& {
  if (this != &o) {
    BasicProducerStateTable copy(o);
    *this = std::move(copy);
  }
  return *this;
}

// ---------------------------------------------------------------- small accessors

template <int W, class H>
Offset BasicProducerStateTable<W, H>::log_end_offset() const noexcept {
  return Offset{log_end_offset_};
}

template <int W, class H>
std::size_t BasicProducerStateTable<W, H>::size() const noexcept {
  return size_;
}

template <int W, class H>
auto BasicProducerStateTable<W, H>::entry(std::uint32_t id) noexcept -> Entry& {
  return chunks_[id >> kChunkShift][id & (kChunkSize - 1)];
}

template <int W, class H>
auto BasicProducerStateTable<W, H>::entry(std::uint32_t id) const noexcept -> const Entry& {
  return chunks_[id >> kChunkShift][id & (kChunkSize - 1)];
}

template <int W, class H>
auto BasicProducerStateTable<W, H>::cold(std::uint32_t id) noexcept -> Cold& {
  return colds_[id >> kChunkShift][id & (kChunkSize - 1)];
}

template <int W, class H>
auto BasicProducerStateTable<W, H>::cold(std::uint32_t id) const noexcept -> const Cold& {
  return colds_[id >> kChunkShift][id & (kChunkSize - 1)];
}

template <int W, class H>
std::uint32_t BasicProducerStateTable<W, H>::home(std::uint32_t tag) const noexcept {
  // fastrange: maps the tag onto [0, buckets) with a multiply instead of a
  // division, for any bucket count.
  return static_cast<std::uint32_t>((std::uint64_t{tag} * buckets_) >> 32);
}

template <int W, class H>
auto BasicProducerStateTable<W, H>::probe(std::int64_t pid, std::uint32_t tag) const noexcept -> Probe {
  // Linear probing over buckets: a producer sits in the first bucket from
  // its home that had a free slot when it was inserted, so a bucket with a
  // free slot ends the search. The load cap guarantees one exists; should
  // the index be broken, the bound stops the search at a slot of the home
  // bucket (in range, so the caller stays memory-safe) with the table marked.
  std::uint32_t visited = 0;
  for (std::uint32_t b = home(tag);; b = next_bucket(b)) {
    if (probe_exhausted(++visited, "probe: every bucket full, no free slot (load cap broken)"))
      return {false, home(tag) * kSlots, kEmpty};
    const Bucket& k = index_[b];
    std::uint32_t free = kEmpty;
    for (unsigned l = 0; l < kSlots; ++l) {
      const std::uint32_t id = k.id[l];
      if (id == kEmpty) {
        if (free == kEmpty) free = b * kSlots + l;
      } else if (k.tag[l] == tag && (IDEMCHECK_SEEDED_BUG(tag_match_is_key_match) || entry(id).producer_id == pid)) {
        return {true, b * kSlots + l, id};
      }
    }
    if (free != kEmpty) return {false, free, kEmpty};
  }
}

template <int W, class H>
std::uint32_t BasicProducerStateTable<W, H>::slot_of(std::uint32_t id, std::uint32_t tag) const noexcept {
  // Every entry id is in the index, from its home on: the search ends. Only
  // a broken index has none, and then the bound answers kEmpty (checked
  // builds only; callers then leave the index alone).
  std::uint32_t visited = 0;
  for (std::uint32_t b = home(tag);; b = next_bucket(b)) {
    if (probe_exhausted(++visited, "slot_of: an entry id is missing from the index")) return kEmpty;
    for (unsigned l = 0; l < kSlots; ++l)
      if (index_[b].id[l] == id) return b * kSlots + l;
  }
}

template <int W, class H>
std::uint32_t BasicProducerStateTable<W, H>::free_slot_from(std::uint32_t b) const noexcept {
  std::uint32_t visited = 0;
  for (const std::uint32_t from = b;; b = next_bucket(b)) {
    if (probe_exhausted(++visited, "free_slot_from: every bucket full (load cap broken)")) return from * kSlots;
    for (unsigned l = 0; l < kSlots; ++l)
      if (index_[b].id[l] == kEmpty) return b * kSlots + l;
  }
}

template <int W, class H>
inline void BasicProducerStateTable<W, H>::prefetch_bucket(std::int64_t pid, std::uint32_t tag) const noexcept {
  if (pid < 0) return;
  detail::prefetch(&index_[home(tag)]);
}

template <int W, class H>
inline std::uint32_t BasicProducerStateTable<W, H>::locate(std::int64_t pid, std::uint32_t tag) const noexcept {
  // The candidate entry id of pid: an occupied slot of its home bucket with
  // its tag, or kEmpty (absent, or displaced to a later bucket). Only a hint
  // for append_into(), which confirms it by the producer id stored in the
  // entry; the entry is prefetched for writing. Branch-free over the
  // bucket: the lane of a producer is random, so a scalar scan mispredicts.
  if (pid < 0) return kEmpty;
  const Bucket& k = index_[home(tag)];
  unsigned match = 0;
#if defined(__SSE2__)
  static_assert(kSlots == 8);
  const __m128i t = _mm_set1_epi32(static_cast<int>(tag));
  const __m128i e = _mm_set1_epi32(-1);
  const __m128i* v = reinterpret_cast<const __m128i*>(&k);
  const __m128i tags = _mm_packs_epi32(_mm_cmpeq_epi32(_mm_load_si128(v), t), _mm_cmpeq_epi32(_mm_load_si128(v + 1), t));
  const __m128i free = _mm_packs_epi32(_mm_cmpeq_epi32(_mm_load_si128(v + 2), e), _mm_cmpeq_epi32(_mm_load_si128(v + 3), e));
  match = static_cast<unsigned>(_mm_movemask_epi8(_mm_packs_epi16(_mm_andnot_si128(free, tags), _mm_setzero_si128())));
#else
  for (unsigned l = 0; l < kSlots; ++l) match |= unsigned{k.id[l] != kEmpty && k.tag[l] == tag} << l;
#endif
  if (match == 0) return kEmpty;
  const std::uint32_t id = k.id[__builtin_ctz(match)];
  const char* p = reinterpret_cast<const char*>(&entry(id));
  detail::prefetch_for_write(p);
  if constexpr (sizeof(Entry) > 64) detail::prefetch_for_write(p + sizeof(Entry) - 1);
  return id;
}

// ---------------------------------------------------------------- storage and index maintenance

template <int W, class H>
void BasicProducerStateTable<W, H>::move_chunks(std::size_t first, std::byte* slab) noexcept {
  // Moves chunks [first, first + kChunksPerSlab) into `slab` (slab != null)
  // or out of the last slab into the separate blocks at the end of tail_.
  for (std::size_t k = 0; k < kChunksPerSlab; ++k) {
    std::byte* to = slab ? slab + k * kChunkBytes : tail_[tail_.size() - kChunksPerSlab + k].data();
    std::memcpy(to, static_cast<const void*>(chunks_[first + k]), kChunkBytes);
    chunks_[first + k] = reinterpret_cast<Entry*>(to);
  }
}

template <int W, class H>
void BasicProducerStateTable<W, H>::add_chunk() {
  tail_.emplace_back(kChunkBytes, alignof(Entry));
  chunks_.push_back(reinterpret_cast<Entry*>(tail_.back().data()));
  colds_.push_back(std::make_unique<Cold[]>(kChunkSize));
  if constexpr (kUseSlabs) {
    if (tail_.size() == kChunksPerSlab) {
      // A slab's worth of separate chunks: move them into one huge-page
      // slab (2 MiB copied per kChunksPerSlab * kChunkSize inserts). Entry
      // ids do not change, only addresses, and no caller holds an Entry&
      // across an insertion.
      slabs_.emplace_back(detail::kHugePage, detail::kHugePage);
      move_chunks(chunks_.size() - kChunksPerSlab, slabs_.back().data());
      tail_.clear();
    }
  }
}

template <int W, class H>
void BasicProducerStateTable<W, H>::pop_chunk() noexcept {
  if (tail_.empty()) {
    // The last chunk is in the last slab: break that slab back into
    // separate chunks first, so that no slab is ever partly used. (Only when
    // an expiry sweep shrinks the table; allocation failure terminates, as
    // on the append path.)
    for (std::size_t k = 0; k < kChunksPerSlab; ++k) tail_.emplace_back(kChunkBytes, alignof(Entry));
    move_chunks(chunks_.size() - kChunksPerSlab, nullptr);
    slabs_.pop_back();
  }
  chunks_.pop_back();
  colds_.pop_back();
  tail_.pop_back();
}

template <int W, class H>
void BasicProducerStateTable<W, H>::allocate_index(std::uint32_t buckets) {
  detail::Block block(std::size_t{buckets} * sizeof(Bucket), alignof(Bucket));
  index_block_ = std::move(block);
  index_ = reinterpret_cast<Bucket*>(index_block_.data());
  buckets_ = buckets;
}

template <int W, class H>
void BasicProducerStateTable<W, H>::rehash(std::uint32_t new_buckets) {
  allocate_index(new_buckets);
  Bucket empty;
  std::fill_n(empty.tag, kSlots, 0u);
  std::fill_n(empty.id, kSlots, kEmpty);
  std::fill_n(index_, new_buckets, empty);
  for (std::uint32_t id = 0; id < size_; ++id) {
    const std::uint32_t tag = hash_(entry(id).producer_id);
    const std::uint32_t s = free_slot_from(home(tag));
    slot_id(s) = id;
    slot_tag(s) = tag;
  }
}

template <int W, class H>
void BasicProducerStateTable<W, H>::grow_for_one_more() {
  // Max load 7/8 of the slots: beyond that probe lengths grow fast.
  if ((std::uint64_t{size_} + 1) * 8 <= std::uint64_t{buckets_} * kSlots * 7) return;
  std::uint64_t nb = std::max<std::uint64_t>(2, std::uint64_t{buckets_} + buckets_ / 2);
  while ((std::uint64_t{size_} + 1) * 8 > nb * kSlots * 7) nb += nb / 2;
  if (nb * kSlots >= kEmpty) throw std::length_error("producer state table full");
  rehash(static_cast<std::uint32_t>(nb));
}

template <int W, class H>
void BasicProducerStateTable<W, H>::reserve(std::size_t n) {
  const std::uint64_t cap = std::uint64_t{n} * 8 / 7 + 2;
  if (cap >= kEmpty) throw std::length_error("producer state table: reserve too large");
  const std::uint64_t nb = (cap + kSlots - 1) / kSlots;
  if (nb > buckets_) rehash(static_cast<std::uint32_t>(nb));
  const std::size_t chunks = (n + kChunkSize - 1) / kChunkSize + 1;
  chunks_.reserve(chunks);
  colds_.reserve(chunks);
  if constexpr (kUseSlabs) {
    slabs_.reserve(chunks / kChunksPerSlab);
    tail_.reserve(kChunksPerSlab);
  } else {
    tail_.reserve(chunks);
  }
}

template <int W, class H>
std::uint32_t BasicProducerStateTable<W, H>::insert_entry(std::uint32_t slot, std::int64_t pid, std::uint32_t tag,
                                                       std::int16_t epoch) {
  if ((std::uint64_t{size_} + 1) * 8 > std::uint64_t{buckets_} * kSlots * 7) {
    grow_for_one_more();
    slot = probe(pid, tag).slot;  // the decision's slot is stale after a rehash
  }
  const std::uint32_t id = size_;
  if ((id >> kChunkShift) >= chunks_.size()) add_chunk();
  Entry& e = entry(id);
  std::memset(static_cast<void*>(&e), 0, sizeof(Entry));  // no indeterminate bytes in unused window slots
  e.producer_id = pid;
  e.newest_last_offset = -1;
  e.epoch = epoch;
  slot_id(slot) = id;
  slot_tag(slot) = tag;
  ++size_;
  return id;
}

template <int W, class H>
void BasicProducerStateTable<W, H>::erase_entry(std::uint32_t id) noexcept {
  Entry& e = entry(id);
  if (e.flags & detail::kWideFlag) wide_.erase(e.producer_id);
  // Backward-shift deletion over buckets: a producer in bucket j with home
  // h relies on every bucket from h to j - 1 being full. When a slot frees
  // in a full bucket, the first later member that relies on it moves in,
  // which frees a slot in its own bucket; repeat until a bucket that was
  // not full ends the cluster. No tombstones, so probes never degrade.
  const std::uint32_t at = slot_of(id, hash_(e.producer_id));
  if constexpr (kCheckProbes) {
    if (at == kEmpty) {  // broken index (recorded): drop the entry, leave the index
      drop_entry(id);
      return;
    }
  }
  std::uint32_t hole = at / kSlots;  // bucket holding the free slot
  std::uint32_t hole_lane = at % kSlots;
  const auto full = [this](std::uint32_t b) {
    for (unsigned l = 0; l < kSlots; ++l)
      if (index_[b].id[l] == kEmpty) return false;
    return true;
  };
  const bool was_full = full(hole);
  index_[hole].id[hole_lane] = kEmpty;
  index_[hole].tag[hole_lane] = 0;
  if (was_full) {
    for (std::uint32_t j = next_bucket(hole);; j = next_bucket(j)) {
      const bool j_full = full(j);
      for (unsigned l = 0; l < kSlots; ++l) {
        const std::uint32_t sid = index_[j].id[l];
        if (sid == kEmpty) continue;
        const std::uint32_t k = home(index_[j].tag[l]);
        // It may move iff its home k is not cyclically within (hole, j].
        const bool k_in_range = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
        if (!k_in_range) {
          index_[hole].id[hole_lane] = IDEMCHECK_SEEDED_BUG(deletion_loses_shifted) ? kEmpty : sid;
          index_[hole].tag[hole_lane] = index_[j].tag[l];
          index_[j].id[l] = kEmpty;
          index_[j].tag[l] = 0;
          hole = j;
          hole_lane = l;
          break;
        }
      }
      if (!j_full) break;
    }
  }
  drop_entry(id);
}

template <int W, class H>
void BasicProducerStateTable<W, H>::drop_entry(std::uint32_t id) noexcept {
  // The entry array stays dense: the last entry moves into the hole.
  const std::uint32_t last = size_ - 1;
  if (id != last) {
    Entry& moved = entry(last);
    const std::uint32_t s = slot_of(last, hash_(moved.producer_id));
    if (!kCheckProbes || s != kEmpty) slot_id(s) = id;
    entry(id) = moved;
    cold(id) = cold(last);
  }
  --size_;
  // Keep one spare chunk so that an insert/expire cycle at a chunk boundary
  // does not allocate every time.
  const std::size_t needed = (std::size_t{size_} + kChunkSize - 1) / kChunkSize;
  while (chunks_.size() > needed + 1) pop_chunk();
}

// ---------------------------------------------------------------- window encoding

template <int W, class H>
void BasicProducerStateTable<W, H>::clear_window(Entry& e) noexcept {
  if (e.flags & detail::kWideFlag) wide_.erase(e.producer_id);
  e.flags = 0;
  e.count = 0;
  e.newest_last_offset = -1;
}

template <int W, class H>
int BasicProducerStateTable<W, H>::decode(std::uint32_t id, Meta* out) const noexcept {
  const Entry& e = entry(id);
  const int n = e.count;
  if (n == 0) return 0;
  if (e.flags & detail::kWideFlag) {
    const auto& w = wide_.find(e.producer_id)->second;
    for (int i = 0; i < n; ++i) out[i] = Meta{w.last_seq[i], w.offset_delta[i], w.last_offset[i]};
    return n;
  }
  out[n - 1] = Meta{static_cast<std::int32_t>(e.newest_last_seq), std::int32_t{e.offset_delta[n - 1]},
                    e.newest_last_offset};
  for (int i = n - 2; i >= 0; --i) {
    // Contiguous window: this batch ends just before the next one starts.
    const std::int32_t seq = (e.flags & detail::kScatteredFlag)
                                 ? static_cast<std::int32_t>(cold(id).last_seq[i])
                                 : detail::decrement_sequence(out[i + 1].last_seq, out[i + 1].offset_delta + 1);
    out[i] = Meta{seq, std::int32_t{e.offset_delta[i]}, e.newest_last_offset - std::int64_t{e.back[i]}};
  }
  return n;
}

template <int W, class H>
void BasicProducerStateTable<W, H>::encode(std::uint32_t id, const Meta* in, int n) {
  Entry& e = entry(id);
  const std::int64_t newest = n > 0 ? in[n - 1].last_offset : -1;
  bool compact = true;
  bool contiguous = true;
  for (int i = 0; i < n; ++i) {
    if (in[i].offset_delta > 0xFFFF || newest - in[i].last_offset > std::int64_t{0xFFFFFFFF}) compact = false;
    if (i + 1 < n && detail::increment_sequence(in[i].last_seq, 1) !=
                         detail::decrement_sequence(in[i + 1].last_seq, in[i + 1].offset_delta))
      contiguous = false;
  }
  e.count = static_cast<std::uint8_t>(n);
  e.newest_last_offset = newest;
  e.newest_last_seq = n > 0 ? static_cast<std::uint32_t>(in[n - 1].last_seq) : 0;
  if (compact) {
    if (e.flags & detail::kWideFlag) wide_.erase(e.producer_id);
    e.flags = contiguous ? 0 : detail::kScatteredFlag;
    for (int i = 0; i < n; ++i) {
      if (i + 1 < n && !contiguous) cold(id).last_seq[i] = static_cast<std::uint32_t>(in[i].last_seq);
      e.back[i] = static_cast<std::uint32_t>(newest - in[i].last_offset);
      e.offset_delta[i] = static_cast<std::uint16_t>(in[i].offset_delta);
    }
  } else {
    auto& w = wide_[e.producer_id];
    for (int i = 0; i < n; ++i) {
      w.last_offset[i] = in[i].last_offset;
      w.offset_delta[i] = in[i].offset_delta;
      w.last_seq[i] = in[i].last_seq;
    }
    e.flags = detail::kWideFlag;
  }
}

template <int W, class H>
inline bool BasicProducerStateTable<W, H>::push_compact(Entry& e, std::int32_t last_seq, std::int64_t last_offset,
                                                     std::int32_t offset_delta) noexcept {
  // The common case in place: a compact, contiguous window gains a batch
  // that continues it and keeps it compact. Offsets only grow (shift >= 1)
  // and the oldest kept batch has the largest back: checking it checks all.
  if (e.flags != 0 || offset_delta > 0xFFFF) return false;
  const int count = e.count;
  const std::uint64_t shift = static_cast<std::uint64_t>(last_offset - e.newest_last_offset);
  if (count == W) {
    // Full window of the maximum size (the steady state): fixed-length
    // moves the compiler turns into a few vector instructions.
    if constexpr (W > 1) {
      if (detail::decrement_sequence(last_seq, offset_delta) !=
              detail::increment_sequence(static_cast<std::int32_t>(e.newest_last_seq), 1) ||
          e.back[1] + shift > 0xFFFFFFFFu)
        return false;
    }
    const auto add = static_cast<std::uint32_t>(shift);
    std::uint32_t back[W];
    std::uint16_t delta[W];
    for (int i = 0; i + 1 < W; ++i) {
      back[i] = e.back[i + 1] + add;
      delta[i] = e.offset_delta[i + 1];
    }
    back[W - 1] = 0;
    delta[W - 1] = static_cast<std::uint16_t>(offset_delta);
    std::memcpy(e.back, back, sizeof back);
    std::memcpy(e.offset_delta, delta, sizeof delta);
  } else {
    const int drop = count >= config_.window ? 1 : 0;  // count <= window always
    const int kept = count - drop;
    if (kept > 0 && (detail::decrement_sequence(last_seq, offset_delta) !=
                         detail::increment_sequence(static_cast<std::int32_t>(e.newest_last_seq), 1) ||
                     e.back[drop] + shift > 0xFFFFFFFFu))
      return false;
    const auto add = static_cast<std::uint32_t>(shift);
    for (int i = 0; i < kept; ++i) {
      e.back[i] = e.back[i + drop] + add;
      e.offset_delta[i] = e.offset_delta[i + drop];
    }
    e.back[kept] = 0;
    e.offset_delta[kept] = static_cast<std::uint16_t>(offset_delta);
  }
  e.count = static_cast<std::uint8_t>(count == W ? W : count + (count >= config_.window ? 0 : 1));
  e.newest_last_offset = last_offset;
  e.newest_last_seq = static_cast<std::uint32_t>(last_seq);
  return true;
}

template <int W, class H>
void BasicProducerStateTable<W, H>::push_batch(std::uint32_t id, std::int32_t last_seq, std::int64_t last_offset,
                                            std::int32_t offset_delta) {
  if (!(IDEMCHECK_SEEDED_BUG(cache_window_off_by_one) || IDEMCHECK_SEEDED_BUG(evict_newest)) &&
      push_compact(entry(id), last_seq, last_offset, offset_delta))
    return;
  // General path: decode, slide the window, re-encode in whichever form fits.
  Meta m[W + 1];
  int n = decode(id, m);
  m[n++] = Meta{last_seq, offset_delta, last_offset};
  if constexpr (IDEMCHECK_SEEDED_BUGS_COMPILED) {
    if (IDEMCHECK_SEEDED_BUG(cache_window_off_by_one) && n >= config_.window && n > 1) {
      const int keep = config_.window - 1 > 0 ? config_.window - 1 : 1;
      encode(id, m + (n - keep), keep);
      return;
    }
    if (IDEMCHECK_SEEDED_BUG(evict_newest) && n > config_.window) {
      m[n - 2] = m[n - 1];  // the newest cached batch makes room for the new one
      encode(id, m, --n);
      return;
    }
  }
  const int drop = n > config_.window ? n - config_.window : 0;
  encode(id, m + drop, n - drop);
}

// ---------------------------------------------------------------- append path

template <int W, class H>
bool BasicProducerStateTable<W, H>::find_duplicate(std::uint32_t id, std::int32_t first_seq, std::int32_t last_seq,
                                                Decision& d) const noexcept {
  Meta m[W];
  const int n = decode(id, m);
  for (int i = 0; i < n; ++i) {
    if (m[i].last_seq != last_seq && !IDEMCHECK_SEEDED_BUG(duplicate_first_seq_only)) continue;
    // The cached first sequence derives from the offset span, as in Kafka
    // (KAFKA-7692), not from the incoming batch.
    if (detail::decrement_sequence(m[i].last_seq, m[i].offset_delta) != first_seq) continue;
    d.kind = Decision::Kind::duplicate;
    const int k = IDEMCHECK_SEEDED_BUG(duplicate_newest_offsets) ? n - 1 : i;
    d.first_offset = Offset{m[k].last_offset - m[k].offset_delta};
    d.last_offset = Offset{m[k].last_offset};
    return true;
  }
  return false;
}

template <int W, class H>
auto BasicProducerStateTable<W, H>::check(const BatchHeader& b) const noexcept -> Decision {
  Decision d;
  if (b.last_offset_delta < 0) {
    d.error = Errc::invalid_record;
    return d;
  }
  if (!b.producer_id.valid()) {
    if (!fits(b.last_offset_delta)) {
      d.error = Errc::offset_overflow;
      return d;
    }
    d.kind = Decision::Kind::no_producer_id;
    return d;
  }
  const std::int32_t base = b.base_sequence.value;
  if (base < 0) {
    d.error = Errc::invalid_record;
    return d;
  }
  const std::uint32_t tag = hash_(b.producer_id.value);
  const Probe p = probe(b.producer_id.value, tag);
  const Entry* e = p.found ? &entry(p.id) : nullptr;
  const int current = e ? e->epoch : -1;
  const int epoch = b.epoch.value;

  if (e && (epoch == current || IDEMCHECK_SEEDED_BUG(duplicate_ignores_epoch))) {
    // A compact contiguous window spans fewer than W * 2^16 sequences, so
    // the sequence right after its newest batch cannot start any cached
    // batch: the next in-sequence batch is never a duplicate.
    const bool next_in_sequence =
        e->flags == 0 && e->count > 0 &&
        base == detail::increment_sequence(static_cast<std::int32_t>(e->newest_last_seq), 1);
    if (!next_in_sequence && find_duplicate(p.id, base, detail::increment_sequence(base, b.last_offset_delta), d))
      return d;
    if constexpr (IDEMCHECK_SEEDED_BUGS_COMPILED) {
      if (IDEMCHECK_SEEDED_BUG(too_old_duplicate) && e->count > 0) {
        Meta m[W];
        (void)decode(p.id, m);
        if (base < detail::decrement_sequence(m[0].last_seq, m[0].offset_delta)) {
          d.kind = Decision::Kind::duplicate;
          d.first_offset = Offset{m[0].last_offset - m[0].offset_delta};
          d.last_offset = Offset{m[0].last_offset};
          return d;
        }
      }
    }
  }
  if (epoch < current) {
    d.error = IDEMCHECK_SEEDED_BUG(stale_epoch_as_oose) ? Errc::out_of_order_sequence_number : Errc::invalid_producer_epoch;
    return d;
  }
  if (epoch > current) {
    // A new epoch restarts at 0, unless the broker never saw an epoch.
    if ((current != -1 && base != 0 && !IDEMCHECK_SEEDED_BUG(new_epoch_any_sequence)) ||
        (IDEMCHECK_SEEDED_BUG(unknown_producer_needs_zero) && e == nullptr && base != 0)) {
      d.error = Errc::out_of_order_sequence_number;
      return d;
    }
  } else if (current != -1) {
    const std::int64_t last = e->count > 0 ? std::int64_t{e->newest_last_seq} : -1;
    if (IDEMCHECK_SEEDED_BUG(no_sequence_wraparound) ? base != last + 1 : !detail::in_sequence(last, base)) {
      d.error = Errc::out_of_order_sequence_number;
      return d;
    }
  }
  if (!fits(b.last_offset_delta)) {  // the batch would be written: is there room for it?
    d.error = Errc::offset_overflow;
    return d;
  }
  if (e) {
    d.kind = Decision::Kind::update;
    d.position = p.id;
    d.clear_window = epoch != current;
  } else {
    d.kind = Decision::Kind::insert;
    d.position = p.slot;
  }
  return d;
}

template <int W, class H>
AppendResult BasicProducerStateTable<W, H>::commit(const BatchHeader& b, const Decision& d) noexcept {
  AppendResult r;
  commit_into(b, d, r);
  return r;
}

template <int W, class H>
void BasicProducerStateTable<W, H>::commit_into(const BatchHeader& b, const Decision& d, AppendResult& r) noexcept {
  using K = typename Decision::Kind;
  switch (d.kind) {
    case K::rejected:
      r = AppendResult{d.error, false, Offset{}, Offset{}};
      return;
    case K::duplicate:
      r = AppendResult{Errc::none, true, d.first_offset, d.last_offset};
      return;
    case K::no_producer_id: {
      const std::int64_t first = log_end_offset_;
      log_end_offset_ += std::int64_t{b.last_offset_delta} + 1;
      r = AppendResult{Errc::none, false, Offset{first}, Offset{log_end_offset_ - 1}};
      return;
    }
    case K::insert:
    case K::update:
      break;
  }
  std::uint32_t id;
  if (d.kind == K::insert) {
    id = insert_entry(d.position, b.producer_id.value, hash_(b.producer_id.value), b.epoch.value);
  } else {
    id = d.position;
    if (d.clear_window) {
      Entry& e = entry(id);
      if (!IDEMCHECK_SEEDED_BUG(epoch_bump_keeps_window)) clear_window(e);
      e.epoch = b.epoch.value;
    }
  }
  const std::int64_t first = log_end_offset_;
  const std::int64_t last = first + b.last_offset_delta;
  push_batch(id, detail::increment_sequence(b.base_sequence.value, b.last_offset_delta), last, b.last_offset_delta);
  if (d.kind == K::insert || !IDEMCHECK_SEEDED_BUG(timestamp_not_refreshed)) entry(id).last_timestamp = b.max_timestamp.ms;
  log_end_offset_ = last + 1;
  r = AppendResult{Errc::none, false, Offset{first}, Offset{last}};
}

template <int W, class H>
inline void BasicProducerStateTable<W, H>::append_into(const BatchHeader& b, std::uint32_t hint, AppendResult& r) noexcept {
  // The fused common case of append(): a known producer, same epoch, the
  // next sequence, a compact contiguous window. `hint` is locate()'s
  // candidate; entry ids are stable while only appends run (only erasure
  // moves entries), so a candidate whose entry holds this producer id is
  // this producer's entry even if earlier items inserted or rehashed.
  // Anything else takes the general check() + commit().
  if (hint < size_) {
    Entry& e = entry(hint);
    const std::int32_t base = b.base_sequence.value;
    const std::int32_t delta = b.last_offset_delta;
    if (e.producer_id == b.producer_id.value && (base | delta) >= 0 && e.epoch == b.epoch.value && e.count > 0 &&
        base == detail::increment_sequence(static_cast<std::int32_t>(e.newest_last_seq), 1) && fits(delta)) {
      const std::int64_t first = log_end_offset_;
      const std::int64_t last = first + delta;
      // Not a duplicate (see check()); accepted in place if it stays compact.
      if (push_compact(e, detail::increment_sequence(base, delta), last, delta)) {
        e.last_timestamp = b.max_timestamp.ms;
        log_end_offset_ = last + 1;
        r.error = Errc::none;
        r.duplicate = false;
        r.first_offset = Offset{first};
        r.last_offset = Offset{last};
        return;
      }
    }
  }
  commit_into(b, check(b), r);
}

template <int W, class H>
AppendResult BasicProducerStateTable<W, H>::append(const BatchHeader& b) noexcept {
  if constexpr (IDEMCHECK_SEEDED_BUGS_COMPILED) {  // discarded in the normal build: not even instantiated
    if (IDEMCHECK_SEEDED_BUG(epoch_before_commit)) {
      const Decision d = check(b);
      const Probe p = b.producer_id.valid() ? probe(b.producer_id.value, hash_(b.producer_id.value))
                                            : Probe{false, 0, kEmpty};
      if (d.kind == Decision::Kind::rejected && p.found && entry(p.id).epoch < b.epoch.value) {
        clear_window(entry(p.id));  // the new epoch is taken before the sequence check failed
        entry(p.id).epoch = b.epoch.value;
      }
      return commit(b, d);
    }
  }
  return commit(b, check(b));
}

template <int W, class H>
Errc BasicProducerStateTable<W, H>::replicate(const BatchHeader& b) noexcept {
  if (b.last_offset_delta < 0) return Errc::invalid_record;
  if (!fits(b.last_offset_delta)) return Errc::offset_overflow;
  const std::int64_t first = log_end_offset_;
  const std::int64_t last = first + b.last_offset_delta;
  if (b.producer_id.valid() && b.base_sequence.value >= 0 && !IDEMCHECK_SEEDED_BUG(replication_skips_cache)) {
    const std::uint32_t tag = hash_(b.producer_id.value);
    const Probe p = probe(b.producer_id.value, tag);
    std::uint32_t id;
    if (p.found) {
      id = p.id;
      Entry& e = entry(id);
      // A follower adopts the leader's epoch, lower or higher.
      if (e.epoch != b.epoch.value) {
        clear_window(e);
        e.epoch = b.epoch.value;
      }
    } else {
      id = insert_entry(p.slot, b.producer_id.value, tag, b.epoch.value);
    }
    push_batch(id, detail::increment_sequence(b.base_sequence.value, b.last_offset_delta), last, b.last_offset_delta);
    entry(id).last_timestamp = b.max_timestamp.ms;
  }
  log_end_offset_ = last + 1;
  return Errc::none;
}

// ---------------------------------------------------------------- expiry and views

template <int W, class H>
bool BasicProducerStateTable<W, H>::expired(const Entry& e, Timestamp now) const noexcept {
  if (IDEMCHECK_SEEDED_BUG(expiry_off_by_one)) {
    const std::int64_t ms = config_.producer_id_expiration_ms;
    return detail::expired_at(e.last_timestamp, now.ms, ms == std::numeric_limits<std::int64_t>::max() ? ms : ms + 1);
  }
  return detail::expired_at(e.last_timestamp, now.ms, config_.producer_id_expiration_ms);
}

template <int W, class H>
std::size_t BasicProducerStateTable<W, H>::expire(Timestamp now) noexcept {
  std::size_t removed = 0;
  for (std::uint32_t id = 0; id < size_;) {
    if (expired(entry(id), now)) {
      erase_entry(id);  // the last entry moves into `id`: examine it next
      ++removed;
    } else {
      ++id;
    }
  }
  return removed;
}

template <int W, class H>
EntryView BasicProducerStateTable<W, H>::view(std::uint32_t id) const noexcept {
  const Entry& e = entry(id);
  EntryView v;
  v.producer_id = ProducerId{e.producer_id};
  v.epoch = Epoch{e.epoch};
  v.last_timestamp = Timestamp{e.last_timestamp};
  Meta m[W];
  v.batch_count = decode(id, m);
  for (int i = 0; i < v.batch_count; ++i) {
    v.batches[i] = CachedBatch{Sequence{detail::decrement_sequence(m[i].last_seq, m[i].offset_delta)},
                               Sequence{m[i].last_seq}, Offset{m[i].last_offset - m[i].offset_delta},
                               Offset{m[i].last_offset}};
  }
  return v;
}

template <int W, class H>
std::optional<EntryView> BasicProducerStateTable<W, H>::find(ProducerId id) const noexcept {
  if (!id.valid()) return std::nullopt;
  const Probe p = probe(id.value, hash_(id.value));
  if (!p.found) return std::nullopt;
  return view(p.id);
}

template <int W, class H>
std::vector<EntryView> BasicProducerStateTable<W, H>::entries() const {
  std::vector<EntryView> out;
  out.reserve(size_);
  for (std::uint32_t id = 0; id < size_; ++id) out.push_back(view(id));
  std::sort(out.begin(), out.end(),
            [](const EntryView& a, const EntryView& b) { return a.producer_id < b.producer_id; });
  return out;
}

template <int W, class H>
std::size_t BasicProducerStateTable<W, H>::memory_bytes() const noexcept {
  // The side map is estimated from libstdc++'s node shape: next pointer + value,
  // plus one bucket pointer per bucket. Allocator headers excluded.
  using WideNode = std::pair<const std::int64_t, detail::WideWindow<W>>;
  return index_block_.bytes() + slabs_.size() * detail::kHugePage + tail_.size() * kChunkBytes +
         colds_.size() * kChunkSize * sizeof(Cold) + chunks_.capacity() * sizeof(chunks_[0]) +
         colds_.capacity() * sizeof(colds_[0]) + (slabs_.capacity() + tail_.capacity()) * sizeof(detail::Block) +
         wide_.size() * (sizeof(void*) + sizeof(WideNode)) + wide_.bucket_count() * sizeof(void*);
}

// ---------------------------------------------------------------- snapshots

template <int W, class H>
std::vector<std::byte> BasicProducerStateTable<W, H>::snapshot() const {
  using namespace detail::snapshot_format;
  std::vector<std::uint32_t> order(size_);
  for (std::uint32_t id = 0; id < size_; ++id) order[id] = id;
  std::sort(order.begin(), order.end(),
            [this](std::uint32_t a, std::uint32_t b) { return entry(a).producer_id < entry(b).producer_id; });

  detail::ByteWriter w;
  w.bytes(kMagic, sizeof kMagic);
  w.u16(kVersion);
  w.u32(0);  // CRC, patched below once the covered bytes exist
  w.u8(static_cast<std::uint8_t>(config_.window));
  w.u8(config_.snapshot_keeps_window ? kFlagKeepsWindow : 0);
  w.i64(log_end_offset_);
  w.u32(size_);
  for (std::uint32_t id : order) {
    const Entry& e = entry(id);
    Meta m[W];
    const int n = decode(id, m);
    int from = config_.snapshot_keeps_window ? 0 : std::max(0, n - 1);
    if (IDEMCHECK_SEEDED_BUG(snapshot_keeps_oldest) && from > 0) {
      m[from] = m[0];  // the oldest batch stands in for the newest
    }
    w.i64(e.producer_id);
    w.i16(e.epoch);
    w.i64(e.last_timestamp);
    w.u8(static_cast<std::uint8_t>(n - from));
    for (int i = from; i < n; ++i) {
      w.i32(m[i].last_seq);
      w.i32(m[i].offset_delta);
      w.i64(m[i].last_offset);
    }
  }
  std::vector<std::byte> out = std::move(w).take();
  const std::uint32_t crc = crc32c(std::span<const std::byte>(out).subspan(kCrcEnd));
  detail::ByteWriter::put_u32(out.data() + kCrcOffset, crc);
  return out;
}

template <int W, class H>
auto BasicProducerStateTable<W, H>::load(std::span<const std::byte> bytes, TableConfig config, Timestamp now, H hash)
    -> std::variant<BasicProducerStateTable, SnapshotError> {
  using namespace detail::snapshot_format;
  using Kind = SnapshotError::Kind;
  using detail::at;
  BasicProducerStateTable table(config, hash);  // validates the config (throws on misuse)

  auto fail = [](Kind k, std::string msg) {
    return std::variant<BasicProducerStateTable, SnapshotError>(std::in_place_index<1>, SnapshotError{k, std::move(msg)});
  };
  const std::size_t size = bytes.size();
  // Header fields are checked in file order, each as soon as its bytes
  // exist, so a short file still gets the most specific verdict.
  if (size >= sizeof kMagic && std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return fail(Kind::bad_magic, "bad magic at byte 0: not an idemcheck producer-state snapshot");
  if (size >= kCrcOffset) {
    const std::uint16_t version = detail::ByteReader::get_u16(bytes.data() + kVersionOffset);
    if (version != kVersion)
      return fail(Kind::unsupported_version, "unsupported version " + std::to_string(version) + " at byte " +
                                                 std::to_string(kVersionOffset) + " (supported: " +
                                                 std::to_string(kVersion) + ")");
  }
  if (size < kHeaderSize)
    return fail(Kind::truncated, "truncated header: " + std::to_string(size) + " bytes, the header alone needs " +
                                     std::to_string(kHeaderSize));
  const std::uint32_t stored = detail::ByteReader::get_u32(bytes.data() + kCrcOffset);
  const std::uint32_t actual = crc32c(bytes.subspan(kCrcEnd));
  if (stored != actual)
    return fail(Kind::crc_mismatch, "CRC32C mismatch (field at byte " + std::to_string(kCrcOffset) + " says " +
                                        std::to_string(stored) + ", bytes " + std::to_string(kCrcEnd) + ".." +
                                        std::to_string(size) + " give " + std::to_string(actual) +
                                        "): torn or corrupt file");

  detail::ByteReader r(bytes, kCrcEnd);
  const std::uint8_t window = r.u8();
  if (window < 1)
    return fail(Kind::impossible_value, "window 0 at byte " + at(r.pos() - 1));
  const std::uint8_t flags = r.u8();
  if ((flags & ~kFlagKeepsWindow) != 0)
    return fail(Kind::impossible_value, "unknown flag bits " + std::to_string(flags) + " at byte " + at(r.pos() - 1));
  const std::int64_t leo = r.i64();
  if (leo < 0) return fail(Kind::impossible_value, "negative log end offset at byte " + at(r.pos() - 8));
  const std::size_t count_pos = r.pos();
  const std::uint32_t count = r.u32();
  if (std::uint64_t{count} * kMinRecordSize > r.remaining())
    return fail(Kind::truncated, "producer count " + std::to_string(count) + " at byte " + at(count_pos) +
                                     " needs at least " + std::to_string(std::uint64_t{count} * kMinRecordSize) +
                                     " more bytes, " + std::to_string(r.remaining()) + " remain");
  // The table's index holds fewer than 2^32 slots at 7/8 load; reserve()
  // would refuse more (only a file of tens of gigabytes gets here).
  if (std::uint64_t{count} * 8 / 7 + 2 >= kEmpty)
    return fail(Kind::impossible_value, "producer count " + std::to_string(count) + " at byte " + at(count_pos) +
                                            " exceeds the table's capacity");
  const int max_batches = (flags & kFlagKeepsWindow) ? std::min<int>(window, config.window) : 1;
  table.reserve(count);
  table.log_end_offset_ = leo;
  std::int64_t previous_pid = -1;
  for (std::uint32_t k = 0; k < count; ++k) {
    const std::size_t rec = r.pos();
    if (r.remaining() < kMinRecordSize)
      return fail(Kind::truncated, "producer record " + std::to_string(k) + " at byte " + at(rec) + " is cut short");
    const std::int64_t pid = r.i64();
    if (pid < 0) return fail(Kind::impossible_value, "negative producer id at byte " + at(rec));
    if (pid <= previous_pid)
      return fail(Kind::impossible_value, "producer id " + std::to_string(pid) + " at byte " + at(rec) +
                                              (pid == previous_pid ? " is a duplicate" : " is out of order"));
    previous_pid = pid;
    const std::int16_t epoch = r.i16();
    const std::int64_t ts = r.i64();
    const std::size_t count_at = r.pos();
    const int n = r.u8();
    if (n > max_batches || n > W)
      return fail(Kind::impossible_value, "batch count " + std::to_string(n) + " at byte " + at(count_at) +
                                              " exceeds the window allowed here (" + std::to_string(max_batches) + ")");
    if (r.remaining() < std::size_t(n) * kBatchSize)
      return fail(Kind::truncated, "batches of producer " + std::to_string(pid) + " at byte " + at(r.pos()) +
                                       " are cut short");
    Meta m[W];
    for (int i = 0; i < n; ++i) {
      // Each field is range-checked before any arithmetic uses it: the
      // first offset (last offset - offset delta) is computed only once
      // 0 <= offset delta <= last offset < log end offset holds.
      const std::size_t bpos = r.pos();
      const std::string where = "producer " + std::to_string(pid) + ", batch " + std::to_string(i) + ": ";
      m[i].last_seq = r.i32();
      m[i].offset_delta = r.i32();
      m[i].last_offset = r.i64();
      if (m[i].last_seq < 0)
        return fail(Kind::impossible_value, where + "last sequence " + std::to_string(m[i].last_seq) + " at byte " +
                                                at(bpos) + " is negative");
      if (m[i].offset_delta < 0)
        return fail(Kind::impossible_value, where + "offset delta " + std::to_string(m[i].offset_delta) +
                                                " at byte " + at(bpos + 4) + " is negative");
      if (m[i].last_offset < 0)
        return fail(Kind::impossible_value, where + "last offset " + std::to_string(m[i].last_offset) + " at byte " +
                                                at(bpos + 8) + " is negative");
      if (m[i].last_offset >= leo)
        return fail(Kind::impossible_value, where + "last offset " + std::to_string(m[i].last_offset) + " at byte " +
                                                at(bpos + 8) + " is not below the snapshot's log end offset " +
                                                std::to_string(leo));
      if (m[i].offset_delta > m[i].last_offset)
        return fail(Kind::impossible_value, where + "offset delta " + std::to_string(m[i].offset_delta) +
                                                " at byte " + at(bpos + 4) + " exceeds the last offset " +
                                                std::to_string(m[i].last_offset) +
                                                ": the batch would start at a negative offset");
      const std::int64_t first_offset = m[i].last_offset - m[i].offset_delta;
      if (i > 0 && first_offset <= m[i - 1].last_offset)
        return fail(Kind::impossible_value, where + "first offset " + std::to_string(first_offset) + " (batch at byte " +
                                                at(bpos) + ") does not follow the previous batch's last offset " +
                                                std::to_string(m[i - 1].last_offset));
    }
    if (detail::expired_at(ts, now.ms, config.producer_id_expiration_ms)) {
      if constexpr (IDEMCHECK_SEEDED_BUGS_COMPILED) {
        if (!IDEMCHECK_SEEDED_BUG(reload_keeps_expired)) continue;
      } else {
        continue;
      }
    }
    const std::uint32_t tag = table.hash_(pid);
    const std::uint32_t id = table.insert_entry(table.probe(pid, tag).slot, pid, tag, epoch);
    table.entry(id).last_timestamp = ts;
    table.encode(id, m, IDEMCHECK_SEEDED_BUG(reload_loses_batches) ? 0 : n);
  }
  if (r.remaining() != 0)
    return fail(Kind::trailing_bytes, std::to_string(r.remaining()) + " trailing bytes after the last record, from byte " +
                                          at(r.pos()));
  return std::variant<BasicProducerStateTable, SnapshotError>(std::in_place_index<0>, std::move(table));
}

template <int W, class H>
auto BasicProducerStateTable<W, H>::load_newest_valid(std::span<const std::span<const std::byte>> newest_first,
                                                   TableConfig config, Timestamp now, H hash)
    -> SnapshotRecovery<BasicProducerStateTable> {
  SnapshotRecovery<BasicProducerStateTable> out{BasicProducerStateTable(config, hash), std::nullopt, {}};
  for (std::size_t i = 0; i < newest_first.size(); ++i) {
    auto loaded = load(newest_first[i], config, now, hash);
    if (auto* table = std::get_if<0>(&loaded)) {
      out.table = std::move(*table);
      out.loaded = i;
      return out;
    }
    out.rejected.push_back(std::move(std::get<1>(loaded)));
  }
  return out;
}

// ---------------------------------------------------------------- request pipeline

template <class Table>
void append_request(std::span<const RequestItem<Table>> items, std::span<AppendResult> out) noexcept {
  // Two-stage software pipeline: the index bucket of item i+kIndexAhead is
  // fetched while item i is applied; by item i+kEntryAhead they have
  // arrived, so locate() finds the candidate entry and fetches its (one)
  // line for writing. The items are still applied strictly in order, so
  // repeated producers or tables behave exactly as sequential append()
  // calls: the candidate is only a hint (see append_into()). Each item is
  // hashed once; its tag and candidate wait in small rings.
  // Distances measured at 1M producers in 32-item requests: the deeper the
  // better up to a whole request of index lines ahead (12/6 gave 2.2e7
  // appends/s, 24/12 2.7e7, 32/16 2.9e7).
  constexpr std::size_t kIndexAhead = 32;
  constexpr std::size_t kEntryAhead = 16;
  constexpr std::size_t kRing = 64;  // > kIndexAhead: live tags span kIndexAhead + 1 items
  static_assert(kEntryAhead < kIndexAhead && kIndexAhead < kRing && (kRing & (kRing - 1)) == 0);
  const std::size_t n = std::min(items.size(), out.size());
  std::uint32_t tags[kRing];
  std::uint32_t hints[kRing];
  const auto fetch_bucket = [&](std::size_t i) {
    const std::int64_t pid = items[i].batch.producer_id.value;
    const std::uint32_t tag = items[i].table->hash_(pid);
    tags[i % kRing] = tag;
    items[i].table->prefetch_bucket(pid, tag);
  };
  const auto fetch_entry = [&](std::size_t i) {
    hints[i % kRing] = items[i].table->locate(items[i].batch.producer_id.value, tags[i % kRing]);
  };
  for (std::size_t i = 0; i < std::min(n, kIndexAhead); ++i) fetch_bucket(i);
  for (std::size_t i = 0; i < std::min(n, kEntryAhead); ++i) fetch_entry(i);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kIndexAhead < n) fetch_bucket(i + kIndexAhead);
    if (i + kEntryAhead < n) fetch_entry(i + kEntryAhead);
    items[i].table->append_into(items[i].batch, hints[i % kRing], out[i]);
  }
}

}  // namespace idemcheck::impl
