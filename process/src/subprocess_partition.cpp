// A partition whose state lives in a core process (see the header): the
// process and its pipes, the protocol's requests and answers, and the replay
// that makes a copy.
#include "idemcheck/process/subprocess_partition.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "idemcheck/spec/broker_rules.hpp"

extern char** environ;

namespace idemcheck::process {

namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;
// Requests keep their keys in the order written, "op" first, for a person reading a core's log.
using Request = nlohmann::ordered_json;

// How long the end of a core may take: bye answered, stdin closed, exited.
constexpr std::chrono::milliseconds kExitGrace{1'000};
// No answer is this long; a core that writes without newlines is cut off here.
constexpr std::size_t kMaxLine = 64u << 20;

std::string excerpt(std::string_view text, std::size_t limit = 400) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, limit)) + "... (" + std::to_string(text.size()) + " bytes)";
}

std::string errno_text(int err) { return std::strerror(err); }

bool plain_word(std::string_view word) {
  if (word.empty()) return false;
  return std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
  });
}

// ---------------------------------------------------------------------------
// SIGPIPE

// A write to a pipe whose reader has gone raises SIGPIPE at the writing
// thread. Blocked, it stays pending instead of ending the process; taking it
// off the queue before unblocking leaves nothing behind. A SIGPIPE that was
// already pending before is somebody else's and is left alone.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlocked() {
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero{};
        while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t old_{};
  bool was_pending_ = false;
};

// ---------------------------------------------------------------------------
// Answers: the fields the protocol names, checked as they are read.

struct BadAnswer {
  std::string why;
};

const Json& field(const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) throw BadAnswer{std::string("it has no \"") + key + "\""};
  return *it;
}

std::int64_t integer(const Json& value, const char* what, std::int64_t least = std::numeric_limits<std::int64_t>::min(),
                     std::int64_t most = std::numeric_limits<std::int64_t>::max()) {
  std::int64_t v = 0;
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      throw BadAnswer{std::string("\"") + what + "\" is beyond int64"};
    }
    v = static_cast<std::int64_t>(u);
  } else if (value.is_number_integer()) {
    v = value.get<std::int64_t>();
  } else {
    throw BadAnswer{std::string("\"") + what + "\" is not an integer: " + excerpt(value.dump(), 80)};
  }
  if (v < least || v > most) {
    throw BadAnswer{std::string("\"") + what + "\" is out of range: " + std::to_string(v)};
  }
  return v;
}

std::int64_t integer_field(const Json& object, const char* key) { return integer(field(object, key), key); }

const Json& array_field(const Json& object, const char* key) {
  const Json& v = field(object, key);
  if (!v.is_array()) throw BadAnswer{std::string("\"") + key + "\" is not an array"};
  return v;
}

// An {"ok":false,...} answer: the core says it could not do it.
std::optional<std::string> refusal(const Json& answer) {
  const auto ok = answer.find("ok");
  if (ok == answer.end() || !ok->is_boolean() || ok->get<bool>()) return std::nullopt;
  const auto error = answer.find("error");
  if (error != answer.end() && error->is_string()) return error->get<std::string>();
  return std::string("(no \"error\" given)");
}

void expect_ok(const Json& answer) {
  const Json& ok = field(answer, "ok");
  if (!ok.is_boolean() || !ok.get<bool>()) throw BadAnswer{"\"ok\" is not true"};
}

// Every Error the spec knows; a core spells them as the enumerators (the
// lower case of spec::name), and Kafka's upper case is accepted too.
constexpr spec::Error kErrors[] = {
    spec::Error::none,
    spec::Error::request_timed_out,
    spec::Error::not_leader_or_follower,
    spec::Error::network_exception,
    spec::Error::not_enough_replicas,
    spec::Error::not_enough_replicas_after_append,
    spec::Error::invalid_request,
    spec::Error::out_of_order_sequence_number,
    spec::Error::duplicate_sequence_number,
    spec::Error::invalid_producer_epoch,
    spec::Error::unknown_producer_id,
    spec::Error::invalid_record,
    spec::Error::delivery_timeout,
    spec::Error::not_persisted,
};

