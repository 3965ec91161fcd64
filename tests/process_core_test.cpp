// A core in another process (process/subprocess_partition.hpp): the example
// Python core against the reference model, scenario by scenario and on seeded
// random op sequences, its copies (replays from empty), its seeded bugs, and
// the harness's answer to cores that do not start, print garbage, exit, hang
// or are not deterministic.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "idemcheck/process/subprocess_partition.hpp"
#include "idemcheck/spec/broker_partition.hpp"

namespace {

namespace process = idemcheck::process;
namespace spec = idemcheck::spec;
using std::chrono::milliseconds;

bool python_available() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string_view rest(path);
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    if (!dir.empty() && ::access((dir + "/python3").c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return false;
}

#define SKIP_WITHOUT_PYTHON()                                                \
  do {                                                                       \
    if (!python_available()) GTEST_SKIP() << "python3 is not on PATH";       \
  } while (false)

// The system's interpreter where there is one: a version manager's python3
// on PATH can be a wrapper script that costs more to start than the test runs.
std::string python() { return ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3"; }

process::CoreCommand python_core(std::vector<std::string> args = {}) {
  process::CoreCommand command{{python(), IDEMCHECK_SOURCE_DIR "/examples/python-core/core.py"}};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  return command;
}

process::CoreCommand shell_core(const std::string& script) { return process::CoreCommand{{"sh", "-c", script}}; }

spec::Batch batch(std::int64_t pid, std::int32_t epoch, std::int64_t seq, std::int64_t records = 1,
                  std::int64_t timestamp = 1000) {
  return spec::Batch{pid, epoch, seq, records, timestamp};
}

// The message of the std::runtime_error `f` throws ("" if none).
template <class F>
std::string runtime_error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

// The reference model and a core, driven by the same ops, compared after each.
class Both {
 public:
  explicit Both(const spec::BrokerConfig& config = {}, std::vector<std::string> core_args = {})
      : spec_(spec::make_reference_partition(config)), core_(process::start_core(python_core(core_args), config)) {}
  Both(std::unique_ptr<spec::BrokerPartition> reference, std::unique_ptr<spec::BrokerPartition> core)
      : spec_(std::move(reference)), core_(std::move(core)) {}

  spec::AppendOutcome append(const spec::Batch& b) {
    const spec::AppendOutcome want = spec_->append(b);
    EXPECT_EQ(core_->append(b), want) << b;
    expect_same_state();
    return want;
  }
  void replicate(const spec::Batch& b) {
    spec_->replicate(b);
    core_->replicate(b);
    expect_same_state();
  }
  void expire(std::int64_t now) {
    spec_->expire(now);
    core_->expire(now);
    expect_same_state();
  }
  void snapshot() {
    spec_->take_snapshot();
    core_->take_snapshot();
    expect_same_state();
  }
  void restart(std::int64_t now, bool clean, spec::SnapshotDamage damage = spec::SnapshotDamage::none) {
    spec_->restart(now, clean, damage);
    core_->restart(now, clean, damage);
    expect_same_state();
  }
  void expect_same_state() const {
    EXPECT_EQ(core_->log_end_offset(), spec_->log_end_offset());
    EXPECT_EQ(core_->producers(), spec_->producers());
    EXPECT_EQ(core_->snapshot_offsets(), spec_->snapshot_offsets());
  }
  [[nodiscard]] Both clone() const { return Both(spec_->clone(), core_->clone()); }
  [[nodiscard]] spec::BrokerPartition& reference() { return *spec_; }
  [[nodiscard]] spec::BrokerPartition& core() { return *core_; }

 private:
  std::unique_ptr<spec::BrokerPartition> spec_;
  std::unique_ptr<spec::BrokerPartition> core_;
};

// ---------------------------------------------------------------------------
// Command lines

TEST(CoreCommand, SplitsOnWhitespaceWithQuotesAndNoShell) {
  EXPECT_EQ(process::parse_core_command("python3 examples/python-core/core.py").argv,
            (std::vector<std::string>{"python3", "examples/python-core/core.py"}));
  EXPECT_EQ(process::parse_core_command("  a\t'b c'  \"d \\\"e\\\" $HOME\" f\\ g h'i'\"j\" '' ").argv,
            (std::vector<std::string>{"a", "b c", "d \"e\" $HOME", "f g", "hij", ""}));
  EXPECT_EQ(process::parse_core_command("'it'\\''s' *").argv, (std::vector<std::string>{"it's", "*"}));
  EXPECT_THROW((void)process::parse_core_command("a 'b"), std::invalid_argument);
  EXPECT_THROW((void)process::parse_core_command("a \"b"), std::invalid_argument);
  EXPECT_THROW((void)process::parse_core_command("a b\\"), std::invalid_argument);
  EXPECT_THROW((void)process::parse_core_command(" \t "), std::invalid_argument);
}

TEST(CoreCommand, ToStringReadsBackToTheSameWords) {
  const process::CoreCommand c{{"python3", "my core.py", "it's", "", "--bug=x", "$HOME", "a\"b"}};
  EXPECT_EQ(process::to_string(process::CoreCommand{{"python3", "core.py"}}), "python3 core.py");
  EXPECT_EQ(process::parse_core_command(process::to_string(c)), c);
}

// ---------------------------------------------------------------------------
// The Python core against the reference model

TEST(PythonCore, HelloNamesItAndListsEveryOperation) {
  SKIP_WITHOUT_PYTHON();
  const process::CoreInfo info = process::probe_core(python_core(), spec::BrokerConfig{});
  EXPECT_EQ(info.name, "python-example");
  for (const char* op : {"append", "replicate", "expire", "snapshot", "restart", "damage"}) {
    EXPECT_TRUE(info.supports_op(op)) << op;
  }
  EXPECT_FALSE(info.supports_op("transactions"));
  const auto core = process::start_core(python_core(), spec::BrokerConfig{});
  EXPECT_EQ(core->name(), "python-example");
}

TEST(PythonCore, InSequenceAppendsAndEvictionBeyondTheWindow) {
  SKIP_WITHOUT_PYTHON();
  Both both;
  std::int64_t seq = 0;
  for (int i = 0; i < 7; ++i) {
    const spec::AppendOutcome o = both.append(batch(7, 0, seq, 3, 1000 + i));
    EXPECT_EQ(o.error, spec::Error::none);
    seq += 3;
  }
  EXPECT_EQ(both.reference().producers().at(0).batches.size(), 5u);
  both.append(batch(spec::kNoProducerId, spec::kNoEpoch, spec::kNoSequence, 2));  // R1
  both.append(batch(8, 0, -1));                                                   // R2
  both.append(batch(9, 0, 17));                                                   // R5: any sequence
}

TEST(PythonCore, RetryFromTheCacheIsADuplicateAndOneOlderIsOutOfOrder) {
  SKIP_WITHOUT_PYTHON();
  Both both(spec::BrokerConfig{3});
  for (int i = 0; i < 4; ++i) both.append(batch(7, 0, i * 2, 2));
  const spec::AppendOutcome dup = both.append(batch(7, 0, 2, 2));  // oldest in the window
  EXPECT_TRUE(dup.duplicate);
  EXPECT_EQ(dup.first_offset, 2);
  EXPECT_EQ(both.append(batch(7, 0, 0, 2)).error, spec::Error::out_of_order_sequence_number);  // evicted
  EXPECT_EQ(both.append(batch(7, 0, 2, 1)).error, spec::Error::out_of_order_sequence_number);  // partial overlap
}

TEST(PythonCore, GapIsOutOfOrderAndSequencesWrapAtInt32Max) {
  SKIP_WITHOUT_PYTHON();
  Both both;
  both.append(batch(7, 0, 0));
  EXPECT_EQ(both.append(batch(7, 0, 2)).error, spec::Error::out_of_order_sequence_number);
  both.append(batch(1, 0, spec::kMaxSequence - 1, 2));
  EXPECT_EQ(both.append(batch(1, 0, 0, 4)).error, spec::Error::none);
  both.append(batch(2, 0, spec::kMaxSequence - 1, 4));  // a batch across the wrap
  EXPECT_TRUE(both.append(batch(2, 0, spec::kMaxSequence - 1, 4)).duplicate);
  EXPECT_EQ(both.append(batch(2, 0, 2)).error, spec::Error::none);
}

TEST(PythonCore, EpochRules) {
  SKIP_WITHOUT_PYTHON();
  Both both;
  both.append(batch(7, 0, 0));
  both.append(batch(7, 0, 1));
  EXPECT_EQ(both.append(batch(7, 1, 5)).error, spec::Error::out_of_order_sequence_number);  // R7
  EXPECT_EQ(both.append(batch(7, 1, 0)).error, spec::Error::none);                          // R6
  EXPECT_EQ(both.reference().producers().at(0).batches.size(), 1u);
  EXPECT_EQ(both.append(batch(7, 0, 2)).error, spec::Error::invalid_producer_epoch);        // R4
  EXPECT_EQ(both.append(batch(7, 0, 1)).error, spec::Error::invalid_producer_epoch);        // not a dup: old epoch
  both.append(batch(3, spec::kNoEpoch, 4));                                                 // R5 at epoch -1
  both.append(batch(3, spec::kNoEpoch, 9));                                                 // R8
  both.append(batch(3, spec::kNoEpoch, 9));                                                 // R3 at epoch -1
  both.append(batch(3, 2, 6));                                                              // no state: any sequence
}

TEST(PythonCore, ReplicationExpiryAndSnapshots) {
  SKIP_WITHOUT_PYTHON();
  spec::BrokerConfig config;
  config.producer_id_expiration_ms = 100;
  Both both(config);
  both.append(batch(7, 0, 0, 1, 1000));
  both.replicate(batch(7, 3, 40, 2, 1050));  // no validation: epoch and sequence adopted
  both.replicate(batch(8, 0, -5, 1, 1010));
  both.replicate(batch(spec::kNoProducerId, spec::kNoEpoch, spec::kNoSequence, 3, 1020));
  both.append(batch(7, 3, 42, 1, 1060));
  both.snapshot();
  both.snapshot();  // the same offset: replaced
  both.expire(1109);
  both.expire(1110);  // pid 8 has been idle for 100 ms
  both.expire(1160);
  EXPECT_TRUE(both.reference().producers().empty());
}

TEST(PythonCore, CleanAndUncleanRestarts) {
  SKIP_WITHOUT_PYTHON();
  for (const bool keeps_window : {false, true}) {
    spec::BrokerConfig config;
    config.snapshot_keeps_window = keeps_window;
    Both both(config);
    for (int i = 0; i < 3; ++i) both.append(batch(7, 0, i));
    both.restart(2000, true);
    EXPECT_EQ(both.append(batch(7, 0, 0)).error,
              keeps_window ? spec::Error::none : spec::Error::out_of_order_sequence_number);
    both.append(batch(7, 0, 3));
    both.snapshot();
    both.append(batch(7, 0, 4));
    both.append(batch(9, 0, 0));
    both.restart(3000, false);  // the log after the snapshot is replayed
    both.append(batch(7, 0, 4));
    both.restart(3000 + config.producer_id_expiration_ms, false);  // everything expired as it loads
    both.restart(3000 + config.producer_id_expiration_ms, true);
  }
}

TEST(PythonCore, DamagedSnapshotsFallBackToTheNextNewest) {
  SKIP_WITHOUT_PYTHON();
  for (const spec::SnapshotDamage damage : {spec::SnapshotDamage::torn, spec::SnapshotDamage::corrupt}) {
    Both both;
    both.restart(10, false, damage);  // nothing on disk to damage
    for (int i = 0; i < 3; ++i) both.append(batch(7, 0, i));
    both.snapshot();
    for (int i = 3; i < 6; ++i) both.append(batch(7, 0, i));
    both.append(batch(5, 0, 0));
    both.snapshot();
    both.append(batch(7, 0, 6));
    both.restart(20, false, damage);  // the newest is deleted; back to the one at offset 3
    both.append(batch(7, 0, 3));      // a duplicate again: the replay restored the window
    both.restart(30, true, damage);   // the shutdown snapshot is the damaged one
    both.restart(40, true);
  }
}

TEST(PythonCore, CloneReplaysFromEmptyAndIsIndependent) {
  SKIP_WITHOUT_PYTHON();
  Both both;
  for (int i = 0; i < 4; ++i) both.append(batch(7, 0, i, 2, 1000 + i));
  both.snapshot();
  both.replicate(batch(8, 1, 0));
  both.restart(5000, false, spec::SnapshotDamage::torn);
  both.append(batch(7, 0, 1));  // rejected: out of order, but replayed as well

  Both copy = both.clone();
  copy.expect_same_state();
  EXPECT_EQ(copy.core().name(), "python-example");
  auto& sub = dynamic_cast<process::SubprocessPartition&>(copy.core());
  EXPECT_EQ(sub.replay_length(), 8u);  // every mutating request, the rejected append too

  copy.append(batch(7, 0, 8));
  copy.restart(6000, true);
  both.append(batch(9, 0, 0));  // the original goes its own way
  both.expect_same_state();
  copy.expect_same_state();
  Both copy_of_copy = copy.clone();
  copy_of_copy.expect_same_state();
}

TEST(PythonCore, RefusesRulesItDoesNotImplement) {
  SKIP_WITHOUT_PYTHON();
  spec::BrokerConfig config;
  config.rules = spec::BrokerRules::redpanda;
  const std::string message = runtime_error_of([&] { (void)process::start_core(python_core(), config); });
  EXPECT_NE(message.find("refused the configuration"), std::string::npos) << message;
  EXPECT_NE(message.find("kafka-2.5 rules only"), std::string::npos) << message;
}

// A random op sequence from `seed`, on both sides, with copies along the way.
void random_differential(std::uint64_t seed, int steps) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); };
  spec::BrokerConfig config;
  config.window = static_cast<int>(pick(1, 5));
  config.producer_id_expiration_ms = pick(20, 400);
  config.snapshot_keeps_window = pick(0, 1) == 1;
  auto both = std::make_unique<Both>(config);
  std::int64_t now = 0;
  std::int64_t next[3] = {0, spec::kMaxSequence - 3, 0};  // producer 1 wraps
  std::int32_t epoch[3] = {0, 0, 0};
  for (int step = 0; step < steps && !::testing::Test::HasFailure(); ++step) {
    SCOPED_TRACE("seed " + std::to_string(seed) + " step " + std::to_string(step));
    now += pick(0, 30);
    const int p = static_cast<int>(pick(0, 2));
    const std::int64_t records = pick(1, 3);
    const std::int64_t roll = pick(0, 99);
    if (roll < 40) {  // the next batch
      both->append(batch(p, epoch[p], next[p], records, now));
    } else if (roll < 55) {  // a retry of something recent, or a gap
      both->append(batch(p, epoch[p], std::max<std::int64_t>(0, next[p] - pick(-2, 6)), records, now));
    } else if (roll < 60) {  // a bumped, stale or missing epoch
      const auto e = static_cast<std::int32_t>(epoch[p] + pick(-1, 1));
      both->append(batch(p, e, pick(0, 1) == 0 ? 0 : next[p], records, now));
    } else if (roll < 63) {
      both->append(batch(spec::kNoProducerId, spec::kNoEpoch, spec::kNoSequence, records, now));
    } else if (roll < 70) {
      both->replicate(batch(p, epoch[p], next[p], records, now));
    } else if (roll < 76) {
      both->expire(now);
    } else if (roll < 84) {
      both->snapshot();
    } else if (roll < 98) {
      const auto damage = static_cast<spec::SnapshotDamage>(pick(0, 2));
      both->restart(now, pick(0, 1) == 1, damage);
    } else {  // rarely: a copy costs a process start and a replay
      both = std::make_unique<Both>(both->clone());
      both->expect_same_state();
    }
    // The producers follow the broker's view of their epoch and next sequence.
    for (const spec::ProducerEntry& e : both->reference().producers()) {
      if (e.producer_id >= 0 && e.producer_id < 3 && !e.batches.empty()) {
        epoch[e.producer_id] = e.epoch;
        next[e.producer_id] = spec::next_sequence(e.batches.back().last_sequence);
      }
    }
  }
}

