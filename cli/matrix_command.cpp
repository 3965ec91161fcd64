// `idemcheck matrix`: every rule pair against every idempotent claim.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "idemcheck/properties/variant_matrix.hpp"
#include "idemcheck/report/matrix_render.hpp"
#include "options.hpp"

namespace idemcheck::cli {

namespace {

const char* kUsage =
    "usage: idemcheck matrix [options]\n"
    "\n"
    "For every pair of a broker rule variant and a client rule variant, and every\n"
    "claim with idempotence, runs the claim's own search under those rules: the\n"
    "shortest counterexample found (with the command that replays it) or \"holds\n"
    "for N histories\". Prints a table (pairs as rows, claims as columns), as text\n"
    "or markdown, and with --html writes the same as a page. Exit status: 0 the\n"
    "matrix ran, 1 spec and impl disagreed on the reference pair, 2 bad usage.\n"
    "\n"
    "options:\n"
    "  --broker LIST     broker variants, comma-separated (default: all): kafka-0.11,\n"
    "                    kafka-1.0.0, kafka-1.0.2, kafka-2.0.1, kafka-2.4, kafka-2.5,\n"
    "                    kafka-4.5, kafka-19880, redpanda, automq, kfake\n"
    "  --client LIST     client variants (default: all): java-2.4, java-2.5, kafka-14034\n"
    "  --claim ID        only this claim (repeatable; `idemcheck claims --list`)\n"
    "  --seed N          seed of every cell's search (default 1)\n"
    "  --histories N     histories per cell at most (default 2000)\n"
    "  --max-size N      RapidCheck size cap, 1..100 (default 60)\n"
    "  --jobs N          rows run at once (default: every core)\n"
    "  --format F        text (default) or markdown\n"
    "  --html FILE       also write the matrix as an HTML page\n";

template <class Rules, class Parse>
std::optional<std::string> parse_list(const std::string& option, const std::string& list, Parse parse,
                                      std::vector<Rules>& out) {
  out.clear();
  std::size_t at = 0;
  while (at <= list.size()) {
    const std::size_t comma = std::min(list.find(',', at), list.size());
    const std::string item = list.substr(at, comma - at);
    Rules r{};
    if (!parse(item, r)) return fmt::format("{}: unknown variant '{}'", option, item);
    out.push_back(r);
    at = comma + 1;
  }
  return std::nullopt;
}

}  // namespace

int run_matrix_command(const Args& args, std::FILE* out, std::FILE* err) {
  const auto started = start_command("matrix", args, {{"--broker", true},
                                           {"--client", true},
                                           {"--claim", true, true},
                                           {"--seed", true},
                                           {"--histories", true},
                                           {"--max-size", true},
                                           {"--jobs", true},
                                           {"--format", true},
                                           {"--html", true}}, kUsage, out, err);
  if (const int* status = std::get_if<int>(&started)) return *status;
  const ParsedOptions& o = std::get<ParsedOptions>(started);
  auto fail = [&](const std::string& message) {
    fmt::print(err, "idemcheck matrix: {}\n", message);
    return 2;
  };
  std::vector<spec::BrokerRules> brokers(spec::all_broker_rules().begin(), spec::all_broker_rules().end());
  std::vector<spec::ClientRules> clients(spec::all_client_rules().begin(), spec::all_client_rules().end());
  if (const auto v = o.value("--broker")) {
    if (auto e = parse_list(std::string("--broker"), *v, [](const std::string& t, spec::BrokerRules& r) {
          return spec::parse_broker_rules(t, r);
        }, brokers)) {
      return fail(*e);
    }
  }
  if (const auto v = o.value("--client")) {
    if (auto e = parse_list(std::string("--client"), *v, [](const std::string& t, spec::ClientRules& r) {
          return spec::parse_client_rules(t, r);
        }, clients)) {
      return fail(*e);
    }
  }
  std::vector<const properties::Claim*> claims = properties::matrix_claims();
  if (const auto it = o.values.find("--claim"); it != o.values.end()) {
    claims.clear();
    for (const std::string& id : it->second) {
      const properties::Claim* c = properties::find_claim(id);
      if (c == nullptr) return fail(fmt::format("unknown claim '{}' (see idemcheck claims --list)", id));
      if (!c->profile.config.producer.idempotence) {
        return fail(fmt::format("claim '{}' runs without idempotence: no rule variant applies to it", id));
      }
      claims.push_back(c);
    }
  }
  const std::string format = o.value("--format").value_or("text");
  if (format != "text" && format != "markdown") return fail(fmt::format("--format is text or markdown, not '{}'", format));
  properties::ClaimBudget budget;
  std::uint64_t histories = 2000, max_size = 60;
  const std::uint64_t cores = std::max(1u, std::thread::hardware_concurrency());
  std::uint64_t jobs = cores;
  for (auto e : {read_unsigned(o, "--seed", 0, UINT64_MAX, budget.seed),
                 read_unsigned(o, "--histories", 1, 10'000'000, histories), read_unsigned(o, "--max-size", 1, 100, max_size),
                 read_unsigned(o, "--jobs", 1, 256, jobs)}) {
    if (e) return fail(*e);
  }
  budget.histories = histories;
  budget.max_size = static_cast<int>(max_size);

  std::vector<properties::RulePair> pairs;
  for (spec::BrokerRules b : brokers) {
    for (spec::ClientRules c : clients) pairs.push_back(properties::RulePair{b, c});
  }
  report::MatrixReport rep;
  rep.claims = claims;
  rep.budget = budget;
  rep.jobs = static_cast<int>(std::min<std::uint64_t>(jobs, pairs.size()));
  rep.rows.resize(pairs.size());
  std::vector<std::string> failures(pairs.size());
  // A row per worker at a time; each row's searches are seeded alike, so the result does not
  // depend on the number of jobs.
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < pairs.size(); i = next++) {
      try {
        rep.rows[i] = properties::run_matrix_row(pairs[i], claims, budget);
      } catch (const std::exception& e) {
        failures[i] = e.what();
      }
    }
  };
  const auto t0 = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> pool;
    for (int j = 1; j < rep.jobs; ++j) pool.emplace_back(worker);
    worker();
  }
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (!failures[i].empty()) {
      fmt::print(err, "idemcheck matrix: {} x {}: {}\n", spec::name(pairs[i].broker), spec::name(pairs[i].client),
                 failures[i]);
      return 3;
    }
  }
  fmt::print(out, "{}", format == "markdown" ? report::matrix_markdown(rep) : report::matrix_text(rep));
  if (const auto path = o.value("--html")) {
    std::ofstream f(*path, std::ios::binary);
    f << report::matrix_html(rep);
    f.close();
    if (!f) {
      fmt::print(err, "idemcheck matrix: could not write {}\n", *path);
      return 2;
    }
    fmt::print(out, "wrote {}\n", *path);
  }
  for (const auto& row : rep.rows) {
    for (const auto& cell : row.cells) {
      if (cell.result.divergence) return 1;
    }
  }
  return 0;
}

}  // namespace idemcheck::cli
