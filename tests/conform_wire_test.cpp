// The broker differential over the wire (idemcheck/conform): against the
// project's own front end (reference partition and impl core: no divergence
// over many generated op lists, also under the front end's protocol faults,
// which exercise every answer of unknown effect), against a deliberately
// mismatched spec (a divergence found, shrunk to the exact list that needs
// it), against librdkafka's mock cluster started in process (its divergences
// pinned: the shrunk lists, their kinds and that they replay), the wire
// producer's requests through the codec, the op text form, and bad input
// (bad addresses, nothing listening, a peer that closes, is silent or
// answers garbage) as clear errors, in the library and in the CLI.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "commands.hpp"
#include "idemcheck/conform/kafka_connection.hpp"
#include "idemcheck/conform/wire_differential.hpp"
#include "idemcheck/conform/wire_ops.hpp"
#include "idemcheck/frontend/server.hpp"
#include "idemcheck/properties/broker_adapters.hpp"
#include "idemcheck/wire/record_batch.hpp"
#ifdef IDEMCHECK_HAVE_CONFORM_MOCK
#include "idemcheck/conform/rdkafka_mock_target.hpp"
#endif

namespace {

using namespace idemcheck;
using conform::ConformError;
using conform::WireOp;
using K = WireOp::Kind;

const std::string kTopic = "idemcheck-conform";

std::unique_ptr<frontend::FrontEnd> start_front_end(frontend::ClusterConfig config = {}) {
  config.topic = kTopic;
  auto fe = std::make_unique<frontend::FrontEnd>(std::move(config));
  fe->start();
  return fe;
}

conform::WireTarget target_of(const std::string& bootstrap, int timeout_ms = 5000) {
  conform::WireTarget t;
  t.bootstrap = conform::parse_bootstrap(bootstrap);
  t.topic = kTopic;
  t.timeout_ms = timeout_ms;
  return t;
}

std::vector<WireOp> ops(const std::string& text) {
  auto parsed = conform::parse_ops(text);
  if (const auto* e = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << "test bug: " << *e;
    return {};
  }
  return std::get<std::vector<WireOp>>(parsed);
}

// A port nothing listens on: bound once, then closed.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

// A peer on loopback that misbehaves in one way.
class FakeBroker {
 public:
  enum class Mode {
    close_at_once,  // accepts, closes
    junk_answer,    // answers every request with its correlation id and junk
    silent,         // reads, never answers
    huge_frame,     // answers with a size prefix of 2^31 - 1
  };
  explicit FakeBroker(Mode mode) : mode_(mode) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(listener_, 8), 0);
    socklen_t len = sizeof a;
    EXPECT_EQ(::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len), 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  FakeBroker(const FakeBroker&) = delete;
  FakeBroker& operator=(const FakeBroker&) = delete;
  ~FakeBroker() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  [[nodiscard]] std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void serve() {
    std::vector<int> conns;
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 20) == 1) {
        const int c = ::accept(listener_, nullptr, nullptr);
        if (c >= 0 && mode_ == Mode::close_at_once) {
          ::close(c);
        } else if (c >= 0) {
          conns.push_back(c);
        }
      }
      for (const int c : conns) {
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 0) != 1) continue;
        unsigned char buf[4096];
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n < 12 || mode_ == Mode::silent) continue;
        // size(4) api_key(2) api_version(2) correlation_id(4)
        std::vector<unsigned char> answer;
        if (mode_ == Mode::huge_frame) {
          answer = {0x7f, 0xff, 0xff, 0xff};
        } else {
          answer = {0, 0, 0, 12, buf[8], buf[9], buf[10], buf[11], 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff};
        }
        (void)::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
      }
    }
    for (const int c : conns) ::close(c);
  }

  Mode mode_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// ---------------------------------------------------------------- (a) the front end