TEST(PythonCore, AgreesWithTheReferenceOnRandomOpSequences) {
  SKIP_WITHOUT_PYTHON();
  for (std::uint64_t seed = 1; seed <= 4; ++seed) random_differential(seed, 250);
}

// ---------------------------------------------------------------------------
// The seeded bugs: each answers differently from the reference somewhere.

TEST(PythonCoreBugs, DedupNewestOnlyRejectsARetryOfAnOlderCachedBatch) {
  SKIP_WITHOUT_PYTHON();
  const spec::BrokerConfig config;
  const auto reference = spec::make_reference_partition(config);
  const auto bugged = process::start_core(python_core({"--bug", "dedup-newest-only"}), config);
  for (auto* p : {reference.get(), bugged.get()}) {
    p->append(batch(7, 0, 0));
    p->append(batch(7, 0, 1));
  }
  const spec::AppendOutcome want = reference->append(batch(7, 0, 0));
  const spec::AppendOutcome got = bugged->append(batch(7, 0, 0));
  EXPECT_TRUE(want.duplicate);
  EXPECT_EQ(got.error, spec::Error::out_of_order_sequence_number);
  EXPECT_NE(got, want);
  EXPECT_EQ(bugged->name(), "python-example (bug dedup-newest-only)");
}

TEST(PythonCoreBugs, EveryOtherBugDivergesToo) {
  SKIP_WITHOUT_PYTHON();
  const spec::BrokerConfig config;
  {
    const auto reference = spec::make_reference_partition(config);
    const auto bugged = process::start_core(python_core({"--bug=no-wraparound"}), config);
    for (auto* p : {reference.get(), bugged.get()}) p->append(batch(7, 0, spec::kMaxSequence));
    EXPECT_NE(bugged->append(batch(7, 0, 0)), reference->append(batch(7, 0, 0)));
  }
  {
    const auto reference = spec::make_reference_partition(config);
    const auto bugged = process::start_core(python_core({"--bug", "expire-late"}), config);
    for (auto* p : {reference.get(), bugged.get()}) {
      p->append(batch(7, 0, 0, 1, 1000));
      p->expire(1000 + config.producer_id_expiration_ms);
    }
    EXPECT_NE(bugged->producers(), reference->producers());
  }
  {
    const auto reference = spec::make_reference_partition(config);
    const auto bugged = process::start_core(python_core({"--bug", "no-log-replay"}), config);
    for (auto* p : {reference.get(), bugged.get()}) {
      p->append(batch(7, 0, 0));
      p->take_snapshot();
      p->append(batch(7, 0, 1));
      p->restart(2000, false);
    }
    EXPECT_NE(bugged->producers(), reference->producers());
  }
}

