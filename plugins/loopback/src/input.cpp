#include "input.hpp"

#include <algorithm>
#include <utility>

namespace loopback {

std::string path(std::string_view base, std::string_view member) {
  if (base.empty()) return std::string(member);
  return std::string(base) + "." + std::string(member);
}

std::string path(std::string_view base, std::size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

std::optional<json::Value> parse_object(std::string_view text, InputError& err) {
  std::string parse_error;
  std::optional<json::Value> doc = json::parse(text, &parse_error);
  if (!doc) {
    err = {"", "not JSON: " + parse_error};
    return std::nullopt;
  }
  if (!doc->is_object()) {
    err = {"", "must be a JSON object"};
    return std::nullopt;
  }
  return doc;
}

ObjectReader::ObjectReader(const json::Value& object, std::string base, InputError& err)
    : object_(object), base_(std::move(base)), err_(err) {
  if (!object_.is_object()) {
    ok_ = false;
    err_ = {base_, "must be a JSON object"};
  }
}

void ObjectReader::fail(std::string_view key, std::string problem) {
  if (!ok_) return;
  ok_ = false;
  err_ = {key.empty() ? base_ : path(base_, key), std::move(problem)};
}

std::optional<std::string> ObjectReader::str(std::string_view key, bool required,
                                             bool allow_empty) {
  const json::Value* v = ok_ ? object_.find(key) : nullptr;
  if (v == nullptr || v->is_null()) {
    if (required)
      fail(key, allow_empty ? "a string is required" : "a non-empty string is required");
    return std::nullopt;
  }
  if (!v->is_string() || (!allow_empty && v->as_string().empty())) {
    fail(key, allow_empty ? "must be a string" : "must be a non-empty string");
    return std::nullopt;
  }
  return v->as_string();
}

bool ObjectReader::boolean(std::string_view key, bool fallback) {
  const json::Value* v = ok_ ? object_.find(key) : nullptr;
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_bool()) {
    fail(key, "must be true or false");
    return fallback;
  }
  return v->as_bool();
}

int64_t ObjectReader::integer(std::string_view key, int64_t fallback, int64_t min, int64_t max) {
  const json::Value* v = ok_ ? object_.find(key) : nullptr;
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_int() || v->as_int() < min || v->as_int() > max) {
    fail(key, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return fallback;
  }
  return v->as_int();
}

void ObjectReader::only(std::initializer_list<std::string_view> known) {
  if (!ok_) return;
  for (const auto& [key, value] : object_.members()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      fail(key, "unknown field");
      return;
    }
  }
}

}  // namespace loopback
