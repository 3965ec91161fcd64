// The seeded-bug campaign (see the header).
#include "idemcheck/properties/mutation.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <rapidcheck.h>

#include "idemcheck/impl/seeded_bugs.hpp"
#include "idemcheck/properties/broker_differential.hpp"
#include "idemcheck/properties/claims.hpp"
#include "idemcheck/properties/search.hpp"
#include "idemcheck/properties/sequencer_differential.hpp"
#include "idemcheck/properties/world_gen.hpp"
#include "idemcheck/properties/world_run.hpp"
#include "idemcheck/shrinkers/history_shrinker.hpp"
#include "idemcheck/spec/checker.hpp"
#include "idemcheck/spec/world.hpp"

namespace idemcheck::properties {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string first_line(const std::string& text) {
  const auto nl = text.find('\n');
  std::string line = nl == std::string::npos ? text : text.substr(0, nl);
  if (line.size() > 160) line = line.substr(0, 157) + "...";
  return line;
}

// ---------------------------------------------------------------------------
// Switching bugs on and off (a no-op build without seeded bugs).

class BugScope {
 public:
  explicit BugScope(const std::string& bug) {
#if defined(IDEMCHECK_SEEDED_BUGS)
    if (!impl::seeded_bugs::activate(bug)) throw std::invalid_argument("unknown seeded bug '" + bug + "'");
#else
    (void)bug;
    throw std::logic_error("this build has no seeded bugs (configure with the 'mutants' preset)");
#endif
  }
  ~BugScope() {
#if defined(IDEMCHECK_SEEDED_BUGS)
    impl::seeded_bugs::deactivate();
#endif
  }
  BugScope(const BugScope&) = delete;
  BugScope& operator=(const BugScope&) = delete;
};

// ---------------------------------------------------------------------------
// Greedy list shrinking for the op lists (broker, sequencer): remove halves,
// quarters, ... down to single elements, from the front, until no removal
// keeps the failure or the candidate budget is spent.

template <class T, class Fails>
std::vector<T> shrink_list(std::vector<T> items, const Fails& fails, std::uint64_t max_candidates) {
  std::uint64_t candidates = 0;
  bool progress = true;
  while (progress && candidates < max_candidates) {
    progress = false;
    for (std::size_t chunk = std::max<std::size_t>(1, items.size() / 2);; chunk /= 2) {
      for (std::size_t start = 0; start < items.size() && candidates < max_candidates;) {
        std::vector<T> candidate;
        candidate.reserve(items.size());
        candidate.insert(candidate.end(), items.begin(), items.begin() + static_cast<std::ptrdiff_t>(start));
        const std::size_t end = std::min(items.size(), start + chunk);
        candidate.insert(candidate.end(), items.begin() + static_cast<std::ptrdiff_t>(end), items.end());
        ++candidates;
        if (fails(candidate)) {
          items = std::move(candidate);
          progress = true;
        } else {
          start += chunk;
        }
      }
      if (chunk <= 1) break;
    }
  }
  return items;
}

// ---------------------------------------------------------------------------
// The checks. Each draws history i from its own seed, runs it and, when it
// fails, shrinks it. A check that throws on a history counts as failing on
// it (impl broke an invariant the adapters verify).

struct Failure {
  std::string what;
  std::size_t original_length = 0;
  std::size_t shrunk_length = 0;
  double shrink_seconds = 0;
};

class Check {
 public:
  virtual ~Check() = default;
  [[nodiscard]] virtual std::string name() const = 0;
  [[nodiscard]] virtual std::uint64_t budget() const = 0;
  /// Run history `index`; a failure, shrunk, if it fails.
  virtual std::optional<Failure> run(std::uint64_t index) = 0;
};

template <class F>
std::optional<std::string> guarded(const F& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return std::string("exception: ") + e.what();
  }
}