TEST(ConformFrontEnd, TheReferenceFrontEndNeverDiverges) {
  auto fe = start_front_end();
  conform::WireDifferential d(target_of(fe->bootstrap()));
  EXPECT_EQ(d.versions().produce, 9);  // the front end speaks every version the codec does
  conform::CheckOptions options;
  options.seed = 20260101;
  options.runs = 400;
  options.max_ops = 40;
  const conform::CheckResult r = conform::check(d, options);
  ASSERT_TRUE(r.failures.empty()) << r.failures.front().group << "\n"
                                  << conform::to_string(r.failures.front().ops);
  EXPECT_EQ(r.inconclusive_runs, 0U);
  EXPECT_EQ(r.stats.runs, 400U);
  // The runs reached what the judge must handle: lost answers with both
  // possibilities open, reconnects, KIP-360 bumps (a new id from the front end).
  EXPECT_GT(r.stats.ops, 6000U);
  EXPECT_GT(r.stats.lost_answers, 200U);
  EXPECT_GE(r.stats.max_branches, 4U);
  EXPECT_GT(r.stats.reconnects, 50U);
  EXPECT_EQ(r.stats.bump_fallbacks, 0U);
}

TEST(ConformFrontEnd, TheImplCoreBehindTheFrontEndNeverDiverges) {
  frontend::ClusterConfig config;
  config.partition = properties::make_impl_partition;
  auto fe = start_front_end(config);
  conform::WireDifferential d(target_of(fe->bootstrap()));
  conform::CheckOptions options;
  options.seed = 7;
  options.runs = 200;
  const conform::CheckResult r = conform::check(d, options);
  EXPECT_TRUE(r.failures.empty());
  EXPECT_EQ(r.stats.runs, 200U);
}

// Every protocol fault of the front end that leaves a batch's effect open or
// nothing written: the judge keeps both possibilities (W4, W5) and never
// reports a divergence a legitimate schedule produces.
TEST(ConformFrontEnd, AnswersOfUnknownEffectAreNeverDivergences) {
  using frontend::Fault;
  using frontend::FaultKind;
  frontend::ClusterConfig config;
  config.faults.at[4] = Fault{FaultKind::zombie};
  config.faults.at[11] = Fault{FaultKind::lose_request};
  config.faults.at[19] = Fault{FaultKind::error_after, 20};
  config.faults.at[27] = Fault{FaultKind::error_before, 6};
  config.faults.at[35] = Fault{FaultKind::move_leader};
  config.faults.at[43] = Fault{FaultKind::hold_response, 0, 600};
  config.faults.at[51] = Fault{FaultKind::error_before, 7};
  config.faults.at[59] = Fault{FaultKind::lose_response};
  config.faults.at[67] = Fault{FaultKind::error_after, 7};
  auto fe = start_front_end(config);
  conform::WireDifferential d(target_of(fe->bootstrap(), 250));  // shorter than the held answer
  conform::CheckOptions options;
  options.seed = 3;
  options.runs = 40;
  options.max_ops = 20;
  const conform::CheckResult r = conform::check(d, options);
  ASSERT_TRUE(r.failures.empty()) << r.failures.front().group << "\n"
                                  << conform::to_string(r.failures.front().ops);
  EXPECT_GT(fe->produce_requests(), 67);
  // zombie, lose-request, two error-after, hold-response, REQUEST_TIMED_OUT before, lose-response
  EXPECT_GE(r.stats.unknown_fate, 7U);
  EXPECT_GE(r.stats.not_written, 2U);  // NOT_LEADER_OR_FOLLOWER: error-before and the moved leader
}

TEST(ConformFrontEnd, ALostAnswerKeepsBothPossibilitiesUntilAnAnswerDecides) {
  auto fe = start_front_end();
  conform::WireDifferential d(target_of(fe->bootstrap()));
  for (const char* text : {"lose_answer p0; append_next p0", "append_next p0; lose_answer p0; retry_recent p0 1",
                           "append_next p0; lose_answer p0; lose_answer p0; retry_recent p0 2; append_next p0",
                           "pipeline p0 5; lose_answer p0; retry_recent p0 6; append_next p0"}) {
    const conform::RunResult r = d.run(ops(text));
    EXPECT_FALSE(r.divergence) << text << ": " << r.divergence->spec_answer << " vs " << r.divergence->broker_answer;
    EXPECT_GE(r.stats.max_branches, 2U) << text;
  }
  const conform::RunResult r = d.run(ops("append_next p0; lose_answer p0"));
  ASSERT_FALSE(r.exchanges.empty());
  EXPECT_EQ(r.exchanges.back().broker, "not read (connection closed)");
}

