#include "idemcheck/io/history_file.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <span>
#include <sstream>

#include "idemcheck/io/json.hpp"

namespace idemcheck::io {

using spec::Event;
using K = Event::Kind;

namespace {

// --- which fields each event kind uses --------------------------------------

enum Field : unsigned {
  f_producer = 1u << 0,
  f_broker = 1u << 1,
  f_partition = 1u << 2,
  f_other = 1u << 3,
  f_records = 1u << 4,         // Event::count of a send
  f_read_by_broker = 1u << 5,  // Event::count of a break / timeout / producer restart
  f_ms = 1u << 6,
  f_error = 1u << 7,
  f_after_append = 1u << 8,    // Event::flag of fail-request (REQUEST_TIMED_OUT only)
  f_clean = 1u << 9,           // Event::flag of restart-broker
  f_resend = 1u << 10,         // Event::flag of restart-producer
  f_late_poll = 1u << 11,      // Event::late_poll of deliver-response / timeout / break-connection
  f_snapshot = 1u << 12,       // Event::damage of restart-broker
};

// In the order a writer writes them.
constexpr std::array<std::pair<Field, std::string_view>, 13> kFieldNames{{
    {f_producer, "producer"},
    {f_broker, "broker"},
    {f_partition, "partition"},
    {f_other, "other"},
    {f_records, "records"},
    {f_read_by_broker, "read_by_broker"},
    {f_ms, "ms"},
    {f_error, "error"},
    {f_after_append, "after_append"},
    {f_clean, "clean"},
    {f_resend, "resend"},
    {f_late_poll, "late_poll"},
    {f_snapshot, "snapshot"},
}};

// Fields that may be left out (with their default).
constexpr unsigned kOptional = f_read_by_broker | f_after_append | f_clean | f_resend | f_late_poll | f_snapshot;

unsigned fields_of(K k) {
  switch (k) {
    case K::send: return f_producer | f_partition | f_records;
    case K::send_same: return f_producer | f_other;
    case K::drain:
    case K::deliver_request:
    case K::lose_response: return f_producer | f_broker;
    case K::deliver_response: return f_producer | f_broker | f_late_poll;
    case K::fail_request: return f_producer | f_broker | f_error | f_after_append;
    case K::break_connection:
    case K::timeout: return f_producer | f_broker | f_read_by_broker | f_late_poll;
    case K::process_zombie: return f_broker;
    case K::tick: return f_ms;
    case K::move_leader: return f_partition | f_broker;
    case K::restart_broker: return f_broker | f_clean | f_snapshot;
    case K::expire: return 0;
    case K::restart_producer: return f_producer | f_resend | f_read_by_broker;
    case K::init_producer_id: return f_producer;
  }
  return 0;
}

std::string field_list(unsigned fields) {
  std::string out;
  for (const auto& [f, n] : kFieldNames) {
    if ((fields & f) == 0) continue;
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out.empty() ? "none" : out;
}

template <class... T>
std::string cat(const T&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}

// The variants' names, comma-separated, for the error that names an unknown one.
template <class Rules>
std::string rule_names(std::span<const Rules> all) {
  std::string out;
  for (Rules r : all) out += (out.empty() ? "" : ", ") + std::string(spec::name(r));
  return out;
}
std::string broker_rule_names() { return rule_names(spec::all_broker_rules()); }
std::string client_rule_names() { return rule_names(spec::all_client_rules()); }

std::string member_path(const std::string& parent, std::string_view key) {
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  const std::string k = plain ? std::string(key) : "[" + json::quote(key) + "]";
  if (parent.empty()) return k;
  return plain ? parent + "." + k : parent + k;
}

bool allowed_fail_error(spec::Error e) {
  return e == spec::Error::not_leader_or_follower || e == spec::Error::not_enough_replicas ||
         e == spec::Error::request_timed_out || e == spec::Error::not_enough_replicas_after_append;
}

constexpr std::array<spec::Anomaly, 6> kAnomalies{spec::Anomaly::duplicate,          spec::Anomaly::lost_write,
                                                  spec::Anomaly::nonmonotonic_send,  spec::Anomaly::inconsistent_offsets,
                                                  spec::Anomaly::failed_but_written, spec::Anomaly::stuck_send};

// --- reading ----------------------------------------------------------------

struct Failure {
  LoadError error;
};

class Reader {
 public:
  std::map<std::string, json::Position> where;

  [[noreturn]] void fail(const std::string& path, const json::Position& at, std::string message) {
    throw Failure{LoadError{path, std::move(message), at.line, at.column}};
  }

  // An object whose keys must all be in `known`.
  const json::Value& object(const json::Value& v, const std::string& path, std::initializer_list<std::string_view> known,
                            std::string_view what) {
    note(path, v);
    if (v.type != json::Value::Type::object) {
      fail(path, v.position, cat("expected ", what, " (an object), got ", json::brief(v)));
    }
    for (std::size_t i = 0; i < v.members.size(); ++i) {
      const std::string& k = v.members[i].key;
      if (std::find(known.begin(), known.end(), k) == known.end()) {
        std::string list;
        for (std::string_view n : known) list += (list.empty() ? "" : ", ") + std::string(n);
        fail(member_path(path, k), v.key_positions[i], cat("unknown field ", json::quote(k), " (known: ", list, ")"));
      }
    }
    return v;
  }

  const json::Value* member(const json::Value& obj, const std::string& path, std::string_view key, bool required) {
    const json::Value* m = obj.find(key);
    if (m == nullptr && required) fail(path, obj.position, cat("missing field ", json::quote(key)));
    if (m != nullptr) note(member_path(path, key), *m);
    return m;
  }

  std::int64_t integer(const json::Value& v, const std::string& path, std::int64_t lo, std::int64_t hi) {
    if (v.type == json::Value::Type::integer && v.integer >= lo && v.integer <= hi) return v.integer;
    if (v.type == json::Value::Type::integer || v.type == json::Value::Type::number) {
      const bool integral = v.text.find_first_of(".eE") == std::string::npos;
      fail(path, v.position,
           cat("expected an integer from ", lo, " to ", hi, ", got ", json::brief(v), integral ? "" : " (not an integer)"));
    }
    fail(path, v.position, cat("expected an integer, got ", json::brief(v)));
  }

  bool boolean(const json::Value& v, const std::string& path) {
    if (v.type != json::Value::Type::boolean) fail(path, v.position, cat("expected true or false, got ", json::brief(v)));
    return v.boolean;
  }

  const std::string& string(const json::Value& v, const std::string& path) {
    if (v.type != json::Value::Type::string) fail(path, v.position, cat("expected a string, got ", json::brief(v)));
    return v.text;
  }

  void note(const std::string& path, const json::Value& v) { where.emplace(path, v.position); }

  HistoryFile read(const json::Value& root) {
    HistoryFile f;
    object(root, "", {"format", "version", "description", "world", "events", "expect"}, "a history file");
    const json::Value* format = member(root, "", "format", false);
    if (format == nullptr || format->type != json::Value::Type::string || format->text != kFormatName) {
      fail("format", format ? format->position : root.position,
           cat("not an idemcheck history file (expected \"format\": ", json::quote(kFormatName), ")"));
    }
    const json::Value& version = *member(root, "", "version", true);
    const std::int64_t ver = integer(version, "version", 1, std::numeric_limits<std::int64_t>::max());
    if (ver != kFormatVersion) {
      fail("version", version.position,
           cat("version ", ver, " is newer than this idemcheck reads (", kFormatVersion, ")"));
    }
    if (const json::Value* d = member(root, "", "description", false)) f.description = description(*d);
    read_world(*member(root, "", "world", true), f);
    read_events(*member(root, "", "events", true), f);
    if (const json::Value* e = member(root, "", "expect", false)) f.expect = expectation(*e);
    return f;
  }

  std::string description(const json::Value& d) {
    if (d.type == json::Value::Type::string) return d.text;
    if (d.type != json::Value::Type::array) {
      fail("description", d.position, cat("expected a string or an array of strings (lines), got ", json::brief(d)));
    }
    std::string out;
    for (std::size_t i = 0; i < d.items.size(); ++i) {
      out += (i ? "\n" : "") + string(d.items[i], cat("description[", i, "]"));
    }
    return out;
  }

  void read_world(const json::Value& w, HistoryFile& f) {
    object(w, "world",
           {"producers", "partitions", "brokers", "producer", "allow_unsafe_in_flight", "broker", "initial_epoch",
            "client_rules"},
           "the world");
    if (const auto* v = member(w, "world", "producers", false)) f.producers = static_cast<int>(integer(*v, "world.producers", 1, 8));
    if (const auto* v = member(w, "world", "partitions", false)) f.partitions = static_cast<int>(integer(*v, "world.partitions", 1, 8));
    if (const auto* v = member(w, "world", "brokers", false)) f.brokers = static_cast<int>(integer(*v, "world.brokers", 1, 8));
    if (const auto* v = member(w, "world", "initial_epoch", false)) {
      f.initial_epoch = static_cast<std::int32_t>(integer(*v, "world.initial_epoch", 0, 32'767));
    }
    if (const auto* v = member(w, "world", "client_rules", false)) {
      const std::string& text = string(*v, "world.client_rules");
      if (!spec::parse_client_rules(text, f.client_rules)) {
        fail("world.client_rules", v->position, cat("unknown client variant \"", text, "\"; known: ", client_rule_names()));
      }
    }
    if (const auto* v = member(w, "world", "allow_unsafe_in_flight", false)) {
      f.allow_unsafe_in_flight = boolean(*v, "world.allow_unsafe_in_flight");
    }
    if (const auto* p = member(w, "world", "producer", false)) {
      note("world.producer", *p);
      if (p->type != json::Value::Type::object) {
        fail("world.producer", p->position,
             cat("expected the producer's settings by Kafka property name (an object), got ", json::brief(*p)));
      }
      for (std::size_t i = 0; i < p->members.size(); ++i) {
        const auto& [k, v] = p->members[i];
        const std::string path = member_path("world.producer", k);
        note(path, v);
        if (v.type != json::Value::Type::string) {
          fail(path, v.position,
               cat("expected a string (settings are written as in a .properties file, e.g. \"5\"), got ",
                   json::brief(v)));
        }
        f.producer[k] = v.text;
      }
    }
    if (const auto* b = member(w, "world", "broker", false)) {
      object(*b, "world.broker", {"producer.id.expiration.ms", "cached_batches", "snapshot_keeps_window", "rules"},
             "the broker's settings");
      if (const auto* v = member(*b, "world.broker", "rules", false)) {
        const std::string& text = string(*v, "world.broker.rules");
        if (!spec::parse_broker_rules(text, f.broker.rules)) {
          fail("world.broker.rules", v->position, cat("unknown broker variant \"", text, "\"; known: ", broker_rule_names()));
        }
      }
      if (const auto* v = member(*b, "world.broker", "producer.id.expiration.ms", false)) {
        f.broker.producer_id_expiration_ms =
            integer(*v, "world.broker[\"producer.id.expiration.ms\"]", 1, std::int64_t{1} << 53);
      }
      if (const auto* v = member(*b, "world.broker", "cached_batches", false)) {
        f.broker.window = static_cast<int>(integer(*v, "world.broker.cached_batches", 1, 8));
      }
      if (const auto* v = member(*b, "world.broker", "snapshot_keeps_window", false)) {
        f.broker.snapshot_keeps_window = boolean(*v, "world.broker.snapshot_keeps_window");
      }
    }
  }

  void read_events(const json::Value& list, HistoryFile& f) {
    note("events", list);
    if (list.type != json::Value::Type::array) {
      fail("events", list.position, cat("expected the list of events (an array), got ", json::brief(list)));
    }
    if (list.items.size() > kMaxEvents) {
      fail("events", list.position, cat("more than ", kMaxEvents, " events (", list.items.size(), ")"));
    }
    bool any_note = false;
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      std::string n;
      f.events.push_back(event(list.items[i], cat("events[", i, "]"), n));
      any_note = any_note || !n.empty();
      f.notes.push_back(std::move(n));
    }
    if (!any_note) f.notes.clear();
  }

  Event event(const json::Value& v, const std::string& path, std::string& note_text) {
    note(path, v);
    if (v.type != json::Value::Type::object) fail(path, v.position, cat("expected an event (an object), got ", json::brief(v)));
    const json::Value* kind = v.find("event");
    if (kind == nullptr) fail(path, v.position, "missing field \"event\" (the event's kind, e.g. \"drain\")");
    note(path + ".event", *kind);
    Event e;
    if (kind->type != json::Value::Type::string || !spec::parse_event_kind(kind->text, e.kind)) {
      std::string kinds;
      for (int k = 0; k <= static_cast<int>(K::restart_producer); ++k) {
        kinds += (k ? ", " : "") + std::string(spec::name(static_cast<K>(k)));
      }
      fail(path + ".event", kind->position, cat("unknown event kind ", json::brief(*kind), " (known: ", kinds, ")"));
    }
    const unsigned uses = fields_of(e.kind);
    for (std::size_t i = 0; i < v.members.size(); ++i) {
      const std::string& key = v.members[i].key;
      if (key == "event" || key == "note") continue;
      unsigned f = 0;
      for (const auto& [bit, n] : kFieldNames) {
        if (n == key) f = bit;
      }
      if ((uses & f) == 0) {
        fail(member_path(path, key), v.key_positions[i],
             cat("a ", spec::name(e.kind), " event has no field ", json::quote(key), " (fields: ", field_list(uses), ")"));
      }
    }
    for (const auto& [bit, n] : kFieldNames) {
      if ((uses & bit) == 0) continue;
      const json::Value* m = member(v, path, n, (kOptional & bit) == 0);
      if (m == nullptr) {
        if (bit == f_read_by_broker) e.count = 0;
        continue;
      }
      const std::string fp = member_path(path, n);
      constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
      switch (bit) {
        case f_producer: e.producer = static_cast<int>(integer(*m, fp, 0, kIntMax)); break;
        case f_broker: e.broker = static_cast<int>(integer(*m, fp, 0, kIntMax)); break;
        case f_partition: e.partition = static_cast<int>(integer(*m, fp, 0, kIntMax)); break;
        case f_other: e.other = static_cast<int>(integer(*m, fp, 0, kIntMax)); break;
        case f_records: e.count = integer(*m, fp, 1, 2'147'483'647); break;
        case f_read_by_broker: e.count = integer(*m, fp, 0, 1'000'000); break;
        case f_ms: e.ms = integer(*m, fp, 0, std::int64_t{1} << 40); break;
        case f_error: {
          const std::string& text = string(*m, fp);
          if (!spec::parse_error(text, e.error) || !allowed_fail_error(e.error)) {
            fail(fp, m->position,
                 cat("a broker can fail a request with NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, "
                     "REQUEST_TIMED_OUT or NOT_ENOUGH_REPLICAS_AFTER_APPEND, not ",
                     json::brief(*m)));
          }
          break;
        }
        case f_after_append: e.flag = boolean(*m, fp); break;
        case f_clean: e.flag = boolean(*m, fp); break;
        case f_resend: e.flag = boolean(*m, fp); break;
        case f_late_poll: e.late_poll = boolean(*m, fp); break;
        case f_snapshot: {
          const std::string& text = string(*m, fp);
          if (!spec::parse_snapshot_damage(text, e.damage)) {
            fail(fp, m->position, cat("a snapshot is \"none\", \"torn\" or \"corrupt\", not ", json::brief(*m)));
          }
          break;
        }
        default: break;
      }
    }
    if (e.kind == K::fail_request && v.find("after_append") != nullptr && e.error != spec::Error::request_timed_out) {
      fail(member_path(path, "after_append"), v.find("after_append")->position,
           cat("after_append applies to REQUEST_TIMED_OUT only (NOT_ENOUGH_REPLICAS_AFTER_APPEND always follows the "
               "append, the other errors precede it)"));
    }
    if (const json::Value* n = member(v, path, "note", false)) note_text = string(*n, path + ".note");
    return e;
  }

  Expectation expectation(const json::Value& v) {
    object(v, "expect", {"anomalies", "spec_impl_agree"}, "the expected outcome");
    Expectation x;
    if (const json::Value* a = member(v, "expect", "anomalies", false)) {
      if (a->type != json::Value::Type::array) {
        fail("expect.anomalies", a->position, cat("expected a list of anomaly names (an array), got ", json::brief(*a)));
      }
      std::vector<spec::Anomaly> kinds;
      for (std::size_t i = 0; i < a->items.size(); ++i) {
        const std::string p = cat("expect.anomalies[", i, "]");
        note(p, a->items[i]);
        spec::Anomaly k{};
        if (a->items[i].type != json::Value::Type::string || !spec::parse_anomaly(a->items[i].text, k)) {
          std::string known;
          for (spec::Anomaly n : kAnomalies) known += (known.empty() ? "" : ", ") + std::string(spec::name(n));
          fail(p, a->items[i].position, cat("unknown anomaly ", json::brief(a->items[i]), " (known: ", known, ")"));
        }
        if (std::find(kinds.begin(), kinds.end(), k) != kinds.end()) {
          fail(p, a->items[i].position, cat(json::quote(spec::name(k)), " is listed twice"));
        }
        kinds.push_back(k);
      }
      x.anomalies = std::move(kinds);
    }
    if (const json::Value* a = member(v, "expect", "spec_impl_agree", false)) {
      x.spec_impl_agree = boolean(*a, "expect.spec_impl_agree");
    }
    if (!x.anomalies && !x.spec_impl_agree) {
      fail("expect", v.position, "an expectation needs \"anomalies\" and/or \"spec_impl_agree\"");
    }
    return x;
  }
};

}  // namespace

// --- errors -------------------------------------------------------------------

std::string LoadError::describe() const {
  std::string out;
  if (line > 0) out = cat("line ", line, ", column ", column, ": ");
  if (!path.empty()) out += path + ": ";
  return out + message;
}

// --- events ---------------------------------------------------------------------

spec::Event normalize_event(const spec::Event& e) {
  Event n;
  n.kind = e.kind;
  const unsigned uses = fields_of(e.kind);
  if (uses & f_producer) n.producer = e.producer;
  if (uses & f_broker) n.broker = e.broker;
  if (uses & f_partition) n.partition = e.partition;
  if (uses & f_other) n.other = e.other;
  if (uses & (f_records | f_read_by_broker)) n.count = e.count;
  if (uses & f_ms) n.ms = e.ms;
  if (uses & f_error) n.error = e.error;
  if (uses & (f_clean | f_resend)) n.flag = e.flag;
  if ((uses & f_after_append) && e.error == spec::Error::request_timed_out) n.flag = e.flag;
  if (uses & f_late_poll) n.late_poll = e.late_poll;
  if (uses & f_snapshot) n.damage = e.damage;
  return n;
}

// --- the conversion -------------------------------------------------------------

std::variant<spec::History, LoadError> to_history(const HistoryFile& f) {
  auto error = [](std::string path, std::string message) { return LoadError{std::move(path), std::move(message)}; };
  auto shape = [&](const char* what, int v) -> std::optional<LoadError> {
    if (v >= 1 && v <= 8) return std::nullopt;
    return error(cat("world.", what), cat(what, " must be 1 to 8, not ", v));
  };
  if (auto e = shape("producers", f.producers)) return *e;
  if (auto e = shape("partitions", f.partitions)) return *e;
  if (auto e = shape("brokers", f.brokers)) return *e;
  if (f.initial_epoch < 0 || f.initial_epoch > 32'767) {
    return error("world.initial_epoch", cat("the initial epoch must be 0 to 32767, not ", f.initial_epoch));
  }
  if (f.broker.window < 1 || f.broker.window > 8) {
    return error("world.broker.cached_batches", cat("the broker caches 1 to 8 batches per producer, not ", f.broker.window));
  }
  if (f.broker.producer_id_expiration_ms < 1) {
    return error("world.broker[\"producer.id.expiration.ms\"]",
                 cat("producer.id.expiration.ms must be at least 1, not ", f.broker.producer_id_expiration_ms));
  }
  spec::History h;
  h.config.producers = f.producers;
  h.config.partitions = f.partitions;
  h.config.brokers = f.brokers;
  h.config.initial_epoch = f.initial_epoch;
  h.config.broker = f.broker;
  h.config.client_rules = f.client_rules;
  const auto validated = spec::validate_producer_settings(f.producer, f.allow_unsafe_in_flight);
  if (const auto* bad = std::get_if<spec::ConfigError>(&validated)) {
    std::string path = "world.producer";
    std::size_t best = 0;
    for (const auto& [k, v] : f.producer) {
      if (k.size() > best && bad->message.find(k) != std::string::npos) {
        best = k.size();
        path = member_path("world.producer", k);
      }
    }
    return error(path, bad->message);
  }
  h.config.producer = std::get<spec::ProducerConfig>(validated);
  if (const std::string why = spec::check_world_config(h.config); !why.empty()) return error("world", why);

  if (f.events.size() > kMaxEvents) return error("events", cat("more than ", kMaxEvents, " events (", f.events.size(), ")"));
  if (!f.notes.empty() && f.notes.size() != f.events.size()) {
    return error("events", cat(f.notes.size(), " notes for ", f.events.size(), " events"));
  }
  for (std::size_t i = 0; i < f.events.size(); ++i) {
    const Event e = normalize_event(f.events[i]);
    const std::string at = cat("events[", i, "]");
    const unsigned uses = fields_of(e.kind);
    auto index = [&](Field bit, const char* field, const char* what, int v, int n) -> std::optional<LoadError> {
      if ((uses & bit) == 0 || (v >= 0 && v < n)) return std::nullopt;
      return error(at + "." + field, cat(what, " ", v, " does not exist (", what, "s: ", n, ")"));
    };
    if (auto x = index(f_producer, "producer", "producer", e.producer, f.producers)) return *x;
    if (auto x = index(f_broker, "broker", "broker", e.broker, f.brokers)) return *x;
    if (auto x = index(f_partition, "partition", "partition", e.partition, f.partitions)) return *x;
    if (auto x = index(f_other, "other", "producer", e.other, f.producers)) return *x;
    if ((uses & f_records) && (e.count < 1 || e.count > 2'147'483'647)) {
      return error(at + ".records", cat("a send needs 1 to 2147483647 records, not ", e.count));
    }
    if ((uses & f_read_by_broker) && (e.count < 0 || e.count > 1'000'000)) {
      return error(at + ".read_by_broker", cat("the requests read by the broker must be 0 to 1000000, not ", e.count));
    }
    if ((uses & f_ms) && (e.ms < 0 || e.ms > (std::int64_t{1} << 40))) {
      return error(at + ".ms", cat("a tick advances time by 0 to 2^40 ms, not ", e.ms));
    }
    if ((uses & f_error) && !allowed_fail_error(e.error)) {
      return error(at + ".error", cat("a broker can fail a request with NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, "
                                      "REQUEST_TIMED_OUT or NOT_ENOUGH_REPLICAS_AFTER_APPEND, not ",
                                      spec::name(e.error)));
    }
    if (const std::string why = spec::check_event(e, h.config); !why.empty()) return error(at, why);
    h.events.push_back(e);
  }
  return h;
}

// --- reading --------------------------------------------------------------------

std::variant<LoadedHistory, LoadError> parse_history_file(std::string_view text) {
  if (text.size() > kMaxFileBytes) return LoadError{"", cat("the file is larger than ", kMaxFileBytes, " bytes")};
  auto parsed = json::parse(text);
  if (const auto* e = std::get_if<json::ParseError>(&parsed)) {
    return LoadError{"", e->message, e->position.line, e->position.column};
  }
  Reader reader;
  LoadedHistory out;
  try {
    out.file = reader.read(std::get<json::Value>(parsed));
  } catch (const Failure& f) {
    return f.error;
  }
  auto h = to_history(out.file);
  if (auto* e = std::get_if<LoadError>(&h)) {
    // Point at the field, or the closest enclosing one the reader saw.
    for (std::string p = e->path;; ) {
      if (const auto it = reader.where.find(p); it != reader.where.end()) {
        e->line = it->second.line;
        e->column = it->second.column;
        break;
      }
      const auto cut = p.find_last_of(".[");
      if (cut == std::string::npos || cut == 0) break;
      p = p.substr(0, cut);
    }
    return *e;
  }
  out.history = std::move(std::get<spec::History>(h));
  return out;
}

std::variant<LoadedHistory, LoadError> load_history_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return LoadError{"", cat("cannot read '", path, "': not a file")};
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return LoadError{"", cat("cannot read '", path, "': ", ec.message())};
  if (size > kMaxFileBytes) return LoadError{"", cat("'", path, "' is larger than ", kMaxFileBytes, " bytes")};
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return LoadError{"", cat("cannot read '", path, "'")};
  return parse_history_file(text.str());
}

// --- writing --------------------------------------------------------------------

std::string write_history_file(const HistoryFile& f) {
  std::ostringstream os;
  os << "{\n  \"format\": " << json::quote(kFormatName) << ",\n  \"version\": " << kFormatVersion << ",\n";
  if (!f.description.empty()) {
    if (f.description.find('\n') == std::string::npos) {
      os << "  \"description\": " << json::quote(f.description) << ",\n";
    } else {
      os << "  \"description\": [\n";
      std::istringstream lines(f.description);
      std::string line;
      bool first = true;
      while (std::getline(lines, line)) {
        os << (first ? "" : ",\n") << "    " << json::quote(line);
        first = false;
      }
      if (f.description.back() == '\n') os << ",\n    \"\"";
      os << "\n  ],\n";
    }
  }
  os << "  \"world\": {\n";
  os << "    \"producers\": " << f.producers << ",\n";
  os << "    \"partitions\": " << f.partitions << ",\n";
  os << "    \"brokers\": " << f.brokers << ",\n";
  os << "    \"producer\": {";
  bool first = true;
  for (const auto& [k, v] : f.producer) {
    os << (first ? "" : ", ") << json::quote(k) << ": " << json::quote(v);
    first = false;
  }
  os << "},\n";
  os << "    \"allow_unsafe_in_flight\": " << (f.allow_unsafe_in_flight ? "true" : "false") << ",\n";
  os << "    \"broker\": {\"producer.id.expiration.ms\": " << f.broker.producer_id_expiration_ms
     << ", \"cached_batches\": " << f.broker.window
     << ", \"snapshot_keeps_window\": " << (f.broker.snapshot_keeps_window ? "true" : "false");
  // The variants are written only when they are not the reference model's, so that the
  // files of the reference model read the same as before the variants existed.
  if (f.broker.rules != spec::BrokerRules::kafka_2_5) os << ", \"rules\": " << json::quote(spec::name(f.broker.rules));
  os << "},\n";
  if (f.client_rules != spec::ClientRules::java_2_5) {
    os << "    \"client_rules\": " << json::quote(spec::name(f.client_rules)) << ",\n";
  }
  os << "    \"initial_epoch\": " << f.initial_epoch << "\n";
  os << "  },\n";
  os << "  \"events\": [";
  for (std::size_t i = 0; i < f.events.size(); ++i) {
    const Event e = normalize_event(f.events[i]);
    os << (i ? ",\n" : "\n") << "    {\"event\": " << json::quote(spec::name(e.kind));
    const unsigned uses = fields_of(e.kind);
    for (const auto& [bit, n] : kFieldNames) {
      if ((uses & bit) == 0) continue;
      if (bit == f_after_append && e.error != spec::Error::request_timed_out) continue;
      if (bit == f_late_poll && !e.late_poll) continue;  // the common case is left out
      if (bit == f_snapshot && e.damage == spec::SnapshotDamage::none) continue;
      os << ", " << json::quote(n) << ": ";
      switch (bit) {
        case f_producer: os << e.producer; break;
        case f_broker: os << e.broker; break;
        case f_partition: os << e.partition; break;
        case f_other: os << e.other; break;
        case f_records:
        case f_read_by_broker: os << e.count; break;
        case f_ms: os << e.ms; break;
        case f_error: os << json::quote(spec::name(e.error)); break;
        case f_late_poll: os << "true"; break;
        case f_snapshot: os << json::quote(spec::name(e.damage)); break;
        default: os << (e.flag ? "true" : "false"); break;
      }
    }
    if (i < f.notes.size() && !f.notes[i].empty()) os << ", \"note\": " << json::quote(f.notes[i]);
    os << "}";
  }
  os << (f.events.empty() ? "]" : "\n  ]");
  if (f.expect) {
    os << ",\n  \"expect\": {";
    bool any = false;
    if (f.expect->anomalies) {
      os << "\"anomalies\": [";
      for (std::size_t i = 0; i < f.expect->anomalies->size(); ++i) {
        os << (i ? ", " : "") << json::quote(spec::name((*f.expect->anomalies)[i]));
      }
      os << "]";
      any = true;
    }
    if (f.expect->spec_impl_agree) {
      os << (any ? ", " : "") << "\"spec_impl_agree\": " << (*f.expect->spec_impl_agree ? "true" : "false");
    }
    os << "}";
  }
  os << "\n}\n";
  return os.str();
}

std::string save_history_file(const std::string& path, const HistoryFile& f) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return cat("cannot write '", path, "'");
  out << write_history_file(f);
  out.close();
  if (!out) return cat("cannot write '", path, "'");
  return {};
}

// --- from a generated history ---------------------------------------------------

std::variant<SettingsFor, std::string> settings_for(const spec::ProducerConfig& c) {
  const spec::ProducerConfig d;
  spec::ProducerSettings s;
  if (c.acks != d.acks) s["acks"] = c.acks == -1 ? "all" : std::to_string(c.acks);
  if (c.retries != d.retries) s["retries"] = std::to_string(c.retries);
  if (c.max_in_flight != d.max_in_flight) s["max.in.flight.requests.per.connection"] = std::to_string(c.max_in_flight);
  if (c.retry_backoff_ms != d.retry_backoff_ms) s["retry.backoff.ms"] = std::to_string(c.retry_backoff_ms);
  if (c.retry_backoff_max_ms != d.retry_backoff_max_ms) {
    s["retry.backoff.max.ms"] = std::to_string(c.retry_backoff_max_ms);
  }
  if (c.request_timeout_ms != d.request_timeout_ms) s["request.timeout.ms"] = std::to_string(c.request_timeout_ms);
  if (c.delivery_timeout_ms != d.delivery_timeout_ms) s["delivery.timeout.ms"] = std::to_string(c.delivery_timeout_ms);
  if (c.linger_ms != d.linger_ms) s["linger.ms"] = std::to_string(c.linger_ms);
  const bool unsafe = c.idempotence && c.max_in_flight > 5;
  // Fewest settings first: idempotence left to its default, then explicit.
  std::vector<spec::ProducerSettings> candidates{s};
  if (c.idempotence != d.idempotence) candidates.clear();
  for (const char* v : {"true", "false"}) {
    spec::ProducerSettings with = s;
    with["enable.idempotence"] = v;
    candidates.push_back(with);
  }
  for (const auto& candidate : candidates) {
    const auto r = spec::validate_producer_settings(candidate, unsafe);
    if (const auto* got = std::get_if<spec::ProducerConfig>(&r); got != nullptr && *got == c) {
      return SettingsFor{candidate, unsafe};
    }
  }
  return std::string("no Kafka producer settings give this configuration");
}

std::variant<HistoryFile, std::string> from_history(const spec::History& h, std::string description) {
  auto s = settings_for(h.config.producer);
  if (auto* e = std::get_if<std::string>(&s)) return *e;
  HistoryFile f;
  f.description = std::move(description);
  f.producers = h.config.producers;
  f.partitions = h.config.partitions;
  f.brokers = h.config.brokers;
  f.initial_epoch = h.config.initial_epoch;
  f.broker = h.config.broker;
  f.client_rules = h.config.client_rules;
  f.producer = std::get<SettingsFor>(s).settings;
  f.allow_unsafe_in_flight = std::get<SettingsFor>(s).allow_unsafe_in_flight;
  for (const Event& e : h.events) f.events.push_back(normalize_event(e));
  return f;
}

// --- expectations ---------------------------------------------------------------

std::string anomaly_list(const std::vector<spec::Anomaly>& kinds) {
  std::string out;
  for (spec::Anomaly a : kAnomalies) {
    if (std::find(kinds.begin(), kinds.end(), a) == kinds.end()) continue;
    out += (out.empty() ? "" : ", ") + std::string(spec::name(a));
  }
  return out.empty() ? "none" : out;
}

std::vector<std::string> expectation_mismatches(const std::optional<Expectation>& expect, const ReplayOutcome& o) {
  std::vector<std::string> out;
  if (expect && expect->anomalies) {
    auto set_of = [](const std::vector<spec::Anomaly>& v) {
      std::vector<spec::Anomaly> s;
      for (spec::Anomaly a : kAnomalies) {
        if (std::find(v.begin(), v.end(), a) != v.end()) s.push_back(a);
      }
      return s;
    };
    if (set_of(*expect->anomalies) != set_of(o.anomalies)) {
      out.push_back(cat("expected anomalies: ", anomaly_list(*expect->anomalies), "; found: ", anomaly_list(o.anomalies)));
    }
  }
  if (o.spec_impl_agree) {
    const bool want = expect && expect->spec_impl_agree ? *expect->spec_impl_agree : true;
    if (*o.spec_impl_agree != want) {
      out.push_back(want ? "spec and impl disagree (they must agree)"
                         : "spec and impl agree, but the file expects them to disagree");
    }
  }
  return out;
}

}  // namespace idemcheck::io
