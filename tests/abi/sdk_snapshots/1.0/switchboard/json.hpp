// A small, strict JSON reader and writer for plugins: the control plane of the ABI (config, schema,
// invoke, health) speaks JSON, and a plugin should not need a JSON dependency to take part.
// RFC 8259: rejects trailing commas, comments, leading zeros, raw control characters in strings,
// lone surrogates and duplicate keys; nests at most kMaxDepth deep. No exceptions.
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace switchboard::json {

enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

class Value {
 public:
  using Array = std::vector<Value>;
  using Object = std::vector<std::pair<std::string, Value>>;  // in document order

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : type_(Type::kBool), bool_(b) {}
  template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
  Value(I i) : type_(Type::kInt), int_(static_cast<int64_t>(i)) {}
  Value(double d) : type_(Type::kDouble), double_(d) {}
  Value(std::string s) : type_(Type::kString), string_(std::move(s)) {}
  Value(std::string_view s) : type_(Type::kString), string_(s) {}
  Value(const char* s) : type_(Type::kString), string_(s) {}

  static Value array() {
    Value v;
    v.type_ = Type::kArray;
    return v;
  }
  static Value object() {
    Value v;
    v.type_ = Type::kObject;
    return v;
  }

  Type type() const noexcept { return type_; }
  bool is_null() const noexcept { return type_ == Type::kNull; }
  bool is_bool() const noexcept { return type_ == Type::kBool; }
  bool is_int() const noexcept { return type_ == Type::kInt; }
  bool is_number() const noexcept { return type_ == Type::kInt || type_ == Type::kDouble; }
  bool is_string() const noexcept { return type_ == Type::kString; }
  bool is_array() const noexcept { return type_ == Type::kArray; }
  bool is_object() const noexcept { return type_ == Type::kObject; }

  // Accessors answer a neutral value for the wrong type; check the type first where it matters.
  bool as_bool() const noexcept { return is_bool() && bool_; }
  int64_t as_int() const noexcept {
    return is_int() ? int_ : type_ == Type::kDouble ? static_cast<int64_t>(double_) : 0;
  }
  double as_double() const noexcept {
    return is_int() ? static_cast<double>(int_) : type_ == Type::kDouble ? double_ : 0.0;
  }
  const std::string& as_string() const noexcept { return string_; }
  const Array& items() const noexcept { return array_; }
  const Object& members() const noexcept { return object_; }

  // The member called `key` of an object, or nullptr.
  const Value* find(std::string_view key) const noexcept {
    for (const auto& [k, v] : object_) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  // Sets (or replaces) a member; turns a null into an object.
  Value& set(std::string key, Value v) {
    if (type_ == Type::kNull) type_ = Type::kObject;
    for (auto& [k, existing] : object_) {
      if (k == key) {
        existing = std::move(v);
        return *this;
      }
    }
    object_.emplace_back(std::move(key), std::move(v));
    return *this;
  }
  // Appends to an array; turns a null into an array.
  Value& push(Value v) {
    if (type_ == Type::kNull) type_ = Type::kArray;
    array_.push_back(std::move(v));
    return *this;
  }

  std::string dump() const {
    std::string out;
    dump_to(out);
    return out;
  }
  void dump_to(std::string& out) const;

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
  Array array_;
  Object object_;
};

// `s` as a JSON string literal, quotes included.
inline void quote_to(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}
inline std::string quote(std::string_view s) {
  std::string out;
  quote_to(out, s);
  return out;
}

inline void Value::dump_to(std::string& out) const {
  switch (type_) {
    case Type::kNull:
      out += "null";
      break;
    case Type::kBool:
      out += bool_ ? "true" : "false";
      break;
    case Type::kInt:
      out += std::to_string(int_);
      break;
    case Type::kDouble: {
      if (!std::isfinite(double_)) {
        out += "null";  // JSON has no NaN or infinity
        break;
      }
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, double_);
      out.append(buf, r.ptr);
      break;
    }
    case Type::kString:
      quote_to(out, string_);
      break;
    case Type::kArray: {
      out += '[';
      for (std::size_t i = 0; i < array_.size(); ++i) {
        if (i > 0) out += ',';
        array_[i].dump_to(out);
      }
      out += ']';
      break;
    }
    case Type::kObject: {
      out += '{';
      for (std::size_t i = 0; i < object_.size(); ++i) {
        if (i > 0) out += ',';
        quote_to(out, object_[i].first);
        out += ':';
        object_[i].second.dump_to(out);
      }
      out += '}';
      break;
    }
  }
}

namespace detail {

inline constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  std::optional<Value> parse_document(std::string* error) {
    std::optional<Value> v = parse_value(0);
    if (v) {
      skip_ws();
      if (pos_ != s_.size()) v = fail("unexpected data after the document");
    }
    if (!v && error != nullptr) *error = error_ + " at offset " + std::to_string(error_pos_);
    return v;
  }

 private:
  std::nullopt_t fail(const char* message) {
    if (error_.empty()) {
      error_ = message;
      error_pos_ = pos_;
    }
    return std::nullopt;
  }
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool consume(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  std::optional<Value> parse_value(int depth) {
    if (depth > kMaxDepth) return fail("nested too deeply");
    skip_ws();
    if (pos_ >= s_.size()) return fail("unexpected end of input");
    char c = s_[pos_];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') {
      std::optional<std::string> s = parse_string();
      if (!s) return std::nullopt;
      return Value(std::move(*s));
    }
    if (consume("true")) return Value(true);
    if (consume("false")) return Value(false);
    if (consume("null")) return Value(nullptr);
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    return fail("unexpected character");
  }

  std::optional<Value> parse_object(int depth) {
    ++pos_;  // '{'
    Value obj = Value::object();
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return obj;
    }
    while (true) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected a member name");
      std::optional<std::string> key = parse_string();
      if (!key) return std::nullopt;
      if (obj.find(*key) != nullptr) return fail("duplicate member name");
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':'");
      ++pos_;
      std::optional<Value> v = parse_value(depth + 1);
      if (!v) return std::nullopt;
      obj.set(std::move(*key), std::move(*v));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return obj;
      }
      return fail("expected ',' or '}'");
    }
  }

  std::optional<Value> parse_array(int depth) {
    ++pos_;  // '['
    Value arr = Value::array();
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return arr;
    }
    while (true) {
      std::optional<Value> v = parse_value(depth + 1);
      if (!v) return std::nullopt;
      arr.push(std::move(*v));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return arr;
      }
      return fail("expected ',' or ']'");
    }
  }

  std::optional<Value> parse_number() {
    std::size_t start = pos_;
    bool integral = true;
    if (s_[pos_] == '-') ++pos_;
    if (pos_ >= s_.size() || !is_digit(s_[pos_])) return fail("bad number");
    if (s_[pos_] == '0') {
      ++pos_;
      if (pos_ < s_.size() && is_digit(s_[pos_])) return fail("leading zero in number");
    } else {
      while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      integral = false;
      ++pos_;
      if (pos_ >= s_.size() || !is_digit(s_[pos_])) return fail("bad fraction");
      while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (pos_ >= s_.size() || !is_digit(s_[pos_])) return fail("bad exponent");
      while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
    }
    const char* first = s_.data() + start;
    const char* last = s_.data() + pos_;
    if (integral) {
      int64_t i = 0;
      auto r = std::from_chars(first, last, i);
      if (r.ec == std::errc() && r.ptr == last) return Value(i);
      // Too large for int64: keep it as a double, as most JSON readers do.
    }
    double d = 0;
    auto r = std::from_chars(first, last, d);
    if (r.ptr != last) return fail("bad number");
    return Value(d);
  }

  std::optional<std::string> parse_string() {
    ++pos_;  // '"'
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) return fail("unterminated string");
      char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) return fail("unterminated string");
      char e = s_[pos_++];
      switch (e) {
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
          std::optional<uint32_t> cp = parse_hex4();
          if (!cp) return std::nullopt;
          if (*cp >= 0xD800 && *cp <= 0xDBFF) {
            if (!consume("\\u")) return fail("lone surrogate");
            std::optional<uint32_t> low = parse_hex4();
            if (!low) return std::nullopt;
            if (*low < 0xDC00 || *low > 0xDFFF) return fail("lone surrogate");
            *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
          } else if (*cp >= 0xDC00 && *cp <= 0xDFFF) {
            return fail("lone surrogate");
          }
          append_utf8(out, *cp);
          break;
        }
        default:
          return fail("bad escape");
      }
    }
  }

  std::optional<uint32_t> parse_hex4() {
    if (pos_ + 4 > s_.size()) return fail("bad \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) return fail("bad \\u escape");
      v = v * 16 + static_cast<uint32_t>(d);
    }
    return v;
  }

  static void append_utf8(std::string& out, uint32_t cp) {
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

  static bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::string error_;
  std::size_t error_pos_ = 0;
};

}  // namespace detail

// The document in `text`, or nullopt with a message (and offset) in *error.
inline std::optional<Value> parse(std::string_view text, std::string* error = nullptr) {
  return detail::Parser(text).parse_document(error);
}

}  // namespace switchboard::json
