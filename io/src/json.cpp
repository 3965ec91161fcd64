#include "idemcheck/io/json.hpp"

#include <cstddef>
#include <cstdio>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_set>

#include <nlohmann/json.hpp>

namespace idemcheck::io::json {

const Value* Value::find(std::string_view key) const {
  for (const auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string_view describe(Value::Type t) {
  switch (t) {
    case Value::Type::null: return "null";
    case Value::Type::boolean: return "a boolean";
    case Value::Type::integer: return "an integer";
    case Value::Type::number: return "a number";
    case Value::Type::string: return "a string";
    case Value::Type::array: return "an array";
    case Value::Type::object: return "an object";
  }
  return "a value";
}

std::string brief(const Value& v) {
  switch (v.type) {
    case Value::Type::null: return "null";
    case Value::Type::boolean: return v.boolean ? "true" : "false";
    case Value::Type::integer:
    case Value::Type::number: return v.text.size() > 40 ? v.text.substr(0, 37) + "..." : v.text;
    case Value::Type::string: return quote(v.text.size() > 40 ? v.text.substr(0, 37) + "..." : v.text);
    case Value::Type::array: return "an array";
    case Value::Type::object: return "an object";
  }
  return "a value";
}

std::string quote(std::string_view text) {
  return nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

// nlohmann's SAX events carry no position. This input iterator counts the
// bytes nlohmann's lexer has taken, which, with the rule that the lexer reads
// a token whole before the event for it (and one byte past a number), is
// enough to find where every value starts.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* at, std::size_t* taken) : at_(at), taken_(taken) {}
  reference operator*() const { return *at_; }
  CountingIterator& operator++() {
    ++at_;
    if (taken_ != nullptr) ++*taken_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator before = *this;
    ++*this;
    return before;
  }
  friend bool operator==(const CountingIterator& a, const CountingIterator& b) { return a.at_ == b.at_; }
  friend bool operator!=(const CountingIterator& a, const CountingIterator& b) { return !(a == b); }

 private:
  const char* at_;
  std::size_t* taken_;
};

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Beyond this many members an object checks its keys in a hash set: small
// objects (every event) stay cheap, a hostile one stays linear.
constexpr std::size_t kLinearKeyCheck = 16;

// Builds the positioned tree from nlohmann's SAX events, and words the errors.
class Builder {
 public:
  using number_integer_t = nlohmann::json::number_integer_t;
  using number_unsigned_t = nlohmann::json::number_unsigned_t;
  using number_float_t = nlohmann::json::number_float_t;
  using string_t = nlohmann::json::string_t;
  using binary_t = nlohmann::json::binary_t;

  Builder(std::string_view text, int max_depth, const std::size_t* taken)
      : s_(text), max_depth_(max_depth), taken_(taken) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") bom_ = 3;
    end_ = bom_;
    cursor_ = bom_;
  }

  // --- SAX ---------------------------------------------------------------------

  bool null() { return scalar(Value::Type::null); }
  bool boolean(bool b) {
    if (!scalar(Value::Type::boolean)) return false;
    last_->boolean = b;
    return true;
  }
  bool number_integer(number_integer_t v) { return integer(v, std::to_string(v).size() + (v == 0 && negative_zero())); }
  bool number_unsigned(number_unsigned_t v) {
    const std::size_t length = std::to_string(v).size();
    if (v <= static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
      return integer(static_cast<std::int64_t>(v), length);
    }
    return number(Value::Type::number, length);
  }
  bool number_float(number_float_t, const string_t& literal) { return number(Value::Type::number, literal.size()); }
  bool string(string_t& text) {
    if (!scalar(Value::Type::string)) return false;
    last_->text = std::move(text);
    return true;
  }
  bool binary(binary_t&) { return false; }  // not produced by the JSON format

  bool start_object(std::size_t) { return open(Value::Type::object); }
  bool start_array(std::size_t) { return open(Value::Type::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(string_t& k) {
    const std::size_t at = value_start();
    Frame& f = stack_.back();
    if (duplicate(f, k)) return fail(at, "duplicate key " + quote(k));
    f.key = std::move(k);
    f.key_at = position(at);
    f.key_pending = true;
    end_ = taken();
    return true;
  }

  bool parse_error(std::size_t byte, const std::string& token, const nlohmann::json::exception& ex) {
    syntax_error(byte, token, ex);
    return false;
  }

  // --- results -----------------------------------------------------------------

  /// After a successful sax_parse: nlohmann takes a NUL byte for the end of
  /// the input, so anything left after the document is reported here.
  bool finish() {
    if (error_) return false;
    const std::size_t at = skip_blanks(end_);
    if (at < s_.size()) return fail(at, "unexpected " + what_is_at(at) + " after the end of the document");
    return true;
  }

  Value take_root() { return std::move(root_); }
  ParseError take_error() {
    if (!error_) return ParseError{position(s_.size()), "invalid JSON"};
    return std::move(*error_);
  }

 private:
  struct Frame {
    Value* value = nullptr;
    std::string key;          // object: the key whose value comes next
    Position key_at;
    bool key_pending = false;
    std::unique_ptr<std::unordered_set<std::string>> keys;  // beyond kLinearKeyCheck members
  };

  std::string_view s_;
  int max_depth_;
  const std::size_t* taken_;
  std::size_t bom_ = 0;
  std::size_t end_ = 0;          // where the last token an event was for ends
  Value root_;
  bool root_seen_ = false;
  std::vector<Frame> stack_;
  Value* last_ = nullptr;        // the value the last event added
  std::optional<std::size_t> last_number_;  // where it starts, if it was a number
  std::optional<ParseError> error_;
  // Line and column of byte cursor_: positions are asked for in increasing order.
  std::size_t cursor_ = 0;
  Position cursor_at_;

  std::size_t taken() const { return *taken_; }

  bool fail(std::size_t at, std::string message) {
    error_ = ParseError{position(at), std::move(message)};
    return false;
  }

  Position position(std::size_t at) {
    if (at < cursor_) {
      cursor_ = bom_;
      cursor_at_ = Position{};
    }
    for (; cursor_ < at && cursor_ < s_.size(); ++cursor_) {
      const char c = s_[cursor_];
      if (c == '\n') {
        ++cursor_at_.line;
        cursor_at_.column = 1;
      } else if ((static_cast<unsigned char>(c) & 0xC0u) != 0x80u) {
        ++cursor_at_.column;  // columns count characters, not UTF-8 continuation bytes
      }
    }
    return cursor_at_;
  }

  std::size_t skip_blanks(std::size_t at) const {
    while (at < s_.size() && blank(s_[at])) ++at;
    return at;
  }

  // Where the token of the current event starts: after blanks and the one
  // ',' or ':' that may separate it from the previous token.
  std::size_t value_start() const {
    std::size_t at = skip_blanks(end_);
    if (at < s_.size() && (s_[at] == ',' || s_[at] == ':')) at = skip_blanks(at + 1);
    return at;
  }

  bool negative_zero() const {
    const std::size_t at = value_start();
    return at < s_.size() && s_[at] == '-';
  }

  std::string what_is_at(std::size_t at) const {
    if (at >= s_.size()) return "end of file";
    const unsigned char c = static_cast<unsigned char>(s_[at]);
    if (c >= 0x21 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02X", c);
    return buf;
  }

  // Adds a value starting at byte `at` to the open container (or as the root).
  Value& add(Value::Type type, std::size_t at) {
    Value v;
    v.type = type;
    v.position = position(at);
    last_number_.reset();
    if (stack_.empty()) {
      root_ = std::move(v);
      root_seen_ = true;
      return root_;
    }
    Frame& f = stack_.back();
    if (f.value->type == Value::Type::object) {
      f.value->members.push_back(Member{std::move(f.key), std::move(v)});
      f.value->key_positions.push_back(f.key_at);
      if (f.keys) f.keys->insert(f.value->members.back().key);
      f.key_pending = false;
      return f.value->members.back().value;
    }
    f.value->items.push_back(std::move(v));
    return f.value->items.back();
  }

  bool scalar(Value::Type type) {
    last_ = &add(type, value_start());
    end_ = taken();
    return true;
  }

  // Numbers: the lexer has read one byte past the literal, so its end is
  // computed from its length.
  bool number(Value::Type type, std::size_t length) {
    const std::size_t at = value_start();
    last_ = &add(type, at);
    last_->text = std::string(s_.substr(at, length));
    last_number_ = at;
    end_ = at + length;
    return true;
  }

  bool integer(std::int64_t v, std::size_t length) {
    number(Value::Type::integer, length);
    last_->integer = v;
    return true;
  }

  bool open(Value::Type type) {
    const std::size_t at = value_start();
    if (static_cast<int>(stack_.size()) + 1 > max_depth_) {
      return fail(at, "nesting deeper than " + std::to_string(max_depth_) + " levels");
    }
    Frame f;
    f.value = &add(type, at);
    stack_.push_back(std::move(f));
    end_ = taken();
    return true;
  }

  bool close() {
    stack_.pop_back();
    last_number_.reset();
    end_ = taken();
    return true;
  }

  bool duplicate(Frame& f, const std::string& k) {
    const auto& members = f.value->members;
    if (!f.keys && members.size() >= kLinearKeyCheck) {
      f.keys = std::make_unique<std::unordered_set<std::string>>();
      for (const Member& m : members) f.keys->insert(m.key);
    }
    if (f.keys) return f.keys->count(k) != 0;
    for (const Member& m : members) {
      if (m.key == k) return true;
    }
    return false;
  }

  // The start of the UTF-8 character that byte `at` (where nlohmann found the
  // problem) belongs to: nlohmann notices a truncated sequence at the byte
  // after its lead byte.
  std::size_t utf8_character_start(std::size_t at) const {
    for (std::size_t back = 1; back <= 3 && back <= at; ++back) {
      const unsigned char c = static_cast<unsigned char>(s_[at - back]);
      if ((c & 0xC0u) == 0x80u) continue;
      const std::size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      return length > back ? at - back : at;
    }
    return at;
  }

  // The lexer's complaint in nlohmann's message ("invalid string: ..."), or
  // "" when the token was well formed but not allowed where it stands.
  static std::string lexer_problem(const std::string& what) {
    const auto dash = what.find(" - ");
    if (dash == std::string::npos) return {};
    std::string rest = what.substr(dash + 3);
    if (rest.rfind("invalid", 0) != 0) return {};
    const auto last_read = rest.find("; last read:");
    return last_read == std::string::npos ? rest : rest.substr(0, last_read);
  }

  void syntax_error(std::size_t byte, const std::string& token, const nlohmann::json::exception& ex) {
    // What the grammar allowed where the offending token starts.
    enum class Want { document, value, key, key_or_close, colon, comma_or_close, after_document };
    std::size_t at = skip_blanks(end_);
    Want want = Want::document;
    bool after_comma = false;
    bool in_object = false;
    if (!stack_.empty()) {
      const Frame& f = stack_.back();
      in_object = f.value->type == Value::Type::object;
      const bool empty = in_object ? f.value->members.empty() : f.value->items.empty();
      if (in_object && f.key_pending) {
        want = Want::colon;
        if (at < s_.size() && s_[at] == ':') {
          at = skip_blanks(at + 1);
          want = Want::value;
        }
      } else if (empty) {
        want = in_object ? Want::key_or_close : Want::value;
      } else {
        want = Want::comma_or_close;
        if (at < s_.size() && s_[at] == ',') {
          at = skip_blanks(at + 1);
          want = in_object ? Want::key : Want::value;
          after_comma = true;
        }
      }
    } else if (root_seen_) {
      want = Want::after_document;
    }
    const char close = in_object ? '}' : ']';
    const char here = at < s_.size() ? s_[at] : '\0';
    const std::string unexpected = "unexpected " + what_is_at(at);

    switch (want) {
      case Want::after_document: fail(at, unexpected + " after the end of the document"); return;
      case Want::colon: fail(at, unexpected + " (expected ':' after a key)"); return;
      case Want::comma_or_close:
        // "01": nlohmann reads "0", then "1" as a second number.
        if (last_number_ && at == end_ && here >= '0' && here <= '9') {
          fail(*last_number_, "invalid number (leading zeros are not allowed)");
          return;
        }
        fail(at, unexpected + " (expected ',' or '" + close + "')");
        return;
      case Want::key:
      case Want::key_or_close:
        if (after_comma && here == '}') {
          fail(at, "trailing comma before '}'");
          return;
        }
        if (here != '"') {
          fail(at, unexpected + " (expected a key in double quotes)");
          return;
        }
        break;
      case Want::document:
      case Want::value:
        if (after_comma && here == ']') {
          fail(at, "trailing comma before ']'");
          return;
        }
        if (want == Want::document && at >= s_.size()) {
          fail(at, "the file is empty (expected a JSON object)");
          return;
        }
        break;
    }

    // A value or key was allowed here: the token itself is malformed.
    if (ex.id == 406) {  // nlohmann: a number beyond a finite double
      fail(at, "invalid number (" + token + " is out of range)");
      return;
    }
    const std::string problem = lexer_problem(ex.what());
    // nlohmann's byte count is one past the byte it stopped at.
    const std::size_t stop = byte > 0 ? std::min(byte - 1, s_.size()) : 0;
    if (problem.rfind("invalid string", 0) == 0) {
      if (stop >= s_.size()) {
        fail(stop, "unexpected end of file inside a string");
      } else if (problem.find("ill-formed UTF-8") != std::string::npos) {
        fail(utf8_character_start(stop), "invalid UTF-8 in a string");
      } else if (problem.find("control character") != std::string::npos) {
        fail(stop, s_[stop] == '\n' ? "line break inside a string (write \\n)" : "control character inside a string");
      } else if (problem.find("after backslash") != std::string::npos) {
        const char e = s_[stop];
        fail(stop, std::string("invalid escape \\") + (e >= 0x21 && e < 0x7F ? std::string(1, e) : "?"));
      } else if (problem.find("must follow U+D800") != std::string::npos) {
        fail(stop + 1, "lone low surrogate in a \\u escape");
      } else if (problem.find("must be followed by U+DC00") != std::string::npos) {
        fail(stop, "high surrogate not followed by a low surrogate");
      } else {
        fail(stop, "invalid \\u escape (expected 4 hex digits)");
      }
      return;
    }
    if (problem.rfind("invalid number", 0) == 0) {
      const char* why = problem.find("after '.'") != std::string::npos    ? "expected a digit after '.'"
                        : problem.find("exponent") != std::string::npos ? "expected a digit in the exponent"
                                                                        : "expected a digit";
      fail(at, std::string("invalid number (") + why + ")");
      return;
    }
    if (want == Want::value || want == Want::document) {
      if (here == '/') {
        fail(at, "comments are not allowed in JSON");
        return;
      }
      fail(at, unexpected + " (expected a JSON value)");
      return;
    }
    fail(at, unexpected + " (expected a key in double quotes)");
  }
};

}  // namespace

std::variant<Value, ParseError> parse(std::string_view text, int max_depth) {
  std::size_t taken = 0;
  Builder builder(text, max_depth, &taken);
  const CountingIterator first(text.data(), &taken);
  const CountingIterator last(text.data() + text.size(), nullptr);
  const bool ok = nlohmann::json::sax_parse(first, last, &builder, nlohmann::json::input_format_t::json,
                                            /*strict=*/true, /*ignore_comments=*/false);
  if (!ok || !builder.finish()) return builder.take_error();
  return builder.take_root();
}

}  // namespace idemcheck::io::json
