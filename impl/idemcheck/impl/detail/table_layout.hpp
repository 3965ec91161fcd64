// idemcheck/impl/detail/table_layout.hpp -- private to impl/.
//
// The storage records of BasicProducerStateTable and the arithmetic shared by
// its hot path. Kept out of the public header so that the contract there
// reads without the bit-level detail; see that header for the layout story.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace idemcheck::impl::detail {

inline constexpr std::int64_t kMaxSequence = 2'147'483'647;

/// Kafka's incrementSequence for s in [0, MAX] and d in [0, MAX]: the 64-bit
/// sum cannot overflow and one subtraction brings it back into range.
constexpr std::int32_t increment_sequence(std::int32_t s, std::int32_t d) noexcept {
  std::int64_t r = std::int64_t{s} + d;
  if (r > kMaxSequence) r -= kMaxSequence + 1;
  return static_cast<std::int32_t>(r);
}

/// Kafka's decrementSequence for s in [0, MAX] and d in [0, MAX].
constexpr std::int32_t decrement_sequence(std::int32_t s, std::int32_t d) noexcept {
  std::int64_t r = std::int64_t{s} - d;
  if (r < 0) r += kMaxSequence + 1;
  return static_cast<std::int32_t>(r);
}

/// Kafka's inSequence: the 64-bit sum keeps last == MAX from matching MAX + 1.
constexpr bool in_sequence(std::int64_t last, std::int64_t next) noexcept {
  return next == last + 1 || (next == 0 && last == kMaxSequence);
}

/// Kafka's isProducerExpired without overflow: an age beyond int64 means
/// "infinitely old" (now far after) or "infinitely young" (now far before),
/// and both verdicts are then exact.
constexpr bool expired_at(std::int64_t last_timestamp, std::int64_t now, std::int64_t expiration_ms) noexcept {
  std::int64_t age = 0;
  if (__builtin_sub_overflow(now, last_timestamp, &age)) return now > last_timestamp;
  return age >= expiration_ms;
}

/// A prefetch the optimizer cannot drop. GCC deletes a loop whose only effect
/// is __builtin_prefetch (it does not count as a side effect), which silently
/// removed the entry prefetch of the request pipeline; a volatile asm stays.
inline void prefetch(const void* p) noexcept {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

/// murmur3's 64-bit finalizer: producer ids are often dense counters, which
/// must still spread over the whole tag range.
constexpr std::uint64_t mix(std::uint64_t x) noexcept {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

/// The 32-bit tag stored in the index; it alone determines the home bucket.
constexpr std::uint32_t tag_of(std::int64_t pid) noexcept {
  return static_cast<std::uint32_t>(mix(static_cast<std::uint64_t>(pid)) >> 32);
}

/// A prefetch with intent to write: the entry of an append is always
/// modified, so fetching it exclusive saves the later ownership upgrade.
/// (Executes as a plain prefetch or a no-op on CPUs without PREFETCHW.)
inline void prefetch_for_write(const void* p) noexcept {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetchw %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p, 1);
#endif
}

/// One index bucket: a cache line of kBucketSlots (entry id, tag) slots,
/// tags first so that one vector compare covers them. kEmpty id marks a
/// free slot (its tag is 0 and ignored).
inline constexpr unsigned kBucketSlots = 8;
struct alignas(64) IndexBucket {
  std::uint32_t tag[kBucketSlots];
  std::uint32_t id[kBucketSlots];
};
static_assert(sizeof(IndexBucket) == 64);

/// Entry flags. With neither bit set the entry is in its common form:
/// compact offsets and a contiguous window (each batch's first sequence is
/// the previous batch's last sequence + 1), so the last sequence of every
/// older batch follows from the newest one and the offset deltas.
inline constexpr std::uint8_t kWideFlag = 1;       // offsets live in the side map
inline constexpr std::uint8_t kScatteredFlag = 2;  // window not contiguous: older last_seq in the cold record

template <int W>
struct EntryFields {
  std::int64_t producer_id;
  std::int64_t last_timestamp;
  std::int64_t newest_last_offset;   // -1 when the window is empty
  std::uint32_t newest_last_seq;     // last sequence of the newest batch (count > 0)
  std::int16_t epoch;
  std::uint8_t count;
  std::uint8_t flags;
  std::uint32_t back[W];          // newest_last_offset - last_offset (compact only; 0 for the newest)
  std::uint16_t offset_delta[W];  // last_offset - first_offset (compact only)
};

/// The hot record of one producer: everything check and commit read or write
/// on the common path. Arrays are oldest-first; the newest batch is at
/// count - 1 and has back 0 (implicit). When it fits a cache line it is
/// aligned to one, so an append touches exactly one entry line.
template <int W>
struct alignas(sizeof(EntryFields<W>) <= 64 ? 64 : 16) Entry : EntryFields<W> {};
static_assert(sizeof(Entry<5>) == 64, "the layout promised in the header banner");

/// The cold record of one producer, parallel to its Entry: the last sequence
/// of each older batch, valid only while the entry is flagged scattered.
template <int W>
struct ColdEntry {
  std::uint32_t last_seq[W > 1 ? W - 1 : 1];
};
static_assert(sizeof(ColdEntry<5>) == 16, "the layout promised in the header banner");

/// Exact window of a wide entry (count and the newest fields stay in the Entry).
template <int W>
struct WideWindow {
  std::int64_t last_offset[W];
  std::int32_t offset_delta[W];
  std::int32_t last_seq[W];
};

inline constexpr std::size_t kHugePage = std::size_t{2} << 20;

/// An owned, aligned, uninitialized byte block. Blocks of at least a huge
/// page are 2 MiB aligned and advised for transparent huge pages (a TLB miss
/// per random access otherwise dominates tables larger than the TLB reach).
class Block {
 public:
  Block() = default;
  Block(std::size_t bytes, std::size_t align) : bytes_(bytes), align_(align) {
    if (bytes_ >= kHugePage) align_ = kHugePage;
    data_ = static_cast<std::byte*>(::operator new(bytes_, std::align_val_t{align_}));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    // Only whole huge pages; a failure (THP disabled) just leaves 4 KiB pages.
    if (const std::size_t whole = bytes_ / kHugePage * kHugePage; whole > 0) (void)::madvise(data_, whole, MADV_HUGEPAGE);
#endif
  }
  Block(Block&& o) noexcept : data_(std::exchange(o.data_, nullptr)), bytes_(o.bytes_), align_(o.align_) {}
  Block& operator=(Block&& o) noexcept {
    if (this != &o) {
      release();
      data_ = std::exchange(o.data_, nullptr);
      bytes_ = o.bytes_;
      align_ = o.align_;
    }
    return *this;
  }
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;
  ~Block() { release(); }
  [[nodiscard]] std::byte* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t bytes() const noexcept { return data_ ? bytes_ : 0; }

 private:
  void release() noexcept {
    if (data_) ::operator delete(data_, std::align_val_t{align_});
    data_ = nullptr;
  }
  std::byte* data_ = nullptr;
  std::size_t bytes_ = 0;
  std::size_t align_ = 64;
};

}  // namespace idemcheck::impl::detail
