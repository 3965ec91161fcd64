// The seeded-bug campaign (see the header).
#include "idemcheck/properties/mutation.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <unordered_set>
#include <utility>

#include <nlohmann/json.hpp>
#include <rapidcheck.h>

#include "idemcheck/impl/seeded_bugs.hpp"
#include "idemcheck/properties/broker_differential.hpp"
#include "idemcheck/properties/claims.hpp"
#include "idemcheck/properties/search.hpp"
#include "idemcheck/properties/sequencer_differential.hpp"
#include "idemcheck/properties/world_gen.hpp"
#include "idemcheck/properties/world_run.hpp"
#include "idemcheck/shrinkers/history_shrinker.hpp"
#include "idemcheck/shrinkers/op_list_shrinker.hpp"
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
// The op lists (broker, sequencer) go through the shared list shrinker
// (blocks, then single ops), with no per-op simplification: the campaign
// reports lengths, and a shorter list is all it needs.

template <class T, class Fails>
std::vector<T> shrink_list(std::vector<T> items, const Fails& fails, std::uint64_t max_candidates) {
  shrinkers::OpListShrinkStats stats;
  const std::function<shrinkers::OpListVerdict(const std::vector<T>&)> verdict = [&](const std::vector<T>& c) {
    return shrinkers::OpListVerdict{fails(c), std::nullopt};
  };
  const std::function<std::vector<T>(const T&)> none = [](const T&) { return std::vector<T>{}; };
  return shrinkers::shrink_op_list<T>(std::move(items), verdict, none, stats, max_candidates);
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
// The report's JSON, through nlohmann-json.

using Json = nlohmann::json;

// Thrown inside parse_report only, and returned from it as the error value.
struct ReportError {
  std::string message;
};

// A report nests three levels (report, results, result); anything deeper is not one.
constexpr int kMaxReportDepth = 8;

std::string brief(const Json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  std::string text = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  return text.size() > 40 ? text.substr(0, 37) + "..." : text;
}

const Json& field(const Json& object, const std::string& path, const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) throw ReportError{"missing field '" + path + key + "'"};
  return *it;
}

const std::string& text_field(const Json& object, const std::string& path, const char* key) {
  const Json& v = field(object, path, key);
  if (!v.is_string()) throw ReportError{path + key + ": expected a string, got " + brief(v)};
  return v.get_ref<const std::string&>();
}

bool boolean_field(const Json& object, const std::string& path, const char* key) {
  const Json& v = field(object, path, key);
  if (!v.is_boolean()) throw ReportError{path + key + ": expected true or false, got " + brief(v)};
  return v.get<bool>();
}

// nlohmann reads a non-negative integer as unsigned, a negative one as
// signed, and anything with a fraction or an exponent (or beyond uint64) as
// a double: only the first can be a count.
std::uint64_t count_field(const Json& object, const std::string& path, const char* key, std::uint64_t lo = 0,
                          std::uint64_t hi = std::numeric_limits<std::uint64_t>::max()) {
  const Json& v = field(object, path, key);
  if (v.is_number_unsigned() && v.get<std::uint64_t>() >= lo && v.get<std::uint64_t>() <= hi) {
    return v.get<std::uint64_t>();
  }
  if (v.is_number()) {
    throw ReportError{path + key + ": expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
                      ", got " + brief(v) + (v.is_number_float() ? " (not an integer)" : "")};
  }
  throw ReportError{path + key + ": expected an integer, got " + brief(v)};
}

double seconds_field(const Json& object, const std::string& path, const char* key) {
  const Json& v = field(object, path, key);
  // nlohmann never reads a non-finite double (1e999 is a parse error).
  if (v.is_number() && v.get<double>() >= 0) return v.get<double>();
  throw ReportError{path + key + ": expected a number of seconds >= 0, got " + brief(v)};
}

// nlohmann's message without its "[json.exception.parse_error.101] " tag.
std::string without_tag(const char* what) {
  std::string text = what;
  if (!text.empty() && text.front() == '[') {
    if (const auto close = text.find("] "); close != std::string::npos) text.erase(0, close + 2);
  }
  return text;
}

