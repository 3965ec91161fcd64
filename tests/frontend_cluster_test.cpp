// The front end's cluster without sockets: each rule of cluster.hpp (K1..K7)
// and each fault, driven by frames the wire codec builds.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "idemcheck/frontend/cluster.hpp"
#include "idemcheck/wire/record_batch.hpp"

namespace {

using namespace idemcheck;
using frontend::Cluster;
using frontend::ClusterConfig;
using frontend::Fault;
using frontend::FaultKind;
namespace ec = wire::error_code;

wire::Bytes request(wire::ApiKey key, std::int16_t version, std::int32_t corr, const wire::Bytes& body) {
  wire::RequestHeader h;
  h.api_key = static_cast<std::int16_t>(key);
  h.api_version = version;
  h.correlation_id = corr;
  h.client_id = "test";
  wire::Bytes framed = wire::frame_request(h, body);
  return wire::Bytes(framed.begin() + 4, framed.end());  // handle() takes the frame without its size
}

wire::Bytes batch_bytes(std::int64_t pid, std::int16_t epoch, std::int32_t seq, std::vector<std::string> values) {
  wire::RecordBatch b;
  b.producer_id = pid;
  b.producer_epoch = epoch;
  b.base_sequence = seq;
  b.last_offset_delta = static_cast<std::int32_t>(values.size()) - 1;
  for (std::size_t i = 0; i < values.size(); ++i) {
    wire::Record r;
    r.offset_delta = static_cast<std::int32_t>(i);
    wire::Bytes v;
    for (const char c : values[i]) v.push_back(static_cast<std::byte>(c));
    r.value = v;
    b.records.push_back(r);
  }
  return wire::encode(b);
}

wire::Bytes produce(std::int32_t corr, int partition, const wire::Bytes& records, std::int16_t acks = -1) {
  wire::ProduceRequest p;
  p.acks = acks;
  p.timeout_ms = 1000;
  p.topics.push_back({"idemcheck", {{partition, records}}});
  return request(wire::ApiKey::produce, 7, corr, wire::encode(p, 7));
}

// The body of a reply's answer to a request of `key` at `version`, decoded by `decode`.
template <class Decode>
auto reply_body(const frontend::Reply& r, std::int16_t key, std::int16_t version, Decode decode)
    -> decltype(decode(wire::ByteView{}, version)) {
  if (!r.response) return {std::nullopt, "no answer"};
  const wire::ByteView frame(r.response->data() + 4, r.response->size() - 4);
  const auto h = wire::decode_response_header(key, version, frame);
  if (!h) return {std::nullopt, h.error};
  return decode(frame.subspan(h.value->body_offset), version);
}

wire::ProducePartitionResponse answer(const frontend::Reply& r) {
  EXPECT_TRUE(r.response.has_value());
  if (!r.response) return {};
  const auto p = reply_body(r, 0, 7, wire::decode_produce_response);
  EXPECT_TRUE(p) << p.error;
  if (!p || p.value->topics.empty() || p.value->topics[0].partitions.empty()) return {};
  return p.value->topics[0].partitions[0];
}

ClusterConfig config(int brokers = 3, int partitions = 2) {
  ClusterConfig c;
  c.brokers = brokers;
  c.partitions = partitions;
  return c;
}

TEST(FrontendCluster, ApiVersionsOffersTheCodecsVersionsAndFetch4) {
  Cluster cluster(config());
  const auto r = cluster.handle(0, 1, request(wire::ApiKey::api_versions, 3, 7, wire::encode(wire::ApiVersionsRequest{"t", "1"}, 3)), 0);
  ASSERT_TRUE(r.response);
  const auto h = wire::decode_response_header(18, 3, wire::ByteView(r.response->data() + 4, r.response->size() - 4));
  ASSERT_TRUE(h);
  EXPECT_EQ(h.value->correlation_id, 7);
  const auto a = reply_body(r, 18, 3, wire::decode_api_versions_response);
  ASSERT_TRUE(a) << a.error;
  EXPECT_EQ(a.value->error_code, ec::none);
  bool fetch = false, produce3 = false;
  for (const auto& v : a.value->api_keys) {
    if (v.api_key == 1) fetch = v.min_version <= 4 && v.max_version >= 4;
    if (v.api_key == 0) produce3 = v.min_version == 3;
  }
  EXPECT_TRUE(fetch) << "librdkafka needs Fetch >= 4 to write record batch v2";
  EXPECT_TRUE(produce3);
}

TEST(FrontendCluster, AnUnknownApiVersionsVersionIsAnsweredInTheV0Layout) {
  Cluster cluster(config());
  const auto r = cluster.handle(0, 1, request(wire::ApiKey::api_versions, 3, 9, {}), 0);
  // Version 3 with an empty body is malformed: INVALID_REQUEST, still an answer.
  ASSERT_TRUE(r.response);
  wire::RequestHeader h{18, 99, 11, "x"};
  auto framed = wire::frame_request(h, {});
  const auto r2 = cluster.handle(0, 1, wire::Bytes(framed.begin() + 4, framed.end()), 0);
  ASSERT_TRUE(r2.response);
  const auto a = reply_body(r2, 18, 0, wire::decode_api_versions_response);
  ASSERT_TRUE(a) << a.error;
  EXPECT_EQ(a.value->error_code, ec::unsupported_version);
  EXPECT_FALSE(a.value->api_keys.empty());
}

TEST(FrontendCluster, MetadataShowsEveryBrokerAndRoundRobinLeaders) {
  Cluster cluster(config(3, 4));
  for (int b = 0; b < 3; ++b) cluster.set_port(b, 9000 + b);
  wire::MetadataRequest m;
  m.topics = std::vector<std::string>{"idemcheck", "other"};
  const auto r = cluster.handle(1, 1, request(wire::ApiKey::metadata, 4, 3, wire::encode(m, 4)), 0);
  ASSERT_TRUE(r.response);
  const auto md = reply_body(r, 3, 4, wire::decode_metadata_response);
  ASSERT_TRUE(md) << md.error;
  ASSERT_EQ(md.value->brokers.size(), 3u);
  EXPECT_EQ(md.value->brokers[2].port, 9002);
  ASSERT_EQ(md.value->topics.size(), 2u);
  ASSERT_EQ(md.value->topics[0].partitions.size(), 4u);
  for (int q = 0; q < 4; ++q) EXPECT_EQ(md.value->topics[0].partitions[static_cast<std::size_t>(q)].leader_id, q % 3);
  EXPECT_EQ(md.value->topics[1].error_code, ec::unknown_topic_or_partition);
}

TEST(FrontendCluster, InitProducerIdAlwaysGivesANewIdAtEpochZero) {
  Cluster cluster(config());
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 2; ++i) {
    wire::InitProducerIdRequest q;
    q.producer_id = 1000;  // asking to bump: an idempotent producer still gets a new id (K4)
    q.producer_epoch = 0;
    const auto r = cluster.handle(0, 1, request(wire::ApiKey::init_producer_id, 4, 5, wire::encode(q, 4)), 0);
    ASSERT_TRUE(r.response);
    const auto a = reply_body(r, 22, 4, wire::decode_init_producer_id_response);
    ASSERT_TRUE(a) << a.error;
    EXPECT_EQ(a.value->producer_epoch, 0);
    ids.push_back(a.value->producer_id);
  }
  EXPECT_NE(ids[0], ids[1]);
}