class BrokerCheck final : public Check {
 public:
  BrokerCheck(const MutationProfile& p, std::uint64_t seed) : profile_(p), seed_(seed) {}
  std::string name() const override { return "broker-differential"; }
  std::uint64_t budget() const override { return profile_.broker_histories; }
  std::optional<Failure> run(std::uint64_t i) override {
    const BrokerHistory h = gen_(rc::Random(history_seed(seed_, i)), history_size(i, profile_.broker_max_size)).value();
    auto verdict = [](const BrokerHistory& x) {
      return guarded([&]() -> std::optional<std::string> {
        const auto r = run_broker_differential(x);
        if (!r.divergence) return std::nullopt;
        return "the " + r.divergence->what + " differs at " + r.divergence->operation;
      });
    };
    const auto failed = verdict(h);
    if (!failed) return std::nullopt;
    Failure f{*failed, h.ops.size(), 0, 0};
    const auto t = Clock::now();
    const auto ops = shrink_list(
        h.ops,
        [&](const std::vector<BrokerOp>& c) {
          BrokerHistory x{h.config, c, h.hash_classes};
          return verdict(x).has_value();
        },
        profile_.shrink_candidates);
    f.shrunk_length = ops.size();
    f.shrink_seconds = since(t);
    if (const auto w = verdict(BrokerHistory{h.config, ops, h.hash_classes})) f.what = *w;
    return f;
  }

 private:
  MutationProfile profile_;
  std::uint64_t seed_;
  rc::Gen<BrokerHistory> gen_ = gen_broker_history();
};

class SequencerCheck final : public Check {
 public:
  SequencerCheck(const MutationProfile& p, std::uint64_t seed)
      : profile_(p), seed_(seed), gen_(gen_sequencer_history(p.sequencer_min_length, p.sequencer_max_length)) {}
  std::string name() const override { return "sequencer-differential"; }
  std::uint64_t budget() const override { return profile_.sequencer_histories; }
  std::optional<Failure> run(std::uint64_t i) override {
    const SequencerHistory h = gen_(rc::Random(history_seed(seed_, i)), 100).value();
    auto verdict = [](const SequencerHistory& x) {
      return guarded([&] { return run_sequencer_differential(x).divergence; });
    };
    const auto failed = verdict(h);
    if (!failed) return std::nullopt;
    Failure f{*failed, h.steps.size(), 0, 0};
    const auto t = Clock::now();
    const auto steps = shrink_list(
        h.steps, [&](const std::vector<SequencerStep>& c) { return verdict(SequencerHistory{h.initial, c}).has_value(); },
        profile_.shrink_candidates);
    f.shrunk_length = steps.size();
    f.shrink_seconds = since(t);
    if (const auto w = verdict(SequencerHistory{h.initial, steps})) f.what = *w;
    return f;
  }

 private:
  MutationProfile profile_;
  std::uint64_t seed_;
  rc::Gen<SequencerHistory> gen_;
};

// World histories: the history-aware shrinker.
Failure shrink_world(const spec::History& h, const std::string& what,
                     const std::function<std::optional<std::string>(const spec::History&)>& verdict,
                     std::uint64_t max_candidates, std::size_t keep_prefix) {
  Failure f{what, h.events.size(), 0, 0};
  const auto t = Clock::now();
  shrinkers::ShrinkStats stats;
  shrinkers::ShrinkOptions options;
  options.keep_prefix = keep_prefix;
  options.max_candidates = max_candidates;
  const spec::History shrunk =
      shrinkers::shrink_history(h, [&](const spec::History& x) { return verdict(x).has_value(); }, stats, options);
  f.shrunk_length = shrunk.events.size();
  f.shrink_seconds = since(t);
  if (const auto w = verdict(shrunk)) f.what = *w;
  return f;
}

class WorldCheck final : public Check {
 public:
  WorldCheck(const MutationProfile& p, std::uint64_t seed) : profile_(p), seed_(seed) {}
  std::string name() const override { return "world-differential"; }
  std::uint64_t budget() const override { return profile_.world_histories; }
  std::optional<Failure> run(std::uint64_t i) override {
    const spec::History h = draw_history(gen_, seed_, i, profile_.world_max_size);
    auto verdict = [](const spec::History& x) {
      return guarded([&]() -> std::optional<std::string> {
        const auto r = run_world_differential(x, spec::CheckSet{});
        if (!r.divergence) return std::nullopt;
        return "the " + r.divergence->what + " differs at step " + std::to_string(r.divergence->step) + ": " +
               r.divergence->event;
      });
    };
    const auto failed = verdict(h);
    if (!failed) return std::nullopt;
    return shrink_world(h, *failed, verdict, profile_.shrink_candidates, 0);
  }