// ---------------------------------------------------------------------------
// Cores that misbehave: an exception with a clear message, never a hang.

TEST(BrokenCore, ACommandThatDoesNotExist) {
  const std::string message = runtime_error_of(
      [] { (void)process::start_core(process::CoreCommand{{"idemcheck-no-such-core"}}, spec::BrokerConfig{}); });
  EXPECT_NE(message.find("core `idemcheck-no-such-core`"), std::string::npos) << message;
  EXPECT_NE(message.find("cannot start it"), std::string::npos) << message;
}

TEST(BrokenCore, AnAnswerThatIsNotJson) {
  const std::string message =
      runtime_error_of([] { (void)process::start_core(shell_core("read x; echo notjson"), spec::BrokerConfig{}); });
  EXPECT_NE(message.find("not JSON: notjson"), std::string::npos) << message;
  EXPECT_NE(message.find("\"op\":\"hello\""), std::string::npos) << message;  // the request sent
}

TEST(BrokenCore, ACoreThatExits) {
  const std::string at_start =
      runtime_error_of([] { (void)process::start_core(shell_core("exit 3"), spec::BrokerConfig{}); });
  EXPECT_NE(at_start.find("status 3"), std::string::npos) << at_start;

  // Says hello, then exits at the first append.
  const auto core = process::start_core(
      shell_core("read x; echo '{\"ok\":true,\"name\":\"sh\",\"supports\":[]}'; read y; exit 4"), spec::BrokerConfig{});
  const std::string message = runtime_error_of([&] { (void)core->append(batch(7, 0, 0)); });
  EXPECT_NE(message.find("\"op\":\"append\""), std::string::npos) << message;
  EXPECT_NE(message.find("closed its output without answering (it exited with status 4)"), std::string::npos)
      << message;
  // Broken for good: the next call throws at once.
  EXPECT_THROW((void)core->log_end_offset(), std::runtime_error);
}