// Parses with nlohmann, rejecting duplicate keys (a hash set per open
// object: linear) and nesting deeper than kMaxReportDepth.
Json parse_json(std::string_view text) {
  std::vector<std::unordered_set<std::string>> open;
  std::optional<std::string> problem;
  const Json::parser_callback_t check = [&](int depth, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        if (depth >= kMaxReportDepth && !problem) problem = "nesting deeper than " + std::to_string(kMaxReportDepth) + " levels";
        if (event == Json::parse_event_t::object_start) open.emplace_back();
        break;
      case Json::parse_event_t::object_end: open.pop_back(); break;
      case Json::parse_event_t::key:
        if (!open.back().insert(parsed.get<std::string>()).second && !problem) {
          problem = "duplicate key " + parsed.dump(-1, ' ', false, Json::error_handler_t::replace);
        }
        break;
      default: break;
    }
    return true;
  };
  // nlohmann takes a NUL byte for the end of the input; JSON never holds one.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    throw ReportError{"unexpected NUL byte at byte " + std::to_string(nul)};
  }
  try {
    Json doc = Json::parse(text.begin(), text.end(), check, /*allow_exceptions=*/true, /*ignore_comments=*/false);
    if (problem) throw ReportError{*problem};
    return doc;
  } catch (const Json::exception& e) {
    throw ReportError{without_tag(e.what())};
  }
}

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
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const MutantResult& r : report.results) {
    results.push_back({{"bug", r.bug},
                       {"side", r.side},
                       {"description", r.description},
                       {"caught", r.caught},
                       {"property", r.property},
                       {"histories", r.histories},
                       {"seconds", r.seconds},
                       {"original_length", r.original_length},
                       {"shrunk_length", r.shrunk_length},
                       {"shrink_seconds", r.shrink_seconds},
                       {"failure", r.failure},
                       {"shard_index", r.shard_index},
                       {"shard_total", r.shard_total}});
  }
  const nlohmann::ordered_json doc = {{"format", "idemcheck-mutation-report-1"},
                                      {"profile", report.profile},
                                      {"seed", report.seed},
                                      {"shard_index", report.shard.index},
                                      {"shard_total", report.shard.total},
                                      {"results", std::move(results)}};
  // Replacing bytes that are not UTF-8 (a failure line cut mid-character) keeps the report readable.
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::variant<MutationReport, std::string> parse_report(std::string_view json) {
  try {
    const Json doc = parse_json(json);
    if (!doc.is_object()) throw ReportError{"expected a mutation report (an object), got " + brief(doc)};
    if (!doc.contains("format") || doc["format"] != "idemcheck-mutation-report-1") {
      throw ReportError{"not an idemcheck mutation report (expected \"format\": \"idemcheck-mutation-report-1\")"};
    }
    MutationReport rep;
    rep.profile = text_field(doc, "", "profile");
    rep.seed = count_field(doc, "", "seed");
    rep.shard.total = count_field(doc, "", "shard_total", 1);
    rep.shard.index = count_field(doc, "", "shard_index", 0, rep.shard.total - 1);
    const Json& results = field(doc, "", "results");
    if (!results.is_array()) throw ReportError{"results: expected an array, got " + brief(results)};
    for (std::size_t i = 0; i < results.size(); ++i) {
      const Json& o = results[i];
      const std::string at = "results[" + std::to_string(i) + "].";
      if (!o.is_object()) throw ReportError{at.substr(0, at.size() - 1) + ": expected an object, got " + brief(o)};
      MutantResult r;
      r.bug = text_field(o, at, "bug");
      r.side = text_field(o, at, "side");
      r.description = text_field(o, at, "description");
      r.caught = boolean_field(o, at, "caught");
      r.property = text_field(o, at, "property");
      r.histories = count_field(o, at, "histories");
      r.seconds = seconds_field(o, at, "seconds");
      r.original_length = count_field(o, at, "original_length", 0, std::numeric_limits<std::size_t>::max());
      r.shrunk_length = count_field(o, at, "shrunk_length", 0, std::numeric_limits<std::size_t>::max());
      r.shrink_seconds = seconds_field(o, at, "shrink_seconds");
      r.failure = text_field(o, at, "failure");
      r.shard_total = count_field(o, at, "shard_total", 1);
      r.shard_index = count_field(o, at, "shard_index", 0, r.shard_total - 1);
      rep.results.push_back(std::move(r));
    }
    return rep;
  } catch (const ReportError& e) {
    return e.message;
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
