// The Kafka wire codec (idemcheck/wire): round trips of every message in
// every supported version, hand-laid bytes checked field by field against
// Kafka's documented layouts, headers and framing, record batch v2 with a CRC
// computed by hand, every error class of a batch, and a small fuzz (every
// truncation, random byte flips, random bytes) that must give an error or a
// value, never a crash.
#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "idemcheck/impl/crc32c.hpp"
#include "idemcheck/wire/protocol.hpp"
#include "idemcheck/wire/record_batch.hpp"

namespace {

using namespace idemcheck::wire;

// ---------------------------------------------------------------- helpers

// Bytes from hex digits; spaces separate fields for the reader.
Bytes hex(std::string_view s) {
  Bytes out;
  int high = -1;
  for (const char c : s) {
    if (c == ' ') continue;
    int v = 0;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else {
      ADD_FAILURE() << "test bug: '" << c << "' in a hex literal";
      return out;
    }
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::byte>(high * 16 + v));
      high = -1;
    }
  }
  EXPECT_EQ(high, -1) << "test bug: odd number of hex digits";
  return out;
}

Bytes text(std::string_view s) {
  Bytes out;
  for (const char c : s) out.push_back(static_cast<std::byte>(c));
  return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::string show(ByteView b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (const std::byte x : b) {
    s.push_back(kDigits[std::to_integer<int>(x) >> 4]);
    s.push_back(kDigits[std::to_integer<int>(x) & 0xF]);
  }
  return s;
}

// rc::check, with the size capped at 100 (the packaged RapidCheck needs it)
// and the failure reported through GoogleTest. Not a template: RapidCheck's
// checking machinery is then compiled once for std::function instead of once
// per property of every message type (a large share of this file's build time).
void property(const std::string& description, const std::function<void()>& testable) {
  using namespace rc::detail;
  TestParams params = configuration().testParams;
  params.maxSize = std::min(params.maxSize, 100);
  TestMetadata metadata;
  metadata.id = description;
  metadata.description = description;
  const TestResult result = checkTestable(testable, metadata, params);
  if (!result.template is<SuccessResult>()) {
    std::ostringstream os;
    printResultMessage(result, os);
    ADD_FAILURE() << description << "\n" << os.str();
  }
}

std::string with_version(const char* name, int version) {
  std::string s(name);
  s.append(" v");
  s.append(std::to_string(version));
  return s;
}

// Generators, for use inside a property.
template <class T>
T any() {
  return *rc::gen::arbitrary<T>();
}
std::string any_string() { return *rc::gen::arbitrary<std::string>(); }
std::optional<std::string> any_optional_string() {
  if (*rc::gen::arbitrary<bool>()) return any_string();
  return std::nullopt;
}
Bytes any_bytes() {
  const auto v = *rc::gen::arbitrary<std::vector<std::uint8_t>>();
  Bytes out;
  for (const std::uint8_t x : v) out.push_back(static_cast<std::byte>(x));
  return out;
}
std::optional<Bytes> any_optional_bytes() {
  if (*rc::gen::arbitrary<bool>()) return any_bytes();
  return std::nullopt;
}
int any_count(int max = 3) { return *rc::gen::inRange(0, max + 1); }
template <class F>
auto any_vector(F element, int max = 3) {
  std::vector<decltype(element())> v;
  const int n = any_count(max);
  for (int i = 0; i < n; ++i) v.push_back(element());
  return v;
}
std::vector<std::int32_t> any_ints() {
  return any_vector([] { return any<std::int32_t>(); }, 4);
}

constexpr std::int32_t kNoOperations = std::numeric_limits<std::int32_t>::min();

// ---------------------------------------------------------------- per-message traits
//
// For each message: its key and supported range (written here independently
// of the codec's table), a generator, the value the wire keeps of it in one
// version (fields that version lacks back at their defaults), and its decoder.

template <class M>
struct Api;

template <>
struct Api<ApiVersionsRequest> {
  static constexpr const char* name = "ApiVersions request";
  static constexpr ApiKey key = ApiKey::api_versions;
  static constexpr int min = 0, max = 3;
  static constexpr bool request = true;
  static ApiVersionsRequest generate() { return {any_string(), any_string()}; }
  static ApiVersionsRequest in_version(ApiVersionsRequest m, int v) {
    if (v < 3) m = {};
    return m;
  }
  static ApiVersionsRequest sample() { return {"a", "b"}; }
  static std::size_t sample_size(int v) { return v >= 3 ? 2 + 2 + 1 : 0; }
  static Parsed<ApiVersionsRequest> decode(ByteView b, std::int16_t v) { return decode_api_versions_request(b, v); }
};

template <>
struct Api<ApiVersionsResponse> {
  static constexpr const char* name = "ApiVersions response";
  static constexpr ApiKey key = ApiKey::api_versions;
  static constexpr int min = 0, max = 3;
  static constexpr bool request = false;
  static ApiVersionsResponse generate() {
    ApiVersionsResponse m;
    m.error_code = any<std::int16_t>();
    m.api_keys = any_vector([] {
      return VersionRange{any<std::int16_t>(), any<std::int16_t>(), any<std::int16_t>()};
    });
    m.throttle_time_ms = any<std::int32_t>();
    return m;
  }
  static ApiVersionsResponse in_version(ApiVersionsResponse m, int v) {
    if (v < 1) m.throttle_time_ms = 0;
    return m;
  }
  static ApiVersionsResponse sample() { return {0, {{0, 3, 9}}, 1}; }
  static std::size_t sample_size(int v) {
    const bool f = v >= 3;
    return 2 + (f ? 1 : 4) + 6 + f + (v >= 1 ? 4 : 0) + f;
  }
  static Parsed<ApiVersionsResponse> decode(ByteView b, std::int16_t v) { return decode_api_versions_response(b, v); }
};

template <>
struct Api<MetadataRequest> {
  static constexpr const char* name = "Metadata request";
  static constexpr ApiKey key = ApiKey::metadata;
  static constexpr int min = 0, max = 12;
  static constexpr bool request = true;
  static MetadataRequest generate() {
    MetadataRequest m;
    if (*rc::gen::arbitrary<bool>()) m.topics = any_vector(any_string);
    m.allow_auto_topic_creation = any<bool>();
    m.include_cluster_authorized_operations = any<bool>();
    m.include_topic_authorized_operations = any<bool>();
    return m;
  }
  static MetadataRequest in_version(MetadataRequest m, int v) {
    // v0 says "all topics" with an empty array: the two cannot be told apart.
    if (v == 0 && m.topics && m.topics->empty()) m.topics.reset();
    if (v < 4) m.allow_auto_topic_creation = true;
    if (v < 8 || v > 10) m.include_cluster_authorized_operations = false;
    if (v < 8) m.include_topic_authorized_operations = false;
    return m;
  }
  static MetadataRequest sample() { return {std::vector<std::string>{"ab"}, false, true, true}; }
  static std::size_t sample_size(int v) {
    const bool f = v >= 9;
    std::size_t n = f ? 1 : 4;                                 // topics
    n += (v >= 10 ? 16 : 0) + (f ? 1 : 2) + 2 + f;           // topic id, name, tags
    n += (v >= 4) + (v >= 8 && v <= 10) + (v >= 8) + f;      // the booleans, tags
    return n;
  }
  static Parsed<MetadataRequest> decode(ByteView b, std::int16_t v) { return decode_metadata_request(b, v); }
};

template <>
struct Api<MetadataResponse> {
  static constexpr const char* name = "Metadata response";
  static constexpr ApiKey key = ApiKey::metadata;
  static constexpr int min = 0, max = 12;
  static constexpr bool request = false;
  static MetadataResponse generate() {
    MetadataResponse m;
    m.throttle_time_ms = any<std::int32_t>();
    m.brokers = any_vector([] {
      return MetadataBroker{any<std::int32_t>(), any_string(), any<std::int32_t>(), any_optional_string()};
    });
    m.cluster_id = any_optional_string();
    m.controller_id = any<std::int32_t>();
    m.topics = any_vector([] {
      MetadataTopic t;
      t.error_code = any<std::int16_t>();
      t.name = any_string();
      for (auto& b : t.topic_id) b = static_cast<std::byte>(any<std::uint8_t>());
      t.is_internal = any<bool>();
      t.partitions = any_vector([] {
        MetadataPartition p;
        p.error_code = any<std::int16_t>();
        p.partition_index = any<std::int32_t>();
        p.leader_id = any<std::int32_t>();
        p.leader_epoch = any<std::int32_t>();
        p.replica_nodes = any_ints();
        p.isr_nodes = any_ints();
        p.offline_replicas = any_ints();
        return p;
      });
      t.topic_authorized_operations = any<std::int32_t>();
      return t;
    });
    m.cluster_authorized_operations = any<std::int32_t>();
    return m;
  }
  static MetadataResponse in_version(MetadataResponse m, int v) {
    if (v < 3) m.throttle_time_ms = 0;
    for (auto& b : m.brokers) {
      if (v < 1) b.rack.reset();
    }
    if (v < 2) m.cluster_id.reset();
    if (v < 1) m.controller_id = -1;
    for (auto& t : m.topics) {
      if (v < 10) t.topic_id = {};
      if (v < 1) t.is_internal = false;
      if (v < 8) t.topic_authorized_operations = kNoOperations;
      for (auto& p : t.partitions) {
        if (v < 7) p.leader_epoch = -1;
        if (v < 5) p.offline_replicas.clear();
      }
    }
    if (v < 8 || v > 10) m.cluster_authorized_operations = kNoOperations;
    return m;
  }
  static MetadataResponse sample() {
    MetadataResponse m;
    m.brokers = {MetadataBroker{1, "h", 9092, "r"}};
    m.cluster_id = "c";
    MetadataTopic t;
    t.name = "t";
    t.partitions = {MetadataPartition{0, 0, 1, 2, {1}, {1}, {1}}};
    m.topics = {t};
    return m;
  }
  static std::size_t sample_size(int v) {
    const bool f = v >= 9;
    const std::size_t array = f ? 1 : 4;
    const std::size_t string1 = f ? 2 : 3;  // a one-character string
    std::size_t n = v >= 3 ? 4 : 0;         // throttle
    n += array + 4 + string1 + 4 + (v >= 1 ? string1 : 0) + f;  // brokers
    n += v >= 2 ? string1 : 0;                                  // cluster id
    n += v >= 1 ? 4 : 0;                                        // controller
    n += array + 2 + string1 + (v >= 10 ? 16 : 0) + (v >= 1 ? 1 : 0);  // topic
    n += array + 2 + 4 + 4 + (v >= 7 ? 4 : 0);                  // partition
    n += 2 * (array + 4) + (v >= 5 ? array + 4 : 0) + f;        // its node lists
    n += (v >= 8 ? 4 : 0) + f;                                  // topic operations, tags
    n += (v >= 8 && v <= 10) ? 4 : 0;                           // cluster operations
    return n + f;
  }
  static Parsed<MetadataResponse> decode(ByteView b, std::int16_t v) { return decode_metadata_response(b, v); }
};

template <>
struct Api<InitProducerIdRequest> {
  static constexpr const char* name = "InitProducerId request";
  static constexpr ApiKey key = ApiKey::init_producer_id;
  static constexpr int min = 0, max = 4;
  static constexpr bool request = true;
  static InitProducerIdRequest generate() {
    return {any_optional_string(), any<std::int32_t>(), any<std::int64_t>(), any<std::int16_t>()};
  }
  static InitProducerIdRequest in_version(InitProducerIdRequest m, int v) {
    if (v < 3) {
      m.producer_id = -1;
      m.producer_epoch = -1;
    }
    return m;
  }
  static InitProducerIdRequest sample() { return {"t", 1, 2, 3}; }
  static std::size_t sample_size(int v) {
    const bool f = v >= 2;
    return (f ? 2 : 3) + 4 + (v >= 3 ? 10 : 0) + f;
  }
  static Parsed<InitProducerIdRequest> decode(ByteView b, std::int16_t v) {
    return decode_init_producer_id_request(b, v);
  }
};

template <>
struct Api<InitProducerIdResponse> {
  static constexpr const char* name = "InitProducerId response";
  static constexpr ApiKey key = ApiKey::init_producer_id;
  static constexpr int min = 0, max = 4;
  static constexpr bool request = false;
  static InitProducerIdResponse generate() {
    return {any<std::int32_t>(), any<std::int16_t>(), any<std::int64_t>(), any<std::int16_t>()};
  }
  static InitProducerIdResponse in_version(InitProducerIdResponse m, int /*v*/) { return m; }
  static InitProducerIdResponse sample() { return {1, 2, 3, 4}; }
  static std::size_t sample_size(int v) { return 4 + 2 + 8 + 2 + (v >= 2); }
  static Parsed<InitProducerIdResponse> decode(ByteView b, std::int16_t v) {
    return decode_init_producer_id_response(b, v);
  }
};

template <>
struct Api<ProduceRequest> {
  static constexpr const char* name = "Produce request";
  static constexpr ApiKey key = ApiKey::produce;
  static constexpr int min = 3, max = 9;
  static constexpr bool request = true;
  static ProduceRequest generate() {
    ProduceRequest m;
    m.transactional_id = any_optional_string();
    m.acks = any<std::int16_t>();
    m.timeout_ms = any<std::int32_t>();
    m.topics = any_vector([] {
      ProduceTopicData t;
      t.name = any_string();
      t.partitions = any_vector([] { return ProducePartitionData{any<std::int32_t>(), any_optional_bytes()}; });
      return t;
    });
    return m;
  }
  static ProduceRequest in_version(ProduceRequest m, int /*v*/) { return m; }  // every field is in v3+
  static ProduceRequest sample() {
    return {"t", -1, 1000, {ProduceTopicData{"t", {ProducePartitionData{0, hex("aabbcc")}}}}};
  }
  static std::size_t sample_size(int v) {
    const bool f = v >= 9;
    const std::size_t array = f ? 1 : 4;
    const std::size_t string1 = f ? 2 : 3;
    return string1 + 2 + 4 + array + string1 + array + 4 + (f ? 1 : 4) + 3 + f + f + f;
  }
  static Parsed<ProduceRequest> decode(ByteView b, std::int16_t v) { return decode_produce_request(b, v); }
};

template <>
struct Api<ProduceResponse> {
  static constexpr const char* name = "Produce response";
  static constexpr ApiKey key = ApiKey::produce;
  static constexpr int min = 3, max = 9;
  static constexpr bool request = false;
  static ProduceResponse generate() {
    ProduceResponse m;
    m.topics = any_vector([] {
      ProduceTopicResponse t;
      t.name = any_string();
      t.partitions = any_vector([] {
        ProducePartitionResponse p;
        p.index = any<std::int32_t>();
        p.error_code = any<std::int16_t>();
        p.base_offset = any<std::int64_t>();
        p.log_append_time_ms = any<std::int64_t>();
        p.log_start_offset = any<std::int64_t>();
        p.record_errors = any_vector([] { return RecordError{any<std::int32_t>(), any_optional_string()}; });
        p.error_message = any_optional_string();
        return p;
      });
      return t;
    });
    m.throttle_time_ms = any<std::int32_t>();
    return m;
  }
  static ProduceResponse in_version(ProduceResponse m, int v) {
    for (auto& t : m.topics) {
      for (auto& p : t.partitions) {
        if (v < 5) p.log_start_offset = -1;
        if (v < 8) {
          p.record_errors.clear();
          p.error_message.reset();
        }
      }
    }
    return m;
  }
  static ProduceResponse sample() {
    ProducePartitionResponse p;
    p.record_errors = {RecordError{0, "m"}};
    p.error_message = "e";
    return {{ProduceTopicResponse{"t", {p}}}, 1};
  }
  static std::size_t sample_size(int v) {
    const bool f = v >= 9;
    const std::size_t array = f ? 1 : 4;
    const std::size_t string1 = f ? 2 : 3;
    std::size_t n = array + string1 + array + 4 + 2 + 8 + 8 + (v >= 5 ? 8 : 0);
    if (v >= 8) n += array + 4 + string1 + f + string1;  // record errors, error message
    return n + f + f + 4 + f;
  }
  static Parsed<ProduceResponse> decode(ByteView b, std::int16_t v) { return decode_produce_response(b, v); }
};

// ---------------------------------------------------------------- every message, every version

template <class M>
class EveryMessage : public ::testing::Test {};
using Messages = ::testing::Types<ApiVersionsRequest, ApiVersionsResponse, MetadataRequest, MetadataResponse,
                                  InitProducerIdRequest, InitProducerIdResponse, ProduceRequest, ProduceResponse>;
TYPED_TEST_SUITE(EveryMessage, Messages);

TYPED_TEST(EveryMessage, RoundTripsInEverySupportedVersion) {
  using A = Api<TypeParam>;
  for (int v = A::min; v <= A::max; ++v) {
    const auto version = static_cast<std::int16_t>(v);
    property(with_version(A::name, v), [version] {
      const TypeParam raw = A::generate();
      const TypeParam m = A::in_version(raw, version);
      const Bytes body = encode(m, version);
      const Parsed<TypeParam> d = A::decode(body, version);
      RC_ASSERT(d.error == std::string());
      RC_ASSERT(d.value.has_value());
      RC_ASSERT(*d.value == m);
      // Fields the version lacks never reach the wire.
      RC_ASSERT(encode(raw, version) == body);
    });
  }
}

// The round trips cannot see a field gated on the wrong version (encoder and
// decoder share the field list): the size of a fixed value, summed here field
// by field from the schema, can.
TYPED_TEST(EveryMessage, EncodedSizeFollowsTheSchemaInEveryVersion) {
  using A = Api<TypeParam>;
  for (int v = A::min; v <= A::max; ++v) {
    const auto version = static_cast<std::int16_t>(v);
    const Bytes body = encode(A::sample(), version);
    EXPECT_EQ(body.size(), A::sample_size(v)) << A::name << " v" << v << ": " << show(body);
    const auto d = A::decode(body, version);
    ASSERT_TRUE(d) << d.error;
    EXPECT_EQ(*d.value, A::in_version(A::sample(), v));
  }
}

TYPED_TEST(EveryMessage, RoundTripsInsideAFrame) {
  using A = Api<TypeParam>;
  for (int v = A::min; v <= A::max; ++v) {
    const auto version = static_cast<std::int16_t>(v);
    property(with_version(A::name, v), [version] {
      const auto key = static_cast<std::int16_t>(A::key);
      const TypeParam m = A::in_version(A::generate(), version);
      const Bytes body = encode(m, version);
      const auto correlation = any<std::int32_t>();
      Bytes frame;
      std::size_t body_offset = 0;
      if constexpr (A::request) {
        const RequestHeader header{key, version, correlation, any_optional_string()};
        frame = frame_request(header, body);
        RC_ASSERT(frame.size() >= 4);
        RC_ASSERT(read_frame_size(frame) == static_cast<std::int32_t>(frame.size() - 4));
        const auto f = decode_request_header(ByteView(frame).subspan(4));
        RC_ASSERT(f.value.has_value());
        RC_ASSERT(f.value->header == header);
        body_offset = f.value->body_offset;
      } else {
        frame = frame_response(key, version, correlation, body);
        RC_ASSERT(frame.size() >= 4);
        RC_ASSERT(read_frame_size(frame) == static_cast<std::int32_t>(frame.size() - 4));
        const auto f = decode_response_header(key, version, ByteView(frame).subspan(4));
        RC_ASSERT(f.value.has_value());
        RC_ASSERT(f.value->correlation_id == correlation);
        body_offset = f.value->body_offset;
      }
      RC_ASSERT(4 + body_offset + body.size() == frame.size());
      const auto d = A::decode(ByteView(frame).subspan(4 + body_offset), version);
      RC_ASSERT(d.value.has_value());
      RC_ASSERT(*d.value == m);
    });
  }
}

TYPED_TEST(EveryMessage, EveryTruncationAndAnyTrailingByteIsAnError) {
  using A = Api<TypeParam>;
  for (int v = A::min; v <= A::max; ++v) {
    const auto version = static_cast<std::int16_t>(v);
    property(with_version(A::name, v), [version] {
      const Bytes body = encode(A::in_version(A::generate(), version), version);
      for (std::size_t n = 0; n < body.size(); ++n) {
        const auto d = A::decode(ByteView(body).first(n), version);
        RC_ASSERT(!d.value.has_value());
        RC_ASSERT(!d.error.empty());
      }
      Bytes longer = body;
      longer.push_back(static_cast<std::byte>(any<std::uint8_t>()));
      const auto d = A::decode(longer, version);
      RC_ASSERT(!d.value.has_value());
      RC_ASSERT(d.error.find("trailing") != std::string::npos);
    });
  }
}

// Flipped bytes (and bytes from nowhere) decode to a value or an error, never
// a crash; a value they decode to survives its own round trip.
TYPED_TEST(EveryMessage, FlippedOrRandomBytesGiveAValueOrAnError) {
  using A = Api<TypeParam>;
  for (int v = A::min; v <= A::max; ++v) {
    const auto version = static_cast<std::int16_t>(v);
    property(with_version(A::name, v), [version] {
      Bytes body = encode(A::in_version(A::generate(), version), version);
      if (*rc::gen::arbitrary<bool>() || body.empty()) {
        body = any_bytes();
      } else {
        const int flips = *rc::gen::inRange(1, 5);
        for (int i = 0; i < flips; ++i) {
          const auto at = *rc::gen::inRange<std::size_t>(0, body.size());
          body[at] ^= static_cast<std::byte>(*rc::gen::inRange(1, 256));
        }
      }
      const auto d = A::decode(body, version);
      if (!d.value) {
        RC_ASSERT(!d.error.empty());
        return;
      }
      RC_ASSERT(d.error.empty());
      const auto again = A::decode(encode(*d.value, version), version);
      RC_ASSERT(again.value.has_value());
      RC_ASSERT(*again.value == *d.value);
    });
  }
}

TYPED_TEST(EveryMessage, VersionsOutsideTheSupportedRangeAreRefused) {
  using A = Api<TypeParam>;
  const Bytes body = encode(TypeParam{}, static_cast<std::int16_t>(A::max));
  for (const int v : {A::min - 1, A::max + 1, -1, 32767}) {
    const auto d = A::decode(body, static_cast<std::int16_t>(v));
    EXPECT_FALSE(d.value.has_value()) << A::name << " v" << v;
    EXPECT_NE(d.error.find("unsupported version"), std::string::npos) << d.error;
  }
}

// ---------------------------------------------------------------- versions

TEST(WireVersions, TheSupportedTableIsTheDocumentedOne) {
  const std::vector<VersionRange> expected{{0, 3, 9}, {3, 0, 12}, {18, 0, 3}, {22, 0, 4}};
  const auto got = supported_versions();
  EXPECT_EQ(std::vector<VersionRange>(got.begin(), got.end()), expected);
  EXPECT_TRUE(is_supported(0, 3));
  EXPECT_TRUE(is_supported(0, 9));
  EXPECT_FALSE(is_supported(0, 2)) << "Produce v2 carries no record batch v2";
  EXPECT_FALSE(is_supported(0, 10));
  EXPECT_TRUE(is_supported(3, 0));
  EXPECT_TRUE(is_supported(3, 12));
  EXPECT_FALSE(is_supported(3, 13));
  EXPECT_TRUE(is_supported(18, 3));
  EXPECT_FALSE(is_supported(18, 4));
  EXPECT_TRUE(is_supported(22, 4));
  EXPECT_FALSE(is_supported(22, 5));
  EXPECT_FALSE(is_supported(1, 0)) << "Fetch is not handled";
  EXPECT_FALSE(is_supported(-1, 0));

  EXPECT_FALSE(is_flexible(0, 8));
  EXPECT_TRUE(is_flexible(0, 9));
  EXPECT_FALSE(is_flexible(3, 8));
  EXPECT_TRUE(is_flexible(3, 9));
  EXPECT_FALSE(is_flexible(18, 2));
  EXPECT_TRUE(is_flexible(18, 3));
  EXPECT_FALSE(is_flexible(22, 1));
  EXPECT_TRUE(is_flexible(22, 2));
}

// ---------------------------------------------------------------- headers and frames

TEST(WireHeaders, RequestHeaderV1HasAClientIdAndNoTaggedFields) {
  // Produce v3: api key 0, version 3, correlation id 7, client id "cl".
  const Bytes frame = hex("0000 0003 00000007 0002 636c" "ffff");
  const auto f = decode_request_header(frame);
  ASSERT_TRUE(f) << f.error;
  EXPECT_EQ(f.value->header.api_key, 0);
  EXPECT_EQ(f.value->header.api_version, 3);
  EXPECT_EQ(f.value->header.correlation_id, 7);
  EXPECT_EQ(f.value->header.client_id, std::optional<std::string>("cl"));
  EXPECT_EQ(f.value->body_offset, 12u) << "the body starts right after the client id";

  const auto null_id = decode_request_header(hex("0000 0003 00000007 ffff"));
  ASSERT_TRUE(null_id) << null_id.error;
  EXPECT_EQ(null_id.value->header.client_id, std::nullopt);
  EXPECT_EQ(null_id.value->body_offset, 10u);
}

TEST(WireHeaders, RequestHeaderV2HasTaggedFieldsAfterTheClassicClientId) {
  // Metadata v9 (flexible): the client id keeps its int16 length, then the
  // tagged fields: here none ...
  const auto none = decode_request_header(hex("0003 0009 0000002a 0001 63 00" "aa"));
  ASSERT_TRUE(none) << none.error;
  EXPECT_EQ(none.value->header, (RequestHeader{3, 9, 42, "c"}));
  EXPECT_EQ(none.value->body_offset, 12u);
  // ... and here one (tag 0, 2 bytes), which is skipped.
  const auto one = decode_request_header(hex("0003 0009 0000002a 0001 63 01 00 02 beef" "aa"));
  ASSERT_TRUE(one) << one.error;
  EXPECT_EQ(one.value->header, (RequestHeader{3, 9, 42, "c"}));
  EXPECT_EQ(one.value->body_offset, 16u);
  // A tagged field that runs past the frame is an error.
  EXPECT_FALSE(decode_request_header(hex("0003 0009 0000002a 0001 63 01 00 05 beef")));
  // ApiVersions v3 also uses header v2 (only its response header stays v0).
  const auto av = decode_request_header(hex("0012 0003 00000001 ffff 00"));
  ASSERT_TRUE(av) << av.error;
  EXPECT_EQ(av.value->body_offset, 11u);
}

TEST(WireHeaders, FrameRequestWritesHeaderV1OrV2AsTheVersionRequires) {
  const Bytes body = hex("abcd");
  EXPECT_EQ(show(frame_request({0, 8, 5, "c"}, body)), "0000000d" "0000" "0008" "00000005" "000163" "abcd");
  EXPECT_EQ(show(frame_request({0, 9, 5, "c"}, body)), "0000000e" "0000" "0009" "00000005" "000163" "00" "abcd");
  EXPECT_EQ(show(frame_request({18, 3, 5, std::nullopt}, body)), "0000000d" "0012" "0003" "00000005" "ffff" "00" "abcd");
  EXPECT_EQ(show(frame_request({22, 1, 5, std::nullopt}, body)), "0000000c" "0016" "0001" "00000005" "ffff" "abcd");
}

TEST(WireHeaders, UnsupportedKeysAndVersionsStillYieldTheHeader) {
  // Produce v2 and v12, and an unknown key: the caller answers
  // UNSUPPORTED_VERSION, so it needs the key, version and correlation id.
  for (const auto& [key, version] : std::vector<std::pair<std::int16_t, std::int16_t>>{{0, 2}, {0, 12}, {99, 0}, {18, 4}}) {
    Bytes frame = hex("00000000 00000009 0001 63");
    frame[0] = static_cast<std::byte>(key >> 8);
    frame[1] = static_cast<std::byte>(key);
    frame[2] = static_cast<std::byte>(version >> 8);
    frame[3] = static_cast<std::byte>(version);
    const auto f = decode_request_header(frame);
    ASSERT_TRUE(f) << key << " v" << version << ": " << f.error;
    EXPECT_EQ(f.value->header, (RequestHeader{key, version, 9, "c"}));
  }
}

TEST(WireHeaders, AShortOrMalformedRequestHeaderIsAnError) {
  const Bytes full = hex("0000 0003 00000007 0002 636c");
  for (std::size_t n = 0; n < full.size(); ++n) {
    const auto f = decode_request_header(ByteView(full).first(n));
    EXPECT_FALSE(f) << "prefix of " << n << " bytes";
    EXPECT_FALSE(f.error.empty());
  }
  EXPECT_FALSE(decode_request_header(hex("0000 0003 00000007 fffe"))) << "negative length other than -1";
  EXPECT_FALSE(decode_request_header(hex("0000 0003 00000007 7fff 63"))) << "length past the end";
}

TEST(WireHeaders, ResponseHeaderV0OrV1AndApiVersionsAlwaysV0) {
  const Bytes body = hex("aa");
  // Metadata v8: header v0; v9: header v1 (an empty tagged-field section).
  EXPECT_EQ(show(frame_response(3, 8, 7, body)), "00000005" "00000007" "aa");
  EXPECT_EQ(show(frame_response(3, 9, 7, body)), "00000006" "00000007" "00" "aa");
  // ApiVersions v3 is flexible, but its response header is v0.
  EXPECT_EQ(show(frame_response(18, 3, 7, body)), "00000005" "00000007" "aa");
  EXPECT_EQ(show(frame_response(0, 9, 7, body)), "00000006" "00000007" "00" "aa");
  EXPECT_EQ(show(frame_response(22, 2, 7, body)), "00000006" "00000007" "00" "aa");

  const auto v0 = decode_response_header(3, 8, hex("00000007 aa"));
  ASSERT_TRUE(v0) << v0.error;
  EXPECT_EQ(v0.value->correlation_id, 7);
  EXPECT_EQ(v0.value->body_offset, 4u);
  const auto v1 = decode_response_header(3, 9, hex("00000007 00 aa"));
  ASSERT_TRUE(v1) << v1.error;
  EXPECT_EQ(v1.value->body_offset, 5u);
  const auto v1_tagged = decode_response_header(0, 9, hex("00000007 01 03 01 ff aa"));
  ASSERT_TRUE(v1_tagged) << v1_tagged.error;
  EXPECT_EQ(v1_tagged.value->body_offset, 8u) << "a tagged field in the header is skipped";
  const auto api_versions = decode_response_header(18, 3, hex("00000007 aa"));
  ASSERT_TRUE(api_versions) << api_versions.error;
  EXPECT_EQ(api_versions.value->body_offset, 4u);

  EXPECT_FALSE(decode_response_header(3, 8, hex("000000")));
  EXPECT_FALSE(decode_response_header(3, 9, hex("00000007"))) << "v1 needs its tagged-field count";
  EXPECT_FALSE(decode_response_header(3, 9, hex("00000007 01 00 04 ff")));
}

TEST(WireHeaders, FrameSizeIsABigEndianInt32) {
  EXPECT_EQ(read_frame_size(hex("00000100")), 256);
  EXPECT_EQ(read_frame_size(hex("7fffffff")), 2147483647);
  EXPECT_EQ(read_frame_size(hex("ffffffff")), -1);
}

// ---------------------------------------------------------------- hand-laid messages

TEST(WireLayout, ApiVersionsRequest) {
  EXPECT_TRUE(encode(ApiVersionsRequest{"x", "y"}, 2).empty()) << "v0..v2 have an empty body";
  ASSERT_TRUE(decode_api_versions_request({}, 0));
  EXPECT_FALSE(decode_api_versions_request(hex("00"), 0)) << "trailing byte";
  // v3: compact strings "kc" and "1.0", then tagged fields.
  const Bytes v3 = hex("03 6b63" "04 312e30" "00");
  const auto d = decode_api_versions_request(v3, 3);
  ASSERT_TRUE(d) << d.error;
  EXPECT_EQ(d.value->client_software_name, "kc");
  EXPECT_EQ(d.value->client_software_version, "1.0");
  EXPECT_EQ(encode(*d.value, 3), v3);
  EXPECT_FALSE(decode_api_versions_request(hex("00 04 312e30 00"), 3)) << "null name: not nullable";
}

TEST(WireLayout, ApiVersionsResponse) {
  // v0: error code, then int32 count and (key, min, max) triples; no throttle.
  const Bytes v0 = hex("0000" "00000002" "0000 0003 0009" "0012 0000 0003");
  const auto d0 = decode_api_versions_response(v0, 0);
  ASSERT_TRUE(d0) << d0.error;
  EXPECT_EQ(d0.value->error_code, 0);
  EXPECT_EQ(d0.value->api_keys, (std::vector<VersionRange>{{0, 3, 9}, {18, 0, 3}}));
  EXPECT_EQ(d0.value->throttle_time_ms, 0);
  EXPECT_EQ(encode(*d0.value, 0), v0);
  // v3: compact array with per-element tagged fields, throttle 100, then the
  // body's tagged fields: SupportedFeatures (tag 0: one feature "mv" 1..20)
  // and FinalizedFeaturesEpoch (tag 1: int64 7), both skipped.
  const Bytes v3 = hex("0023" "03" "0000 0003 0009 00" "0012 0000 0003 00" "00000064"
                       "02" "00 09 02 03 6d76 0001 0014 00" "01 08 0000000000000007");
  const auto d3 = decode_api_versions_response(v3, 3);
  ASSERT_TRUE(d3) << d3.error;
  EXPECT_EQ(d3.value->error_code, error_code::unsupported_version);
  EXPECT_EQ(d3.value->api_keys, (std::vector<VersionRange>{{0, 3, 9}, {18, 0, 3}}));
  EXPECT_EQ(d3.value->throttle_time_ms, 100);
  EXPECT_EQ(show(encode(*d3.value, 3)), "0023" "03" "0000000300090000120000000300" "00000064" "00")
      << "encoded without the tagged fields";
}

TEST(WireLayout, MetadataRequest) {
  // v0: an empty array is "all topics".
  auto d = decode_metadata_request(hex("00000000"), 0);
  ASSERT_TRUE(d) << d.error;
  EXPECT_EQ(d.value->topics, std::nullopt);
  d = decode_metadata_request(hex("00000001 0001 74"), 0);
  ASSERT_TRUE(d) << d.error;
  EXPECT_EQ(d.value->topics, (std::vector<std::string>{"t"}));
  EXPECT_EQ(show(encode(MetadataRequest{}, 0)), "00000000");
  EXPECT_FALSE(decode_metadata_request(hex("ffffffff"), 0)) << "v0 has no null array";
  // v1: null is "all topics", empty is "none".
  d = decode_metadata_request(hex("ffffffff"), 1);
  ASSERT_TRUE(d) << d.error;
  EXPECT_EQ(d.value->topics, std::nullopt);
  d = decode_metadata_request(hex("00000000"), 1);
  ASSERT_TRUE(d) << d.error;
  EXPECT_EQ(d.value->topics, std::vector<std::string>{});
  // v8: topics, allow_auto_topic_creation, include_cluster_..., include_topic_...
  d = decode_metadata_request(hex("00000001 0001 74" "00" "01" "00"), 8);
  ASSERT_TRUE(d) << d.error;
  EXPECT_FALSE(d.value->allow_auto_topic_creation);
  EXPECT_TRUE(d.value->include_cluster_authorized_operations);
  EXPECT_FALSE(d.value->include_topic_authorized_operations);
  // v10 (flexible): each topic is a UUID then a compact name, with tagged fields.
  const Bytes v10 = hex("02" "00000000000000000000000000000000" "02 74" "00" "01" "01" "00" "00");
  d = decode_metadata_request(v10, 10);
  ASSERT_TRUE(d) << d.error;
  EXPECT_EQ(d.value->topics, (std::vector<std::string>{"t"}));
  EXPECT_TRUE(d.value->allow_auto_topic_creation);
  EXPECT_TRUE(d.value->include_cluster_authorized_operations);
  EXPECT_FALSE(d.value->include_topic_authorized_operations);
  EXPECT_EQ(encode(*d.value, 10), v10);
  // v12: no include_cluster_authorized_operations; compact null = all topics.
  d = decode_metadata_request(hex("00" "01" "01" "00"), 12);
  ASSERT_TRUE(d) << d.error;
  EXPECT_EQ(d.value->topics, std::nullopt);
  EXPECT_TRUE(d.value->allow_auto_topic_creation);
  EXPECT_TRUE(d.value->include_topic_authorized_operations);
  EXPECT_FALSE(d.value->include_cluster_authorized_operations);
  // A lookup by topic id (null name) is not represented: refused.
  const auto by_id = decode_metadata_request(hex("02" "0102030405060708090a0b0c0d0e0f10" "00" "00" "01" "00" "00"), 12);
  EXPECT_FALSE(by_id);
  EXPECT_NE(by_id.error.find("topic id"), std::string::npos) << by_id.error;
}

TEST(WireLayout, MetadataResponseV0) {
  const Bytes v0 = hex("00000001" "00000001 0001 68 00002384"       // broker 1 at h:9092
                       "00000001" "0000 0001 74"                      // topic "t", no error
                       "00000001" "0000 00000000 00000001"            // partition 0, leader 1
                       "00000001 00000001" "00000001 00000001");      // replicas [1], isr [1]
  const auto d = decode_metadata_response(v0, 0);
  ASSERT_TRUE(d) << d.error;
  const MetadataResponse& m = *d.value;
  ASSERT_EQ(m.brokers.size(), 1u);
  EXPECT_EQ(m.brokers[0], (MetadataBroker{1, "h", 9092, std::nullopt}));
  EXPECT_EQ(m.controller_id, -1);
  EXPECT_EQ(m.cluster_id, std::nullopt);
  ASSERT_EQ(m.topics.size(), 1u);
  EXPECT_EQ(m.topics[0].name, "t");
  ASSERT_EQ(m.topics[0].partitions.size(), 1u);
  const MetadataPartition& p = m.topics[0].partitions[0];
  EXPECT_EQ(p.partition_index, 0);
  EXPECT_EQ(p.leader_id, 1);
  EXPECT_EQ(p.leader_epoch, -1);
  EXPECT_EQ(p.replica_nodes, std::vector<std::int32_t>{1});
  EXPECT_EQ(p.isr_nodes, std::vector<std::int32_t>{1});
  EXPECT_EQ(encode(m, 0), v0);
}

TEST(WireLayout, MetadataResponseV8AndV12) {
  // v8: throttle, brokers with rack, cluster id, controller, topics with
  // is_internal, partitions with leader epoch and offline replicas, topic
  // authorized operations, then cluster authorized operations.
  const Bytes v8 = hex("00000000" "00000001" "00000001 0001 68 00002384 0002 7231"
                       "0001 63" "00000001"
                       "00000001" "0000 0001 74 00"
                       "00000001" "0000 00000000 00000001 00000005" "00000001 00000001" "00000000" "00000000"
                       "00000df8" "00000ff8");
  const auto d8 = decode_metadata_response(v8, 8);
  ASSERT_TRUE(d8) << d8.error;
  EXPECT_EQ(d8.value->brokers.at(0).rack, std::optional<std::string>("r1"));
  EXPECT_EQ(d8.value->cluster_id, std::optional<std::string>("c"));
  EXPECT_EQ(d8.value->controller_id, 1);
  EXPECT_EQ(d8.value->topics.at(0).partitions.at(0).leader_epoch, 5);
  EXPECT_TRUE(d8.value->topics.at(0).partitions.at(0).isr_nodes.empty());
  EXPECT_EQ(d8.value->topics.at(0).topic_authorized_operations, 0xdf8);
  EXPECT_EQ(d8.value->cluster_authorized_operations, 0xff8);
  EXPECT_EQ(encode(*d8.value, 8), v8);

  // v12 (flexible): compact everything, topic id after the name, no cluster
  // authorized operations.
  const Bytes v12 = hex("00000000" "02" "00000001 02 68 00002384 00 00"
                        "02 63" "00000001"
                        "02" "0000 02 74 0102030405060708090a0b0c0d0e0f10 01"
                        "02" "0000 00000000 00000001 00000005" "02 00000001" "02 00000001" "01" "00"
                        "80000000" "00"
                        "00");
  const auto d12 = decode_metadata_response(v12, 12);
  ASSERT_TRUE(d12) << d12.error;
  const MetadataTopic& t = d12.value->topics.at(0);
  EXPECT_EQ(t.name, "t");
  EXPECT_EQ(std::to_integer<int>(t.topic_id[0]), 1);
  EXPECT_EQ(std::to_integer<int>(t.topic_id[15]), 16);
  EXPECT_TRUE(t.is_internal);
  EXPECT_EQ(t.topic_authorized_operations, kNoOperations);
  EXPECT_EQ(d12.value->cluster_authorized_operations, kNoOperations);
  EXPECT_EQ(d12.value->brokers.at(0).rack, std::nullopt);
  EXPECT_EQ(encode(*d12.value, 12), v12);
  // A null topic name (v12 allows it for lookups by id) is refused.
  // The name's length byte follows throttle (4), brokers (1 + 12), cluster
  // id (2), controller (4), the topic count (1) and the error code (2).
  constexpr std::size_t kNameAt = 26;
  Bytes null_name = v12;
  ASSERT_EQ(null_name[kNameAt], std::byte{0x02});
  null_name[kNameAt] = std::byte{0};
  null_name.erase(null_name.begin() + kNameAt + 1);  // and its one character
  const auto refused = decode_metadata_response(null_name, 12);
  EXPECT_FALSE(refused);
  EXPECT_NE(refused.error.find("topic id"), std::string::npos) << refused.error;
}

TEST(WireLayout, InitProducerId) {
  const Bytes req0 = hex("ffff" "0000ea60");
  auto r = decode_init_producer_id_request(req0, 0);
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.value->transactional_id, std::nullopt);
  EXPECT_EQ(r.value->transaction_timeout_ms, 60000);
  EXPECT_EQ(r.value->producer_id, -1);
  EXPECT_EQ(encode(*r.value, 0), req0);
  // v4 (flexible): compact null, then the producer id and epoch to bump.
  const Bytes req4 = hex("00" "00007530" "00000000000003e8" "0002" "00");
  r = decode_init_producer_id_request(req4, 4);
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(*r.value, (InitProducerIdRequest{std::nullopt, 30000, 1000, 2}));
  EXPECT_EQ(encode(*r.value, 4), req4);
  const Bytes req2 = hex("04 747831" "00007530" "00");
  r = decode_init_producer_id_request(req2, 2);
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(*r.value, (InitProducerIdRequest{"tx1", 30000, -1, -1}));

  const Bytes resp0 = hex("00000000" "0000" "00000000000003e8" "0000");
  auto s = decode_init_producer_id_response(resp0, 0);
  ASSERT_TRUE(s) << s.error;
  EXPECT_EQ(*s.value, (InitProducerIdResponse{0, 0, 1000, 0}));
  EXPECT_EQ(encode(*s.value, 0), resp0);
  const Bytes resp2 = hex("00000005" "002f" "ffffffffffffffff" "ffff" "00");
  s = decode_init_producer_id_response(resp2, 2);
  ASSERT_TRUE(s) << s.error;
  EXPECT_EQ(*s.value, (InitProducerIdResponse{5, error_code::invalid_producer_epoch, -1, -1}));
  EXPECT_EQ(encode(*s.value, 2), resp2);
  EXPECT_FALSE(decode_init_producer_id_response(resp0, 2)) << "v2 needs its tagged fields";
}

