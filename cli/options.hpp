// cli/options.hpp
//
// Command-line options of the idemcheck tool, parsed into plain values.
// Parsing never throws and never exits: a bad option comes back as an error
// message that names it, and main() turns that into a non-zero exit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "idemcheck/spec/partition_model.hpp"

namespace idemcheck::cli {

/// Options of `idemcheck [check]`: the broker differential check.
struct CheckOptions {
  std::uint64_t seed = 0;          ///< 0: pick one and print it
  bool seed_given = false;
  std::uint64_t histories = 2000;  ///< how many random histories
  int max_size = 100;              ///< RapidCheck size cap, 1..100
  spec::BrokerConfig broker;       ///< Kafka's defaults unless --set
  bool quiet = false;
  std::optional<std::uint64_t> only_history;  ///< run just this history index (to reproduce one)
};

/// What the command line asked for.
struct Command {
  enum class Kind { check, help, version };
  Kind kind = Kind::check;
  CheckOptions check;
};

/// Parse argv[1..]. Returns the command or an error message.
std::variant<Command, std::string> parse_command_line(const std::vector<std::string>& args);

/// Apply one `key=value` setting (Kafka property names) to a broker config.
/// Returns an error message if the key is unknown or the value impossible.
std::optional<std::string> apply_setting(spec::BrokerConfig& config, const std::string& assignment);

/// Parse a whole unsigned decimal number; no sign, no trailing characters.
std::optional<std::uint64_t> parse_unsigned(const std::string& text);

/// The usage text.
std::string usage();

}  // namespace idemcheck::cli
