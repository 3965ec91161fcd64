// libFuzzer target: the .properties decoder and the settings behind it
// (cli::parse_properties, then every key applied as `idemcheck explore
// --config` applies it: world settings, Kafka producer properties and the
// world's own consistency check).
//
// Any text must come back as a configuration or an error message, never a
// crash or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "idemcheck/spec/producer_config.hpp"
#include "idemcheck/spec/world.hpp"
#include "options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace idemcheck;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = cli::parse_properties(text, "fuzz.properties");
  const auto* pairs = std::get_if<std::map<std::string, std::string>>(&parsed);
  if (pairs == nullptr) return 0;
  spec::WorldConfig config;
  bool unsafe = false;
  spec::ProducerSettings producer_settings;
  for (const auto& [key, value] : *pairs) {
    bool known = false;
    if (cli::apply_world_setting(config, unsafe, key, value, known)) return 0;
    if (!known) producer_settings[key] = value;
  }
  const auto validated = spec::validate_producer_settings(producer_settings, unsafe);
  if (const auto* producer = std::get_if<spec::ProducerConfig>(&validated)) {
    config.producer = *producer;
    (void)spec::check_world_config(config);
  }
  return 0;
}
