// Strict reading of JSON objects that tests and operators write by hand: every wrong field is
// reported by its path ("messages[2].from"), unknown fields included, so a typo never passes
// silently.
#pragma once

#include <switchboard/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace loopback {

namespace json = switchboard::json;

// The first problem found in an input, by field path.
struct InputError {
  std::string field;    // e.g. "messages[2].from"; empty for the document itself
  std::string problem;  // e.g. "must be a non-empty string"
  std::string text() const { return field.empty() ? problem : field + ": " + problem; }
};

// Joins a path and a member name: path("", "a") == "a", path("x", "a") == "x.a".
std::string path(std::string_view base, std::string_view member);
std::string path(std::string_view base, std::size_t index);

// Parses `text` as a JSON object; on failure fills `err` and answers nullopt.
std::optional<json::Value> parse_object(std::string_view text, InputError& err);

// Reads members of one object. Records only the first problem; check ok() after the reads.
class ObjectReader {
 public:
  ObjectReader(const json::Value& object, std::string base, InputError& err);

  bool ok() const noexcept { return ok_; }
  const std::string& base() const noexcept { return base_; }
  const json::Value* find(std::string_view key) const { return object_.find(key); }

  // A string member; nullopt when absent (then `required` makes it an error) or wrong.
  std::optional<std::string> str(std::string_view key, bool required, bool allow_empty = true);
  bool boolean(std::string_view key, bool fallback);
  int64_t integer(std::string_view key, int64_t fallback, int64_t min, int64_t max);
  // Fails on any member not in `known`.
  void only(std::initializer_list<std::string_view> known);
  void fail(std::string_view key, std::string problem);

 private:
  const json::Value& object_;
  std::string base_;
  InputError& err_;
  bool ok_ = true;
};

}  // namespace loopback
