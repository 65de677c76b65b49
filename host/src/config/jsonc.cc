#include "config/jsonc.h"

#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "core/text_input.h"

namespace sb::config {
namespace {

constexpr int kMaxDepth = 64;

class JsoncParser {
 public:
  JsoncParser(std::string_view text, bool comments) : text_(text), comments_(comments) {}

  sb::Result<Poco::Dynamic::Var> parse() {
    skip_space();
    Poco::Dynamic::Var value;
    if (!parse_value(value, 0)) return error_;
    skip_space();
    if (!error_.is_ok()) return error_;
    if (pos_ < text_.size()) {
      fail("unexpected text after the end of the document");
      return error_;
    }
    return value;
  }

  // Where the first error is: "other_id", "to.address", "items[2]"; empty at the top level.
  const std::string& error_field() const { return error_field_; }
  // Whether it is about a value's content (a number's range, a string's text), not the syntax.
  bool value_error() const { return value_error_; }

 private:
  // Records the first error (with its position, and the value's path when it is about a value) and
  // returns false for `return fail(...)`.
  bool fail(std::string_view what) {
    if (!error_.is_ok()) return false;  // keep the first error
    int line = 1, column = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) {
        ++column;  // count characters, not UTF-8 continuation bytes
      }
    }
    std::string at = "$";
    for (const auto& part : path_) {
      const bool index = !part.empty() && part.front() == '[';
      if (!error_field_.empty() && !index) error_field_ += '.';
      error_field_ += part;
      at += (index ? "" : ".") + part;
    }
    std::string where = "line " + std::to_string(line) + ", column " + std::to_string(column);
    if (value_error_ && !path_.empty()) where += " (at " + at + ")";
    error_ = sb::invalid_argument(where + ": " + std::string(what));
    return false;
  }

  bool fail_value(std::string_view what) {
    if (error_.is_ok()) value_error_ = true;
    return fail(what);
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  // Whitespace and comments. An unterminated block comment is an error.
  void skip_space() {
    while (!at_end()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (!comments_) {
        return;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        while (!at_end() && text_[pos_] != '\n') ++pos_;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
        size_t end = text_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) {
          fail("unterminated /* comment");
          pos_ = text_.size();
          return;
        }
        pos_ = end + 2;
      } else {
        return;
      }
    }
  }

  bool parse_value(Poco::Dynamic::Var& out, int depth) {
    if (depth > kMaxDepth) return fail("nesting deeper than 64 levels");
    switch (peek()) {
      case '{':
        return parse_object(out, depth);
      case '[':
        return parse_array(out, depth);
      case '"': {
        std::string s;
        if (!parse_string(s)) return false;
        out = s;
        return true;
      }
      case 't':
        return parse_literal("true", out, true);
      case 'f':
        return parse_literal("false", out, false);
      case 'n':
        return parse_literal("null", out, Poco::Dynamic::Var());
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return parse_number(out);
        if (at_end()) return fail("unexpected end of input, expected a value");
        return fail(std::string("unexpected character '") + peek() + "', expected a value");
    }
  }

  bool parse_literal(std::string_view word, Poco::Dynamic::Var& out, Poco::Dynamic::Var value) {
    if (text_.substr(pos_, word.size()) != word) return fail("invalid literal");
    pos_ += word.size();
    out = std::move(value);
    return true;
  }

