// libFuzzer target: the producer-state snapshot decoder
// (impl::ProducerStateTable::load).
//
// Any bytes must decode to a table or come back as a SnapshotError, never a
// crash, an overflow or other undefined behaviour (ASan and UBSan are on in the
// fuzz preset). A snapshot that decodes is encoded again, and that encoding
// must decode to a table that encodes to the same bytes: load and snapshot
// agree on everything load accepts. The first input byte picks the table's
// settings, so both snapshot layouts (newest batch only, whole window) and
// every window size are reached; for half the inputs it also has the target
// write a correct CRC over the mutated bytes, so mutations get past the CRC
// check to the field validation behind it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <variant>
#include <vector>

#include "idemcheck/impl/crc32c.hpp"
#include "idemcheck/impl/detail/snapshot_codec.hpp"

#include "idemcheck/impl/producer_state_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace idemcheck::impl;
  if (size == 0) return 0;
  TableConfig config;
  config.window = 1 + (data[0] & 0x07) % 5;  // low bits: window 1..5
  config.snapshot_keeps_window = (data[0] & 0x10) != 0;
  // Expiry at load drops producers idle since before `now`; a late `now` for a
  // share of the inputs reaches that path too.
  const Timestamp now{(data[0] & 0x20) != 0 ? 200'000'000 : 0};
  std::vector<std::byte> input(reinterpret_cast<const std::byte*>(data + 1), reinterpret_cast<const std::byte*>(data + size));
  namespace fmt1 = detail::snapshot_format;
  if ((data[0] & 0x40) != 0 && input.size() >= fmt1::kCrcEnd) {
    const std::uint32_t crc = crc32c(std::span<const std::byte>(input).subspan(fmt1::kCrcEnd));
    for (std::size_t i = 0; i < 4; ++i) input[fmt1::kCrcOffset + i] = std::byte{static_cast<unsigned char>(crc >> (8 * i))};
  }
  const std::span<const std::byte> bytes(input);
  const auto table = ProducerStateTable::load(bytes, config, now);
  const auto* ok = std::get_if<ProducerStateTable>(&table);
  if (ok == nullptr) return 0;
  const auto encoded = ok->snapshot();
  const auto again = ProducerStateTable::load(encoded, config, now);
  const auto* ok_again = std::get_if<ProducerStateTable>(&again);
  if (ok_again == nullptr || ok_again->snapshot() != encoded) std::abort();
  return 0;
}