TEST(WireLayout, ProduceRequestV3Frame) {
  const Bytes records = hex("aabbcc");
  const Bytes frame = hex("00000029"                     // size: 41 bytes follow
                          "0000 0003 00000007 0001 63"   // header v1: Produce v3, correlation 7, "c"
                          "ffff"                         // transactional id: null
                          "ffff"                         // acks -1
                          "00007530"                     // timeout 30000
                          "00000001" "0001 74"           // one topic, "t"
                          "00000001" "00000002"          // one partition, index 2
                          "00000003 aabbcc");            // records
  ASSERT_EQ(read_frame_size(frame), static_cast<std::int32_t>(frame.size() - 4));
  const auto f = decode_request_header(ByteView(frame).subspan(4));
  ASSERT_TRUE(f) << f.error;
  EXPECT_EQ(f.value->header, (RequestHeader{0, 3, 7, "c"}));
  const auto d = decode_produce_request(ByteView(frame).subspan(4 + f.value->body_offset), 3);
  ASSERT_TRUE(d) << d.error;
  EXPECT_EQ(d.value->transactional_id, std::nullopt);
  EXPECT_EQ(d.value->acks, -1);
  EXPECT_EQ(d.value->timeout_ms, 30000);
  ASSERT_EQ(d.value->topics.size(), 1u);
  EXPECT_EQ(d.value->topics[0].name, "t");
  ASSERT_EQ(d.value->topics[0].partitions.size(), 1u);
  EXPECT_EQ(d.value->topics[0].partitions[0].index, 2);
  EXPECT_EQ(d.value->topics[0].partitions[0].records, std::optional<Bytes>(records));
  EXPECT_EQ(frame_request(f.value->header, encode(*d.value, 3)), frame);

  // Null records: length -1.
  const auto null_records = decode_produce_request(hex("ffff ffff 00007530 00000001 0001 74 00000001 00000002 ffffffff"), 3);
  ASSERT_TRUE(null_records) << null_records.error;
  EXPECT_EQ(null_records.value->topics.at(0).partitions.at(0).records, std::nullopt);
  EXPECT_FALSE(decode_produce_request(hex("ffff ffff 00007530 00000001 0001 74 00000001 00000002 fffffffe"), 3))
      << "negative length other than -1";
  EXPECT_FALSE(decode_produce_request(hex("ffff ffff 00007530 00000001 0001 74 00000001 00000002 00000004 aabbcc"), 3))
      << "records past the end";
}