bool same_ignoring_case(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

spec::Error error_named(const Json& value) {
  if (!value.is_string()) throw BadAnswer{"\"error\" is not a string"};
  const auto text = value.get<std::string>();
  for (spec::Error e : kErrors) {
    if (same_ignoring_case(text, spec::name(e))) return e;
  }
  throw BadAnswer{"\"error\" names no error the harness knows: \"" + excerpt(text, 80) + "\""};
}

Request batch_json(const spec::Batch& b) {
  return Request{{"producer_id", b.producer_id}, {"epoch", b.epoch}, {"first_sequence", b.first_sequence},
                 {"records", b.record_count}, {"timestamp", b.max_timestamp}};
}

std::string line_of(const Request& request) { return request.dump(); }

}  // namespace

// ---------------------------------------------------------------------------
// The process and its two pipes.

class SubprocessPartition::Process {
 public:
  // Starts the core; throws std::runtime_error (without context: the caller adds it).
  Process(const CoreCommand& command, bool pass_stderr) {
    int in[2] = {-1, -1};   // harness -> core's stdin
    int out[2] = {-1, -1};  // core's stdout -> harness
    if (::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("cannot create a pipe: " + errno_text(errno));
    if (::pipe2(out, O_CLOEXEC) != 0) {
      const int err = errno;
      ::close(in[0]);
      ::close(in[1]);
      throw std::runtime_error("cannot create a pipe: " + errno_text(err));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // dup2 leaves the copies without close-on-exec; the originals close at exec.
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    if (!pass_stderr) posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

    std::vector<char*> argv;
    for (const std::string& word : command.argv) argv.push_back(const_cast<char*>(word.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    if (rc != 0) {
      ::close(in[1]);
      ::close(out[0]);
      throw std::runtime_error("cannot start it: " + errno_text(rc) +
                               (rc == ENOENT && command.argv[0].find('/') == std::string::npos
                                    ? " (no such program on PATH)"
                                    : ""));
    }
    pid_ = pid;
    to_core_ = in[1];
    from_core_ = out[0];
    ::fcntl(to_core_, F_SETFL, ::fcntl(to_core_, F_GETFL, 0) | O_NONBLOCK);
    ::fcntl(from_core_, F_SETFL, ::fcntl(from_core_, F_GETFL, 0) | O_NONBLOCK);
  }

  ~Process() { finish(kExitGrace); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Writes `line` and a newline within `timeout`; an empty answer on success,
  // otherwise what went wrong.
  std::string write_line(const std::string& line, std::chrono::milliseconds timeout) {
    if (to_core_ < 0) return "its input is closed";
    const std::string data = line + "\n";
    const auto deadline = Clock::now() + timeout;
    std::size_t done = 0;
    while (done < data.size()) {
      ssize_t n = 0;
      int err = 0;
      {
        const SigpipeBlocked guard;
        n = ::write(to_core_, data.data() + done, data.size() - done);
        err = errno;
      }
      if (n > 0) {
        done += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && err == EINTR) continue;
      if (n < 0 && err == EPIPE) return "it closed its input";
      if (n < 0 && err != EAGAIN && err != EWOULDBLOCK) return "writing to it failed: " + errno_text(err);
      if (!wait_for(to_core_, POLLOUT, deadline)) {
        return "it read no input for " + std::to_string(timeout.count()) + " ms";
      }
    }
    return {};
  }

  enum class Read { line, end, timeout, too_long, failed };
  // The next line (without its newline) into `out`.
  Read read_line(std::string& out, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        out.assign(buffer_, 0, nl);
        buffer_.erase(0, nl + 1);
        if (!out.empty() && out.back() == '\r') out.pop_back();
        return Read::line;
      }
      if (buffer_.size() > kMaxLine) return Read::too_long;
      if (from_core_ < 0) return Read::end;
      char chunk[65536];
      const ssize_t n = ::read(from_core_, chunk, sizeof chunk);
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) {
        out = buffer_;  // an unfinished last line, for the message
        return Read::end;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        read_errno_ = errno;
        return Read::failed;
      }
      if (!wait_for(from_core_, POLLIN, deadline)) return Read::timeout;
    }
  }

  // Why the last Read::failed failed.
  [[nodiscard]] int read_errno() const { return read_errno_; }

  // Whether the core wrote more than was asked for (already here).
  [[nodiscard]] bool has_unread() const { return !buffer_.empty(); }

  void close_input() {
    if (to_core_ >= 0) ::close(to_core_);
    to_core_ = -1;
  }

  // Waits up to `grace` for the core to exit, and says how it ended.
  std::string exit_description(std::chrono::milliseconds grace) {
    reap(Clock::now() + grace);
    if (!status_) return "it is still running";
    return describe(*status_);
  }

  // The exit status, once reaped.
  [[nodiscard]] std::optional<int> status() const { return status_; }

  // Ends the core: stdin closed, its output read to the end (so that its
  // last answer does not meet a closed pipe), reaped within `grace`, else its
  // process group killed. Whether it exited by itself.
  bool finish(std::chrono::milliseconds grace) {
    const auto deadline = Clock::now() + grace;
    close_input();
    while (from_core_ >= 0) {
      char chunk[4096];
      const ssize_t n = ::read(from_core_, chunk, sizeof chunk);
      if (n > 0 || (n < 0 && errno == EINTR)) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_for(from_core_, POLLIN, deadline)) continue;
      ::close(from_core_);
      from_core_ = -1;
    }
    reap(deadline);
    const bool by_itself = status_.has_value();
    kill_now();
    return by_itself;
  }

  // Kills the core's process group at once and reaps the core.
  void kill_now() {
    close_input();
    if (from_core_ >= 0) ::close(from_core_);
    from_core_ = -1;
    if (pid_ > 0 && !status_) {
      // The group id is the core's pid, which cannot be reused before the core is reaped.
      ::kill(-pid_, SIGKILL);
      ::kill(pid_, SIGKILL);  // in case it left its group
      int st = 0;
      while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
      }
      status_ = st;
    }
  }

