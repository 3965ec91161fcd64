// `idemcheck prove`: bounded proofs of the in-flight claims with Z3, per cell
// of the (max.in.flight, broker window, idempotence) grid.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "idemcheck/spec/checker.hpp"
#include "idemcheck/spec/symbolic_world.hpp"
#include "options.hpp"
#include "timeline_text.hpp"

namespace idemcheck::cli {

namespace {

const char* kUsage =
    "usage: idemcheck prove [options]\n"
    "\n"
    "Proves each claim about in-flight requests for every history of the small\n"
    "world (one producer, partition and broker; one record per send) up to a\n"
    "depth, or refutes it with its shortest counterexample, with the Z3 solver,\n"
    "for each cell of the grid: m = max.in.flight.requests.per.connection,\n"
    "w = batches the broker caches, idempotence on or off.\n"
    "A cell reads '\u221e' (proved for histories of every length), 'xN' (refuted:\n"
    "its shortest counterexample has N events) or 'okN' (proved for every history\n"
    "of up to N events, and not for every length). Two settings: the producer\n"
    "unknown to the broker at the start, or known (every history starts with its\n"
    "first batch written and acknowledged; N counts the events after that).\n"
    "Exit status: 0 when the grid was computed, 2 on bad usage, 3 when the\n"
    "solver failed.\n"
    "\n"
    "options:\n"
    "  --m LIST            m values: 1-7, 1,3,5 or 4 (default 1-7)\n"
    "  --w LIST            w values, likewise (default 1-6)\n"
    "  --idempotence X     on, off or both (default both)\n"
    "  --producer X        unknown, known or both: is the producer known to the\n"
    "                      broker before faults start (default both)\n"
    "  --depth D           events per history, 0..200 (default 16)\n"
    "  --claim NAME        only this claim (repeatable): duplicate,\n"
    "                      nonmonotonic-send, lost-write, inconsistent-offsets,\n"
    "                      retry-is-duplicate (default all)\n"
    "  --batches B         sends at most, 1..8 (default min(m, w) + 1)\n"
    "  --zombies Z         zombie requests waiting at once, 1..16 (default m)\n"
    "  --cell-seconds S    stop deepening a cell after S seconds (default 0: no\n"
    "                      limit); a claim then reads okN, proved to N events\n"
    "  --unbounded-seconds S  time for each proof for every length (Spacer), per\n"
    "                      claim that holds to the depth (default 20; 0: none)\n"
    "  --jobs N            cells proved at once, one solver each (default: every\n"
    "                      core)\n"
    "  --growth            also print the time spent at each depth, per cell\n"
    "  --explain           print each counterexample as a timeline\n"
    "  --no-reduce         search every order of events (slower; same results)\n";

// "1-7", "1,3,5", "4", "1-3,6".
std::optional<std::vector<int>> parse_list(const std::string& text, int lo, int hi) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    const auto dash = part.find('-');
    const std::string a = dash == std::string::npos ? part : part.substr(0, dash);
    const std::string b = dash == std::string::npos ? part : part.substr(dash + 1);
    const auto x = parse_unsigned(a), y = parse_unsigned(b);
    // Compared as the 64-bit values they were read as: narrowing first would
    // turn 4294967297 into 1 (and a range up to it into billions of cells).
    const auto low = static_cast<std::uint64_t>(lo), high = static_cast<std::uint64_t>(hi);
    if (!x || !y || *x > *y || *x < low || *y > high) return std::nullopt;
    for (auto v = *x; v <= *y; ++v) out.push_back(static_cast<int>(v));
  }
  if (out.empty()) return std::nullopt;
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}


std::string cell_text(const spec::ClaimResult& r) {
  if (r.refuted) return fmt::format("x{}", r.depth);
  if (r.all_lengths) return "\u221e";
  return fmt::format("ok{}", r.depth);
}

// Right-aligns `text` in `width` columns, counting code points (fmt counts bytes of "∞").
std::string pad(const std::string& text, std::size_t width) {
  std::size_t cols = 0;
  for (unsigned char ch : text) cols += (ch & 0xC0U) != 0x80U ? 1 : 0;
  return std::string(width > cols ? width - cols : 0, ' ') + text;
}

}  // namespace

