// libFuzzer target: the history-file decoder (io::parse_history_file).
//
// Any bytes must come back as a history or as a LoadError, never a crash or
// undefined behaviour (the fuzz preset builds with ASan and UBSan). A file that
// decodes must also survive the writer: what write_history_file prints decodes
// again to the same file, so the reader and the writer agree on every file the
// reader accepts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "idemcheck/io/history_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace idemcheck::io;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto loaded = parse_history_file(text);
  const auto* ok = std::get_if<LoadedHistory>(&loaded);
  if (ok == nullptr) return 0;
  const std::string written = write_history_file(ok->file);
  const auto again = parse_history_file(written);
  const auto* ok_again = std::get_if<LoadedHistory>(&again);
  // A written file that does not read back, or reads back different, is a bug
  // in one of the two: abort so libFuzzer keeps the input.
  if (ok_again == nullptr || write_history_file(ok_again->file) != written) std::abort();
  return 0;
}
