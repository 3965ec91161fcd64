// History files: round trips, every validation error with its exact message,
// and a small fuzz of the reader (truncations, byte flips, nesting, numbers,
// UTF-8) that must give an error, never a crash.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "idemcheck/io/history_file.hpp"
#include "idemcheck/io/json.hpp"
#include "idemcheck/properties/claims.hpp"
#include "idemcheck/properties/search.hpp"
#include "idemcheck/properties/world_gen.hpp"

namespace {

using namespace idemcheck;
using K = spec::Event::Kind;

const std::string kBase = R"({
  "format": "idemcheck-history",
  "version": 1,
  "description": "base",
  "world": {
    "producers": 1,
    "partitions": 1,
    "brokers": 1,
    "producer": {"enable.idempotence": "false"},
    "allow_unsafe_in_flight": false,
    "broker": {"producer.id.expiration.ms": 86400000, "cached_batches": 5, "snapshot_keeps_window": false},
    "initial_epoch": 0
  },
  "events": [
    {"event": "send", "producer": 0, "partition": 0, "records": 1},
    {"event": "drain", "producer": 0, "broker": 0}
  ],
  "expect": {"anomalies": []}
}
)";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << "test bug: '" << from << "' not in the base file";
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

std::string error_of(const std::string& text) {
  const auto r = io::parse_history_file(text);
  if (const auto* e = std::get_if<io::LoadError>(&r)) return e->describe();
  return "(accepted)";
}

TEST(HistoryIo, BaseFileLoads) {
  const auto r = io::parse_history_file(kBase);
  ASSERT_TRUE(std::holds_alternative<io::LoadedHistory>(r)) << error_of(kBase);
  const auto& lh = std::get<io::LoadedHistory>(r);
  EXPECT_EQ(lh.file.description, "base");
  EXPECT_FALSE(lh.history.config.producer.idempotence);
  ASSERT_EQ(lh.history.events.size(), 2u);
  EXPECT_EQ(lh.history.events[0].kind, K::send);
  ASSERT_TRUE(lh.file.expect && lh.file.expect->anomalies);
  EXPECT_TRUE(lh.file.expect->anomalies->empty());
  // Written back, it is the same text.
  EXPECT_EQ(io::write_history_file(lh.file), kBase);
}

io::HistoryFile every_kind_file() {
  io::HistoryFile f;
  f.description = "every kind\nof event, on two lines";
  f.producers = 2;
  f.partitions = 2;
  f.brokers = 2;
  f.initial_epoch = 7;
  f.producer = {{"max.in.flight.requests.per.connection", "6"}, {"delivery.timeout.ms", "60000"}};
  f.allow_unsafe_in_flight = true;
  f.broker.window = 3;
  f.broker.producer_id_expiration_ms = 60'000;
  f.broker.snapshot_keeps_window = true;
  f.broker.rules = spec::BrokerRules::automq;
  f.client_rules = spec::ClientRules::java_2_4;
  auto ev = [](K k) {
    spec::Event e;
    e.kind = k;
    return e;
  };
  spec::Event e = ev(K::send);
  e.producer = 1, e.partition = 1, e.count = 3;
  f.events.push_back(e);
  e = ev(K::send_same), e.producer = 0, e.other = 1;
  f.events.push_back(e);
  for (K k : {K::drain, K::deliver_request, K::deliver_response, K::lose_response}) {
    e = ev(k), e.producer = 1, e.broker = 1;
    f.events.push_back(e);
  }
  e = ev(K::fail_request), e.producer = 1, e.broker = 0, e.error = spec::Error::request_timed_out, e.flag = true;
  f.events.push_back(e);
  e = ev(K::fail_request), e.error = spec::Error::not_enough_replicas;
  f.events.push_back(e);
  e = ev(K::break_connection), e.producer = 1, e.broker = 1, e.count = 2;
  f.events.push_back(e);
  e = ev(K::timeout), e.count = 0;
  f.events.push_back(e);
  e = ev(K::process_zombie), e.broker = 1;
  f.events.push_back(e);
  e = ev(K::tick), e.ms = 1'000;
  f.events.push_back(e);
  e = ev(K::move_leader), e.partition = 1, e.broker = 0;
  f.events.push_back(e);
  e = ev(K::restart_broker), e.broker = 1, e.flag = true;
  f.events.push_back(e);
  f.events.push_back(ev(K::expire));
  e = ev(K::restart_producer), e.producer = 1, e.flag = true, e.count = 1;
  f.events.push_back(e);
  f.notes.assign(f.events.size(), "");
  f.notes[2] = "a note with \"quotes\", a tab\t and \xC3\xA9";
  f.expect = io::Expectation{std::vector<spec::Anomaly>{spec::Anomaly::duplicate, spec::Anomaly::lost_write}, false};
  return f;
}