TEST(WireLayout, ProduceRequestV9IsFlexible) {
  // Compact transactional id "tx", compact arrays and records, tagged fields
  // at every level; an unknown top-level tagged field (tag 5) is skipped.
  const Bytes v9 = hex("03 7478" "0001" "00007530"
                       "02" "02 74"
                       "02" "00000000" "04 aabbcc" "00"
                       "00"
                       "01 05 02 dead");
  const auto d = decode_produce_request(v9, 9);
  ASSERT_TRUE(d) << d.error;
  EXPECT_EQ(d.value->transactional_id, std::optional<std::string>("tx"));
  EXPECT_EQ(d.value->acks, 1);
  EXPECT_EQ(d.value->topics.at(0).name, "t");
  EXPECT_EQ(d.value->topics.at(0).partitions.at(0).records, std::optional<Bytes>(hex("aabbcc")));
  EXPECT_EQ(show(encode(*d.value, 9)), "037478" "0001" "00007530" "02" "0274" "02" "00000000" "04aabbcc" "00" "00" "00");
  // Compact null records: 0.
  const auto null_records = decode_produce_request(hex("00 ffff 00007530 02 02 74 02 00000000 00 00 00 00"), 9);
  ASSERT_TRUE(null_records) << null_records.error;
  EXPECT_EQ(null_records.value->topics.at(0).partitions.at(0).records, std::nullopt);
}