 private:
  static std::string signal_name(int sig) {
    switch (sig) {
      case SIGKILL: return " (SIGKILL)";
      case SIGSEGV: return " (SIGSEGV)";
      case SIGABRT: return " (SIGABRT)";
      case SIGBUS: return " (SIGBUS)";
      case SIGFPE: return " (SIGFPE)";
      case SIGILL: return " (SIGILL)";
      case SIGTERM: return " (SIGTERM)";
      case SIGINT: return " (SIGINT)";
      case SIGPIPE: return " (SIGPIPE)";
      default: return "";
    }
  }

  static std::string describe(int st) {
    if (WIFEXITED(st)) return "it exited with status " + std::to_string(WEXITSTATUS(st));
    if (WIFSIGNALED(st)) {
      const int sig = WTERMSIG(st);
      return "it was killed by signal " + std::to_string(sig) + signal_name(sig);
    }
    return "it ended with wait status " + std::to_string(st);
  }

  void reap(Clock::time_point deadline) {
    if (pid_ <= 0 || status_) return;
    std::chrono::microseconds pause{100};
    for (;;) {
      int st = 0;
      const pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        status_ = st;
        return;
      }
      if (r < 0 && errno != EINTR) return;
      if (Clock::now() >= deadline) return;
      // A core usually exits within a millisecond or two of closing its output.
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::microseconds(5'000));
    }
  }

  // Whether `fd` became ready for `events` before `deadline`.
  static bool wait_for(int fd, short events, Clock::time_point deadline) {
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd, events, 0};
      const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, std::numeric_limits<int>::max())));
      if (r > 0) return true;  // ready, or hung up / failed: the read or write says which
      if (r < 0 && errno != EINTR) return true;
    }
  }

  pid_t pid_ = -1;
  int to_core_ = -1;
  int from_core_ = -1;
  std::string buffer_;
  std::optional<int> status_;
  int read_errno_ = 0;
};

// ---------------------------------------------------------------------------
// Command lines.

