// spec/src/name_table.hpp -- internal to spec/: a value <-> name table lookup,
// shared by every enum the spec prints and parses (events, anomalies, claims).
#pragma once

#include <string_view>
#include <utility>

namespace idemcheck::spec::detail {

/// The name of `value` in `table`, or `fallback` if it has none.
template <class Table, class T>
std::string_view name_of(const Table& table, T value, std::string_view fallback) {
  for (const auto& [v, n] : table) {
    if (v == value) return n;
  }
  return fallback;
}

/// The value named `text` in `table`, into `out`; false if no entry has that name.
template <class Table, class T>
bool parse_name(const Table& table, std::string_view text, T& out) {
  for (const auto& [v, n] : table) {
    if (n == text) {
      out = v;
      return true;
    }
  }
  return false;
}

}  // namespace idemcheck::spec::detail