// A spec that caches 4 batches against a broker that caches 5: the retry of
// the 5th newest batch is a duplicate for the broker and out of order for the
// spec. The check finds it and the shrinker keeps exactly what it needs.
TEST(ConformFrontEnd, AMismatchedSpecIsFoundAndShrunkToWhatTheDivergenceNeeds) {
  auto fe = start_front_end();
  spec::BrokerConfig spec_config;
  spec_config.window = 4;
  conform::WireDifferential d(target_of(fe->bootstrap()), spec_config);
  const auto noisy = ops(
      "append_next p1; append_next p0; reconnect; no_producer_id r2; append_next p0; append_next p1; append_next p0; "
      "lose_answer p2; append_next p0; append_next p0; retry_recent p0 5; append_next p1");
  const conform::RunResult r = d.run(noisy);
  ASSERT_TRUE(r.divergence);
  EXPECT_EQ(r.divergence->kind, conform::DivergenceKind::error_code);
  EXPECT_EQ(r.divergence->step, 10U);
  EXPECT_EQ(conform::signature(*r.divergence),
            "error code: spec OUT_OF_ORDER_SEQUENCE_NUMBER vs broker NONE");
  const conform::ShrinkOutcome s = conform::shrink(d, noisy, *r.divergence);
  ASSERT_TRUE(s.reproduced);
  EXPECT_EQ(conform::to_string(s.ops),
            "append_next p0; append_next p0; append_next p0; append_next p0; append_next p0; retry_recent p0 5");
  ASSERT_TRUE(s.result.divergence);
  EXPECT_EQ(s.result.divergence->step, 5U);
  EXPECT_LT(s.replays, 200U);
}

// ---------------------------------------------------------------- (b) librdkafka's mock cluster

#ifdef IDEMCHECK_HAVE_CONFORM_MOCK

// librdkafka 2.0.2's mock checks sequences only for transactional producers
// (rdkafka_mock.c: rd_kafka_mock_validate_records returns at once without a
// transactional id): an idempotent producer's every batch is written.
TEST(ConformRdkafkaMock, TheMockDivergesAndTheShrunkListReplays) {
  conform::RdkafkaMockCluster mock(3, kTopic);
  conform::WireDifferential d(target_of(mock.bootstrap()));
  EXPECT_EQ(d.versions().produce, 7);   // the mock's highest
  EXPECT_EQ(d.versions().metadata, 2);  // ditto
  conform::CheckOptions options;
  options.seed = 1;
  options.runs = 100;
  const conform::CheckResult r = conform::check(d, options);
  ASSERT_EQ(r.failures.size(), 1U);
  const conform::Failure& f = r.failures.front();
  ASSERT_TRUE(f.shrunk);
  ASSERT_TRUE(f.shrunk->reproduced);
  const conform::Divergence& shrunk = *f.shrunk->result.divergence;
  EXPECT_EQ(conform::signature(shrunk), conform::signature(*f.result.divergence));
  EXPECT_EQ(conform::signature(shrunk), "error code: spec OUT_OF_ORDER_SEQUENCE_NUMBER vs broker NONE");
  EXPECT_LE(f.shrunk->ops.size(), 6U);
  EXPECT_EQ(conform::to_string(f.shrunk->ops), "append_next p0; bump_epoch_nonzero p0");
  // Replayed from fresh producers, the shrunk list diverges again, at the same step, the same way.
  for (int i = 0; i < 3; ++i) {
    const conform::RunResult again = d.run(f.shrunk->ops);
    ASSERT_TRUE(again.divergence);
    EXPECT_EQ(again.divergence->step, shrunk.step);
    EXPECT_EQ(conform::signature(*again.divergence), conform::signature(shrunk));
  }
}