CoreCommand parse_core_command(std::string_view line) {
  CoreCommand command;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) command.argv.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '\'') {
      const auto close = line.find('\'', i + 1);
      if (close == std::string_view::npos) throw std::invalid_argument("unclosed ' in the core's command line");
      word.append(line.substr(i + 1, close - i - 1));
      i = close;
      in_word = true;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size() && (line[j + 1] == '"' || line[j + 1] == '\\')) ++j;
        word.push_back(line[j]);
      }
      if (j >= line.size()) throw std::invalid_argument("unclosed \" in the core's command line");
      i = j;
      in_word = true;
    } else if (c == '\\') {
      if (i + 1 >= line.size()) throw std::invalid_argument("a backslash ends the core's command line");
      word.push_back(line[++i]);
      in_word = true;
    } else {
      word.push_back(c);
      in_word = true;
    }
  }
  if (in_word) command.argv.push_back(std::move(word));
  if (command.argv.empty()) throw std::invalid_argument("the core's command line is empty");
  return command;
}

std::string to_string(const CoreCommand& command) {
  std::string out;
  for (const std::string& word : command.argv) {
    if (!out.empty()) out += ' ';
    if (plain_word(word)) {
      out += word;
      continue;
    }
    out += '\'';
    for (char c : word) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    out += '\'';
  }
  return out;
}

bool CoreInfo::supports_op(std::string_view op) const {
  return op == "append" || std::find(supports.begin(), supports.end(), op) != supports.end();
}

// ---------------------------------------------------------------------------
// The partition.

SubprocessPartition::SubprocessPartition(CoreCommand command, const spec::BrokerConfig& config, CoreOptions options)
    : command_(std::move(command)), config_(config), options_(options) {
  if (command_.argv.empty() || command_.argv[0].empty()) {
    throw std::invalid_argument("a core needs a command to start it");
  }
  if (options_.timeout.count() <= 0) throw std::invalid_argument("a core's timeout must be positive");
  try {
    process_ = std::make_unique<Process>(command_, options_.pass_stderr);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("core `" + to_string(command_) + "`: " + e.what());
  }
  const Request hello{
      {"op", "hello"},
      {"protocol", kProtocolVersion},
      {"config",
       Request{{"window", config_.window},
               {"producer_id_expiration_ms", config_.producer_id_expiration_ms},
               {"snapshot_keeps_window", config_.snapshot_keeps_window},
               {"rules", std::string(spec::name(config_.rules))}}},
  };
  const std::string request = line_of(hello);
  const std::string answer_line = round_trip(request);
  const Json answer = Json::parse(answer_line);  // round_trip checked that it parses
  if (const auto why = refusal(answer)) fail(request, "it refused the configuration: " + *why);
  try {
    expect_ok(answer);
    const Json& name = field(answer, "name");
    if (!name.is_string() || name.get<std::string>().empty()) throw BadAnswer{"\"name\" is not a non-empty string"};
    info_.name = name.get<std::string>();
    for (const Json& op : array_field(answer, "supports")) {
      if (!op.is_string()) throw BadAnswer{"\"supports\" holds something other than a string"};
      info_.supports.push_back(op.get<std::string>());
    }
    if (const auto w = answer.find("max_window"); w != answer.end()) {
      info_.max_window = static_cast<int>(integer(*w, "max_window", 1, std::numeric_limits<int>::max()));
    }
  } catch (const BadAnswer& bad) {
    fail(request, "its answer " + excerpt(answer_line) + " is not a hello answer: " + bad.why);
  }
}

SubprocessPartition::~SubprocessPartition() {
  if (!process_) return;
  if (broken_.empty() && !closed_) {
    const std::chrono::milliseconds grace = std::min(options_.timeout, kExitGrace);
    (void)process_->write_line(line_of(Request{{"op", "bye"}}), grace);
  }
  (void)process_->finish(kExitGrace);
}

void SubprocessPartition::fail(const std::string& request, const std::string& what) const {
  if (broken_.empty()) {
    broken_ = "core `" + to_string(command_) + "`: request " + excerpt(request) + ": " + what;
    process_->kill_now();
  }
  throw std::runtime_error(broken_);
}

