#include "options.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace idemcheck::cli {

std::optional<std::string> ParsedOptions::value(const std::string& name) const {
  const auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::variant<ParsedOptions, std::string> parse_options(const std::vector<std::string>& args,
                                                       const std::vector<OptionSpec>& specs) {
  ParsedOptions out;
  auto find = [&](const std::string& name) -> const OptionSpec* {
    for (const OptionSpec& s : specs) {
      if (s.name == name) return &s;
    }
    return nullptr;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!a.starts_with("--") || a == "--") {
      out.positional.push_back(a);
      continue;
    }
    std::string name = a;
    std::optional<std::string> inline_value;
    if (const auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      inline_value = a.substr(eq + 1);
    }
    const OptionSpec* spec = find(name);
    if (spec == nullptr) return fmt::format("unknown option '{}' (see --help)", name);
    if (!spec->takes_value) {
      if (inline_value) return fmt::format("{} takes no value", name);
      out.flags.insert(name);
      continue;
    }
    std::string v;
    if (inline_value) {
      v = *inline_value;
    } else {
      if (i + 1 >= args.size()) return fmt::format("{} needs a value", name);
      v = args[++i];
    }
    auto& slot = out.values[name];
    if (!slot.empty() && !spec->repeatable) return fmt::format("{} given twice", name);
    slot.push_back(v);
  }
  return out;
}

std::variant<ParsedOptions, int> start_command(const std::string& name, const std::vector<std::string>& args,
                                               std::vector<OptionSpec> specs, const char* usage, std::FILE* out,
                                               std::FILE* err) {
  specs.push_back({"--help"});
  auto parsed = parse_options(args, specs);
  if (const auto* e = std::get_if<std::string>(&parsed)) {
    fmt::print(err, "idemcheck {}: {}\n", name, *e);
    return 2;
  }
  ParsedOptions& o = std::get<ParsedOptions>(parsed);
  if (o.has("--help")) {
    fmt::print(out, "{}", usage);
    return 0;
  }
  if (!o.positional.empty()) {
    fmt::print(err, "idemcheck {}: unexpected argument '{}'\n", name, o.positional.front());
    return 2;
  }
  return std::move(o);
}

std::optional<std::uint64_t> parse_unsigned(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

std::optional<std::string> read_unsigned(const ParsedOptions& options, const std::string& name, std::uint64_t lo,
                                         std::uint64_t hi, std::uint64_t& out) {
  const auto v = options.value(name);
  if (!v) return std::nullopt;
  const auto n = parse_unsigned(*v);
  if (!n) return fmt::format("{} expects a non-negative integer, got '{}'", name, *v);
  if (*n < lo || *n > hi) return fmt::format("{} must be in [{}, {}], got {}", name, lo, hi, *n);
  out = *n;
  return std::nullopt;
}

std::optional<std::string> apply_world_setting(spec::WorldConfig& config, bool& unsafe, const std::string& key,
                                               const std::string& value, bool& known) {
  known = true;
  const auto number = parse_unsigned(value);
  if (key == "producer.id.expiration.ms") {
    if (!number || *number < 1 || *number > 2'147'483'647) {
      return fmt::format("producer.id.expiration.ms must be an integer in [1, 2147483647], got '{}'", value);
    }
    config.broker.producer_id_expiration_ms = static_cast<std::int64_t>(*number);
  } else if (key == "idemcheck.broker.cached.batches") {
    if (!number || *number < 1 || *number > 8) {
      return fmt::format("idemcheck.broker.cached.batches must be an integer in [1, 8], got '{}'", value);
    }
    config.broker.window = static_cast<int>(*number);
  } else if (key == "idemcheck.snapshot.keeps.window" || key == "idemcheck.allow.unsafe.in.flight") {
    if (value != "true" && value != "false") return fmt::format("{} must be true or false, got '{}'", key, value);
    (key == "idemcheck.allow.unsafe.in.flight" ? unsafe : config.broker.snapshot_keeps_window) = value == "true";
  } else if (key == "idemcheck.broker.rules") {
    if (!spec::parse_broker_rules(value, config.broker.rules)) {
      std::string known;
      for (spec::BrokerRules r : spec::all_broker_rules()) known += fmt::format("{}{}", known.empty() ? "" : ", ", spec::name(r));
      return fmt::format("idemcheck.broker.rules: unknown broker variant '{}' (known: {})", value, known);
    }
  } else if (key == "idemcheck.client.rules") {
    if (!spec::parse_client_rules(value, config.client_rules)) {
      std::string known;
      for (spec::ClientRules r : spec::all_client_rules()) known += fmt::format("{}{}", known.empty() ? "" : ", ", spec::name(r));
      return fmt::format("idemcheck.client.rules: unknown client variant '{}' (known: {})", value, known);
    }
  } else if (key == "idemcheck.initial.epoch") {
    if (!number || *number > 32'767) return fmt::format("idemcheck.initial.epoch must be in [0, 32767], got '{}'", value);
    config.initial_epoch = static_cast<std::int32_t>(*number);
  } else {
    known = false;
  }
  return std::nullopt;
}

std::variant<std::string, FileError> read_regular_file(const std::string& path, std::uint64_t max_bytes) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) return FileError{fmt::format("cannot read '{}': {}", path, ec.message())};
  if (!std::filesystem::is_regular_file(status)) return FileError{fmt::format("cannot read '{}': not a regular file", path)};
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return FileError{fmt::format("cannot read '{}': {}", path, ec.message())};
  if (size > max_bytes) return FileError{fmt::format("'{}' is larger than {} bytes", path, max_bytes)};
  std::ifstream in(path, std::ios::binary);
  if (!in) return FileError{fmt::format("cannot read '{}'", path)};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return FileError{fmt::format("cannot read '{}'", path)};
  return std::move(text).str();
}

std::variant<std::map<std::string, std::string>, std::string> parse_properties(std::string_view text,
                                                                               const std::string& name) {
  std::map<std::string, std::string> out;
  auto trim = [](std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r");
    const auto e = s.find_last_not_of(" \t\r");
    return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
  };
  int number = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++number;
    if (line.find('\0') != std::string_view::npos) return fmt::format("{}:{}: a NUL byte is not text", name, number);
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == '!') continue;
    const auto sep = t.find_first_of("=:");
    if (sep == std::string::npos) return fmt::format("{}:{}: expected key=value, got '{}'", name, number, t);
    const std::string key = trim(std::string_view(t).substr(0, sep));
    if (key.empty()) return fmt::format("{}:{}: empty key", name, number);
    out[key] = trim(std::string_view(t).substr(sep + 1));
  }
  return out;
}

std::variant<std::map<std::string, std::string>, std::string> read_properties_file(const std::string& path) {
  // A configuration is a handful of lines; a megabyte is already absurd.
  auto text = read_regular_file(path, 1u << 20);
  if (const auto* e = std::get_if<FileError>(&text)) return fmt::format("cannot read properties file: {}", e->message);
  return parse_properties(std::get<std::string>(text), path);
}

}  // namespace idemcheck::cli