TEST(ConformRdkafkaMock, EachOfTheMocksDivergencesPinned) {
  conform::RdkafkaMockCluster mock(3, kTopic);
  conform::WireDifferential d(target_of(mock.bootstrap()));
  struct Case {
    const char* ops;
    conform::DivergenceKind kind;
    const char* signature;
  };
  const Case cases[] = {
      // a retry of the newest batch is written again, at a new offset
      {"append_next p0; retry_recent p0 1", conform::DivergenceKind::base_offset,
       "base offset: spec NONE (duplicate) vs broker NONE"},
      {"append_next p0; gap p0 1", conform::DivergenceKind::error_code,
       "error code: spec OUT_OF_ORDER_SEQUENCE_NUMBER vs broker NONE"},
      {"append_next p0; partial_overlap p0 1", conform::DivergenceKind::error_code,
       "error code: spec OUT_OF_ORDER_SEQUENCE_NUMBER vs broker NONE"},
      {"pipeline p0 5; append_next p0; retry_evicted p0 1", conform::DivergenceKind::error_code,
       "error code: spec OUT_OF_ORDER_SEQUENCE_NUMBER vs broker NONE"},
      {"append_next p0; bump_epoch_nonzero p0", conform::DivergenceKind::error_code,
       "error code: spec OUT_OF_ORDER_SEQUENCE_NUMBER vs broker NONE"},
      {"append_next p0; stale_epoch p0", conform::DivergenceKind::error_code,
       "error code: spec INVALID_PRODUCER_EPOCH vs broker NONE"},
  };
  for (const Case& c : cases) {
    const auto list = ops(c.ops);
    const conform::RunResult r = d.run(list);
    ASSERT_TRUE(r.divergence) << c.ops;
    EXPECT_EQ(r.divergence->kind, c.kind) << c.ops;
    EXPECT_EQ(conform::signature(*r.divergence), c.signature) << c.ops;
    EXPECT_EQ(r.divergence->step, list.size() - 1) << c.ops;
    EXPECT_FALSE(r.divergence->after_lost_answer) << c.ops;
  }
  // What the mock gets right: in-sequence appends, epoch bumps at 0, new ids mid-stream and at the wrap.
  for (const char* ok : {"append_next p0; append_next p0 r3; pipeline p0 5; bump_epoch p0; append_next p0",
                         "new_producer p1 2 r4; append_next p1; new_producer p2 3; bump_epoch p2; no_producer_id"}) {
    EXPECT_FALSE(d.run(ops(ok)).divergence) << ok;
  }
  // KIP-360: the mock answers a bump without a transactional id with
  // INVALID_PRODUCER_ID_MAPPING; the harness falls back to a new id (W6).
  const conform::RunResult bump = d.run(ops("append_next p0; init_bump p0; append_next p0"));
  EXPECT_FALSE(bump.divergence);
  EXPECT_EQ(bump.stats.bump_fallbacks, 1U);
}

// A lost batch the mock wrote, then its retry written again: no branch of the
// judge predicts the retry's offset (both possibilities are kept, W5).
TEST(ConformRdkafkaMock, ALostBatchThenItsRetryIsJudgedOnEveryBranch) {
  conform::RdkafkaMockCluster mock(1, kTopic);
  conform::WireDifferential d(target_of(mock.bootstrap()));
  const conform::RunResult r = d.run(ops("append_next p0; lose_answer p0; retry_recent p0 1"));
  ASSERT_TRUE(r.divergence);
  EXPECT_EQ(r.divergence->kind, conform::DivergenceKind::base_offset);
  EXPECT_TRUE(r.divergence->after_lost_answer);
  EXPECT_NE(r.divergence->spec_answer.find(" written] "), std::string::npos) << r.divergence->spec_answer;
  EXPECT_NE(r.divergence->spec_answer.find(" not written] "), std::string::npos) << r.divergence->spec_answer;
}

TEST(ConformRdkafkaMock, TheCliFindsShrinksAndPrintsAReplayCommand) {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  const int status = cli::run_idemcheck({"conform", "--target", "librdkafka-mock", "--seed", "1", "--runs", "50"}, out, err);
  std::rewind(out);
  std::string text;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, out)) > 0) text.append(buf, n);
  std::fclose(out);
  std::fclose(err);
  EXPECT_EQ(status, 1);
  EXPECT_NE(text.find("FAILED: the broker diverges from the spec"), std::string::npos) << text;
  EXPECT_NE(text.find("replay: idemcheck conform --target librdkafka-mock --ops \"append_next p0; bump_epoch_nonzero p0\""),
            std::string::npos)
      << text;
}

#endif  // IDEMCHECK_HAVE_CONFORM_MOCK

// ---------------------------------------------------------------- (c) the wire producer