TEST(WireLayout, ProduceResponse) {
  // v3: partition index, error, base offset, log append time; then throttle.
  const Bytes v3 = hex("00000001" "0001 74" "00000001" "00000000 0000 000000000000002a ffffffffffffffff" "00000000");
  auto d = decode_produce_response(v3, 3);
  ASSERT_TRUE(d) << d.error;
  const ProducePartitionResponse& p = d.value->topics.at(0).partitions.at(0);
  EXPECT_EQ(p.index, 0);
  EXPECT_EQ(p.error_code, 0);
  EXPECT_EQ(p.base_offset, 42);
  EXPECT_EQ(p.log_append_time_ms, -1);
  EXPECT_EQ(p.log_start_offset, -1);
  EXPECT_EQ(encode(*d.value, 3), v3);
  // v8: plus log start offset, record errors and the error message.
  const Bytes v8 = hex("00000001" "0001 74" "00000001"
                       "00000001 0057 ffffffffffffffff ffffffffffffffff 0000000000000000"
                       "00000001" "00000000 0003 626164" "ffff"
                       "00000005");
  d = decode_produce_response(v8, 8);
  ASSERT_TRUE(d) << d.error;
  const ProducePartitionResponse& q = d.value->topics.at(0).partitions.at(0);
  EXPECT_EQ(q.error_code, error_code::invalid_record);
  EXPECT_EQ(q.log_start_offset, 0);
  EXPECT_EQ(q.record_errors, (std::vector<RecordError>{{0, "bad"}}));
  EXPECT_EQ(q.error_message, std::nullopt);
  EXPECT_EQ(d.value->throttle_time_ms, 5);
  EXPECT_EQ(encode(*d.value, 8), v8);
  // v9: the same, compact and tagged.
  const Bytes v9 = hex("02" "02 74" "02"
                       "00000001 0057 ffffffffffffffff ffffffffffffffff 0000000000000000"
                       "02" "00000000 04 626164 00" "04 626164" "00"
                       "00"
                       "00000005" "00");
  d = decode_produce_response(v9, 9);
  ASSERT_TRUE(d) << d.error;
  EXPECT_EQ(d.value->topics.at(0).partitions.at(0).error_message, std::optional<std::string>("bad"));
  EXPECT_EQ(encode(*d.value, 9), v9);
}

