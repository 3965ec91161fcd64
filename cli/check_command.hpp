// cli/check_command.hpp -- `idemcheck check`, the default subcommand.
#pragma once

#include <cstdio>

#include "options.hpp"

namespace idemcheck::cli {

/// Run the broker differential check and print its summary to `out`.
/// Returns the process exit code: 0 when spec and impl agreed on every
/// history, 1 when they disagreed.
int run_check(const CheckOptions& options, std::FILE* out);

}  // namespace idemcheck::cli