 private:
  MutationProfile profile_;
  std::uint64_t seed_;
  rc::Gen<spec::History> gen_ = gen_any_world_history();
};

// A claim pinned to hold, on the world built from impl components alone: an
// absolute property (no reference to compare with).
class ClaimCheck final : public Check {
 public:
  ClaimCheck(const Claim& claim, const MutationProfile& p, std::uint64_t seed)
      : claim_(claim), profile_(p), seed_(seed), gen_(gen_world_history(claim.profile)) {}
  std::string name() const override { return "claim:" + claim_.id; }
  std::uint64_t budget() const override { return profile_.claim_histories; }
  std::optional<Failure> run(std::uint64_t i) override {
    const spec::History h = draw_history(gen_, seed_, i, profile_.claim_max_size);
    const spec::CheckSet checks = claim_.checks;
    const std::int64_t time_limit = claim_.time_limit_ms;
    auto verdict = [checks, time_limit](const spec::History& x) {
      return guarded([&]() -> std::optional<std::string> {
        spec::World w(x.config, impl_components());
        for (const spec::Event& e : x.events) (void)w.apply(e);
        const auto anomalies = spec::find_anomalies(w, checks);
        if (anomalies.empty()) return std::nullopt;
        if (time_limit > 0 && w.now() >= time_limit) return std::nullopt;  // outside the claim's scope
        std::ostringstream os;
        os << "impl world: " << anomalies.front();
        return os.str();
      });
    };
    const auto failed = verdict(h);
    if (!failed) return std::nullopt;
    return shrink_world(h, *failed, verdict, profile_.shrink_candidates, claim_.profile.prefix.size());
  }

 private:
  const Claim& claim_;
  MutationProfile profile_;
  std::uint64_t seed_;
  rc::Gen<spec::History> gen_;
};