std::string SubprocessPartition::round_trip(const std::string& request) const {
  if (closed_) throw std::logic_error("core `" + to_string(command_) + "` was closed");
  if (!broken_.empty()) throw std::runtime_error(broken_ + " (the core failed before; no further request is sent)");
  auto died = [&](const std::string& how) {
    return how + " (" + process_->exit_description(kExitGrace) + ")";
  };
  if (const std::string problem = process_->write_line(request, options_.timeout); !problem.empty()) {
    fail(request, died(problem));
  }
  std::string line;
  switch (process_->read_line(line, options_.timeout)) {
    case Process::Read::line:
      break;
    case Process::Read::end:
      fail(request, died("it closed its output without answering") +
                        (line.empty() ? "" : "; it wrote an unfinished line: " + excerpt(line)));
    case Process::Read::timeout:
      fail(request, "no answer within " + std::to_string(options_.timeout.count()) + " ms");
    case Process::Read::too_long:
      fail(request, "it wrote more than " + std::to_string(kMaxLine >> 20) + " MiB without a newline");
    case Process::Read::failed:
      fail(request, "reading its output failed: " + errno_text(process_->read_errno()));
  }
  const Json answer = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded()) {
    fail(request, "it answered a line that is not JSON: " + excerpt(line) +
                      " (stdout is for answers only; a core logs to stderr)");
  }
  if (!answer.is_object()) fail(request, "it answered JSON that is not an object: " + excerpt(line));
  if (process_->has_unread()) fail(request, "it wrote more than one line for one request; the first: " + excerpt(line));
  return line;
}

void SubprocessPartition::require(std::string_view op) const {
  if (closed_) throw std::logic_error("core `" + to_string(command_) + "` was closed");
  if (!info_.supports_op(op)) {
    throw std::logic_error("core `" + info_.name + "` does not support \"" + std::string(op) +
                           "\" (its hello listed what it supports); nothing was sent");
  }
}

std::string SubprocessPartition::ok_round_trip(const std::string& request) const {
  std::string line = round_trip(request);
  const Json answer = Json::parse(line);
  if (const auto why = refusal(answer)) fail(request, "it could not do it: " + *why);
  try {
    expect_ok(answer);
  } catch (const BadAnswer& bad) {
    fail(request, "its answer " + excerpt(line) + " is not {\"ok\":true}: " + bad.why);
  }
  return line;
}

void SubprocessPartition::acknowledged(const std::string& request) {
  state_.reset();
  journal_.push_back(Sent{request, ok_round_trip(request)});
}

spec::AppendOutcome SubprocessPartition::append(const spec::Batch& batch) {
  state_.reset();
  const std::string request = line_of(Request{{"op", "append"}, {"batch", batch_json(batch)}});
  const std::string line = round_trip(request);
  const Json answer = Json::parse(line);
  if (const auto why = refusal(answer)) fail(request, "it could not do it: " + *why);
  spec::AppendOutcome out;
  try {
    out.error = error_named(field(answer, "error"));
    const Json& duplicate = field(answer, "duplicate");
    if (!duplicate.is_boolean()) throw BadAnswer{"\"duplicate\" is not a boolean"};
    out.duplicate = duplicate.get<bool>();
    out.first_offset = integer_field(answer, "first_offset");
    out.last_offset = integer_field(answer, "last_offset");
  } catch (const BadAnswer& bad) {
    fail(request, "its answer " + excerpt(line) + " is not an append outcome: " + bad.why);
  }
  journal_.push_back(Sent{request, line});
  return out;
}

void SubprocessPartition::replicate(const spec::Batch& batch) {
  require("replicate");
  acknowledged(line_of(Request{{"op", "replicate"}, {"batch", batch_json(batch)}}));
}

void SubprocessPartition::expire(std::int64_t now) {
  require("expire");
  acknowledged(line_of(Request{{"op", "expire"}, {"now", now}}));
}

void SubprocessPartition::take_snapshot() {
  require("snapshot");
  acknowledged(line_of(Request{{"op", "snapshot"}}));
}

void SubprocessPartition::restart(std::int64_t now, bool clean, spec::SnapshotDamage damage) {
  require("restart");
  if (damage != spec::SnapshotDamage::none) require("damage");
  acknowledged(line_of(Request{
      {"op", "restart"}, {"now", now}, {"clean", clean}, {"damage", std::string(spec::name(damage))}}));
}