TEST(WireLayout, HostileCountsAreRefusedWithoutAllocating) {
  // An array claiming 2^31-1 elements, or a compact one claiming 2^32-2,
  // in a body of a few bytes.
  EXPECT_FALSE(decode_produce_request(hex("ffff ffff 00007530 7fffffff"), 3));
  EXPECT_FALSE(decode_produce_request(hex("00 ffff 00007530 ffffffff0f"), 9));
  EXPECT_FALSE(decode_metadata_response(hex("7fffffff"), 0));
  // A varint of more than five bytes, and one whose fifth byte overflows.
  EXPECT_FALSE(decode_produce_request(hex("ffffffffff01"), 9));
  EXPECT_FALSE(decode_produce_request(hex("8080808010"), 9));
  EXPECT_FALSE(decode_produce_request(hex("fffe ffff 00007530 00000000"), 3)) << "string length -2";
}

// ---------------------------------------------------------------- record batches

// One batch laid out by hand from the v2 format: producer 1000, epoch 0,
// base sequence 5, two records. Its CRC32C, 0x0a8705c2, was computed
// separately over bytes 21.. (attributes to the end).
const Bytes kBatch = hex(
    "0000000000000000"  // baseOffset 0
    "00000046"          // batchLength 70
    "00000000"          // partitionLeaderEpoch 0
    "02"                // magic
    "0a8705c2"          // crc
    "0000"              // attributes: no compression, create time, not transactional
    "0000012c"          // lastOffsetDelta 300
    "0000018bcfe56800"  // baseTimestamp 1700000000000
    "0000018bcfe56800"  // maxTimestamp
    "00000000000003e8"  // producerId 1000
    "0000"              // producerEpoch 0
    "00000005"          // baseSequence 5
    "00000002"          // 2 records
    // record 0: length 11, attributes 0, timestampDelta 0, offsetDelta 0,
    // key null (-1), value "hi", one header "k" with a null value
    "16" "00" "00" "00" "01" "04 6869" "02" "02 6b" "01"
    // record 1: length 8, timestampDelta -1, offsetDelta 300 (zigzag 600:
    // two bytes), key "k", value null, no headers
    "10" "00" "01" "d804" "02 6b" "01" "00");

