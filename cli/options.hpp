// cli/options.hpp
//
// Command-line option parsing shared by the subcommands. Parsing never throws
// and never exits: a bad option comes back as a message that names it, and
// the subcommand turns that into exit code 2.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "idemcheck/spec/history.hpp"

namespace idemcheck::cli {

/// One option a subcommand accepts.
struct OptionSpec {
  std::string name;          ///< with dashes: "--seed"
  bool takes_value = false;  ///< "--seed N" vs "--quiet"
  bool repeatable = false;   ///< "--set a=1 --set b=2"
};

/// What the command line said.
struct ParsedOptions {
  std::map<std::string, std::vector<std::string>> values;  ///< per option, every value given
  std::set<std::string> flags;                             ///< options without values that were given
  std::vector<std::string> positional;                     ///< everything else, in order
  /// The single value of an option, if given.
  [[nodiscard]] std::optional<std::string> value(const std::string& name) const;
  [[nodiscard]] bool has(const std::string& flag) const { return flags.count(flag) != 0; }
};

/// Parse against the specs; "--name=value" is accepted too. Unknown options,
/// missing values and repeated non-repeatable options are errors.
std::variant<ParsedOptions, std::string> parse_options(const std::vector<std::string>& args,
                                                       const std::vector<OptionSpec>& specs);

/// The common start of a subcommand: parse `args` against `specs` (plus
/// --help), print `usage` for --help, and a message naming the problem for a
/// bad option or a stray argument. Returns the options, or the exit status the
/// subcommand must return (0 after --help, 2 on bad usage).
std::variant<ParsedOptions, int> start_command(const std::string& name, const std::vector<std::string>& args,
                                               std::vector<OptionSpec> specs, const char* usage, std::FILE* out,
                                               std::FILE* err);

/// Parse a whole unsigned decimal number; no sign, no trailing characters.
std::optional<std::uint64_t> parse_unsigned(const std::string& text);

/// Read an unsigned option in [lo, hi] into `out` (left alone when absent).
/// Returns an error message when the value is not such a number.
std::optional<std::string> read_unsigned(const ParsedOptions& options, const std::string& name, std::uint64_t lo,
                                         std::uint64_t hi, std::uint64_t& out);

/// Apply one setting that is not a Kafka producer property: a broker setting
/// (producer.id.expiration.ms, idemcheck.broker.cached.batches,
/// idemcheck.snapshot.keeps.window) or a model setting (idemcheck.initial.epoch,
/// idemcheck.allow.unsafe.in.flight) or a rule variant (idemcheck.broker.rules,
/// idemcheck.client.rules). `known` is false when the key is none of
/// these (it may then be a producer property). Returns an error message for a
/// known key with an impossible value.
std::optional<std::string> apply_world_setting(spec::WorldConfig& config, bool& unsafe, const std::string& key,
                                               const std::string& value, bool& known);

/// Read a whole regular file of at most `max_bytes` into memory. A directory, a
/// FIFO, a device or anything else that is not a regular file is refused before
/// it is opened (opening a FIFO would block); the error names the path.
struct FileError {
  std::string message;  ///< one line, naming the path
};
std::variant<std::string, FileError> read_regular_file(const std::string& path, std::uint64_t max_bytes);

/// Parse the text of a Java .properties file (see read_properties_file);
/// `name` prefixes each error ("name:line: ...").
std::variant<std::map<std::string, std::string>, std::string> parse_properties(std::string_view text,
                                                                               const std::string& name);

/// Read a Java .properties file into key/value pairs (comments with # or !,
/// key=value or key: value, surrounding blanks trimmed). Returns an error
/// naming the file and line on anything it cannot read.
std::variant<std::map<std::string, std::string>, std::string> read_properties_file(const std::string& path);

}  // namespace idemcheck::cli