TEST(HistoryIo, EveryEventKindRoundTrips) {
  const io::HistoryFile f = every_kind_file();
  ASSERT_EQ(f.events.size(), 16u);
  const std::string text = io::write_history_file(f);
  const auto r = io::parse_history_file(text);
  ASSERT_TRUE(std::holds_alternative<io::LoadedHistory>(r)) << error_of(text) << "\n" << text;
  const auto& lh = std::get<io::LoadedHistory>(r);
  EXPECT_EQ(lh.file, f);
  EXPECT_EQ(io::write_history_file(lh.file), text);
  EXPECT_EQ(lh.history.config.producer.max_in_flight, 6);
  EXPECT_TRUE(lh.history.config.producer.idempotence);
  EXPECT_EQ(lh.history.config.initial_epoch, 7);
  EXPECT_EQ(lh.history.config.broker.rules, spec::BrokerRules::automq) << "the variants are recorded";
  EXPECT_EQ(lh.history.config.client_rules, spec::ClientRules::java_2_4);
  EXPECT_EQ(lh.history.events, f.events);
}

TEST(HistoryIo, NormalizingKeepsTheRunAndWritesOnlyUsedFields) {
  spec::Event e;
  e.kind = K::tick;
  e.ms = 5;
  e.producer = 3;
  e.flag = true;
  e.count = 9;
  const spec::Event n = io::normalize_event(e);
  EXPECT_EQ(n.ms, 5);
  EXPECT_EQ(n.producer, 0);
  EXPECT_FALSE(n.flag);
  EXPECT_EQ(n.count, 1);
  spec::Event f;
  f.kind = K::fail_request;
  f.error = spec::Error::not_enough_replicas_after_append;
  f.flag = true;
  EXPECT_FALSE(io::normalize_event(f).flag);  // after_append only means something for REQUEST_TIMED_OUT
}

// Generated histories of every claim's world survive from_history -> write ->
// read, and the normalized history runs exactly as the original.
TEST(HistoryIo, GeneratedHistoriesRoundTrip) {
  for (const properties::Claim& c : properties::claims()) {
    const auto gen = properties::gen_world_history(c.profile);
    for (std::uint64_t i = 0; i < 15; ++i) {
      const spec::History h = properties::draw_history(gen, 42, i, 40);
      auto f = io::from_history(h, c.id);
      ASSERT_TRUE(std::holds_alternative<io::HistoryFile>(f)) << c.id << ": " << std::get<std::string>(f);
      const std::string text = io::write_history_file(std::get<io::HistoryFile>(f));
      const auto r = io::parse_history_file(text);
      ASSERT_TRUE(std::holds_alternative<io::LoadedHistory>(r)) << c.id << ": " << error_of(text);
      const spec::History& back = std::get<io::LoadedHistory>(r).history;
      EXPECT_EQ(back.config, h.config) << c.id;
      ASSERT_EQ(back.events.size(), h.events.size());
      spec::World a(h.config), b(back.config);
      for (std::size_t k = 0; k < h.events.size(); ++k) {
        EXPECT_EQ(back.events[k], io::normalize_event(h.events[k]));
        ASSERT_EQ(a.apply(h.events[k]), b.apply(back.events[k])) << c.id << " event " << k;
      }
    }
  }
}

