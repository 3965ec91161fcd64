#include "idemcheck/io/json.hpp"

#include <charconv>
#include <cstdio>

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

namespace {

// Length of the UTF-8 sequence starting at s[i] if valid, else 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0Fu;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07u;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3Fu);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
 public:
  Parser(std::string_view text, int max_depth) : s_(text), max_depth_(max_depth) {}

  bool document(Value& out) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;
    skip_blanks();
    if (i_ >= s_.size()) return fail("the file is empty (expected a JSON object)");
    if (!value(out, 0)) return false;
    skip_blanks();
    if (i_ < s_.size()) return fail("unexpected " + what_is_here() + " after the end of the document");
    return true;
  }

  ParseError error() const { return error_; }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
  Position pos_;
  int max_depth_;
  ParseError error_;

  bool fail(std::string message) {
    error_ = ParseError{pos_, std::move(message)};
    return false;
  }

  std::string what_is_here() const {
    if (i_ >= s_.size()) return "end of file";
    const unsigned char c = static_cast<unsigned char>(s_[i_]);
    if (c >= 0x21 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02X", c);
    return buf;
  }

  // Advance over one byte, keeping line and column (columns count characters).
  void advance() {
    const char c = s_[i_++];
    if (c == '\n') {
      ++pos_.line;
      pos_.column = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0u) != 0x80u) {
      ++pos_.column;
    }
  }

  void skip_blanks() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) advance();
  }

  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return fail("unexpected " + what_is_here() + " (expected a JSON value)");
    for (std::size_t k = 0; k < word.size(); ++k) advance();
    return true;
  }

  bool value(Value& out, int depth) {
    out.position = pos_;
    if (i_ >= s_.size()) return fail("unexpected end of file (expected a JSON value)");
    switch (s_[i_]) {
      case '{': return object(out, depth + 1);
      case '[': return array(out, depth + 1);
      case '"': out.type = Value::Type::string; return string(out.text);
      case 't': out.type = Value::Type::boolean; out.boolean = true; return literal("true");
      case 'f': out.type = Value::Type::boolean; out.boolean = false; return literal("false");
      case 'n': out.type = Value::Type::null; return literal("null");
      default: break;
    }
    if (s_[i_] == '-' || (s_[i_] >= '0' && s_[i_] <= '9')) return number(out);
    if (s_[i_] == '/') return fail("comments are not allowed in JSON");
    return fail("unexpected " + what_is_here() + " (expected a JSON value)");
  }

  bool object(Value& out, int depth) {
    if (depth > max_depth_) return fail("nesting deeper than " + std::to_string(max_depth_) + " levels");
    out.type = Value::Type::object;
    advance();  // {
    skip_blanks();
    if (i_ < s_.size() && s_[i_] == '}') {
      advance();
      return true;
    }
    while (true) {
      skip_blanks();
      if (i_ >= s_.size() || s_[i_] != '"') {
        if (i_ < s_.size() && s_[i_] == '}') return fail("trailing comma before '}'");
        return fail("unexpected " + what_is_here() + " (expected a key in double quotes)");
      }
      const Position key_at = pos_;
      std::string key;
      if (!string(key)) return false;
      for (const auto& [k, v] : out.members) {
        if (k == key) {
          error_ = ParseError{key_at, "duplicate key " + quote(key)};
          return false;
        }
      }
      skip_blanks();
      if (i_ >= s_.size() || s_[i_] != ':') return fail("unexpected " + what_is_here() + " (expected ':' after a key)");
      advance();
      skip_blanks();
      Value v;
      if (!value(v, depth)) return false;
      out.members.push_back(Member{std::move(key), std::move(v)});
      out.key_positions.push_back(key_at);
      skip_blanks();
      if (i_ < s_.size() && s_[i_] == ',') {
        advance();
        continue;
      }
      if (i_ < s_.size() && s_[i_] == '}') {
        advance();
        return true;
      }
      return fail("unexpected " + what_is_here() + " (expected ',' or '}')");
    }
  }

  bool array(Value& out, int depth) {
    if (depth > max_depth_) return fail("nesting deeper than " + std::to_string(max_depth_) + " levels");
    out.type = Value::Type::array;
    advance();  // [
    skip_blanks();
    if (i_ < s_.size() && s_[i_] == ']') {
      advance();
      return true;
    }
    while (true) {
      skip_blanks();
      if (i_ < s_.size() && s_[i_] == ']') return fail("trailing comma before ']'");
      Value v;
      if (!value(v, depth)) return false;
      out.items.push_back(std::move(v));
      skip_blanks();
      if (i_ < s_.size() && s_[i_] == ',') {
        advance();
        continue;
      }
      if (i_ < s_.size() && s_[i_] == ']') {
        advance();
        return true;
      }
      return fail("unexpected " + what_is_here() + " (expected ',' or ']')");
    }
  }

  bool hex4(std::uint32_t& out) {
    out = 0;
    for (int k = 0; k < 4; ++k) {
      if (i_ >= s_.size()) return fail("unexpected end of file in a \\u escape");
      const char c = s_[i_];
      std::uint32_t d = 0;
      if (c >= '0' && c <= '9') {
        d = static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        d = static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        d = static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return fail("invalid \\u escape (expected 4 hex digits)");
      }
      out = out * 16 + d;
      advance();
    }
    return true;
  }

  bool string(std::string& out) {
    advance();  // opening quote
    out.clear();
    while (true) {
      if (i_ >= s_.size()) return fail("unexpected end of file inside a string");
      const unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        advance();
        return true;
      }
      if (c < 0x20) {
        return fail(c == '\n' ? "line break inside a string (write \\n)" : "control character inside a string");
      }
      if (c == '\\') {
        advance();
        if (i_ >= s_.size()) return fail("unexpected end of file inside a string");
        const char e = s_[i_];
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            advance();
            std::uint32_t cp = 0;
            if (!hex4(cp)) return false;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate in a \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              if (s_.substr(i_, 2) != "\\u") return fail("high surrogate not followed by a low surrogate");
              advance();
              advance();
              std::uint32_t lo = 0;
              if (!hex4(lo)) return false;
              if (lo < 0xDC00 || lo > 0xDFFF) return fail("high surrogate not followed by a low surrogate");
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            append_utf8(out, cp);
            continue;  // hex4 advanced already
          }
          default: return fail(std::string("invalid escape \\") + (e >= 0x21 && e < 0x7F ? std::string(1, e) : "?"));
        }
        advance();
        continue;
      }
      const std::size_t n = utf8_sequence(s_, i_);
      if (n == 0) return fail("invalid UTF-8 in a string");
      out.append(s_.substr(i_, n));
      for (std::size_t k = 0; k < n; ++k) advance();
    }
  }

  bool number(Value& out) {
    const std::size_t start = i_;
    const Position start_pos = pos_;
    auto bad = [&](const char* why) {
      error_ = ParseError{start_pos, std::string("invalid number (") + why + ")"};
      return false;
    };
    auto digits = [&] {
      std::size_t n = 0;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
        advance();
        ++n;
      }
      return n;
    };
    if (s_[i_] == '-') advance();
    if (i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') return bad("expected a digit");
    const bool leading_zero = s_[i_] == '0';
    const std::size_t int_digits = digits();
    if (leading_zero && int_digits > 1) return bad("leading zeros are not allowed");
    bool integral = true;
    if (i_ < s_.size() && s_[i_] == '.') {
      integral = false;
      advance();
      if (digits() == 0) return bad("expected a digit after '.'");
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      integral = false;
      advance();
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) advance();
      if (digits() == 0) return bad("expected a digit in the exponent");
    }
    out.text = std::string(s_.substr(start, i_ - start));
    out.type = Value::Type::number;
    if (integral) {
      std::int64_t v = 0;
      const char* b = out.text.data();
      const char* e = b + out.text.size();
      const auto [p, ec] = std::from_chars(b, e, v);
      if (ec == std::errc{} && p == e) {
        out.type = Value::Type::integer;
        out.integer = v;
      }
    }
    return true;
  }
};

}  // namespace

std::variant<Value, ParseError> parse(std::string_view text, int max_depth) {
  Parser p(text, max_depth);
  Value v;
  if (!p.document(v)) return p.error();
  return v;
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace idemcheck::io::json
