// The one HTML escaping of the report pages (chart and matrix): text and
// attribute values alike, so it escapes the double quote too.
#pragma once

#include <string>
#include <string_view>

namespace idemcheck::report::detail {

inline std::string html_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace idemcheck::report::detail