TEST(HistoryIo, SettingsForRecoversWhatTheUserWrote) {
  auto derive = [](const spec::ProducerSettings& s, bool unsafe) {
    return std::get<spec::ProducerConfig>(spec::validate_producer_settings(s, unsafe));
  };
  const auto a = io::settings_for(derive({}, false));
  ASSERT_TRUE(std::holds_alternative<io::SettingsFor>(a));
  EXPECT_TRUE(std::get<io::SettingsFor>(a).settings.empty());
  const auto b = io::settings_for(derive({{"enable.idempotence", "false"}, {"retries", "3"}}, false));
  ASSERT_TRUE(std::holds_alternative<io::SettingsFor>(b));
  EXPECT_EQ(std::get<io::SettingsFor>(b).settings,
            (spec::ProducerSettings{{"enable.idempotence", "false"}, {"retries", "3"}}));
  const auto c = io::settings_for(derive({{"max.in.flight.requests.per.connection", "6"}}, true));
  ASSERT_TRUE(std::holds_alternative<io::SettingsFor>(c));
  EXPECT_TRUE(std::get<io::SettingsFor>(c).allow_unsafe_in_flight);
  spec::ProducerConfig impossible;
  impossible.acks = 1;  // idempotence with acks=1: Kafka refuses or turns idempotence off
  EXPECT_TRUE(std::holds_alternative<std::string>(io::settings_for(impossible)));
}

struct BadCase {
  const char* name;
  std::string text;
  std::string message;  // the whole of describe()
};

