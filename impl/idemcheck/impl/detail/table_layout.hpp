// idemcheck/impl/detail/table_layout.hpp -- private to impl/.
//
// The storage records of BasicProducerStateTable and the arithmetic shared by
// its hot path. Kept out of the public header so that the contract there
// reads without the bit-level detail; see that header for the layout story.
#pragma once

#include <cstdint>

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

/// One index bucket: kEmpty id marks a free bucket.
struct IndexSlot {
  std::uint32_t id;
  std::uint32_t tag;
};

inline constexpr std::uint8_t kWideFlag = 1;

/// One producer's state in compact form. Arrays are oldest-first; the newest
/// batch is at count - 1 and has back == 0. Offsets are stored relative to
/// the newest batch so that 32 bits suffice for any realistic window.
template <int W>
struct Entry {
  std::int64_t producer_id;
  std::int64_t last_timestamp;
  std::int64_t newest_last_offset;
  std::int16_t epoch;
  std::uint8_t count;
  std::uint8_t flags;
  std::uint32_t last_seq[W];
  std::uint32_t back[W];          // newest_last_offset - last_offset (compact only)
  std::uint16_t offset_delta[W];  // last_offset - first_offset (compact only)
};
static_assert(sizeof(Entry<5>) == 80, "the layout promised in the header banner");

/// Exact offsets of a wide entry's window (last_seq stays in the Entry).
template <int W>
struct WideWindow {
  std::int64_t last_offset[W];
  std::int32_t offset_delta[W];
};

}  // namespace idemcheck::impl::detail
