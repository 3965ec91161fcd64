// idemcheck/io/json.hpp
//
// A small, strict JSON reader (RFC 8259) and the string quoting a writer
// needs. Written for history files: every value remembers where it starts
// (line and column) so that errors can point at it, objects keep their
// members in file order, and the reader rejects what a careless edit
// produces rather than guessing: duplicate keys, invalid UTF-8, lone
// surrogates, trailing commas, comments, nesting deeper than a limit. It
// never throws on bad input and never recurses deeper than the limit.
//
// Numbers: an integer that fits in int64 is kept as an integer; any other
// number (a fraction, an exponent, or too large) is kept as its text only, so
// that a caller asking for an integer can say exactly what it got.
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
/// byte order mark at the start is skipped.
std::variant<Value, ParseError> parse(std::string_view text, int max_depth = 64);

/// A JSON string literal for `text` (quotes included). Control characters
/// are escaped; bytes >= 0x80 are copied (the caller passes UTF-8).
std::string quote(std::string_view text);

/// Is `text` valid UTF-8 (no overlong forms, no surrogates, <= U+10FFFF)?
bool valid_utf8(std::string_view text);

}  // namespace idemcheck::io::json