RecordBatch expected_batch() {
  RecordBatch b;
  b.base_offset = 0;
  b.partition_leader_epoch = 0;
  b.crc = 0x0a8705c2u;
  b.last_offset_delta = 300;
  b.base_timestamp = 1700000000000;
  b.max_timestamp = 1700000000000;
  b.producer_id = 1000;
  b.producer_epoch = 0;
  b.base_sequence = 5;
  Record r0;
  r0.value = text("hi");
  r0.headers = {RecordHeader{"k", std::nullopt}};
  Record r1;
  r1.timestamp_delta = -1;
  r1.offset_delta = 300;
  r1.key = text("k");
  b.records = {r0, r1};
  return b;
}

// Rewrite the CRC of the batch at `at` over its current bytes, so that a
// deliberate inconsistency behind it is what the decoder meets.
void fix_crc(Bytes& b, std::size_t at = 0) {
  if (b.size() < at + 21) return;
  const std::size_t length = static_cast<std::size_t>(
      (std::to_integer<std::uint32_t>(b[at + 8]) << 24) | (std::to_integer<std::uint32_t>(b[at + 9]) << 16) |
      (std::to_integer<std::uint32_t>(b[at + 10]) << 8) | std::to_integer<std::uint32_t>(b[at + 11]));
  const std::size_t end = std::max(at + 21, std::min(b.size(), at + 12 + length));
  const std::uint32_t crc = idemcheck::impl::crc32c(ByteView(b).subspan(at + 21, end - (at + 21)));
  for (std::size_t i = 0; i < 4; ++i) b[at + 17 + i] = static_cast<std::byte>(crc >> (24 - 8 * i));
}