int run_prove_command(const Args& args, std::FILE* out, std::FILE* err) {
  const auto started = start_command("prove", args, {{"--m", true},
                                           {"--w", true},
                                           {"--idempotence", true},
                                           {"--depth", true},
                                           {"--claim", true, true},
                                           {"--batches", true},
                                           {"--zombies", true},
                                           {"--cell-seconds", true},
                                           {"--producer", true},
                                           {"--unbounded-seconds", true},
                                           {"--jobs", true},
                                           {"--growth"},
                                           {"--explain"},
                                           {"--no-reduce"}}, kUsage, out, err);
  if (const int* status = std::get_if<int>(&started)) return *status;
  const ParsedOptions& o = std::get<ParsedOptions>(started);
  std::vector<int> ms{1, 2, 3, 4, 5, 6, 7}, ws{1, 2, 3, 4, 5, 6};
  for (auto [flag, target] : {std::pair{"--m", &ms}, std::pair{"--w", &ws}}) {
    if (const auto v = o.value(flag)) {
      const auto list = parse_list(*v, 1, 8);
      if (!list) {
        fmt::print(err, "idemcheck prove: {} wants values in 1..8 like 1-7 or 1,3,5, not '{}'\n", flag, *v);
        return 2;
      }
      *target = *list;
    }
  }
  std::vector<bool> idem{true, false};
  if (const auto v = o.value("--idempotence")) {
    if (*v == "on") {
      idem = {true};
    } else if (*v == "off") {
      idem = {false};
    } else if (*v != "both") {
      fmt::print(err, "idemcheck prove: --idempotence wants on, off or both, not '{}'\n", *v);
      return 2;
    }
  }
  std::vector<bool> known{false, true};
  if (const auto v = o.value("--producer")) {
    if (*v == "unknown") {
      known = {false};
    } else if (*v == "known") {
      known = {true};
    } else if (*v != "both") {
      fmt::print(err, "idemcheck prove: --producer wants unknown, known or both, not '{}'\n", *v);
      return 2;
    }
  }
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  std::uint64_t depth = 16, batches = 0, zombies = 0, cell_seconds = 0, unbounded_seconds = 20, jobs = cores;
  for (auto e : {read_unsigned(o, "--depth", 0, 200, depth), read_unsigned(o, "--batches", 1, 8, batches),
                 read_unsigned(o, "--zombies", 1, 16, zombies), read_unsigned(o, "--jobs", 1, 256, jobs),
                 read_unsigned(o, "--unbounded-seconds", 0, 86'400, unbounded_seconds),
                 read_unsigned(o, "--cell-seconds", 0, 86'400, cell_seconds)}) {
    if (e) {
      fmt::print(err, "idemcheck prove: {}\n", *e);
      return 2;
    }
  }
  spec::ProveOptions popts;
  popts.max_depth = static_cast<int>(depth);
  popts.reduce = !o.has("--no-reduce");
  popts.time_limit_seconds = static_cast<double>(cell_seconds);
  popts.unbounded = unbounded_seconds > 0;
  popts.unbounded_seconds = static_cast<double>(unbounded_seconds);
  if (const auto it = o.values.find("--claim"); it != o.values.end()) {
    for (const std::string& n : it->second) {
      spec::SymbolicClaim c{};
      if (!spec::parse_symbolic_claim(n, c)) {
        fmt::print(err, "idemcheck prove: unknown claim '{}'\n", n);
        return 2;
      }
      if (std::find(popts.claims.begin(), popts.claims.end(), c) == popts.claims.end()) popts.claims.push_back(c);
    }
  }
  const std::vector<spec::SymbolicClaim> claims = popts.claims.empty() ? spec::all_symbolic_claims() : popts.claims;

  fmt::print(out, "idemcheck prove: depth {} events; B = {} sends, Z = {} zombies; {} jobs; cells: \u221e = proved for "
                  "every length, xN = shortest counterexample of N events, okN = proved to N events\n",
             depth, batches ? std::to_string(batches) : "min(m,w)+1 (+1 known)", zombies ? std::to_string(zombies) : "m",
             jobs);
  struct Key {
    bool known, on;
    int w, m;
    auto operator<=>(const Key&) const = default;
  };
  std::vector<Key> keys;
  for (bool k : known) {
    for (bool on : idem) {
      for (int w : ws) {
        for (int m : ms) keys.push_back(Key{k, on, w, m});
      }
    }
  }
  // One solver per cell, `jobs` cells at once; each worker takes the next cell.
  std::vector<spec::CellResult> cells(keys.size());
  std::vector<std::string> failures(keys.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < keys.size(); i = next++) {
      const Key& k = keys[i];
      spec::SymbolicConfig cfg{k.m, k.w, k.on, static_cast<int>(batches), static_cast<int>(zombies), k.known};
      try {
        cells[i] = spec::prove_cell(cfg, popts);
      } catch (const std::exception& e) {
        failures[i] = e.what();
      }
    }
  };
  const auto wall0 = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> pool;
    for (std::uint64_t j = 1; j < std::min<std::uint64_t>(jobs, keys.size()); ++j) pool.emplace_back(worker);
    worker();
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  std::map<Key, spec::CellResult> results;
  double total = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!failures[i].empty()) {
      fmt::print(err, "idemcheck prove: {}\n", failures[i]);
      return 3;
    }
    total += cells[i].seconds;
    results.emplace(keys[i], std::move(cells[i]));
  }

  auto header = [&](const std::string& title) {
    fmt::print(out, "{:<28}", title);
    for (int m : ms) fmt::print(out, " {:>7}", fmt::format("m={}", m));
    fmt::print(out, "\n");
  };
  for (bool k : known) {
    for (bool on : idem) {
      fmt::print(out, "\nidempotence {}, producer {} to the broker\n", on ? "on" : "off", k ? "known" : "unknown");
      for (std::size_t ci = 0; ci < claims.size(); ++ci) {
        header(fmt::format("  {}", spec::name(claims[ci])));
        for (int w : ws) {
          fmt::print(out, "{:<28}", fmt::format("    w={}", w));
          for (int m : ms) fmt::print(out, " {}", pad(cell_text(results.at(Key{k, on, w, m}).claims[ci]), 7));
          fmt::print(out, "\n");
        }
      }
      header("  time per cell (s)");
      for (int w : ws) {
        fmt::print(out, "{:<28}", fmt::format("    w={}", w));
        for (int m : ms) fmt::print(out, " {:>7.2f}", results.at(Key{k, on, w, m}).seconds);
        fmt::print(out, "\n");
      }
    }
  }
  fmt::print(out, "\ntotal solver time {:.1f} s, wall time {:.1f} s\n", total, wall);

  // Why a claim that holds to the depth is not proved for every length.
  bool any_bounded = false;
  for (const auto& [key, r] : results) {
    for (const spec::ClaimResult& c : r.claims) {
      if (c.refuted || c.all_lengths) continue;
      if (!any_bounded) fmt::print(out, "\nproved to a depth only:\n");
      any_bounded = true;
      fmt::print(out, "  idempotence {}, producer {}, m={}, w={}, {}: proved to {} events; {}\n", key.on ? "on" : "off",
                 key.known ? "known" : "unknown", key.m, key.w, spec::name(c.claim), c.depth,
                 c.why_bounded.empty() ? "no proof for every length was tried" : c.why_bounded);
    }
  }

  if (o.has("--growth")) {
    fmt::print(out, "\ntime per depth (s), per cell: depth 1..{}\n", depth);
    for (const auto& [key, r] : results) {
      fmt::print(out, "  idem={:<3} {:<7} m={} w={}:", key.on ? "on" : "off", key.known ? "known" : "unknown", key.m, key.w);
      for (std::size_t d = 1; d < r.depth_seconds.size(); ++d) fmt::print(out, " {:.2f}", r.depth_seconds[d]);
      fmt::print(out, "\n");
    }
  }
  if (o.has("--explain")) {
    for (const auto& [key, r] : results) {
      for (const spec::ClaimResult& c : r.claims) {
        if (!c.refuted) continue;
        fmt::print(out, "\n{} refuted: idempotence {}, producer {}, m={}, w={} ({} events)\n", spec::name(c.claim),
                   key.on ? "on" : "off", key.known ? "known" : "unknown", key.m, key.w, c.depth);
        const std::string v = spec::concrete_violation(c.counterexample, c.claim);
        fmt::print(out, "{}", format_timeline(c.counterexample));
        fmt::print(out, "    => {}: {}\n", spec::name(c.claim), v.empty() ? "NOT SHOWN BY THE CONCRETE MODEL" : v);
      }
    }
  }
  return 0;
}

}  // namespace idemcheck::cli
