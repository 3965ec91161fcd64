// placeholder; replaced below
#include <gtest/gtest.h>
#include <iostream>
#include "idemcheck/spec/explicit_search.hpp"
namespace idemcheck {
namespace {
TEST(ExplicitSearch, DISABLED_Grid) {
  for (int m = 1; m <= 7; ++m) for (int w = 1; w <= 6; ++w) for (bool idem : {false, true}) for (bool known : {false, true}) {
    spec::SymbolicConfig c{m, w, idem, 0, 0, known};
    spec::ExplicitOptions o;
    const char* lim = std::getenv("EXPLICIT_LIMIT");
    o.time_limit_seconds = lim ? std::atof(lim) : 60;
    const auto r = spec::explore_cell(c, o);
    std::cout << "m=" << m << " w=" << w << (idem ? " on " : " off") << (known ? " known" : "      ") << " states " << r.states
              << " diam " << r.diameter << " " << r.seconds << " s " << r.states / std::max(r.seconds, 1e-9) << " st/s:";
    for (const auto& x : r.claims) std::cout << " " << spec::name(x.claim) << "=" << (x.refuted ? "x" : (x.complete ? "inf/" : "d")) << x.depth;
    std::cout << std::endl;
  }
}
}  // namespace
}  // namespace idemcheck