void set_i32(Bytes& b, std::size_t at, std::int32_t v) {
  const auto u = static_cast<std::uint32_t>(v);
  for (std::size_t i = 0; i < 4; ++i) b[at + i] = static_cast<std::byte>(u >> (24 - 8 * i));
}

TEST(WireBatch, TheHandLaidBatchDecodesFieldByField) {
  ASSERT_EQ(kBatch.size(), 82u);
  EXPECT_EQ(idemcheck::impl::crc32c(ByteView(kBatch).subspan(21)), 0x0a8705c2u);
  const BatchDecode d = decode_record_batches(kBatch);
  ASSERT_EQ(d.error, BatchError::none) << d.message;
  EXPECT_TRUE(d.message.empty());
  ASSERT_EQ(d.batches.size(), 1u);
  const RecordBatch& b = d.batches[0];
  EXPECT_EQ(b.magic, 2);
  EXPECT_EQ(b.crc, 0x0a8705c2u);
  EXPECT_EQ(b.producer_id, 1000);
  EXPECT_EQ(b.producer_epoch, 0);
  EXPECT_EQ(b.base_sequence, 5);
  EXPECT_EQ(b.last_offset_delta, 300);
  EXPECT_EQ(b.base_timestamp, 1700000000000);
  EXPECT_EQ(b.compression(), 0);
  EXPECT_FALSE(b.transactional());
  EXPECT_FALSE(b.control());
  ASSERT_EQ(b.records.size(), 2u);
  EXPECT_EQ(b.records[0].key, std::nullopt);
  EXPECT_EQ(b.records[0].value, std::optional<Bytes>(text("hi")));
  ASSERT_EQ(b.records[0].headers.size(), 1u);
  EXPECT_EQ(b.records[0].headers[0].key, "k");
  EXPECT_EQ(b.records[0].headers[0].value, std::nullopt);
  EXPECT_EQ(b.records[1].timestamp_delta, -1);
  EXPECT_EQ(b.records[1].offset_delta, 300);
  EXPECT_EQ(b.records[1].key, std::optional<Bytes>(text("k")));
  EXPECT_EQ(b.records[1].value, std::nullopt);
  EXPECT_EQ(b, expected_batch());
}

TEST(WireBatch, EncodeLaysOutTheSameBytesWithLengthAndCrc) {
  RecordBatch b = expected_batch();
  b.crc = 0;  // ignored: encode computes it
  EXPECT_EQ(show(encode(b)), show(kBatch));
}

TEST(WireBatch, SeveralBatchesBackToBackAndNone) {
  RecordBatch second = expected_batch();
  second.base_offset = 2;
  second.base_sequence = 7;
  second.attributes = 0x10;  // transactional
  const Bytes both = concat({kBatch, encode(second)});
  const BatchDecode d = decode_record_batches(both);
  ASSERT_EQ(d.error, BatchError::none) << d.message;
  ASSERT_EQ(d.batches.size(), 2u);
  EXPECT_EQ(d.batches[0], expected_batch());
  EXPECT_EQ(d.batches[1].base_sequence, 7);
  EXPECT_TRUE(d.batches[1].transactional());
  const BatchDecode none = decode_record_batches({});
  EXPECT_EQ(none.error, BatchError::none);
  EXPECT_TRUE(none.batches.empty());
}

TEST(WireBatch, CrcMismatchIsCorrupt) {
  for (const std::size_t at : {std::size_t{17}, std::size_t{21}, std::size_t{45}, kBatch.size() - 1}) {
    Bytes b = kBatch;
    b[at] ^= std::byte{0x01};
    const BatchDecode d = decode_record_batches(b);
    EXPECT_EQ(d.error, BatchError::corrupt) << "byte " << at;
    EXPECT_NE(d.message.find("CRC"), std::string::npos) << d.message;
    EXPECT_TRUE(d.batches.empty());
  }
  // The second of two batches is corrupt: nothing is returned.
  Bytes two = concat({kBatch, kBatch});
  two.back() ^= std::byte{0x40};
  const BatchDecode d = decode_record_batches(two);
  EXPECT_EQ(d.error, BatchError::corrupt);
  EXPECT_TRUE(d.batches.empty());
  EXPECT_NE(d.message.find("batch 1"), std::string::npos) << d.message;
}

TEST(WireBatch, MagicOtherThanTwoIsUnsupported) {
  // The same layout with magic 1 (CRC correct over its bytes).
  RecordBatch b = expected_batch();
  b.magic = 1;
  EXPECT_EQ(decode_record_batches(encode(b)).error, BatchError::unsupported_magic);
  // A real message set v1 entry, laid out by hand: offset, size 22, crc,
  // magic 1, attributes, timestamp, null key, null value.
  const Bytes v1 = hex("0000000000000000 00000016 00000000 01 00 0000000000000000 ffffffff ffffffff");
  const BatchDecode d1 = decode_record_batches(v1);
  EXPECT_EQ(d1.error, BatchError::unsupported_magic) << d1.message;
  EXPECT_TRUE(d1.batches.empty());
  // Magic 0: offset, size 14, crc, magic 0, attributes, null key, null value.
  const Bytes v0 = hex("0000000000000000 0000000e 00000000 00 00 ffffffff ffffffff");
  EXPECT_EQ(decode_record_batches(v0).error, BatchError::unsupported_magic);
  b.magic = 3;
  EXPECT_EQ(decode_record_batches(encode(b)).error, BatchError::unsupported_magic);
}

TEST(WireBatch, CompressionIsUnsupported) {
  for (std::int16_t codec = 1; codec <= 7; ++codec) {
    RecordBatch b = expected_batch();
    b.attributes = codec;
    const BatchDecode d = decode_record_batches(encode(b));
    EXPECT_EQ(d.error, BatchError::unsupported_compression) << "codec " << codec;
    EXPECT_TRUE(d.batches.empty());
  }
  // A compressed batch with a bad CRC is corrupt first.
  RecordBatch b = expected_batch();
  b.attributes = 4;
  Bytes bytes = encode(b);
  bytes.back() ^= std::byte{1};
  EXPECT_EQ(decode_record_batches(bytes).error, BatchError::corrupt);
}