std::vector<std::unique_ptr<Check>> make_checks(const CampaignOptions& o) {
  // Each check draws from its own seed stream.
  auto seed_of = [&](std::uint64_t k) { return history_seed(o.seed, 0x6d75'7461'6e74'0000ull + k); };
  std::vector<std::unique_ptr<Check>> checks;
  checks.push_back(std::make_unique<BrokerCheck>(o.profile, seed_of(0)));
  checks.push_back(std::make_unique<SequencerCheck>(o.profile, seed_of(1)));
  checks.push_back(std::make_unique<WorldCheck>(o.profile, seed_of(2)));
  std::uint64_t k = 3;
  for (const Claim& c : claims()) {
    if (c.expect_violation) continue;
    checks.push_back(std::make_unique<ClaimCheck>(c, o.profile, seed_of(k++)));
  }
  return checks;
}

// ---------------------------------------------------------------------------
// JSON: a writer and a reader for the report's own flat shape.

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

std::string number(double v) {
  std::ostringstream os;
  os.precision(6);
  os << std::fixed << v;
  return os.str();
}

struct JsonValue {
  enum class Type { null, boolean, number, string, array, object } type = Type::null;
  bool boolean = false;
  double num = 0;
  std::string str;
  std::vector<JsonValue> items;
  std::vector<std::string> keys;  // object: keys[i] names values[i]
  std::vector<JsonValue> values;
  const JsonValue* find(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return &values[i];
    }
    return nullptr;
  }
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : s_(text) {}
  JsonValue document() {
    JsonValue v = value(0);
    blank();
    if (i_ != s_.size()) fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(what + " at byte " + std::to_string(i_));
  }
  void blank() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_;
  }
  bool eat(char c) {
    blank();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(std::string("expected '") + c + "'");
  }
  std::string string() {
    expect('"');
    std::string out;
    while (true) {
      if (i_ >= s_.size()) fail("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unterminated escape");
      const char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) fail("short \\u escape");
          const unsigned code = static_cast<unsigned>(std::stoul(std::string(s_.substr(i_, 4)), nullptr, 16));
          i_ += 4;
          if (code >= 0x80) fail("only ASCII \\u escapes are supported");
          out += static_cast<char>(code);
          break;
        }
        default: fail("bad escape");
      }
    }
  }
  JsonValue value(int depth) {
    if (depth > 16) fail("nesting too deep");
    blank();
    if (i_ >= s_.size()) fail("unexpected end");
    JsonValue v;
    const char c = s_[i_];
    if (c == '{') {
      ++i_;
      v.type = JsonValue::Type::object;
      if (eat('}')) return v;
      do {
        blank();
        std::string key = string();
        expect(':');
        v.values.push_back(value(depth + 1));
        v.keys.push_back(std::move(key));
      } while (eat(','));
      expect('}');
    } else if (c == '[') {
      ++i_;
      v.type = JsonValue::Type::array;
      if (eat(']')) return v;
      do {
        v.items.push_back(value(depth + 1));
      } while (eat(','));
      expect(']');
    } else if (c == '"') {
      v.type = JsonValue::Type::string;
      v.str = string();
    } else if (s_.substr(i_, 4) == "true" || s_.substr(i_, 5) == "false") {
      v.type = JsonValue::Type::boolean;
      v.boolean = s_[i_] == 't';
      i_ += v.boolean ? 4 : 5;
    } else if (s_.substr(i_, 4) == "null") {
      i_ += 4;
    } else {
      const std::size_t from = i_;
      while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' || s_[i_] == '+' ||
                                s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E')) {
        ++i_;
      }
      if (from == i_) fail("unexpected character");
      v.type = JsonValue::Type::number;
      v.num = std::strtod(std::string(s_.substr(from, i_ - from)).c_str(), nullptr);
    }
    return v;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------

bool seeded_bugs_available() noexcept {
#if defined(IDEMCHECK_SEEDED_BUGS)
  return true;
#else
  return false;
#endif
}

std::vector<SeededBugInfo> seeded_bug_catalogue() {
  std::vector<SeededBugInfo> out;
#if defined(IDEMCHECK_SEEDED_BUGS)
  for (const auto& b : impl::seeded_bugs::catalogue()) {
    out.push_back({std::string(b.name), std::string(impl::seeded_bugs::name(b.side)), std::string(b.description)});
  }
#endif
  return out;
}

MutationProfile quick_profile() {
  MutationProfile p;
  p.name = "quick";
  p.broker_histories = 1'000;
  p.broker_max_size = 100;
  p.sequencer_histories = 1'000;
  p.sequencer_min_length = 20;
  p.sequencer_max_length = 400;
  p.world_histories = 500;
  p.world_max_size = 100;
  p.claim_histories = 150;
  p.claim_max_size = 100;
  p.round = 4;
  p.shrink_candidates = 3'000;
  return p;
}

MutationProfile deep_profile() {
  MutationProfile p;
  p.name = "deep";
  p.broker_histories = 30'000;
  p.broker_max_size = 100;
  p.sequencer_histories = 30'000;
  p.sequencer_min_length = 20;
  p.sequencer_max_length = 1'000;
  p.world_histories = 15'000;
  p.world_max_size = 100;
  p.claim_histories = 4'500;
  p.claim_max_size = 100;
  p.round = 8;
  p.shrink_candidates = 20'000;
  return p;
}

std::optional<MutationProfile> find_profile(std::string_view name) {
  if (name == "quick") return quick_profile();
  if (name == "deep") return deep_profile();
  return std::nullopt;
}

