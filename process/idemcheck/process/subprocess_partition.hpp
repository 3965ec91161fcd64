// idemcheck/process/subprocess_partition.hpp
//
// A DEDUP CORE IN ANY LANGUAGE: a spec::BrokerPartition whose producer-state
// handling runs in another process, a "core", that speaks the core protocol
// (docs/core-protocol.md): one JSON object per line on its stdin, one answer
// per line on its stdout, in order. The differential, the shrinker and the
// claims then judge a Go, Rust or Python core exactly as they judge the
// project's own, without linking it.
//
// Guarantees
//   * A misbehaving core is an exception, never a hang, a crash or a wrong
//     verdict: a core that cannot be started, exits, answers a line that is
//     not the JSON the protocol asks for, answers {"ok":false,...}, or does
//     not answer within the timeout makes the call throw std::runtime_error
//     naming the core's command, the request sent and what came back (with
//     the exit status if it died). Writes are bounded by the same timeout.
//     After such a failure the core is killed and every later call throws.
//   * The harness survives a core that dies: a write to a closed pipe raises
//     SIGPIPE, whose default action would end the harness, so each write
//     blocks SIGPIPE in the writing thread and takes a SIGPIPE it raised off
//     the queue before unblocking. The program's signal dispositions are left
//     as it set them (no SIG_IGN); the core starts with SIGPIPE at its default
//     action and an empty signal mask, whatever the harness's are.
//   * No stray processes or descriptors: the core runs in a process group of
//     its own; its pipes are close-on-exec, so a core never holds another
//     core's pipes open; the destructor says bye, closes the core's stdin,
//     waits about a second for it to exit, then kills the group with SIGKILL
//     and reaps the core.
//   * The three state getters cost one round trip: one `state` query after a
//     mutating request, kept until the next one.
//   * A copy (clone()) is a replay from empty: a new process with the same
//     command and configuration is sent every mutating request so far, and
//     must give the same answers (and, if the original's state is known, the
//     same state); a core that does not is non-deterministic, which is
//     reported as std::runtime_error, because no verdict could be trusted.
//   * The library never prints; the core's stderr goes to the harness's
//     stderr (CoreOptions::pass_stderr) or to /dev/null.
//
// Not thread-safe: one partition is driven by one thread at a time (distinct
// partitions may run in distinct threads).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "idemcheck/spec/broker_partition.hpp"

namespace idemcheck::process {

/// The version of the core protocol this harness speaks (the hello's "protocol").
inline constexpr int kProtocolVersion = 1;

/// How to start a core: an argument vector, run without a shell. argv[0] is
/// looked up on PATH when it has no slash (as execvp does).
struct CoreCommand {
  std::vector<std::string> argv;
  friend bool operator==(const CoreCommand&, const CoreCommand&) = default;
};

/// Splits a command line into words, as a shell would for plain words and
/// quotes but with nothing else of a shell (no variables, globs, pipes or
/// redirections): whitespace separates words; '...' is literal; inside "..."
/// a backslash escapes only " and \ ; outside quotes a backslash escapes the
/// next character; quoted and unquoted parts next to each other make one
/// word ('' is an empty word). Throws std::invalid_argument for an unclosed
/// quote, a trailing backslash, or a line with no word.
CoreCommand parse_core_command(std::string_view line);

/// The command as one line that parse_core_command() reads back to the same
/// argv (words quoted only where they need it), for messages.
std::string to_string(const CoreCommand& command);

/// How the harness talks to a core.
struct CoreOptions {
  /// The longest wait for one answer (and for one write to go through); > 0.
  /// A core's start-up, before its hello answer, gets the same time.
  std::chrono::milliseconds timeout{10'000};
  /// The core's stderr, its log, goes to the harness's stderr; false: to /dev/null.
  bool pass_stderr = true;
  friend bool operator==(const CoreOptions&, const CoreOptions&) = default;
};

/// What a core said of itself in its hello answer.
struct CoreInfo {
  std::string name;                   ///< for reports; never empty
  std::vector<std::string> supports;  ///< the operations it listed, in its order (unknown names kept)
  std::optional<int> max_window;      ///< the largest window it accepts, if it said (>= 1)
  /// Whether the core implements `op` ("append", "replicate", "expire",
  /// "snapshot", "restart", "damage"); append is always implemented.
  [[nodiscard]] bool supports_op(std::string_view op) const;
  friend bool operator==(const CoreInfo&, const CoreInfo&) = default;
};

/// One partition whose state lives in a core process.
class SubprocessPartition final : public spec::BrokerPartition {
 public:
  /// Starts the core and says hello with `config`. Throws std::runtime_error
  /// if it cannot be started, refuses the configuration (its message is
  /// quoted) or answers the hello badly. Requires a non-empty command.
  SubprocessPartition(CoreCommand command, const spec::BrokerConfig& config, CoreOptions options = {});
  /// Says bye and ends the core (see the banner); never throws.
  ~SubprocessPartition() override;
  /// One process per partition: a copy is clone(), which starts another.
  SubprocessPartition(const SubprocessPartition&) = delete;
  SubprocessPartition& operator=(const SubprocessPartition&) = delete;