TEST(FrontendCluster, ProduceAppendsDeduplicatesAndRejectsGaps) {
  Cluster cluster(config());
  const auto first = answer(cluster.handle(0, 1, produce(1, 0, batch_bytes(7, 0, 0, {"0:0", "0:1"})), 0));
  EXPECT_EQ(first.error_code, ec::none);
  EXPECT_EQ(first.base_offset, 0);
  const auto retry = answer(cluster.handle(0, 1, produce(2, 0, batch_bytes(7, 0, 0, {"0:0", "0:1"})), 0));
  EXPECT_EQ(retry.error_code, ec::none);
  EXPECT_EQ(retry.base_offset, 0) << "a duplicate is answered with the cached offset";
  const auto gap = answer(cluster.handle(0, 1, produce(3, 0, batch_bytes(7, 0, 5, {"0:2"})), 0));
  EXPECT_EQ(gap.error_code, ec::out_of_order_sequence_number);
  ASSERT_EQ(cluster.logs()[0].size(), 2u);
  EXPECT_EQ(cluster.logs()[0][1].records, (spec::RecordRange{0, 1, 1}));
  EXPECT_EQ(cluster.logs()[0][1].first_offset, 1);
  // Partition 1 is led by broker 1, not 0.
  EXPECT_EQ(answer(cluster.handle(0, 1, produce(4, 1, batch_bytes(7, 0, 0, {"0:3"})), 0)).error_code,
            ec::not_leader_or_follower);
  EXPECT_EQ(answer(cluster.handle(0, 1, produce(5, 9, batch_bytes(7, 0, 0, {"0:3"})), 0)).error_code,
            ec::unknown_topic_or_partition);
}

