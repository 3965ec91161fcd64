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

/// `idemcheck [claims]`: the claims table (the default job).
int run_claims_command(const Args& args, std::FILE* out, std::FILE* err);
/// `idemcheck check`: the broker differential check.
int run_check_command(const Args& args, std::FILE* out, std::FILE* err);

}  // namespace idemcheck::cli