TEST(ConformWire, ProduceRequestsRoundTripThroughTheCodecInEveryVersion) {
  const spec::Batch batches[] = {
      {1000, 0, 0, 1, 1'700'000'000'000},
      {1001, 32'766, spec::kMaxSequence - 1, 4, 5},  // wraps
      {1002, -1, 7, 2, 0},                           // a stale epoch below 0
      {spec::kNoProducerId, spec::kNoEpoch, spec::kNoSequence, 3, 9},
  };
  for (const spec::Batch& b : batches) {
    const wire::ProduceRequest req = conform::make_produce_request("t", b, b.max_timestamp);
    for (std::int16_t v = 3; v <= 9; ++v) {
      const auto decoded = wire::decode_produce_request(wire::encode(req, v), v);
      ASSERT_TRUE(decoded) << decoded.error;
      ASSERT_EQ(*decoded.value, req);
    }
    ASSERT_EQ(req.acks, -1);
    ASSERT_EQ(req.topics.size(), 1U);
    ASSERT_EQ(req.topics[0].partitions.size(), 1U);
    EXPECT_EQ(req.topics[0].partitions[0].index, 0);
    const wire::BatchDecode records = wire::decode_record_batches(*req.topics[0].partitions[0].records);
    ASSERT_EQ(records.error, wire::BatchError::none) << records.message;
    ASSERT_EQ(records.batches.size(), 1U);
    const wire::RecordBatch& rb = records.batches[0];
    EXPECT_EQ(rb.base_offset, 0);
    EXPECT_EQ(rb.compression(), 0);
    EXPECT_EQ(rb.producer_id, b.producer_id);
    EXPECT_EQ(rb.producer_epoch, b.epoch);
    EXPECT_EQ(rb.base_sequence, b.first_sequence);
    EXPECT_EQ(static_cast<std::int64_t>(rb.records.size()), b.record_count);
    EXPECT_EQ(rb.last_offset_delta, b.record_count - 1);
    EXPECT_EQ(rb.max_timestamp, b.max_timestamp);
  }
}

TEST(ConformWire, AnswersAreFoundByTopicAndPartition) {
  auto partition = [](std::int32_t index, std::int16_t error, std::int64_t offset) {
    wire::ProducePartitionResponse p;
    p.index = index;
    p.error_code = error;
    p.base_offset = offset;
    return p;
  };
  wire::ProduceResponse resp;
  resp.topics.push_back({"other", {partition(0, 45, -1)}});
  resp.topics.push_back({"t", {partition(1, 47, -1), partition(0, 0, 42)}});
  const auto a = conform::find_partition_answer(resp, "t");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->error_code, 0);
  EXPECT_EQ(a->base_offset, 42);
  EXPECT_FALSE(conform::find_partition_answer(resp, "missing"));
}

