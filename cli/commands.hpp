// cli/commands.hpp
//
// The subcommands of the idemcheck tool. Each parses its own arguments (the
// ones after the subcommand's name), prints through fmt to `out` (results)
// and `err` (diagnostics), and returns the process exit code:
//   0 success, 1 the check found what it reports as a failure, 2 bad usage or
//   bad input (with a message naming the problem).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace idemcheck::cli {

using Args = std::vector<std::string>;

/// The whole tool: `idemcheck [SUBCOMMAND] [options]`, with `args` the words
/// after the program name; --help, -h and --version take no further argument.
int run_idemcheck(Args args, std::FILE* out, std::FILE* err);
/// `idemcheck [claims]`: the claims table (the default job).
int run_claims_command(const Args& args, std::FILE* out, std::FILE* err);
/// `idemcheck check`: the broker differential check.
int run_check_command(const Args& args, std::FILE* out, std::FILE* err);
/// `idemcheck prove`: bounded proofs of the in-flight claims with Z3 (the grid).
int run_prove_command(const Args& args, std::FILE* out, std::FILE* err);
/// `idemcheck explore`: search a configured world for a violation, shrink and save it.
int run_explore_command(const Args& args, std::FILE* out, std::FILE* err);
/// `idemcheck shrink-report`: shrink quality on the claims pinned to fail.
int run_shrink_report_command(const Args& args, std::FILE* out, std::FILE* err);
/// `idemcheck replay FILE`: replay a history file on spec and impl, print its timeline (--html: chart).
int run_replay_command(const Args& args, std::FILE* out, std::FILE* err);
/// `idemcheck matrix`: every rule-variant pair against every idempotent claim.
int run_matrix_command(const Args& args, std::FILE* out, std::FILE* err);
/// `idemcheck clients`: real Kafka clients against the wire front end, under seeded fault schedules.
int run_clients_command(const Args& args, std::FILE* out, std::FILE* err);
/// `idemcheck conform`: the broker differential over the wire, against a running broker.
int run_conform_command(const Args& args, std::FILE* out, std::FILE* err);
/// `idemcheck conform --core CMD`: a dedup core in a subprocess (core_command.cpp).
int run_conform_core_command(const Args& args, std::FILE* out, std::FILE* err);
/// `idemcheck mutate`: the seeded-bug campaign (needs the `mutants` build).
int run_mutate_command(const Args& args, std::FILE* out, std::FILE* err);

}  // namespace idemcheck::cli
