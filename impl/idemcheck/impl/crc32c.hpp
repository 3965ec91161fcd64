// idemcheck/impl/crc32c.hpp
//
// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum the
// producer-state snapshot uses to reject torn or corrupt files. Chosen over
// CRC32 (zlib) because it is what Kafka uses for record batches and producer
// snapshots and because it detects more burst patterns at equal width.
//
// Guarantees: pure functions, no allocation, no global state after static
// initialisation; crc32c("123456789") == 0xE3069283 (the standard check
// value). Incremental use: crc32c(b, crc32c(a)) == crc32c(a ++ b).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace idemcheck::impl {

/// CRC32C of `data`, continuing from a previous result `crc` (0 to start).
/// The pre- and post-inversion are applied inside, so chaining works on the
/// returned values directly.
[[nodiscard]] std::uint32_t crc32c(std::span<const std::byte> data, std::uint32_t crc = 0) noexcept;

}  // namespace idemcheck::impl