TEST(FrontendCluster, CorruptCompressedAndBadAcksAreAnsweredAsKafkaDoes) {
  Cluster cluster(config());
  auto bytes = batch_bytes(7, 0, 0, {"0:0"});
  bytes.back() ^= std::byte{1};  // the CRC no longer matches
  EXPECT_EQ(answer(cluster.handle(0, 1, produce(1, 0, bytes), 0)).error_code, ec::corrupt_message);
  wire::RecordBatch compressed;
  compressed.attributes = 1;  // gzip
  compressed.producer_id = 7;
  compressed.producer_epoch = 0;
  compressed.base_sequence = 0;
  auto cbytes = wire::encode(compressed);
  EXPECT_EQ(answer(cluster.handle(0, 1, produce(2, 0, cbytes), 0)).error_code, ec::unsupported_compression_type);
  EXPECT_EQ(answer(cluster.handle(0, 1, produce(3, 0, batch_bytes(7, 0, 0, {"0:0"}), 2), 0)).error_code,
            ec::invalid_required_acks);
  const auto acks0 = cluster.handle(0, 1, produce(4, 0, batch_bytes(7, 0, 0, {"0:0"}), 0), 0);
  EXPECT_FALSE(acks0.response) << "acks=0 is never answered";
  EXPECT_FALSE(acks0.close);
  EXPECT_EQ(cluster.logs()[0].size(), 1u);
}

TEST(FrontendCluster, AMalformedRequestClosesTheConnection) {
  Cluster cluster(config());
  const wire::Bytes junk = {std::byte{0}, std::byte{0}, std::byte{0}};
  const auto r = cluster.handle(0, 1, junk, 0);
  EXPECT_TRUE(r.close);
  EXPECT_FALSE(r.response);
  ASSERT_FALSE(cluster.trace().empty());
  EXPECT_EQ(cluster.trace().back().kind, frontend::TraceKind::rejected);
  auto p = produce(1, 0, batch_bytes(7, 0, 0, {"0:0"}));
  p.resize(p.size() - 3);  // a truncated body
  EXPECT_TRUE(cluster.handle(0, 1, p, 0).close);
}

RC_GTEST_PROP(FrontendCluster, AnyBytesGetAnAnswerOrAClosedConnectionNeverACrash, (std::vector<std::uint8_t> raw)) {
  Cluster cluster(config());
  wire::Bytes frame;
  for (const auto b : raw) frame.push_back(static_cast<std::byte>(b));
  const auto r = cluster.handle(0, 1, frame, 0);
  RC_ASSERT(r.close || r.response.has_value());
}

