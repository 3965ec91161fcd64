// `idemcheck prove`: the in-flight claims settled per cell of the
// (max.in.flight, broker window, idempotence, known producer) grid by two
// provers that share no code: an explicit-state search of the concrete world
// and the Z3 encoding; they must agree.
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
#include "idemcheck/properties/prover_agreement.hpp"
#include "idemcheck/spec/checker.hpp"
#include "idemcheck/spec/explicit_search.hpp"
#include "idemcheck/spec/symbolic_world.hpp"
#include "options.hpp"
#include "timeline_text.hpp"

namespace idemcheck::cli {

namespace {

const char* kUsage =
    "usage: idemcheck prove [options]\n"
    "\n"
    "Settles each claim about in-flight requests in the small world (one\n"
    "producer, partition and broker; one record per send) for each cell of the\n"
    "grid: m = max.in.flight.requests.per.connection, w = batches the broker\n"
    "caches, idempotence on or off, the producer unknown or known to the broker\n"
    "before faults start (known: every history starts with its first batch\n"
    "written and acknowledged; lengths count the events after that).\n"
    "Two provers that share no code: an explicit-state search, breadth first over\n"
    "the concrete world's reachable states, and the Z3 encoding (bounded model\n"
    "checking, then k-induction for every length). They must agree.\n"
    "A cell reads '\u221e' (proved for histories of every length), 'xN' (refuted:\n"
    "its shortest counterexample has N events) or 'okN' (proved for every history\n"
    "of up to N events only).\n"
    "Exit status: 0 when the grid was computed and the provers agree, 2 on bad\n"
    "usage, 3 when a prover failed, 4 when they disagree.\n"
    "\n"
    "options:\n"
    "  --m LIST            m values: 1-7, 1,3,5 or 4 (default 1-7)\n"
    "  --w LIST            w values, likewise (default 1-6)\n"
    "  --idempotence X     on, off or both (default both)\n"
    "  --producer X        unknown, known or both (default both)\n"
    "  --engine E          both, explicit or z3 (default both)\n"
    "  --depth D           Z3: deepest history searched, 0..200 (default 24)\n"
    "  --claim NAME        only this claim (repeatable): duplicate,\n"
    "                      nonmonotonic-send, lost-write, inconsistent-offsets,\n"
    "                      retry-is-duplicate (default all)\n"
    "  --batches B         sends at most, 1..8 (default min(m, w) + 1, one more\n"
    "                      with a known producer)\n"
    "  --zombies Z         zombie requests waiting at once, 1..16 (default m)\n"
    "  --cell-seconds S    Z3: stop deepening a cell after S seconds (default 2\n"
    "                      with --engine both, 0 = no limit with --engine z3)\n"
    "  --unbounded-seconds S  Z3: time for each proof for every length\n"
    "                      (k-induction), per claim that holds to its depth\n"
    "                      (default 0 with --engine both, 2 with z3)\n"
    "  --states N          explicit: stop a cell after N states (default 2e7)\n"
    "  --explicit-seconds S  explicit: stop a cell after S seconds (default 5;\n"
    "                      0: no limit); it is not bounded by --depth\n"
    "  --jobs N            cells proved at once (default: every core)\n"
    "  --growth            also print Z3's time and the explicit search's new\n"
    "                      states at each depth, per cell\n"
    "  --explain           print each counterexample as a timeline\n"
    "  --no-reduce         Z3: search every order of events (slower; same results)\n"
    "  --no-cone           Z3: unroll the whole state for every claim, in one\n"
    "                      solver, not each claim's cone of influence (same results)\n";

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


// "xN", "\u221e" or "okN": how a cell shows one claim.
std::string verdict_text(bool refuted, bool all_lengths, int depth) {
  if (refuted) return fmt::format("x{}", depth);
  return all_lengths ? "\u221e" : fmt::format("ok{}", depth);
}

// A setting that is on, off or both: the values to run, or nothing for a bad word.
std::optional<std::vector<bool>> both_or_one(const std::optional<std::string>& value, const char* yes, const char* no) {
  if (!value || *value == "both") return std::vector<bool>{true, false};
  if (*value == yes) return std::vector<bool>{true};
  if (*value == no) return std::vector<bool>{false};
  return std::nullopt;
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
                                           {"--engine", true},
                                           {"--states", true},
                                           {"--explicit-seconds", true},
                                           {"--growth"},
                                           {"--explain"},
                                           {"--no-reduce"},
                                           {"--no-cone"}}, kUsage, out, err);
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
  const auto idem_values = both_or_one(o.value("--idempotence"), "on", "off");
  if (!idem_values) {
    fmt::print(err, "idemcheck prove: --idempotence wants on, off or both, not '{}'\n", *o.value("--idempotence"));
    return 2;
  }
  // both_or_one lists "known" first; the grid prints the unknown setting first.
  const auto known_values = both_or_one(o.value("--producer"), "known", "unknown");
  if (!known_values) {
    fmt::print(err, "idemcheck prove: --producer wants unknown, known or both, not '{}'\n", *o.value("--producer"));
    return 2;
  }
  const std::vector<bool>& idem = *idem_values;
  const std::vector<bool> known(known_values->rbegin(), known_values->rend());
  enum class Engine : std::uint8_t { both, explicit_search, z3 };
  Engine engine = Engine::both;
  if (const auto v = o.value("--engine")) {
    if (*v == "explicit") {
      engine = Engine::explicit_search;
    } else if (*v == "z3") {
      engine = Engine::z3;
    } else if (*v != "both") {
      fmt::print(err, "idemcheck prove: --engine wants both, explicit or z3, not '{}'\n", *v);
      return 2;
    }
  }
  const bool run_explicit = engine != Engine::z3, run_z3 = engine != Engine::explicit_search;
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  std::uint64_t depth = 24, batches = 0, zombies = 0, jobs = cores, max_states = 20'000'000, explicit_seconds = 5;
  // Defaults sized for the whole grid within 10 minutes on 2 cores (README).
  std::uint64_t cell_seconds = engine == Engine::both ? 2 : 0, unbounded_seconds = engine == Engine::both ? 0 : 2;
  for (auto e : {read_unsigned(o, "--depth", 0, 200, depth), read_unsigned(o, "--batches", 1, 8, batches),
                 read_unsigned(o, "--zombies", 1, 16, zombies), read_unsigned(o, "--jobs", 1, 256, jobs),
                 read_unsigned(o, "--states", 1, 4'000'000'000ULL, max_states),
                 read_unsigned(o, "--explicit-seconds", 0, 86'400, explicit_seconds),
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
  popts.cone = !o.has("--no-cone");
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
  spec::ExplicitOptions eopts;
  // The explicit search runs until no state is new (its diameter can exceed
  // --depth, which bounds Z3), unless its own bounds stop it.
  eopts.max_depth = 1000;
  eopts.time_limit_seconds = static_cast<double>(explicit_seconds);
  eopts.claims = popts.claims;
  eopts.max_states = max_states;

  fmt::print(out,
             "idemcheck prove: engines {}; depth {} events; B = {} sends, Z = {} zombies; {} jobs\n"
             "cells: \u221e = proved for every length, xN = shortest counterexample of N events, okN = proved to N "
             "events only\n",
             engine == Engine::both ? "explicit + Z3" : engine == Engine::z3 ? "Z3" : "explicit", depth,
             batches ? std::to_string(batches) : "min(m,w)+1 (+1 known)", zombies ? std::to_string(zombies) : "m",
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
  struct Cell {
    spec::ExplicitCellResult explicit_result;
    spec::CellResult z3;
    properties::CellAgreement agreement;
    double seconds = 0;
    std::string failure;
  };
  // One cell per worker at a time, `jobs` workers; each takes the next cell.
  // With both engines the explicit search runs first, and its diameter bounds
  // the depth Z3 needs (every reachable state is reached within it).
  std::vector<Cell> cells(keys.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < keys.size(); i = next++) {
      const Key& k = keys[i];
      const spec::SymbolicConfig cfg{k.m, k.w, k.on, static_cast<int>(batches), static_cast<int>(zombies), k.known};
      Cell& c = cells[i];
      const auto t0 = std::chrono::steady_clock::now();
      try {
        if (run_explicit) c.explicit_result = spec::explore_cell(cfg, eopts);
        if (run_z3) {
          spec::ProveOptions zo = popts;
          if (run_explicit && c.explicit_result.complete) zo.max_depth = std::min(zo.max_depth, c.explicit_result.diameter);
          c.z3 = spec::prove_cell(cfg, zo);
        }
        if (run_explicit && run_z3) c.agreement = properties::compare_provers(c.explicit_result, c.z3);
      } catch (const std::exception& e) {
        c.failure = e.what();
      }
      c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
  };
  const auto wall0 = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> pool;
    for (std::uint64_t j = 1; j < std::min<std::uint64_t>(jobs, keys.size()); ++j) pool.emplace_back(worker);
    worker();
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  std::map<Key, Cell> results;
  double total = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!cells[i].failure.empty()) {
      fmt::print(err, "idemcheck prove: {}\n", cells[i].failure);
      return 3;
    }
    total += cells[i].seconds;
    results.emplace(keys[i], std::move(cells[i]));
  }

  // The verdict a cell shows for claim `ci`.
  auto verdict = [&](const Cell& c, std::size_t ci) -> std::string {
    if (run_explicit && run_z3) {
      const properties::ClaimVerdict& v = c.agreement.claims[ci];
      return verdict_text(v.refuted, v.all_lengths, v.refuted ? v.length : v.depth);
    }
    if (run_z3) return verdict_text(c.z3.claims[ci].refuted, c.z3.claims[ci].all_lengths, c.z3.claims[ci].depth);
    const spec::ExplicitClaimResult& x = c.explicit_result.claims[ci];
    return verdict_text(x.refuted, x.complete, x.depth);
  };
  auto header = [&](const std::string& title) {
    fmt::print(out, "{:<28}", title);
    for (int m : ms) fmt::print(out, " {:>7}", fmt::format("m={}", m));
    fmt::print(out, "\n");
  };
  auto row_table = [&](bool k, bool on, const std::string& title, auto&& cell_value) {
    header(title);
    for (int w : ws) {
      fmt::print(out, "{:<28}", fmt::format("    w={}", w));
      for (int m : ms) fmt::print(out, " {}", pad(cell_value(results.at(Key{k, on, w, m})), 7));
      fmt::print(out, "\n");
    }
  };
  for (bool k : known) {
    for (bool on : idem) {
      fmt::print(out, "\nidempotence {}, producer {} to the broker\n", on ? "on" : "off", k ? "known" : "unknown");
      for (std::size_t ci = 0; ci < claims.size(); ++ci) {
        row_table(k, on, fmt::format("  {}", spec::name(claims[ci])), [&](const Cell& c) { return verdict(c, ci); });
      }
      if (run_explicit) {
        row_table(k, on, "  reachable states", [](const Cell& c) { return std::to_string(c.explicit_result.states); });
        row_table(k, on, "  diameter (events)", [](const Cell& c) {
          return c.explicit_result.complete ? std::to_string(c.explicit_result.diameter) : std::string("-");
        });
      }
      if (run_explicit && run_z3) {
        // How far Z3 on its own settled the cell: the least of its claims'.
        row_table(k, on, "  Z3 settled", [](const Cell& c) {
          int least = 1 << 30;
          bool all = true;
          for (const properties::ClaimVerdict& v : c.agreement.claims) {
            if (v.z3.rfind("ok", 0) == 0) {
              all = false;
              least = std::min(least, std::stoi(v.z3.substr(2)));
            }
          }
          return all ? std::string("yes") : fmt::format("to {}", least);
        });
      }
      row_table(k, on, "  time per cell (s)", [](const Cell& c) { return fmt::format("{:.2f}", c.seconds); });
    }
  }
  fmt::print(out, "\ntotal time {:.1f} s over the cells, wall time {:.1f} s\n", total, wall);

  int status = 0;
  if (run_explicit && run_z3) {
    std::size_t settled = 0;
    for (const auto& [key, c] : results) {
      settled += c.agreement.z3_settled ? 1 : 0;
      for (const std::string& d : c.agreement.disagreements) {
        fmt::print(out, "DISAGREE idempotence {}, producer {}, m={}, w={}: {}\n", key.on ? "on" : "off",
                   key.known ? "known" : "unknown", key.m, key.w, d);
        status = 4;
      }
    }
    fmt::print(out, "{}; Z3 settled {} of {} cells on its own or to the explicit search's diameter\n",
               status == 0 ? "the two provers agree on every cell" : "THE PROVERS DISAGREE", settled, results.size());
  }
  // Why a cell has claims proved to a depth only: one line per cell.
  bool any_bounded = false;
  for (const auto& [key, c] : results) {
    std::string which;
    std::string why;
    for (std::size_t ci = 0; ci < claims.size(); ++ci) {
      const std::string v = verdict(c, ci);
      if (v.rfind("ok", 0) != 0) continue;
      which += fmt::format("{}{} {}", which.empty() ? "" : ", ", spec::name(claims[ci]), v);
      if (run_z3 && !c.z3.claims[ci].why_bounded.empty() && why.find(c.z3.claims[ci].why_bounded) == std::string::npos) {
        why += "; Z3: " + c.z3.claims[ci].why_bounded;
      }
    }
    if (which.empty()) continue;
    if (!any_bounded) fmt::print(out, "\nproved to a depth only:\n");
    any_bounded = true;
    if (run_explicit && !c.explicit_result.complete) {
      why = fmt::format("the explicit search stopped after {} states, {} s{}", c.explicit_result.states,
                        static_cast<long>(c.explicit_result.seconds + 0.5), why);
    } else if (why.empty()) {
      why = "the depth limit";
    } else {
      why = why.substr(2);
    }
    fmt::print(out, "  idempotence {}, producer {}, m={}, w={}: {} ({})\n", key.on ? "on" : "off",
               key.known ? "known" : "unknown", key.m, key.w, which, why);
  }

  if (o.has("--growth")) {
    fmt::print(out, "\nper cell: Z3's time at each depth 1.. (s); the explicit search's new states at each depth 0..\n");
    for (const auto& [key, c] : results) {
      fmt::print(out, "  idem={:<3} {:<7} m={} w={}:", key.on ? "on" : "off", key.known ? "known" : "unknown", key.m,
                 key.w);
      if (run_z3) {
        // The state the solver unrolled (the claims' cone of influence), of the whole encoding's.
        fmt::print(out, " cone {} of {} fields; Z3", c.z3.claims.empty() ? 0 : c.z3.claims.front().cone_fields,
                   c.z3.state_fields);
        for (std::size_t d = 1; d < c.z3.depth_seconds.size(); ++d) fmt::print(out, " {:.2f}", c.z3.depth_seconds[d]);
      }
      if (run_explicit) {
        fmt::print(out, "{}states", run_z3 ? "; " : " ");
        for (std::uint64_t n : c.explicit_result.states_per_depth) fmt::print(out, " {}", n);
      }
      fmt::print(out, "\n");
    }
  }
  if (o.has("--explain")) {
    for (const auto& [key, c] : results) {
      for (std::size_t ci = 0; ci < claims.size(); ++ci) {
        const spec::History* h = nullptr;
        int n = 0;
        if (run_explicit && c.explicit_result.claims[ci].refuted) {
          h = &c.explicit_result.claims[ci].counterexample;
          n = c.explicit_result.claims[ci].depth;
        } else if (run_z3 && c.z3.claims[ci].refuted) {
          h = &c.z3.claims[ci].counterexample;
          n = c.z3.claims[ci].depth;
        }
        if (h == nullptr) continue;
        fmt::print(out, "\n{} refuted: idempotence {}, producer {}, m={}, w={} ({} events{})\n", spec::name(claims[ci]),
                   key.on ? "on" : "off", key.known ? "known" : "unknown", key.m, key.w, n,
                   key.known ? " after the known-producer prefix" : "");
        const std::string v = spec::concrete_violation(*h, claims[ci]);
        fmt::print(out, "{}", format_timeline(*h));
        fmt::print(out, "    => {}: {}\n", spec::name(claims[ci]), v.empty() ? "NOT SHOWN BY THE CONCRETE MODEL" : v);
      }
    }
  }
  return status;
}

}  // namespace idemcheck::cli