std::variant<Shard, std::string> shard_from_environment() {
  const char* total = std::getenv("GTEST_TOTAL_SHARDS");
  const char* index = std::getenv("GTEST_SHARD_INDEX");
  if (total == nullptr && index == nullptr) return Shard{};
  if (total == nullptr || index == nullptr) {
    return std::string("GTEST_TOTAL_SHARDS and GTEST_SHARD_INDEX must be set together");
  }
  auto parse = [](const char* s, std::uint64_t& out) {
    const std::string text(s);
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) return false;
    out = std::stoull(text);
    return true;
  };
  Shard sh;
  if (!parse(total, sh.total) || sh.total < 1) return "GTEST_TOTAL_SHARDS must be a number >= 1, got '" + std::string(total) + "'";
  if (!parse(index, sh.index) || sh.index >= sh.total) {
    return "GTEST_SHARD_INDEX must be a number below GTEST_TOTAL_SHARDS, got '" + std::string(index) + "'";
  }
  return sh;
}

MutantResult run_mutant(const std::string& bug, const CampaignOptions& options) {
  MutantResult r;
  r.bug = bug;
  r.shard_index = options.shard.index;
  r.shard_total = options.shard.total;
  for (const SeededBugInfo& b : seeded_bug_catalogue()) {
    if (b.name == bug) {
      r.side = b.side;
      r.description = b.description;
    }
  }
  const BugScope scope(bug);
  auto checks = make_checks(options);
  // Per check, the next of its history indices this shard takes.
  std::vector<std::uint64_t> next(checks.size(), options.shard.index);
  const std::uint64_t step = std::max<std::uint64_t>(1, options.shard.total);
  const auto start = Clock::now();
  bool any = true;
  while (any) {
    any = false;
    for (std::size_t c = 0; c < checks.size(); ++c) {
      for (std::uint64_t k = 0; k < options.profile.round && next[c] < checks[c]->budget(); ++k) {
        any = true;
        const std::uint64_t i = next[c];
        next[c] += step;
        ++r.histories;
        std::optional<Failure> f = checks[c]->run(i);
        if (!f) continue;
        r.caught = true;
        r.property = checks[c]->name();
        // Only the search counts as time to catch; the shrink is timed apart.
        r.shrink_seconds = f->shrink_seconds;
        r.seconds = std::max(0.0, since(start) - f->shrink_seconds);
        r.original_length = f->original_length;
        r.shrunk_length = f->shrunk_length;
        r.failure = first_line(f->what) + " (history " + std::to_string(i) + ")";
        return r;
      }
    }
  }
  r.seconds = since(start);
  return r;
}

std::vector<MutantResult> run_campaign(const CampaignOptions& options, const MutantCallback& on_result) {
  std::vector<std::string> names = options.bugs;
  if (names.empty()) {
    for (const SeededBugInfo& b : seeded_bug_catalogue()) names.push_back(b.name);
  }
  std::vector<MutantResult> out;
  for (const std::string& n : names) {
    out.push_back(run_mutant(n, options));
    if (on_result) on_result(out.back());
  }
  return out;
}

std::string to_json(const MutationReport& report) {
  std::ostringstream os;
  os << "{\n  \"format\": \"idemcheck-mutation-report-1\",\n  \"profile\": " << quote(report.profile)
     << ",\n  \"seed\": " << report.seed << ",\n  \"shard_index\": " << report.shard.index
     << ",\n  \"shard_total\": " << report.shard.total << ",\n  \"results\": [";
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    const MutantResult& r = report.results[i];
    os << (i ? "," : "") << "\n    {\"bug\": " << quote(r.bug) << ", \"side\": " << quote(r.side)
       << ", \"description\": " << quote(r.description) << ", \"caught\": " << (r.caught ? "true" : "false")
       << ", \"property\": " << quote(r.property) << ", \"histories\": " << r.histories
       << ", \"seconds\": " << number(r.seconds) << ", \"original_length\": " << r.original_length
       << ", \"shrunk_length\": " << r.shrunk_length << ", \"shrink_seconds\": " << number(r.shrink_seconds)
       << ", \"failure\": " << quote(r.failure) << ", \"shard_index\": " << r.shard_index
       << ", \"shard_total\": " << r.shard_total << "}";
  }
  os << "\n  ]\n}\n";
  return os.str();
}