struct FaultCase {
  Fault fault;
  bool appended;
  bool answered;
  bool closes;
  std::int16_t error;
};

TEST(FrontendCluster, EachFaultDoesWhatItsNameSays) {
  const std::vector<FaultCase> cases = {
      {{FaultKind::lose_request}, false, false, true, ec::none},
      {{FaultKind::zombie}, true, false, true, ec::none},
      {{FaultKind::lose_response}, true, false, false, ec::none},
      {{FaultKind::hold_response, 0, 1500}, true, true, false, ec::none},
      {{FaultKind::error_before, ec::not_enough_replicas}, false, true, false, ec::not_enough_replicas},
      {{FaultKind::error_after, ec::not_enough_replicas_after_append}, true, true, false,
       ec::not_enough_replicas_after_append},
      {{FaultKind::move_leader}, false, true, false, ec::not_leader_or_follower},
      {{FaultKind::restart_broker}, false, false, true, ec::none},
      {{FaultKind::expire_producers}, true, true, false, ec::none},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(frontend::describe(c.fault));
    ClusterConfig conf = config();
    conf.faults.at[2] = c.fault;
    Cluster cluster(conf);
    ASSERT_EQ(answer(cluster.handle(0, 1, produce(1, 0, batch_bytes(7, 0, 0, {"0:0"})), 0)).error_code, ec::none);
    const auto r = cluster.handle(0, 1, produce(2, 0, batch_bytes(7, 0, 1, {"0:1"})), 0);
    EXPECT_EQ(cluster.logs()[0].size(), c.appended ? 2u : 1u);
    EXPECT_EQ(r.response.has_value(), c.answered);
    EXPECT_EQ(r.close, c.closes);
    EXPECT_EQ(r.mute, c.fault.kind == FaultKind::lose_response) << "a lost answer mutes its connection";
    if (c.answered) {
      EXPECT_EQ(answer(r).error_code, c.error);
    }
    if (c.fault.kind == FaultKind::hold_response) {
      EXPECT_EQ(r.delay_ms, 1500);
    }
    if (c.fault.kind == FaultKind::restart_broker) {
      EXPECT_EQ(r.restart_broker, 0);
    }
    bool fired = false;
    for (const auto& e : cluster.trace()) fired = fired || (e.kind == frontend::TraceKind::fault && e.number == 2);
    EXPECT_TRUE(fired);
  }
}

TEST(FrontendCluster, AfterALeaderMoveTheNewLeaderTakesTheRetry) {
  ClusterConfig conf = config();
  conf.faults.at[1] = Fault{FaultKind::move_leader};
  Cluster cluster(conf);
  EXPECT_EQ(answer(cluster.handle(0, 1, produce(1, 0, batch_bytes(7, 0, 0, {"0:0"})), 0)).error_code,
            ec::not_leader_or_follower);
  const auto r = answer(cluster.handle(1, 2, produce(1, 0, batch_bytes(7, 0, 0, {"0:0"})), 0));
  EXPECT_EQ(r.error_code, ec::none);
  EXPECT_EQ(r.base_offset, 0);
}

TEST(FrontendCluster, RandomSchedulesAreFixedBySeedAndStayInRange) {
  frontend::ScheduleOptions o;
  o.requests = 10;
  o.faults = 4;
  const auto a = frontend::random_schedule(42, o);
  EXPECT_EQ(a, frontend::random_schedule(42, o));
  EXPECT_NE(a, frontend::random_schedule(43, o));
  EXPECT_EQ(a.at.size(), 4u);
  for (const auto& [at, f] : a.at) {
    EXPECT_GE(at, 1);
    EXPECT_LE(at, 10);
    if (f.kind == FaultKind::hold_response) {
      EXPECT_GT(f.hold_ms, o.request_timeout_ms);
    }
  }
  for (const auto k : frontend::kAllFaultKinds) EXPECT_EQ(frontend::parse_fault_kind(frontend::name(k)), k);
}

}  // namespace