std::vector<BadCase> bad_cases() {
  const std::string b = kBase;
  return {
      // Syntax.
      {"empty", "", "line 1, column 1: the file is empty (expected a JSON object)"},
      {"blank", "  \n ", "line 2, column 2: the file is empty (expected a JSON object)"},
      {"truncated", b.substr(0, 60), "line 4, column 10: unexpected end of file inside a string"},
      {"trailing comma", replace(b, "\"records\": 1}", "\"records\": 1,}"),
       "line 15, column 67: trailing comma before '}'"},
      {"missing comma", replace(b, "\"version\": 1,", "\"version\": 1"),
       "line 4, column 3: unexpected '\"' (expected ',' or '}')"},
      {"comment", replace(b, "\"version\": 1,", "\"version\": 1, // one"),
       "line 3, column 17: unexpected '/' (expected a key in double quotes)"},
      {"after the end", b + "{}", "line 20, column 1: unexpected '{' after the end of the document"},
      {"duplicate key", replace(b, "\"version\": 1,", "\"version\": 1, \"version\": 1,"),
       "line 3, column 17: duplicate key \"version\""},
      {"invalid utf-8", replace(b, "\"base\"", "\"ba\xC3\x28se\""), "line 4, column 21: invalid UTF-8 in a string"},
      {"overlong utf-8", replace(b, "\"base\"", "\"\xC0\xAF\""), "line 4, column 19: invalid UTF-8 in a string"},
      {"utf-8 surrogate", replace(b, "\"base\"", "\"\xED\xA0\x80\""), "line 4, column 19: invalid UTF-8 in a string"},
      {"lone surrogate escape", replace(b, "\"base\"", "\"\\udc00\""),
       "line 4, column 25: lone low surrogate in a \\u escape"},
      {"bad escape", replace(b, "\"base\"", "\"\\x\""), "line 4, column 20: invalid escape \\x"},
      {"raw newline in string", replace(b, "\"base\"", "\"ba\nse\""),
       "line 4, column 21: line break inside a string (write \\n)"},
      {"leading zero", replace(b, "\"version\": 1", "\"version\": 01"),
       "line 3, column 14: invalid number (leading zeros are not allowed)"},
      {"stray byte", replace(b, "\"version\": 1,", "\"version\": \x01,"),
       "line 3, column 14: unexpected byte 0x01 (expected a JSON value)"},
      {"deep nesting", std::string(100, '[') + std::string(100, ']'), "line 1, column 65: nesting deeper than 64 levels"},
      // Structure.
      {"not an object", "[1]", "line 1, column 1: expected a history file (an object), got an array"},
      {"wrong format", replace(b, "\"idemcheck-history\"", "\"something\""),
       "line 2, column 13: format: not an idemcheck history file (expected \"format\": \"idemcheck-history\")"},
      {"newer version", replace(b, "\"version\": 1", "\"version\": 2"),
       "line 3, column 14: version: version 2 is newer than this idemcheck reads (1)"},
      {"unknown top-level field", replace(b, "\"version\": 1,", "\"version\": 1, \"extra\": 1,"),
       "line 3, column 17: extra: unknown field \"extra\" (known: format, version, description, world, events, expect)"},
      {"misspelt field", replace(b, "\"events\"", "\"expect2\""),
       "line 14, column 3: expect2: unknown field \"expect2\" (known: format, version, description, world, events, "
       "expect)"},
      {"missing events", "{\"format\": \"idemcheck-history\", \"version\": 1, \"world\": {}}",
       "line 1, column 1: missing field \"events\""},
      {"description type", replace(b, "\"base\"", "7"),
       "line 4, column 18: description: expected a string or an array of strings (lines), got 7"},
      // World.
      {"producers range", replace(b, "\"producers\": 1", "\"producers\": 9"),
       "line 6, column 18: world.producers: expected an integer from 1 to 8, got 9"},
      {"producers type", replace(b, "\"producers\": 1", "\"producers\": \"1\""),
       "line 6, column 18: world.producers: expected an integer, got \"1\""},
      {"fraction", replace(b, "\"partitions\": 1", "\"partitions\": 1.5"),
       "line 7, column 19: world.partitions: expected an integer from 1 to 8, got 1.5 (not an integer)"},
      {"huge number", replace(b, "\"brokers\": 1", "\"brokers\": 123456789012345678901234567890"),
       "line 8, column 16: world.brokers: expected an integer from 1 to 8, got 123456789012345678901234567890"},
      {"setting not a string", replace(b, "\"enable.idempotence\": \"false\"", "\"enable.idempotence\": false"),
       "line 9, column 40: world.producer[\"enable.idempotence\"]: expected a string (settings are written as in a "
       ".properties file, e.g. \"5\"), got false"},
      {"unknown setting", replace(b, "\"enable.idempotence\"", "\"enable.idempotency\""),
       "line 9, column 40: world.producer[\"enable.idempotency\"]: Unknown producer configuration "
       "'enable.idempotency'"},
      {"invalid setting", replace(b, "\"false\"}", "\"maybe\"}"),
       "line 9, column 40: world.producer[\"enable.idempotence\"]: Invalid value maybe for configuration "
       "enable.idempotence: Expected value to be either true or false"},
      {"unsafe in flight",
       replace(b, "\"false\"}", "\"true\", \"max.in.flight.requests.per.connection\": \"6\"}"),
       "line 9, column 89: world.producer[\"max.in.flight.requests.per.connection\"]: Must set "
       "max.in.flight.requests.per.connection to at most 5 to use the idempotent producer."},
      {"expiration", replace(b, "86400000", "0"),
       "line 11, column 45: world.broker[\"producer.id.expiration.ms\"]: expected an integer from 1 to "
       "9007199254740992, got 0"},
      {"cached batches", replace(b, "\"cached_batches\": 5", "\"cached_batches\": 0"),
       "line 11, column 73: world.broker.cached_batches: expected an integer from 1 to 8, got 0"},
      {"unknown broker field", replace(b, "\"cached_batches\"", "\"window\""),
       "line 11, column 55: world.broker.window: unknown field \"window\" (known: producer.id.expiration.ms, "
       "cached_batches, snapshot_keeps_window, rules)"},
      {"unknown broker variant", replace(b, "\"snapshot_keeps_window\": false}", "\"snapshot_keeps_window\": false, \"rules\": \"kafka-9\"}"),
       "line 11, column 117: world.broker.rules: unknown broker variant \"kafka-9\"; known: kafka-0.11, kafka-1.0.0, "
       "kafka-1.0.2, kafka-2.0.1, kafka-2.4, kafka-2.5, kafka-4.5, kafka-19880, redpanda, automq, kfake"},
      {"unknown client variant", replace(b, "\"initial_epoch\": 0", "\"client_rules\": \"kgo\", \"initial_epoch\": 0"),
       "line 12, column 21: world.client_rules: unknown client variant \"kgo\"; known: java-2.4, java-2.5, kafka-14034"},
      {"epoch", replace(b, "\"initial_epoch\": 0", "\"initial_epoch\": 32768"),
       "line 12, column 22: world.initial_epoch: expected an integer from 0 to 32767, got 32768"},
      // Events.
      {"events type", "{\"format\": \"idemcheck-history\", \"version\": 1, \"world\": {}, \"events\": {}}",
       "line 1, column 70: events: expected the list of events (an array), got an object"},
      {"no kind", replace(b, "{\"event\": \"drain\", ", "{"),
       "line 16, column 5: events[1]: missing field \"event\" (the event's kind, e.g. \"drain\")"},
      {"unknown kind", replace(b, "\"drain\"", "\"drian\""),
       "line 16, column 15: events[1].event: unknown event kind \"drian\" (known: send, send-same, drain, "
       "deliver-request, fail-request, deliver-response, lose-response, break-connection, process-zombie, timeout, "
       "tick, move-leader, restart-broker, expire, restart-producer)"},
      {"producer does not exist", replace(b, "\"drain\", \"producer\": 0", "\"drain\", \"producer\": 2"),
       "line 16, column 36: events[1].producer: producer 2 does not exist (producers: 1)"},
      {"broker does not exist", replace(b, "\"broker\": 0}", "\"broker\": 1}"),
       "line 16, column 49: events[1].broker: broker 1 does not exist (brokers: 1)"},
      {"partition does not exist", replace(b, "\"partition\": 0", "\"partition\": 3"),
       "line 15, column 51: events[0].partition: partition 3 does not exist (partitions: 1)"},
      {"negative index", replace(b, "\"drain\", \"producer\": 0", "\"drain\", \"producer\": -1"),
       "line 16, column 36: events[1].producer: expected an integer from 0 to 2147483647, got -1"},
      {"missing field", replace(b, ", \"broker\": 0}", "}"), "line 16, column 5: events[1]: missing field \"broker\""},
      {"field the kind does not use", replace(b, "\"broker\": 0}", "\"broker\": 0, \"ms\": 5}"),
       "line 16, column 52: events[1].ms: a drain event has no field \"ms\" (fields: producer, broker)"},
      {"records", replace(b, "\"records\": 1", "\"records\": 0"),
       "line 15, column 65: events[0].records: expected an integer from 1 to 2147483647, got 0"},
      {"bad error", replace(b, "{\"event\": \"drain\", \"producer\": 0, \"broker\": 0}",
                            "{\"event\": \"fail-request\", \"producer\": 0, \"broker\": 0, \"error\": \"INVALID_RECORD\"}"),
       "line 16, column 68: events[1].error: a broker can fail a request with NOT_LEADER_OR_FOLLOWER, "
       "NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT or NOT_ENOUGH_REPLICAS_AFTER_APPEND, not \"INVALID_RECORD\""},
      {"after_append on another error",
       replace(b, "{\"event\": \"drain\", \"producer\": 0, \"broker\": 0}",
               "{\"event\": \"fail-request\", \"producer\": 0, \"broker\": 0, \"error\": \"NOT_ENOUGH_REPLICAS\", "
               "\"after_append\": true}"),
       "line 16, column 107: events[1].after_append: after_append applies to REQUEST_TIMED_OUT only "
       "(NOT_ENOUGH_REPLICAS_AFTER_APPEND always follows the append, the other errors precede it)"},
      {"tick too long", replace(b, "{\"event\": \"drain\", \"producer\": 0, \"broker\": 0}",
                                "{\"event\": \"tick\", \"ms\": 1099511627777}"),
       "line 16, column 29: events[1].ms: expected an integer from 0 to 1099511627776, got 1099511627777"},
      {"note type", replace(b, "\"broker\": 0}", "\"broker\": 0, \"note\": 1}"),
       "line 16, column 60: events[1].note: expected a string, got 1"},
      // Expectation.
      {"unknown anomaly", replace(b, "\"anomalies\": []", "\"anomalies\": [\"dup\"]"),
       "line 18, column 28: expect.anomalies[0]: unknown anomaly \"dup\" (known: duplicate, lost-write, "
       "nonmonotonic-send, inconsistent-offsets, failed-but-written, stuck-send)"},
      {"anomaly twice", replace(b, "\"anomalies\": []", "\"anomalies\": [\"duplicate\", \"duplicate\"]"),
       "line 18, column 41: expect.anomalies[1]: \"duplicate\" is listed twice"},
      {"empty expectation", replace(b, "{\"anomalies\": []}", "{}"),
       "line 18, column 13: expect: an expectation needs \"anomalies\" and/or \"spec_impl_agree\""},
      {"agreement type", replace(b, "{\"anomalies\": []}", "{\"spec_impl_agree\": \"yes\"}"),
       "line 18, column 33: expect.spec_impl_agree: expected true or false, got \"yes\""},
  };
}

