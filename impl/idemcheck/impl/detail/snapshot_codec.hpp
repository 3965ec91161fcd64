// idemcheck/impl/detail/snapshot_codec.hpp -- private to impl/.
//
// Explicit little-endian byte encoding for the producer-state snapshot.
// Every field is written byte by byte (never a memcpy of a struct), so the
// format is independent of host endianness, padding and compiler.
//
// Snapshot format, version 1 (all integers little-endian):
//   off  size  field
//     0     4  magic "ICPS" (idemcheck producer-state snapshot)
//     4     2  u16 version (= 1)
//     6     4  u32 CRC32C of every byte from offset 10 to the end
//    10     1  u8  window of the writer (>= 1)
//    11     1  u8  flags: bit 0 = the records keep the whole window
//    12     8  i64 log end offset the state is valid at (>= 0)
//    20     4  u32 producer count
//    24     -  producer records, strictly increasing producer id:
//                i64 producer id (>= 0), i16 epoch, i64 last timestamp,
//                u8 batch count (<= 1 unless bit 0 of flags),
//                then per batch, oldest first:
//                  i32 last sequence (>= 0), i32 offset delta (>= 0),
//                  i64 last offset (first offset >= 0, last offset below
//                  the log end offset, batches strictly increasing).
// Magic and version are outside the CRC but are each checked for an exact
// value, so every byte of a snapshot is protected against corruption.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace idemcheck::impl::detail {

namespace snapshot_format {
inline constexpr unsigned char kMagic[4] = {'I', 'C', 'P', 'S'};
inline constexpr std::uint16_t kVersion = 1;
inline constexpr std::size_t kVersionOffset = 4;
inline constexpr std::size_t kCrcOffset = 6;
inline constexpr std::size_t kCrcEnd = 10;
inline constexpr std::size_t kHeaderSize = 24;
inline constexpr std::size_t kMinRecordSize = 8 + 2 + 8 + 1;
inline constexpr std::size_t kBatchSize = 4 + 4 + 8;
inline constexpr std::uint8_t kFlagKeepsWindow = 1;
}  // namespace snapshot_format

inline std::string at(std::size_t pos) { return std::to_string(pos); }

class ByteWriter {
 public:
  void bytes(const unsigned char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out_.push_back(std::byte{p[i]});
  }
  void u8(std::uint8_t v) { out_.push_back(std::byte{v}); }
  void u16(std::uint16_t v) { le(v, 2); }
  void u32(std::uint32_t v) { le(v, 4); }
  void i16(std::int16_t v) { le(static_cast<std::uint16_t>(v), 2); }
  void i32(std::int32_t v) { le(static_cast<std::uint32_t>(v), 4); }
  void i64(std::int64_t v) { le(static_cast<std::uint64_t>(v), 8); }
  std::vector<std::byte> take() && { return std::move(out_); }
  static void put_u32(std::byte* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = std::byte{static_cast<unsigned char>(v >> (8 * i))};
  }

 private:
  void le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(std::byte{static_cast<unsigned char>(v >> (8 * i))});
  }
  std::vector<std::byte> out_;
};

/// Reads fixed-width fields; the caller checks remaining() first, so reads
/// never run past the end (the loader verifies lengths before each group).
class ByteReader {
 public:
  ByteReader(std::span<const std::byte> in, std::size_t pos) : in_(in), pos_(pos) {}
  [[nodiscard]] std::size_t pos() const { return pos_; }
  [[nodiscard]] std::size_t remaining() const { return in_.size() - pos_; }
  std::uint8_t u8() { return static_cast<std::uint8_t>(le(1)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(le(4)); }
  std::int16_t i16() { return static_cast<std::int16_t>(static_cast<std::uint16_t>(le(2))); }
  std::int32_t i32() { return static_cast<std::int32_t>(static_cast<std::uint32_t>(le(4))); }
  std::int64_t i64() { return static_cast<std::int64_t>(le(8)); }
  static std::uint16_t get_u16(const std::byte* p) {
    return static_cast<std::uint16_t>(std::to_integer<unsigned>(p[0]) | (std::to_integer<unsigned>(p[1]) << 8));
  }
  static std::uint32_t get_u32(const std::byte* p) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::to_integer<std::uint32_t>(p[i]) << (8 * i);
    return v;
  }

 private:
  std::uint64_t le(int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= std::to_integer<std::uint64_t>(in_[pos_ + static_cast<std::size_t>(i)]) << (8 * i);
    pos_ += static_cast<std::size_t>(n);
    return v;
  }
  std::span<const std::byte> in_;
  std::size_t pos_;
};

}  // namespace idemcheck::impl::detail