const SubprocessPartition::State& SubprocessPartition::state() const {
  if (closed_) throw std::logic_error("core `" + to_string(command_) + "` was closed");
  if (state_) return *state_;
  const std::string request = line_of(Request{{"op", "state"}});
  const std::string line = round_trip(request);
  const Json answer = Json::parse(line);
  if (const auto why = refusal(answer)) fail(request, "it could not do it: " + *why);
  State s;
  try {
    s.log_end_offset = integer_field(answer, "log_end_offset");
    for (const Json& p : array_field(answer, "producers")) {
      if (!p.is_object()) throw BadAnswer{"\"producers\" holds something other than an object"};
      spec::ProducerEntry entry;
      entry.producer_id = integer_field(p, "producer_id");
      entry.epoch = static_cast<std::int32_t>(integer(field(p, "epoch"), "epoch", std::numeric_limits<std::int32_t>::min(),
                                                      std::numeric_limits<std::int32_t>::max()));
      entry.last_timestamp = integer_field(p, "last_timestamp");
      for (const Json& b : array_field(p, "batches")) {
        if (!b.is_object()) throw BadAnswer{"\"batches\" holds something other than an object"};
        entry.batches.push_back(spec::CachedBatch{integer_field(b, "first_sequence"), integer_field(b, "last_sequence"),
                                                  integer_field(b, "first_offset"), integer_field(b, "last_offset")});
      }
      s.producers.push_back(std::move(entry));
    }
    for (const Json& o : array_field(answer, "snapshot_offsets")) s.snapshot_offsets.push_back(integer(o, "snapshot_offsets"));
  } catch (const BadAnswer& bad) {
    fail(request, "its answer " + excerpt(line) + " is not a state: " + bad.why);
  }
  state_ = std::move(s);
  return *state_;
}

std::int64_t SubprocessPartition::log_end_offset() const { return state().log_end_offset; }

std::vector<spec::ProducerEntry> SubprocessPartition::producers() const { return state().producers; }

std::vector<std::int64_t> SubprocessPartition::snapshot_offsets() const { return state().snapshot_offsets; }

std::unique_ptr<spec::BrokerPartition> SubprocessPartition::clone() const {
  if (closed_) throw std::logic_error("core `" + to_string(command_) + "` was closed");
  if (!broken_.empty()) throw std::runtime_error(broken_ + " (the core failed before; it cannot be copied)");
  auto copy = std::make_unique<SubprocessPartition>(command_, config_, options_);
  const std::string who = "core `" + to_string(command_) + "` is not deterministic: ";
  if (copy->info_ != info_) {
    throw std::runtime_error(who + "a copy's hello answer differs from the original's (name or supports)");
  }
  for (std::size_t i = 0; i < journal_.size(); ++i) {
    const Sent& sent = journal_[i];
    const std::string line = copy->round_trip(sent.request);
    if (line != sent.answer && Json::parse(line) != Json::parse(sent.answer)) {
      throw std::runtime_error(who + "replaying request " + std::to_string(i + 1) + " of " +
                               std::to_string(journal_.size()) + " (" + excerpt(sent.request) +
                               ") in a copy started from empty, it answered " + excerpt(line) +
                               " where the original answered " + excerpt(sent.answer));
    }
    copy->journal_.push_back(sent);
  }
  if (state_ && copy->state() != *state_) {
    throw std::runtime_error(who + "a copy that replayed all " + std::to_string(journal_.size()) +
                             " requests with the same answers reports a different state");
  }
  return copy;
}

void SubprocessPartition::close() {
  if (closed_) return;
  (void)ok_round_trip(line_of(Request{{"op", "bye"}}));
  const bool by_itself = process_->finish(kExitGrace);
  closed_ = true;
  if (!by_itself) {
    throw std::runtime_error("core `" + to_string(command_) + "` did not exit within " +
                             std::to_string(kExitGrace.count()) + " ms of bye and was killed");
  }
  const auto status = process_->status();
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    throw std::runtime_error("core `" + to_string(command_) + "` answered bye but then " +
                             process_->exit_description(std::chrono::milliseconds(0)));
  }
}

std::unique_ptr<spec::BrokerPartition> start_core(const CoreCommand& command, const spec::BrokerConfig& config,
                                                  const CoreOptions& options) {
  return std::make_unique<SubprocessPartition>(command, config, options);
}

CoreInfo probe_core(const CoreCommand& command, const spec::BrokerConfig& config, const CoreOptions& options) {
  SubprocessPartition core(command, config, options);
  CoreInfo info = core.info();
  core.close();
  return info;
}

}  // namespace idemcheck::process