TEST(HistoryIo, EveryValidationErrorHasItsMessage) {
  for (const BadCase& c : bad_cases()) {
    EXPECT_EQ(error_of(c.text), c.message) << c.name;
  }
}

TEST(HistoryIo, ConversionErrorsNameTheField) {
  io::HistoryFile f;
  f.producers = 0;
  auto msg = [](const io::HistoryFile& x) {
    const auto r = io::to_history(x);
    return std::holds_alternative<io::LoadError>(r) ? std::get<io::LoadError>(r).describe() : "(accepted)";
  };
  EXPECT_EQ(msg(f), "world.producers: producers must be 1 to 8, not 0");
  f.producers = 1;
  spec::Event e;
  e.kind = K::send_same;
  e.other = 4;
  f.events.push_back(e);
  EXPECT_EQ(msg(f), "events[0].other: producer 4 does not exist (producers: 1)");
  f.events[0].kind = K::break_connection;
  f.events[0].count = -1;
  EXPECT_EQ(msg(f), "events[0].read_by_broker: the requests read by the broker must be 0 to 1000000, not -1");
  f.events[0].count = 0;
  f.notes = {"a", "b"};
  EXPECT_EQ(msg(f), "events: 2 notes for 1 events");
}

TEST(HistoryIo, LoadingAMissingFileIsAnError) {
  const auto r = io::load_history_file("/nonexistent/history.json");
  ASSERT_TRUE(std::holds_alternative<io::LoadError>(r));
  EXPECT_EQ(std::get<io::LoadError>(r).describe(), "cannot read '/nonexistent/history.json': not a file");
}

