// The kafkajs driver: node runs clients/kafkajs/driver.js, whose JSON lines
// (one per delivery report; the protocol is stated at the top of driver.js)
// are read here. kafkajs reports broker errors with Kafka's code and a
// retriable flag, and nothing about whether a failed record may have been
// written, so a failure reads as "may be written" unless it is a broker error
// that Kafka answers before any append.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "driver_detail.hpp"

extern char** environ;

namespace idemcheck::clients::detail {

namespace {

using Clock = std::chrono::steady_clock;

// Errors a Kafka leader answers without having appended anything.
bool never_written(int code) {
  switch (code) {
    case 3:   // UNKNOWN_TOPIC_OR_PARTITION
    case 6:   // NOT_LEADER_OR_FOLLOWER
    case 19:  // NOT_ENOUGH_REPLICAS
    case 45:  // OUT_OF_ORDER_SEQUENCE_NUMBER
    case 47:  // INVALID_PRODUCER_EPOCH
    case 59:  // UNKNOWN_PRODUCER_ID
    case 87:  // INVALID_RECORD
    case 2:   // CORRUPT_MESSAGE
      return true;
    default: return false;
  }
}

spec::Error checker_error(const nlohmann::json& line) {
  const auto& c = line["error_code"];
  if (c.is_number_integer()) {
    const int code = c.get<int>();
    if (code == 20) return spec::Error::not_enough_replicas_after_append;
    if (code == 7) return spec::Error::request_timed_out;
    if (never_written(code)) return static_cast<spec::Error>(code);
  }
  return spec::Error::network_exception;
}

}  // namespace

DriverResult run_kafkajs(const std::string& bootstrap, const ProducerSettings& s, const Application& app,
                         const std::string& dir) {
  DriverResult out;
  out.client_version = "kafkajs";
  out.reports.resize(static_cast<std::size_t>(app.records));
  for (int n = 0; n < app.records; ++n) {
    out.reports[static_cast<std::size_t>(n)].record = n;
    out.reports[static_cast<std::size_t>(n)].partition = n % app.partitions;
  }
  if (const std::string why = kafkajs_unavailable(dir); !why.empty()) {
    out.fatal = why;
    return out;
  }
  std::vector<std::string> args = {"node",
                                   (std::filesystem::path(dir) / "driver.js").string(),
                                   "--bootstrap", bootstrap,
                                   "--topic", app.topic,
                                   "--records", std::to_string(app.records),
                                   "--partitions", std::to_string(app.partitions),
                                   "--app", std::to_string(app.app),
                                   "--request-timeout-ms", std::to_string(s.request_timeout_ms),
                                   "--send-interval-ms", std::to_string(app.send_interval_ms),
                                   "--client-id", "idemcheck-kafkajs",
                                   "--deadline-ms", std::to_string(app.deadline_ms)};
  if (!s.client_defaults) {
    const std::vector<std::string> more = {"--idempotent", s.idempotence ? "true" : "false",
                                           "--max-in-flight", std::to_string(s.max_in_flight),
                                           "--acks", std::to_string(s.acks),
                                           "--retries", std::to_string(std::min(s.retries, 1000)),
                                           "--retry-initial-ms", std::to_string(s.retry_backoff_ms)};
    args.insert(args.end(), more.begin(), more.end());
  }
  {
    // The version the driver runs, from the installed package itself.
    std::ifstream pkg(std::filesystem::path(dir) / "node_modules" / "kafkajs" / "package.json");
    const auto j = nlohmann::json::parse(pkg, nullptr, false);
    if (j.is_object() && j.contains("version") && j["version"].is_string()) {
      out.client_version = "kafkajs " + j["version"].get<std::string>();
    }
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int pipe_fd[2];
  if (::pipe(pipe_fd) != 0) {
    out.fatal = "cannot create a pipe for node";
    return out;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fd[1], 1);
  posix_spawn_file_actions_addclose(&actions, pipe_fd[0]);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const auto t0 = Clock::now();
  const int rc = posix_spawnp(&pid, "node", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fd[1]);
  if (rc != 0) {
    ::close(pipe_fd[0]);
    out.fatal = "cannot start node";
    return out;
  }
  ::fcntl(pipe_fd[0], F_SETFL, ::fcntl(pipe_fd[0], F_GETFL, 0) | O_NONBLOCK);
  // The driver keeps its own deadline; this one only guards against a hung node.
  const auto kill_at = t0 + std::chrono::milliseconds(app.deadline_ms + 10000);
  std::string buffer;
  bool eof = false;
  while (!eof) {
    char buf[4096];
    const ssize_t got = ::read(pipe_fd[0], buf, sizeof buf);
    if (got > 0) {
      buffer.append(buf, static_cast<std::size_t>(got));
    } else if (got == 0) {
      eof = true;
    } else if (Clock::now() > kill_at) {
      ::kill(pid, SIGKILL);
      out.fatal = "node did not finish in time";
      break;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ::close(pipe_fd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  out.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();

  std::size_t start = 0;
  while (start < buffer.size()) {
    std::size_t end = buffer.find('\n', start);
    if (end == std::string::npos) end = buffer.size();
    const std::string line_text = buffer.substr(start, end - start);
    start = end + 1;
    const auto line = nlohmann::json::parse(line_text, nullptr, false);
    if (line.is_discarded() || !line.is_object()) continue;
    const std::string event = line.value("event", "");
    if (event == "fatal") {
      out.fatal = "kafkajs: " + line.value("error", std::string("fatal error"));
    } else if (event == "ready" && line.contains("version") && line["version"].is_string()) {
      out.client_version = "kafkajs " + line["version"].get<std::string>();
    } else if (event == "report") {
      const auto& rec = line["record"];
      if (!rec.is_number_integer()) continue;
      const auto n = rec.get<std::int64_t>();
      if (n < 0 || n >= app.records) continue;
      DeliveryReport& r = out.reports[static_cast<std::size_t>(n)];
      if (r.reported) continue;
      const auto& err = line["error"];
      if (err.is_string() && err.get<std::string>() == "driver: deadline") continue;  // pending
      r.reported = true;
      r.ms = line.value("ms", std::int64_t{0});
      if (err.is_null()) {
        const auto& off = line["offset"];
        if (off.is_string()) {
          try {
            r.offset = std::stoll(off.get<std::string>());
          } catch (const std::exception&) {
            r.offset = -1;
          }
        }
      } else {
        r.error = checker_error(line);
        r.client_error = err.is_string() ? err.get<std::string>() : err.dump();
      }
    }
  }
  if (out.fatal.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    out.fatal = "node exited abnormally";
  }
  return out;
}

std::string kafkajs_unavailable(const std::string& dir) {
  namespace fs = std::filesystem;
  if (!fs::exists(fs::path(dir) / "driver.js")) return "no kafkajs driver at " + dir;
  if (!fs::exists(fs::path(dir) / "node_modules" / "kafkajs" / "package.json")) {
    return "kafkajs is not installed (run ci/install-deps.sh)";
  }
  return "";
}

}  // namespace idemcheck::clients::detail

namespace idemcheck::clients {

std::string kafkajs_unavailable(const std::string& dir) { return detail::kafkajs_unavailable(dir); }

std::string_view name(Client c) { return c == Client::librdkafka ? "librdkafka" : "kafkajs"; }

std::optional<Client> parse_client(std::string_view text) {
  if (text == "librdkafka") return Client::librdkafka;
  if (text == "kafkajs") return Client::kafkajs;
  return std::nullopt;
}

DriverResult run_driver(Client client, const std::string& bootstrap, const ProducerSettings& settings,
                        const Application& app, const std::string& kafkajs_dir) {
  if (client == Client::librdkafka) return detail::run_librdkafka(bootstrap, settings, app);
  return detail::run_kafkajs(bootstrap, settings, app, kafkajs_dir);
}

}  // namespace idemcheck::clients
