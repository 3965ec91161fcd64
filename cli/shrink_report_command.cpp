// `idemcheck shrink-report`: how well counterexamples shrink. For every claim
// pinned to fail, the first violating history of a search is shrunk by
// RapidCheck's generic shrink tree and by the history-aware shrinker, and the
// lengths, candidates and times are compared with the shortest known length.
#include <algorithm>
#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "idemcheck/properties/claims.hpp"
#include "idemcheck/shrinkers/history_shrinker.hpp"
#include "idemcheck/shrinkers/rc_history.hpp"
#include "idemcheck/spec/symbolic_world.hpp"
#include "options.hpp"

namespace idemcheck::cli {

namespace {

const char* kUsage =
    "usage: idemcheck shrink-report [options]\n"
    "\n"
    "For each claim pinned to fail: finds the first violating history of a\n"
    "search (as `idemcheck claims` does), shrinks it with RapidCheck's generic\n"
    "shrink and with the history-aware shrinker, and prints the lengths before\n"
    "and after, the candidates tried, the time, and the shortest length known.\n"
    "With --seeds N the search runs with seeds 1..N and a summary per claim\n"
    "follows the table of seed 1; \"best seen\" is then the shortest result of\n"
    "any shrinker on any seed (an upper bound on the shortest counterexample).\n"
    "\n"
    "options:\n"
    "  --seeds N         seeds 1..N (default 1)\n"
    "  --histories N     histories per search at most (default 2000)\n"
    "  --max-size N      RapidCheck size cap, 1..100 (default 60, as `claims`)\n"
    "  --claim ID        only this claim (repeatable)\n"
    "  --no-generic      skip RapidCheck's generic shrink (slow on long histories)\n"
    "  --markdown        print the table as Markdown\n"
    "  --show            print every history-aware result\n";

// The bounded checker's shortest counterexample for a claim whose world is
// the symbolic small world (one producer, partition and broker, one record per
// send (record counts do not change a story's length), only the events the
// encoding knows). The symbolic world has no retry
// backoff, so its length is a lower bound for the claim's own world (where a
// retry may need a tick first); it is searched up to `bound` events.
std::optional<std::size_t> shortest_exact(const properties::Claim& claim, std::size_t bound = 16) {
  const spec::WorldConfig& c = claim.profile.config;
  if (c.producers != 1 || c.partitions != 1 || c.brokers != 1 || c.initial_epoch != 0 ||
      claim.profile.huge_sends || !claim.profile.prefix.empty()) {
    return std::nullopt;
  }
  using K = spec::Event::Kind;
  for (K k : {K::send_same, K::move_leader, K::restart_broker, K::expire, K::restart_producer}) {
    if (claim.profile.weights[static_cast<std::size_t>(k)] > 0) return std::nullopt;
  }
  std::optional<spec::SymbolicClaim> symbolic;
  if (claim.checks.duplicate && !claim.checks.nonmonotonic_send) symbolic = spec::SymbolicClaim::duplicate;
  if (claim.checks.nonmonotonic_send && !claim.checks.duplicate) symbolic = spec::SymbolicClaim::nonmonotonic_send;
  if (!symbolic || c.producer.max_in_flight > 7 || c.broker.window > 6) return std::nullopt;
  spec::ProveOptions o;
  o.max_depth = static_cast<int>(bound);
  o.claims = {*symbolic};
  o.time_limit_seconds = 30;
  try {
    const auto cell = spec::prove_cell(
        spec::SymbolicConfig{c.producer.max_in_flight, c.broker.window, c.producer.idempotence, 0, 0, false}, o);
    for (const auto& r : cell.claims) {
      if (r.claim == *symbolic && r.refuted) return static_cast<std::size_t>(r.depth);
    }
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

struct Found {
  std::uint64_t index = 0;
  std::optional<rc::Shrinkable<spec::History>> drawn;
};

Found search(const properties::Claim& claim, std::uint64_t seed, std::uint64_t histories, int max_size) {
  Found f;
  const auto gen = properties::gen_world_history(claim.profile);
  for (std::uint64_t i = 0; i < histories; ++i) {
    auto drawn = gen(rc::Random(properties::history_seed(seed, i)), properties::history_size(i, max_size));
    if (properties::violates(claim, drawn.value())) {
      f.index = i;
      f.drawn = std::move(drawn);
      return f;
    }
  }
  return f;
}

struct Row {
  std::string claim;
  std::uint64_t seed = 0;
  bool found = false;
  std::uint64_t index = 0;
  std::size_t original = 0;
  std::optional<shrinkers::ShrinkStats> generic;
  shrinkers::ShrinkStats ours;
  shrinkers::ShrinkStats rc_ours;  // the same candidates walked by RapidCheck's greedy loop
  spec::History shrunk;
};

Row measure(const properties::Claim& claim, std::uint64_t seed, std::uint64_t histories, int max_size, bool generic) {
  Row r;
  r.claim = claim.id;
  r.seed = seed;
  Found f = search(claim, seed, histories, max_size);
  if (!f.drawn) return r;
  r.found = true;
  r.index = f.index;
  const spec::History h = f.drawn->value();
  r.original = h.events.size();
  auto fails = [&](const spec::History& c) { return properties::violates(claim, c); };
  if (generic) {
    shrinkers::ShrinkStats g;
    (void)properties::shrink_with_rapidcheck(*f.drawn, fails, g);
    r.generic = g;
  }
  shrinkers::ShrinkOptions options;
  options.keep_prefix = claim.profile.prefix.size();
  r.shrunk = shrinkers::shrink_history(h, fails, r.ours, options);
  (void)properties::shrink_with_rapidcheck(shrinkers::history_shrinkable(h, options.keep_prefix), fails, r.rc_ours);
  return r;
}

std::string ratio(std::size_t len, std::size_t best) {
  return best == 0 ? "-" : fmt::format("{:.2f}", static_cast<double>(len) / static_cast<double>(best));
}

}  // namespace

int run_shrink_report_command(const Args& args, std::FILE* out, std::FILE* err) {
  const auto started = start_command("shrink-report", args, {{"--seeds", true},
                                           {"--histories", true},
                                           {"--max-size", true},
                                           {"--claim", true, true},
                                           {"--no-generic"},
                                           {"--markdown"},
                                           {"--show"}}, kUsage, out, err);
  if (const int* status = std::get_if<int>(&started)) return *status;
  const ParsedOptions& o = std::get<ParsedOptions>(started);
  std::uint64_t seeds = 1, histories = 2000, max_size = 60;
  for (auto e : {read_unsigned(o, "--seeds", 1, 1000, seeds), read_unsigned(o, "--histories", 1, 10'000'000, histories),
                 read_unsigned(o, "--max-size", 1, 100, max_size)}) {
    if (e) {
      fmt::print(err, "idemcheck shrink-report: {}\n", *e);
      return 2;
    }
  }
  std::vector<const properties::Claim*> selected;
  if (const auto it = o.values.find("--claim"); it != o.values.end()) {
    for (const std::string& id : it->second) {
      const properties::Claim* c = properties::find_claim(id);
      if (c == nullptr) {
        fmt::print(err, "idemcheck shrink-report: unknown claim '{}' (see idemcheck claims --list)\n", id);
        return 2;
      }
      selected.push_back(c);
    }
  } else {
    for (const auto& c : properties::claims()) {
      if (c.expect_violation) selected.push_back(&c);
    }
  }
  const bool generic = !o.has("--no-generic");
  const bool md = o.has("--markdown");

  struct PerClaim {
    std::vector<Row> rows;
    std::size_t best = 0;  // shortest result of any shrinker on any seed
  };
  std::vector<PerClaim> all;
  for (const properties::Claim* c : selected) {
    PerClaim pc;
    for (std::uint64_t s = 1; s <= seeds; ++s) {
      Row r = measure(*c, s, histories, static_cast<int>(max_size), generic);
      if (r.found) {
        for (std::size_t len : {r.ours.shrunk_length, r.rc_ours.shrunk_length,
                                r.generic ? r.generic->shrunk_length : r.ours.shrunk_length}) {
          pc.best = pc.best == 0 ? len : std::min(pc.best, len);
        }
      }
      pc.rows.push_back(std::move(r));
    }
    all.push_back(std::move(pc));
  }

  fmt::print(out, "Shrinking the counterexamples of the claims pinned to fail (seed 1, up to {} histories, max size {})\n\n",
             histories, max_size);
  const char* head_fmt = md ? "| {} | {} | {} | {} | {} | {} | {} | {} |\n" : "{:<28} {:>6}  {:<26} {:<26} {:<26} {:>9} {:>6} {:>6}\n";
  fmt::print(out, fmt::runtime(head_fmt), "claim", "length", "RapidCheck generic: len/cand/s",
             "history-aware: len/cand/s", "via rc::Shrinkable: len/cand/s", "shortest", "ratio", "exact");
  if (md) fmt::print(out, "|---|---:|---|---|---|---:|---:|---:|\n");
  for (std::size_t k = 0; k < selected.size(); ++k) {
    const Row& r = all[k].rows.front();
    const std::optional<std::size_t> exact = shortest_exact(*selected[k]);
    const std::size_t best = exact ? *exact : all[k].best;
    auto cell = [](const shrinkers::ShrinkStats& s) {
      return fmt::format("{} / {} / {:.3f}", s.shrunk_length, s.candidates, s.seconds);
    };
    if (!r.found) {
      fmt::print(out, fmt::runtime(head_fmt), r.claim, "-", "not found", "-", "-", "-", "-", "-");
      continue;
    }
    fmt::print(out, fmt::runtime(head_fmt), r.claim, r.original, r.generic ? cell(*r.generic) : std::string("skipped"),
               cell(r.ours), cell(r.rc_ours), fmt::format("{}{}", best, exact ? "" : "*"),
               ratio(r.ours.shrunk_length, best), exact ? "yes" : "no");
  }
  if (o.has("--show")) {
    for (const auto& pc : all) {
      for (const Row& r : pc.rows) {
        if (!r.found) continue;
        std::ostringstream os;
        shrinkers::print_history(r.shrunk, os);
        fmt::print(out, "\n{} seed {}: {}", r.claim, r.seed, os.str());
      }
    }
  }
  fmt::print(out,
             "\nlen: events after shrinking; cand: candidate histories run; s: seconds. shortest: the exact\n"
             "shortest length where a bounded checker gives it, else (*) the shortest any shrinker reached on\n"
             "any of the {} seed(s), an upper bound. ratio: history-aware length / shortest.\n",
             seeds);

  if (seeds > 1) {
    fmt::print(out, "\nOver seeds 1..{}:\n", seeds);
    const char* sum_fmt = md ? "| {} | {} | {} | {} | {} | {} | {} |\n" : "{:<28} {:>6} {:>9} {:>14} {:>12} {:>10} {:>14}\n";
    fmt::print(out, fmt::runtime(sum_fmt), "claim", "found", "shortest", "ours=shortest", "max ratio", "max s",
               "generic mean");
    if (md) fmt::print(out, "|---|---:|---:|---:|---:|---:|---:|\n");
    for (std::size_t k = 0; k < selected.size(); ++k) {
      const std::size_t best = shortest_exact(*selected[k]).value_or(all[k].best);
      std::size_t found = 0, equal = 0, generic_total = 0, generic_n = 0;
      double max_ratio = 0, max_s = 0;
      for (const Row& r : all[k].rows) {
        if (!r.found) continue;
        ++found;
        if (r.ours.shrunk_length == best) ++equal;
        max_ratio = std::max(max_ratio, static_cast<double>(r.ours.shrunk_length) / static_cast<double>(best));
        max_s = std::max(max_s, r.ours.seconds);
        if (r.generic) {
          generic_total += r.generic->shrunk_length;
          ++generic_n;
        }
      }
      fmt::print(out, fmt::runtime(sum_fmt), selected[k]->id, fmt::format("{}/{}", found, seeds), best,
                 fmt::format("{}/{}", equal, found), found ? fmt::format("{:.2f}", max_ratio) : "-",
                 fmt::format("{:.3f}", max_s),
                 generic_n ? fmt::format("{:.1f}", static_cast<double>(generic_total) / static_cast<double>(generic_n))
                           : "-");
    }
  }
  return 0;
}

}  // namespace idemcheck::cli
