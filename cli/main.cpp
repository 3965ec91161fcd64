// The idemcheck command-line tool; everything but the process boundary is in
// the cli library (dispatch.cpp), where the tests call it.
#include <cstdio>

#include "commands.hpp"

int main(int argc, char** argv) {
  return idemcheck::cli::run_idemcheck(idemcheck::cli::Args(argv + 1, argv + argc), stdout, stderr);
}