std::variant<MutationReport, std::string> parse_report(std::string_view json) {
  try {
    const JsonValue doc = JsonReader(json).document();
    auto field = [](const JsonValue& o, std::string_view key, JsonValue::Type type) -> const JsonValue& {
      const JsonValue* v = o.find(key);
      if (v == nullptr || v->type != type) throw std::runtime_error("missing or mistyped field '" + std::string(key) + "'");
      return *v;
    };
    using T = JsonValue::Type;
    if (doc.type != T::object) throw std::runtime_error("not a JSON object");
    if (field(doc, "format", T::string).str != "idemcheck-mutation-report-1") {
      throw std::runtime_error("not an idemcheck mutation report");
    }
    MutationReport rep;
    rep.profile = field(doc, "profile", T::string).str;
    rep.seed = static_cast<std::uint64_t>(field(doc, "seed", T::number).num);
    rep.shard.index = static_cast<std::uint64_t>(field(doc, "shard_index", T::number).num);
    rep.shard.total = static_cast<std::uint64_t>(field(doc, "shard_total", T::number).num);
    for (const JsonValue& o : field(doc, "results", T::array).items) {
      if (o.type != T::object) throw std::runtime_error("a result is not an object");
      MutantResult r;
      r.bug = field(o, "bug", T::string).str;
      r.side = field(o, "side", T::string).str;
      r.description = field(o, "description", T::string).str;
      r.caught = field(o, "caught", T::boolean).boolean;
      r.property = field(o, "property", T::string).str;
      r.histories = static_cast<std::uint64_t>(field(o, "histories", T::number).num);
      r.seconds = field(o, "seconds", T::number).num;
      r.original_length = static_cast<std::size_t>(field(o, "original_length", T::number).num);
      r.shrunk_length = static_cast<std::size_t>(field(o, "shrunk_length", T::number).num);
      r.shrink_seconds = field(o, "shrink_seconds", T::number).num;
      r.failure = field(o, "failure", T::string).str;
      r.shard_index = static_cast<std::uint64_t>(field(o, "shard_index", T::number).num);
      r.shard_total = static_cast<std::uint64_t>(field(o, "shard_total", T::number).num);
      rep.results.push_back(std::move(r));
    }
    return rep;
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
}

std::variant<MutationReport, std::string> merge_reports(const std::vector<MutationReport>& reports) {
  if (reports.empty()) return std::string("no reports to merge");
  MutationReport out;
  out.profile = reports.front().profile;
  out.seed = reports.front().seed;
  out.shard = Shard{0, 1};
  std::map<std::string, std::size_t> at;
  for (std::size_t k = 0; k < reports.size(); ++k) {
    const MutationReport& rep = reports[k];
    if (rep.profile != out.profile || rep.seed != out.seed) {
      return "report " + std::to_string(k + 1) + " ran profile '" + rep.profile + "' with seed " +
             std::to_string(rep.seed) + ", the first ran '" + out.profile + "' with seed " + std::to_string(out.seed);
    }
    for (const MutantResult& r : rep.results) {
      const auto it = at.find(r.bug);
      if (it == at.end()) {
        at.emplace(r.bug, out.results.size());
        out.results.push_back(r);
        continue;
      }
      MutantResult& m = out.results[it->second];
      if (r.caught && (!m.caught || r.seconds < m.seconds)) {
        m = r;
      } else if (!r.caught && !m.caught) {
        m.histories += r.histories;
        m.seconds = std::max(m.seconds, r.seconds);
      }
    }
  }
  return out;
}

CampaignSummary summarize(const std::vector<MutantResult>& results) {
  CampaignSummary s;
  s.total = results.size();
  std::vector<double> times;
  for (const MutantResult& r : results) {
    if (!r.caught) continue;
    ++s.caught;
    times.push_back(r.seconds);
    s.max_seconds = std::max(s.max_seconds, r.seconds);
  }
  if (!times.empty()) {
    std::sort(times.begin(), times.end());
    const std::size_t n = times.size();
    s.median_seconds = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  }
  return s;
}

}  // namespace idemcheck::properties