// --- fuzz ------------------------------------------------------------------------

TEST(HistoryIoFuzz, EveryTruncationIsRejected) {
  const std::string text = io::write_history_file(every_kind_file());
  for (std::size_t n = 0; n + 1 < text.size(); ++n) {
    const std::string cut = text.substr(0, n);
    // Cutting only the final newline or blanks leaves a complete document.
    if (cut.find_last_not_of(" \n") != std::string::npos && n > text.rfind('}')) continue;
    EXPECT_TRUE(std::holds_alternative<io::LoadError>(io::parse_history_file(cut))) << "accepted a cut at " << n;
  }
}

TEST(HistoryIoFuzz, ByteFlipsNeverCrash) {
  const std::string text = io::write_history_file(every_kind_file());
  std::mt19937_64 rng(7);
  std::size_t accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string t = text;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) {
      const std::size_t at = rng() % t.size();
      switch (rng() % 4) {
        case 0: t[at] = static_cast<char>(rng() % 256); break;
        case 1: t.erase(at, 1 + rng() % 8); break;
        case 2: t.insert(at, 1, "{}[]\",:0-9eE\\u"[rng() % 15]); break;
        default: t.insert(at, std::string(1 + rng() % 4, static_cast<char>(rng() % 256))); break;
      }
    }
    const auto r = io::parse_history_file(t);
    if (const auto* lh = std::get_if<io::LoadedHistory>(&r)) {
      ++accepted;
      // Whatever was accepted is a valid, replayable history that writes back readably.
      EXPECT_EQ(spec::check_world_config(lh->history.config), "");
      for (const auto& e : lh->history.events) EXPECT_EQ(spec::check_event(e, lh->history.config), "");
      EXPECT_TRUE(std::holds_alternative<io::LoadedHistory>(io::parse_history_file(io::write_history_file(lh->file))));
    } else {
      EXPECT_FALSE(std::get<io::LoadError>(r).message.empty());
    }
  }
  EXPECT_LT(accepted, 3000u);
}