TEST(ConformWire, VersionsAreTheHighestBothSidesSpeak) {
  const std::vector<wire::VersionRange> mock{{0, 0, 7}, {1, 0, 11}, {3, 0, 2}, {18, 0, 2}, {22, 0, 4}};
  const conform::ChosenVersions v = conform::negotiate(mock);
  EXPECT_EQ(v.produce, 7);
  EXPECT_EQ(v.metadata, 2);
  EXPECT_EQ(v.api_versions, 2);
  EXPECT_EQ(v.init_producer_id, 4);
  try {
    (void)conform::negotiate(std::vector<wire::VersionRange>{{0, 0, 2}, {3, 0, 2}, {18, 0, 2}, {22, 0, 4}});
    ADD_FAILURE() << "Produce v0..2 accepted";
  } catch (const ConformError& e) {
    EXPECT_NE(std::string(e.what()).find("no Produce version in common: the broker offers v0..v2"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW((void)conform::negotiate(std::vector<wire::VersionRange>{{0, 3, 9}, {3, 0, 2}, {18, 0, 2}}),
               ConformError);  // no InitProducerId at all
}

TEST(ConformWire, EndpointsParseOrSayWhatIsWrong) {
  EXPECT_EQ(conform::parse_endpoint("localhost:9092"), (conform::Endpoint{"localhost", 9092}));
  EXPECT_EQ(conform::parse_endpoint("[::1]:19092"), (conform::Endpoint{"::1", 19092}));
  EXPECT_EQ(conform::to_string(conform::Endpoint{"::1", 1}), "[::1]:1");
  EXPECT_EQ(conform::parse_bootstrap("a:1, b:2").size(), 2U);
  for (const char* bad : {"", "host", "host:", ":9092", "host:0", "host:65536", "host:12x", "::1:9092", "[::1]9092"}) {
    EXPECT_THROW((void)conform::parse_endpoint(bad), ConformError) << bad;
  }
  EXPECT_THROW((void)conform::parse_bootstrap("a:1,,b:2"), ConformError);
}

TEST(ConformWire, OpListsPrintAndParseBack) {
  for (std::uint64_t run = 0; run < 300; ++run) {
    const auto generated = conform::generate_ops(42, run, 40);
    ASSERT_FALSE(generated.empty());
    ASSERT_LE(generated.size(), 40U);
    const auto back = conform::parse_ops(conform::to_string(generated));
    ASSERT_TRUE(std::holds_alternative<std::vector<WireOp>>(back)) << std::get<std::string>(back);
    ASSERT_EQ(std::get<std::vector<WireOp>>(back), generated) << conform::to_string(generated);
  }
  EXPECT_EQ(conform::generate_ops(5, 9, 30), conform::generate_ops(5, 9, 30));
  EXPECT_EQ(conform::to_string(ops("append-next; retry_recent p1 2; pipeline p2 3 r2; reconnect; gap p0")),
            "append_next p0; retry_recent p1 2; pipeline p2 3 r2; reconnect; gap p0 1");
  struct Bad {
    const char* text;
    const char* message;
  };
  for (const Bad& b : {Bad{"append_next p0; jump p1", "operation 2 ('jump p1'): unknown operation 'jump'"},
                       Bad{"append_next p3", "slot p3 out of p0..p2"},
                       Bad{"pipeline p0 6", "pipeline's argument 6 is out of 1..5"},
                       Bad{"append_next p0 2", "append_next takes no argument"},
                       Bad{"reconnect p1", "reconnect names no producer slot"},
                       Bad{"append_next r0", "records r0 out of 1..100"},
                       Bad{" ; ", "no operations"}}) {
    const auto r = conform::parse_ops(b.text);
    ASSERT_TRUE(std::holds_alternative<std::string>(r)) << b.text;
    EXPECT_NE(std::get<std::string>(r).find(b.message), std::string::npos) << std::get<std::string>(r);
  }
}

// ---------------------------------------------------------------- bad input

TEST(ConformBadInput, AnUnreachableBrokerIsAClearError) {
  const std::string where = "127.0.0.1:" + std::to_string(closed_port());
  try {
    conform::WireDifferential d(target_of(where, 1000));
    ADD_FAILURE() << "connected to " << where;
  } catch (const ConformError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("no bootstrap broker answers: cannot connect to " + where), std::string::npos) << m;
  }
  try {
    conform::WireDifferential d(target_of("no-such-host.invalid:9092", 1000));
    ADD_FAILURE() << "resolved no-such-host.invalid";
  } catch (const ConformError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot resolve no-such-host.invalid:9092"), std::string::npos) << e.what();
  }
}

TEST(ConformBadInput, APeerThatIsNoKafkaBrokerIsAClearError) {
  struct Case {
    FakeBroker::Mode mode;
    std::vector<std::string> messages;  // one of them
  };
  const Case cases[] = {
      // the close may meet the request being written or the answer being read
      {FakeBroker::Mode::close_at_once, {"closed the connection", "writing a request failed", "Connection reset"}},
      {FakeBroker::Mode::junk_answer, {"ApiVersions v0 answer does not decode"}},
      {FakeBroker::Mode::silent, {"no answer within 200 ms"}},
      {FakeBroker::Mode::huge_frame, {"malformed answer frame to ApiVersions v3: size 2147483647"}},
  };
  for (const Case& c : cases) {
    FakeBroker peer(c.mode);
    try {
      conform::WireDifferential d(target_of(peer.bootstrap(), 200));
      ADD_FAILURE() << "a fake broker passed";
    } catch (const ConformError& e) {
      const std::string m = e.what();
      EXPECT_TRUE(std::any_of(c.messages.begin(), c.messages.end(),
                              [&](const std::string& s) { return m.find(s) != std::string::npos; }))
          << m;
      EXPECT_NE(m.find("no bootstrap broker answers: " + peer.bootstrap()), std::string::npos) << m;
    }
  }
}

TEST(ConformBadInput, ATopicTheBrokerDoesNotHaveIsAClearError) {
  auto fe = start_front_end();
  conform::WireTarget t = target_of(fe->bootstrap());
  t.topic = "not-there";
  t.metadata_patience_ms = 200;
  try {
    conform::WireDifferential d(t);
    ADD_FAILURE() << "found a topic the front end does not have";
  } catch (const ConformError& e) {
    EXPECT_NE(std::string(e.what()).find("topic 'not-there'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("UNKNOWN_TOPIC_OR_PARTITION"), std::string::npos) << e.what();
  }
}

struct Captured {
  int status = 0;
  std::string out;
  std::string err;
};

Captured run_cli(const cli::Args& args) {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  Captured c;
  c.status = cli::run_idemcheck(args, out, err);
  for (auto [f, s] : {std::pair{out, &c.out}, std::pair{err, &c.err}}) {
    std::rewind(f);
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s->append(buf, n);
    std::fclose(f);
  }
  return c;
}

TEST(ConformCli, BadUsageAndUnreachableBrokersExit2WithAMessage) {
  const std::string closed = "127.0.0.1:" + std::to_string(closed_port());
  struct Case {
    cli::Args args;
    const char* message;
  };
  const Case cases[] = {
      {{"conform"}, "give exactly one of --bootstrap HOST:PORT and --target NAME"},
      {{"conform", "--bootstrap", "x:1", "--target", "frontend"}, "give exactly one of"},
      {{"conform", "--bootstrap", "nonsense"}, "'nonsense' is not HOST:PORT (no port)"},
      {{"conform", "--bootstrap", closed, "--timeout-ms", "500"}, "cannot connect to"},
      {{"conform", "--target", "kafka"}, "unknown target 'kafka'"},
      {{"conform", "--target", "frontend", "--ops", "append_next p9"}, "--ops: operation 1 ('append_next p9')"},
      {{"conform", "--target", "frontend", "--ops", "append_next", "--seed", "3"}, "--ops runs the list it is given"},
      {{"conform", "--target", "frontend", "--rules", "kafka-9"}, "unknown broker rules 'kafka-9'"},
      {{"conform", "--target", "frontend-impl", "--rules", "redpanda"}, "the impl core follows kafka-2.5 only"},
      {{"conform", "--target", "frontend", "--window", "9"}, "--window must be in [1, 8]"},
  };
  for (const Case& c : cases) {
    const Captured r = run_cli(c.args);
    EXPECT_EQ(r.status, 2) << c.message << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
}

TEST(ConformCli, TheFrontEndTargetPassesAndAnOpListReplays) {
  const Captured ok = run_cli({"conform", "--target", "frontend", "--seed", "5", "--runs", "30"});
  EXPECT_EQ(ok.status, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("OK: the broker agreed with the spec on 30 runs"), std::string::npos) << ok.out;
  const Captured one = run_cli({"conform", "--target", "frontend", "--ops", "append_next p0; retry_recent p0 1"});
  EXPECT_EQ(one.status, 0) << one.out << one.err;
  EXPECT_NE(one.out.find("1: retry_recent p0 1"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("(duplicate: the original's offset)"), std::string::npos) << one.out;
  // The in-process front end takes the spec's settings: a window of 4 on both sides agrees.
  const Captured window = run_cli({"conform", "--target", "frontend", "--window", "4", "--ops",
                                   "pipeline p0 5; retry_recent p0 5"});
  EXPECT_EQ(window.status, 0) << window.out << window.err;
  EXPECT_NE(window.out.find("spec: rules kafka-2.5, 4 cached batches per producer"), std::string::npos) << window.out;
#ifndef IDEMCHECK_HAVE_CONFORM_MOCK
  const Captured mock = run_cli({"conform", "--target", "librdkafka-mock"});
  EXPECT_EQ(mock.status, 2);
  EXPECT_NE(mock.err.find("built without librdkafka"), std::string::npos) << mock.err;
#endif
}

}  // namespace
