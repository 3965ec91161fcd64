// The top level of the idemcheck tool: picks the subcommand (see commands.hpp).
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"

namespace idemcheck::cli {

namespace {

const char* kUsage =
    "usage: idemcheck [SUBCOMMAND] [options]\n"
    "\n"
    "subcommands:\n"
    "  claims   (default) check each claim about the idempotent producer and print\n"
    "           the claims table; exits 1 if spec and impl disagree or an outcome\n"
    "           differs from its pinned one\n"
    "  check    the broker differential check (spec vs impl dedup core)\n"
    "  replay   replay a history file on spec and impl: timeline, --html chart\n"
    "  prove    bounded proofs of the in-flight claims with Z3, per grid cell\n"
    "  explore  search a world configured with Kafka's properties for a violation\n"
    "  shrink-report  how well counterexamples shrink (generic vs history-aware)\n"
    "  mutate   the seeded-bug campaign: does the suite catch every seeded bug?\n"
    "  matrix   rule variants (broker x client) against every idempotent claim\n"
    "  clients  real Kafka clients (librdkafka, kafkajs) against the wire front end\n"
    "  conform  check any dedup core: a running broker over the wire (--bootstrap),\n"
    "           or a core in any language as a subprocess (--core)\n"
    "\n"
    "idemcheck SUBCOMMAND --help describes each.\n";

}  // namespace

int run_idemcheck(Args args, std::FILE* out, std::FILE* err) {
  std::string sub = "claims";
  if (!args.empty() && !args.front().starts_with("-")) {
    sub = args.front();
    args.erase(args.begin());
  } else if (!args.empty() && (args.front() == "--help" || args.front() == "-h" || args.front() == "--version")) {
    if (args.size() > 1) {
      fmt::print(err, "idemcheck: {} takes no arguments, got '{}'\n", args.front(), args[1]);
      return 2;
    }
    if (args.front() == "--version") {
      fmt::print(out, "idemcheck 0.1.0\n");
    } else {
      fmt::print(out, "{}", kUsage);
    }
    return 0;
  }
  try {
    if (sub == "claims") return run_claims_command(args, out, err);
    if (sub == "check") return run_check_command(args, out, err);
    if (sub == "replay") return run_replay_command(args, out, err);
    if (sub == "prove") return run_prove_command(args, out, err);
    if (sub == "explore") return run_explore_command(args, out, err);
    if (sub == "shrink-report") return run_shrink_report_command(args, out, err);
    if (sub == "mutate") return run_mutate_command(args, out, err);
    if (sub == "matrix") return run_matrix_command(args, out, err);
    if (sub == "conform") return run_conform_command(args, out, err);
    if (sub == "clients") {
#ifdef IDEMCHECK_HAVE_CLIENTS
      return run_clients_command(args, out, err);
#else
      fmt::print(err, "idemcheck clients: this idemcheck was built without the real-client harness "
                      "(configured with IDEMCHECK_BUILD_CLIENTS=OFF)\n");
      return 2;
#endif
    }
  } catch (const std::exception& e) {
    fmt::print(err, "idemcheck: internal error: {}\n", e.what());
    return 3;
  }
  fmt::print(err, "idemcheck: unknown subcommand '{}'\n\n{}", sub, kUsage);
  return 2;
}

}  // namespace idemcheck::cli