  bool parse_object(Poco::Dynamic::Var& out, int depth) {
    Poco::JSON::Object::Ptr obj = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    ++pos_;  // '{'
    skip_space();
    if (peek() == '}') {
      ++pos_;
      out = obj;
      return true;
    }
    while (true) {
      if (!error_.is_ok()) return false;
      if (peek() != '"') return fail("expected a quoted key");
      size_t key_pos = pos_;
      std::string key;
      if (!parse_string(key)) return false;
      if (obj->has(key)) {
        pos_ = key_pos;
        return fail("duplicate key \"" + key + "\"");
      }
      skip_space();
      if (peek() != ':') return fail("expected ':' after key");
      ++pos_;
      skip_space();
      Poco::Dynamic::Var value;
      path_.push_back(key);
      if (!parse_value(value, depth + 1)) return false;
      path_.pop_back();
      obj->set(key, value);
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
        if (peek() == '}') return fail("trailing comma before '}'");
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        out = obj;
        return true;
      }
      return fail("expected ',' or '}' after a member");
    }
  }

  bool parse_array(Poco::Dynamic::Var& out, int depth) {
    Poco::JSON::Array::Ptr arr = new Poco::JSON::Array();
    ++pos_;  // '['
    skip_space();
    if (peek() == ']') {
      ++pos_;
      out = arr;
      return true;
    }
    while (true) {
      if (!error_.is_ok()) return false;
      Poco::Dynamic::Var value;
      path_.push_back("[" + std::to_string(arr->size()) + "]");
      if (!parse_value(value, depth + 1)) return false;
      path_.pop_back();
      arr->add(value);
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
        if (peek() == ']') return fail("trailing comma before ']'");
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        out = arr;
        return true;
      }
      return fail("expected ',' or ']' after an element");
    }
  }

  static void append_utf8(std::string& s, uint32_t cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool parse_hex4(uint32_t& out) {
    if (pos_ + 4 > text_.size()) return fail("truncated \\u escape");
    auto r = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, out, 16);
    if (r.ptr != text_.data() + pos_ + 4) return fail("invalid \\u escape");
    pos_ += 4;
    return true;
  }

  // Raw bytes must be UTF-8 and escapes may not produce NUL: whatever a string holds can be handed
  // to a plugin as UTF-8 text or stored in a JSON document.
  bool parse_string(std::string& out) {
    const size_t start = pos_;
    ++pos_;  // opening quote
    while (true) {
      if (at_end()) return fail("unterminated string");
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        if (!sb::is_valid_utf8(out)) {
          pos_ = start;
          return fail_value("string is not valid UTF-8");
        }
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return fail("control character in string (escape it)");
      }
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      switch (peek()) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          // An error about the character points at its backslash.
          const size_t escape = pos_ - 1;
          auto refuse = [&](std::string_view what) {
            pos_ = escape;
            return fail_value(what);
          };
          ++pos_;
          uint32_t cp = 0;
          if (!parse_hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (text_.substr(pos_, 2) != "\\u") return refuse("unpaired surrogate");
            pos_ += 2;
            if (!parse_hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return refuse("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return refuse("unpaired surrogate");
          } else if (cp == 0) {
            return refuse("NUL character (\\u0000) in string");
          }
          append_utf8(out, cp);
          continue;  // pos_ already past the escape
        }
        default:
          return fail("invalid escape in string");
      }
      ++pos_;
    }
  }

  bool parse_number(Poco::Dynamic::Var& out) {
    size_t start = pos_;
    if (peek() == '-') ++pos_;
    auto digits = [&] {
      size_t n = 0;
      while (peek() >= '0' && peek() <= '9') ++pos_, ++n;
      return n;
    };
    if (peek() == '0') {
      ++pos_;
    } else if (digits() == 0) {
      return fail("invalid number");
    }
    bool integral = true;
    if (peek() == '.') {
      ++pos_;
      integral = false;
      if (digits() == 0) return fail("invalid number: digits expected after '.'");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      integral = false;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (digits() == 0) return fail("invalid number: digits expected in exponent");
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    if (integral) {
      // A whole number the host cannot hold exactly is an error here, where its text is known:
      // never a wrapped or rounded value further on.
      auto v = sb::parse_integer(std::string_view(first, static_cast<size_t>(last - first)));
      if (!v) {
        pos_ = start;
        return fail_value("integer out of range (64-bit integers only)");
      }
      out = static_cast<Poco::Int64>(*v);
      return true;
    }
    double d = 0;
    auto r = std::from_chars(first, last, d);
    if (r.ec != std::errc() || r.ptr != last) {
      pos_ = start;
      return fail_value("number out of range");
    }
    out = d;
    return true;
  }

  std::string_view text_;
  bool comments_;
  size_t pos_ = 0;
  std::vector<std::string> path_;  // keys and "[i]" down to the value being parsed
  std::string error_field_;
  bool value_error_ = false;
  sb::Status error_;
};

sb::Result<Poco::Dynamic::Var> parse(std::string_view text, bool comments,
                                     std::string* error_field) {
  JsoncParser parser(text, comments);
  auto v = parser.parse();
  if (!v && error_field != nullptr && parser.value_error()) *error_field = parser.error_field();
  return v;
}

}  // namespace

sb::Result<Poco::Dynamic::Var> parse_jsonc(std::string_view text, std::string* error_field) {
  return parse(text, true, error_field);
}

sb::Result<Poco::Dynamic::Var> parse_json(std::string_view text, std::string* error_field) {
  return parse(text, false, error_field);
}

}  // namespace sb::config