  /// The core's hello answer.
  [[nodiscard]] const CoreInfo& info() const { return info_; }
  /// The command the core was started with.
  [[nodiscard]] const CoreCommand& command() const { return command_; }
  /// The configuration the core was given.
  [[nodiscard]] const spec::BrokerConfig& config() const { return config_; }
  /// Mutating requests sent so far: what a copy replays.
  [[nodiscard]] std::size_t replay_length() const { return journal_.size(); }

  /// Says bye and waits for the core to exit (then kills it, as the
  /// destructor does). Throws std::runtime_error if it answers bye with
  /// anything but {"ok":true} or exits with a status other than 0. Every
  /// later operation throws std::logic_error.
  void close();

  /// The core's name from its hello.
  [[nodiscard]] std::string_view name() const override { return info_.name; }
  /// An `append` request. Throws as the banner says, and std::logic_error
  /// after close().
  spec::AppendOutcome append(const spec::Batch& batch) override;
  /// A `replicate` request. Throws std::logic_error if the core did not list
  /// "replicate" (nothing is sent); otherwise as append().
  void replicate(const spec::Batch& batch) override;
  /// An `expire` request; needs "expire" (as replicate()).
  void expire(std::int64_t now) override;
  /// A `snapshot` request; needs "snapshot" (as replicate()).
  void take_snapshot() override;
  /// A `restart` request; needs "restart", and "damage" too unless `damage`
  /// is none (as replicate()).
  void restart(std::int64_t now, bool clean, spec::SnapshotDamage damage = spec::SnapshotDamage::none) override;
  /// From the core's `state` answer (one query per mutation, see the banner).
  [[nodiscard]] std::int64_t log_end_offset() const override;
  /// As the core lists them: the harness does not sort them, so that a core
  /// that breaks the order is seen to.
  [[nodiscard]] std::vector<spec::ProducerEntry> producers() const override;
  /// As the core lists them (not sorted by the harness, as producers()).
  [[nodiscard]] std::vector<std::int64_t> snapshot_offsets() const override;
  /// A new core process replaying every mutating request (see the banner).
  [[nodiscard]] std::unique_ptr<spec::BrokerPartition> clone() const override;

 private:
  class Process;
  struct State {
    std::int64_t log_end_offset = 0;
    std::vector<spec::ProducerEntry> producers;
    std::vector<std::int64_t> snapshot_offsets;
    friend bool operator==(const State&, const State&) = default;
  };
  struct Sent {
    std::string request;  // the line as sent
    std::string answer;   // the answer line as received
  };

  // One request line, one answer line; a failure kills the core and throws.
  std::string round_trip(const std::string& request) const;
  // round_trip() of a request whose answer must be {"ok":true}; returns the answer line.
  std::string ok_round_trip(const std::string& request) const;
  // A mutating request whose answer is {"ok":true}.
  void acknowledged(const std::string& request);
  void require(std::string_view op) const;
  const State& state() const;
  [[noreturn]] void fail(const std::string& request, const std::string& what) const;

  CoreCommand command_;
  spec::BrokerConfig config_;
  CoreOptions options_;
  CoreInfo info_;
  std::unique_ptr<Process> process_;
  std::vector<Sent> journal_;
  mutable std::optional<State> state_;
  mutable std::string broken_;  // the first failure; every later call throws it again
  bool closed_ = false;
};

/// The core behind the interface: a SubprocessPartition (see its constructor).
std::unique_ptr<spec::BrokerPartition> start_core(const CoreCommand& command, const spec::BrokerConfig& config,
                                                  const CoreOptions& options = {});

/// Starts the core, says hello with `config` and bye, and returns what it
/// said of itself: the caller restricts the histories it draws to the
/// operations listed. Throws as the SubprocessPartition constructor and close() do.
CoreInfo probe_core(const CoreCommand& command, const spec::BrokerConfig& config, const CoreOptions& options = {});

}  // namespace idemcheck::process