TEST(BrokenCore, ACoreThatClosesItsInputIsAnErrorNotASigpipe) {
  // The write meets a pipe without a reader: SIGPIPE, whose default action would end this test.
  // This core closes its stdin before it answers the hello, so the append's write must fail.
  const auto core = process::start_core(
      shell_core("read x; exec 0<&-; echo '{\"ok\":true,\"name\":\"sh\",\"supports\":[]}'; exec sleep 5"),
      spec::BrokerConfig{});
  const std::string message = runtime_error_of([&] { (void)core->append(batch(1, 0, 0)); });
  EXPECT_NE(message.find("it closed its input"), std::string::npos) << message;
  struct sigaction now {};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &now), 0);
  EXPECT_EQ(now.sa_handler, SIG_DFL);  // the harness's disposition is left alone
  sigset_t pending;
  sigemptyset(&pending);
  ASSERT_EQ(::sigpending(&pending), 0);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0);  // and no SIGPIPE is left behind
}

TEST(BrokenCore, ACoreThatHangsTimesOut) {
  process::CoreOptions options;
  options.timeout = milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  const std::string message = runtime_error_of(
      [&] { (void)process::start_core(process::CoreCommand{{"sleep", "30"}}, spec::BrokerConfig{}, options); });
  EXPECT_NE(message.find("no answer within 300 ms"), std::string::npos) << message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(BrokenCore, RefusalsMissingFieldsAndUnknownErrors) {
  // A core answering each append from a fixed list of lines.
  auto scripted = [](const std::string& answer) {
    return process::start_core(
        shell_core("read x; echo '{\"ok\":true,\"name\":\"sh\",\"supports\":[]}'; read y; echo '" + answer +
                   "'; read z"),
        spec::BrokerConfig{});
  };
  std::string m = runtime_error_of([&] { (void)scripted("{\"ok\":false,\"error\":\"boom\"}")->append(batch(1, 0, 0)); });
  EXPECT_NE(m.find("could not do it: boom"), std::string::npos) << m;
  m = runtime_error_of([&] { (void)scripted("{\"error\":\"none\"}")->append(batch(1, 0, 0)); });
  EXPECT_NE(m.find("has no \"duplicate\""), std::string::npos) << m;
  m = runtime_error_of([&] {
    (void)scripted("{\"error\":\"bad_luck\",\"duplicate\":false,\"first_offset\":-1,\"last_offset\":-1}")
        ->append(batch(1, 0, 0));
  });
  EXPECT_NE(m.find("bad_luck"), std::string::npos) << m;
  // Kafka's upper-case spelling is accepted.
  const auto upper = scripted(R"({"error":"OUT_OF_ORDER_SEQUENCE_NUMBER","duplicate":false,"first_offset":-1,"last_offset":-1})");
  EXPECT_EQ(upper->append(batch(1, 0, 0)).error, spec::Error::out_of_order_sequence_number);
}

TEST(BrokenCore, AnOperationTheCoreDidNotListIsNotSent) {
  const auto core =
      process::start_core(shell_core("read x; echo '{\"ok\":true,\"name\":\"sh\",\"supports\":[\"append\"]}'; cat >/dev/null"),
                          spec::BrokerConfig{});
  EXPECT_THROW(core->take_snapshot(), std::logic_error);
  EXPECT_THROW(core->restart(0, true), std::logic_error);
}

TEST(BrokenCore, ANonDeterministicCoreCannotBeCopied) {
  SKIP_WITHOUT_PYTHON();
  const std::string script = R"(
import sys, json, random
for line in sys.stdin:
    op = json.loads(line)["op"]
    if op == "hello": a = {"ok": True, "name": "dice", "supports": []}
    elif op == "append":
        o = random.randrange(1 << 40)
        a = {"error": "none", "duplicate": False, "first_offset": o, "last_offset": o}
    else: a = {"ok": True}
    print(json.dumps(a), flush=True)
)";
  const auto core = process::start_core(process::CoreCommand{{"python3", "-c", script}}, spec::BrokerConfig{});
  for (int i = 0; i < 3; ++i) (void)core->append(batch(1, 0, i));
  const std::string message = runtime_error_of([&] { (void)core->clone(); });
  EXPECT_NE(message.find("not deterministic"), std::string::npos) << message;
}

}  // namespace
