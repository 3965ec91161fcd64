// The idemcheck command-line tool.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "check_command.hpp"
#include "options.hpp"

int main(int argc, char** argv) {
  using namespace idemcheck::cli;
  const std::vector<std::string> args(argv + 1, argv + argc);
  const auto parsed = parse_command_line(args);
  if (const auto* error = std::get_if<std::string>(&parsed)) {
    fmt::print(stderr, "idemcheck: {}\n", *error);
    return 2;
  }
  const Command& cmd = std::get<Command>(parsed);
  try {
    switch (cmd.kind) {
      case Command::Kind::help:
        fmt::print("{}", usage());
        return 0;
      case Command::Kind::version:
        fmt::print("idemcheck 0.1.0\n");
        return 0;
      case Command::Kind::check:
        return run_check(cmd.check, stdout);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "idemcheck: internal error: {}\n", e.what());
    return 3;
  }
  return 0;
}