TEST(WireBatch, BatchLengthDisagreeingWithTheBytesIsCorrupt) {
  Bytes longer = kBatch;
  set_i32(longer, 8, 71);  // one byte more than there is
  EXPECT_EQ(decode_record_batches(longer).error, BatchError::corrupt);
  Bytes negative = kBatch;
  set_i32(negative, 8, -1);
  EXPECT_EQ(decode_record_batches(negative).error, BatchError::corrupt);
  Bytes tiny = kBatch;
  set_i32(tiny, 8, 20);  // shorter than a batch header
  EXPECT_EQ(decode_record_batches(tiny).error, BatchError::corrupt);
  // One byte shorter, with the CRC rewritten over the shorter batch: the last
  // record runs past the batch's end.
  Bytes shorter(kBatch.begin(), kBatch.end() - 1);
  set_i32(shorter, 8, 69);
  fix_crc(shorter);
  const BatchDecode d = decode_record_batches(shorter);
  EXPECT_EQ(d.error, BatchError::corrupt);
  EXPECT_NE(d.message.find("record 1"), std::string::npos) << d.message;
  // One byte shorter without moving the bytes: the batch's last byte becomes
  // a second "batch" of one byte.
  Bytes short_length = kBatch;
  set_i32(short_length, 8, 69);
  fix_crc(short_length);
  EXPECT_EQ(decode_record_batches(short_length).error, BatchError::corrupt);
}

TEST(WireBatch, RecordCountDisagreeingWithTheRecordsIsCorrupt) {
  for (const std::int32_t count : {0, 1, 3, 1000, -1}) {
    Bytes b = kBatch;
    set_i32(b, 57, count);
    fix_crc(b);
    const BatchDecode d = decode_record_batches(b);
    EXPECT_EQ(d.error, BatchError::corrupt) << "count " << count;
    EXPECT_FALSE(d.message.empty());
  }
  // A record whose length disagrees with its fields (CRC fixed).
  Bytes b = kBatch;
  b[61] = std::byte{0x18};  // record 0 claims 12 bytes, it has 11
  fix_crc(b);
  EXPECT_EQ(decode_record_batches(b).error, BatchError::corrupt);
  b = kBatch;
  b[61] = std::byte{0x14};  // 10 bytes: its header count runs out
  fix_crc(b);
  EXPECT_EQ(decode_record_batches(b).error, BatchError::corrupt);
  // A null header key (varint -1) is corrupt.
  b = kBatch;
  b[70] = std::byte{0x01};
  b.erase(b.begin() + 71);
  b[61] = std::byte{0x14};
  set_i32(b, 8, 69);
  fix_crc(b);
  EXPECT_EQ(decode_record_batches(b).error, BatchError::corrupt);
}

TEST(WireBatch, ExtremeRecordFieldsRoundTrip) {
  RecordBatch b = expected_batch();
  b.records[0].timestamp_delta = std::numeric_limits<std::int64_t>::min();
  b.records[0].offset_delta = std::numeric_limits<std::int32_t>::max();
  b.records[1].timestamp_delta = std::numeric_limits<std::int64_t>::max();
  b.records[1].offset_delta = std::numeric_limits<std::int32_t>::min();
  b.records[1].attributes = -1;
  const Bytes bytes = encode(b);
  const BatchDecode d = decode_record_batches(bytes);
  ASSERT_EQ(d.error, BatchError::none) << d.message;
  b.crc = d.batches.at(0).crc;
  EXPECT_EQ(d.batches.at(0), b);
}

Record any_record() {
  Record r;
  r.attributes = any<std::int8_t>();
  r.timestamp_delta = any<std::int64_t>();
  r.offset_delta = any<std::int32_t>();
  r.key = any_optional_bytes();
  r.value = any_optional_bytes();
  r.headers = any_vector([] { return RecordHeader{any_string(), any_optional_bytes()}; });
  return r;
}

RecordBatch any_batch() {
  RecordBatch b;
  b.base_offset = any<std::int64_t>();
  b.partition_leader_epoch = any<std::int32_t>();
  b.attributes = static_cast<std::int16_t>(any<std::int16_t>() & ~0x7);  // no compression
  b.last_offset_delta = any<std::int32_t>();
  b.base_timestamp = any<std::int64_t>();
  b.max_timestamp = any<std::int64_t>();
  b.producer_id = any<std::int64_t>();
  b.producer_epoch = any<std::int16_t>();
  b.base_sequence = any<std::int32_t>();
  b.records = any_vector(any_record, 4);
  return b;
}

TEST(WireBatch, RoundTripsAndTheCrcIsOverAttributesToTheEnd) {
  property("record batches round trip", [] {
    std::vector<RecordBatch> batches = any_vector(any_batch, 3);
    Bytes bytes;
    for (const RecordBatch& b : batches) {
      const Bytes one = encode(b);
      RC_ASSERT(one.size() >= 61u);
      RC_ASSERT(read_frame_size(ByteView(one).subspan(8, 4)) == static_cast<std::int32_t>(one.size() - 12));
      const std::uint32_t crc = idemcheck::impl::crc32c(ByteView(one).subspan(21));
      RC_ASSERT(static_cast<std::uint32_t>(read_frame_size(ByteView(one).subspan(17, 4))) == crc);
      bytes.insert(bytes.end(), one.begin(), one.end());
    }
    const BatchDecode d = decode_record_batches(bytes);
    RC_ASSERT(d.error == BatchError::none);
    RC_ASSERT(d.batches.size() == batches.size());
    for (std::size_t i = 0; i < batches.size(); ++i) {
      batches[i].crc = d.batches[i].crc;  // as read; checked against crc32c above
      RC_ASSERT(d.batches[i] == batches[i]);
    }
  });
}

TEST(WireBatch, EveryTruncationIsCorrupt) {
  property("record batch truncations", [] {
    const Bytes bytes = encode(any_batch());
    for (std::size_t n = 1; n < bytes.size(); ++n) {
      const BatchDecode d = decode_record_batches(ByteView(bytes).first(n));
      RC_ASSERT(d.error == BatchError::corrupt);
      RC_ASSERT(!d.message.empty());
      RC_ASSERT(d.batches.empty());
    }
  });
}

// Flips anywhere, with the CRC rewritten for half the cases so that the
// flips reach the record parsing behind it: a value or an error, never a
// crash, and a value re-encodes to a batch that decodes to it again.
TEST(WireBatch, FlippedOrRandomBytesGiveABatchOrAnError) {
  property("record batch byte flips", [] {
    Bytes bytes = encode(any_batch());
    if (*rc::gen::inRange(0, 5) == 0) {
      bytes = any_bytes();
    } else {
      const int flips = *rc::gen::inRange(1, 5);
      for (int i = 0; i < flips; ++i) {
        const auto at = *rc::gen::inRange<std::size_t>(0, bytes.size());
        bytes[at] ^= static_cast<std::byte>(*rc::gen::inRange(1, 256));
      }
      if (*rc::gen::arbitrary<bool>()) fix_crc(bytes);
    }
    const BatchDecode d = decode_record_batches(bytes);
    if (d.error != BatchError::none) {
      RC_ASSERT(!d.message.empty());
      RC_ASSERT(d.batches.empty());
      return;
    }
    RC_ASSERT(d.message.empty());
    for (const RecordBatch& b : d.batches) {
      const BatchDecode again = decode_record_batches(encode(b));
      RC_ASSERT(again.error == BatchError::none);
      RC_ASSERT(again.batches.size() == 1u);
      RecordBatch expected = b;
      expected.crc = again.batches[0].crc;
      RC_ASSERT(again.batches[0] == expected);
    }
  });
}

// A Produce request carrying a real batch: the records field is the batch's
// bytes, undecoded, and decodes on its own.
TEST(WireBatch, ProduceRequestCarriesTheBatchBytes) {
  ProduceRequest req;
  req.topics = {ProduceTopicData{"t", {ProducePartitionData{0, kBatch}}}};
  for (const std::int16_t v : {std::int16_t{3}, std::int16_t{9}}) {
    const auto d = decode_produce_request(encode(req, v), v);
    ASSERT_TRUE(d) << d.error;
    const auto& records = d.value->topics.at(0).partitions.at(0).records;
    ASSERT_TRUE(records.has_value());
    const BatchDecode batches = decode_record_batches(*records);
    ASSERT_EQ(batches.error, BatchError::none) << batches.message;
    EXPECT_EQ(batches.batches, std::vector<RecordBatch>{expected_batch()});
  }
}

}  // namespace
