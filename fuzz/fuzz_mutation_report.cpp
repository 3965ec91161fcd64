// libFuzzer target: the seeded-bug report decoder (properties::parse_report,
// what `idemcheck mutate --merge` reads).
//
// Any bytes must come back as a report or an error message, never a crash or
// undefined behaviour. A report that decodes is written again with to_json,
// and that must decode to a report that writes the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "idemcheck/properties/mutation.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace idemcheck::properties;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto report = parse_report(text);
  const auto* ok = std::get_if<MutationReport>(&report);
  if (ok == nullptr) return 0;
  const std::string written = to_json(*ok);
  const auto again = parse_report(written);
  const auto* ok_again = std::get_if<MutationReport>(&again);
  if (ok_again == nullptr || to_json(*ok_again) != written) std::abort();
  return 0;
}
