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

#include "idemcheck/impl/crc32c.hpp"
#include "idemcheck/impl/detail/snapshot_codec.hpp"

namespace idemcheck::impl {

template <int W>
struct BasicProducerStateTable<W>::Meta {
  std::int32_t last_seq;
  std::int32_t offset_delta;
  std::int64_t last_offset;
};

// ---------------------------------------------------------------- lifecycle

template <int W>
BasicProducerStateTable<W>::BasicProducerStateTable(TableConfig config) : config_(config) {
  if (config.window < 1 || config.window > W) throw std::invalid_argument("TableConfig.window outside [1, MaxWindow]");
  if (config.producer_id_expiration_ms < 0) throw std::invalid_argument("TableConfig.producer_id_expiration_ms < 0");
  rehash(16);
}

template <int W>
BasicProducerStateTable<W>::BasicProducerStateTable(const BasicProducerStateTable& o)
    : config_(o.config_),
      log_end_offset_(o.log_end_offset_),
      size_(o.size_),
      capacity_(o.capacity_),
      slots_(std::make_unique<Slot[]>(o.capacity_)),
      wide_(o.wide_) {
  std::copy_n(o.slots_.get(), capacity_, slots_.get());
  chunks_.reserve(o.chunks_.size());
  for (const auto& c : o.chunks_) {
    chunks_.push_back(std::unique_ptr<Entry[]>(new Entry[kChunkSize]));
    std::copy_n(c.get(), kChunkSize, chunks_.back().get());
  }
}

template <int W>
auto BasicProducerStateTable<W>::operator=(const BasicProducerStateTable& o) -> BasicProducerStateTable& {
  if (this != &o) {
    BasicProducerStateTable copy(o);
    *this = std::move(copy);
  }
  return *this;
}

// ---------------------------------------------------------------- small accessors

template <int W>
Offset BasicProducerStateTable<W>::log_end_offset() const noexcept {
  return Offset{log_end_offset_};
}

template <int W>
std::size_t BasicProducerStateTable<W>::size() const noexcept {
  return size_;
}

template <int W>
auto BasicProducerStateTable<W>::entry(std::uint32_t id) noexcept -> Entry& {
  return chunks_[id >> kChunkShift][id & (kChunkSize - 1)];
}

template <int W>
auto BasicProducerStateTable<W>::entry(std::uint32_t id) const noexcept -> const Entry& {
  return chunks_[id >> kChunkShift][id & (kChunkSize - 1)];
}

template <int W>
std::uint32_t BasicProducerStateTable<W>::home(std::uint32_t tag) const noexcept {
  // fastrange: maps the tag onto [0, capacity) with a multiply instead of a
  // division, for any capacity.
  return static_cast<std::uint32_t>((std::uint64_t{tag} * capacity_) >> 32);
}

template <int W>
auto BasicProducerStateTable<W>::probe(std::int64_t pid, std::uint32_t tag) const noexcept -> Probe {
  std::uint32_t b = home(tag);
  // The load factor cap guarantees an empty bucket, so the loop terminates.
  for (;;) {
    const Slot s = slots_[b];
    if (s.id == kEmpty) return {false, b, kEmpty};
    if (s.tag == tag && entry(s.id).producer_id == pid) return {true, b, s.id};
    if (++b == capacity_) b = 0;
  }
}

template <int W>
std::uint32_t BasicProducerStateTable<W>::bucket_of(std::uint32_t id, std::uint32_t tag) const noexcept {
  std::uint32_t b = home(tag);
  while (slots_[b].id != id) {
    if (++b == capacity_) b = 0;
  }
  return b;
}

template <int W>
void BasicProducerStateTable<W>::prefetch_bucket(ProducerId pid) const noexcept {
  if (!pid.valid()) return;
  detail::prefetch(&slots_[home(detail::tag_of(pid.value))]);
}

template <int W>
void BasicProducerStateTable<W>::prefetch_entry(ProducerId pid) const noexcept {
  if (!pid.valid()) return;
  const std::uint32_t tag = detail::tag_of(pid.value);
  std::uint32_t b = home(tag);
  // A bounded scan: this is only a hint, a long cluster is not worth stalling on.
  for (int i = 0; i < 8; ++i) {
    const Slot s = slots_[b];
    if (s.id == kEmpty) return;
    if (s.tag == tag) {
      const char* p = reinterpret_cast<const char*>(&entry(s.id));
      detail::prefetch(p);
      detail::prefetch(p + sizeof(Entry) - 1);
      return;
    }
    if (++b == capacity_) b = 0;
  }
}

// ---------------------------------------------------------------- index maintenance

template <int W>
void BasicProducerStateTable<W>::rehash(std::uint32_t new_capacity) {
  auto fresh = std::make_unique<Slot[]>(new_capacity);
  std::fill_n(fresh.get(), new_capacity, Slot{kEmpty, 0});
  slots_ = std::move(fresh);
  capacity_ = new_capacity;
  for (std::uint32_t id = 0; id < size_; ++id) {
    const std::uint32_t tag = detail::tag_of(entry(id).producer_id);
    std::uint32_t b = home(tag);
    while (slots_[b].id != kEmpty) {
      if (++b == capacity_) b = 0;
    }
    slots_[b] = Slot{id, tag};
  }
}

template <int W>
void BasicProducerStateTable<W>::grow_for_one_more() {
  // Max load 7/8: beyond that linear probing's miss length grows fast.
  if ((std::uint64_t{size_} + 1) * 8 <= std::uint64_t{capacity_} * 7) return;
  std::uint64_t cap = std::max<std::uint64_t>(16, std::uint64_t{capacity_} + capacity_ / 2);
  while ((std::uint64_t{size_} + 1) * 8 > cap * 7) cap += cap / 2;
  if (cap >= kEmpty) throw std::length_error("producer state table full");
  rehash(static_cast<std::uint32_t>(cap));
}

template <int W>
void BasicProducerStateTable<W>::reserve(std::size_t n) {
  const std::uint64_t cap = std::uint64_t{n} * 8 / 7 + 2;
  if (cap >= kEmpty) throw std::length_error("producer state table: reserve too large");
  if (cap > capacity_) rehash(static_cast<std::uint32_t>(cap));
  chunks_.reserve((n + kChunkSize - 1) / kChunkSize + 1);
}

template <int W>
std::uint32_t BasicProducerStateTable<W>::insert_entry(std::uint32_t bucket, std::int64_t pid, std::uint32_t tag,
                                                       std::int16_t epoch) {
  if ((std::uint64_t{size_} + 1) * 8 > std::uint64_t{capacity_} * 7) {
    grow_for_one_more();
    bucket = probe(pid, tag).bucket;  // the decision's bucket is stale after a rehash
  }
  const std::uint32_t id = size_;
  if ((id >> kChunkShift) >= chunks_.size()) chunks_.push_back(std::unique_ptr<Entry[]>(new Entry[kChunkSize]));
  Entry& e = entry(id);
  e.producer_id = pid;
  e.last_timestamp = 0;
  e.newest_last_offset = -1;
  e.epoch = epoch;
  e.count = 0;
  e.flags = 0;
  slots_[bucket] = Slot{id, tag};
  ++size_;
  return id;
}

template <int W>
void BasicProducerStateTable<W>::erase_entry(std::uint32_t id) noexcept {
  Entry& e = entry(id);
  if (e.flags & detail::kWideFlag) wide_.erase(e.producer_id);
  // Backward-shift deletion: pull later members of the cluster into the hole
  // whenever that does not move them before their home bucket, so no
  // tombstones are needed and lookups stay as short as at insertion.
  std::uint32_t hole = bucket_of(id, detail::tag_of(e.producer_id));
  std::uint32_t j = hole;
  for (;;) {
    if (++j == capacity_) j = 0;
    const Slot s = slots_[j];
    if (s.id == kEmpty) break;
    const std::uint32_t k = home(s.tag);
    // s may move to `hole` iff its home k is not cyclically within (hole, j].
    const bool k_in_range = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
    if (!k_in_range) {
      slots_[hole] = s;
      hole = j;
    }
  }
  slots_[hole] = Slot{kEmpty, 0};

  const std::uint32_t last = size_ - 1;
  if (id != last) {
    Entry& moved = entry(last);
    slots_[bucket_of(last, detail::tag_of(moved.producer_id))].id = id;
    e = moved;
  }
  --size_;
  // Keep one spare chunk so that an insert/expire cycle at a chunk boundary
  // does not allocate every time.
  const std::size_t needed = (std::size_t{size_} + kChunkSize - 1) / kChunkSize;
  while (chunks_.size() > needed + 1) chunks_.pop_back();
}

// ---------------------------------------------------------------- window encoding

template <int W>
void BasicProducerStateTable<W>::clear_window(Entry& e) noexcept {
  if (e.flags & detail::kWideFlag) wide_.erase(e.producer_id);
  e.flags = 0;
  e.count = 0;
  e.newest_last_offset = -1;
}

template <int W>
int BasicProducerStateTable<W>::decode(const Entry& e, Meta* out) const noexcept {
  const int n = e.count;
  if (e.flags & detail::kWideFlag) {
    const auto& w = wide_.find(e.producer_id)->second;
    for (int i = 0; i < n; ++i)
      out[i] = Meta{static_cast<std::int32_t>(e.last_seq[i]), w.offset_delta[i], w.last_offset[i]};
  } else {
    for (int i = 0; i < n; ++i)
      out[i] = Meta{static_cast<std::int32_t>(e.last_seq[i]), std::int32_t{e.offset_delta[i]},
                    e.newest_last_offset - std::int64_t{e.back[i]}};
  }
  return n;
}

template <int W>
void BasicProducerStateTable<W>::encode(Entry& e, const Meta* in, int n) {
  const std::int64_t newest = n > 0 ? in[n - 1].last_offset : -1;
  bool compact = true;
  for (int i = 0; i < n; ++i) {
    if (in[i].offset_delta > 0xFFFF || newest - in[i].last_offset > std::int64_t{0xFFFFFFFF}) compact = false;
  }
  e.count = static_cast<std::uint8_t>(n);
  e.newest_last_offset = newest;
  for (int i = 0; i < n; ++i) e.last_seq[i] = static_cast<std::uint32_t>(in[i].last_seq);
  if (compact) {
    if (e.flags & detail::kWideFlag) wide_.erase(e.producer_id);
    e.flags = 0;
    for (int i = 0; i < n; ++i) {
      e.back[i] = static_cast<std::uint32_t>(newest - in[i].last_offset);
      e.offset_delta[i] = static_cast<std::uint16_t>(in[i].offset_delta);
    }
  } else {
    auto& w = wide_[e.producer_id];
    for (int i = 0; i < n; ++i) {
      w.last_offset[i] = in[i].last_offset;
      w.offset_delta[i] = in[i].offset_delta;
    }
    e.flags = detail::kWideFlag;
  }
}

template <int W>
void BasicProducerStateTable<W>::push_batch(Entry& e, std::int32_t last_seq, std::int64_t last_offset,
                                            std::int32_t offset_delta) {
  const int window = config_.window;
  if (!(e.flags & detail::kWideFlag) && offset_delta <= 0xFFFF) {
    // Fast path: stays compact. Offsets only grow, so shift >= 0, and the
    // oldest kept batch has the largest back: checking it checks them all.
    const int drop = e.count >= window ? e.count - window + 1 : 0;
    const int kept = e.count - drop;
    const std::uint64_t shift = static_cast<std::uint64_t>(last_offset - e.newest_last_offset);
    if (kept == 0 || (shift <= 0xFFFFFFFFu && std::uint64_t{e.back[drop]} + shift <= 0xFFFFFFFFu)) {
      // One fused pass (shift out the dropped batches, rebase the rest): a
      // separate shift then add made the compiler reload freshly stored
      // scalars as a vector, which stalls on store forwarding.
      const auto add = static_cast<std::uint32_t>(shift);
      for (int i = 0; i < kept; ++i) {
        e.last_seq[i] = e.last_seq[i + drop];
        e.back[i] = e.back[i + drop] + add;
        e.offset_delta[i] = e.offset_delta[i + drop];
      }
      e.last_seq[kept] = static_cast<std::uint32_t>(last_seq);
      e.back[kept] = 0;
      e.offset_delta[kept] = static_cast<std::uint16_t>(offset_delta);
      e.count = static_cast<std::uint8_t>(kept + 1);
      e.newest_last_offset = last_offset;
      return;
    }
  }
  Meta m[W + 1];
  int n = decode(e, m);
  m[n++] = Meta{last_seq, offset_delta, last_offset};
  const int drop = n > window ? n - window : 0;
  encode(e, m + drop, n - drop);
}

// ---------------------------------------------------------------- append path

template <int W>
bool BasicProducerStateTable<W>::find_duplicate(const Entry& e, std::int32_t first_seq, std::int32_t last_seq,
                                                Decision& d) const noexcept {
  const auto want = static_cast<std::uint32_t>(last_seq);
  for (int i = 0; i < e.count; ++i) {
    if (e.last_seq[i] != want) continue;  // cheap filter before decoding offsets
    std::int32_t delta;
    std::int64_t last_offset;
    if (e.flags & detail::kWideFlag) {
      const auto& w = wide_.find(e.producer_id)->second;
      delta = w.offset_delta[i];
      last_offset = w.last_offset[i];
    } else {
      delta = e.offset_delta[i];
      last_offset = e.newest_last_offset - std::int64_t{e.back[i]};
    }
    // The cached first sequence derives from the offset span, as in Kafka
    // (KAFKA-7692), not from the incoming batch.
    if (detail::decrement_sequence(last_seq, delta) != first_seq) continue;
    d.kind = Decision::Kind::duplicate;
    d.first_offset = Offset{last_offset - delta};
    d.last_offset = Offset{last_offset};
    return true;
  }
  return false;
}

template <int W>
auto BasicProducerStateTable<W>::check(const BatchHeader& b) const noexcept -> Decision {
  Decision d;
  if (b.last_offset_delta < 0) {
    d.error = Errc::invalid_record;
    return d;
  }
  if (!b.producer_id.valid()) {
    d.kind = Decision::Kind::no_producer_id;
    return d;
  }
  const std::int32_t base = b.base_sequence.value;
  if (base < 0) {
    d.error = Errc::invalid_record;
    return d;
  }
  const std::uint32_t tag = detail::tag_of(b.producer_id.value);
  const Probe p = probe(b.producer_id.value, tag);
  const Entry* e = p.found ? &entry(p.id) : nullptr;
  const int current = e ? e->epoch : -1;
  const int epoch = b.epoch.value;

  if (e && epoch == current &&
      find_duplicate(*e, base, detail::increment_sequence(base, b.last_offset_delta), d))
    return d;
  if (epoch < current) {
    d.error = Errc::invalid_producer_epoch;
    return d;
  }
  if (epoch > current) {
    // A new epoch restarts at 0, unless the broker never saw an epoch.
    if (current != -1 && base != 0) {
      d.error = Errc::out_of_order_sequence_number;
      return d;
    }
  } else if (current != -1) {
    const std::int64_t last = e->count > 0 ? std::int64_t{e->last_seq[e->count - 1]} : -1;
    if (!detail::in_sequence(last, base)) {
      d.error = Errc::out_of_order_sequence_number;
      return d;
    }
  }
  if (e) {
    d.kind = Decision::Kind::update;
    d.position = p.id;
    d.clear_window = epoch != current;
  } else {
    d.kind = Decision::Kind::insert;
    d.position = p.bucket;
  }
  return d;
}

template <int W>
AppendResult BasicProducerStateTable<W>::commit(const BatchHeader& b, const Decision& d) noexcept {
  AppendResult r;
  commit_into(b, d, r);
  return r;
}

template <int W>
void BasicProducerStateTable<W>::commit_into(const BatchHeader& b, const Decision& d, AppendResult& r) noexcept {
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
  Entry* e;
  if (d.kind == K::insert) {
    e = &entry(insert_entry(d.position, b.producer_id.value, detail::tag_of(b.producer_id.value), b.epoch.value));
  } else {
    e = &entry(d.position);
    if (d.clear_window) {
      clear_window(*e);
      e->epoch = b.epoch.value;
    }
  }
  const std::int64_t first = log_end_offset_;
  const std::int64_t last = first + b.last_offset_delta;
  push_batch(*e, detail::increment_sequence(b.base_sequence.value, b.last_offset_delta), last, b.last_offset_delta);
  e->last_timestamp = b.max_timestamp.ms;
  log_end_offset_ = last + 1;
  r = AppendResult{Errc::none, false, Offset{first}, Offset{last}};
}

template <int W>
AppendResult BasicProducerStateTable<W>::append(const BatchHeader& b) noexcept {
  return commit(b, check(b));
}

template <int W>
void BasicProducerStateTable<W>::replicate(const BatchHeader& b) noexcept {
  if (b.last_offset_delta < 0) return;
  const std::int64_t first = log_end_offset_;
  const std::int64_t last = first + b.last_offset_delta;
  if (b.producer_id.valid() && b.base_sequence.value >= 0) {
    const std::uint32_t tag = detail::tag_of(b.producer_id.value);
    const Probe p = probe(b.producer_id.value, tag);
    Entry* e;
    if (p.found) {
      e = &entry(p.id);
      // A follower adopts the leader's epoch, lower or higher.
      if (e->epoch != b.epoch.value) {
        clear_window(*e);
        e->epoch = b.epoch.value;
      }
    } else {
      e = &entry(insert_entry(p.bucket, b.producer_id.value, tag, b.epoch.value));
    }
    push_batch(*e, detail::increment_sequence(b.base_sequence.value, b.last_offset_delta), last, b.last_offset_delta);
    e->last_timestamp = b.max_timestamp.ms;
  }
  log_end_offset_ = last + 1;
}

// ---------------------------------------------------------------- expiry and views

template <int W>
bool BasicProducerStateTable<W>::expired(const Entry& e, Timestamp now) const noexcept {
  return detail::expired_at(e.last_timestamp, now.ms, config_.producer_id_expiration_ms);
}

template <int W>
std::size_t BasicProducerStateTable<W>::expire(Timestamp now) noexcept {
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

template <int W>
EntryView BasicProducerStateTable<W>::view(const Entry& e) const noexcept {
  EntryView v;
  v.producer_id = ProducerId{e.producer_id};
  v.epoch = Epoch{e.epoch};
  v.last_timestamp = Timestamp{e.last_timestamp};
  Meta m[W];
  v.batch_count = decode(e, m);
  for (int i = 0; i < v.batch_count; ++i) {
    v.batches[i] = CachedBatch{Sequence{detail::decrement_sequence(m[i].last_seq, m[i].offset_delta)},
                               Sequence{m[i].last_seq}, Offset{m[i].last_offset - m[i].offset_delta},
                               Offset{m[i].last_offset}};
  }
  return v;
}

template <int W>
std::optional<EntryView> BasicProducerStateTable<W>::find(ProducerId id) const noexcept {
  if (!id.valid()) return std::nullopt;
  const Probe p = probe(id.value, detail::tag_of(id.value));
  if (!p.found) return std::nullopt;
  return view(entry(p.id));
}

template <int W>
std::vector<EntryView> BasicProducerStateTable<W>::entries() const {
  std::vector<EntryView> out;
  out.reserve(size_);
  for (std::uint32_t id = 0; id < size_; ++id) out.push_back(view(entry(id)));
  std::sort(out.begin(), out.end(),
            [](const EntryView& a, const EntryView& b) { return a.producer_id < b.producer_id; });
  return out;
}

template <int W>
std::size_t BasicProducerStateTable<W>::memory_bytes() const noexcept {
  // The side map is estimated from libstdc++'s node shape: next pointer +
  // value, plus one bucket pointer per bucket. Allocator headers excluded.
  using WideNode = std::pair<const std::int64_t, detail::WideWindow<W>>;
  return std::size_t{capacity_} * sizeof(Slot) + chunks_.size() * kChunkSize * sizeof(Entry) +
         chunks_.capacity() * sizeof(chunks_[0]) + wide_.size() * (sizeof(void*) + sizeof(WideNode)) +
         wide_.bucket_count() * sizeof(void*);
}

// ---------------------------------------------------------------- snapshots

template <int W>
std::vector<std::byte> BasicProducerStateTable<W>::snapshot() const {
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
    const int n = decode(e, m);
    const int from = config_.snapshot_keeps_window ? 0 : std::max(0, n - 1);
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

template <int W>
auto BasicProducerStateTable<W>::load(std::span<const std::byte> bytes, TableConfig config, Timestamp now)
    -> std::variant<BasicProducerStateTable, SnapshotError> {
  using namespace detail::snapshot_format;
  using Kind = SnapshotError::Kind;
  using detail::at;
  BasicProducerStateTable table(config);  // validates the config (throws on misuse)

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
      const std::size_t bpos = r.pos();
      m[i].last_seq = r.i32();
      m[i].offset_delta = r.i32();
      m[i].last_offset = r.i64();
      if (m[i].last_seq < 0)
        return fail(Kind::impossible_value, "negative last sequence at byte " + at(bpos));
      if (m[i].offset_delta < 0)
        return fail(Kind::impossible_value, "negative offset delta at byte " + at(bpos + 4));
      const std::int64_t first_offset = m[i].last_offset - m[i].offset_delta;
      if (first_offset < 0)
        return fail(Kind::impossible_value, "batch at byte " + at(bpos) + " starts at a negative offset");
      if (m[i].last_offset >= leo)
        return fail(Kind::impossible_value, "last offset at byte " + at(bpos + 8) +
                                                " is not below the snapshot's log end offset");
      if (i > 0 && first_offset <= m[i - 1].last_offset)
        return fail(Kind::impossible_value, "batch at byte " + at(bpos) + " does not follow the previous batch");
    }
    if (detail::expired_at(ts, now.ms, config.producer_id_expiration_ms)) continue;
    const std::uint32_t tag = detail::tag_of(pid);
    Entry& e = table.entry(table.insert_entry(table.probe(pid, tag).bucket, pid, tag, epoch));
    e.last_timestamp = ts;
    table.encode(e, m, n);
  }
  if (r.remaining() != 0)
    return fail(Kind::trailing_bytes, std::to_string(r.remaining()) + " trailing bytes after the last record, from byte " +
                                          at(r.pos()));
  return std::variant<BasicProducerStateTable, SnapshotError>(std::in_place_index<0>, std::move(table));
}

// ---------------------------------------------------------------- request pipeline

template <class Table>
void append_request(std::span<const RequestItem<Table>> items, std::span<AppendResult> out) noexcept {
  // Two-stage software pipeline: the index bucket of item i+D is fetched
  // while item i is validated; by item i+D/2 that bucket has arrived, so
  // the entry it points to is fetched next. Both are hints only: the items
  // are still applied strictly in order, so repeated producers or tables
  // behave exactly as sequential append() calls.
  constexpr std::size_t kDistance = 16;
  const std::size_t n = std::min(items.size(), out.size());
  for (std::size_t i = 0; i < std::min(n, kDistance); ++i) items[i].table->prefetch_bucket(items[i].batch.producer_id);
  for (std::size_t i = 0; i < std::min(n, kDistance / 2); ++i)
    items[i].table->prefetch_entry(items[i].batch.producer_id);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kDistance < n) items[i + kDistance].table->prefetch_bucket(items[i + kDistance].batch.producer_id);
    if (i + kDistance / 2 < n)
      items[i + kDistance / 2].table->prefetch_entry(items[i + kDistance / 2].batch.producer_id);
    // Written in place: returning the 24-byte result by value and copying
    // it made every item stall on store forwarding.
    items[i].table->commit_into(items[i].batch, items[i].table->check(items[i].batch), out[i]);
  }
}

}  // namespace idemcheck::impl
