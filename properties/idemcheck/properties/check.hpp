// idemcheck/properties/check.hpp
//
// rc::check with a floor on the number of test cases. The properties here are
// cheap (a history runs in microseconds), so they ask for more cases than
// RapidCheck's default 100; RC_PARAMS still sets the seed, a larger count and
// the reproduce string as usual. The size is capped at 100, which the
// packaged RapidCheck needs.
#pragma once

#include <algorithm>
#include <iostream>
#include <string>
#include <utility>

#include <rapidcheck.h>

namespace idemcheck::properties {

/// Run `testable` as rc::check(description, testable) would, with at least
/// `min_success` cases. Returns true when the property held.
template <class Testable>
bool check_at_least(const std::string& description, int min_success, Testable&& testable) {
  using namespace rc::detail;
  rc::detail::TestParams params = configuration().testParams;
  params.maxSuccess = std::max(params.maxSuccess, min_success);
  params.maxSize = std::min(params.maxSize, 100);
  std::cerr << "\n- " << description << "\n";
  TestMetadata metadata;
  metadata.id = description;
  metadata.description = description;
  const TestResult result = checkTestable(std::forward<Testable>(testable), metadata, params);
  printResultMessage(result, std::cerr);
  std::cerr << std::endl;
  return result.template is<SuccessResult>();
}

}  // namespace idemcheck::properties