TEST(HistoryIoFuzz, HostileDocuments) {
  // Very deep nesting, inside a valid prefix: rejected without exhausting the stack.
  const std::string deep = replace(kBase, "\"base\"", std::string(200'000, '[') + std::string(200'000, ']'));
  EXPECT_EQ(error_of(deep), "line 4, column 81: nesting deeper than 64 levels");
  // Numbers at and past the int64 edges.
  for (const char* n : {"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
                        "1e999", "-0", "0.0", "1E2"}) {
    const std::string t = replace(kBase, "\"records\": 1", std::string("\"records\": ") + n);
    EXPECT_NE(error_of(t), "(accepted)") << n;
  }
  // A very long string and many events are fine up to the limits.
  std::string many = "{\"format\": \"idemcheck-history\", \"version\": 1, \"world\": {}, \"events\": [";
  for (int i = 0; i < 100'001; ++i) many += std::string(i ? "," : "") + "{\"event\": \"expire\"}";
  many += "]}";
  EXPECT_EQ(error_of(many), "line 1, column 70: events: more than 100000 events (100001)");
  // NUL bytes and a byte order mark.
  EXPECT_EQ(error_of(std::string("{\0}", 3)), "line 1, column 2: unexpected byte 0x00 (expected a key in double quotes)");
  EXPECT_EQ(error_of("\xEF\xBB\xBF" + kBase), "(accepted)");
  // nlohmann stops at a NUL byte as at the end of the input: what follows is still refused.
  EXPECT_EQ(error_of(kBase + std::string("\0{}", 3)), "line 20, column 1: unexpected byte 0x00 after the end of the document");
  EXPECT_EQ(error_of("\xEF\xBB"), "line 1, column 1: unexpected byte 0xEF (expected a JSON value)");
}

// Every number read is range-checked: negative, fractional, too large or not
// finite numbers are rejected, each with its message.
TEST(HistoryIo, NumbersAreRangeChecked) {
  auto records = [](const std::string& n) { return error_of(replace(kBase, "\"records\": 1", "\"records\": " + n)); };
  EXPECT_EQ(records("-1"), "line 15, column 65: events[0].records: expected an integer from 1 to 2147483647, got -1");
  EXPECT_EQ(records("2147483648"),
            "line 15, column 65: events[0].records: expected an integer from 1 to 2147483647, got 2147483648");
  EXPECT_EQ(records("1e300"),
            "line 15, column 65: events[0].records: expected an integer from 1 to 2147483647, got 1e300 (not an "
            "integer)");
  EXPECT_EQ(records("2.5"),
            "line 15, column 65: events[0].records: expected an integer from 1 to 2147483647, got 2.5 (not an integer)");
  EXPECT_EQ(records("18446744073709551616"),
            "line 15, column 65: events[0].records: expected an integer from 1 to 2147483647, got 18446744073709551616");
  EXPECT_EQ(records("-9223372036854775809"),
            "line 15, column 65: events[0].records: expected an integer from 1 to 2147483647, got -9223372036854775809");
  // Beyond any finite double: nlohmann refuses it while parsing.
  EXPECT_EQ(records("1e999"), "line 15, column 65: invalid number (1e999 is out of range)");
  EXPECT_EQ(records("-1e999"), "line 15, column 65: invalid number (-1e999 is out of range)");
  // Not one number: "1", then "-2" where a ',' belongs.
  EXPECT_EQ(records("1-2+3e"), "line 15, column 66: unexpected '-' (expected ',' or '}')");
  EXPECT_EQ(records("1e"), "line 15, column 65: invalid number (expected a digit in the exponent)");
  EXPECT_EQ(records("-"), "line 15, column 65: invalid number (expected a digit)");
  const std::string tick = replace(kBase, "{\"event\": \"drain\", \"producer\": 0, \"broker\": 0}",
                                   "{\"event\": \"tick\", \"ms\": 18446744073709551615}");
  EXPECT_EQ(error_of(tick),
            "line 16, column 29: events[1].ms: expected an integer from 0 to 1099511627776, got 18446744073709551615");
}

// ~1.1 MB: an object of 100,000 distinct keys is read whole (duplicate keys are
// looked up in a hash set, not compared pairwise) and then refused as a history.
std::string many_keys(int n, const std::string& extra = "") {
  std::string text = "{";
  for (int i = 0; i < n; ++i) text += (i ? ", \"k" : "\"k") + std::to_string(i) + "\": 0";
  return text + extra + "}";
}

TEST(HistoryIoFuzz, AnObjectOfAHundredThousandKeysIsReadAndRefused) {
  const std::string text = many_keys(100'000);
  EXPECT_GT(text.size(), 1'000'000u);
  EXPECT_EQ(error_of(text),
            "line 1, column 2: k0: unknown field \"k0\" (known: format, version, description, world, events, expect)");
  const auto parsed = io::json::parse(text);
  ASSERT_TRUE(std::holds_alternative<io::json::Value>(parsed)) << std::get<io::json::ParseError>(parsed).message;
  const auto& v = std::get<io::json::Value>(parsed);
  ASSERT_EQ(v.members.size(), 100'000u);
  EXPECT_EQ(v.members[99'999].key, "k99999");
  EXPECT_EQ(v.key_positions[99'999].column, static_cast<int>(text.rfind("\"k99999\"")) + 1);
}

TEST(HistoryIoFuzz, ADuplicateAmongAHundredThousandKeysIsNamed) {
  const std::string text = many_keys(100'000, ", \"k77777\": 1");
  const std::size_t at = text.rfind("\"k77777\"");
  EXPECT_EQ(error_of(text), "line 1, column " + std::to_string(at + 1) + ": duplicate key \"k77777\"");
  // The same in a nested object, as a history's producer settings.
  std::string settings = "{";
  for (int i = 0; i < 100'000; ++i) settings += (i ? ", \"s" : "\"s") + std::to_string(i) + "\": \"1\"";
  settings += ", \"s5\": \"2\"}";
  const std::string nested = replace(kBase, "{\"enable.idempotence\": \"false\"}", settings);
  EXPECT_NE(error_of(nested).find("duplicate key \"s5\""), std::string::npos) << error_of(nested).substr(0, 200);
}

TEST(Json, QuoteAndParseRoundTrip) {
  for (const std::string& s : {std::string("plain"), std::string("quote \" backslash \\ slash /"),
                              std::string("ctl \x01\x1f\n\t"), std::string("utf-8 \xE2\x82\xAC \xF0\x9F\x98\x80")}) {
    const auto v = io::json::parse(io::json::quote(s));
    ASSERT_TRUE(std::holds_alternative<io::json::Value>(v));
    EXPECT_EQ(std::get<io::json::Value>(v).text, s);
  }
  const auto pair = io::json::parse("\"\\ud83d\\ude00\"");
  ASSERT_TRUE(std::holds_alternative<io::json::Value>(pair));
  EXPECT_EQ(std::get<io::json::Value>(pair).text, "\xF0\x9F\x98\x80");
  // Bytes that are not UTF-8 are rejected when read, and replaced (U+FFFD) when written.
  EXPECT_TRUE(std::holds_alternative<io::json::ParseError>(io::json::parse("\"\xF5\x80\x80\x80\"")));
  EXPECT_EQ(io::json::quote("a\xFF"), "\"a\xEF\xBF\xBD\"");
}

}  // namespace
