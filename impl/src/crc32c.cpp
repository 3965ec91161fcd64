// Table-driven CRC32C, "slicing by 8": eight 256-entry tables let the loop
// consume 8 bytes per iteration with independent lookups, about 4-6x faster
// than the byte-at-a-time loop while staying portable (no SSE4.2 needed).
#include "idemcheck/impl/crc32c.hpp"

#include <array>

namespace idemcheck::impl {
namespace {

constexpr std::uint32_t kPoly = 0x82F63B78u;

using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Tables make_tables() {
  Tables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ kPoly : c >> 1;
    t[0][i] = c;
  }
  for (std::size_t s = 1; s < 8; ++s) {
    for (std::size_t i = 0; i < 256; ++i) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFFu];
  }
  return t;
}

// constexpr so the tables live in .rodata: no static-initialisation order
// issue and no first-call race.
constexpr Tables kTables = make_tables();

inline std::uint32_t byte_at(const std::byte* p, std::size_t i) { return std::to_integer<std::uint32_t>(p[i]); }

}  // namespace

std::uint32_t crc32c(std::span<const std::byte> data, std::uint32_t crc) noexcept {
  std::uint32_t c = ~crc;
  const std::byte* p = data.data();
  std::size_t n = data.size();
  // Bytes are assembled explicitly (not loaded as a word) so the result does
  // not depend on host endianness or alignment.
  while (n >= 8) {
    const std::uint32_t lo =
        c ^ (byte_at(p, 0) | (byte_at(p, 1) << 8) | (byte_at(p, 2) << 16) | (byte_at(p, 3) << 24));
    const std::uint32_t hi = byte_at(p, 4) | (byte_at(p, 5) << 8) | (byte_at(p, 6) << 16) | (byte_at(p, 7) << 24);
    c = kTables[7][lo & 0xFFu] ^ kTables[6][(lo >> 8) & 0xFFu] ^ kTables[5][(lo >> 16) & 0xFFu] ^
        kTables[4][lo >> 24] ^ kTables[3][hi & 0xFFu] ^ kTables[2][(hi >> 8) & 0xFFu] ^
        kTables[1][(hi >> 16) & 0xFFu] ^ kTables[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = (c >> 8) ^ kTables[0][(c ^ byte_at(p++, 0)) & 0xFFu];
  return ~c;
}

}  // namespace idemcheck::impl
