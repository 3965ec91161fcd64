// idemcheck/io/history_file.hpp
//
// History files: a saved history of the simulated world (a counterexample,
// a regression case) as versioned, human-editable JSON. The format is
// described in docs/history-format.md.
//
// A HistoryFile keeps what the user wrote: the producer settings by Kafka
// property name, as given (not the configuration derived from them), so that
// a file says "enable.idempotence": "false" and not the dozen values Kafka
// derives. to_history() is the one place that turns a file into a
// spec::History, validating the settings, the world and every event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "idemcheck/spec/checker.hpp"
#include "idemcheck/spec/history.hpp"

namespace idemcheck::io {

inline constexpr std::string_view kFormatName = "idemcheck-history";
inline constexpr std::int64_t kFormatVersion = 1;
/// Limits that keep a replay's arithmetic far from overflow.
inline constexpr std::size_t kMaxEvents = 100'000;
inline constexpr std::size_t kMaxFileBytes = 16u << 20;

/// The outcome a file must have when replayed ("expect").
struct Expectation {
  /// The kinds of anomaly the reference world shows after the last event
  /// (every check on), exactly: [] = none. Absent: not checked.
  std::optional<std::vector<spec::Anomaly>> anomalies;
  /// Whether the reference and the impl worlds agree at every step. Absent:
  /// they must agree (false pins a known disagreement).
  std::optional<bool> spec_impl_agree;
  friend bool operator==(const Expectation&, const Expectation&) = default;
};

/// The contents of a history file.
struct HistoryFile {
  std::string description;               ///< free text; empty: none
  int producers = 1;
  int partitions = 1;
  int brokers = 1;
  std::int32_t initial_epoch = 0;
  spec::ClientRules client_rules = spec::ClientRules::java_2_5;  ///< "client_rules"; the broker's are broker.rules
  spec::ProducerSettings producer;       ///< by Kafka property name, as given
  bool allow_unsafe_in_flight = false;   ///< model only: idempotence with more than 5 in flight
  spec::BrokerConfig broker;
  std::vector<spec::Event> events;       ///< fields a kind does not use are at their defaults
  std::vector<std::string> notes;        ///< per event, free text ("" none); empty or events.size()
  std::optional<Expectation> expect;
  friend bool operator==(const HistoryFile&, const HistoryFile&) = default;
};

/// What is wrong with a file: where (line and column when known, and the
/// field's path, e.g. "events[3].producer") and what.
struct LoadError {
  std::string path;     ///< "" for syntax errors
  std::string message;
  int line = 0;         ///< 0: unknown
  int column = 0;
  /// "line 12, column 20: events[3].producer: producer 2 does not exist (producers: 1)"
  [[nodiscard]] std::string describe() const;
};

/// A file read and validated, with the history it describes.
struct LoadedHistory {
  HistoryFile file;
  spec::History history;
};

/// THE conversion from a file to a history: validates the producer settings
/// (validate_producer_settings), the world (check_world_config) and each
/// event (check_event, with the field named). Errors carry a path, no position.
std::variant<spec::History, LoadError> to_history(const HistoryFile& file);

/// Parse and validate the text of a history file.
std::variant<LoadedHistory, LoadError> parse_history_file(std::string_view text);
/// Read, parse and validate a history file.
std::variant<LoadedHistory, LoadError> load_history_file(const std::string& path);

/// The text of a history file (ends with a newline). Reading it back gives
/// the same HistoryFile, with unused event fields reset (normalize_event).
std::string write_history_file(const HistoryFile& file);
/// Write the file; returns an error message, or "" on success.
std::string save_history_file(const std::string& path, const HistoryFile& file);

/// The event with the fields its kind does not use reset to their defaults
/// (what a file stores; replaying either gives the same run).
spec::Event normalize_event(const spec::Event& e);

/// Producer settings, by Kafka property name, from which
/// validate_producer_settings() derives exactly `config` (only the settings
/// that differ from Kafka's defaults), and whether that needs
/// allow_unsafe_in_flight. Error text if no settings give that config.
struct SettingsFor {
  spec::ProducerSettings settings;
  bool allow_unsafe_in_flight = false;
};
std::variant<SettingsFor, std::string> settings_for(const spec::ProducerConfig& config);

/// A file for a history (e.g. a counterexample to save): the settings are
/// recovered with settings_for(), the events normalized.
std::variant<HistoryFile, std::string> from_history(const spec::History& history, std::string description = {});

/// How a replay came out, to compare with an Expectation.
struct ReplayOutcome {
  std::vector<spec::Anomaly> anomalies;  ///< kinds found after the last event (any order, repeats allowed)
  std::optional<bool> spec_impl_agree;   ///< absent when the impl world was not run
};

/// The ways `outcome` differs from `expect` (empty: it matches). When the impl
/// world ran and `expect` says nothing of agreement, they must agree.
std::vector<std::string> expectation_mismatches(const std::optional<Expectation>& expect,
                                                const ReplayOutcome& outcome);

/// "duplicate, lost-write" / "none".
std::string anomaly_list(const std::vector<spec::Anomaly>& kinds);

}  // namespace idemcheck::io
