// idemcheck/io/json.hpp
//
// JSON for history files, on nlohmann-json (Debian's nlohmann-json3-dev):
// nlohmann's parser does the reading (RFC 8259: escapes, surrogates, UTF-8
// validation, numbers, no comments, no trailing commas), and this layer keeps
// what a history file's messages need and nlohmann's DOM does not give:
// where every value and key starts (line and column), objects in file order,
// and errors worded for a person editing the file. It also rejects what
// nlohmann accepts but a careless edit produces: duplicate keys (in linear
// time, a hash set per large object) and nesting deeper than a limit. It never
// throws on bad input, and nothing recurses: nlohmann's parser is iterative
// and so is the tree building.
//
// Numbers: an integer that fits in int64 is kept as an integer; any other
// number (a fraction, an exponent, or too large) is kept as its text only, so
// that a caller asking for an integer can say exactly what it got. A number
// beyond any finite double (1e999) is a syntax error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace idemcheck::io::json {

/// Where a value starts: 1-based line, 1-based column in characters.
struct Position {
  int line = 1;
  int column = 1;
  friend bool operator==(const Position&, const Position&) = default;
};

struct Member;

/// A JSON value.
struct Value {
  enum class Type : std::uint8_t { null, boolean, integer, number, string, array, object };
  Type type = Type::null;
  bool boolean = false;
  std::int64_t integer = 0;
  std::string text;  ///< string: the decoded string; integer and number: the literal as written
  std::vector<Value> items;                             ///< array
  std::vector<Member> members;                          ///< object, in file order, keys unique
  std::vector<Position> key_positions;                  ///< object: where each key starts
  Position position;

  /// The member with this key, or nullptr.
  [[nodiscard]] const Value* find(std::string_view key) const;
};

/// One member of an object.
struct Member {
  std::string key;
  Value value;
};

/// "an object", "a string", ... for messages.
std::string_view describe(Value::Type);
/// The value as a caller would read it in a message: strings quoted, containers abbreviated.
std::string brief(const Value&);

/// A syntax error.
struct ParseError {
  Position position;
  std::string message;
};

/// Parse a whole document (one value, surrounded by blanks only). A UTF-8
/// byte order mark at the start is skipped. Duplicate keys, nesting deeper
/// than `max_depth` and numbers beyond a finite double are errors.
std::variant<Value, ParseError> parse(std::string_view text, int max_depth = 64);

/// A JSON string literal for `text` (quotes included), as nlohmann writes it:
/// control characters escaped, UTF-8 copied; a byte that is not valid UTF-8
/// becomes U+FFFD, so the result always reads back.
std::string quote(std::string_view text);

}  // namespace idemcheck::io::json
