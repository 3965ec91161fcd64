// `idemcheck [claims]`: the claims table, the tool's default job.
#include <algorithm>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "commands.hpp"
#ifdef IDEMCHECK_HAVE_IO
#include "idemcheck/io/history_file.hpp"
#endif
#include "idemcheck/properties/claims.hpp"
#include "idemcheck/properties/variant_matrix.hpp"
#include "options.hpp"
#include "timeline_text.hpp"

namespace idemcheck::cli {

namespace {

const char* kUsage =
    "usage: idemcheck [claims] [options]\n"
    "\n"
    "Checks each claim about Kafka's idempotent producer on random histories of\n"
    "the simulated world (producers, network, brokers), run on the reference\n"
    "model and on the optimized components side by side, and prints a table:\n"
    "what the article says, the setting, how many histories ran, what the model\n"
    "shows. A violation is shrunk and can be replayed with --claim ID --explain.\n"
    "Exit status: 0 when every outcome is the pinned one, 1 when an outcome\n"
    "differs from it or spec and impl disagree, 2 on bad usage.\n"
    "\n"
    "options:\n"
    "  --seed N|random   seed of the histories (default 1)\n"
    "  --histories N     histories per claim at most (default 10000); a search\n"
    "                    stops at its first violation\n"
    "  --max-size N      RapidCheck size cap, 1..100 (default 60)\n"
    "  --claim ID        only this claim (repeatable); --list shows the ids\n"
    "  --explain         print each counterexample step by step\n"
    "  --save DIR        write each shrunk counterexample to DIR/<claim>.json, with\n"
    "                    its outcome as \"expect\" (how tests/corpus/ is made)\n"
    "  --lines           also print one line per claim for scripts (after the\n"
    "                    table): claim=ID expect=… outcome=… as_pinned=yes|no\n"
    "                    histories=N race_free_histories=N to_violation=N|none\n"
    "  --set KEY=VALUE   a rule variant for every claim: idemcheck.broker.rules\n"
    "                    (kafka-0.11 ... kafka-2.5 (default) ... kfake) or\n"
    "                    idemcheck.client.rules (java-2.4, java-2.5 (default),\n"
    "                    kafka-14034); the outcomes are then shown, not judged\n"
    "                    against the pinned ones (pinned for the default rules),\n"
    "                    and spec runs alone (the impl core has no variants)\n"
    "  --list            list the claims and exit\n";


}  // namespace

int run_claims_command(const Args& args, std::FILE* out, std::FILE* err) {
  const auto started = start_command("claims", args, {{"--seed", true},
                                           {"--histories", true},
                                           {"--max-size", true},
                                           {"--claim", true, true},
                                           {"--explain"},
                                           {"--save", true},
                                           {"--lines"},
                                           {"--set", true, true},
                                           {"--list"}}, kUsage, out, err);
  if (const int* status = std::get_if<int>(&started)) return *status;
  const ParsedOptions& o = std::get<ParsedOptions>(started);
  if (o.has("--list")) {
    for (const auto& c : properties::claims()) fmt::print(out, "{:<40} {}\n", c.id, c.article);
    return 0;
  }
  properties::ClaimBudget budget;
  budget.max_size = 60;
  std::uint64_t histories = 10000, max_size = 60;
  if (o.value("--seed") == "random") {
    budget.seed = std::random_device{}();
  } else if (auto e = read_unsigned(o, "--seed", 0, UINT64_MAX, budget.seed)) {
    fmt::print(err, "idemcheck claims: {}\n", *e);
    return 2;
  }
  for (auto e : {read_unsigned(o, "--histories", 1, 10'000'000, histories),
                 read_unsigned(o, "--max-size", 1, 100, max_size)}) {
    if (e) {
      fmt::print(err, "idemcheck claims: {}\n", *e);
      return 2;
    }
  }
  budget.histories = histories;
  budget.max_size = static_cast<int>(max_size);

  // Rule variants, applied to every claim's world.
  properties::RulePair rules;
  std::string rules_options;  // for the replay lines
  if (const auto it = o.values.find("--set"); it != o.values.end()) {
    for (const std::string& assignment : it->second) {
      const auto eq = assignment.find('=');
      const std::string key = assignment.substr(0, eq);
      if (eq == std::string::npos || (key != "idemcheck.broker.rules" && key != "idemcheck.client.rules")) {
        fmt::print(err, "idemcheck claims: --set takes idemcheck.broker.rules=NAME or idemcheck.client.rules=NAME, "
                        "got '{}' (each claim has its own other settings)\n",
                   assignment);
        return 2;
      }
      spec::WorldConfig c;
      bool unsafe = false, known = false;
      if (auto e = apply_world_setting(c, unsafe, key, assignment.substr(eq + 1), known)) {
        fmt::print(err, "idemcheck claims: {}\n", *e);
        return 2;
      }
      if (key == "idemcheck.broker.rules") rules.broker = c.broker.rules;
      if (key == "idemcheck.client.rules") rules.client = c.client_rules;
    }
  }
  const bool judged = properties::is_reference(rules);
  if (!judged) {
    rules_options = fmt::format(" --set idemcheck.broker.rules={} --set idemcheck.client.rules={}",
                                spec::name(rules.broker), spec::name(rules.client));
  }

  std::vector<const properties::Claim*> selected;
  if (const auto it = o.values.find("--claim"); it != o.values.end()) {
    for (const std::string& id : it->second) {
      const properties::Claim* c = properties::find_claim(id);
      if (c == nullptr) {
        fmt::print(err, "idemcheck claims: unknown claim '{}' (see --list)\n", id);
        return 2;
      }
      selected.push_back(c);
    }
  } else {
    for (const auto& c : properties::claims()) selected.push_back(&c);
  }

  fmt::print(out, "idemcheck: claims about Kafka's idempotent producer (seed {}, up to {} histories each)\n",
             budget.seed, budget.histories);
  if (!judged) {
    fmt::print(out, "rules: broker {}, client {} (outcomes shown, not judged: the pins are for kafka-2.5 x java-2.5; "
                    "spec only)\n",
               spec::name(rules.broker), spec::name(rules.client));
  }
  fmt::print(out, "\n");
  fmt::print(out, "{:<40} {:>9}  {:<24} {:<9} {:<10} {}\n", "claim", "histories", "model", "pinned", "race", "");
  bool all_as_pinned = true;
  std::vector<std::string> details;
  std::vector<std::string> lines;
  for (const properties::Claim* catalogued : selected) {
    const properties::Claim variant = properties::with_rules(*catalogued, rules);
    const properties::Claim* c = &variant;
    const properties::ClaimResult r = properties::check_claim(*c, budget);
    std::string model;
    if (r.divergence) {
      model = "SPEC/IMPL DISAGREE";
    } else if (r.counterexample) {
      model = fmt::format("violated ({} events)", r.counterexample->shrunk.events.size());
    } else {
      model = "holds";
    }
    const bool ok = judged ? r.as_pinned(*c) : !r.divergence.has_value();
    all_as_pinned = all_as_pinned && ok;
    std::string note = ok ? "" : "UNEXPECTED";
    if (ok && !c->finding.empty() && judged) note = "finding";
    // Which violations need Kafka's late-poll race (see the README's Findings).
    const std::string race = !r.counterexample ? "" : r.needs_race ? "late-poll" : "none";
    // Histories run until the violation printed was found: the race-free
    // search's too when its violation is the one kept.
    std::string to_violation = "none";
    if (r.counterexample && ok) {
      to_violation = std::to_string(r.histories + (r.needs_race ? 0 : r.race_free_histories));
    }
    lines.push_back(fmt::format("claim={} expect={} outcome={} as_pinned={} histories={} race_free_histories={} "
                                "to_violation={}",
                                c->id, c->expect_violation ? "violated" : "holds",
                                r.divergence ? "diverged" : r.counterexample ? "violated" : "holds", ok ? "yes" : "no",
                                r.histories, r.race_free_histories, to_violation));
    fmt::print(out, "{:<40} {:>9}  {:<24} {:<9} {:<10} {}\n", c->id, r.histories, model,
               !judged ? "-" : c->expect_violation ? "violated" : "holds", race, note);

    std::ostringstream d;
    d << c->id << "\n  article: " << c->article << "\n  setting: " << c->setting << "\n";
    if (!c->finding.empty() && judged) d << "  " << c->finding << "\n";
    if (r.divergence) {
      d << fmt::format("  spec and impl disagree on the {} at event {} of history {}: {}\n    spec:{}\n    impl:{}\n",
                       r.divergence->what, r.divergence->step + 1, r.divergence_index, r.divergence->event,
                       r.divergence->spec_side, r.divergence->impl_side);
    }
    if (r.counterexample) {
      const auto& cx = *r.counterexample;
      for (const auto& a : cx.anomalies) d << "  => " << a << "\n";
      d << fmt::format("  shortest found: {} events (shrunk from {} with {} candidates in {:.2f} s)\n",
                       cx.shrunk.events.size(), cx.stats.original_length, cx.stats.candidates, cx.stats.seconds);
      if (r.needs_race) {
        d << fmt::format("  needs the late-poll race: no violation in {} histories without it{}\n", r.race_free_histories,
                         !c->needs_race ? "" : *c->needs_race ? " (pinned: needs it)" : " (pinned: does not)");
      } else if (r.race_free_histories > 0) {
        d << fmt::format("  needs no race: this counterexample has none (found again without late polls)\n");
      }
      d << fmt::format("  replay: idemcheck claims --claim {}{} --seed {} --histories {} --max-size {} --explain\n",
                       c->id, rules_options, budget.seed, budget.histories, budget.max_size);
      if (o.has("--explain")) d << format_timeline(cx.shrunk);
      if (o.value("--save")) {
#ifdef IDEMCHECK_HAVE_IO
        const std::string path = o.value("--save").value_or(".") + "/" + c->id + ".json";
        const std::string description = fmt::format("Claim {}: {}.\nSetting: {}.", c->id, c->article, c->setting);
        auto file = io::from_history(cx.shrunk, description);
        std::string error = std::holds_alternative<std::string>(file) ? std::get<std::string>(file) : "";
        if (error.empty()) {
          io::HistoryFile f = std::get<io::HistoryFile>(file);
          io::Expectation x;
          std::vector<spec::Anomaly> kinds;
          // The file's outcome is every anomaly of the replay, not only the claim's.
          spec::CheckSet every;  // what a replay checks: the safety anomalies and liveness
          every.stuck_send = true;
          for (const auto& a : properties::run_world(cx.shrunk, every).anomalies) {
            if (std::find(kinds.begin(), kinds.end(), a.kind) == kinds.end()) kinds.push_back(a.kind);
          }
          x.anomalies = kinds;
          x.spec_impl_agree = true;
          f.expect = x;
          error = io::save_history_file(path, f);
        }
        if (!error.empty()) {
          fmt::print(err, "idemcheck claims: could not save {}: {}\n", path, error);
          all_as_pinned = false;
        } else {
          d << fmt::format("  saved: {}\n", path);
        }
#else
        fmt::print(err, "idemcheck claims: --save needs the history file library\n");
        return 2;
#endif
      }
    }
    details.push_back(d.str());
  }
  fmt::print(out, "\n");
  for (const std::string& d : details) fmt::print(out, "{}\n", d);
  if (o.has("--lines")) {
    for (const std::string& l : lines) fmt::print(out, "{}\n", l);
  }
  if (!judged) {
    fmt::print(out, "{}\n", all_as_pinned ? "OK: every claim ran (under rule variants the outcomes are not judged)"
                                          : "FAILED: a claim could not be checked (see above)");
    return all_as_pinned ? 0 : 1;
  }
  fmt::print(out, "{}\n", all_as_pinned ? "OK: every outcome is the pinned one, and spec and impl agreed throughout"
                                        : "FAILED: an outcome differs from its pinned one (see UNEXPECTED above)");
  return all_as_pinned ? 0 : 1;
}

}  // namespace idemcheck::cli
