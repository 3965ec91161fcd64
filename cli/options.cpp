#include "options.hpp"

#include <charconv>
#include <fmt/format.h>

namespace idemcheck::cli {

std::optional<std::uint64_t> parse_unsigned(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

std::optional<std::string> apply_setting(spec::BrokerConfig& config, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos) return fmt::format("--set expects key=value, got '{}'", assignment);
  const std::string key = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  const auto number = parse_unsigned(value);
  if (key == "producer.id.expiration.ms") {
    // Kafka: int, at least 1.
    if (!number || *number < 1 || *number > 2'147'483'647) {
      return fmt::format("producer.id.expiration.ms must be an integer in [1, 2147483647], got '{}'", value);
    }
    config.producer_id_expiration_ms = static_cast<std::int64_t>(*number);
    return std::nullopt;
  }
  if (key == "idemcheck.broker.cached.batches") {
    if (!number || *number < 1 || *number > 8) {
      return fmt::format("idemcheck.broker.cached.batches must be an integer in [1, 8], got '{}'", value);
    }
    config.window = static_cast<int>(*number);
    return std::nullopt;
  }
  if (key == "idemcheck.snapshot.keeps.window") {
    if (value != "true" && value != "false") {
      return fmt::format("idemcheck.snapshot.keeps.window must be true or false, got '{}'", value);
    }
    config.snapshot_keeps_window = value == "true";
    return std::nullopt;
  }
  return fmt::format("unknown setting '{}' (known: producer.id.expiration.ms, idemcheck.broker.cached.batches, "
                     "idemcheck.snapshot.keeps.window)",
                     key);
}

std::string usage() {
  return "usage: idemcheck [check] [options]\n"
         "\n"
         "Runs the broker differential check: random histories of broker operations\n"
         "played on the reference model (spec) and the optimized dedup core (impl),\n"
         "compared after every step. Defaults are Kafka's.\n"
         "\n"
         "options:\n"
         "  --seed N          seed of the random histories (default: random, printed)\n"
         "  --histories N     number of histories (default 2000)\n"
         "  --max-size N      RapidCheck size cap, 1..100 (default 100); histories\n"
         "                    hold up to 5 * size operations\n"
         "  --set KEY=VALUE   broker setting: producer.id.expiration.ms,\n"
         "                    idemcheck.broker.cached.batches (1..8, Kafka: 5),\n"
         "                    idemcheck.snapshot.keeps.window (true|false, Kafka: false)\n"
         "  --history I       replay only history number I of the run (as printed\n"
         "                    with a failure)\n"
         "  --quiet           print only the verdict\n"
         "  --help            this text\n"
         "  --version         the version\n";
}

std::variant<Command, std::string> parse_command_line(const std::vector<std::string>& args) {
  Command cmd;
  std::size_t i = 0;
  if (i < args.size() && !args[i].starts_with("-")) {
    if (args[i] != "check") return fmt::format("unknown subcommand '{}' (known: check)", args[i]);
    ++i;
  }
  auto value_of = [&]() -> std::variant<std::string, std::monostate> {
    if (i + 1 >= args.size()) return std::monostate{};
    return args[++i];
  };
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      cmd.kind = Command::Kind::help;
      return cmd;
    }
    if (a == "--version") {
      cmd.kind = Command::Kind::version;
      return cmd;
    }
    if (a == "--quiet") {
      cmd.check.quiet = true;
      continue;
    }
    if (a == "--seed" || a == "--histories" || a == "--max-size" || a == "--set" ||
        a == "--history") {
      auto v = value_of();
      if (std::holds_alternative<std::monostate>(v)) return fmt::format("{} needs a value", a);
      const std::string& text = std::get<std::string>(v);
      if (a == "--set") {
        if (auto err = apply_setting(cmd.check.broker, text)) return *err;
        continue;
      }
      const auto n = parse_unsigned(text);
      if (!n) return fmt::format("{} expects a non-negative integer, got '{}'", a, text);
      if (a == "--seed") {
        cmd.check.seed = *n;
        cmd.check.seed_given = true;
      } else if (a == "--history") {
        cmd.check.only_history = *n;
      } else if (a == "--histories") {
        if (*n < 1 || *n > 100'000'000) return fmt::format("--histories must be in [1, 100000000], got {}", *n);
        cmd.check.histories = *n;
      } else {
        if (*n < 1 || *n > 100) {
          return fmt::format("--max-size must be in [1, 100] (the packaged RapidCheck misbehaves above 100), got {}",
                             *n);
        }
        cmd.check.max_size = static_cast<int>(*n);
      }
      continue;
    }
    return fmt::format("unknown option '{}' (see --help)", a);
  }
  return cmd;
}

}  // namespace idemcheck::cli
